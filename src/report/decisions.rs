//! What the decision tools print and write: comparisons, sweeps, tornadoes and break-even
//! points, as text for people, CSV and JSON for programs (with the run's provenance), and
//! charts.

use serde::Serialize;

use super::chart::{BandChart, Figure, Scale, Series as Line, TornadoBar, TornadoChart, palette};
use super::console::Unit;
use super::figures::{AnyChart, FigureFile};
use super::labels;
use super::{Exporter, ReportError};
use crate::decide::breakeven::{BreakEven, Lever};
use crate::decide::compare::CompareOutput;
use crate::decide::optimise::Optimum;
use crate::decide::sobol::Sensitivity;
use crate::decide::sweep::Sweep;
use crate::decide::tornado::{HIGH, LOW, Tornado};
use crate::metrics::finance::{Goal, Series};
use crate::model::rfm::Group;
use crate::money::{Currency, format_number};
use crate::scenario::ScenarioFile;

/// Who produced a decision output: recorded in every file.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// Always `loyalty-sim`.
    pub program: &'static str,
    /// Version of the program.
    pub version: &'static str,
    /// Scenario files and their SHA-256.
    pub scenarios: Vec<(String, String)>,
    /// Seed of every run.
    pub seed: u64,
    /// Trials of every run.
    pub trials: u64,
}

impl Provenance {
    /// Provenance of runs of `files` with `seed` and `trials`.
    pub fn of(files: &[&ScenarioFile], seed: u64, trials: u64) -> Provenance {
        Provenance {
            program: "loyalty-sim",
            version: env!("CARGO_PKG_VERSION"),
            scenarios: files
                .iter()
                .map(|f| (f.path.display().to_string(), f.sha256.clone()))
                .collect(),
            seed,
            trials,
        }
    }

    /// The small print of a chart: program, version, seed and the scenarios' hashes.
    fn stamp(&self) -> String {
        format!(
            "{} {} · seed {} · sha256 {}",
            self.program,
            self.version,
            self.seed,
            self.scenarios
                .iter()
                .map(|(_, h)| h.get(..12).unwrap_or(h.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    fn header_line(&self) -> String {
        format!(
            "{} {} · seed {} · {} trials · {}",
            self.program,
            self.version,
            self.seed,
            format_number(self.trials as f64, 0),
            self.scenarios
                .iter()
                .map(|(p, h)| format!("{p} (sha256 {}…)", h.get(..12).unwrap_or(h.as_str())))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// A file whose bytes are already rendered.
pub struct Rendered {
    name: String,
    bytes: Vec<u8>,
}

impl Rendered {
    /// A file called `name` holding `bytes`.
    pub(crate) fn new(name: &str, bytes: Vec<u8>) -> Rendered {
        Rendered {
            name: name.to_string(),
            bytes,
        }
    }

    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Files of a decision output: `(name, bytes)`.
    pub fn into_pair(self) -> (String, Vec<u8>) {
        (self.name, self.bytes)
    }
}

fn json<T: Serialize>(name: &str, value: &T) -> Result<Rendered, ReportError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| ReportError::Json {
        file: "decision output",
        source,
    })?;
    bytes.push(b'\n');
    Ok(Rendered {
        name: name.to_string(),
        bytes,
    })
}

fn csv(
    name: &str,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    provenance: &Provenance,
) -> Result<Rendered, ReportError> {
    let err = |source| ReportError::Csv {
        file: "decision output",
        source,
    };
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let mut header = header;
    header.extend(["program_version", "seed", "scenario_sha256"].map(String::from));
    w.write_record(&header).map_err(err)?;
    let hashes = provenance
        .scenarios
        .iter()
        .map(|(_, h)| h.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    for mut row in rows {
        row.extend([
            provenance.version.to_string(),
            provenance.seed.to_string(),
            hashes.clone(),
        ]);
        w.write_record(&row).map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.into_error().into()))?;
    Ok(Rendered {
        name: name.to_string(),
        bytes,
    })
}

fn charts(
    mut figure: Figure<AnyChart>,
    provenance: &Provenance,
) -> Result<Vec<Rendered>, ReportError> {
    figure.footer = provenance.stamp();
    FigureFile::both(figure)
        .into_iter()
        .map(|f| {
            let name = f.file_name();
            let bytes = f.render_figure()?;
            Ok(Rendered { name, bytes })
        })
        .collect()
}

/// A difference of a metric: shares in percentage points.
fn show_difference(metric: &str, c: &Currency, x: f64) -> String {
    let text = show(metric, c, x);
    match text.strip_suffix('%') {
        Some(number) => format!("{number} pp"),
        None => text,
    }
}

/// A difference in months, with its sign.
fn signed(x: f64) -> String {
    let text = format_number(x, if x.fract() == 0.0 { 0 } else { 1 });
    if x > 0.0 { format!("+{text}") } else { text }
}

fn money(c: &Currency, x: f64) -> String {
    c.format(x)
}

fn percent(x: f64) -> String {
    crate::money::format_percent(x, 1)
}

/// How a metric reads: money, a share, or a count.
fn show(metric: &str, c: &Currency, x: f64) -> String {
    labels::metric_value(metric, c, x)
}

/// An axis for a metric: its scale, and its label ("Mean NPV (€, EUR)").
fn metric_axis(metric: &str, c: &Currency) -> (Scale, String) {
    let name = format!("Mean {}", labels::metric(metric));
    match labels::unit(metric) {
        Unit::Percent => (Scale::Percent, format!("{name} (%)")),
        Unit::Points | Unit::People => (Scale::Count, name),
        Unit::Money => (
            Scale::Money(c.clone()),
            format!("{name} ({}, {})", c.symbol, c.code),
        ),
    }
}

/// The comparison as a table for people.
pub fn compare_text(out: &CompareOutput, provenance: &Provenance) -> String {
    let cmp = &out.comparison;
    // `out` is from `compare`, which refuses fewer than two designs and gives every per-design
    // list (runs, names, best_on_*, differences, matrix rows) one entry per design, with
    // `ranking` a permutation of the designs: every `[0]` and `[d]` below is in range.
    let c = &out.runs[0].scenario.finance.currency;
    let n = cmp.names.len();
    let width = cmp
        .names
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(10)
        .max(24);
    let mut t = String::new();
    t.push_str(&provenance.header_line());
    t.push_str("\n\n");
    if !cmp.same_customers {
        t.push_str("Note: these designs do not share the same customers and market, so the differences below include the difference in customers, not only in design.\n\n");
    }
    if !cmp.same_terms {
        t.push_str("Note: these designs use different gross margins or discount rates, so their NPVs are measured on different terms.\n\n");
    }
    t.push_str(
        "Each design on the same customers and random numbers: median (5th … 95th percentile)\n",
    );
    t.push_str(&format!("  {:<28}", ""));
    for name in &cmp.names {
        t.push_str(&format!("{name:>width$}  "));
    }
    t.push('\n');
    for m in &cmp.metrics {
        t.push_str(&format!("  {:<28}", labels::metric(m.metric)));
        for s in &m.designs {
            t.push_str(&format!("{:>width$}  ", show(m.metric, c, s.p50)));
        }
        t.push('\n');
        t.push_str(&format!("  {:<28}", ""));
        for s in &m.designs {
            let band = format!("{} … {}", show(m.metric, c, s.p5), show(m.metric, c, s.p95));
            t.push_str(&format!("{band:>width$}  "));
        }
        t.push('\n');
    }
    t.push_str(&format!("  {:<28}", "chance of payback"));
    for p in &cmp.payback_probability {
        t.push_str(&format!("{:>width$}  ", percent(*p)));
    }
    t.push('\n');
    if n > 1 {
        t.push_str(&format!(
            "\nDifference from {}, trial by trial: median (5th … 95th percentile)\n",
            cmp.names[0]
        ));
        for m in &cmp.metrics {
            for (d, s) in m.difference_from_first.iter().enumerate().skip(1) {
                t.push_str(&format!(
                    "  {:<28}{:<width$}  {} ({} … {})\n",
                    labels::metric(m.metric),
                    cmp.names[d],
                    show_difference(m.metric, c, s.p50),
                    show_difference(m.metric, c, s.p5),
                    show_difference(m.metric, c, s.p95)
                ));
            }
        }
        for (d, s) in cmp.payback_difference_from_first.iter().enumerate().skip(1) {
            let text = match s {
                Some(s) => format!(
                    "{} ({} … {}) months, in trials where both pay back",
                    signed(s.p50),
                    signed(s.p5),
                    signed(s.p95)
                ),
                None => "no trial in which both pay back".to_string(),
            };
            t.push_str(&format!(
                "  {:<28}{:<width$}  {text}\n",
                "payback month", cmp.names[d]
            ));
        }
    }
    t.push_str(
        "\nBy RFM group (each customer read into a group when they arrive), over the horizon: mean per trial, to the place its Monte Carlo error supports\n",
    );
    t.push_str(&format!("  {:<28}", ""));
    for name in &cmp.names {
        t.push_str(&format!("{name:>width$}  "));
    }
    t.push('\n');
    for g in &cmp.by_group {
        let label = Group::from_key(g.group).map_or(g.group, Group::label);
        for (i, (row, stats)) in [
            ("reward cost", &g.reward_cost),
            ("extra gross margin", &g.incremental_margin),
            ("margin less rewards", &g.net),
        ]
        .into_iter()
        .enumerate()
        {
            let head = if i == 0 { label } else { "" };
            t.push_str(&format!("  {head:<16}{row:<20}"));
            let largest = stats.iter().map(|s| s.mean.abs()).fold(0.0, f64::max);
            for s in stats {
                // Each mean to the place its Monte Carlo error supports.
                let place = super::decision_documents::place_beside(s, Unit::Money, largest);
                let shown = super::console::show_at(s.mean, Unit::Money, c, place);
                t.push_str(&format!("{shown:>width$}  "));
            }
            t.push('\n');
        }
    }
    t.push_str("\nChance that the row beats the column (share of trials)\n");
    for (label, matrix) in [
        ("on NPV", &cmp.beats_on_npv),
        ("on payback (earlier)", &cmp.beats_on_payback),
    ] {
        t.push_str(&format!("  {label}\n  {:<width$}", ""));
        for name in &cmp.names {
            t.push_str(&format!("{name:>width$}  "));
        }
        t.push('\n');
        for (i, row) in matrix.iter().enumerate() {
            t.push_str(&format!("  {:<width$}", cmp.names[i]));
            for (j, p) in row.iter().enumerate() {
                let cell = if i == j {
                    "—".to_string()
                } else {
                    percent(*p)
                };
                t.push_str(&format!("{cell:>width$}  "));
            }
            t.push('\n');
        }
    }
    t.push_str("\nRanking by median NPV (\"best\" and \"first\" count the trials a design wins alone; a tie at the top is counted apart as tied, for none of the tied designs; \"pays back first\": trials in which no design pays back count for none)\n");
    for (rank, &d) in cmp.ranking.iter().enumerate() {
        t.push_str(&format!(
            "  {}. {:<width$} median NPV {}, best on NPV in {} of trials (tied in {}), pays back first in {} (tied in {})\n",
            rank + 1,
            cmp.names[d],
            money(c, out.runs[d].summary.metrics.npv.p50),
            percent(cmp.best_alone_on_npv[d]),
            percent(cmp.tied_best_on_npv[d]),
            percent(cmp.first_alone_on_payback[d]),
            percent(cmp.tied_first_on_payback[d]),
        ));
    }
    t
}

/// The comparison's files: `compare.json`, `compare.csv`, and the cash-flow overlay.
pub fn compare_files(
    out: &CompareOutput,
    provenance: &Provenance,
) -> Result<Vec<Rendered>, ReportError> {
    #[derive(Serialize)]
    struct File<'a> {
        provenance: &'a Provenance,
        comparison: &'a crate::decide::compare::Comparison,
    }
    let mut files = vec![json(
        "compare.json",
        &File {
            provenance,
            comparison: &out.comparison,
        },
    )?];
    let names = &out.comparison.names;
    let mut header = vec!["trial".to_string()];
    header.extend(names.iter().map(|n| format!("npv_{n}")));
    header.extend(names.iter().map(|n| format!("payback_month_{n}")));
    let rows = crate::decide::compare::per_trial(out)
        .into_iter()
        .map(|(trial, designs)| {
            let mut row = vec![trial.to_string()];
            row.extend(designs.iter().map(|(npv, _)| npv.to_string()));
            row.extend(
                designs
                    .iter()
                    .map(|(_, p)| p.map_or(String::new(), |m| m.to_string())),
            );
            row
        })
        .collect();
    files.push(csv("compare.csv", header, rows, provenance)?);
    // `compare` gives at least two runs.
    let c = out.runs[0].scenario.finance.currency.clone();
    let series = out
        .runs
        .iter()
        .zip(names)
        .enumerate()
        .map(|(i, (r, name))| {
            let stats: Vec<_> = r
                .monthly
                .iter()
                // `series` has one entry per `Series::ALL` (monthly_bands): in range.
                .map(|m| m.series[Series::CumulativeCashFlow as usize])
                .collect();
            // Month 0 is minus the investment: its 5th percentile is minus the investment's 95th.
            let inv = &r.summary.metrics.investment;
            let with_start = |start: f64, f: fn(&crate::metrics::stats::Stats) -> f64| {
                std::iter::once(start)
                    .chain(stats.iter().map(f))
                    .collect::<Vec<_>>()
            };
            Line {
                label: name.clone(),
                color: palette::SERIES[i % palette::SERIES.len()],
                x: (0..=stats.len()).map(|m| m as f64).collect(),
                line: with_start(-inv.p50, |s| s.p50),
                band: Some((
                    with_start(-inv.p95, |s| s.p5),
                    with_start(-inv.p5, |s| s.p95),
                )),
            }
        })
        .collect();
    files.extend(charts(
        Figure {
            name: "compare_cash_flow",
            footer: String::new(),
            chart: AnyChart::Band(BandChart {
                title: "Cumulative net cash flow of each design, same customers".into(),
                x_label: "Month".into(),
                y_label: format!("Cumulative net cash flow ({}, {})", c.symbol, c.code),
                x_scale: Scale::Plain,
                y_scale: Scale::Money(c),
                series,
                markers: Vec::new(),
                zero_line: true,
                note: format!(
                    "line: median · band: 5th–95th percentile, month by month, of {} trials",
                    provenance.trials
                ),
            }),
        },
        provenance,
    )?);
    let doc = super::decision_documents::compare_document(out, provenance);
    files.extend(super::decision_documents::documents(&doc, &files)?);
    Ok(files)
}

/// The sweep as a table for people.
pub fn sweep_text(s: &Sweep, currency: &Currency, provenance: &Provenance) -> String {
    let mut t = provenance.header_line();
    t.push_str("\n\n");
    let axes: Vec<&str> = s.axes.iter().map(|a| a.path.as_str()).collect();
    t.push_str(&format!(
        "Sweep of {} ({} trials per point, same customers at every point)\n",
        axes.join(" × "),
        s.trials
    ));
    let head: Vec<String> = axes
        .iter()
        .map(|a| a.rsplit('.').next().unwrap_or(a).to_string())
        .collect();
    t.push_str(&format!(
        "  {:>22}  {:>16}  {:>34}  {:>16}  {:>28}\n",
        head.join(" × "),
        format!("mean {}", labels::metric(&s.metric)),
        "NPV median (5th … 95th)",
        "P(payback) ± s.e.",
        "liability end (5th … 95th)"
    ));
    for (i, p) in s.points.iter().enumerate() {
        let at =
            p.at.iter()
                .map(|v| labels::value(*v))
                .collect::<Vec<_>>()
                .join(" × ");
        let mark = if i == s.best {
            "  ← best"
        } else if s.as_good_as_best.contains(&i) {
            "  ≈ best"
        } else {
            ""
        };
        t.push_str(&format!(
            "  {:>22}  {:>16}  {:>34}  {:>16}  {:>28}{mark}\n",
            at,
            show(&s.metric, currency, p.metric.mean),
            format!(
                "{} ({} … {})",
                money(currency, p.npv.p50),
                money(currency, p.npv.p5),
                money(currency, p.npv.p95)
            ),
            // No "± 0.0 pp" when every trial (or none) pays back: the error says nothing then.
            format!(
                "{} {}",
                percent(p.payback_probability),
                super::console::chance_error(p.payback_probability_sem)
            )
            .trim_end(),
            format!(
                "{} ({} … {})",
                money(currency, p.liability_end.p50),
                money(currency, p.liability_end.p5),
                money(currency, p.liability_end.p95)
            ),
        ));
    }
    // `s` is from `sweep` with one or two axes of at least one value each (the CLI requires
    // --vary, at most twice; `Axis::even` keeps ≥ 1 value): so `points` is not empty, `best`
    // indexes it, it contains `best`, and every `at` has one value per axis.
    let best = &s.points[s.best];
    let at = best
        .at
        .iter()
        .map(|v| labels::value(*v))
        .collect::<Vec<_>>()
        .join(" × ");
    t.push_str(&format!(
        "\nBest {} ({} mean {}): {at}, mean {} (95% interval {} … {}); {} within Monte Carlo error of it (≈).\n",
        head.join(" × "),
        match s.goal {
            Goal::Maximize => "highest",
            Goal::Minimize => "lowest",
        },
        labels::metric(&s.metric),
        show(&s.metric, currency, best.metric.mean),
        show(
            &s.metric,
            currency,
            best.metric.ci95.map_or(best.metric.mean, |c| c[0])
        ),
        show(
            &s.metric,
            currency,
            best.metric.ci95.map_or(best.metric.mean, |c| c[1])
        ),
        match s.as_good_as_best.len() - 1 {
            0 => "no other point is".to_string(),
            1 => "1 other point is".to_string(),
            k => format!("{k} other points are"),
        }
    ));
    // A best value at the end of an axis may not be the best there is: said whenever the best
    // is the first or last value of an axis of two values or more (with two, it always is).
    let edges: Vec<String> = s
        .axes
        .iter()
        .zip(&best.at)
        .filter(|(a, v)| {
            a.values.len() >= 2 && (a.values.first() == Some(v) || a.values.last() == Some(v))
        })
        .map(|(a, _)| a.path.rsplit('.').next().unwrap_or(&a.path).to_string())
        .collect();
    if !edges.is_empty() {
        t.push_str(&format!(
            "The best {} is at the end of the range swept: the optimum may lie beyond it; widen the range to see.\n",
            edges.join(" and ")
        ));
    }
    t
}

/// The sweep's files: `sweep.json`, `sweep.csv`, and its curves.
pub fn sweep_files(
    s: &Sweep,
    currency: &Currency,
    provenance: &Provenance,
) -> Result<Vec<Rendered>, ReportError> {
    #[derive(Serialize)]
    struct File<'a> {
        provenance: &'a Provenance,
        sweep: &'a Sweep,
    }
    let mut files = vec![json(
        "sweep.json",
        &File {
            provenance,
            sweep: s,
        },
    )?];
    let mut header: Vec<String> = s.axes.iter().map(|a| a.path.clone()).collect();
    for col in [
        format!("{}_mean", s.metric),
        format!("{}_p5", s.metric),
        format!("{}_p50", s.metric),
        format!("{}_p95", s.metric),
        "npv_p5".into(),
        "npv_p50".into(),
        "npv_p95".into(),
        "payback_probability".into(),
        "payback_probability_sem".into(),
        "payback_probability_ci95_low".into(),
        "payback_probability_ci95_high".into(),
        "liability_end_p5".into(),
        "liability_end_p50".into(),
        "liability_end_p95".into(),
        "best".into(),
    ] {
        header.push(col);
    }
    let rows = s
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row: Vec<String> = p.at.iter().map(f64::to_string).collect();
            row.extend(
                [
                    p.metric.mean,
                    p.metric.p5,
                    p.metric.p50,
                    p.metric.p95,
                    p.npv.p5,
                    p.npv.p50,
                    p.npv.p95,
                    p.payback_probability,
                    p.payback_probability_sem,
                    p.payback_probability_ci95[0],
                    p.payback_probability_ci95[1],
                    p.liability_end.p5,
                    p.liability_end.p50,
                    p.liability_end.p95,
                ]
                .map(|v| v.to_string()),
            );
            row.push(
                if i == s.best {
                    "best"
                } else if s.as_good_as_best.contains(&i) {
                    "as good"
                } else {
                    ""
                }
                .into(),
            );
            row
        })
        .collect();
    files.push(csv("sweep.csv", header, rows, provenance)?);

    for figure in sweep_figures(s, currency) {
        files.extend(charts(figure, provenance)?);
    }
    let doc = super::decision_documents::sweep_document(s, currency, provenance);
    files.extend(super::decision_documents::documents(&doc, &files)?);
    Ok(files)
}

/// The sweep's curves (NPV, chance of payback, liability along the first axis, one line per
/// value of the second), without their footers: `sweep_files` stamps and renders them, the
/// workbench shows them on its page.
pub fn sweep_figures(s: &Sweep, currency: &Currency) -> Vec<Figure<AnyChart>> {
    let mut figures = Vec::new();
    // Curves along the first axis, one per value of the second. `s` has one or two axes, a
    // non-empty `points` with `best` among them, and an `at` per point with one value per
    // axis (see `sweep_text`): `axes[0]`, `points[best]`, `at[0]` and, with two axes, `at[1]`
    // are in range.
    let first = &s.axes[0];
    let groups: Vec<(String, Vec<&crate::decide::sweep::SweepPoint>)> = match s.axes.get(1) {
        None => vec![(first.path.clone(), s.points.iter().collect())],
        Some(second) => second
            .values
            .iter()
            .map(|&v| {
                let name = labels::field(&second.path);
                (
                    format!("{name} = {}", labels::value(v)),
                    s.points.iter().filter(|p| p.at[1] == v).collect(),
                )
            })
            .collect(),
    };
    let x_label = labels::field(&first.path);
    let money_axis = |what: &str| format!("{what} ({}, {})", currency.symbol, currency.code);
    let npv_series = groups
        .iter()
        .enumerate()
        .map(|(i, (label, pts))| Line {
            label: if s.axes.len() == 1 {
                "median NPV".into()
            } else {
                label.clone()
            },
            color: palette::SERIES[i % palette::SERIES.len()],
            x: pts.iter().map(|p| p.at[0]).collect(),
            line: pts.iter().map(|p| p.npv.p50).collect(),
            band: Some((
                pts.iter().map(|p| p.npv.p5).collect(),
                pts.iter().map(|p| p.npv.p95).collect(),
            )),
        })
        .collect();
    let best_at = s.points[s.best].at[0];
    figures.push(Figure {
        name: "sweep_npv",
        footer: String::new(),
        chart: AnyChart::Band(BandChart {
            title: match s.axes.get(1) {
                None => format!("NPV along the sweep of {x_label}"),
                Some(second) => {
                    format!("NPV along {x_label}, by {}", labels::field(&second.path))
                }
            },
            x_label: x_label.clone(),
            y_label: money_axis("NPV"),
            x_scale: Scale::Plain,
            y_scale: Scale::Money(currency.clone()),
            series: npv_series,
            markers: vec![(
                best_at,
                match s.axes.get(1) {
                    None => format!("best: {}", labels::value(best_at)),
                    Some(second) => format!(
                        "best: {} with {} = {}",
                        labels::value(best_at),
                        labels::field(&second.path),
                        labels::value(s.points[s.best].at[1])
                    ),
                },
            )],
            zero_line: true,
            note: sweep_note(s.trials),
        }),
    });
    let single = s.axes.len() == 1;
    type Of = fn(&crate::decide::sweep::SweepPoint) -> f64;
    let banded = |what: &str, line: Of, low: Of, high: Of| -> Vec<Line> {
        groups
            .iter()
            .enumerate()
            .map(|(i, (label, pts))| Line {
                label: if single {
                    what.to_string()
                } else {
                    label.clone()
                },
                color: palette::SERIES[i % palette::SERIES.len()],
                x: pts.iter().map(|p| p.at[0]).collect(),
                line: pts.iter().map(|p| line(p)).collect(),
                band: Some((
                    pts.iter().map(|p| low(p)).collect(),
                    pts.iter().map(|p| high(p)).collect(),
                )),
            })
            .collect()
    };
    figures.push(Figure {
        name: "sweep_payback",
        footer: String::new(),
        chart: AnyChart::Band(BandChart {
            title: format!("Chance of payback within the horizon along {x_label}"),
            x_label: x_label.clone(),
            y_label: "Chance of payback".into(),
            x_scale: Scale::Plain,
            y_scale: Scale::Percent,
            series: banded(
                "chance of payback",
                |p| p.payback_probability,
                |p| p.payback_probability_ci95[0],
                |p| p.payback_probability_ci95[1],
            ),
            markers: Vec::new(),
            zero_line: false,
            note: format!(
                "line: share of {} trials that pay back · band: its 95% interval (Wilson)",
                s.trials
            ),
        }),
    });
    figures.push(Figure {
        name: "sweep_liability",
        footer: String::new(),
        chart: AnyChart::Band(BandChart {
            title: format!("Liability at the horizon along {x_label}"),
            x_label,
            y_label: money_axis("Liability"),
            x_scale: Scale::Plain,
            y_scale: Scale::Money(currency.clone()),
            series: banded(
                "median liability",
                |p| p.liability_end.p50,
                |p| p.liability_end.p5,
                |p| p.liability_end.p95,
            ),
            markers: Vec::new(),
            zero_line: true,
            note: sweep_note(s.trials),
        }),
    });
    figures
}

/// The small print of a sweep's banded charts.
fn sweep_note(trials: u64) -> String {
    format!("line: median · band: 5th–95th percentile of {trials} trials at each point")
}

/// The tornado as a table for people.
pub fn tornado_text(tor: &Tornado, currency: &Currency, provenance: &Provenance) -> String {
    let mut t = provenance.header_line();
    t.push_str("\n\n");
    t.push_str(&format!(
        "What drives {}: each uncertain input from its {:.0}th to its {:.0}th percentile, the others at their medians ({} trials per run)\n",
        labels::metric(&tor.metric),
        LOW * 100.0,
        HIGH * 100.0,
        tor.trials
    ));
    t.push_str(&format!(
        "  base (all at medians): mean {}\n",
        show(&tor.metric, currency, tor.base)
    ));
    for (i, s) in tor.swings.iter().enumerate() {
        t.push_str(&format!(
            "  {}. {:<45} {} → {}   (input {} → {}, swing {})\n",
            i + 1,
            s.path,
            show(&tor.metric, currency, s.metric_at_low),
            show(&tor.metric, currency, s.metric_at_high),
            labels::value(s.low),
            labels::value(s.high),
            show_difference(&tor.metric, currency, s.width()),
        ));
    }
    t
}

/// The tornado's files: `tornado.json`, `tornado.csv`, and its chart.
pub fn tornado_files(
    tor: &Tornado,
    currency: &Currency,
    provenance: &Provenance,
) -> Result<Vec<Rendered>, ReportError> {
    tornado_files_with(tor, None, None, currency, provenance)
}

/// The tornado's files, its chart labelling each bar with the input's Sobol indices when
/// `sens` is given; its report and workbook also show the payback month's (`payback`).
pub fn tornado_files_with(
    tor: &Tornado,
    sens: Option<&Sensitivity>,
    payback: Option<&Sensitivity>,
    currency: &Currency,
    provenance: &Provenance,
) -> Result<Vec<Rendered>, ReportError> {
    #[derive(Serialize)]
    struct File<'a> {
        provenance: &'a Provenance,
        tornado: &'a Tornado,
    }
    let mut files = vec![json(
        "tornado.json",
        &File {
            provenance,
            tornado: tor,
        },
    )?];
    let header = [
        "input",
        "low",
        "high",
        "metric_at_low",
        "metric_at_high",
        "swing",
    ]
    .map(String::from)
    .to_vec();
    let rows = tor
        .swings
        .iter()
        .map(|s| {
            vec![
                s.path.clone(),
                s.low.to_string(),
                s.high.to_string(),
                s.metric_at_low.to_string(),
                s.metric_at_high.to_string(),
                s.width().to_string(),
            ]
        })
        .collect();
    files.push(csv("tornado.csv", header, rows, provenance)?);
    let (scale, x_label) = metric_axis(&tor.metric, currency);
    files.extend(charts(
        Figure {
            name: "tornado",
            footer: String::new(),
            chart: AnyChart::Tornado(TornadoChart {
                title: if sens.is_some() {
                    format!(
                        "What drives {} most (5th to 95th percentile; S, ST: Sobol shares)",
                        labels::metric(&tor.metric)
                    )
                } else {
                    format!(
                        "What drives {} most (each input at its 5th and 95th percentile)",
                        labels::metric(&tor.metric)
                    )
                },
                x_label,
                x_scale: scale,
                base: tor.base,
                bars: tor
                    .swings
                    .iter()
                    .map(|s| TornadoBar {
                        label: format!(
                            "{} ({} → {}){}",
                            labels::field(&s.path),
                            labels::value(s.low),
                            labels::value(s.high),
                            sens.and_then(|x| x.of(&s.path))
                                .map_or(String::new(), |ix| {
                                    format!(" · S {:.2}, ST {:.2}", ix.first.value, ix.total.value)
                                })
                        ),
                        at_low: s.metric_at_low,
                        at_high: s.metric_at_high,
                    })
                    .collect(),
            }),
        },
        provenance,
    )?);
    let sens: Vec<&Sensitivity> = sens.into_iter().chain(payback).collect();
    let doc = super::decision_documents::tornado_document(tor, &sens, currency, provenance);
    files.extend(super::decision_documents::documents(&doc, &files)?);
    Ok(files)
}

/// An index with its interval, "0.42 [0.35, 0.49]".
fn index(e: &crate::metrics::sobol::Estimate) -> String {
    format!(
        "{:.2} [{:.2}, {:.2}]",
        e.value, e.interval[0], e.interval[1]
    )
}

/// The Sobol indices beside the tornado's swings, in the tornado's order, as text for people.
pub fn sensitivity_text(
    tor: &Tornado,
    sens: &Sensitivity,
    payback: Option<&Sensitivity>,
    currency: &Currency,
    provenance: &Provenance,
) -> String {
    let mut t = tornado_text(tor, currency, provenance);
    let k = sens.inputs.len();
    t.push_str(&format!(
        "\nBeside it, the share of {}'s variance each input accounts for (Sobol indices, {:.0}% bootstrap intervals; {} rows × {} = {} trials)\n",
        labels::metric(&sens.metric),
        sens.confidence * 100.0,
        format_number(sens.samples as f64, 0),
        k + 2,
        format_number(sens.evaluations as f64, 0),
    ));
    t.push_str(&format!(
        "  {:<48} {:>14}   {:<20} {:<20}\n",
        "input", "swing", "first order S", "total ST"
    ));
    let mut first_sum = 0.0;
    for (i, s) in tor.swings.iter().enumerate() {
        let Some(ix) = sens.of(&s.path) else {
            continue;
        };
        first_sum += ix.first.value;
        t.push_str(&format!(
            "  {:<48} {:>14}   {:<20} {:<20}\n",
            format!("{}. {}", i + 1, s.path),
            show_difference(&tor.metric, currency, s.width()),
            index(&ix.first),
            index(&ix.total),
        ));
    }
    t.push_str(
        "  S: the share an input explains alone; ST: the share it takes part in, with its interactions.\n",
    );
    t.push_str(&format!(
        "  The first-order shares add up to {first_sum:.2}{}\n",
        if first_sum < 1.0 {
            format!(
                ": the rest ({:.2}) is interactions and the customers' own chance.",
                1.0 - first_sum
            )
        } else {
            " (above 1 only by the estimates' error).".to_string()
        }
    ));
    t.push_str(&format!(
        "  Mean {} over the design {} (sd {}); inputs drawn together from their whole distributions, the points of a row on the same customers.\n",
        labels::metric(&sens.metric),
        show(&sens.metric, currency, sens.mean),
        show_difference(&sens.metric, currency, sens.sd),
    ));
    if sens.correlations_left_out {
        t.push_str("  note: the scenario's [risk] correlations are left out here: Sobol indices are defined for independent inputs.\n");
    }
    match payback {
        Some(p) => {
            t.push_str(&format!(
                "\nThe payback month's variance, from the same trials ({}):\n",
                crate::decide::sobol::PAYBACK_CONVENTION
            ));
            for (i, s) in tor.swings.iter().enumerate() {
                if let Some(ix) = p.of(&s.path) {
                    t.push_str(&format!(
                        "  {:<48} {:>14}   {:<20} {:<20}\n",
                        format!("{}. {}", i + 1, s.path),
                        "",
                        index(&ix.first),
                        index(&ix.total),
                    ));
                }
            }
            t.push_str(&format!(
                "  Mean payback month over the design {} (sd {}).\n",
                format_number(p.mean, 1),
                format_number(p.sd, 1)
            ));
        }
        None => t.push_str("\nThe payback month is the same in every trial of the design (none pays back within the horizon, or all in the same month): it has no variance to share out.\n"),
    }
    t
}

/// The Sobol analysis's files: `sobol.json` and `sobol.csv` (one row per input, in the
/// tornado's order, with its swing).
pub fn sensitivity_files(
    tor: &Tornado,
    sens: &Sensitivity,
    payback: Option<&Sensitivity>,
    provenance: &Provenance,
) -> Result<Vec<Rendered>, ReportError> {
    #[derive(Serialize)]
    struct File<'a> {
        provenance: &'a Provenance,
        sobol: &'a Sensitivity,
        /// The payback month's indices from the same trials; `null` when it does not vary.
        payback: Option<&'a Sensitivity>,
        /// What the payback month is per trial.
        payback_convention: &'static str,
    }
    let mut files = vec![json(
        "sobol.json",
        &File {
            provenance,
            sobol: sens,
            payback,
            payback_convention: crate::decide::sobol::PAYBACK_CONVENTION,
        },
    )?];
    let header = [
        "input",
        "swing",
        "first_order",
        "first_order_low",
        "first_order_high",
        "total",
        "total_low",
        "total_high",
        "rows",
        "trials",
    ]
    .map(String::from)
    .to_vec();
    let rows = |sens: &Sensitivity| -> Vec<Vec<String>> {
        tor.swings
            .iter()
            .filter_map(|s| {
                let ix = sens.of(&s.path)?;
                Some(vec![
                    s.path.clone(),
                    s.width().to_string(),
                    ix.first.value.to_string(),
                    ix.first.interval[0].to_string(),
                    ix.first.interval[1].to_string(),
                    ix.total.value.to_string(),
                    ix.total.interval[0].to_string(),
                    ix.total.interval[1].to_string(),
                    sens.samples.to_string(),
                    sens.evaluations.to_string(),
                ])
            })
            .collect()
    };
    files.push(csv("sobol.csv", header.clone(), rows(sens), provenance)?);
    if let Some(p) = payback {
        files.push(csv("sobol_payback.csv", header, rows(p), provenance)?);
    }
    Ok(files)
}

/// The constraints in words ("chance of payback ≥ 80.0%, liability p95 ≤ €20,000"), empty
/// without any.
pub(crate) fn constraints_text(o: &Optimum, currency: &Currency) -> String {
    let c = &o.constraints;
    let mut parts = Vec::new();
    if let Some(p) = c.min_payback_chance {
        parts.push(format!(
            "chance of payback within the horizon ≥ {}",
            percent(p)
        ));
    }
    if let Some(a) = c.max_liability_p95 {
        parts.push(format!(
            "95th percentile of the liability at the horizon ≤ {}",
            money(currency, a)
        ));
    }
    parts.join(", ")
}

/// A design's values, `a = 1, b = 2`.
pub(crate) fn design_text(o: &Optimum, values: &[f64]) -> String {
    o.levers
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{} = {}", l.lever.path, labels::value(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Designs listed in the text at most; beyond, the best of them.
const LISTED: usize = 40;

/// The optimum as text for people: the designs tried (or the best of them), the best, those as
/// good as it.
pub fn optimise_text(o: &Optimum, currency: &Currency, provenance: &Provenance) -> String {
    let mut t = provenance.header_line();
    t.push_str("\n\n");
    let way = match o.goal {
        Goal::Maximize => "highest",
        Goal::Minimize => "lowest",
    };
    let paths: Vec<&str> = o.levers.iter().map(|l| l.lever.path.as_str()).collect();
    t.push_str(&format!(
        "Best {} for the {way} mean {} ({} designs tried, {} trials each, on the same customers)\n",
        paths.join(" × "),
        labels::metric(&o.metric),
        o.tried.len(),
        o.trials
    ));
    let constraints = constraints_text(o, currency);
    if !constraints.is_empty() {
        t.push_str(&format!("Constraints: {constraints}\n"));
    }
    let sign = if o.goal == Goal::Maximize { 1.0 } else { -1.0 };
    let mut shown: Vec<&crate::decide::optimise::Tried> = o.tried.iter().collect();
    if shown.len() > LISTED {
        shown.sort_by(|a, b| {
            b.feasible
                .cmp(&a.feasible)
                .then((sign * b.mean).total_cmp(&(sign * a.mean)))
        });
        shown.truncate(LISTED);
        t.push_str(&format!(
            "The {LISTED} best of them (every design is in optimise.csv):\n"
        ));
    }
    let heads: Vec<String> = o
        .levers
        .iter()
        .map(|l| {
            l.lever
                .path
                .rsplit('.')
                .next()
                .unwrap_or(&l.lever.path)
                .to_string()
        })
        .collect();
    t.push_str(&format!(
        "  {}   {:>28}   {:>18}   {:>16}\n",
        heads
            .iter()
            .map(|h| format!("{h:>12}"))
            .collect::<Vec<_>>()
            .join(" "),
        format!("mean ± 95%"),
        "chance of payback",
        "liability p95"
    ));
    for tried in shown {
        let mark = if tried.values == o.best {
            "  ← best"
        } else if o.is_as_good(&tried.values) {
            "  ≈"
        } else if !tried.feasible {
            "  (misses the constraints)"
        } else {
            ""
        };
        t.push_str(&format!(
            "  {}   {:>28}   {:>18}   {:>16}{mark}\n",
            tried
                .values
                .iter()
                .map(|v| format!("{:>12}", labels::value(*v)))
                .collect::<Vec<_>>()
                .join(" "),
            format!(
                "{} ± {}",
                show(&o.metric, currency, tried.mean),
                show_difference(&o.metric, currency, 1.96 * tried.sem)
            ),
            percent(tried.payback_chance),
            money(currency, tried.liability_p95),
        ));
    }
    let spacing = o
        .levers
        .iter()
        .map(|l| labels::value(l.spacing))
        .collect::<Vec<_>>()
        .join(" × ");
    if !o.meets_constraints {
        t.push_str("No design tried meets the constraints; the one that misses them by least:\n");
    }
    t.push_str(&format!(
        "Best: {} (mean {}, 95% interval {} … {}), found to within {spacing} of the best of a surface with one peak; {} as good within Monte Carlo error (≈, paired 95% interval).\n",
        design_text(o, &o.best),
        show(&o.metric, currency, o.best_mean),
        show(&o.metric, currency, o.best_ci95[0]),
        show(&o.metric, currency, o.best_ci95[1]),
        match o.as_good_as_best.len().saturating_sub(1) {
            0 => "no other design is".to_string(),
            1 => "1 other design is".to_string(),
            k => format!("{k} other designs are"),
        }
    ));
    t
}

/// The optimum's files: `optimise.json` and `optimise.csv` (one row per design tried), and its
/// report and workbook.
pub fn optimise_files(
    o: &Optimum,
    currency: &Currency,
    provenance: &Provenance,
) -> Result<Vec<Rendered>, ReportError> {
    #[derive(Serialize)]
    struct File<'a> {
        provenance: &'a Provenance,
        optimise: &'a Optimum,
    }
    let mut files = vec![json(
        "optimise.json",
        &File {
            provenance,
            optimise: o,
        },
    )?];
    let mut header: Vec<String> = o.levers.iter().map(|l| l.lever.path.clone()).collect();
    header.extend(
        [
            "mean",
            "sem",
            "payback_chance",
            "payback_chance_ci95_low",
            "payback_chance_ci95_high",
            "liability_p95",
            "feasible",
            "best",
            "as_good_as_best",
        ]
        .map(String::from),
    );
    let rows = o
        .tried
        .iter()
        .map(|t| {
            let mut row: Vec<String> = t.values.iter().map(f64::to_string).collect();
            row.extend(
                [
                    t.mean,
                    t.sem,
                    t.payback_chance,
                    t.payback_chance_ci95[0],
                    t.payback_chance_ci95[1],
                    t.liability_p95,
                ]
                .map(|v| v.to_string()),
            );
            row.push(t.feasible.to_string());
            row.push((t.values == o.best).to_string());
            row.push(o.is_as_good(&t.values).to_string());
            row
        })
        .collect();
    files.push(csv("optimise.csv", header, rows, provenance)?);
    let doc = super::decision_documents::optimise_document(o, currency, provenance);
    files.extend(super::decision_documents::documents(&doc, &files)?);
    Ok(files)
}

/// The break-even point as text for people.
pub fn breakeven_text(b: &BreakEven, currency: &Currency, provenance: &Provenance) -> String {
    let mut t = provenance.header_line();
    t.push_str("\n\n");
    let lever = match b.lever {
        Lever::Lift => {
            "the members' response (the maxima of the frequency, basket, retention and insulation curves)"
        }
        Lever::Membership => "membership (every type's most enrolment)",
    };
    t.push_str(&format!(
        "Break-even of {lever}, on the median NPV ({} trials per evaluation)\n",
        b.trials
    ));
    t.push_str(&format!(
        "  median NPV as the scenario stands: {}\n",
        money(currency, b.npv_as_is)
    ));
    if !b.held_at_median.is_empty() {
        t.push_str(&format!(
            "  (uncertain inputs held at their medians and scaled, not drawn per trial: {})\n",
            b.held_at_median.join(", ")
        ));
    }
    match b.multiplier {
        Some(k) => {
            t.push_str(&format!(
                "  the median NPV reaches zero at {} × the scenario's values\n",
                format_number(k, 2)
            ));
            for (path, v) in &b.values {
                t.push_str(&format!("    {path} = {}\n", format_number(*v, 3)));
            }
            if let Some(m) = b.membership_share {
                t.push_str(&format!(
                    "  members: {} of the customer base at launch\n",
                    percent(m)
                ));
            }
        }
        None => t.push_str(&format!(
            "  no break-even up to {} × the scenario's values: the median NPV stays negative\n",
            format_number(b.searched_up_to, 2)
        )),
    }
    t
}

/// The break-even point's file: `breakeven.json`.
pub fn breakeven_files(
    b: &BreakEven,
    provenance: &Provenance,
) -> Result<Vec<Rendered>, ReportError> {
    #[derive(Serialize)]
    struct File<'a> {
        provenance: &'a Provenance,
        break_even: &'a BreakEven,
    }
    Ok(vec![json(
        "breakeven.json",
        &File {
            provenance,
            break_even: b,
        },
    )?])
}
