//! Lesson "threshold": one points program at a low, a good and a too-high redemption
//! threshold, the reward growing with its price so that every design gives the same share
//! back. Light buyers never reach a high threshold before their points expire: breakage and
//! the liability rise, and the reward stops pulling (DOMAIN §3).

use super::{Facts, LessonError, LessonFigure, Prepared, Section, Story, Table};
use crate::metrics::finance::Series;
use crate::model::population::LoyaltyType;
use crate::report::chart::{BandChart, Figure, Scale, Series as Line, palette};
use crate::report::figures::AnyChart;
use crate::run::RunOutput;

/// The designs: name, and the price of the reward as a multiple of the file's.
const DESIGNS: [(&str, f64); 3] = [("low", 0.2), ("middle", 1.0), ("too high", 6.0)];

/// Members and members who reached a reward at least once, by launch type.
#[derive(Default)]
struct Reach {
    members: [f64; 4],
    redeemed: [f64; 4],
}

struct Design {
    name: &'static str,
    points: u64,
    value: f64,
    run: RunOutput,
    reach: Reach,
}

pub(super) fn teach(lesson: &Prepared, facts: &mut Facts) -> Result<Story, LessonError> {
    let scenario = lesson.scenario();
    let c = scenario.finance.currency.clone();
    let months = scenario.simulation.months as usize;
    let (points, cost, value) = scenario
        .program
        .points
        .as_ref()
        .and_then(|p| p.rewards.first())
        .map_or((500, 5.0, 5.0), |r| (r.points, r.cost, r.value));
    let mut designs = Vec::new();
    for (name, factor) in DESIGNS {
        let price = (points as f64 * factor).round().max(1.0);
        let variant = lesson.variant(&[
            ("program.points.rewards[0].points", price),
            (
                "program.points.rewards[0].cost",
                cost * price / points as f64,
            ),
            (
                "program.points.rewards[0].value",
                value * price / points as f64,
            ),
        ])?;
        let run = variant.run()?;
        let reach = variant.fold(
            Reach::default,
            |acc, customer| {
                let t = customer.loyalty_type;
                let mut member = false;
                let mut redeemed = false;
                for m in 0..months {
                    let month = customer.month(m);
                    member |= month.member;
                    redeemed |= month.redemptions > 0;
                }
                acc.members[t] += f64::from(u8::from(member));
                acc.redeemed[t] += f64::from(u8::from(redeemed));
            },
            |total, part| {
                for t in 0..4 {
                    total.members[t] += part.members[t];
                    total.redeemed[t] += part.redeemed[t];
                }
            },
        )?;
        designs.push(Design {
            name,
            points: price as u64,
            value: value * price / points as f64,
            run,
            reach,
        });
    }

    let key = LoyaltyType::FOUR.map(|t| t.key());
    let names = LoyaltyType::FOUR.map(|t| t.label());
    let tag = |d: &Design| d.name.replace(' ', "_");
    let mut rows: Vec<Vec<String>> = vec![
        vec!["reward".into()],
        vec!["members who reached a reward".into()],
        vec!["breakage (points never redeemed)".into()],
        vec!["owed to members at the end".into()],
        vec!["extra revenue".into()],
        vec!["rewards paid".into()],
        vec!["NPV".into()],
    ];
    let mut type_rows: Vec<Vec<String>> = names.iter().map(|n| vec![n.to_string()]).collect();
    let mut reached = Vec::new();
    for d in &designs {
        let m = &d.run.summary.metrics;
        let t = tag(d);
        let all_members: f64 = d.reach.members.iter().sum();
        let all_redeemed: f64 = d.reach.redeemed.iter().sum();
        rows[0].push(format!(
            "{} at {} points",
            c.format(d.value),
            crate::money::format_number(d.points as f64, 0)
        ));
        rows[1].push(facts.percent(
            format!("members_reaching_a_reward_{t}"),
            all_redeemed / all_members.max(1.0),
            0,
        ));
        rows[2].push(facts.percent(format!("breakage_{t}"), m.breakage_rate.p50, 0));
        rows[3].push(facts.money(format!("liability_end_{t}"), &c, m.liability_end.p50));
        rows[4].push(facts.money(
            format!("incremental_revenue_{t}"),
            &c,
            m.incremental_revenue.p50,
        ));
        rows[5].push(facts.money(format!("reward_cost_{t}"), &c, m.reward_cost.p50));
        rows[6].push(facts.money(format!("npv_{t}"), &c, m.npv.p50));
        let mut shares = [0.0; 4];
        for (i, row) in type_rows.iter_mut().enumerate() {
            shares[i] = d.reach.redeemed[i] / d.reach.members[i].max(1.0);
            row.push(facts.percent(format!("reached_{}_{t}", key[i]), shares[i], 0));
        }
        reached.push(shares);
    }
    let shown = |k: &str| facts.shown(k);
    let header: Vec<String> = std::iter::once("medians over the trials".to_string())
        .chain(designs.iter().map(|d| format!("{} threshold", d.name)))
        .collect();
    // DESIGNS has three entries, so `designs` has three.
    let (low, good, high) = (&designs[0], &designs[1], &designs[2]);
    let best = designs
        .iter()
        .max_by(|a, b| {
            a.run
                .summary
                .metrics
                .npv
                .p50
                .total_cmp(&b.run.summary.metrics.npv.p50)
        })
        .map_or("middle", |d| d.name);
    let sections = vec![
        Section {
            heading: "One program, three thresholds".into(),
            paragraphs: vec![
                format!(
                    "Members earn a point per {} spent and exchange points for a voucher. Every \
                     design gives the same share back; only the price of the reward changes: \
                     {} at {} points, {} at {} points, or {} at {} points. Points expire after \
                     a year.",
                    c.format(1.0),
                    c.format(low.value),
                    low.points,
                    c.format(good.value),
                    good.points,
                    c.format(high.value),
                    crate::money::format_number(high.points as f64, 0),
                ),
                format!(
                    "With the low threshold {} of members reach a reward, with the middle one \
                     {}, with the too-high one only {}; among the occasional (no-loyalty) \
                     members, {}, {} and {}. Points that are never redeemed expire: breakage is \
                     {}, {} and {}. What the program owes at the end ({}, {}, {}) counts only \
                     the points members are expected to redeem.",
                    shown("members_reaching_a_reward_low"),
                    shown("members_reaching_a_reward_middle"),
                    shown("members_reaching_a_reward_too_high"),
                    shown("reached_none_low"),
                    shown("reached_none_middle"),
                    shown("reached_none_too_high"),
                    shown("breakage_low"),
                    shown("breakage_middle"),
                    shown("breakage_too_high"),
                    shown("liability_end_low"),
                    shown("liability_end_middle"),
                    shown("liability_end_too_high"),
                ),
                format!(
                    "Breakage looks like profit, but a reward nobody can reach does not pull \
                     members back: the program adds {} of revenue with the low threshold, {} \
                     with the middle one and {} with the too-high one. NPV: {}, {} and {}; the \
                     best of the three here is the {} threshold.",
                    shown("incremental_revenue_low"),
                    shown("incremental_revenue_middle"),
                    shown("incremental_revenue_too_high"),
                    shown("npv_low"),
                    shown("npv_middle"),
                    shown("npv_too_high"),
                    best,
                ),
            ],
            table: Some(Table {
                header: header.clone(),
                rows,
            }),
        },
        Section {
            heading: "Who reaches a reward".into(),
            paragraphs: vec![format!(
                "Members who redeemed at least once, by loyalty type. At the middle threshold, \
                 {} of truly loyal members reach a reward but only {} of latent ones; at the \
                 too-high threshold, {} of truly loyal members and {} of latent ones. Light \
                 buyers' points expire before they add up to a reward.",
                shown("reached_true_middle"),
                shown("reached_latent_middle"),
                shown("reached_true_too_high"),
                shown("reached_latent_too_high"),
            )],
            table: Some(Table {
                header: std::iter::once("members who redeemed".to_string())
                    .chain(header.iter().skip(1).cloned())
                    .collect(),
                rows: type_rows,
            }),
        },
    ];
    let conclusion = format!(
        "Raising the threshold while keeping the same share back lifts breakage from {} (low) \
         to {} (too high), because light buyers never reach a reward ({} of occasional members \
         do at the too-high threshold, {} at the low one): the reward stops pulling, and the \
         extra revenue falls from {} to {}.",
        shown("breakage_low"),
        shown("breakage_too_high"),
        shown("reached_none_too_high"),
        shown("reached_none_low"),
        shown("incremental_revenue_low"),
        shown("incremental_revenue_too_high"),
    );
    let colours = [palette::SKY, palette::BLUE, palette::VERMILLION];
    let reach_chart = super::bars(
        "threshold_reach",
        "Members who reached a reward, by loyalty type",
        "share of members".into(),
        Scale::Percent,
        names.iter().map(|n| n.to_string()).collect(),
        designs
            .iter()
            .zip(&reached)
            .zip(colours)
            .map(|((d, r), colour)| {
                (
                    format!(
                        "{} ({} points)",
                        d.name,
                        crate::money::format_number(d.points as f64, 0)
                    ),
                    colour,
                    r.to_vec(),
                )
            })
            .collect(),
        "Share of each type's members who redeemed at least once over the horizon, \
                  all trials together. Light buyers' points expire before they reach a high \
                  threshold."
            .into(),
    );
    let liability = Series::ALL
        .iter()
        .position(|s| *s == Series::Liability)
        .unwrap_or(0);
    let lines = designs
        .iter()
        .zip(colours)
        .map(|(d, colour)| Line {
            label: format!("{} threshold", d.name),
            color: colour,
            x: d.run.monthly.iter().map(|m| f64::from(m.month)).collect(),
            line: d
                .run
                .monthly
                .iter()
                .map(|m| m.series.get(liability).map_or(0.0, |s| s.p50))
                .collect(),
            band: None,
        })
        .collect();
    let liability_chart = LessonFigure {
        figure: Figure {
            name: "threshold_liability",
            footer: String::new(),
            chart: AnyChart::Band(BandChart {
                title: "What the program owes its members".into(),
                x_label: "month".into(),
                y_label: format!("points liability ({})", c.symbol),
                x_scale: Scale::Plain,
                y_scale: Scale::Money(c.clone()),
                series: lines,
                markers: Vec::new(),
                zero_line: true,
                note: String::new(),
            }),
        },
        caption: "Median over the trials of what the program owes its members at each month \
                  end for the points they hold (the liability of the run's summary)."
            .into(),
    };
    Ok(Story {
        sections,
        conclusion,
        figures: vec![reach_chart, liability_chart],
    })
}
