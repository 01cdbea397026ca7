//! Members respond to what a design is worth to them: more generous designs move them more,
//! with diminishing returns; a design worth nothing moves nobody; light buyers have more
//! headroom than heavy ones; points at stake hold members against a competitor's promotion.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::metrics::finance::evaluate_trial;
use loyalty_sim::sim::runner::simulate_trials;
use loyalty_sim::{RunOptions, ScenarioFile, run};

fn means(file: &ScenarioFile, path: &str, values: &[f64], trials: u64) -> Vec<(f64, f64)> {
    let options = RunOptions {
        trials: Some(trials),
        ..RunOptions::default()
    };
    values
        .iter()
        .map(|&v| {
            let variant = file.variant(&[(path, v)]).unwrap();
            let out = run(&variant, &options, &|| {}).unwrap();
            let m = &out.summary.metrics;
            (m.incremental_revenue.mean, m.npv.mean)
        })
        .collect()
}

/// Members' revenue rises with the rate and each step adds less per point of discount than
/// the one before (concave); NPV, which pays the discount on every member purchase, peaks
/// inside the range: at 2% on the shipped retail population (a figure a reader can recompute
/// with `loyalty-sim sweep`). Bystanders, who see members pay less, are left out here (their
/// reaction stated as 0); with their default reaction, which grows with the rate while the
/// members' response saturates, a 16% discount brings in less revenue than a 2% one.
#[test]
fn a_larger_instant_discount_moves_more_with_diminishing_returns_and_npv_peaks_inside() {
    let shipped = common::reduced(
        &common::data("../../scenarios/retail_instant_discount.toml"),
        4_000,
        24,
    );
    let file = shipped
        .variant(&[
            ("program.bystanders.rate_cut", 0.0),
            ("program.bystanders.attrition_rise", 0.0),
        ])
        .unwrap();
    let rates = [0.005, 0.01, 0.02, 0.04, 0.08, 0.16];
    let with_bystanders = means(&shipped, "program.instant_discount.rate", &[0.02, 0.16], 8);
    assert!(
        with_bystanders[1].0 < with_bystanders[0].0,
        "bystanders: {with_bystanders:?}"
    );
    let results = means(&file, "program.instant_discount.rate", &rates, 8);
    let revenue: Vec<f64> = results.iter().map(|r| r.0).collect();
    let npv: Vec<f64> = results.iter().map(|r| r.1).collect();
    for w in revenue.windows(2) {
        assert!(w[1] > w[0], "incremental revenue must rise: {revenue:?}");
    }
    let slopes: Vec<f64> = (1..rates.len())
        .map(|i| (revenue[i] - revenue[i - 1]) / (rates[i] - rates[i - 1]))
        .collect();
    for w in slopes.windows(2) {
        assert!(
            w[1] < w[0],
            "each point of discount must add less: {slopes:?}"
        );
    }
    let best = npv
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0;
    assert!(
        best > 0 && best < rates.len() - 1,
        "NPV must peak inside the range: {npv:?}"
    );
}

/// The same for the earn rate of points: more points per euro, more revenue, less per step.
#[test]
fn a_higher_earn_rate_moves_more_with_diminishing_returns() {
    let file = common::reduced(
        &common::data("../../scenarios/retail_points.toml"),
        4_000,
        24,
    );
    let rates = [0.5, 2.0, 4.0, 8.0];
    let results = means(&file, "program.points.earn_rate", &rates, 8);
    let revenue: Vec<f64> = results.iter().map(|r| r.0).collect();
    for w in revenue.windows(2) {
        assert!(w[1] > w[0], "incremental revenue must rise: {revenue:?}");
    }
    let slopes: Vec<f64> = (1..rates.len())
        .map(|i| (revenue[i] - revenue[i - 1]) / (rates[i] - rates[i - 1]))
        .collect();
    assert!(slopes[2] < slopes[0], "{slopes:?}");
}

/// The price of the free drink on the coffee card: a drink for 10 points gives 45% back and
/// loses money on every cup; one for 2,000 points (€2,000 of coffee) is beyond what anyone
/// reaches and moves members less than a tenth of what one for 60 does; NPV is best between.
#[test]
fn a_reward_nobody_reaches_moves_almost_nobody_and_the_best_price_is_between() {
    let file = common::reduced(
        &common::data("../../scenarios/coffee_points.toml"),
        3_000,
        24,
    );
    let results = means(
        &file,
        "program.points.rewards[0].points",
        &[10.0, 60.0, 2000.0],
        6,
    );
    let (revenue, npv): (Vec<f64>, Vec<f64>) = results.into_iter().unzip();
    assert!(revenue[1] > 0.0);
    assert!(
        revenue[2] < 0.1 * revenue[1],
        "reachable {} vs out of reach {}",
        revenue[1],
        revenue[2]
    );
    assert!(npv[1] > npv[0] && npv[1] > npv[2], "{npv:?}");
}

fn two_buyers(program: &str, extra_population: &str) -> String {
    // Two types with the same response curves, one buying eight times as often as the other;
    // everybody joins at once and nobody lapses.
    let response = "[population.{ty}.response]\nenrolment = 1.0\nfrequency = 0.2\nbasket = 0.0\nretention = 0.0\nhalf = 0.02\nshape = 1.0\nenrolment_half = 0.0\n";
    format!(
        r#"
[simulation]
customers = 20000
months = 12
trials = 4
seed = 5

[population]
{extra_population}

[population.true]
share = 0.5
purchases_per_month = {{ mean = 4.0, cv = 0.0 }}
spend_per_purchase = {{ mean = 20.0, cv_within = 0.0, cv_between = 0.0 }}
attrition_per_month = 0.0
redemption_per_month = 1.0
{heavy}
[population.latent]
share = 0.5
purchases_per_month = {{ mean = 0.5, cv = 0.0 }}
spend_per_purchase = {{ mean = 20.0, cv_within = 0.0, cv_between = 0.0 }}
attrition_per_month = 0.0
redemption_per_month = 1.0
{light}
[program]
goal_gradient = 0.0
joining_per_visit = 1.0
{program}

[finance]
currency = "EUR"
gross_margin = 0.5
discount_rate = 0.1

[finance.investment]
platform = 1000
"#,
        heavy = response.replace("{ty}", "true"),
        light = response.replace("{ty}", "latent"),
    )
}

/// Liu (2007): light buyers raise their purchases by a larger share than heavy ones. With the
/// same curves and the same 5% discount (worth 0.05 / (0.02 + 0.05) = 5/7 of the 20% maximum,
/// +14.3% at the population's mean rate of 2.25), the headroom of 1 gives the light buyers
/// (0.5 a month) (1 + 1) / (1 + 0.5/2.25) × 14.3% = +23.4% and the heavy ones (4 a month)
/// 2 / (1 + 4/2.25) × 14.3% = +10.3%.
#[test]
fn light_buyers_rise_by_a_larger_share_than_heavy_ones() {
    let s = common::scenario(&two_buyers(
        "[program.instant_discount]\nrate = 0.05",
        "headroom = 1.0",
    ));
    let totals = simulate_trials(&s, 0..4, None, &|| {}).unwrap();
    let (mut heavy, mut light) = ([0u64; 2], [0u64; 2]);
    for t in &totals {
        for m in &t.months {
            heavy[0] += m.transactions_baseline[0];
            heavy[1] += m.transactions_program[0];
            light[0] += m.transactions_baseline[1];
            light[1] += m.transactions_program[1];
        }
    }
    let rise = |x: [u64; 2]| x[1] as f64 / x[0] as f64 - 1.0;
    let (h, l) = (rise(heavy), rise(light));
    let lift = 0.2 * 0.05 / 0.07;
    let (h_expected, l_expected) = (
        lift * 2.0 / (1.0 + 4.0 / 2.25),
        lift * 2.0 / (1.0 + 0.5 / 2.25),
    );
    // Poisson counts: 480,000 heavy and 60,000 light purchases in the baseline; the program
    // world buys the baseline's purchases plus a Poisson count at the difference of the rates
    // (about 49,000 and 14,000), so the rise's error is about √49,000 / 480,000 = 0.05% and
    // √14,000 / 60,000 = 0.2%.
    println!(
        "heavy +{:.2}% (formula {:.2}%), light +{:.2}% (formula {:.2}%)",
        100.0 * h,
        100.0 * h_expected,
        100.0 * l,
        100.0 * l_expected
    );
    assert!((h - h_expected).abs() < 0.01, "heavy {h} vs {h_expected}");
    assert!((l - l_expected).abs() < 0.02, "light {l} vs {l_expected}");
    assert!(l > 2.0 * h);
}

/// A design worth nothing moves nobody: with common random numbers, the world with the program
/// is the world without it, to the cent, in every trial.
#[test]
fn a_design_worth_nothing_moves_nobody() {
    for program in [
        "[program.instant_discount]\nrate = 0.0",
        "[program.points]\nearn_rate = 1.0\nredemption_threshold = 100\npoint_cost = 0.0\npoint_value = 0.0",
    ] {
        let s = common::scenario(&two_buyers(program, ""));
        let totals = simulate_trials(&s, 0..4, None, &|| {}).unwrap();
        for t in &totals {
            let r = evaluate_trial(&s, t);
            assert_eq!(r.metrics.incremental_revenue, 0.0, "{program}");
            assert_eq!(r.metrics.members_end, 0, "{program}");
        }
    }
}

/// Under a competitor's promotion members with points at stake defect less than the same
/// customers without the program, and more so with larger balances: the same points design
/// where nobody redeems (balances grow month by month) loses fewer members than customers are
/// lost without it, and fewer still when each point is worth more.
#[test]
fn points_at_stake_hold_members_against_a_promotion() {
    let scenario = |point_value: f64| {
        let text = format!(
            r#"
[simulation]
customers = 20000
months = 24
trials = 4
seed = 3

[population.false]
share = 1.0
purchases_per_month = {{ mean = 2.0, cv = 0.0 }}
spend_per_purchase = {{ mean = 20.0, cv_within = 0.0, cv_between = 0.0 }}
attrition_per_month = 0.0
competitor_sensitivity = 1.0
redemption_per_month = 0.0
[population.false.response]
enrolment = 1.0
enrolment_half = 0.0
frequency = 0.0
basket = 0.0
retention = 0.0
insulation = 0.5
half = 0.02
stake_half = 1.0

[market.competitor]
promotions_per_year = 12
duration_months = {{ min = 1, max = 1 }}
strength = {{ min = 1.0, max = 1.0 }}
defection = 0.05

[program]
goal_gradient = 0.0
joining_per_visit = 1.0

[program.points]
earn_rate = 1.0
redemption_threshold = 40
point_cost = {point_value}
point_value = {point_value}

[finance]
currency = "EUR"
gross_margin = 0.5
discount_rate = 0.1

[finance.investment]
platform = 1000
"#
        );
        let s = common::scenario(&text);
        let totals = simulate_trials(&s, 0..4, None, &|| {}).unwrap();
        let (mut base, mut prog) = (0u64, 0u64);
        for t in &totals {
            let last = t.months.last().unwrap();
            base += last.customers_baseline.iter().sum::<u64>();
            prog += last.customers_program.iter().sum::<u64>();
        }
        let lost = |left: u64| 1.0 - left as f64 / 80_000.0;
        (lost(base), lost(prog))
    };
    let (base, small) = scenario(0.001);
    let (base_again, large) = scenario(0.01);
    println!(
        "lost over 24 months: without the program {base:.4}, members at €0.001 a point {small:.4}, at €0.01 {large:.4}"
    );
    assert_eq!(
        base, base_again,
        "the world without the program is the same"
    );
    assert!(
        small < base,
        "members with a balance {small} vs without {base}"
    );
    assert!(large < small, "larger balances {large} vs smaller {small}");
}
