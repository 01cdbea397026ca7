//! The market and the customers over time: competitor promotions by type, the program's end,
//! type changes, arrivals. Each compares the same customers (same seed) with and without the
//! thing tested, so the difference is the effect alone.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::sim::runner::simulate_trials;

/// True-loyal and false-loyal customers, 50/50, buying 4 times a month on average at €10,
/// with competitor sensitivities 0.05 and 0.8 (the defaults), all members, no lift.
fn two_types(extra: &str) -> String {
    format!(
        r#"
[simulation]
customers = 20000
months = 24
trials = 2
seed = 31

[population.true]
share = 0.5
purchases_per_month = {{ mean = 4.0, cv = 0.5 }}
spend_per_purchase = {{ mean = 10.0 }}
attrition_per_month = 0.0
enrolment = 1.0
redemption_per_month = 0.5

[population.false]
share = 0.5
purchases_per_month = {{ mean = 4.0, cv = 0.5 }}
spend_per_purchase = {{ mean = 10.0 }}
attrition_per_month = 0.0
enrolment = 1.0
redemption_per_month = 0.5
frequency_lift = 0.2
exit_reaction = -0.1

[program]
goal_gradient = 0.0

[program.points]
earn_rate = 1
point_cost = 0.01
redemption_threshold = 100

{extra}

[finance]
currency = "EUR"
gross_margin = 0.5
discount_rate = 0.1

[finance.investment]
platform = 1000
"#
    )
}

const TRUE: usize = 0;
const FALSE: usize = 2;

#[test]
fn a_competitor_promotion_cuts_false_loyal_purchasing_far_more_than_true_loyal() {
    // A promotion of strength 0.5 cuts a customer's purchase rate by 0.5 × sensitivity:
    // false-loyal (0.8) by 40%, true-loyal (0.05) by 2.5%. No defection, so the customers are
    // the same with and without the competitor, and only the promotion months differ. The
    // measured cuts must be 36–44% and 1–4%: so false-loyal purchasing falls at least 9
    // times as much as true-loyal.
    let quiet = common::scenario(&two_types(""));
    let market = "[market.competitor]\npromotions_per_year = 4\nduration_months = { min = 2, max = 2 }\nstrength = { min = 0.5, max = 0.5 }";
    let busy = common::scenario(&two_types(market));
    let without = simulate_trials(&quiet, 0..2, None, &|| {}).unwrap();
    let with = simulate_trials(&busy, 0..2, None, &|| {}).unwrap();
    let (mut base, mut cut) = ([0u64; 4], [0u64; 4]);
    let mut promotion_months = 0;
    for (a, b) in without.iter().zip(&with) {
        for (m, (ma, mb)) in a.months.iter().zip(&b.months).enumerate() {
            if b.timeline.promotion[m] > 0.0 {
                promotion_months += 1;
                for ty in [TRUE, FALSE] {
                    base[ty] += ma.transactions_baseline[ty];
                    cut[ty] += mb.transactions_baseline[ty];
                }
            }
        }
    }
    assert!(
        promotion_months >= 4,
        "the test needs promotion months, got {promotion_months}"
    );
    let fall = |ty: usize| 1.0 - cut[ty] as f64 / base[ty] as f64;
    let (false_fall, true_fall) = (fall(FALSE), fall(TRUE));
    assert!(
        (0.36..=0.44).contains(&false_fall),
        "false-loyal fell {false_fall}"
    );
    assert!(
        (0.01..=0.04).contains(&true_fall),
        "true-loyal fell {true_fall}"
    );
    assert!(false_fall > 9.0 * true_fall);
}

#[test]
fn ending_the_program_drops_false_loyal_purchasing_while_true_loyal_holds() {
    // False-loyal members buy 20% more while the program runs and 10% less than without it
    // once it ends (exit_reaction −0.1); true-loyal members neither gain nor lose. Measured as
    // purchases with the program over purchases without, in months 7–11 and 13–18.
    let s = common::scenario(&two_types("[program.exit]\nmonth = 12"));
    let trials = simulate_trials(&s, 0..2, None, &|| {}).unwrap();
    let ratio = |ty: usize, months: std::ops::Range<usize>| {
        let (mut with, mut without) = (0u64, 0u64);
        for t in &trials {
            for m in &t.months[months.clone()] {
                with += m.transactions_program[ty];
                without += m.transactions_baseline[ty];
            }
        }
        with as f64 / without as f64
    };
    let (false_before, false_after) = (ratio(FALSE, 6..11), ratio(FALSE, 12..18));
    let (true_before, true_after) = (ratio(TRUE, 6..11), ratio(TRUE, 12..18));
    assert!(
        (false_before - 1.2).abs() < 0.02,
        "false-loyal before the end: {false_before}"
    );
    assert!(
        (false_after - 0.9).abs() < 0.02,
        "false-loyal after the end: {false_after}"
    );
    assert!((true_before - 1.0).abs() < 0.005 && (true_after - 1.0).abs() < 0.005);
}

#[test]
fn type_changes_follow_their_monthly_probabilities() {
    // Without the program, false-loyal customers become true-loyal with probability 2% a
    // month; members do so at 5% (the program's pull). After t months the share moved is
    // 1 − (1 − p)^t: at month 12, 21.5% without and 46.0% with the program.
    let s = common::scenario(&two_types(
        "[population.transitions]\nfalse = { true = 0.02 }\n[population.member_transitions]\nfalse = { true = 0.05 }",
    ));
    let trials = simulate_trials(&s, 0..2, None, &|| {}).unwrap();
    for t in &trials {
        let m = &t.months[11];
        let moved = |counts: [u64; 5]| 1.0 - counts[FALSE] as f64 / 10_000.0;
        let (base, prog) = (moved(m.customers_baseline), moved(m.customers_program));
        // Binomial on 10,000 customers: sd ≈ 0.4 percentage points.
        assert!(
            (base - (1.0 - 0.98f64.powi(12))).abs() < 0.02,
            "without the program {base}"
        );
        assert!(
            (prog - (1.0 - 0.95f64.powi(12))).abs() < 0.02,
            "with the program {prog}"
        );
        assert_eq!(m.customers_program.iter().sum::<u64>(), 20_000);
    }
}

#[test]
fn arrivals_are_shared_by_both_worlds_and_referrals_add_to_the_program_world() {
    let s = common::scenario(&two_types("[acquisition]\nper_month = 40"));
    for t in &simulate_trials(&s, 0..2, None, &|| {}).unwrap() {
        let with: u64 = t.months.iter().map(|m| m.new_customers_program).sum();
        let without: u64 = t.months.iter().map(|m| m.new_customers_baseline).sum();
        assert_eq!(with, without);
        // Poisson(40 × 24 = 960): within 5 sd.
        assert!((with as f64 - 960.0).abs() < 5.0 * 960f64.sqrt(), "{with}");
    }
    let s = common::scenario(&two_types("[acquisition]\nper_month = 40").replace(
        "redemption_threshold = 100",
        "redemption_threshold = 100\nreferral = { per_member_per_month = 0.002, points = 50 }",
    ));
    for t in &simulate_trials(&s, 0..2, None, &|| {}).unwrap() {
        let with: u64 = t.months.iter().map(|m| m.new_customers_program).sum();
        let without: u64 = t.months.iter().map(|m| m.new_customers_baseline).sum();
        // Every referral made before the last month brings one customer the month after.
        let referred: u64 = t.months[..23].iter().map(|m| m.referrals).sum();
        assert!(referred > 0);
        assert_eq!(with - without, referred);
    }
}
