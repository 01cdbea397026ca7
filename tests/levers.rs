//! The levers beyond the currencies. Non-material privileges: they attach false-loyal members
//! at the rate their value gives, more valuable privileges attach more; a status-only program
//! (privileges, no money reward) runs and reports its business case like any design; their
//! cost is members × the cost per member + uses × the cost per use, to the cent. Prizes: their
//! cost is prizes won × the prize's cost, wins are member purchases × the chance. And the
//! downside of a discount: its end hurts more than the end of points of the same cost, through
//! the reference price.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::Path;

use loyalty_sim::metrics::finance::{Series, evaluate_trial};
use loyalty_sim::sim::runner::simulate_trials;

/// Customers of one type (`ty`) who never lapse and all join at once, in a program of one
/// privilege worth `value` that reaches every member; `extra` is appended to the privilege.
fn one_privilege(ty: &str, value: f64, extra: &str) -> String {
    format!(
        r#"
[simulation]
customers = 2000
months = 36
trials = 2
seed = 5

[population.{ty}]
share = 1.0
purchases_per_month = {{ mean = 2.0, cv = 0.5 }}
spend_per_purchase = {{ mean = 30.0 }}
attrition_per_month = 0.0
redemption_per_month = 0.5

[population.{ty}.response]
enrolment = 1.0
enrolment_half = 0.0

[program]
joining_per_visit = 1.0

[program.privileges]
[[program.privileges.items]]
name = "priority service"
value = {value}
{extra}

[finance]
currency = "EUR"
gross_margin = 0.4
discount_rate = 0.1

[finance.investment]
platform = 10000
"#
    )
}

/// Each month a false-loyal member valuing the privilege at v (its value × the false type's
/// weight 0.3) becomes truly loyal with chance 0.02 × v / (0.01 + v) (the defaults). Nobody
/// lapses, so the members exposed in a month are those still false-loyal at its end plus those
/// attached in it; the attached share of the exposed must match that chance within four
/// binomial standard errors, for each value, and the share of truly loyal members at month 36
/// must grow with the value.
#[test]
fn privileges_attach_false_loyal_members_at_the_rate_their_value_gives() {
    let mut shares = Vec::new();
    for value in [0.01, 0.03, 0.10] {
        let s = common::scenario(&one_privilege("false", value, ""));
        let totals = simulate_trials(&s, 0..2, None, &|| {}).unwrap();
        let (mut attached, mut exposed, mut truly_loyal_end, mut members_end) = (0u64, 0u64, 0, 0);
        for t in &totals {
            for m in &t.months {
                attached += m.privilege_attached;
                exposed += m.members[2] + m.privilege_attached;
            }
            let last = t.months.last().unwrap();
            truly_loyal_end += last.members[0];
            members_end += last.members_total();
        }
        let v = value * 0.3;
        let chance = 0.02 * v / (0.01 + v);
        let n = exposed as f64;
        let observed = attached as f64 / n;
        let se = (chance * (1.0 - chance) / n).sqrt();
        assert!(
            (observed - chance).abs() < 4.0 * se,
            "value {value}: {observed} attached a month against {chance} ± {se}"
        );
        shares.push(truly_loyal_end as f64 / members_end as f64);
    }
    assert!(
        shares.windows(2).all(|w| w[1] > w[0]),
        "more valuable privileges must leave more members truly loyal at month 36: {shares:?}"
    );
}

/// The month's privilege cost is members × the cost per member + uses × the cost per use,
/// uses average the stated rate per member (Poisson), the reward cost of a design with nothing
/// else is that cost, and the set-up is in the investment.
#[test]
fn privilege_costs_are_members_times_cost_plus_uses_times_cost() {
    let text = one_privilege(
        "latent",
        0.02,
        "cost_per_member_per_month = 0.40\nuses_per_member_per_month = 0.5\ncost_per_use = 3.0\nset_up = 2500",
    );
    let s = common::scenario(&text);
    assert_eq!(s.finance.investment_total(), 12_500.0);
    let totals = simulate_trials(&s, 0..2, None, &|| {}).unwrap();
    let (mut member_months, mut uses) = (0u64, 0u64);
    for t in &totals {
        let mut cost = 0.0;
        for m in &t.months {
            let expected = m.members_total() as f64 * 0.40 + m.privilege_uses as f64 * 3.0;
            assert!(
                (m.privilege_cost - expected).abs() < 1e-9 * expected.max(1.0),
                "{} against {expected}",
                m.privilege_cost
            );
            member_months += m.members_total();
            uses += m.privilege_uses;
            cost += m.privilege_cost;
        }
        let r = evaluate_trial(&s, t);
        assert!((r.metrics.privilege_cost - cost).abs() < 1e-6);
        assert!((r.metrics.reward_cost - cost).abs() < 1e-6);
        assert_eq!(r.metrics.investment, 12_500.0);
    }
    // Poisson uses: mean 0.5 per member-month, standard error √(0.5 / n).
    let n = member_months as f64;
    let rate = uses as f64 / n;
    assert!(
        (rate - 0.5).abs() < 4.0 * (0.5 / n).sqrt(),
        "{rate} uses per member-month"
    );
}

/// The shipped status-only program runs: no discount, points or certificates, yet members
/// join for the privileges, the reward cost is the privileges' alone, the set-ups are in the
/// investment, privileges attach members, and NPV comes out like any design's.
#[test]
fn a_status_only_program_runs_and_reports_its_business_case() {
    let file = common::reduced(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/retail_status.toml"),
        4_000,
        36,
    );
    let out = common::run_trials(&file, 4);
    let m = &out.summary.metrics;
    assert_eq!(m.discount_cost.mean, 0.0);
    assert_eq!(m.points_reward_cost.mean, 0.0);
    assert_eq!(m.certificate_cost.mean, 0.0);
    assert!(m.privilege_cost.mean > 0.0);
    assert!((m.reward_cost.mean - m.privilege_cost.mean).abs() < 1e-6);
    // €160,000 of platform, cards and launch, plus the set-ups: €15,000 and €20,000.
    assert_eq!(m.investment.mean, 195_000.0);
    assert!(m.members_end.mean > 0.0);
    assert!(m.npv.mean.is_finite());
    assert!(m.members_attached_by_privileges.mean > 0.0);
}

/// The retail instant-discount design at 2%, on the shipped retail base (40,000 customers),
/// against points of about the same cost: a €10 voucher for 500 points at 1.3 points a euro,
/// expiring after 12 months as the shipped points do (2.6% back at face value, less after the
/// points that never reach a voucher); each kept for 36 months or ended at month 25
/// (honoured, no grace: what is held expires). Members have learnt
/// the discounted price as their reference: the list price is a loss for them and they buy
/// less for months after the end (Kalyanaram & Winer 1995); points leave the shelf price
/// alone. So ending the discount lowers NPV relative to keeping it, and by more than ending
/// those points does; the months after its end are worse than the months after the end of
/// points (the part of NPV from month 25 on); with the reference-price effect off
/// (`loss = 0`) the end costs less.
///
/// How much an end costs also depends on what the design did while it ran: points worth 2%
/// at face value paid in €2 vouchers every 100 points, of the same cost again, keep every
/// member near a reward, earn far more NPV while they run, and ending them gives that up: it
/// costs more than ending the discount (asserted too, so that the docs' account holds).
#[test]
fn ending_an_instant_discount_costs_more_than_ending_points_of_equal_cost() {
    // The fixed running cost stops when a program ends whatever it gave; without it the
    // comparison is of what the rewards do.
    let text =
        std::fs::read_to_string(common::data("../../scenarios/retail_instant_discount.toml"))
            .unwrap()
            .replace("per_month = 3000", "per_month = 0");
    let design = |program: &str| {
        text.replace(
            "[program.instant_discount]\nrate = 0.05\nmin_basket = 20",
            program,
        )
    };
    let discount = design("[program.instant_discount]\nrate = 0.02");
    let no_reference =
        design("[program.instant_discount]\nrate = 0.02\nreference_price = { loss = 0.0 }");
    let points = design(
        "[program.points]\nearn_rate = 1.3\nredemption_threshold = 500\npoint_cost = 0.02\n\
         expiry = { policy = \"fixed\", months = 12 }",
    );
    let small_vouchers =
        design("[program.points]\nearn_rate = 1.0\nredemption_threshold = 100\npoint_cost = 0.02");
    assert_ne!(discount, text);
    let ended = |t: &str| format!("{t}\n[program.exit]\nmonth = 25\n");
    // Mean NPV, mean reward cost, and the mean part of NPV from month 25 on.
    let run = |t: &str| {
        let s = common::scenario(t);
        assert_eq!(s.simulation.customers, 40_000);
        let totals = simulate_trials(&s, 0..6, None, &|| {}).unwrap();
        let n = totals.len() as f64;
        let mut sums = [0.0; 3];
        for t in &totals {
            let r = evaluate_trial(&s, t);
            sums[0] += r.metrics.npv / n;
            sums[1] += r.metrics.reward_cost / n;
            for (i, m) in r.months.iter().enumerate().skip(24) {
                let years = (i + 1) as f64 / 12.0;
                sums[2] += m[Series::NetCashFlow] / 1.1f64.powf(years) / n;
            }
        }
        sums
    };
    let [discount_kept, discount_cost, _] = run(&discount);
    let [discount_ended, _, discount_after] = run(&ended(&discount));
    let [points_kept, points_cost, _] = run(&points);
    let [points_ended, _, points_after] = run(&ended(&points));
    let [small_kept, small_cost, _] = run(&small_vouchers);
    let [small_ended, _, small_after] = run(&ended(&small_vouchers));
    let [plain_kept, _, _] = run(&no_reference);
    let [plain_ended, _, plain_after] = run(&ended(&no_reference));
    eprintln!(
        "NPV kept / ended at 25 (part of NPV after the end): discount {discount_kept:.0} / \
         {discount_ended:.0} ({discount_after:.0}); €10 per 500 points {points_kept:.0} / \
         {points_ended:.0} ({points_after:.0}); €2 per 100 points {small_kept:.0} / \
         {small_ended:.0} ({small_after:.0}); discount without the reference price \
         {plain_kept:.0} / {plain_ended:.0} ({plain_after:.0}); reward cost kept: discount \
         {discount_cost:.0}, €10 per 500 points {points_cost:.0}, €2 per 100 points \
         {small_cost:.0}"
    );
    // Of about equal cost: the reward costs over 36 months within 25% of each other.
    for (name, cost) in [("€10 per 500", points_cost), ("€2 per 100", small_cost)] {
        assert!(
            (discount_cost / cost - 1.0).abs() < 0.25,
            "discount €{discount_cost:.0} against {name} points €{cost:.0}"
        );
    }
    let discount_loss = discount_kept - discount_ended;
    assert!(
        discount_loss > 0.0,
        "ending the discount must lower NPV: kept {discount_kept:.0}, ended {discount_ended:.0}"
    );
    assert!(
        discount_loss > points_kept - points_ended,
        "ending the discount must lower NPV more than ending points of equal cost: \
         {discount_loss:.0} against {:.0}",
        points_kept - points_ended
    );
    assert!(
        discount_after < points_after && discount_after < small_after,
        "the months after the discount's end must be worse than after the points' end: \
         {discount_after:.0} against {points_after:.0} and {small_after:.0}"
    );
    assert!(
        discount_after < plain_after && discount_loss > plain_kept - plain_ended,
        "the reference price must make the end worse: {discount_after:.0} against \
         {plain_after:.0} without it"
    );
    // Small vouchers did more while they ran, so ending them gives up more.
    assert!(
        small_kept > points_kept.max(discount_kept) && small_kept - small_ended > discount_loss,
        "€2 vouchers: kept {small_kept:.0}, ended {small_ended:.0}"
    );
}

/// A prize draw's cost is the prizes won × the prize's cost, month by month, and is the whole
/// reward cost of a design with nothing else; the prizes won are the member purchases × the
/// chance, within four binomial standard errors.
#[test]
fn prize_cost_is_prizes_won_times_the_cost_and_wins_follow_the_chance() {
    let text = one_privilege("latent", 0.0, "").replace(
        "[program.privileges]\n[[program.privileges.items]]\nname = \"priority service\"\nvalue = 0\n",
        "[program.prizes]\nchance_per_purchase = 0.02\nprize_cost = 15.0\nprize_value = 40.0\n",
    );
    assert!(text.contains("[program.prizes]"), "{text}");
    let s = common::scenario(&text);
    let prizes = s.program.prizes.unwrap();
    // Worth 2% × €40 × 1.5 (the default premium) = €1.20 a purchase: 4% of a €30 basket.
    assert!((prizes.worth(30.0) - 0.04).abs() < 1e-12);
    let totals = simulate_trials(&s, 0..2, None, &|| {}).unwrap();
    let (mut purchases, mut wins) = (0u64, 0u64);
    for t in &totals {
        for m in &t.months {
            assert_eq!(m.prize_cost, m.prizes_won as f64 * 15.0);
            purchases += m.member_transactions;
            wins += m.prizes_won;
        }
        let r = evaluate_trial(&s, t);
        assert!((r.metrics.reward_cost - r.metrics.prize_cost).abs() < 1e-6);
        assert_eq!(r.metrics.prize_cost, r.metrics.prizes_won as f64 * 15.0);
    }
    let n = purchases as f64;
    let rate = wins as f64 / n;
    assert!(
        (rate - 0.02).abs() < 4.0 * (0.02 * 0.98 / n).sqrt(),
        "{rate} wins per purchase over {purchases} purchases"
    );
}
