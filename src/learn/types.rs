//! Lesson "types": the attitude × patronage matrix (DOMAIN §1) on a simulated population, and
//! how each type buys, responds to the program, to a competitor's promotion and to the
//! program's end.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::panel::TypeMonths;
use super::{Facts, LessonError, LessonFigure, Prepared, Section, Story, Table};
use crate::model::population::LoyaltyType;
use crate::report::chart::{BandChart, Figure, Scale, ScatterChart, Series, palette};
use crate::report::figures::AnyChart;
use crate::sim::rng::mix;

/// Customers of the first trial placed on the plane.
const PLOTTED: u64 = 1000;

pub(super) fn teach(lesson: &Prepared, facts: &mut Facts) -> Result<Story, LessonError> {
    let scenario = lesson.scenario();
    let months = scenario.simulation.months as usize;
    let seed = scenario.simulation.seed;
    let c = scenario.finance.currency.clone();
    let margin = scenario.finance.gross_margin;
    // Launch customers are numbered type by type: every `stride`-th one samples them all.
    let stride = (scenario.simulation.customers / PLOTTED).max(1);
    let (acc, plotted) = lesson.fold(
        || (TypeMonths::new(months), Vec::new()),
        |(sums, plotted), customer| {
            sums.add(customer);
            // Patronage: purchases a month in year one, without the program.
            let (mut bought, mut there) = (0.0, 0.0);
            for m in 0..months.min(12) {
                let month = customer.month(m);
                if month.alive[0] {
                    bought += month.purchases[0] as f64;
                    there += 1.0;
                }
            }
            if customer.trial == 0 && customer.index % stride == 0 && there > 0.0 {
                plotted.push((customer.loyalty_type, bought / there));
            }
        },
        |(sums, plotted), (part, points)| {
            sums.merge(&part);
            plotted.extend(points);
        },
    )?;

    let promotion = scenario
        .market
        .competitor
        .and_then(|c| c.month)
        .unwrap_or(12) as usize;
    let end = scenario
        .program
        .exit
        .map_or(months + 1, |e| e.month as usize);
    let before = promotion.saturating_sub(1).max(1);
    let total: u64 = acc.customers.iter().sum();
    let per_trial = total / scenario.simulation.trials.max(1);
    let names = LoyaltyType::FOUR.map(|t| t.label());
    let key = LoyaltyType::FOUR.map(|t| t.key());

    let mut rows = Vec::new();
    let mut reactions = Vec::new();
    let mut effect = [0.0; 4];
    let mut promo = [0.0; 4];
    let mut after = [0.0; 4];
    for t in 0..4 {
        let n = acc.customers[t].max(1) as f64;
        let share = facts.percent(
            format!("share_{}", key[t]),
            acc.customers[t] as f64 / total.max(1) as f64,
            0,
        );
        let rate = facts.number(
            format!("purchases_per_month_{}", key[t]),
            acc.rate(0, t, 1, before),
            2,
        );
        let spend_value = acc.revenue(0, t, 1, before) / acc.purchases(0, t, 1, before).max(1.0);
        let spend = facts.money(format!("spend_per_purchase_{}", key[t]), &c, spend_value);
        let profit_value = margin * acc.revenue(0, t, 1, 12) / n;
        let profit = facts.money(
            format!("gross_profit_per_customer_year_{}", key[t]),
            &c,
            profit_value,
        );
        effect[t] = acc.purchases(1, t, 1, before) / acc.purchases(0, t, 1, before).max(1.0) - 1.0;
        let effect_shown = facts.change(format!("program_effect_{}", key[t]), effect[t]);
        let net_value = (margin * (acc.revenue(1, t, 1, months) - acc.revenue(0, t, 1, months))
            - acc.rewards[t])
            / n;
        let net = facts.money(
            format!("program_net_per_customer_{}", key[t]),
            &c,
            net_value,
        );
        let promo_from = promotion.saturating_sub(3).max(1);
        promo[t] =
            acc.rate(1, t, promotion, promotion + 1) / acc.rate(1, t, promo_from, before) - 1.0;
        let promo_shown = facts.change(format!("promotion_reaction_{}", key[t]), promo[t]);
        after[t] = acc.rate(1, t, end, months) / acc.rate(0, t, end, months) - 1.0;
        let after_shown = facts.change(format!("after_program_{}", key[t]), after[t]);
        rows.push(vec![names[t].to_string(), share, rate, spend, profit]);
        reactions.push(vec![
            names[t].to_string(),
            effect_shown,
            net,
            promo_shown,
            after_shown,
        ]);
    }
    let shown = |k: &str| facts.shown(k);

    let mut sections = vec![Section {
        heading: "Two questions sort every customer".into(),
        paragraphs: vec![
            "Attitude: how much does the customer like the brand? A survey asks it. Patronage: \
             how regularly does the customer buy here? The till sees it. High or low on each \
             gives four types of loyalty (Dick & Basu)."
                .into(),
            "True loyalty: likes the brand and buys regularly. Latent loyalty: likes the brand \
             but buys rarely, because price, distance or the occasion stand in the way. False \
             loyalty: buys often out of habit, convenience or for the discounts, without any \
             attachment. No loyalty: neither likes the brand nor buys much. (Committed \
             customers are the far end of true loyalty: nothing a competitor does moves them.)"
                .into(),
            format!(
                "Of these {} customers, {} are truly loyal, {} latent, {} falsely loyal and {} \
                 not loyal. The first chart places them on the two axes.",
                crate::money::format_number(per_trial as f64, 0),
                shown("share_true"),
                shown("share_latent"),
                shown("share_false"),
                shown("share_none")
            ),
        ],
        table: None,
    }];
    sections.push(Section {
        heading: "How each type buys".into(),
        paragraphs: vec![format!(
            "Without any program, a truly loyal customer buys {} times a month and brings {} \
                 of gross profit a year (sales less the cost of the goods); a falsely loyal one \
                 buys {} times and brings {}; a latent one only {} times, {}.",
            shown("purchases_per_month_true"),
            shown("gross_profit_per_customer_year_true"),
            shown("purchases_per_month_false"),
            shown("gross_profit_per_customer_year_false"),
            shown("purchases_per_month_latent"),
            shown("gross_profit_per_customer_year_latent"),
        )],
        table: Some(Table {
            header: vec![
                "type".into(),
                "share".into(),
                "purchases a month".into(),
                "spend a purchase".into(),
                "gross profit a year".into(),
            ],
            rows,
        }),
    });
    sections.push(Section {
        heading: "What the program does, and how each type reacts".into(),
        paragraphs: vec![format!(
            "The points program (months 1 to {}) changes purchases by {} for latent \
                 customers, {} for falsely loyal ones and {} for truly loyal ones, who came \
                 anyway: their rewards are mostly a gift on purchases that would have happened \
                 without the program. Over the {} months, the margin the program adds less the \
                 rewards it pays comes to {} per latent customer and {} per truly loyal one.",
            before,
            shown("program_effect_latent"),
            shown("program_effect_false"),
            shown("program_effect_true"),
            months,
            shown("program_net_per_customer_latent"),
            shown("program_net_per_customer_true"),
        )],
        table: Some(Table {
            header: vec![
                "type".into(),
                format!("program, months 1–{before}"),
                "program's net".into(),
                format!("competitor, {promotion}–{}", promotion + 1),
                format!("after the end, {end}–{months}"),
            ],
            rows: reactions,
        }),
    });
    sections.push(Section {
        heading: format!(
            "A competitor's promotion in months {promotion} and {}",
            promotion + 1
        ),
        paragraphs: vec![format!(
            "A rival's campaign pulls customers in proportion to how little they are attached. \
             Compared with the three months before it, purchases per customer change by {} for \
             falsely loyal customers and by {} for truly loyal ones; no-loyalty customers {}, \
             latent ones {}. Some of those pulled away never come back.",
            shown("promotion_reaction_false"),
            shown("promotion_reaction_true"),
            shown("promotion_reaction_none"),
            shown("promotion_reaction_latent"),
        )],
        table: None,
    });
    if end <= months {
        sections.push(Section {
            heading: format!("The program ends in month {end}"),
            paragraphs: vec![format!(
                "After the program, falsely loyal customers' purchases differ by {} from the \
                 same customers who never had it: the reward was their reason, and with it gone \
                 some are disappointed. Truly loyal customers: {}. How a program will end, and \
                 what that costs, belongs in its business case from the start.",
                shown("after_program_false"),
                shown("after_program_true"),
            )],
            table: None,
        });
    }
    let conclusion = format!(
        "Truly loyal customers hold steady through the competitor's promotion ({}) and the \
         program's end ({}); falsely loyal ones follow the best offer ({}) and fall below their \
         old habit when the program ends ({}); latent customers are the ones the program grows \
         ({} against {} for the truly loyal).",
        shown("promotion_reaction_true"),
        shown("after_program_true"),
        shown("promotion_reaction_false"),
        shown("after_program_false"),
        shown("program_effect_latent"),
        shown("program_effect_true"),
    );

    // The plane: patronage measured, attitude known only as high or low.
    let median = {
        let mut x: Vec<f64> = plotted.iter().map(|p| p.1).collect();
        x.sort_by(f64::total_cmp);
        x.get(x.len() / 2).copied().unwrap_or(1.0)
    };
    let groups = (0..4)
        .map(|t| {
            let points = plotted
                .iter()
                .enumerate()
                .filter(|(_, p)| p.0 == t)
                .map(|(i, p)| {
                    let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix(seed) ^ i as u64);
                    let high = t < 2;
                    let y = if high { 0.55 } else { 0.05 } + 0.4 * rng.random::<f64>();
                    (p.1, y)
                })
                .collect();
            (names[t].to_string(), palette::TYPES[t], points)
        })
        .collect();
    let scatter = LessonFigure {
        figure: Figure {
            name: "types_plane",
            footer: String::new(),
            chart: AnyChart::Scatter(ScatterChart {
                title: "Customers on the attitude × patronage plane".into(),
                x_label: "patronage: purchases a month in year one, without the program".into(),
                y_label: "attitude (survey): low ↔ high".into(),
                x_scale: Scale::Plain,
                y_scale: Scale::Plain,
                groups,
                x_divide: Some(median),
                y_divide: Some(0.5),
                quadrants: [
                    "latent".into(),
                    "true".into(),
                    "none".into(),
                    "false".into(),
                ],
            }),
        },
        caption: format!(
            "Every {}th customer of the first trial. Across: how often each bought in its first \
             year without the program (the dashed line is the median customer, {} a month). \
             Up: attitude, which the model knows only as high or low, so each dot is placed at \
             random within its half. Truly and falsely loyal customers buy more often than \
             latent and non-loyal ones; the types overlap, which is why patronage alone cannot \
             tell true from false loyalty.",
            stride,
            crate::money::format_number(median, 2)
        ),
    };
    let x: Vec<f64> = (1..=months).map(|m| m as f64).collect();
    let series = (0..4)
        .map(|t| Series {
            label: names[t].to_string(),
            color: palette::TYPES[t],
            x: x.clone(),
            line: (1..=months).map(|m| acc.rate(1, t, m, m)).collect(),
            band: None,
        })
        .collect();
    let mut markers = vec![(promotion as f64, "competitor promotion".to_string())];
    if end <= months {
        markers.push((end as f64, "program ends".to_string()));
    }
    let lines = LessonFigure {
        figure: Figure {
            name: "types_purchases",
            footer: String::new(),
            chart: AnyChart::Band(BandChart {
                title: "Purchases a month per customer, by loyalty type".into(),
                x_label: "month".into(),
                y_label: "purchases per customer a month".into(),
                x_scale: Scale::Plain,
                y_scale: Scale::Plain,
                series,
                markers,
                zero_line: true,
                note: String::new(),
            }),
        },
        caption: "Purchases per customer still buying here, with the program, averaged over the \
                  trials, by the type each customer had at launch. The dashed lines mark the \
                  competitor's promotion and the first month without the program."
            .into(),
    };
    let categories = vec![
        format!("program (months 1–{before})"),
        format!("competitor (months {promotion}–{})", promotion + 1),
        format!("after the program (months {end}–{months})"),
    ];
    let bars = super::bars(
        "types_reactions",
        "How each type reacts",
        "change in purchases".into(),
        Scale::Percent,
        categories,
        (0..4)
            .map(|t| {
                (
                    names[t].to_string(),
                    palette::TYPES[t],
                    vec![effect[t], promo[t], after[t]],
                )
            })
            .collect(),
        format!(
            "The program's effect on purchases while it runs, before the promotion (with against \
             without the program); the competitor's promotion (against the three months before \
             it); and after the program (against the same customers who never had it). {} of \
             the truly loyal customers' purchases would have happened anyway.",
            crate::money::format_percent(1.0 / (1.0 + effect[0]).max(1e-9), 0)
        ),
    );
    Ok(Story {
        sections,
        conclusion,
        figures: vec![scatter, lines, bars],
    })
}
