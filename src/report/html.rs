//! `report.html`: the run as one self-contained page, readable offline and printable. It holds
//! who produced it (version, scenario file and its SHA-256, seed), the verdict, every headline
//! metric with its band and Monte Carlo error, the warnings, the charts inline as SVG, every
//! assumption of the scenario (and the file itself), and notes on the method. No scripts, no
//! fonts or styles fetched from anywhere.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::assumptions::{Value, assumptions, defaults};
use super::chart::{self, ChartError};
use super::console::{
    Row, Unit, discounting, money_place, month_mean, precision_text, sections, show, show_at,
    show_month, verdict,
};
use super::labels;
use crate::money::format_number;
use crate::run::RunOutput;

/// A chart to show: its file name (without extension) and its SVG.
pub struct InlineChart<'a> {
    /// File name without extension, e.g. `cash_flow`.
    pub name: &'a str,
    /// The SVG document.
    pub svg: &'a str,
}

/// The report's styles: screen, phone (under 700 px) and print (A4 or Letter); shared by every
/// report the program writes.
pub(crate) const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
  max-width: 1200px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 2px solid #0072b2; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
.subtitle { color: #555; margin-top: 0; }
.description { margin: 0.2rem 0 0.5rem; max-width: 62rem; }
.verdict { background: #eef6fb; border-left: 5px solid #0072b2; padding: 0.8rem 1rem; font-size: 1.08rem; }
.warning { background: #fff4e5; border-left: 5px solid #e69f00; padding: 0.5rem 1rem; margin: 0.4rem 0; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; }
th, td { padding: 0.28rem 0.7rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #333; }
tbody tr:nth-child(even) { background: #f6f6f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sub { padding-left: 1.8rem; color: #333; }
tr.group td { padding-top: 0.7rem; font-weight: bold; background: #fff; border-bottom: 1px solid #bbb; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 0.15rem 1rem; margin: 0.8rem 0; }
dl.meta dt { color: #555; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
code, pre { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; }
figure { margin: 1.4rem 0 2rem; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #333; margin-top: 0.3rem; }
.note { color: #555; font-size: 0.92rem; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll > table { margin-top: 0; }
table.years tfoot th { border-top: 2px solid #333; text-align: right; }
table.years tfoot th:first-child { text-align: left; }
table.years td:first-child { white-space: nowrap; }
table.years thead th { white-space: normal; vertical-align: bottom; min-width: 6rem; }
table.decision thead th { white-space: normal; vertical-align: bottom; max-width: 9rem; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.2rem; }
.pair figure { margin: 0.8rem 0 0.6rem; }
.glossary { border-top: 1px solid #ddd; padding-top: 0.4rem; }
@media (max-width: 700px) {
  body { padding: 0 0.7rem; margin: 1rem auto; font-size: 14px; }
  table { display: block; overflow-x: auto; max-width: 100%; }
  .scroll > table { display: table; }
  th, td { padding: 0.25rem 0.4rem; }
  td:first-child { min-width: 9rem; }
  table.decision thead th { min-width: 8rem; }
  .pair { grid-template-columns: 1fr; }
  dl.meta { grid-template-columns: 1fr; gap: 0; }
  dl.meta dd { margin-bottom: 0.3rem; }
}
@page { margin: 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; line-height: 1.3; }
  nav { display: none; }
  h1 { font-size: 15pt; margin: 0; }
  h2 { font-size: 12pt; margin-top: 1rem; break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  .subtitle { margin: 0.1rem 0; }
  dl.meta { grid-template-columns: max-content auto max-content auto; margin: 0.3rem 0; font-size: 8pt; }
  .verdict { padding: 0.4rem 0.7rem; font-size: 10pt; }
  .summary h2 { margin-top: 0.6rem; }
  .summary { break-after: page; page-break-after: always; }
  .summary.decision figure svg { max-height: 105mm; }
  .summary table { margin: 0.2rem 0 0.3rem; }
  .summary th, .summary td { padding: 0.1rem 0.4rem; }
  .pair figure { margin: 0.3rem 0 0; }
  .scroll { overflow: visible; }
  figure, table, tr, .verdict, .warning { break-inside: avoid; page-break-inside: avoid; }
  figure svg { border: none; }
  tbody tr:nth-child(even) { background: #f2f2f2; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1rem; }
  .charts figure { margin: 0.4rem 0 0.8rem; }
  figcaption, .note { font-size: 8.5pt; }
  .appendix table { break-inside: auto; page-break-inside: auto; }
  .appendix th, .appendix td { padding: 0.05rem 0.5rem; }
  .appendix { break-before: page; page-break-before: always; }
  details > summary { list-style: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// What each chart shows, for its caption.
fn caption(name: &str) -> &'static str {
    match name {
        "cash_flow" => {
            "The program's cumulative net cash flow: incremental gross margin less rewards, running costs and the investment (month 0), against the same customers without the program. The line is the median over trials at each month and the band runs from the 5th to the 95th percentile at each month; the dashed line marks the median payback month."
        }
        "liability" => {
            "What the program owes at each month end for rewards earned but not yet redeemed, at cost and net of expected breakage, and the revenue deferred under IFRS 15 (the contract liability)."
        }
        "members_by_type" => {
            "Members of the program, stacked by loyalty type (the median over trials at each month). Types change over time; members lapse and newcomers join."
        }
        "active_by_type" => {
            "Customers who buy in a month, with the program, stacked by loyalty type (the median over trials at each month)."
        }
        "rewards" => {
            "Rewards earned (issued) and redeemed (used) each month, the median over trials; what is earned and not redeemed builds the liability."
        }
        "npv_histogram" => {
            "The NPV of each trial: losses in vermillion, gains in blue; the solid line marks zero and the dashed line the median."
        }
        "npv_waterfall" => {
            "The mean NPV taken apart: the incremental gross margin gained, less rewards, running costs and the investment, each discounted as the NPV is; the parts add up to the NPV."
        }
        "payback" => {
            "In how many trials the program pays back in each month; the last bar counts the trials that do not pay back within the horizon."
        }
        _ => "",
    }
}

fn row_html(row: &Row<'_>, run: &RunOutput) -> Markup {
    let c = &run.scenario.finance.currency;
    let months = run.summary.metadata.months;
    let label = |l: &str| {
        let sub = l.starts_with("  ");
        html! { td class=[sub.then_some("sub")] { (l.trim_start()) } }
    };
    match row {
        Row::Stats {
            label: l,
            stats: s,
            unit,
        } => {
            let [p50, p5, p95, mean] = super::console::stats_cells(s, *unit, c);
            html! {
                tr {
                    (label(l))
                    td.num { (p50) }
                    td.num { (p5) }
                    td.num { (p95) }
                    td.num { (mean) }
                }
            }
        }
        Row::Month { label: l, stats: s } => html! {
            tr {
                (label(l))
                td.num { (show_month(s.p50, months)) }
                td.num { (show_month(s.p5, months)) }
                td.num { (show_month(s.p95, months)) }
                td.num { (month_mean(s)) }
            }
        },
        Row::Text {
            label: l,
            value,
            band,
            error,
        } => html! {
            tr {
                (label(l))
                td.num { (value) }
                td.num colspan="2" { (band) }
                td.num { (error) }
            }
        },
        Row::Chance { label: l, stats: p } => html! {
            tr {
                (label(l))
                td.num { (show(p.probability_within_horizon, Unit::Percent, c)) }
                td.num colspan="2" {
                    "95% interval " (show(p.probability_ci95[0], Unit::Percent, c))
                    " … " (show(p.probability_ci95[1], Unit::Percent, c))
                }
                td.num { (super::console::chance_error(p.probability_sem)) }
            }
        },
    }
}

/// The charts of the first screen, shown under the year table rather than with the others.
const SUMMARY_CHARTS: [&str; 2] = ["npv_histogram", "npv_waterfall"];

/// The business case year by year (means over trials): the start with the investment, each
/// year, and the total, every money column rounded to one place: the coarsest of the places
/// the columns' totals' Monte Carlo errors support ([`money_place`]).
fn year_table(run: &RunOutput) -> Markup {
    let c = &run.scenario.finance.currency;
    let m = &run.summary.metrics;
    let years = super::yearly::years(run, &super::yearly::ModelInputs::of(run));
    let total = |g: &dyn Fn(&super::yearly::Year) -> f64| years.iter().map(g).sum::<f64>();
    let with_partner = years.iter().any(|y| y.partner != 0.0);
    type Column<'a> = (
        &'a str,
        &'a crate::metrics::stats::Stats,
        fn(&super::yearly::Year) -> f64,
        bool,
    );
    let mut columns: Vec<Column<'_>> = vec![
        (
            "Incremental revenue",
            &m.incremental_revenue,
            |y| y.incremental_revenue,
            true,
        ),
        (
            "Incremental margin",
            &m.incremental_gross_margin,
            |y| y.margin,
            true,
        ),
        ("Rewards", &m.reward_cost, |y| y.rewards, true),
        (
            "Investment and running costs",
            &m.program_cost,
            |y| y.costs,
            true,
        ),
    ];
    if with_partner {
        columns.push(("Paid by partners", &m.partner_revenue, |y| y.partner, true));
    }
    columns.push((
        "Net cash flow",
        &m.cumulative_cash_flow_end,
        |y| y.net,
        true,
    ));
    columns.push((
        "Cumulative",
        &m.cumulative_cash_flow_end,
        |y| y.cumulative,
        false,
    ));
    columns.push((
        "Liability at year end",
        &m.liability_end,
        |y| y.liability_end,
        false,
    ));
    let place = |stats: &crate::metrics::stats::Stats, get: fn(&super::yearly::Year) -> f64| {
        let largest = years
            .iter()
            .map(|y| get(y).abs())
            .fold(stats.mean.abs(), f64::max);
        stats
            .sem
            .and_then(|e| money_place(e, largest))
            .unwrap_or(if largest >= 100.0 { 0 } else { -2 })
    };
    // One place for every column, the coarsest any column's error supports: figures read side
    // by side (net = margin − rewards − costs) are rounded alike, none to a precision the
    // others lack.
    let shared = columns
        .iter()
        .map(|(_, s, g, _)| place(s, *g))
        .max()
        .unwrap_or(0);
    let places: Vec<i32> = vec![shared; columns.len()];
    let end = years.last().map_or(0.0, |y| y.cumulative);
    html! {
        div.scroll { table.years {
            thead { tr {
                th { "" }
                @for (title, ..) in &columns { th.num { (title) } }
            } }
            tbody {
                @for y in &years {
                    tr {
                        td { @if y.year == 0 { "Start (month 0)" } @else { "Year " (y.year) } }
                        @for ((_, _, get, _), p) in columns.iter().zip(&places) {
                            @if y.year == 0 && get(y) == 0.0 { td.num { "" } }
                            @else { td.num { (show_at(get(y), Unit::Money, c, *p)) } }
                        }
                    }
                }
            }
            tfoot { tr {
                th { "Total" }
                @for ((title, _, get, sums), p) in columns.iter().zip(&places) {
                    @if *sums { th.num { (show_at(total(get), Unit::Money, c, *p)) } }
                    @else if *title == "Cumulative" { th.num { (show_at(end, Unit::Money, c, *p)) } }
                    @else { th.num { "" } }
                }
            } }
        } }
        p.note {
            "Means over the trials of each year's cash flows (months 1–12 are year 1), so the totals are the headline means: the net total is the mean cumulative cash flow at month " (run.summary.metadata.months) ". Every column is rounded to one place, the coarsest that any column's total's Monte Carlo error supports."
            " The liability is at cost, net of expected breakage."
        }
    }
}

/// The one-line glossary under the summary.
fn glossary() -> Markup {
    html! {
        p.note.glossary {
            b { "Glossary: " }
            b { "MC error" } " — the Monte Carlo standard error of a mean (sd/√trials), how precisely the trials pin it down; "
            b { "pp" } " — percentage points; "
            b { "band" } " — the 5th to 95th percentile over trials, where 90% of outcomes fall; "
            b { "burn/earn" } " — points redeemed over points earned."
        }
    }
}

/// An inline chart as a figure with its caption.
fn figure(chart: &InlineChart<'_>) -> Markup {
    inline_figure(chart, caption(chart.name))
}

/// `chart` inline as a figure with `caption`, naming its PNG and SVG files: how every report
/// shows a chart.
pub(crate) fn inline_figure(chart: &InlineChart<'_>, caption: &str) -> Markup {
    html! {
        figure id=(chart.name) {
            (PreEscaped(chart.svg))
            figcaption { (caption) " "
                span.note { "(" (chart.name) ".png, " (chart.name) ".svg)" } }
        }
    }
}

/// Which liability goes on the balance sheet, and why the other is shown.
const BALANCE_SHEET: &str = "On the balance sheet goes the IFRS 15 contract liability: the revenue deferred for rewards earned and not yet redeemed, valued at their stand-alone selling price. The points liability at cost net of breakage is not booked; it is shown as the management view of the cash the program will still spend on rewards.";

/// The headline tables of a run: each section's rows with their median, band and Monte
/// Carlo error.
fn headline_tables(run: &RunOutput) -> Markup {
    html! {
        @for section in sections(run) {
            h3 { (section.title) }
            div.scroll { table {
                @if section.rows.iter().all(|r| matches!(r, Row::Text { .. })) {
                    thead { tr {
                        th { "" } th.num { "Value" } th.num colspan="2" { "Interval, or what it is" }
                        th.num { "MC std. error" }
                    } }
                } @else {
                    thead { tr {
                        th { "" } th.num { "Median" } th.num { "5th percentile" } th.num { "95th percentile" }
                        th.num { "Mean ± MC std. error" }
                    } }
                }
                tbody { @for r in &section.rows { (row_html(r, run)) } }
            } }
            @if section.title.starts_with("What the program owes") {
                p.note.balance-sheet { (BALANCE_SHEET) }
            }
        }
    }
}

/// The verdict, its warnings and the headline tables of a run as an HTML fragment, for a page
/// that shows a run among other things (the workbench).
pub fn results_fragment(run: &RunOutput) -> String {
    html! {
        p.verdict { b { "In short: " } (sentence(&verdict(run))) }
        @for d in &run.summary.diagnostics {
            p.warning { b { "Warning: " } (d.message) }
        }
        (headline_tables(run))
    }
    .into_string()
}

/// The verdict with its first letter capitalised.
pub(crate) fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn methodology(run: &RunOutput) -> Markup {
    let md = &run.summary.metadata;
    html! {
        h2 id="method" { "How these numbers are made" }
        ul {
            li { b { "Incremental, not gross. " }
                "Each customer lives two worlds at once, with the program and without it, on the same random numbers. Every financial figure is the difference between them, trial by trial: a reward on a purchase that would have happened anyway counts as the cost it is, and with no behavioural effect the incremental revenue is exactly zero." }
            li { b { "Customers. " }
                (if run.scenario.population.committed { "The base is split by the scenario's shares into five loyalty types (true, latent, false, none; Dick & Basu 1994; and committed, the extreme of true loyalty, fully insensitive to competitors). " } else { "The base is split by the scenario's shares into four loyalty types (true, latent, false, none; Dick & Basu 1994). " })
                "Purchase rates are Gamma across customers and Poisson month by month (negative binomial counts, Ehrenberg); spend per purchase follows the Gamma-Gamma model (Fader & Hardie); customers lapse with a monthly attrition probability, drift between types, join the program with their type's probability, and respond to it with their type's lifts." }
            li { b { "Business case. " }
                "Month by month: incremental gross margin, less reward cost (discounts, points rewards, certificates), running costs and any closing cost, plus what partners pay for points. The investment is spent at month 0. Payback is the first month the cumulative cash flow is at or above zero; NPV discounts each month "
                (discounting(run)) " (month t by (1 + r)^(t/12), r the annual rate); ROI is the cumulative cash flow over program cost plus reward cost." }
            li { b { "Liability. " }
                "Points and certificates outstanding at each month end, valued at their cost to the company times the share expected to be redeemed (one minus breakage). Unless the scenario states it, breakage is projected per trial by running what is outstanding at the horizon off, month by month, until it is redeemed, expired or forfeited. The IFRS 15 contract liability defers the stand-alone selling price of rewards earned with each sale until they are redeemed." }
            li { b { "Uncertainty. " }
                "Each of the " (format_number(md.trials as f64, 0)) " trials draws new customers, a new market (competitor promotions, a copycat, bad experiences, newcomers)"
                @if !md.uncertain_inputs.is_empty() { " and new values of the uncertain inputs" }
                ". The median and the 5th–95th percentile band describe the spread of outcomes; the Monte Carlo standard error of the mean (sd/√trials) says how precisely the trials pin the mean down: more trials shrink it, not the band. Percentiles are " (md.percentiles) ", so every band can be reproduced from trials.csv in a spreadsheet. Amounts, points and people are rounded to what the Monte Carlo error supports: the error to two significant figures when its leading digits are 100–354 and to one otherwise (the Particle Data Group's rule), every number of the row to the same place, amounts of a hundred and more to the whole unit at most; trials.csv, summary.json and the workbook keep full precision." }
            li { b { "Reproducible. " }
                "The same scenario file and seed give bit-identical results on any number of threads. The scenario's SHA-256 above identifies the file exactly (sha256sum prints the same)." }
        }
    }
}

/// The report of `run`, with `charts` (drawn for a page, see
/// [`super::chart::Figure::page_svg`]) inline in the order given and their font in its head.
pub fn report(run: &RunOutput, charts: &[InlineChart<'_>]) -> Result<String, ChartError> {
    // One subset per weight for all the charts, declared once.
    let fonts = chart::font::page_font_faces(charts.iter().map(|c| c.svg))?;
    let md = &run.summary.metadata;
    let c = &run.scenario.finance.currency;
    let name = run.scenario.name.clone().unwrap_or_else(|| {
        std::path::Path::new(&md.scenario)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| md.scenario.clone())
    });
    let all = assumptions(run);
    let defaults = defaults(run);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("{} {}", md.program, md.version));
                title { (name) " — loyalty program business case" }
                style { (PreEscaped(STYLE)) (PreEscaped(fonts)) }
            }
            body {
                header {
                    h1 { (name) ": will the program pay, when, and what will it owe?" }
                    @if let Some(d) = &run.scenario.description { p.description { (d) } }
                    p.subtitle { "Business case of a " (md.design) " program over " (md.months) " months, simulated by " (md.program) " " (md.version) "." }
                    dl.meta {
                        dt { "Scenario file" } dd { code { (md.scenario) } }
                        dt { "Scenario SHA-256" } dd { code { (md.scenario_sha256) } }
                        dt { "Seed" } dd { (md.seed) }
                        dt { "Trials" } dd {
                            (format_number(md.trials as f64, 0))
                            @if let Some(p) = &md.precision { " (stopped: " (precision_text(p, c)) ")" }
                        }
                        dt { "Customers at launch" } dd { (format_number(md.customers as f64, 0)) }
                        dt { "Amounts in" } dd { (c.code) " (" (c.symbol) ")" }
                        @if !md.uncertain_inputs.is_empty() {
                            dt { "Uncertain inputs" } dd { (md.uncertain_inputs.join(", ")) }
                        }
                    }
                }
                nav.note {
                    "Contents: " a href="#results" { "results" } " · " a href="#charts" { "charts" } " · "
                    a href="#assumptions" { "assumptions" } " · " a href="#method" { "method" }
                }
                p.verdict { b { "In short: " } (sentence(&verdict(run))) }
                @for d in &run.summary.diagnostics {
                    p.warning { b { "Warning: " } (d.message) }
                }
                section.summary id="summary" {
                    h2 { "Year by year" }
                    (year_table(run))
                    div.pair {
                        @for chart in charts.iter().filter(|c| SUMMARY_CHARTS.contains(&c.name)) {
                            (figure(chart))
                        }
                    }
                    (glossary())
                }
                h2 id="results" { "Results" }
                (headline_tables(run))
                @if run.summary.contract_liability_rollforward.iter().any(|y| y.deferred.mean != 0.0) {
                    h3 { "Contract liability roll-forward (IFRS 15), year by year" }
                    p.note { "Means over the trials, which add up like each trial's rows: opening + deferred − recognised on redemption − recognised on breakage = closing. Breakage includes the catch-up of revised estimates." }
                    table {
                        thead { tr {
                            th { "Year" } th.num { "Opening" } th.num { "Deferred" }
                            th.num { "Recognised on redemption" } th.num { "Recognised on breakage" }
                            th.num { "Closing" }
                        } }
                        tbody { @for y in &run.summary.contract_liability_rollforward { tr {
                            td { (y.year) }
                            @for st in [&y.opening, &y.deferred, &y.recognised_on_redemption, &y.recognised_on_breakage, &y.closing] {
                                td.num { (show(st.mean, Unit::Money, c)) }
                            }
                        } } }
                    }
                }
                @if charts.iter().any(|c| !SUMMARY_CHARTS.contains(&c.name)) {
                    h2 id="charts" { "Charts" }
                    div.charts {
                        @for chart in charts.iter().filter(|c| !SUMMARY_CHARTS.contains(&c.name)) {
                            (figure(chart))
                        }
                    }
                }
                (methodology(run))
                h2 { "Files of this run" }
                p.note {
                    "Next to this report: summary.json (every metric, full precision), monthly.csv and monthly_by_type.csv (bands by month), trials.csv (one row per trial)"
                    @if !run.scenario.uncertain.is_empty() { ", trial_inputs.csv (the inputs each trial drew)" }
                    ", workbook.xlsx (the same for a spreadsheet) and each chart as PNG and SVG. Every file records the version, seed and scenario SHA-256."
                }
                section.appendix {
                    h2 id="assumptions" { "Appendix: assumptions" }
                    p { "Every value of the scenario file, as run, table by table. An uncertain input shows its median and the distribution each trial draws from (the results above are over all trials, each with its own draw)." }
                    table {
                        thead { tr { th { "Field" } th.num { "Value" } th { "Distribution (drawn once per trial)" } } }
                        tbody {
                            @for (i, a) in all.iter().enumerate() {
                                @let (table, key) = section_of(&a.path);
                                @let previous = i.checked_sub(1).map(|j| section_of(&all[j].path).0);
                                @if previous != Some(table) {
                                    tr.group { td colspan="3" { code { "[" (table) "]" } } }
                                }
                                tr {
                                    td.sub { code { (key) } }
                                    @match (&a.value, &a.distribution) {
                                        (Value::Number(x), Some(_)) => td.num { "median " (labels::value(*x)) },
                                        (Value::Number(x), None) => td.num { (readable(*x)) },
                                        (Value::Text(t), _) => td.num { (t) },
                                    }
                                    td { (a.distribution.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                    @if !defaults.is_empty() {
                        h3 { "Not in the file: what the model used instead" }
                        p { "Defaults of the behaviour rules (stated assumptions, described in docs/model.md) and values derived from others." }
                        table {
                            thead { tr { th { "Field" } th.num { "Value" } } }
                            tbody {
                                @for (path, value) in &defaults {
                                    tr {
                                        td { code { (path) } }
                                        @match value {
                                            Value::Number(x) => td.num { (readable(*x)) },
                                            Value::Text(t) => td.num { (t) },
                                        }
                                    }
                                }
                            }
                        }
                    }
                    details {
                        summary { "The scenario file, verbatim" }
                        pre { (run.source) }
                    }
                }
            }
        }
    };
    Ok(page.into_string())
}

/// The table of the scenario file an assumption belongs to, and its key within it:
/// `population.latent.purchases_per_month.mean` is `mean` of `purchases_per_month` in
/// `[population.latent]`; `simulation.seed` is `seed` in `[simulation]`.
fn section_of(path: &str) -> (&str, &str) {
    // Each index is that of a '.', one byte: it and the byte after it are char boundaries
    // within the path, so the slices cannot fail.
    let mut dots = path.match_indices('.').map(|(i, _)| i);
    match (dots.next(), dots.next()) {
        (Some(_), Some(second)) => (&path[..second], &path[second + 1..]),
        (Some(first), None) => (&path[..first], &path[first + 1..]),
        _ => ("", path),
    }
}

/// A number without the noise of binary floating point (0.08, not 0.08000000000000002).
fn readable(x: f64) -> String {
    format!("{x:.12e}").parse::<f64>().unwrap_or(x).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assumptions_group_by_the_table_of_the_scenario_file() {
        assert_eq!(section_of("simulation.seed"), ("simulation", "seed"));
        assert_eq!(
            section_of("population.latent.purchases_per_month.mean"),
            ("population.latent", "purchases_per_month.mean")
        );
        assert_eq!(
            section_of("program.points.rewards[1].cost"),
            ("program.points", "rewards[1].cost")
        );
    }

    #[test]
    fn numbers_read_without_float_noise() {
        assert_eq!(readable(0.080_000_000_000_000_02), "0.08");
        assert_eq!(readable(40_000.0), "40000");
        assert_eq!(readable(0.003), "0.003");
    }
}
