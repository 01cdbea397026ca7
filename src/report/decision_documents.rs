//! The report and workbook of each decision (compare, sweep, optimise, tornado and its Sobol
//! indices) as a [`Document`]: the answer first, the tables a decision rests on, its charts,
//! and how the numbers are made. Designs are named as the comparison names them, points by
//! their inputs' values. Numbers are rounded by the run report's rule (the Particle Data
//! Group's, [`super::console::error_place`]): a row's numbers to the place its mean's Monte
//! Carlo error supports.

use super::console::{Unit, error_place, stats_place};
use super::decisions::{Provenance, Rendered};
use super::document::{Cell, Document, Table, report};
use super::{ReportError, labels};
use crate::decide::compare::CompareOutput;
use crate::decide::optimise::Optimum;
use crate::decide::sobol::Sensitivity;
use crate::decide::sweep::Sweep;
use crate::decide::tornado::{HIGH, LOW, Tornado};
use crate::metrics::finance::Goal;
use crate::metrics::stats::Stats;
use crate::model::rfm::Group;
use crate::money::{Currency, format_number};

/// The place a chance (a share of trials) is shown to: a tenth of a percentage point, as the
/// run's summary shows it.
const CHANCE_PLACE: i32 = -3;

/// The place a value of `unit` without a Monte Carlo error is shown to: whole units for
/// amounts of a hundred and more, cents below; a tenth of a percentage point; whole counts.
fn plain_place(unit: Unit, largest: f64) -> i32 {
    match unit {
        Unit::Money if largest >= 100.0 => 0,
        Unit::Money => -2,
        Unit::Percent => CHANCE_PLACE,
        Unit::Points | Unit::People => 0,
    }
}

/// The place of a metric's numbers, as the run's summary tables round them.
fn place_of(s: &Stats, unit: Unit) -> i32 {
    stats_place(s, unit)
        .unwrap_or_else(|| plain_place(unit, s.mean.abs().max(s.p5.abs()).max(s.p95.abs())))
}

/// The place of a mean `s` shown beside amounts as large as `largest`: the place its Monte
/// Carlo error supports, or, for a figure the same in every trial, whole units beside amounts
/// of a hundred and more (so a column reads €0 beside €600, not €0.00), and zero whole.
pub(crate) fn place_beside(s: &Stats, unit: Unit, largest: f64) -> i32 {
    let largest = largest.max(s.mean.abs());
    match stats_place(s, unit) {
        Some(place) => place,
        // Nothing at all is nothing, not "€0.00".
        None if largest == 0.0 => 0,
        None => plain_place(unit, largest),
    }
}

/// The place of a mean known to `sem` among values as large as `largest`.
fn mean_place(sem: f64, unit: Unit, largest: f64) -> i32 {
    match unit {
        Unit::Percent => Some(CHANCE_PLACE),
        Unit::Money => super::console::money_place(sem, largest),
        Unit::Points | Unit::People => error_place(sem).map(|p| p.max(0)),
    }
    .unwrap_or_else(|| plain_place(unit, largest))
}

/// A standard error as a cell: at `place`, in percentage points for a share.
fn error_cell(sem: f64, unit: Unit, c: &Currency, place: i32) -> Cell {
    let mut cell = Cell::at(sem, unit, c, place);
    if let (Unit::Percent, Cell::Number { shown, .. }) = (unit, &mut cell) {
        *shown = shown.replace('%', " pp");
    }
    cell
}

/// Median, 5th and 95th percentiles, mean and its error of `s`, all at one place.
fn stats_row(s: &Stats, unit: Unit, c: &Currency) -> [Cell; 5] {
    let p = place_of(s, unit);
    [
        Cell::at(s.p50, unit, c, p),
        Cell::at(s.p5, unit, c, p),
        Cell::at(s.p95, unit, c, p),
        Cell::at(s.mean, unit, c, p),
        error_cell(s.sem.unwrap_or(0.0), unit, c, p),
    ]
}

const STATS_COLUMNS: [&str; 5] = [
    "Median",
    "5th percentile",
    "95th percentile",
    "Mean",
    "± MC error",
];

fn chance(p: f64, c: &Currency) -> Cell {
    Cell::at(p, Unit::Percent, c, CHANCE_PLACE)
}

/// Who produced the analysis, for the page's header and the workbook's Summary sheet.
fn meta(provenance: &Provenance, runs: &str) -> Vec<(String, String)> {
    let mut m = vec![(
        "Program".to_string(),
        format!("{} {}", provenance.program, provenance.version),
    )];
    for (path, sha) in &provenance.scenarios {
        m.push(("Scenario file".into(), path.clone()));
        m.push(("Scenario SHA-256".into(), sha.clone()));
    }
    m.push(("Seed".into(), provenance.seed.to_string()));
    m.push((
        "Trials".into(),
        format!("{} {runs}", format_number(provenance.trials as f64, 0)),
    ));
    m
}

/// The file stem of the first scenario, for titles.
fn scenario_name(provenance: &Provenance) -> String {
    provenance
        .scenarios
        .first()
        .map(|(p, _)| {
            std::path::Path::new(p)
                .file_stem()
                .map_or_else(|| p.clone(), |s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
}

/// A table's note on its rounding, pointing to the method.
const ROUNDED: &str =
    "Rounded to what the Monte Carlo error supports (see How these numbers are made).";

const ROUNDING: &str = "Numbers are rounded to what the Monte Carlo error supports: the error to two significant figures when its leading digits are 100–354 and to one otherwise (the Particle Data Group's rule), every number of a row to the same place, amounts of a hundred and more to the whole unit at most; chances to a tenth of a percentage point. The CSV and JSON files and the workbook keep full precision.";

const COMMON_NUMBERS: &str = "Every design runs on the same customers, market and random numbers (common random numbers): trial k of one design meets the same people and events as trial k of another, so differences between designs are measured trial by trial and are the designs' doing, not luck.";

/// `report.html` and `workbook.xlsx` of `doc`, its charts taken from the SVG files among
/// `files`.
pub fn documents(doc: &Document, files: &[Rendered]) -> Result<Vec<Rendered>, ReportError> {
    let svgs: Vec<(String, String)> = doc
        .charts
        .iter()
        .filter_map(|(name, _)| {
            let file = format!("{name}.svg");
            // The chart file carries its font; the report carries one for all its charts.
            files.iter().find(|f| f.name() == file).map(|f| {
                (
                    name.clone(),
                    super::chart::font::page_svg(&String::from_utf8_lossy(f.bytes())),
                )
            })
        })
        .collect();
    Ok(vec![
        Rendered::new("report.html", report(doc, &svgs)?.into_bytes()),
        Rendered::new("workbook.xlsx", super::workbook::document_workbook(doc)?),
    ])
}

/// The comparison as a document: the designs side by side, every metric, the differences
/// from the first, and who beats whom.
pub fn compare_document(out: &CompareOutput, provenance: &Provenance) -> Document {
    let cmp = &out.comparison;
    // `compare` gives at least two runs, one name, one entry of every list per design, and a
    // ranking that is a permutation of the designs (see `decisions::compare_text`).
    let c = out.runs[0].scenario.finance.currency.clone();
    let months = out.runs[0].scenario.simulation.months;
    let npv = |d: usize| &out.runs[d].summary.metrics.npv;
    let best = cmp.ranking[0];
    let second = cmp.ranking[1];
    let shown = |s: &Stats, x: f64| Cell::at(x, Unit::Money, &c, place_of(s, Unit::Money));
    let verdict = format!(
        "{} ranks first by median NPV, {} (5th to 95th percentile {} … {}), against {} for {}; trial by trial, {} has the higher NPV in {} of the trials and pays back within {} months in {} of them.",
        cmp.titles[best],
        shown(npv(best), npv(best).p50).as_shown(),
        shown(npv(best), npv(best).p5).as_shown(),
        shown(npv(best), npv(best).p95).as_shown(),
        shown(npv(second), npv(second).p50).as_shown(),
        cmp.titles[second],
        cmp.titles[best],
        chance(cmp.beats_on_npv[best][second], &c).as_shown(),
        months,
        chance(cmp.payback_probability[best], &c).as_shown(),
    );
    let mut warnings = Vec::new();
    if !cmp.same_customers {
        warnings.push("These designs do not share the same customers and market, so the differences include the difference in customers, not only in design.".to_string());
    }
    if !cmp.same_terms {
        warnings.push("These designs use different gross margins or discount rates, so their NPVs are measured on different terms.".to_string());
    }
    let side_by_side = Table {
        title: "The designs side by side, best first".into(),
        sheet: "Designs".into(),
        columns: [
            "Design",
            "Rank",
            "Median NPV",
            "NPV 5th percentile",
            "NPV 95th percentile",
            "Mean NPV",
            "± MC error",
            "Chance of payback",
            "Best on NPV (share of trials)",
            "Pays back first (share of trials)",
        ]
        .map(String::from)
        .to_vec(),
        rows: cmp
            .ranking
            .iter()
            .enumerate()
            .map(|(rank, &d)| {
                let mut row = vec![Cell::text(&cmp.titles[d]), Cell::plain(rank as f64 + 1.0)];
                let [p50, p5, p95, mean, sem] = stats_row(npv(d), Unit::Money, &c);
                row.extend([p50, p5, p95, mean, sem]);
                row.push(chance(cmp.payback_probability[d], &c));
                row.push(chance(cmp.best_on_npv[d], &c));
                row.push(chance(cmp.best_on_payback[d], &c));
                row
            })
            .collect(),
        note: format!(
            "Ranked by median NPV. A trial's best design has the highest NPV of the trial (designs tied at the top share the trial: a design compared with itself is never best alone); \"pays back first\" counts only trials in which some design pays back within {months} months. {ROUNDED}"
        ),
    };
    let mut metrics_rows = Vec::new();
    let mut difference_rows = Vec::new();
    for m in &cmp.metrics {
        let unit = labels::unit(m.metric);
        for (d, s) in m.designs.iter().enumerate() {
            let mut row = vec![
                Cell::text(labels::metric(m.metric)),
                Cell::text(&cmp.titles[d]),
            ];
            row.extend(stats_row(s, unit, &c));
            metrics_rows.push(row);
        }
        for (d, s) in m.difference_from_first.iter().enumerate().skip(1) {
            let mut row = vec![
                Cell::text(labels::metric(m.metric)),
                Cell::text(&cmp.titles[d]),
            ];
            row.extend(stats_row(s, unit, &c).map(|cell| match (unit, cell) {
                (
                    Unit::Percent,
                    Cell::Number {
                        value,
                        shown,
                        unit,
                        decimals,
                    },
                ) => Cell::Number {
                    value,
                    shown: shown.replace('%', " pp"),
                    unit,
                    decimals,
                },
                (_, cell) => cell,
            }));
            difference_rows.push(row);
        }
    }
    for (d, s) in cmp.payback_difference_from_first.iter().enumerate().skip(1) {
        let row = match s {
            Some(s) => [
                Cell::text("payback month (trials where both pay back)"),
                Cell::text(&cmp.titles[d]),
            ]
            .into_iter()
            .chain(
                [s.p50, s.p5, s.p95, s.mean, s.sem.unwrap_or(0.0)]
                    .map(|x| Cell::shown(x, format_number(x, 1), 1)),
            )
            .collect(),
            // Said once, in the row's name, so the table keeps its width.
            None => [
                Cell::text("payback month: no trial in which both pay back"),
                Cell::text(&cmp.titles[d]),
            ]
            .into_iter()
            .chain((0..5).map(|_| Cell::text("—")))
            .collect(),
        };
        difference_rows.push(row);
    }
    let stats_columns = |first: &str| {
        let mut v = vec![first.to_string(), "Design".to_string()];
        v.extend(STATS_COLUMNS.map(String::from));
        v
    };
    let beats = |title: &str, sheet: &str, matrix: &[Vec<f64>], note: &str| Table {
        title: title.into(),
        sheet: sheet.into(),
        columns: std::iter::once("Row beats column".to_string())
            .chain(cmp.titles.iter().cloned())
            .collect(),
        rows: matrix
            .iter()
            .enumerate()
            .map(|(i, row)| {
                std::iter::once(Cell::text(&cmp.titles[i]))
                    .chain(row.iter().enumerate().map(|(j, p)| {
                        if i == j {
                            Cell::text("—")
                        } else {
                            chance(*p, &c)
                        }
                    }))
                    .collect()
            })
            .collect(),
        note: note.into(),
    };
    // A figure the same in every trial is shown like the group's largest of its kind.
    let largest = |all: &[Stats]| all.iter().map(|s| s.mean.abs()).fold(0.0, f64::max);
    let mean_of = |s: &Stats, all: &[Stats], unit: Unit| {
        Cell::at(s.mean, unit, &c, place_beside(s, unit, largest(all)))
    };
    let by_group = Table {
        title: "Where the rewards go: by RFM group".into(),
        sheet: "By RFM group".into(),
        columns: [
            "RFM group",
            "Design",
            "Member-months",
            "Reward cost",
            "Extra gross margin",
            "Margin less rewards",
        ]
        .map(String::from)
        .to_vec(),
        rows: cmp
            .by_group
            .iter()
            .flat_map(|g| {
                let label = Group::from_key(g.group).map_or(g.group, Group::label);
                (0..cmp.titles.len()).map(move |d| (label, g, d))
            })
            .map(|(label, g, d)| {
                vec![
                    Cell::text(label),
                    Cell::text(&cmp.titles[d]),
                    mean_of(&g.member_months[d], &g.member_months, Unit::People),
                    mean_of(&g.reward_cost[d], &g.reward_cost, Unit::Money),
                    mean_of(&g.incremental_margin[d], &g.incremental_margin, Unit::Money),
                    mean_of(&g.net[d], &g.net, Unit::Money),
                ]
            })
            .collect(),
        note: format!(
            "Means per trial over the horizon. Each customer is read into an RFM group when they arrive, from their purchase rate and spend per purchase against the thresholds of [population.rfm] (the launch base's medians unless stated). Reward cost: rewards at cost given to the group's members (discounts, points redeemed, certificates, privileges, prizes); extra gross margin: the margin on the group's sales with the program less without. {ROUNDED}"
        ),
    };
    Document {
        title: format!("Comparison: {}", cmp.titles.join(" vs ")),
        subtitle: format!(
            "{} designs on the same customers and random numbers, {} trials each, over {months} months.",
            cmp.titles.len(),
            format_number(provenance.trials as f64, 0)
        ),
        meta: meta(provenance, "per design"),
        verdict,
        warnings,
        tables: vec![
            side_by_side,
            Table {
                title: "Every metric, design by design".into(),
                sheet: "Metrics".into(),
                columns: stats_columns("Metric"),
                rows: metrics_rows,
                note: "The distribution of each metric over the trials of each design.".into(),
            },
            Table {
                title: format!("Difference from {}, trial by trial", cmp.titles[0]),
                sheet: "Differences".into(),
                columns: stats_columns("Metric"),
                rows: difference_rows,
                note: format!(
                    "Each design minus {} in the same trial; shares in percentage points, payback in months.",
                    cmp.titles[0]
                ),
            },
            by_group,
            beats(
                "Chance that the row beats the column on NPV",
                "Beats on NPV",
                &cmp.beats_on_npv,
                "Share of trials in which the row's design has the higher NPV (a tie counts for neither).",
            ),
            beats(
                "Chance that the row pays back earlier than the column",
                "Beats on payback",
                &cmp.beats_on_payback,
                "Share of trials in which the row's design pays back earlier (a design that pays back beats one that does not; neither paying back is a tie).",
            ),
        ],
        charts: vec![(
            "compare_cash_flow".into(),
            "The cumulative net cash flow of each design on the same customers: the median over trials at each month, and the band from the 5th to the 95th percentile.".into(),
        )],
        method: vec![
            COMMON_NUMBERS.into(),
            "Each design's figures are those of its own run (see loyalty-sim run): incremental against the same customers without the program, NPV discounted monthly at the scenario's rate, payback the first month the cumulative cash flow is at or above zero.".into(),
            ROUNDING.into(),
        ],
        files: "Next to this report: compare.json (the comparison, full precision), compare.csv (each trial's NPV and payback month per design), the cash-flow chart as PNG and SVG, and workbook.xlsx (these tables for a spreadsheet). Every file records the version, seed and scenarios' SHA-256.".into(),
        currency: c,
    }
}

/// The words of a goal: "highest" or "lowest".
fn way(goal: Goal) -> &'static str {
    match goal {
        Goal::Maximize => "highest",
        Goal::Minimize => "lowest",
    }
}

/// The sweep as a document: each point with its metric, NPV, chance of payback and
/// liability, the best marked.
pub fn sweep_document(s: &Sweep, currency: &Currency, provenance: &Provenance) -> Document {
    let c = currency;
    let unit = labels::unit(&s.metric);
    let names: Vec<String> = s.axes.iter().map(|a| labels::field(&a.path)).collect();
    let metric = labels::metric(&s.metric);
    let mut columns: Vec<String> = names.clone();
    columns.extend([
        format!("Mean {metric}"),
        "± MC error".into(),
        "Median NPV".into(),
        "NPV 5th percentile".into(),
        "NPV 95th percentile".into(),
        "Chance of payback".into(),
        "Chance: 95% interval low".into(),
        "Chance: 95% interval high".into(),
        "Median liability at the horizon".into(),
        "Best".into(),
    ]);
    let rows = s
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row: Vec<Cell> = p.at.iter().map(|v| Cell::plain(*v)).collect();
            let [_, _, _, mean, sem] = stats_row(&p.metric, unit, c);
            row.extend([mean, sem]);
            let [n50, n5, n95, _, _] = stats_row(&p.npv, Unit::Money, c);
            row.extend([n50, n5, n95]);
            row.extend([
                chance(p.payback_probability, c),
                chance(p.payback_probability_ci95[0], c),
                chance(p.payback_probability_ci95[1], c),
            ]);
            row.push(stats_row(&p.liability_end, Unit::Money, c)[0].clone());
            row.push(Cell::text(if i == s.best {
                "best"
            } else if s.as_good_as_best.contains(&i) {
                "≈ best"
            } else {
                ""
            }));
            row
        })
        .collect();
    // `sweep` gives a non-empty list of points with `best` among them, each with one value
    // per axis.
    let best = &s.points[s.best];
    let [_, _, _, mean, sem] = stats_row(&best.metric, unit, c);
    let at = names
        .iter()
        .zip(&best.at)
        .map(|(n, v)| format!("{n} = {}", labels::value(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let others = s.as_good_as_best.len().saturating_sub(1);
    let verdict = format!(
        "The {} mean {metric} is at {at}: {} ± {} (Monte Carlo error); {} as good within Monte Carlo error. There the chance of payback is {}.",
        way(s.goal),
        mean.as_shown(),
        sem.as_shown(),
        match others {
            0 => "no other point is".to_string(),
            1 => "one other point is".to_string(),
            k => format!("{k} other points are"),
        },
        chance(best.payback_probability, c).as_shown(),
    );
    let mut warnings = Vec::new();
    let edges: Vec<String> = s
        .axes
        .iter()
        .zip(&best.at)
        .filter(|(a, v)| a.values.first() == Some(v) || a.values.last() == Some(v))
        .filter(|(a, _)| a.values.len() >= 2)
        .map(|(a, _)| labels::field(&a.path))
        .collect();
    if !edges.is_empty() {
        warnings.push(format!(
            "The best value of {} is at the end of the range swept: the optimum may lie beyond it; widen the range to see.",
            edges.join(" and ")
        ));
    }
    let mut charts = vec![(
        "sweep_npv".to_string(),
        "NPV along the sweep: the median over trials at each value, and the band from the 5th to the 95th percentile; the marker shows the best point.".to_string(),
    )];
    charts.push((
        "sweep_payback".into(),
        "The chance of payback within the horizon at each value, with its 95% (Wilson) interval."
            .into(),
    ));
    charts.push((
        "sweep_liability".into(),
        "The liability at the horizon at each value: median and 5th to 95th percentile.".into(),
    ));
    Document {
        title: format!("Sweep of {} — {}", names.join(" × "), scenario_name(provenance)),
        subtitle: format!(
            "{} points, {} trials each, on the same customers and random numbers; the best has the {} mean {metric}.",
            s.points.len(),
            format_number(s.trials as f64, 0),
            way(s.goal)
        ),
        meta: meta(provenance, "per point"),
        verdict,
        warnings,
        tables: vec![Table {
            title: "Each point of the sweep".into(),
            sheet: "Points".into(),
            columns,
            rows,
            note: format!("\"≈ best\": the 95% interval of the paired, trial-by-trial difference from the best includes zero. {ROUNDED}"),
        }],
        charts,
        method: vec![COMMON_NUMBERS.replace("design", "point"), ROUNDING.into()],
        files: "Next to this report: sweep.json (every point, full precision), sweep.csv (one row per point), the charts as PNG and SVG, and workbook.xlsx (the table for a spreadsheet). Every file records the version, seed and scenario's SHA-256.".into(),
        currency: c.clone(),
    }
}

/// The optimum as a document: the best design with its Monte Carlo uncertainty, those as good
/// within it, and every design tried with its chance of payback and liability.
pub fn optimise_document(o: &Optimum, currency: &Currency, provenance: &Provenance) -> Document {
    let c = currency;
    let unit = labels::unit(&o.metric);
    let metric = labels::metric(&o.metric);
    let names: Vec<String> = o
        .levers
        .iter()
        .map(|l| labels::field(&l.lever.path))
        .collect();
    let largest = o.tried.iter().map(|t| t.mean.abs()).fold(0.0, f64::max);
    // The liability column's place: whole units when its largest amount is a hundred or more.
    let most_owed = o
        .tried
        .iter()
        .map(|t| t.liability_p95.abs())
        .fold(0.0, f64::max);
    let liability_place = |_: f64| plain_place(Unit::Money, most_owed);
    let sign = if o.goal == Goal::Maximize { 1.0 } else { -1.0 };
    // Best first: feasible designs by their mean, then the others.
    let mut ordered: Vec<&crate::decide::optimise::Tried> = o.tried.iter().collect();
    ordered.sort_by(|a, b| {
        b.feasible
            .cmp(&a.feasible)
            .then((sign * b.mean).total_cmp(&(sign * a.mean)))
    });
    let rows = ordered
        .iter()
        .map(|t| {
            let p = mean_place(t.sem, unit, largest);
            let mut row: Vec<Cell> = t.values.iter().map(|v| Cell::plain(*v)).collect();
            row.extend([
                Cell::at(t.mean, unit, c, p),
                error_cell(t.sem, unit, c, p),
                chance(t.payback_chance, c),
                Cell::at(
                    t.liability_p95,
                    Unit::Money,
                    c,
                    liability_place(t.liability_p95),
                ),
                Cell::text(if t.feasible { "yes" } else { "no" }),
                Cell::text(if t.values == o.best {
                    "best"
                } else if o.is_as_good(&t.values) {
                    "≈ best"
                } else {
                    ""
                }),
            ]);
            row
        })
        .collect();
    let mut columns = names.clone();
    columns.extend([
        format!("Mean {metric}"),
        "± MC error".into(),
        "Chance of payback".into(),
        "Liability at the horizon, 95th percentile".into(),
        "Meets the constraints".into(),
        "Best".into(),
    ]);
    let p = mean_place(o.best_sem, unit, largest);
    let design = names
        .iter()
        .zip(&o.best)
        .map(|(n, v)| format!("{n} = {}", labels::value(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let others: Vec<String> = o
        .as_good_as_best
        .iter()
        .filter(|v| **v != o.best)
        .map(|v| {
            v.iter()
                .map(|x| labels::value(*x))
                .collect::<Vec<_>>()
                .join(" × ")
        })
        .collect();
    let spacing = o
        .levers
        .iter()
        .zip(&names)
        .map(|(l, n)| format!("{} of {n}", labels::value(l.spacing)))
        .collect::<Vec<_>>()
        .join(", ");
    let constraints = super::decisions::constraints_text(o, c);
    let verdict = format!(
        "{} {} mean {metric} is at {design}: {} ± {} (Monte Carlo error; 95% interval {} … {}), found to within {spacing}; {}.",
        if o.meets_constraints {
            "The"
        } else {
            "No design tried meets the constraints; the nearest, with the"
        },
        way(o.goal),
        Cell::at(o.best_mean, unit, c, p).as_shown(),
        error_cell(o.best_sem, unit, c, p).as_shown(),
        Cell::at(o.best_ci95[0], unit, c, p).as_shown(),
        Cell::at(o.best_ci95[1], unit, c, p).as_shown(),
        match others.len() {
            0 => "no other design tried is as good within Monte Carlo error".to_string(),
            _ => format!(
                "as good within Monte Carlo error ({}): {}",
                names.join(" × "),
                others.join("; ")
            ),
        }
    );
    let mut warnings = Vec::new();
    if !o.meets_constraints {
        warnings.push(format!("No design tried meets the constraints ({constraints}): loosen them or widen the ranges."));
    }
    Document {
        title: format!("Best {} — {}", names.join(" × "), scenario_name(provenance)),
        subtitle: format!(
            "{} designs tried by grid refinement, {} trials each, on the same customers and random numbers{}.",
            o.tried.len(),
            format_number(o.trials as f64, 0),
            if constraints.is_empty() {
                String::new()
            } else {
                format!("; constraints: {constraints}")
            }
        ),
        meta: meta(provenance, "per design"),
        verdict,
        warnings,
        tables: vec![Table {
            title: "The designs tried, best first".into(),
            sheet: "Designs tried".into(),
            columns,
            rows,
            note: format!("Designs that meet the constraints first, by their mean. \"≈ best\": the 95% interval of the paired, trial-by-trial difference from the best includes zero. Whether a design meets the constraints is judged on the estimates shown (the chance of payback has its own Monte Carlo error). {ROUNDED}"),
        }],
        charts: Vec::new(),
        method: vec![
            "Grid refinement: a grid evenly over the levers' ranges (five values a lever for one or two levers, four for three or four), then a grid over one spacing either side of the best design, and so on until every lever's spacing is no wider than its step. The best is the design meeting the constraints with the best mean; while none does, the search centres on the design that misses them by least.".into(),
            COMMON_NUMBERS.into(),
            ROUNDING.into(),
        ],
        files: "Next to this report: optimise.json (every design tried, full precision), optimise.csv (one row per design) and workbook.xlsx (the table for a spreadsheet). Every file records the version, seed and scenario's SHA-256.".into(),
        currency: c.clone(),
    }
}

/// The place of a Sobol index: the rule applied to its bootstrap interval's half width over
/// 1.96 (a standard error), to a thousandth at most and a tenth at least.
fn index_place(e: &crate::metrics::sobol::Estimate) -> i32 {
    error_place((e.interval[1] - e.interval[0]) / (2.0 * 1.96))
        .unwrap_or(-2)
        .clamp(-3, -1)
}

fn index_cell(x: f64, place: i32) -> Cell {
    let decimals = usize::try_from(-place).unwrap_or(2);
    Cell::shown(x, format!("{x:.decimals$}"), decimals)
}

/// The tornado as a document, with the Sobol indices of its inputs when `sens` is given.
pub fn tornado_document(
    tor: &Tornado,
    sens: &[&Sensitivity],
    currency: &Currency,
    provenance: &Provenance,
) -> Document {
    let c = currency;
    let unit = labels::unit(&tor.metric);
    let metric = labels::metric(&tor.metric);
    let largest = tor
        .swings
        .iter()
        .map(|s| s.metric_at_low.abs().max(s.metric_at_high.abs()))
        .fold(tor.base.abs(), f64::max);
    let p = mean_place(tor.base_sem, unit, largest);
    let rows = tor
        .swings
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                Cell::text(labels::field(&s.path)),
                Cell::plain(i as f64 + 1.0),
                Cell::plain(s.low),
                Cell::plain(s.high),
                Cell::at(s.metric_at_low, unit, c, p),
                Cell::at(s.metric_at_high, unit, c, p),
                Cell::at(s.width(), unit, c, p),
            ]
        })
        .collect();
    let mut tables = vec![Table {
        title: format!("What drives {metric}"),
        sheet: "Tornado".into(),
        columns: [
            "Input",
            "Rank",
            &format!("Low ({:.0}th percentile)", LOW * 100.0),
            &format!("High ({:.0}th percentile)", HIGH * 100.0),
            &format!("Mean {metric} at low"),
            &format!("Mean {metric} at high"),
            "Swing",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        note: format!(
            "Each input from its {:.0}th to its {:.0}th percentile, the others at their medians; with every input at its median the mean {metric} is {} ± {} (Monte Carlo error, the same size for each mean here). {ROUNDED}",
            LOW * 100.0,
            HIGH * 100.0,
            Cell::at(tor.base, unit, c, p).as_shown(),
            error_cell(tor.base_sem, unit, c, p).as_shown(),
        ),
    }];
    let top = tor.swings.first();
    let mut verdict = match top {
        Some(s) => format!(
            "{} moves the mean {metric} most: from {} at its {:.0}th percentile ({}) to {} at its {:.0}th ({}).",
            super::html::sentence(&labels::field(&s.path)),
            Cell::at(s.metric_at_low, unit, c, p).as_shown(),
            LOW * 100.0,
            labels::value(s.low),
            Cell::at(s.metric_at_high, unit, c, p).as_shown(),
            HIGH * 100.0,
            labels::value(s.high),
        ),
        None => format!("No uncertain input moves {metric}."),
    };
    let mut warnings = Vec::new();
    let mut method = vec![
        "The tornado runs the scenario with every uncertain input at its median, then each input alone at its 5th and at its 95th percentile, all on the same customers and random numbers.".to_string(),
    ];
    for sens in sens {
        let payback = sens.metric == crate::decide::sobol::PAYBACK;
        let what = if payback {
            "the payback month".to_string()
        } else {
            labels::metric(&sens.metric)
        };
        let rows = tor
            .swings
            .iter()
            .filter_map(|s| {
                let ix = sens.of(&s.path)?;
                let (pf, pt) = (index_place(&ix.first), index_place(&ix.total));
                Some(vec![
                    Cell::text(labels::field(&s.path)),
                    index_cell(ix.first.value, pf),
                    index_cell(ix.first.interval[0], pf),
                    index_cell(ix.first.interval[1], pf),
                    index_cell(ix.total.value, pt),
                    index_cell(ix.total.interval[0], pt),
                    index_cell(ix.total.interval[1], pt),
                ])
            })
            .collect();
        let sum: f64 = sens.inputs.iter().map(|i| i.first.value).sum();
        if let Some(ix) = top.and_then(|s| sens.of(&s.path)) {
            verdict.push_str(&format!(
                " Of the variance of {what}, it explains {} alone and takes part in {} with its interactions (Sobol indices).",
                index_cell(ix.first.value, index_place(&ix.first)).as_shown(),
                index_cell(ix.total.value, index_place(&ix.total)).as_shown(),
            ));
        }
        let conf = format!("{:.0}%", sens.confidence * 100.0);
        tables.push(Table {
            title: format!("Share of the variance of {what} (Sobol indices)"),
            sheet: if payback {
                "Sobol payback".to_string()
            } else {
                format!("Sobol {}", sens.metric.replace('_', " "))
                    .chars()
                    .take(31)
                    .collect()
            },
            columns: vec![
                "Input".into(),
                "First order S".into(),
                format!("S {conf} low"),
                format!("S {conf} high"),
                "Total ST".into(),
                format!("ST {conf} low"),
                format!("ST {conf} high"),
            ],
            rows,
            note: format!(
                "{}S: the share of the variance an input explains alone; ST: the share it takes part in, with its interactions. The first-order shares add up to {sum:.2}; the rest is interactions and the customers' own chance. {} rows × {} = {} trials; {conf} percentile bootstrap intervals over {} resamples. Each index is rounded to the place its interval supports (its half width over 1.96 as the error).",
                if payback {
                    format!("The payback month is {}; from the same trials as the NPV's indices. ", crate::decide::sobol::PAYBACK_CONVENTION)
                } else {
                    String::new()
                },
                format_number(sens.samples as f64, 0),
                sens.inputs.len() + 2,
                format_number(sens.evaluations as f64, 0),
                sens.resamples
            ),
        });
        if sens.correlations_left_out && !payback {
            warnings.push(format!(
                "The Sobol indices of {what} leave the scenario's [risk] correlations out: they are defined for independent inputs."
            ));
        }
    }
    if !sens.is_empty() {
        method.push(format!(
            "Sobol indices: {}; {}. Each design point sets every uncertain input at once and simulates one trial; the points of a row share the customers' random numbers.",
            sens[0].sampling, sens[0].estimators
        ));
    }
    method.push(ROUNDING.into());
    Document {
        title: format!("What drives {metric} — {}", scenario_name(provenance)),
        subtitle: format!(
            "{} uncertain inputs, each swung from its {:.0}th to its {:.0}th percentile; {} trials per run.",
            tor.swings.len(),
            LOW * 100.0,
            HIGH * 100.0,
            format_number(tor.trials as f64, 0)
        ),
        meta: meta(provenance, "per run"),
        verdict,
        warnings,
        tables,
        charts: vec![(
            "tornado".into(),
            format!(
                "The mean {metric} with each input at its 5th and at its 95th percentile, the others at their medians; the largest swing on top."
            ),
        )],
        method,
        files: format!(
            "Next to this report: tornado.json and tornado.csv{}, the chart as PNG and SVG, and workbook.xlsx (these tables for a spreadsheet). Every file records the version, seed and scenario's SHA-256.",
            if sens.is_empty() {
                ""
            } else {
                ", sobol.json and sobol.csv"
            }
        ),
        currency: c.clone(),
    }
}
