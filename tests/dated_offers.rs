//! Dated offers and prize entries bought with points, by hand. A birthday offer costs members ×
//! 3 birthdays × basket × share × rate over 36 months, and only in each member's birthday
//! month; an offer dated to calendar months costs nothing outside them; an offer on a share of
//! purchases costs that share of the offer's cost on every purchase. Entries bought with
//! points burn entries × their price in points, and the prizes they win cost entries × chance
//! × prize cost.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::metrics::finance::evaluate_trial;
use loyalty_sim::model::dated::calendar_month;
use loyalty_sim::sim::runner::simulate_trials;
use loyalty_sim::sim::totals::MonthTotals;

/// Customers who buy exactly `purchases` times a month for exactly €30 a purchase, never
/// lapse, all join in month 1 and change nothing in their behaviour; the program earns one
/// point a euro toward a reward of 100,000 points (never reached, so no reward is redeemed);
/// `extra` is appended (offers, prizes).
fn scenario(customers: u64, purchases: u32, seed: u64, launch: &str, extra: &str) -> String {
    format!(
        r#"
[simulation]
customers = {customers}
months = 36
trials = 1
seed = {seed}
{launch}

[population.latent]
share = 1.0
purchases_per_month = {{ mean = {purchases}, cv = 0.0, timing = "regular" }}
spend_per_purchase = {{ mean = 30.0, cv_within = 0.0, cv_between = 0.0 }}
attrition_per_month = 0.0
enrolment = 1.0
redemption_per_month = 1.0

[program]
goal_gradient = 0.0

[program.points]
earn_rate = 1.0
point_cost = 0.005
[[program.points.rewards]]
name = "far reward"
points = 100000
cost = 500.0
{extra}

[finance]
currency = "EUR"
gross_margin = 0.4
discount_rate = 0.1

[finance.investment]
platform = 1000
"#
    )
}

/// The one trial's months.
fn months(text: &str) -> Vec<MonthTotals> {
    let s = common::scenario(text);
    let mut totals = simulate_trials(&s, 0..1, None, &|| {}).unwrap();
    totals.remove(0).months
}

const BIRTHDAY: &str = r#"
[[program.offers]]
name = "birthday"
basket_share = 0.5
discount = 0.2
when = { birthday = true }
"#;

/// Over 36 months every member, there all along, has exactly three birthday months, each with
/// one €30 purchase: the offer costs members × 3 × €30 × 50% × 20% = members × €9, to rounding
/// (a sum of 3,600 terms of €3 each, exact in binary floating point up to the last bits).
#[test]
fn a_birthday_offer_costs_three_birthdays_a_member_over_three_years() {
    let members = 1200u64;
    let months = months(&scenario(members, 1, 7, "", BIRTHDAY));
    for m in &months {
        assert_eq!(m.members.iter().sum::<u64>(), members);
        assert_eq!(m.member_transactions, members);
        assert_eq!(m.member_revenue, members as f64 * 30.0);
    }
    let cost: f64 = months.iter().map(|m| m.discount_given).sum();
    let by_hand = members as f64 * 3.0 * 30.0 * 0.5 * 0.2;
    assert!(
        (cost - by_hand).abs() < 1e-9 * by_hand,
        "{cost} against {by_hand}"
    );
    // The birthdays are spread over the year: each calendar month has some, and each month's
    // cost is a whole number of €3 birthdays, the same in each of the three years.
    for m in 0..12 {
        let c = months[m].discount_given;
        assert!(c > 0.0, "no birthday in month {}", m + 1);
        assert_eq!((c / 3.0).fract(), 0.0);
        assert_eq!(months[m + 12].discount_given, c);
        assert_eq!(months[m + 24].discount_given, c);
    }
}

/// A member alone: the offer's cost falls in three months, twelve apart, one calendar month.
/// Over a dozen seeds, the birthday differs.
#[test]
fn a_birthday_offer_costs_only_in_the_members_birthday_month() {
    let mut birthdays = Vec::new();
    for seed in 0..12 {
        let months = months(&scenario(1, 1, seed, "launch_month = 5", BIRTHDAY));
        let paid: Vec<u32> = (1..=36u32)
            .filter(|&m| months[m as usize - 1].discount_given > 0.0)
            .collect();
        assert_eq!(paid.len(), 3, "seed {seed}: {paid:?}");
        assert_eq!(paid[1], paid[0] + 12);
        assert_eq!(paid[2], paid[0] + 24);
        for &m in &paid {
            assert!((months[m as usize - 1].discount_given - 3.0).abs() < 1e-12);
        }
        birthdays.push(calendar_month(5, paid[0]));
    }
    birthdays.sort_unstable();
    birthdays.dedup();
    assert!(birthdays.len() > 3, "birthdays drawn: {birthdays:?}");
}

/// An offer for November and December, launched in March: months 9, 10, 21, 22, 33 and 34 are
/// November and December; it costs members × €30 × 40% × 10% = members × €1.20 in each of them
/// and nothing in any other month.
#[test]
fn an_offer_dated_to_months_costs_nothing_outside_them() {
    let members = 500u64;
    let offer = r#"
[[program.offers]]
name = "holidays"
basket_share = 0.4
discount = 0.1
when = { months = [11, 12] }
"#;
    let months = months(&scenario(members, 1, 3, "launch_month = 3", offer));
    for (i, m) in months.iter().enumerate() {
        let month = i as u32 + 1;
        let holiday = [9, 10, 21, 22, 33, 34].contains(&month);
        assert_eq!(holiday, [11, 12].contains(&calendar_month(3, month)));
        if holiday {
            let by_hand = members as f64 * 30.0 * 0.4 * 0.1;
            assert!(
                (m.discount_given - by_hand).abs() < 1e-9 * by_hand,
                "month {month}: {}",
                m.discount_given
            );
        } else {
            assert_eq!(m.discount_given, 0.0, "month {month}");
        }
    }
}

/// Happy hour on a quarter of the purchases: 4 purchases a member-month, each in the happy
/// hour with chance 25%, so the month's count is binomial (mean 1, variance 4 × 0.25 × 0.75 =
/// 0.75). Over 1,000 members × 36 months the happy-hour purchases are 36,000 ± √27,000 = ±164;
/// each costs €30 × 50% × 20% = €3. Within four standard deviations (±1.8%).
#[test]
fn an_offer_on_a_share_of_purchases_costs_that_share() {
    let members = 1000u64;
    let offer = r#"
[[program.offers]]
name = "happy hour"
basket_share = 0.5
discount = 0.2
when = { share_of_purchases = 0.25 }
"#;
    let months = months(&scenario(members, 4, 5, "", offer));
    let cost: f64 = months.iter().map(|m| m.discount_given).sum();
    let happy = cost / 3.0;
    assert!((happy - happy.round()).abs() < 1e-6, "{happy}");
    let expected = members as f64 * 36.0;
    let sd = (members as f64 * 36.0 * 0.75).sqrt();
    assert!(
        (happy - expected).abs() < 4.0 * sd,
        "{happy} happy-hour purchases against {expected} ± {sd:.0}"
    );
    // Every month has some: the offer applies month after month.
    assert!(months.iter().all(|m| m.discount_given > 0.0));
}

/// Entries bought with points: 30 points a month, an entry costs 20 and the first reward is far
/// away, so from month 2 on every member (holding 30, then 40, 50, … less 20 a month) buys one
/// entry each month: 35 entries a member, 700 points burnt; no reward is ever redeemed. Each
/// entry wins with 5% (the purchase draw's chance, 10⁻⁹, adds 0.04 wins expected over the run):
/// 35,000 entries win 1,750 ± √(35,000 × 0.05 × 0.95) = ±41 prizes, costing €12 each.
#[test]
fn entries_burn_their_points_and_win_their_chance() {
    let members = 1000u64;
    let prizes = r#"
[program.prizes]
chance_per_purchase = 1e-9
prize_cost = 12.0
prize_value = 25.0
entry_points = 20
chance_per_entry = 0.05
entry_chance_per_month = 1.0
"#;
    let text = scenario(members, 1, 9, "", prizes);
    let months = months(&text);
    let (mut entries, mut wins, mut earned, mut redeemed) = (0u64, 0u64, 0u64, 0u64);
    for (i, m) in months.iter().enumerate() {
        assert_eq!(m.prize_entries, if i == 0 { 0 } else { members });
        assert_eq!(m.points_redeemed, m.prize_entries * 20);
        assert_eq!(m.rewards_redeemed, 0);
        assert_eq!(m.prize_cost, m.prizes_won as f64 * 12.0);
        entries += m.prize_entries;
        wins += m.prizes_won;
        earned += m.points_earned;
        redeemed += m.points_redeemed;
        // The liability falls by the points burnt: what is held is what was earned less them.
        assert_eq!(m.points_outstanding, earned - redeemed);
    }
    assert_eq!(entries, members * 35);
    assert_eq!(redeemed, entries * 20);
    let expected = entries as f64 * 0.05;
    let sd = (entries as f64 * 0.05 * 0.95).sqrt();
    assert!(
        (wins as f64 - expected).abs() < 4.0 * sd,
        "{wins} prizes against {expected} ± {sd:.0}"
    );
    let cost: f64 = months.iter().map(|m| m.prize_cost).sum();
    assert!((cost - expected * 12.0).abs() < 4.0 * sd * 12.0);
    // The trial's metrics (trials.csv, summary.json) report the entries and the wins.
    let s = common::scenario(&text);
    let trial = simulate_trials(&s, 0..1, None, &|| {}).unwrap().remove(0);
    let metrics = evaluate_trial(&s, &trial).metrics;
    assert_eq!(metrics.value("prize_entries"), Some(35_000.0));
    assert_eq!(metrics.prizes_won, wins);
}
