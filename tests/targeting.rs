//! Targeting: a component limited to one RFM group costs exactly nothing for the others, and
//! its cost in its group is what the purchases and the rate give by hand; an offer's bonus
//! points on chosen items add bonus × share to the points earned; `only` covering everyone
//! changes nothing.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::metrics::finance::evaluate_trial;
use loyalty_sim::model::rfm::Group;
use loyalty_sim::sim::runner::simulate_trials;

/// 100 customers who never lapse and all join at once: 50 true-loyal buying exactly 4 times a
/// month for exactly €50 (frequent, large at the thresholds 2 a month and €20), 50
/// false-loyal buying exactly once a month for €10 (rare, small). `program` is the design.
fn two_groups(program: &str) -> String {
    format!(
        r#"
[simulation]
customers = 100
months = 12
trials = 2
seed = 3

[population]
rfm = {{ frequent_from = 2, large_from = 20 }}

[population.true]
share = 0.5
purchases_per_month = {{ mean = 4.0, cv = 0.0, timing = "regular" }}
spend_per_purchase = {{ mean = 50.0, cv_within = 0.0, cv_between = 0.0 }}
attrition_per_month = 0.0
enrolment = 1.0
redemption_per_month = 1.0

[population.false]
share = 0.5
purchases_per_month = {{ mean = 1.0, cv = 0.0, timing = "regular" }}
spend_per_purchase = {{ mean = 10.0, cv_within = 0.0, cv_between = 0.0 }}
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

fn groups(text: &str) -> Vec<[loyalty_sim::metrics::finance::GroupRecord; 4]> {
    let s = common::scenario(text);
    simulate_trials(&s, 0..2, None, &|| {})
        .unwrap()
        .iter()
        .map(|t| evaluate_trial(&s, t).groups)
        .collect()
}

#[test]
fn a_discount_for_one_group_costs_nothing_for_the_others() {
    let text = two_groups(
        r#"
[program.instant_discount]
rate = 0.10
only = { groups = ["frequent_large"] }
"#,
    );
    let big = Group::FrequentLarge.index();
    for g in groups(&text) {
        // 50 customers × 12 months × 4 purchases × €50 × 10% = €12,000.
        assert!((g[big].reward_cost - 12_000.0).abs() < 1e-6, "{g:?}");
        assert_eq!(g[big].member_months, 600.0);
        for other in [Group::RareSmall, Group::FrequentSmall, Group::RareLarge] {
            assert_eq!(g[other.index()].reward_cost, 0.0, "{other:?}: {g:?}");
        }
        // In the fixed-lift form everyone joins: the rare, small buyers are members all year,
        // and get nothing.
        assert_eq!(g[Group::RareSmall.index()].member_months, 600.0);
        // Sales without the program: 50 × 12 × 1 × €10 = €6,000.
        assert!((g[Group::RareSmall.index()].revenue_baseline - 6_000.0).abs() < 1e-6);
    }
}

#[test]
fn a_discount_for_everyone_costs_each_group_its_own_purchases() {
    let text = two_groups("[program.instant_discount]\nrate = 0.10\n");
    for g in groups(&text) {
        assert!((g[Group::FrequentLarge.index()].reward_cost - 12_000.0).abs() < 1e-6);
        // 50 × 12 × 1 × €10 × 10% = €600.
        assert!((g[Group::RareSmall.index()].reward_cost - 600.0).abs() < 1e-6);
    }
}

#[test]
fn bonus_points_on_chosen_items_add_bonus_times_share() {
    // Points for everyone at 1 a euro; the frequent, large buyers get 4 more a euro on the
    // chosen items, 25% of a basket: 1 + 4 × 0.25 = 2 points a euro.
    let text = two_groups(
        r#"
[program.points]
earn_rate = 1.0
point_cost = 0.01
redemption_threshold = 100000
[[program.offers]]
name = "chosen items"
only = { groups = ["frequent_large"] }
basket_share = 0.25
bonus_points = 4
"#,
    );
    let s = common::scenario(&text);
    let totals = simulate_trials(&s, 0..1, None, &|| {}).unwrap();
    let earned: u64 = totals[0].months.iter().map(|m| m.points_earned).sum();
    // Frequent, large: 50 × 12 × €200 × 2 = 240,000; rare, small: 50 × 12 × €10 × 1 = 6,000.
    assert_eq!(earned, 246_000);
}

#[test]
fn only_covering_everyone_changes_nothing() {
    let plain = two_groups("[program.instant_discount]\nrate = 0.05\n");
    let everyone = two_groups(
        r#"
[program.instant_discount]
rate = 0.05
only = { groups = ["rare_small", "frequent_small", "rare_large", "frequent_large"], types = ["true", "latent", "false", "none"] }
"#,
    );
    let npv = |text: &str| {
        let s = common::scenario(text);
        simulate_trials(&s, 0..2, None, &|| {})
            .unwrap()
            .iter()
            .map(|t| evaluate_trial(&s, t).metrics.npv)
            .collect::<Vec<f64>>()
    };
    assert_eq!(npv(&plain), npv(&everyone));
}

#[test]
fn compare_shows_where_each_design_s_rewards_go_by_group() {
    use loyalty_sim::decide::compare::compare;
    let file = |name: &str, program: &str| {
        loyalty_sim::ScenarioFile::from_text(name.into(), &two_groups(program)).unwrap()
    };
    let targeted = file(
        "targeted.toml",
        "[program.instant_discount]\nrate = 0.10\nonly = { groups = [\"frequent_large\"] }\n",
    );
    let everyone = file("everyone.toml", "[program.instant_discount]\nrate = 0.10\n");
    let options = loyalty_sim::RunOptions {
        trials: Some(2),
        ..loyalty_sim::RunOptions::default()
    };
    let out = compare(&[everyone.clone(), targeted.clone()], &options).unwrap();
    let cmp = &out.comparison;
    let group = |g: Group| &cmp.by_group[g.index()];
    assert_eq!(group(Group::RareSmall).group, "rare_small");
    // Frequent, large buyers cost both designs 50 × 12 × 4 × €50 × 10% = €12,000 a trial;
    // rare, small ones 50 × 12 × 1 × €10 × 10% = €600 under the discount for everyone, and
    // nothing under the targeted one.
    for d in 0..2 {
        assert!((group(Group::FrequentLarge).reward_cost[d].mean - 12_000.0).abs() < 1e-6);
    }
    assert!((group(Group::RareSmall).reward_cost[0].mean - 600.0).abs() < 1e-6);
    assert_eq!(group(Group::RareSmall).reward_cost[1].mean, 0.0);
    // The groups with nobody in them cost nothing in either design.
    for g in [Group::FrequentSmall, Group::RareLarge] {
        assert_eq!(group(g).reward_cost[0].mean, 0.0);
        assert_eq!(group(g).member_months[1].mean, 0.0);
    }
    let provenance = loyalty_sim::report::decisions::Provenance::of(&[&everyone, &targeted], 3, 2);
    let text = loyalty_sim::report::decisions::compare_text(&out, &provenance);
    let row = text
        .lines()
        .skip_while(|l| !l.starts_with("By RFM group"))
        .find(|l| l.contains("rare, small"))
        .unwrap();
    assert!(
        row.contains("€600") && row.trim_end().ends_with("€0"),
        "{row}"
    );
}
