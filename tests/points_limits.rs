//! A cap on a member's points balance and a sign-up bonus: no member ever holds more than the
//! cap, and the bonus is credited once, in the month a member joins, and draws more customers
//! in through what the design shows them; customers join on that, not on the chance of
//! reaching a reward.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::sim::runner::simulate_trials;

/// Latent customers who never lapse and never redeem (so balances only grow), joining at once
/// when the design is worth enough to them; `points_extra` is added to `[program.points]`.
fn hoarders(points_extra: &str, enrolment_half: f64) -> String {
    format!(
        r#"
[simulation]
customers = 1000
months = 12
trials = 1
seed = 9

[population.latent]
share = 1.0
purchases_per_month = {{ mean = 2.0, cv = 0.5 }}
spend_per_purchase = {{ mean = 30.0 }}
attrition_per_month = 0.0
redemption_per_month = 0.0

[population.latent.response]
enrolment = 1.0
enrolment_half = {enrolment_half}

[program]
joining_per_visit = 1.0

[program.points]
earn_rate = 1.0
redemption_threshold = 1000
point_cost = 0.01
{points_extra}

[finance]
currency = "EUR"
gross_margin = 0.4
discount_rate = 0.1

[finance.investment]
platform = 10000
"#
    )
}

/// With a cap of 300 points, the points outstanding never exceed members × 300, and members
/// who would hold more (about 60 points a month for 12 months) are held at it: the month-12
/// balance is below the uncapped one.
#[test]
fn no_member_holds_more_than_the_cap() {
    let run = |extra: &str| {
        let s = common::scenario(&hoarders(extra, 0.0));
        simulate_trials(&s, 0..1, None, &|| {}).unwrap().remove(0)
    };
    let capped = run("balance_cap = 300");
    for m in &capped.months {
        assert!(m.points_outstanding <= m.members_total() * 300);
    }
    let free = run("");
    let (a, b) = (
        capped.months.last().unwrap().points_outstanding,
        free.months.last().unwrap().points_outstanding,
    );
    assert!(a < b, "{a} held with the cap, {b} without");
}

/// A bonus of 250 points is credited once per member, in the month they join (all at once
/// here: month 1), and counted with the bonus points; and where the design shows too little to
/// draw everyone in, the bonus draws more customers (250 × 1 cent, spread over the 6 months
/// they look ahead).
#[test]
fn signup_bonus_is_credited_once_and_draws_customers_in() {
    let s = common::scenario(&hoarders("signup_bonus = 250", 0.0));
    let t = simulate_trials(&s, 0..1, None, &|| {}).unwrap().remove(0);
    let first = &t.months[0];
    // Everyone who joins joins in month 1 (nobody lapses, so the members stay the same).
    assert!(first.members_total() > 900);
    assert!(
        t.months
            .iter()
            .all(|m| m.members_total() == first.members_total())
    );
    assert_eq!(first.points_earned_bonus, first.members_total() * 250);
    assert!(t.months[1..].iter().all(|m| m.points_earned_bonus == 0));

    let members = |extra: &str| {
        let s = common::scenario(&hoarders(extra, 0.05));
        let t = simulate_trials(&s, 0..1, None, &|| {}).unwrap();
        t[0].months[0].members_total()
    };
    let (with, without) = (members("signup_bonus = 250"), members(""));
    assert!(
        with > without,
        "{with} join with the bonus, {without} without"
    );
}

/// Customers join on what a design shows, not on the chance of reaching its reward: 1,000
/// points for €10 at a point a euro is 1% back, though 17 purchases away for these customers.
/// With `enrolment_half` 5%, the enrolment curve at 1% is 0.01 / (0.05 + 0.01) = 1/6, so
/// about 167 of the 1,000 join in month 1 (all at once), within four binomial standard errors
/// (√(1,000 × 1/6 × 5/6) = 11.8).
#[test]
fn customers_join_on_what_the_design_shows() {
    let s = common::scenario(&hoarders("", 0.05));
    let t = simulate_trials(&s, 0..1, None, &|| {}).unwrap().remove(0);
    let joined = t.months[0].members_total() as f64;
    let expected = 1000.0 / 6.0;
    let se = (1000.0_f64 * (1.0 / 6.0) * (5.0 / 6.0)).sqrt();
    assert!(
        (joined - expected).abs() < 4.0 * se,
        "{joined} joined, {expected:.0} expected"
    );
}

/// A certificate of a fixed €5 instead of a rate: every certificate issued is worth 500 cents,
/// whatever the period's spend (members who spend €30 twice a month reach €50 in a month).
#[test]
fn a_fixed_certificate_is_worth_its_amount() {
    let text = hoarders("", 0.0).replace(
        "[program.points]\nearn_rate = 1.0\nredemption_threshold = 1000\npoint_cost = 0.01\n",
        "[program.cumulative_discount]\nthreshold = 50\namount = 5\nvalidity_months = 2\n",
    );
    assert!(text.contains("amount = 5"), "{text}");
    let s = common::scenario(&text);
    let t = simulate_trials(&s, 0..1, None, &|| {}).unwrap().remove(0);
    let count: u64 = t.months.iter().map(|m| m.certificates_issued_count).sum();
    let cents: u64 = t.months.iter().map(|m| m.certificates_issued).sum();
    assert!(count > 0);
    assert_eq!(cents, count * 500);
}
