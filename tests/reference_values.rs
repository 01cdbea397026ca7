//! Values a person can check by hand or by formula, on scenarios simple enough to allow it.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::metrics::finance::evaluate_trial;
use loyalty_sim::sim::runner::simulate_trials;

/// No heterogeneity, no attrition, no program effect: every customer buys Poisson(2) times a
/// month at exactly €5, earns 2 points per euro (10 per purchase) and, with a threshold of 10
/// points and certain redemption, redeems every point in the month it is earned.
///
/// So, per trial: incremental revenue = 0 exactly; points redeemed = points earned = 10 × the
/// number of purchases; reward cost = €0.01 × 10 × purchases. The number of purchases is
/// Poisson(N × 2 × T), so the reward cost has mean 0.1 × N × 2 × T = €4,800 for N = 2,000 and
/// T = 12 months, and standard deviation √(0.01 × 48,000) = €21.91.
#[test]
fn reward_cost_matches_the_formula_and_incremental_revenue_is_exactly_zero() {
    let (customers, months, trials) = (2_000u64, 12u32, 20u64);
    let s = common::scenario(&common::plain_scenario(customers, months, trials, ""));
    let totals = simulate_trials(&s, 0..trials, None, &|| {}).unwrap();
    let mut costs = Vec::new();
    for t in &totals {
        let r = evaluate_trial(&s, t);
        let m = &r.metrics;
        assert_eq!(m.incremental_revenue, 0.0);
        for month in &t.months {
            assert_eq!(month.revenue_program, month.revenue_baseline);
            assert_eq!(month.points_earned, 10 * month.transactions_program_total());
            assert!(!month.points_overflow);
            assert_eq!(month.points_redeemed, month.points_earned);
        }
        assert_eq!(m.points_outstanding_end, 0);
        assert_eq!(m.liability_end, 0.0);
        assert_eq!(m.members_end, customers);
        // Reward cost is exactly 1 cent per redeemed point.
        assert!((m.reward_cost - 0.01 * m.points_redeemed as f64).abs() < 1e-6);
        // ROI and the break-even revenue follow their definitions.
        assert!(
            (m.roi - m.cumulative_cash_flow_end / (m.program_cost + m.reward_cost)).abs() < 1e-12
        );
        let be = (m.program_cost + m.reward_cost) / (0.5 * f64::from(months));
        assert!((m.break_even_incremental_revenue - be).abs() < 1e-9);
        // No incremental margin: the program never pays back.
        assert_eq!(m.payback_month, None);
        costs.push(m.reward_cost);
    }
    let n = costs.len() as f64;
    let mean = costs.iter().sum::<f64>() / n;
    let sd = (costs.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let expected = 0.1 * (customers * 2 * u64::from(months)) as f64;
    let sigma = (0.01 * (customers * 2 * u64::from(months)) as f64).sqrt();
    // Within 4 standard errors of the mean.
    assert!(
        (mean - expected).abs() < 4.0 * sigma / n.sqrt(),
        "mean reward cost {mean} vs {expected}"
    );
    // The spread across trials is the Poisson one: with 19 degrees of freedom, s/σ lies in
    // [0.53, 1.56] with probability 99.9%.
    assert!(sd / sigma > 0.53 && sd / sigma < 1.56, "sd {sd} vs {sigma}");
}

/// With purchase and spend heterogeneity and attrition but no behavioural effect of the
/// program, the two worlds share every random number that shapes revenue, so incremental
/// revenue is zero exactly, not just on average.
#[test]
fn no_program_effect_means_zero_incremental_revenue_even_with_heterogeneity() {
    let text = common::plain_scenario(3_000, 18, 4, "expiry = { policy = \"fixed\", months = 3 }")
        .replace("{ mean = 2.0, cv = 0.0 }", "{ mean = 2.0, cv = 0.9 }")
        .replace(
            "cv_within = 0.0, cv_between = 0.0",
            "cv_within = 0.5, cv_between = 0.6",
        )
        .replace("attrition_per_month = 0.0", "attrition_per_month = 0.05")
        .replace("enrolment = 1.0", "enrolment = 0.6")
        .replace("redemption_per_month = 1.0", "redemption_per_month = 0.3")
        // Points that expire unredeemed disappoint by default: no reaction here.
        + "\n[program.disappointment]\nrate_cut = 0\nattrition_rise = 0\n";
    let s = common::scenario(&text);
    let totals = simulate_trials(&s, 0..4, None, &|| {}).unwrap();
    for t in &totals {
        for m in &t.months {
            assert_eq!(m.revenue_program, m.revenue_baseline);
            assert_eq!(m.transactions_program, m.transactions_baseline);
            assert_eq!(m.customers_program, m.customers_baseline);
        }
        let r = evaluate_trial(&s, t);
        assert_eq!(r.metrics.incremental_revenue, 0.0);
        assert!(r.metrics.reward_cost > 0.0);
    }
}

/// A frequency lift of 10% for every member, nothing else: purchases rise by 10% in
/// expectation (Poisson means add up), so incremental revenue is 10% of baseline revenue
/// within Monte Carlo error, and never negative month by month since the worlds are coupled.
#[test]
fn a_frequency_lift_raises_purchases_by_its_size() {
    let text = common::plain_scenario(5_000, 12, 4, "")
        .replace("enrolment = 1.0", "enrolment = 1.0\nfrequency_lift = 0.1");
    let s = common::scenario(&text);
    let totals = simulate_trials(&s, 0..4, None, &|| {}).unwrap();
    let (mut with, mut without) = (0u64, 0u64);
    for t in &totals {
        for m in &t.months {
            assert!(m.transactions_program_total() >= m.transactions_baseline_total());
            with += m.transactions_program_total();
            without += m.transactions_baseline_total();
        }
    }
    // Baseline purchases: Poisson(5,000 × 2 × 12 × 4 = 480,000). The extra ones, coupled by
    // inversion, number about 48,000 with a standard deviation of at most √48,000 ≈ 219.
    let extra = (with - without) as f64;
    assert!(
        (extra / without as f64 - 0.1).abs() < 0.004,
        "lift {}",
        extra / without as f64
    );
}

/// A reward nobody can afford: no point is ever redeemed, during the horizon or after it, so
/// breakage is exactly 1 and both liabilities are zero. And with a threshold equal to the
/// points of one purchase and certain redemption, every point is redeemed in the month it is
/// earned: breakage exactly 0.
#[test]
fn breakage_is_one_for_an_unreachable_reward_and_zero_for_instant_redemption() {
    let unreachable =
        common::plain_scenario(500, 12, 2, "expiry = { policy = \"fixed\", months = 6 }").replace(
            "redemption_threshold = 10",
            "redemption_threshold = 1000000",
        );
    let s = common::scenario(&unreachable);
    for t in &simulate_trials(&s, 0..2, None, &|| {}).unwrap() {
        let m = evaluate_trial(&s, t).metrics;
        assert!(m.points_earned > 0);
        assert_eq!(m.points_redeemed, 0);
        assert_eq!(m.points_redeemed_after_horizon, 0);
        assert_eq!(m.breakage_rate, 1.0);
        assert_eq!(m.liability_end, 0.0);
        assert_eq!(m.ifrs15_contract_liability_end, 0.0);
    }
    let instant = common::scenario(&common::plain_scenario(500, 12, 2, ""));
    for t in &simulate_trials(&instant, 0..2, None, &|| {}).unwrap() {
        assert_eq!(evaluate_trial(&instant, t).metrics.breakage_rate, 0.0);
    }
}
