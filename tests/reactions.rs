//! The currencies' downsides as customers' reactions, each checked against its formula: a
//! discount that does not insulate leaves its members to a competitor's promotion; non-members
//! who see members pay less buy less and lapse more; members who miss a threshold buy less and
//! lapse more for the months the reaction lasts.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::sim::runner::simulate_trials;
use loyalty_sim::sim::totals::MonthTotals;

/// False-loyal customers (competitor sensitivity 0.8) buying twice a month for €30, a 5%
/// instant discount, and `extra` appended (further tables).
fn base(population: &str, discount: &str, extra: &str) -> String {
    format!(
        r#"
[simulation]
customers = 8000
months = 24
trials = 2
seed = 11

[population.false]
share = 1.0
purchases_per_month = {{ mean = 2.0, cv = 0.3 }}
spend_per_purchase = {{ mean = 30.0 }}
redemption_per_month = 0.5
{population}

[program]
joining_per_visit = 1.0
disengagement = {{ decay_per_month = 0 }}

{discount}

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

fn months(text: &str) -> Vec<Vec<MonthTotals>> {
    let s = common::scenario(text);
    simulate_trials(&s, 0..2, None, &|| {})
        .unwrap()
        .into_iter()
        .map(|t| t.months)
        .collect()
}

/// Sum over trials of `f` in month `m` (1-based).
fn sum(runs: &[Vec<MonthTotals>], m: usize, f: impl Fn(&MonthTotals) -> u64) -> u64 {
    runs.iter().map(|t| f(&t[m - 1])).sum()
}

/// Every customer joins at once; the curves are steps (any value gives the whole effect), so
/// the members' pull is 1 − 0.5 × (insulating share of the value > 0). A planned promotion of
/// strength 0.5 in month 6 cuts a member's rate by 0.5 × 0.8 × pull: × 0.8 when the discount
/// insulates (`insulation = 1`, pull ½), × 0.6 when it does not (the default, `insulation = 0`,
/// pull 1). So the members' purchases in month 6 must stand at 0.6 / 0.8 = 0.75 of those with
/// an insulating discount, and the months before it must be the same to the purchase.
#[test]
fn a_discount_that_does_not_insulate_loses_more_purchases_to_a_competitor() {
    let population = "attrition_per_month = 0.0\n\
        [population.false.response]\nenrolment = 1.0\nenrolment_half = 0.0\nhalf = 0.0\ninsulation = 0.5";
    let market = "[market.competitor]\nmonth = 6\nduration_months = { min = 1, max = 1 }\n\
        strength = { min = 0.5, max = 0.5 }";
    let insulating = months(&base(
        population,
        "[program.instant_discount]\nrate = 0.05\ninsulation = 1",
        market,
    ));
    let bare = months(&base(
        population,
        "[program.instant_discount]\nrate = 0.05",
        market,
    ));
    for m in 1..6 {
        let f = |t: &MonthTotals| t.member_transactions;
        assert_eq!(sum(&insulating, m, f), sum(&bare, m, f), "month {m}");
    }
    let held = sum(&insulating, 6, |t| t.member_transactions) as f64;
    let pulled = sum(&bare, 6, |t| t.member_transactions) as f64;
    let ratio = pulled / held;
    eprintln!("month 6 member purchases: {held} insulated, {pulled} not; ratio {ratio:.4}");
    // About 23,000 and 17,000 purchases: a ratio within 0.03 of 0.75 is about four standard
    // errors of two independent Poisson counts (the two runs share their uniforms, so less).
    assert!((ratio - 0.75).abs() < 0.03, "ratio {ratio}");
}

/// Nobody joins; everyone sees members get 5% off their €30 baskets. With `rate_cut = 1,
/// attrition_rise = 2` a non-member buys × (1 − 1 × 0.05) = 0.95 of what they would buy without
/// the program, and lapses at 2% × (1 + 2 × 0.05) = 2.2% a month instead of 2%: after 24
/// months 0.978²⁴ = 58.7% are left against 0.98²⁴ = 61.6%. With the defaults, which a design
/// need not state (0.5 and 1), they buy 0.975 as much. A points design, which leaves the shelf
/// price alone, shows them nothing, nor a discount whose reaction is stated as 0: their world
/// is the world without the program, to the purchase.
#[test]
fn non_members_who_see_members_pay_less_buy_less_and_lapse_more() {
    let population = "attrition_per_month = 0.02\nenrolment = 0.0";
    let runs = months(&base(
        population,
        "[program.instant_discount]\nrate = 0.05",
        "[program.bystanders]\nrate_cut = 1\nattrition_rise = 2",
    ));
    let n = 16_000.0;
    let (mut program, mut baseline) = (0u64, 0u64);
    for m in 1..=24 {
        program += sum(&runs, m, |t| t.transactions_program.iter().sum());
        baseline += sum(&runs, m, |t| t.transactions_baseline.iter().sum());
        assert_eq!(sum(&runs, m, |t| t.member_transactions), 0);
    }
    // Fewer purchases also because fewer customers are left: compare the first month only
    // for the rate, where attrition has acted once.
    let first_p = sum(&runs, 1, |t| t.transactions_program.iter().sum()) as f64;
    let first_b = sum(&runs, 1, |t| t.transactions_baseline.iter().sum()) as f64;
    let first_alive_p = sum(&runs, 1, |t| t.customers_program.iter().sum()) as f64;
    let first_alive_b = sum(&runs, 1, |t| t.customers_baseline.iter().sum()) as f64;
    let per_customer = (first_p / first_alive_p) / (first_b / first_alive_b);
    eprintln!(
        "purchases over 24 months: {program} with, {baseline} without; month 1 per customer \
         ratio {per_customer:.4}"
    );
    assert!(program < baseline);
    // Regular-ish Poisson counts from the same uniforms: the ratio is close to 0.95.
    assert!((per_customer - 0.95).abs() < 0.01, "{per_customer}");
    let left = |world: fn(&MonthTotals) -> u64| sum(&runs, 24, world) as f64 / n;
    let (left_p, left_b) = (
        left(|t| t.customers_program.iter().sum()),
        left(|t| t.customers_baseline.iter().sum()),
    );
    let se = |p: f64| (p * (1.0 - p) / n).sqrt();
    let (want_p, want_b) = (0.978f64.powi(24), 0.98f64.powi(24));
    eprintln!("left at 24: {left_p:.4} with (want {want_p:.4}), {left_b:.4} without ({want_b:.4})");
    assert!((left_p - want_p).abs() < 4.0 * se(want_p), "{left_p}");
    assert!((left_b - want_b).abs() < 4.0 * se(want_b), "{left_b}");

    // The defaults, stated by nothing: 1 − 0.5 × 0.05 = 0.975.
    let defaults = months(&base(
        population,
        "[program.instant_discount]\nrate = 0.05",
        "",
    ));
    let by_default = purchases_ratio(&defaults, 1);
    eprintln!("month 1 per customer ratio with the defaults {by_default:.4}");
    assert!((by_default - 0.975).abs() < 0.01, "{by_default}");

    let points = months(&base(
        population,
        "[program.points]\nearn_rate = 1.0\nredemption_threshold = 100\npoint_cost = 0.02",
        "",
    ));
    let deaf = months(&base(
        population,
        "[program.instant_discount]\nrate = 0.05",
        "[program.bystanders]\nrate_cut = 0\nattrition_rise = 0",
    ));
    for runs in [&points, &deaf] {
        for m in 1..=24 {
            let f = |t: &MonthTotals| t.transactions_program.iter().sum::<u64>();
            let g = |t: &MonthTotals| t.transactions_baseline.iter().sum::<u64>();
            assert_eq!(sum(runs, m, f), sum(runs, m, g), "month {m}");
        }
    }
}

/// Nobody joins a tier program whose first tier gives 4% off and whose second 8%: a non-member
/// sees members of a tier pay the first tier's 4% less (a stated assumption), so with
/// `rate_cut = 1` they buy × (1 − 0.04) = 0.96 of what they would. Tiers that give no discount
/// (status and privileges only) show them nothing: their world is the world without the program.
#[test]
fn non_members_see_the_first_tier_discount() {
    let tiers = |first: f64, second: f64| {
        format!(
            "[program.tiers]\nwindow_months = 12\n\
             [[program.tiers.levels]]\nname = \"silver\"\nthreshold = 100\ndiscount = {first}\n\
             [[program.tiers.levels]]\nname = \"gold\"\nthreshold = 500\ndiscount = {second}"
        )
    };
    let population = "attrition_per_month = 0.02\nenrolment = 0.0";
    let seen = months(&base(
        population,
        &tiers(0.04, 0.08),
        "[program.bystanders]\nrate_cut = 1\nattrition_rise = 0",
    ));
    let ratio = purchases_ratio(&seen, 1);
    assert!((ratio - 0.96).abs() < 0.01, "{ratio}");
    let status = months(&base(
        population,
        &tiers(0.0, 0.0),
        "[program.bystanders]\nrate_cut = 1\nattrition_rise = 0",
    ));
    for m in 1..=24 {
        let f = |t: &MonthTotals| t.transactions_program.iter().sum::<u64>();
        let g = |t: &MonthTotals| t.transactions_baseline.iter().sum::<u64>();
        assert_eq!(sum(&status, m, f), sum(&status, m, g), "month {m}");
    }
}

/// Customers who all join (over `ramp` months) a cumulative discount whose threshold, 1,000
/// purchases a period of `period` months, nobody reaches, and who buy regularly twice a month;
/// a miss (with 0.1% of the threshold) weighs for 120 months.
fn unreachable_certificate(period: u32, ramp: u32) -> Vec<Vec<MonthTotals>> {
    months(
        &base(
            "attrition_per_month = 0.02\nenrolment = 1.0",
            &format!(
                "[program.cumulative_discount]\nperiod_months = {period}\nqualify = \"purchases\"\n\
                 threshold = 1000\nrate = 0.05\nvalidity_months = 1"
            ),
            "[program.disappointment]\nmonths = 120\nnear = 0.001",
        )
        .replace(
            "joining_per_visit = 1.0",
            &format!("joining_per_visit = 1.0\nenrolment_ramp_months = {ramp}"),
        )
        .replace(
            "{ mean = 2.0, cv = 0.3 }",
            "{ mean = 2.0, cv = 0.3, timing = \"regular\" }",
        ),
    )
}

/// Purchases per customer in month `m` (1-based), the program world over the baseline.
fn purchases_ratio(runs: &[Vec<MonthTotals>], m: usize) -> f64 {
    let p = sum(runs, m, |t| t.transactions_program.iter().sum()) as f64
        / sum(runs, m, |t| t.customers_program.iter().sum()) as f64;
    let b = sum(runs, m, |t| t.transactions_baseline.iter().sum()) as f64
        / sum(runs, m, |t| t.customers_baseline.iter().sum()) as f64;
    p / b
}

/// Every customer joins at once (the fixed-lift form: the stated share joins, whatever the
/// design is worth) a cumulative discount whose threshold, 1,000 purchases a month, nobody
/// reaches, and buys regularly twice a month: each ends the first month with at least
/// `near` (0.1%) of the threshold and has missed it. With `rate_cut = 0.1, attrition_rise = 0.5,
/// months = 120`, from month 2 on they buy 0.9 of what they would and lapse at 3% a month
/// instead of 2%: 0.98 × 0.97²³ = 48.7% are left after 24 months against 0.98²⁴ = 61.6%.
#[test]
fn members_who_miss_a_threshold_buy_less_and_lapse_more() {
    let runs = unreachable_certificate(1, 1);
    let n = 16_000.0;
    // Month 1: nobody has missed yet.
    let ratio = |m: usize| purchases_ratio(&runs, m);
    assert!((ratio(1) - 1.0).abs() < 1e-12, "{}", ratio(1));
    for m in [6, 12, 24] {
        assert!((ratio(m) - 0.9).abs() < 0.015, "month {m}: {}", ratio(m));
    }
    let left = sum(&runs, 24, |t| t.customers_program.iter().sum()) as f64 / n;
    let want = 0.98 * 0.97f64.powi(23);
    let se = (want * (1.0 - want) / n).sqrt();
    eprintln!(
        "left at 24: {left:.4} (want {want:.4}); month 12 ratio {:.4}",
        ratio(12)
    );
    assert!((left - want).abs() < 4.0 * se, "{left}");
}

/// As above with two-month periods, and members joining over the first two months
/// (`enrolment_ramp_months = 2`): those who joined in month 1 end the first period, months
/// 1–2, short of the threshold and react from month 3; those who joined in month 2 were not
/// members for the whole period, so it is no miss, and they react only after the second
/// period, from month 5. In month 3 the program world buys 1 − 0.1 × s of what it would, s the
/// share of customers who joined in month 1 (about a half), and from month 5 on 0.9.
#[test]
fn a_period_joined_part_way_through_is_no_miss() {
    let runs = unreachable_certificate(2, 2);
    let ratio = |m: usize| purchases_ratio(&runs, m);
    let s = sum(&runs, 1, |t| t.members.iter().sum()) as f64
        / sum(&runs, 1, |t| t.customers_program.iter().sum()) as f64;
    assert!((s - 0.5).abs() < 0.02, "joined in month 1: {s}");
    assert!(
        (ratio(3) - (1.0 - 0.1 * s)).abs() < 0.015,
        "month 3: {}",
        ratio(3)
    );
    for m in [6, 12] {
        assert!((ratio(m) - 0.9).abs() < 0.015, "month {m}: {}", ratio(m));
    }
}

/// Every customer joins a status tier (no money reward: the fixed-lift form joins them all,
/// and a design worth nothing lifts nobody) reached with one purchase in a one-month window,
/// reviewed monthly; they buy regularly about three times a month. A competitor's promotion
/// of full strength on fully sensitive customers empties month 3 in both worlds, so every
/// member is demoted at month 3's review: in months 4 to 6 (`months = 3`) they buy 0.9 of what
/// they would, and from month 7 on as much as without the program.
#[test]
fn a_demoted_member_buys_less_for_the_months_the_reaction_lasts() {
    let population = "attrition_per_month = 0.0\nenrolment = 1.0\ncompetitor_sensitivity = 1.0";
    let market = "[market.competitor]\nmonth = 3\nduration_months = { min = 1, max = 1 }\n\
        strength = { min = 1.0, max = 1.0 }\n\n[program.disappointment]";
    let runs = months(
        &base(
            population,
            "[program.tiers]\nqualify = \"purchases\"\nwindow_months = 1\nreview_every_months = 1\n\
             [[program.tiers.levels]]\nname = \"member\"\nthreshold = 1",
            market,
        )
        .replace(
            "{ mean = 2.0, cv = 0.3 }",
            "{ mean = 3.0, cv = 0.1, timing = \"regular\" }",
        ),
    );
    let per = |m: usize, f: fn(&MonthTotals) -> u64| sum(&runs, m, f) as f64;
    let ratio = |m: usize| {
        per(m, |t| t.transactions_program.iter().sum())
            / per(m, |t| t.transactions_baseline.iter().sum())
    };
    assert_eq!(per(3, |t| t.transactions_baseline.iter().sum()), 0.0);
    for m in [1, 2, 7, 12, 24] {
        assert!((ratio(m) - 1.0).abs() < 1e-12, "month {m}: {}", ratio(m));
    }
    for m in 4..=6 {
        eprintln!("month {m}: {:.4}", ratio(m));
        assert!((ratio(m) - 0.9).abs() < 0.01, "month {m}: {}", ratio(m));
    }
}

/// Every customer joins a points design whose only reward, 300 points, nobody reaches: three
/// purchases of exactly €30 a month earn 90 points, and points live two months, so a member
/// holds 180 when the oldest expire (at least half the reward: a miss) and never 300. From the
/// third month on, each month some of a member's points expire unredeemed. With the default
/// reaction, which the design need not state (3 months, 10% fewer purchases), the members buy
/// 0.9 of what they would once their first points have expired, and as much as without the
/// program before. Stated as 0, the reaction is gone: every month as without the program.
#[test]
fn points_that_expire_unredeemed_are_a_miss() {
    // No goal gradient: a member halfway to the reward would otherwise buy more.
    let population = "attrition_per_month = 0.0\ngoal_gradient_response = 0.0\nenrolment = 1.0";
    let design = |reaction: &str| {
        months(
            &base(
                population,
                "[program.points]\nearn_rate = 1.0\nredemption_threshold = 300\n\
                 point_cost = 0.01\nexpiry = { policy = \"fixed\", months = 2 }",
                reaction,
            )
            .replace(
                "{ mean = 2.0, cv = 0.3 }",
                "{ mean = 3.0, cv = 0.1, timing = \"regular\" }",
            )
            .replace(
                "{ mean = 30.0 }",
                "{ mean = 30.0, cv_within = 0.0, cv_between = 0.0 }",
            ),
        )
    };
    let runs = design("");
    let off = design("[program.disappointment]\nrate_cut = 0\nattrition_rise = 0");
    for m in 1..=24 {
        let f = |t: &MonthTotals| t.transactions_program.iter().sum::<u64>();
        let g = |t: &MonthTotals| t.transactions_baseline.iter().sum::<u64>();
        assert_eq!(sum(&off, m, f), sum(&off, m, g), "month {m}");
    }
    let per = |m: usize, f: fn(&MonthTotals) -> u64| sum(&runs, m, f) as f64;
    let ratio = |m: usize| {
        per(m, |t| t.transactions_program.iter().sum())
            / per(m, |t| t.transactions_baseline.iter().sum())
    };
    assert!(per(3, |t| t.points_expired) > 0.0);
    assert_eq!(
        (1..=24).map(|m| per(m, |t| t.points_redeemed)).sum::<f64>(),
        0.0
    );
    for m in [1, 2, 3] {
        assert!((ratio(m) - 1.0).abs() < 1e-12, "month {m}: {}", ratio(m));
    }
    for m in [4, 6, 12, 24] {
        eprintln!("month {m}: {:.4}", ratio(m));
        assert!((ratio(m) - 0.9).abs() < 0.01, "month {m}: {}", ratio(m));
    }
}
