//! The charts of a run, built from its results: the cumulative cash-flow fan, the liability,
//! members and active customers by loyalty type, rewards issued and redeemed, and the
//! payback month over trials. Each is written as `<name>.png` and `<name>.svg`.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::chart::{
    BandChart, Curve, Draw, Figure, HistogramChart, LineChart, Scale, Series as Line, StackedChart,
    palette,
};
use super::{Exporter, ReportError};
use crate::metrics::finance::{Series, TypeSeries};
use crate::metrics::stats::Stats;
use crate::model::population::LoyaltyType;
use crate::run::RunOutput;

/// Any chart kind, so figures of different kinds can be listed together.
#[derive(Debug, Clone)]
pub enum AnyChart {
    /// Lines with bands.
    Band(BandChart),
    /// Stacked areas.
    Stacked(StackedChart),
    /// Plain lines.
    Line(LineChart),
    /// A histogram.
    Histogram(HistogramChart),
    /// A tornado.
    Tornado(super::chart::TornadoChart),
    /// Bars side by side.
    Bars(super::chart::GroupedBarChart),
    /// Points by group.
    Scatter(super::chart::ScatterChart),
    /// A histogram over a numeric axis.
    ValueHistogram(super::chart::ValueHistogramChart),
    /// A waterfall.
    Waterfall(super::chart::WaterfallChart),
}

impl Draw for AnyChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        match self {
            AnyChart::Band(c) => c.draw(area),
            AnyChart::Stacked(c) => c.draw(area),
            AnyChart::Line(c) => c.draw(area),
            AnyChart::Histogram(c) => c.draw(area),
            AnyChart::Tornado(c) => c.draw(area),
            AnyChart::Bars(c) => c.draw(area),
            AnyChart::Scatter(c) => c.draw(area),
            AnyChart::ValueHistogram(c) => c.draw(area),
            AnyChart::Waterfall(c) => c.draw(area),
        }
    }
}

/// The months of a run as x values.
fn months(run: &RunOutput) -> Vec<f64> {
    run.monthly.iter().map(|m| f64::from(m.month)).collect()
}

/// One series' (p5, p50, p95) over the months.
fn band(run: &RunOutput, s: Series) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    // `series` has one entry per `Series::ALL` (monthly_bands), so `s as usize` is in range.
    let stats: Vec<&Stats> = run.monthly.iter().map(|m| &m.series[s as usize]).collect();
    (
        stats.iter().map(|s| s.p5).collect(),
        stats.iter().map(|s| s.p50).collect(),
        stats.iter().map(|s| s.p95).collect(),
    )
}

fn money_label(run: &RunOutput, what: &str) -> String {
    let c = &run.scenario.finance.currency;
    format!("{what} ({}, {})", c.symbol, c.code)
}

fn band_note(run: &RunOutput) -> String {
    format!(
        "line: median · band: 5th–95th percentile, month by month, of {} trials",
        run.summary.metadata.trials
    )
}

/// The cumulative net cash flow fan, with the median payback month marked.
pub fn cash_flow(run: &RunOutput) -> Figure<AnyChart> {
    let (mut p5, mut p50, mut p95) = band(run, Series::CumulativeCashFlow);
    // Month 0 is minus the investment: its 5th percentile is minus the investment's 95th.
    let inv = &run.summary.metrics.investment;
    p5.insert(0, -inv.p95);
    p50.insert(0, -inv.p50);
    p95.insert(0, -inv.p5);
    let mut x = months(run);
    x.insert(0, 0.0);
    let payback = &run.summary.metrics.payback_month;
    let markers = payback
        .p50
        .map(|m| {
            vec![(
                m,
                format!(
                    "median payback: month {}",
                    super::console::show_month(Some(m), 0)
                ),
            )]
        })
        .unwrap_or_default();
    Figure {
        name: "cash_flow",
        footer: String::new(),
        chart: AnyChart::Band(BandChart {
            title: "Cumulative net cash flow of the program (incremental, after investment)".into(),
            x_label: "Month".into(),
            y_label: money_label(run, "Cumulative net cash flow"),
            x_scale: Scale::Plain,
            y_scale: Scale::Money(run.scenario.finance.currency.clone()),
            series: vec![Line {
                label: "cumulative net cash flow".into(),
                color: palette::BLUE,
                x,
                line: p50,
                band: Some((p5, p95)),
            }],
            markers,
            zero_line: true,
            note: band_note(run),
        }),
    }
}

/// What the program owes at each month end: the liability and the IFRS 15 contract liability.
pub fn liability(run: &RunOutput) -> Figure<AnyChart> {
    let (p5, p50, p95) = band(run, Series::Liability);
    let (_, ifrs, _) = band(run, Series::Ifrs15ContractLiability);
    Figure {
        name: "liability",
        footer: String::new(),
        chart: AnyChart::Band(BandChart {
            title: "What the program owes at each month end".into(),
            x_label: "Month".into(),
            y_label: money_label(run, "Liability"),
            x_scale: Scale::Plain,
            y_scale: Scale::Money(run.scenario.finance.currency.clone()),
            series: vec![
                Line {
                    label: "liability: outstanding at cost × expected redemption".into(),
                    color: palette::VERMILLION,
                    x: months(run),
                    line: p50,
                    band: Some((p5, p95)),
                },
                Line {
                    label: "IFRS 15 contract liability (median)".into(),
                    color: palette::BLUE,
                    x: months(run),
                    line: ifrs,
                    band: None,
                },
            ],
            markers: Vec::new(),
            zero_line: true,
            note: band_note(run),
        }),
    }
}

/// A per-type series' medians, stacked by loyalty type.
fn by_type(
    run: &RunOutput,
    s: TypeSeries,
    name: &'static str,
    title: &str,
    y_label: &str,
) -> Figure<AnyChart> {
    let x = months(run);
    // i < TYPES: a validated population has every type, TYPES a colour for each, and `series`
    // one entry per `TypeSeries::ALL` (monthly_type_bands). Committed loyalty, when the
    // scenario has it, is shown even at a share of 0: members move into it.
    let population = &run.scenario.population;
    let layers = population
        .shown_types()
        .iter()
        .map(|ty| (ty.index(), ty))
        .filter(|(i, ty)| population.types[*i].share > 0.0 || **ty == LoyaltyType::Committed)
        .map(|(i, ty)| {
            let values = run
                .monthly_by_type
                .iter()
                .filter(|b| b.loyalty_type == *ty)
                .map(|b| b.series[s as usize].p50)
                .collect();
            (ty.label().to_string(), palette::TYPES[i], values)
        })
        .collect();
    Figure {
        name,
        footer: String::new(),
        chart: AnyChart::Stacked(StackedChart {
            title: title.into(),
            y_label: y_label.into(),
            y_scale: Scale::Count,
            x,
            layers,
        }),
    }
}

/// Members by loyalty type.
pub fn members_by_type(run: &RunOutput) -> Figure<AnyChart> {
    by_type(
        run,
        TypeSeries::Members,
        "members_by_type",
        "Members by loyalty type (median of trials)",
        "Members",
    )
}

/// Active customers by loyalty type, with the program.
pub fn active_by_type(run: &RunOutput) -> Figure<AnyChart> {
    by_type(
        run,
        TypeSeries::Active,
        "active_by_type",
        "Customers buying each month, by loyalty type, with the program (median)",
        "Customers with a purchase in the month",
    )
}

fn curve(
    label: &str,
    color: plotters::style::RGBColor,
    dashed: bool,
    points: Vec<(f64, f64)>,
) -> Curve {
    Curve {
        label: label.to_string(),
        color,
        dashed,
        points,
    }
}

/// Rewards earned and redeemed each month: points for a points program, value otherwise.
pub fn rewards(run: &RunOutput) -> Option<Figure<AnyChart>> {
    let program = &run.scenario.program;
    let x = months(run);
    let line = |s: Series| -> Vec<(f64, f64)> {
        let (_, p50, _) = band(run, s);
        x.iter().copied().zip(p50).collect()
    };
    let (title, y_label, y_scale, lines) = if program.points.is_some() {
        (
            "Points earned, redeemed and expired each month (median)".to_string(),
            "Points".to_string(),
            Scale::Count,
            vec![
                curve("earned", palette::BLUE, false, line(Series::PointsEarned)),
                curve(
                    "redeemed",
                    palette::GREEN,
                    false,
                    line(Series::PointsRedeemed),
                ),
                curve(
                    "expired",
                    palette::VERMILLION,
                    true,
                    line(Series::PointsExpired),
                ),
            ],
        )
    } else if program.cumulative_discount.is_some() {
        (
            "Certificates issued and used each month (median)".to_string(),
            money_label(run, "Certificate value"),
            Scale::Money(run.scenario.finance.currency.clone()),
            vec![
                curve(
                    "issued",
                    palette::BLUE,
                    false,
                    line(Series::CertificatesIssued),
                ),
                curve(
                    "used",
                    palette::GREEN,
                    false,
                    line(Series::CertificatesRedeemed),
                ),
            ],
        )
    } else {
        return None;
    };
    Some(Figure {
        name: "rewards",
        footer: String::new(),
        chart: AnyChart::Line(LineChart {
            title,
            x_label: "Month".into(),
            y_label,
            y_scale,
            lines,
        }),
    })
}

/// The payback month over trials, with a bar for trials that do not pay back.
pub fn payback_histogram(run: &RunOutput) -> Figure<AnyChart> {
    let months = run.summary.metadata.months;
    let mut counts = vec![0.0; months as usize];
    let mut never = 0.0;
    for t in &run.trials {
        match t.payback_month {
            // payback_month is 1..=months: a month of the trial's cash flows.
            Some(m) => counts[m as usize - 1] += 1.0,
            None => never += 1.0,
        }
    }
    // From the month before the first payback to the month after the last one.
    let first = counts.iter().position(|&c| c > 0.0).unwrap_or(0);
    let last = counts.iter().rposition(|&c| c > 0.0).unwrap_or(0);
    let mut bins: Vec<(String, f64, _)> = counts
        .iter()
        .enumerate()
        .take(last + 2)
        .skip(first.saturating_sub(1))
        .map(|(i, &c)| ((i + 1).to_string(), c, palette::BLUE))
        .collect();
    bins.push((format!("> {months}"), never, palette::VERMILLION));
    Figure {
        name: "payback",
        footer: String::new(),
        chart: AnyChart::Histogram(HistogramChart {
            title: format!(
                "Payback month over {} trials ({:.0}% within {months} months)",
                run.trials.len(),
                run.summary.metrics.payback_month.probability_within_horizon * 100.0
            ),
            x_label: "Month in which the cumulative cash flow turns positive".into(),
            y_label: "Trials".into(),
            bins,
        }),
    }
}

/// The NPV over trials: a histogram of about √trials bins (between 10 and 40), losses in
/// vermillion, with zero and the median marked.
pub fn npv_histogram(run: &RunOutput) -> Figure<AnyChart> {
    let values: Vec<f64> = run
        .trials
        .iter()
        .map(|t| t.npv)
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let bins = npv_bins(&values, lo, hi);
    let npv = &run.summary.metrics.npv;
    let c = &run.scenario.finance.currency;
    let scale = Scale::Money(c.clone());
    let mut markers = vec![(
        npv.p50,
        format!(
            "median {}",
            super::console::stats_cells(npv, super::console::Unit::Money, c)[0]
        ),
        true,
    )];
    // Zero is marked when it is in view; when every trial is far from it, drawing it would
    // squeeze the bars into a corner, so the title says where it is instead.
    let zero_in_view = lo <= 0.0 && hi >= 0.0;
    if zero_in_view {
        markers.insert(0, (0.0, "0".to_string(), false));
    }
    let zero = match (zero_in_view, hi < 0.0) {
        (true, _) => "",
        (false, true) => "; zero is off the scale, to the right",
        (false, false) => "; zero is off the scale, to the left",
    };
    Figure {
        name: "npv_histogram",
        footer: String::new(),
        chart: AnyChart::ValueHistogram(super::chart::ValueHistogramChart {
            title: format!(
                "NPV over {} trials (positive in {:.0}%{zero})",
                run.trials.len(),
                run.summary.downside.npv_positive.probability * 100.0
            ),
            x_label: money_label(run, &format!("NPV {}", super::console::discounting(run))),
            x_scale: scale,
            y_label: "Trials".into(),
            bins,
            split: 0.0,
            below: palette::VERMILLION,
            above: palette::BLUE,
            markers,
        }),
    }
}

/// Equal-width bins from `lo` to `hi` over `values`: (lower edge, upper edge, count).
fn npv_bins(values: &[f64], lo: f64, hi: f64) -> Vec<(f64, f64, f64)> {
    if values.is_empty() || !(lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    if hi - lo <= 0.0 {
        let half = lo.abs().max(1.0) * 0.01;
        return vec![(lo - half, hi + half, values.len() as f64)];
    }
    let n = ((values.len() as f64).sqrt().ceil() as usize).clamp(10, 40);
    let width = (hi - lo) / n as f64;
    let mut counts = vec![0.0; n];
    for v in values {
        // The top value falls in the last bin.
        let i = (((v - lo) / width).floor() as usize).min(n - 1);
        counts[i] += 1.0;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| (lo + width * i as f64, lo + width * (i + 1) as f64, c))
        .collect()
}

/// The mean NPV taken apart: the incremental margin gained, less rewards, running costs and
/// the investment (and plus what partners pay, when they do), each discounted as the NPV is.
pub fn npv_waterfall(run: &RunOutput) -> Figure<AnyChart> {
    let w = super::yearly::waterfall(run);
    let step = |label: &str, amount: f64, total: bool| super::chart::WaterfallStep {
        label: label.to_string(),
        amount,
        total,
    };
    let mut steps = vec![
        step("Margin gained", w.margin, false),
        step("Rewards", -w.rewards, false),
        step("Running costs", -w.running, false),
    ];
    if w.partner != 0.0 {
        steps.push(step("Paid by partners", w.partner, false));
    }
    steps.push(step("Investment", -w.investment, false));
    steps.push(step("NPV", w.npv, true));
    Figure {
        name: "npv_waterfall",
        footer: String::new(),
        chart: AnyChart::Waterfall(super::chart::WaterfallChart {
            title: format!(
                "Where the mean NPV comes from (present values {})",
                super::console::discounting(run)
            ),
            y_label: money_label(run, "Present value"),
            y_scale: Scale::Money(run.scenario.finance.currency.clone()),
            steps,
        }),
    }
}

/// The small print of a run's charts: program, version, seed and the scenario's hash.
pub fn stamp(run: &RunOutput) -> String {
    let md = &run.summary.metadata;
    format!(
        "{} {} · seed {} · scenario sha256 {}",
        md.program,
        md.version,
        md.seed,
        md.scenario_sha256
            .get(..12)
            .unwrap_or(md.scenario_sha256.as_str())
    )
}

/// Every chart of a run.
pub fn run_figures(run: &RunOutput) -> Vec<Figure<AnyChart>> {
    let mut figures = vec![
        npv_histogram(run),
        npv_waterfall(run),
        cash_flow(run),
        liability(run),
        members_by_type(run),
        active_by_type(run),
    ];
    figures.extend(rewards(run));
    figures.push(payback_histogram(run));
    for f in &mut figures {
        f.footer = stamp(run);
    }
    figures
}

/// Writes a figure as PNG or SVG.
pub struct FigureFile {
    /// The figure.
    pub figure: Figure<AnyChart>,
    /// SVG rather than PNG.
    pub svg: bool,
}

impl FigureFile {
    /// Both files of `figure`.
    pub fn both(figure: Figure<AnyChart>) -> [FigureFile; 2] {
        [
            FigureFile {
                figure: figure.clone(),
                svg: false,
            },
            FigureFile { figure, svg: true },
        ]
    }
}

impl FigureFile {
    /// The file's bytes.
    pub fn render_figure(&self) -> Result<Vec<u8>, ReportError> {
        let bytes = if self.svg {
            self.figure.svg().map(String::into_bytes)
        } else {
            self.figure.png()
        };
        bytes.map_err(ReportError::Chart)
    }
}

impl Exporter for FigureFile {
    fn file_name(&self) -> String {
        format!(
            "{}.{}",
            self.figure.name,
            if self.svg { "svg" } else { "png" }
        )
    }

    fn render(&self, _run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        self.render_figure()
    }
}
