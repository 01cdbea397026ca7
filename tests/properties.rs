//! Properties of randomly generated *valid* scenarios (small sizes): a run never panics or
//! fails, no output holds NaN or infinity, every ledger balances in every month, liabilities
//! and member counts stay within bounds, and incremental revenue is program minus baseline
//! exactly.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::metrics::finance::{TrialMetrics, evaluate_trial};
use loyalty_sim::model::population::LoyaltyType;
use loyalty_sim::sim::runner::simulate_trials;
use proptest::prelude::*;

/// One loyalty type's behaviour.
#[derive(Debug, Clone)]
struct Type {
    weight: u32,
    purchases: f64,
    cv: f64,
    spend: f64,
    cv_within: f64,
    cv_between: f64,
    attrition: f64,
    enrolment: f64,
    frequency_lift: f64,
    basket_lift: f64,
    attrition_reduction: f64,
    redemption: f64,
    competitor_sensitivity: f64,
}

fn a_type() -> impl Strategy<Value = Type> {
    (
        (
            0u32..10,
            0.0..8.0,
            prop_oneof![Just(0.0), 0.01..3.0],
            0.5..120.0,
        ),
        (
            // A coefficient of variation is 0 or at least the checker's minimum, 0.001.
            prop_oneof![Just(0.0), 0.001..1.0],
            prop_oneof![Just(0.0), 0.001..1.5],
            0.0..0.2,
            0.0..=1.0,
        ),
        (-0.5..1.0, -0.5..0.5, 0.0..=1.0, 0.0..=1.0, 0.0..=1.0),
    )
        .prop_map(
            |(
                (weight, purchases, cv, spend),
                (cv_within, cv_between, attrition, enrolment),
                (frequency_lift, basket_lift, attrition_reduction, redemption, competitor),
            )| Type {
                weight,
                purchases,
                cv,
                spend,
                cv_within,
                cv_between,
                attrition,
                enrolment,
                frequency_lift,
                basket_lift,
                attrition_reduction,
                redemption,
                competitor_sensitivity: competitor,
            },
        )
}

/// The program: which currencies, and their settings.
#[derive(Debug, Clone)]
struct Program {
    points: Option<(f64, f64, u32, u32)>, // earn rate, point cost, threshold, expiry kind
    instant: Option<f64>,
    cumulative: Option<(u32, f64, f64)>, // period, threshold, rate
    tiers: Option<(f64, f64)>,           // silver threshold, discount
    exit: Option<u32>,                   // month (validated against the horizon below)
    market: bool,
}

fn a_program() -> impl Strategy<Value = Program> {
    (
        proptest::option::of((0.1..5.0, 0.001..0.1, 1u32..500, 0u32..3)),
        proptest::option::of(0.01..0.3),
        proptest::option::of((1u32..6, 10.0..500.0, 0.01..0.1)),
        proptest::option::of((50.0..1000.0, 0.005..0.05)),
        proptest::option::of(2u32..30),
        any::<bool>(),
    )
        .prop_map(
            |(points, instant, cumulative, tiers, exit, market)| Program {
                points,
                instant,
                cumulative,
                tiers,
                exit,
                market,
            },
        )
}

fn scenario_text(
    customers: u32,
    months: u32,
    seed: u64,
    types: &[Type; 4],
    program: &Program,
) -> String {
    let total: u32 = types.iter().map(|t| t.weight).sum::<u32>().max(1);
    let mut text = format!(
        "[simulation]\ncustomers = {customers}\nmonths = {months}\ntrials = 3\nseed = {seed}\n"
    );
    for (i, (t, ty)) in types.iter().zip(LoyaltyType::ALL).enumerate() {
        // The first type takes the rest, so the shares sum to one (and all-zero weights
        // give everything to it).
        let share = if i == 0 {
            1.0 - types[1..]
                .iter()
                .map(|t| f64::from(t.weight) / f64::from(total))
                .sum::<f64>()
        } else {
            f64::from(t.weight) / f64::from(total)
        };
        text += &format!(
            "[population.{}]\nshare = {share:?}\npurchases_per_month = {{ mean = {:?}, cv = {:?} }}\n\
             spend_per_purchase = {{ mean = {:?}, cv_within = {:?}, cv_between = {:?} }}\n\
             attrition_per_month = {:?}\nenrolment = {:?}\nfrequency_lift = {:?}\nbasket_lift = {:?}\n\
             attrition_reduction = {:?}\nredemption_per_month = {:?}\ncompetitor_sensitivity = {:?}\n",
            ty.key(),
            t.purchases,
            t.cv,
            t.spend,
            t.cv_within,
            t.cv_between,
            t.attrition,
            t.enrolment,
            t.frequency_lift,
            t.basket_lift,
            t.attrition_reduction,
            t.redemption,
            t.competitor_sensitivity,
        );
    }
    text += "[program]\ngoal_gradient = 0.2\n";
    let any_currency = program.points.is_some()
        || program.instant.is_some()
        || program.cumulative.is_some()
        || program.tiers.is_some();
    // A program needs a currency: points when none was drawn.
    let points = match (program.points, any_currency) {
        (Some(p), _) => Some(p),
        (None, false) => Some((1.0, 0.01, 100, 0)),
        (None, true) => None,
    };
    if let Some((earn, cost, threshold, expiry)) = points {
        let expiry = match expiry {
            0 => "{ policy = \"none\" }",
            1 => "{ policy = \"fixed\", months = 6 }",
            _ => "{ policy = \"inactivity\", months = 3 }",
        };
        text += &format!(
            "[program.points]\nearn_rate = {earn:?}\npoint_cost = {cost:?}\nredemption_threshold = {threshold}\nexpiry = {expiry}\n"
        );
    }
    if let Some(rate) = program.instant {
        text += &format!("[program.instant_discount]\nrate = {rate:?}\n");
    }
    if let Some((period, threshold, rate)) = program.cumulative {
        text += &format!(
            "[program.cumulative_discount]\nperiod_months = {period}\nthreshold = {threshold:?}\nrate = {rate:?}\nvalidity_months = 2\n"
        );
    }
    if let Some((threshold, discount)) = program.tiers {
        text += &format!(
            "[program.tiers]\nwindow_months = 6\nreview_every_months = 3\nlevels = [{{ name = \"silver\", threshold = {threshold:?}, discount = {discount:?} }}]\n"
        );
    }
    if let Some(month) = program.exit.filter(|m| *m >= 2 && *m <= months) {
        text += &format!("[program.exit]\nmonth = {month}\ngrace_months = 1\n");
    }
    if program.market {
        text += "[market.competitor]\npromotions_per_year = 3\nduration_months = { min = 1, max = 2 }\n\
                 strength = { min = 0.2, max = 0.6 }\ndefection = 0.1\n\
                 [market.dissatisfaction]\nper_month = 0.003\ndeterred_prospects = 2\n\
                 [acquisition]\nper_month = 5\n";
    }
    text += "[finance]\ncurrency = \"EUR\"\ngross_margin = 0.4\ndiscount_rate = 0.08\n\
             [finance.investment]\nplatform = 5000\n\
             [finance.running_costs]\nper_month = 100\nper_member = 0.02\n";
    text
}

fn finite(m: &TrialMetrics) -> Result<(), String> {
    for name in TrialMetrics::NAMES {
        if let Some(v) = m.value(name)
            && !v.is_finite()
        {
            return Err(format!("{name} = {v}"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn valid_scenarios_run_and_keep_their_invariants(
        customers in 20u32..300,
        months in 1u32..24,
        seed in 0u64..1_000_000,
        types in [a_type(), a_type(), a_type(), a_type()],
        program in a_program(),
    ) {
        let text = scenario_text(customers, months, seed, &types, &program);
        let scenario = match loyalty_sim::scenario::parse(&text, std::path::Path::new("p.toml")) {
            Ok(s) => s,
            // The generator means to write valid files: a refusal is a failure to look at.
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        let totals = simulate_trials(&scenario, 0..3, None, &|| {})
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        for t in &totals {
            let mut points = 0u64;
            let mut cents = 0u64;
            let mut incremental = 0.0;
            for m in &t.months {
                // Ledgers: what was held, plus what came in, minus what went out.
                prop_assert_eq!(
                    m.points_outstanding,
                    points + m.points_earned - m.points_redeemed - m.points_expired
                        - m.points_forfeited - m.points_settled
                );
                prop_assert_eq!(
                    m.certificates_outstanding,
                    cents + m.certificates_issued - m.certificates_redeemed
                        - m.certificates_expired - m.certificates_forfeited
                        - m.certificates_settled
                );
                points = m.points_outstanding;
                cents = m.certificates_outstanding;
                for i in 0..4 {
                    prop_assert!(m.members[i] <= m.customers_program[i]);
                    prop_assert!(m.active_program[i] <= m.customers_program[i]);
                    prop_assert!(m.active_baseline[i] <= m.customers_baseline[i]);
                    prop_assert!(m.revenue_program[i].is_finite() && m.revenue_program[i] >= 0.0);
                    prop_assert!(m.revenue_baseline[i].is_finite() && m.revenue_baseline[i] >= 0.0);
                }
                for v in [m.discount_given, m.reward_cost, m.reward_value, m.member_revenue] {
                    prop_assert!(v.is_finite() && v >= 0.0, "{}", v);
                }
                incremental += m.revenue_program.iter().sum::<f64>()
                    - m.revenue_baseline.iter().sum::<f64>();
            }
            let r = evaluate_trial(&scenario, t);
            finite(&r.metrics).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            // Incremental revenue is program minus baseline, month by month, exactly.
            prop_assert_eq!(r.metrics.incremental_revenue.to_bits(), incremental.to_bits());
            prop_assert!(r.metrics.liability_end >= 0.0);
            prop_assert!(r.metrics.ifrs15_contract_liability_end >= 0.0);
            prop_assert!((0.0..=1.0).contains(&r.metrics.breakage_rate));
            prop_assert!((0.0..=1.0).contains(&r.metrics.certificate_breakage_rate));
            let last = t.months.last().unwrap();
            prop_assert_eq!(r.metrics.members_end, last.members.iter().sum::<u64>());
            prop_assert_eq!(r.metrics.points_outstanding_end, last.points_outstanding);
        }
    }
}
