//! Partners and coalitions: the settlements both ways, the partners' share of the running
//! costs and the wind-down of their agreements at the exit, each checked against the month's
//! own counts with the stated prices (income = points issued at partners × their price;
//! payment = points redeemed at partners × the settlement price).

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::metrics::finance::{Series, evaluate_trial};
use loyalty_sim::sim::runner::simulate_trials;

/// Latent customers who never lapse and all join at once, a reward of 100 points costing €1
/// (1 cent a point), partners who issue 40 points a member a month at 0.8 cents and take a
/// quarter of the redemptions at 0.6 cents; `partner_extra` is added to the partner table.
/// A flat €1,000 of running costs a month; the program ends in month 10 with two months of
/// grace and a €1,000 closing cost.
fn coalition(partner_extra: &str) -> String {
    format!(
        r#"
[simulation]
customers = 500
months = 12
trials = 2
seed = 3

[population.latent]
share = 1.0
purchases_per_month = {{ mean = 2.0, cv = 0.5, timing = "regular" }}
spend_per_purchase = {{ mean = 30.0 }}
attrition_per_month = 0.0
redemption_per_month = 1.0

[population.latent.response]
enrolment = 1.0
enrolment_half = 0.0

[program]
joining_per_visit = 1.0

[program.points]
earn_rate = 1.0
redemption_threshold = 100
point_cost = 0.01

[program.points.partner]
points_per_member_per_month = 40
price_per_point = 0.008
redeemed_share = 0.25
settlement_per_point = 0.006
{partner_extra}

[program.exit]
month = 10
grace_months = 2
cost = 1000

[finance]
currency = "EUR"
gross_margin = 0.4
discount_rate = 0.1

[finance.investment]
platform = 10000

[finance.running_costs]
per_month = 1000
"#
    )
}

/// Month by month: the partners pay 0.8 cents for each point issued at them; the program
/// pays 0.25 × the points redeemed × 0.6 cents, and bears the catalogue's cost of the other
/// three quarters only; a point redeemed is valued at the blend 0.75 × 1 + 0.25 × 0.6 = 0.9
/// cents; the partners bear 40% of the €1,000 a month while the program runs or is in its
/// grace (11 months: €4,400, the program €6,600); the wind-down of €2,500 is booked with the
/// closing cost in month 10; and the net cash flow adds up.
#[test]
fn partner_settlements_both_ways_cost_sharing_and_wind_down() {
    let s = common::scenario(&coalition(
        "running_cost_share = 0.4\nwind_down_cost = 2500",
    ));
    let totals = simulate_trials(&s, 0..2, None, &|| {}).unwrap();
    for t in &totals {
        let r = evaluate_trial(&s, t);
        let (mut income, mut payment, mut catalogue) = (0.0, 0.0, 0.0);
        let (mut issued, mut redeemed) = (0u64, 0u64);
        for (m, rec) in t.months.iter().zip(&r.months) {
            let earned_at_partners = m.points_earned_partner as f64;
            let paid_to_partners = 0.25 * m.points_redeemed as f64 * 0.006;
            assert!((rec[Series::PartnerRevenue] - earned_at_partners * 0.008).abs() < 1e-9);
            // The reward cost is a quarter of the redemptions at the settlement price and
            // three quarters at the catalogue's (a reward of 100 points costs €1).
            let expected = 0.75 * m.reward_cost + paid_to_partners;
            assert!(
                (rec[Series::RewardCost] - expected).abs() < 1e-9,
                "{} against {expected}",
                rec[Series::RewardCost]
            );
            assert!((m.reward_cost - m.points_redeemed as f64 * 0.01).abs() < 1e-9);
            assert!((rec[Series::RewardsRedeemed] - m.points_redeemed as f64 * 0.009).abs() < 1e-9);
            income += earned_at_partners * 0.008;
            payment += paid_to_partners;
            catalogue += 0.75 * m.reward_cost;
            issued += m.points_earned_partner;
            redeemed += m.points_redeemed;
        }
        // Partners issued and members redeemed: both flows are there to check.
        assert!(
            issued > 0 && redeemed > 0,
            "{issued} issued, {redeemed} redeemed"
        );
        let g = &r.metrics;
        assert!((g.partner_revenue - income).abs() < 1e-6);
        assert!((g.partner_settlement - payment).abs() < 1e-6);
        assert!((g.points_reward_cost - (catalogue + payment)).abs() < 1e-6);
        // Running: months 1–11 (month 12 is closed), 40% borne by partners.
        assert!((g.partner_cost_share - 4_400.0).abs() < 1e-6);
        let running: f64 = r.months.iter().map(|m| m[Series::RunningCosts]).sum();
        assert!((running - 6_600.0).abs() < 1e-6, "{running}");
        // Investment + the program's running costs + closing + wind-down.
        assert!(
            (g.program_cost - (10_000.0 + 6_600.0 + 1_000.0 + 2_500.0)).abs() < 1e-6,
            "{}",
            g.program_cost
        );
        // Net = margin on the increment − rewards − running − closing + partner payments.
        for (i, rec) in r.months.iter().enumerate() {
            let closing = if i + 1 == 10 { 3_500.0 } else { 0.0 };
            let net = rec[Series::IncrementalMargin]
                - rec[Series::RewardCost]
                - rec[Series::RunningCosts]
                - closing
                + rec[Series::PartnerRevenue];
            assert!(
                (rec[Series::NetCashFlow] - net).abs() < 1e-6,
                "month {}",
                i + 1
            );
        }
    }
}

/// Partner points are part of what the design is worth to a member: with them, the same
/// customers' enrolment (the curve at the design's worth) is higher than without them.
#[test]
fn partner_points_add_to_what_the_design_is_worth() {
    let with = coalition("").replace("enrolment_half = 0.0", "enrolment_half = 0.02");
    let without = with.replace(
        "points_per_member_per_month = 40",
        "points_per_member_per_month = 0",
    );
    let members = |text: &str| {
        let s = common::scenario(text);
        let t = simulate_trials(&s, 0..1, None, &|| {}).unwrap();
        t[0].months[0].members_total()
    };
    let (a, b) = (members(&with), members(&without));
    assert!(a > b, "{a} members with partner points, {b} without");
}

/// Without a settlement price the partners take back points at the price they pay for them
/// (a stated assumption: one price both ways); without a wind-down nothing is added at the exit.
#[test]
fn settlement_price_defaults_to_the_partners_price() {
    let text = coalition("").replace("settlement_per_point = 0.006\n", "");
    let s = common::scenario(&text);
    let p = s.program.points.as_ref().unwrap().partner.unwrap();
    assert_eq!(p.settlement_per_point, 0.008);
    assert_eq!(p.running_cost_share, 0.0);
    assert_eq!(p.wind_down_cost, 0.0);
    let totals = simulate_trials(&s, 0..1, None, &|| {}).unwrap();
    let r = evaluate_trial(&s, &totals[0]);
    assert!((r.metrics.program_cost - (10_000.0 + 11_000.0 + 1_000.0)).abs() < 1e-6);
    assert_eq!(r.metrics.partner_cost_share, 0.0);
}
