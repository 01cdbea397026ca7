//! Lesson "discount-trap": the same customers under an instant discount and under points.
//! The discount grows revenue while it destroys margin, because most of it is paid to
//! customers who would have bought anyway (DOMAIN §1, §3).

use super::{Facts, LessonError, Prepared, Section, Story, Table};
use crate::metrics::summary::Metrics;
use crate::model::population::LoyaltyType;
use crate::money::Currency;
use crate::report::chart::{Scale, palette};

/// The design's headline numbers, recorded as facts under `name`.
fn headline(facts: &mut Facts, name: &str, c: &Currency, m: &Metrics, base: f64) -> Vec<String> {
    vec![
        facts.money(
            format!("incremental_revenue_{name}"),
            c,
            m.incremental_revenue.p50,
        ),
        facts.change(
            format!("revenue_growth_{name}"),
            m.incremental_revenue.p50 / base,
        ),
        facts.money(
            format!("incremental_gross_margin_{name}"),
            c,
            m.incremental_gross_margin.p50,
        ),
        facts.money(format!("reward_cost_{name}"), c, m.reward_cost.p50),
        facts.money(
            format!("margin_after_rewards_{name}"),
            c,
            m.incremental_gross_margin.p50 - m.reward_cost.p50,
        ),
        facts.money(format!("npv_{name}"), c, m.npv.p50),
    ]
}

pub(super) fn teach(
    discount: &Prepared,
    points: &Prepared,
    facts: &mut Facts,
) -> Result<Story, LessonError> {
    let scenario = discount.scenario();
    let c = scenario.finance.currency.clone();
    let months = scenario.simulation.months;
    let rate = scenario
        .program
        .instant_discount
        .as_ref()
        .map_or(0.0, |d| d.rate);
    // The points design in words: the first reward, its price and what it gives back.
    let points_design = points
        .scenario()
        .program
        .points
        .as_ref()
        .and_then(|p| {
            let r = p.rewards.first()?;
            let spend = r.points as f64 / p.earn_rate;
            Some(format!(
                "a points program whose {} ({} points) gives {} back on the spend that earns it",
                r.name,
                crate::money::format_number(r.points as f64, 0),
                crate::money::format_percent(r.value / spend, 0)
            ))
        })
        .unwrap_or_else(|| "a points program".into());
    let run_d = discount.run()?;
    let run_p = points.run()?;
    let types = discount.type_months()?;
    let all = months as usize;
    let revenue = |w: usize, t: usize| types.revenue(w, t, 1, all);
    let base: f64 = (0..4).map(|t| revenue(0, t)).sum::<f64>() / scenario.simulation.trials as f64;

    let d = headline(facts, "discount", &c, &run_d.summary.metrics, base);
    let p = headline(facts, "points", &c, &run_p.summary.metrics, base);
    let rows = [
        "extra revenue",
        "revenue growth",
        "extra gross margin",
        "rewards paid (discounts or points)",
        "margin after rewards",
        "NPV",
    ]
    .iter()
    .enumerate()
    .map(|(i, label)| vec![label.to_string(), d[i].clone(), p[i].clone()])
    .collect();

    let given: f64 = types.rewards.iter().sum();
    let key = LoyaltyType::FOUR.map(|t| t.key());
    let names = LoyaltyType::FOUR.map(|t| t.label());
    let total_customers = types.customers.iter().sum::<u64>() as f64;
    let mut anyway = 0.0;
    let mut type_rows = Vec::new();
    let mut customer_share = [0.0; 4];
    let mut money_share = [0.0; 4];
    for t in 0..4 {
        customer_share[t] = types.customers[t] as f64 / total_customers.max(1.0);
        money_share[t] = types.rewards[t] / given.max(f64::MIN_POSITIVE);
        let extra = types.purchases(1, t, 1, all) / types.purchases(0, t, 1, all).max(1.0) - 1.0;
        // Discounts on sales that would have happened without the program: the share of the
        // type's sales with the discount that it also makes without it.
        let would_anyway = (revenue(0, t) / revenue(1, t).max(f64::MIN_POSITIVE)).min(1.0);
        anyway += types.rewards[t] * would_anyway;
        type_rows.push(vec![
            names[t].to_string(),
            facts.percent(format!("customer_share_{}", key[t]), customer_share[t], 0),
            facts.percent(format!("discount_share_{}", key[t]), money_share[t], 0),
            facts.change(format!("extra_purchases_{}", key[t]), extra),
            facts.percent(
                format!("discount_on_purchases_anyway_{}", key[t]),
                would_anyway,
                0,
            ),
        ]);
    }
    let anyway_share = anyway / given.max(f64::MIN_POSITIVE);
    let anyway_shown = facts.percent("discount_on_purchases_anyway", anyway_share, 0);
    let shown = |k: &str| facts.shown(k);
    let rate_shown = crate::money::format_percent(rate, 0);
    let sections = vec![
        Section {
            heading: "Two designs for the same customers".into(),
            paragraphs: vec![
                format!(
                    "A {rate_shown} discount at the till for every member, against \
                     {points_design}. Same customers, same random numbers, {months} months; \
                     each design is compared with the same customers without any program."
                ),
                format!(
                    "The discount grows revenue by {} ({}), which brings {} of extra gross \
                     margin (sales less the cost of the goods). But it pays {} in discounts, so \
                     the margin after rewards is {} and the NPV {}. The points program adds {} \
                     of revenue for {} of rewards: NPV {}.",
                    shown("revenue_growth_discount"),
                    shown("incremental_revenue_discount"),
                    shown("incremental_gross_margin_discount"),
                    shown("reward_cost_discount"),
                    shown("margin_after_rewards_discount"),
                    shown("npv_discount"),
                    shown("incremental_revenue_points"),
                    shown("reward_cost_points"),
                    shown("npv_points"),
                ),
            ],
            table: Some(Table {
                header: vec![
                    "medians over the trials".into(),
                    format!("{rate_shown} discount"),
                    "points".into(),
                ],
                rows,
            }),
        },
        Section {
            heading: "Who got the money".into(),
            paragraphs: vec![format!(
                "Truly loyal customers are {} of the customers but received {} of the discount \
                 money, and their purchases changed by only {}: they would have come anyway. Across all \
                 types, {} of the discount was paid on purchases that would have happened \
                 without it. A discount cannot tell the customer it needs to move from the one \
                 it is paying for nothing; a reward that must be earned and reached pays less \
                 to those who would buy anyway.",
                shown("customer_share_true"),
                shown("discount_share_true"),
                shown("extra_purchases_true"),
                anyway_shown,
            )],
            table: Some(Table {
                header: vec![
                    "type".into(),
                    "share of customers".into(),
                    "share of the discount money".into(),
                    "extra purchases with the discount".into(),
                    "discount paid on purchases made anyway".into(),
                ],
                rows: type_rows,
            }),
        },
    ];
    let conclusion = format!(
        "The discount grows revenue ({}) while destroying margin ({} after rewards; NPV {} \
         against {} for points): {} of it went on purchases that would have happened anyway, \
         {} of it to truly loyal customers.",
        shown("revenue_growth_discount"),
        shown("margin_after_rewards_discount"),
        shown("npv_discount"),
        shown("npv_points"),
        anyway_shown,
        shown("discount_share_true"),
    );
    let m_d = &run_d.summary.metrics;
    let m_p = &run_p.summary.metrics;
    let values = |m: &Metrics| {
        vec![
            m.incremental_revenue.p50,
            m.incremental_gross_margin.p50,
            -m.reward_cost.p50,
            m.npv.p50,
        ]
    };
    let money = super::bars(
        "discount_trap_money",
        "Revenue up, margin down",
        format!("over {months} months ({})", c.symbol),
        Scale::Money(c.clone()),
        vec![
            "extra revenue".into(),
            "extra gross margin".into(),
            "rewards paid".into(),
            "NPV".into(),
        ],
        vec![
            (
                format!("{rate_shown} discount"),
                palette::VERMILLION,
                values(m_d),
            ),
            ("points".into(), palette::BLUE, values(m_p)),
        ],
        "Medians over the trials, against the same customers without any program. \
                  Rewards paid are drawn below zero: they are what the extra margin has to \
                  cover."
            .into(),
    );
    let who = super::bars(
        "discount_trap_who",
        "Who got the discount",
        "share".into(),
        Scale::Percent,
        names.iter().map(|n| n.to_string()).collect(),
        vec![
            (
                "share of customers".into(),
                palette::SKY,
                customer_share.to_vec(),
            ),
            (
                "share of the discount money".into(),
                palette::VERMILLION,
                money_share.to_vec(),
            ),
        ],
        "Each loyalty type's share of the customers at launch and of the discounts \
                  given over the horizon. The types who buy most get most of the discount, \
                  whether or not it changed what they bought."
            .into(),
    );
    Ok(Story {
        sections,
        conclusion,
        figures: vec![money, who],
    })
}
