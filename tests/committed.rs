//! Committed loyalty, the optional fifth type: its defaults, its insensitivity to competitors,
//! how privileges move truly loyal members on to it, and that a scenario without it (or with
//! a share of 0 and nothing moving into it) runs exactly as before.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::model::population::{COMMITTED, COMMITTED_ATTRITION, LoyaltyType};
use loyalty_sim::model::response::DEFAULT_CURVES;
use loyalty_sim::sim::runner::simulate_trials;

const TRUE: usize = 0;

/// Truly loyal and committed customers, 50/50 (the committed table stating only what
/// `committed` adds to its share), buying 4 times a month on average at €10, nobody lapsing,
/// a points program that changes no behaviour; `extra` is appended.
fn true_and_committed(committed: &str, extra: &str) -> String {
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
redemption_per_month = 0.5
word_of_mouth = 0.001
response = {{ frequency = 0.0, basket = 0.0, retention = 0.0, enrolment = 1.0 }}

[population.committed]
share = 0.5
{committed}

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

#[test]
fn committed_loyalty_takes_its_defaults_from_true_loyalty_and_the_documented_values() {
    let s = common::scenario(&true_and_committed("", ""));
    let (t, c) = (&s.population.types[TRUE], &s.population.types[COMMITTED]);
    assert!(s.population.committed);
    assert_eq!(c.loyalty_type, LoyaltyType::Committed);
    assert_eq!(c.share, 0.5);
    // Patronage and spend as the truly loyal's.
    assert_eq!(c.purchases_per_month, t.purchases_per_month);
    assert_eq!(c.spend_per_purchase, t.spend_per_purchase);
    assert_eq!(c.redemption_per_month, t.redemption_per_month);
    // Attrition half of true's (0 here), word of mouth as true's.
    assert_eq!(c.attrition_per_month, 0.0);
    assert_eq!(c.word_of_mouth, 0.001);
    // Fully insensitive to competitors, no goal gradient, no response beyond joining.
    assert_eq!(c.competitor_sensitivity, 0.0);
    assert_eq!(c.goal_gradient_response, 0.0);
    assert_eq!(c.response, DEFAULT_CURVES[COMMITTED]);
    assert_eq!(
        (
            c.response.frequency,
            c.response.basket,
            c.response.retention
        ),
        (0.0, 0.0, 0.0)
    );
    // With true's attrition at 2% a month, committed loyalty's default is 1%.
    let s = common::scenario(
        &true_and_committed("", "")
            .replace("attrition_per_month = 0.0", "attrition_per_month = 0.02"),
    );
    assert_eq!(COMMITTED_ATTRITION, 0.5);
    assert_eq!(s.population.types[COMMITTED].attrition_per_month, 0.01);
    // Whatever committed loyalty states is its own.
    let s = common::scenario(&true_and_committed(
        "attrition_per_month = 0.001\npurchases_per_month = { mean = 6.0 }",
        "",
    ));
    let c = &s.population.types[COMMITTED];
    assert_eq!(c.attrition_per_month, 0.001);
    assert_eq!(c.purchases_per_month.mean, 6.0);
    // The cv left out of the stated table is still true's.
    assert_eq!(c.purchases_per_month.cv, 0.5);
}

#[test]
fn a_competitor_promotion_leaves_committed_purchasing_untouched() {
    // A promotion of strength 0.5 cuts a customer's purchase rate by 0.5 × sensitivity:
    // committed customers (0) by 1 − 0.5 × 0 = nothing at all, truly loyal ones (0.05) by
    // 2.5%. Without defection the customers are the same with and without the competitor, so
    // committed customers' purchases without the program are exactly those of the quiet market.
    let quiet = common::scenario(&true_and_committed("", ""));
    let market = "[market.competitor]\npromotions_per_year = 4\nduration_months = { min = 2, max = 2 }\nstrength = { min = 0.5, max = 0.5 }";
    let busy = common::scenario(&true_and_committed("", market));
    let without = simulate_trials(&quiet, 0..2, None, &|| {}).unwrap();
    let with = simulate_trials(&busy, 0..2, None, &|| {}).unwrap();
    let (mut base, mut cut) = ([0u64; 5], [0u64; 5]);
    let mut promotion_months = 0;
    for (a, b) in without.iter().zip(&with) {
        for (m, (ma, mb)) in a.months.iter().zip(&b.months).enumerate() {
            if b.timeline.promotion[m] > 0.0 {
                promotion_months += 1;
                for ty in [TRUE, COMMITTED] {
                    base[ty] += ma.transactions_baseline[ty];
                    cut[ty] += mb.transactions_baseline[ty];
                }
                assert_eq!(
                    ma.revenue_baseline[COMMITTED],
                    mb.revenue_baseline[COMMITTED]
                );
            }
        }
    }
    assert!(
        promotion_months >= 4,
        "the test needs promotion months, got {promotion_months}"
    );
    assert_eq!(cut[COMMITTED], base[COMMITTED]);
    let true_fall = 1.0 - cut[TRUE] as f64 / base[TRUE] as f64;
    assert!(
        (0.01..=0.04).contains(&true_fall),
        "true-loyal fell {true_fall}"
    );
}

/// A status program: one privilege worth 50% of spend to every member, the truly loyal moving
/// on to committed loyalty with at most `attachment` a month.
fn status(committed_table: bool, attachment: f64) -> String {
    let text = true_and_committed(
        "",
        &format!(
            "[program.privileges]\nattachment = {{ true = {attachment} }}\n[[program.privileges.items]]\nname = \"service\"\nvalue = 0.5\n"
        ),
    );
    let text = text.replace("share = 0.5\n\n\n[program]", "share = 0.0\n\n\n[program]");
    let text = text.replace(
        "[population.true]\nshare = 0.5",
        "[population.true]\nshare = 1.0",
    );
    // No newcomers; everyone who would join signs up at their first visit.
    let text = text.replace("word_of_mouth = 0.001", "word_of_mouth = 0.0");
    let text = text.replace(
        "[program]\ngoal_gradient = 0.0",
        "[program]\ngoal_gradient = 0.0\njoining_per_visit = 1.0",
    );
    if committed_table {
        text
    } else {
        text.replace("[population.committed]\nshare = 0.0\n", "")
    }
}

#[test]
fn privileges_move_truly_loyal_members_on_to_committed_loyalty() {
    // Monthly chance at value v = 0.5: attachment × v / (half + v) = 0.05 × 0.5 / 0.51 =
    // 4.90%. Members join at their first visit (rate 4, enrolment 1), so after 12 months
    // between 1 − (1 − 0.049)¹⁰ = 39.5% and 1 − (1 − 0.049)¹² = 45.3% of the 20,000 are
    // committed with the program, none without it.
    let s = common::scenario(&status(true, 0.05));
    let trials = simulate_trials(&s, 0..2, None, &|| {}).unwrap();
    for t in &trials {
        let m = &t.months[11];
        assert_eq!(m.customers_baseline[COMMITTED], 0);
        let moved = m.customers_program[COMMITTED] as f64 / 20_000.0;
        assert!((0.38..=0.47).contains(&moved), "moved {moved}");
        assert_eq!(m.customers_program.iter().sum::<u64>(), 20_000);
    }
}

#[test]
fn without_the_committed_type_nobody_moves_into_it_and_a_share_of_zero_changes_nothing() {
    // Without [population.committed], true → committed has nowhere to go: the results are
    // those of a design whose attachment for true loyalty is 0, month by month, exactly.
    let stated = common::scenario(&status(false, 0.05));
    let none = common::scenario(&status(false, 0.0));
    assert!(!stated.population.committed);
    let a = simulate_trials(&stated, 0..2, None, &|| {}).unwrap();
    let b = simulate_trials(&none, 0..2, None, &|| {}).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.months, y.months);
        assert!(x.months.iter().all(|m| m.customers_program[COMMITTED] == 0));
    }
    // A committed share of 0 with nothing to move into it (no privileges, no type changes):
    // every month's totals are those of the same scenario without the table.
    let text = true_and_committed("", "")
        .replace(
            "[population.true]\nshare = 0.5",
            "[population.true]\nshare = 1.0",
        )
        .replace(
            "[population.committed]\nshare = 0.5",
            "[population.committed]\nshare = 0.0",
        );
    let with_table = common::scenario(&text);
    let without_table =
        common::scenario(&text.replace("[population.committed]\nshare = 0.0\n", ""));
    assert!(with_table.population.committed && !without_table.population.committed);
    let a = simulate_trials(&with_table, 0..2, None, &|| {}).unwrap();
    let b = simulate_trials(&without_table, 0..2, None, &|| {}).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.months, y.months);
    }
}
