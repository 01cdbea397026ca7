//! Every currency with a value computable by hand or by formula. The scenarios make behaviour
//! deterministic where the check needs it: `timing = "regular"` with a whole purchase rate
//! means exactly that many purchases a month, and cv = 0 means every basket is the mean.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::Scenario;
use loyalty_sim::metrics::finance::{TrialResult, evaluate_trial};
use loyalty_sim::sim::runner::{TrialTotals, simulate_trials};

/// A one-type scenario: `customers` members buying exactly `purchases` times a month at
/// exactly `basket` each, nobody lapsing, no behavioural effect, with `program` as the
/// `[program…]` sections.
fn regular(customers: u64, months: u32, purchases: f64, basket: f64, program: &str) -> String {
    format!(
        r#"
[simulation]
customers = {customers}
months = {months}
trials = 2
seed = 5

[population.true]
share = 1.0
purchases_per_month = {{ mean = {purchases}, cv = 0.0, timing = "regular" }}
spend_per_purchase = {{ mean = {basket}, cv_within = 0.0, cv_between = 0.0 }}
attrition_per_month = 0.0
enrolment = 1.0
redemption_per_month = 1.0

[program]
goal_gradient = 0.0
{program}

[finance]
currency = "EUR"
gross_margin = 0.5
discount_rate = 0.1

[finance.investment]
platform = 1000
"#
    )
}

fn run(s: &Scenario) -> Vec<(TrialTotals, TrialResult)> {
    let trials = simulate_trials(s, 0..s.simulation.trials, None, &|| {}).unwrap();
    trials
        .into_iter()
        .map(|t| {
            let r = evaluate_trial(s, &t);
            (t, r)
        })
        .collect()
}

#[test]
fn a_flat_instant_discount_costs_its_rate_times_member_spend() {
    // Random purchases and baskets this time: the identity holds whatever was bought.
    let text = common::plain_scenario(2_000, 12, 3, "")
        .replace(
            "[program.points]",
            "[program.instant_discount]\nrate = 0.05\n\n[program.points]",
        )
        .replace(
            "cv_within = 0.0, cv_between = 0.0",
            "cv_within = 0.5, cv_between = 0.5",
        );
    let s = common::scenario(&text);
    for (t, r) in run(&s) {
        let member_spend: f64 = t.months.iter().map(|m| m.member_revenue).sum();
        let cost = r.metrics.discount_cost;
        assert!(member_spend > 0.0);
        assert!(
            (cost - 0.05 * member_spend).abs() <= 1e-9 * cost,
            "{cost} vs {}",
            0.05 * member_spend
        );
        // A discount on purchases that would have happened anyway: no incremental revenue.
        assert_eq!(r.metrics.incremental_revenue, 0.0);
    }
}

#[test]
fn a_banded_discount_takes_the_band_of_each_basket() {
    // Baskets of exactly €40: above the €10 minimum and in the €30 band, so 4% of every
    // basket: 100 members × 2 baskets × 12 months × €40 × 0.04 = €3,840.
    let program = "[program.instant_discount]\nrate = 0.02\nmin_basket = 10\nbands = [{ from = 30, rate = 0.04 }]";
    let s = common::scenario(&regular(100, 12, 2.0, 40.0, program));
    for (_, r) in run(&s) {
        assert!(
            (r.metrics.discount_cost - 3_840.0).abs() < 1e-6,
            "{}",
            r.metrics.discount_cost
        );
    }
    // Baskets of €8 are below the minimum: nothing.
    let s = common::scenario(&regular(100, 12, 2.0, 8.0, program));
    for (_, r) in run(&s) {
        assert_eq!(r.metrics.discount_cost, 0.0);
    }
}

#[test]
fn quarterly_certificates_are_issued_exactly_as_the_rule_says() {
    // Each member spends exactly 4 × €25 = €100 a month, €300 a quarter: above the €250
    // threshold, so one certificate of 5% × 300 = €15 (1,500 cents) per member per quarter.
    // 50 members × 4 quarters = 200 certificates worth 300,000 cents. Each is used the month
    // after it is issued (certain redemption, a purchase every month), so at the horizon only
    // the last quarter's are outstanding, and the run-off redeems those: breakage 0.
    let program = "[program.cumulative_discount]\nperiod_months = 3\nthreshold = 250\nrate = 0.05\nvalidity_months = 2";
    let s = common::scenario(&regular(50, 12, 4.0, 25.0, program));
    for (t, r) in run(&s) {
        let m = &r.metrics;
        let count: u64 = t.months.iter().map(|m| m.certificates_issued_count).sum();
        assert_eq!(count, 200);
        assert_eq!(m.certificates_issued_cents, 300_000);
        assert_eq!(m.certificates_redeemed_cents, 225_000);
        assert_eq!(m.certificates_outstanding_end_cents, 75_000);
        assert_eq!(
            m.certificates_expired_cents + m.certificates_forfeited_cents,
            0
        );
        assert_eq!(t.runoff.certificates_redeemed, 75_000);
        assert_eq!(m.certificate_breakage_rate, 0.0);
        assert!((m.certificate_cost - 2_250.0).abs() < 1e-9);
    }
    // A €350 threshold is never reached: no certificate at all.
    let s = common::scenario(&regular(
        50,
        12,
        4.0,
        25.0,
        &program.replace("threshold = 250", "threshold = 350"),
    ));
    for (_, r) in run(&s) {
        assert_eq!(r.metrics.certificates_issued_cents, 0);
    }
    // Qualifying on purchases: 12 a quarter reach a threshold of 12.
    let by_count = program.replace("threshold = 250", "qualify = \"purchases\"\nthreshold = 12");
    let s = common::scenario(&regular(50, 12, 4.0, 25.0, &by_count));
    for (_, r) in run(&s) {
        assert_eq!(r.metrics.certificates_issued_cents, 300_000);
    }
}

#[test]
fn tier_discounts_start_after_the_review_that_qualifies() {
    // €100 a month; silver needs €300 over a 3-month window, reviewed every 3 months. The
    // review at the end of month 3 sees €300: silver (2% off) from month 4, so the discount is
    // 9 months × €100 × 2% = €18 per member, €1,800 for 100 members.
    let program = "[program.tiers]\nwindow_months = 3\nreview_every_months = 3\nlevels = [{ name = \"silver\", threshold = 300, discount = 0.02 }, { name = \"gold\", threshold = 301, discount = 0.10 }]";
    let s = common::scenario(&regular(100, 12, 4.0, 25.0, program));
    for (_, r) in run(&s) {
        assert!(
            (r.metrics.discount_cost - 1_800.0).abs() < 1e-6,
            "{}",
            r.metrics.discount_cost
        );
    }
}

/// Points: 3 purchases of €10 a month at 10 points per euro is 300 points a month.
fn catalogue(choice: &str, extra: &str) -> String {
    let program = format!(
        "reward_cap_per_member_per_month = 1000000\n{extra}\n[program.points]\nearn_rate = 10\nchoice = \"{choice}\"\n\
         rewards = [{{ name = \"small\", points = 100, cost = 0.5, value = 1 }}, {{ name = \"big\", points = 250, cost = 1.5, value = 3 }}]"
    );
    regular(10, 12, 3.0, 10.0, &program)
}

#[test]
fn the_cheapest_rule_takes_three_small_rewards_a_month() {
    let s = common::scenario(&catalogue("cheapest", ""));
    for (_, r) in run(&s) {
        // 3 × 100 points every month, for 10 members over 12 months.
        assert_eq!(r.metrics.points_redeemed, 3_600 * 10);
        assert!((r.metrics.points_reward_cost - 360.0 * 0.5).abs() < 1e-9);
    }
}

#[test]
fn the_most_valuable_rule_alternates_as_the_balance_allows() {
    // Month 1: 300 → big (250), 50 left. Month 2: 350 → big, 100 left → small, 0 left. So
    // every two months 2 big and 1 small: over 12 months 12 big and 6 small per member,
    // costing 12 × 1.5 + 6 × 0.5 = 21 and worth 12 × 3 + 6 × 1 = 42.
    let s = common::scenario(&catalogue("most_valuable", ""));
    for (t, r) in run(&s) {
        assert_eq!(r.metrics.points_redeemed, 3_600 * 10);
        assert!((r.metrics.points_reward_cost - 210.0).abs() < 1e-9);
        let value: f64 = t.months.iter().map(|m| m.reward_value).sum();
        assert!((value - 420.0).abs() < 1e-9);
    }
}

#[test]
fn the_reward_cap_limits_what_a_member_receives_in_a_month() {
    // A cap of €2 a month lets only 2 small rewards (€1 each) through: 200 of the 300 points,
    // so 100 points a month pile up: 1,200 per member at the horizon.
    let s = common::scenario(&catalogue("cheapest", "").replace(
        "reward_cap_per_member_per_month = 1000000",
        "reward_cap_per_member_per_month = 2",
    ));
    for (t, r) in run(&s) {
        assert_eq!(r.metrics.points_redeemed, 2_400 * 10);
        assert_eq!(r.metrics.points_outstanding_end, 1_200 * 10);
        let value: f64 = t.months.iter().map(|m| m.reward_value).sum();
        assert!(value <= 2.0 * 10.0 * 12.0 + 1e-9);
    }
}

#[test]
fn partners_pay_for_their_points_and_suppliers_fund_their_share() {
    let s = common::scenario(&catalogue(
        "cheapest",
        "",
    ).replace(
        "choice = \"cheapest\"",
        "choice = \"cheapest\"\nsupplier_funded_share = 0.25\npartner = { points_per_member_per_month = 20, price_per_point = 0.004 }",
    ));
    for (t, r) in run(&s) {
        let partner_points: u64 = t.months.iter().map(|m| m.points_earned_partner).sum();
        // Poisson(20) a member-month for 120 member-months: mean 2,400, sd √2,400 ≈ 49.
        assert!((partner_points as f64 - 2_400.0).abs() < 5.0 * 2_400f64.sqrt());
        assert!((r.metrics.partner_revenue - 0.004 * partner_points as f64).abs() < 1e-9);
        let catalogue_cost: f64 = t.months.iter().map(|m| m.reward_cost).sum();
        assert!((r.metrics.supplier_funding - 0.25 * catalogue_cost).abs() < 1e-9);
    }
}

#[test]
fn points_and_tiers_combine_a_multiplier_with_the_base_rate() {
    // Hybrid: €100 a month at 1 point per euro, doubled from month 4 by a tier reached at the
    // month-3 review: 3 × 100 + 9 × 200 = 2,100 points per member.
    let program = "[program.points]\nearn_rate = 1\npoint_cost = 0.01\nredemption_threshold = 1000000\n\
                   [program.tiers]\nwindow_months = 3\nreview_every_months = 3\nlevels = [{ name = \"double\", threshold = 300, points_multiplier = 2.0 }]";
    let s = common::scenario(&regular(10, 12, 4.0, 25.0, program));
    for (_, r) in run(&s) {
        assert_eq!(r.metrics.points_earned, 21_000);
    }
}

/// The certificates liability at the horizon is the certificate value the run-off sees used
/// of what was held: the fate of those very certificates, not the breakage of all issued.
#[test]
fn certificates_liability_is_the_value_the_runoff_sees_used() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/retail_cumulative_discount.toml");
    let mut file = loyalty_sim::scenario::load(&path).unwrap();
    file.scenario.simulation.customers = 3_000;
    file.scenario.simulation.months = 18;
    file.scenario.simulation.trials = 3;
    for (t, r) in run(&file.scenario) {
        let used = t.runoff.certificates_redeemed as f64 / 100.0;
        assert!(used > 0.0);
        assert!(
            (r.metrics.liability_end - used).abs() < 1e-6,
            "{} against {used}",
            r.metrics.liability_end
        );
    }
}
