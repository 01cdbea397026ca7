//! `workbook.xlsx`, for finance: the summary, every assumption of the scenario, the monthly
//! cash flow with its bands, and every trial. Numbers are stored as numbers (so they can be
//! summed and charted in Excel) and money carries the currency's format.
//!
//! The Summary sheet has the rows of the printed summary (a design's absent currencies left
//! out). The Monthly sheet has, for each quantity, its mean (means add up: net cash flow =
//! incremental margin − reward cost − running costs + partner payments − closing cost) and its
//! median and 5th and 95th percentiles (which do not add up), from month 0, the investment.
//! The Model sheet recomputes the business case from those means by formulas (see
//! `model.rs`), the Charts sheet draws them; the data sheets are Excel tables,
//! laid out for reading and printing (`layout.rs`).

mod charts;
mod document;
mod layout;
mod model;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError,
};

pub use document::document_workbook;
use layout::{Shown, Widths};
pub use model::{
    EXTRA_RUNNING_CELL, INVESTMENT_CELL, ModelInputs, NPV_CELL, PAYBACK_CELL, RATE_CELL, model_npv,
};

use super::assumptions::{Value, assumptions, defaults};
use super::console::{Row, Unit, sections};
use super::labels::unit;
use super::{Exporter, ReportError};
use crate::metrics::finance::{Series, TrialMetrics};
use crate::metrics::stats::Stats;
use crate::metrics::summary::MonthBands;
use crate::money::Currency;
use crate::run::RunOutput;

/// The workbook exporter.
pub struct WorkbookXlsx;

/// The number formats of a workbook.
struct Formats {
    money: Format,
    percent: Format,
    count: Format,
    bold: Format,
}

impl Formats {
    fn new(c: &Currency) -> Formats {
        Formats {
            money: money_format(c, 0),
            percent: Format::new().set_num_format("0.0%"),
            count: Format::new().set_num_format("#,##0"),
            bold: Format::new().set_bold(),
        }
    }

    fn of(&self, unit: Unit) -> &Format {
        match unit {
            Unit::Money => &self.money,
            Unit::Percent => &self.percent,
            Unit::Points | Unit::People => &self.count,
        }
    }
}

/// Money format with `decimals` decimals (whole units for 0) with thousands separators, negative in red; a one-character
/// symbol in front (€1,234), a longer one after (1,234 kr), as the printed summary has it.
fn money_format(c: &Currency, decimals: usize) -> Format {
    let symbol = c.symbol.replace('"', "");
    let number = if decimals == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(decimals))
    };
    let (positive, negative) = if symbol.chars().count() == 1 {
        (
            format!("\"{symbol}\"{number}"),
            format!("[Red]-\"{symbol}\"{number}"),
        )
    } else {
        (
            format!("{number} \"{symbol}\""),
            format!("[Red]-{number} \"{symbol}\""),
        )
    };
    Format::new().set_num_format(format!("{positive};{negative}"))
}

fn xlsx(e: XlsxError) -> ReportError {
    ReportError::Workbook(e.to_string())
}

/// Writes a header row in bold, wrapped within its columns: two lines high when a title is
/// longer than a column of 16 holds.
fn header(sheet: &mut Worksheet, row: u32, titles: &[&str]) -> Result<(), ReportError> {
    let bold = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    // Over the numbers, right-aligned like them.
    let right = bold.clone().set_align(FormatAlign::Right);
    for (c, t) in titles.iter().enumerate() {
        let format = if c == 0 { &bold } else { &right };
        sheet
            .write_string_with_format(row, c as u16, *t, format)
            .map_err(xlsx)?;
    }
    if titles.iter().skip(1).any(|t| t.chars().count() > 15) {
        sheet.set_row_height(row, 30).map_err(xlsx)?;
    }
    Ok(())
}

/// Writes `v` at (`row`, `col`) in `format`, or leaves the cell empty.
fn number(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<f64>,
    format: &Format,
) -> Result<(), ReportError> {
    if let Some(v) = v {
        sheet
            .write_number_with_format(row, col, v, format)
            .map_err(xlsx)?;
    }
    Ok(())
}

/// The Summary sheet: provenance, then every row of the printed summary.
fn summary(sheet: &mut Worksheet, run: &RunOutput, f: &Formats) -> Result<(), ReportError> {
    let md = &run.summary.metadata;
    let c = &run.scenario.finance.currency;
    let text: [(&str, String); 6] = [
        ("Program", format!("{} {}", md.program, md.version)),
        ("Scenario", md.scenario.clone()),
        ("Scenario SHA-256", md.scenario_sha256.clone()),
        ("Design", md.design.clone()),
        // As text: a 64-bit seed does not fit a spreadsheet number exactly.
        ("Seed", md.seed.to_string()),
        ("Currency", format!("{} ({})", c.code, c.symbol)),
    ];
    let mut r = 0u32;
    for (k, v) in &text {
        sheet.write_string(r, 0, *k).map_err(xlsx)?;
        sheet.write_string(r, 1, v).map_err(xlsx)?;
        r += 1;
    }
    for (k, v) in [
        ("Trials", md.trials as f64),
        ("Customers at launch", md.customers as f64),
        ("Months", f64::from(md.months)),
    ] {
        sheet.write_string(r, 0, k).map_err(xlsx)?;
        sheet
            .write_number_with_format(r, 1, v, &f.count)
            .map_err(xlsx)?;
        r += 1;
    }
    r += 1;
    let months = md.months;
    for section in sections(run) {
        if section
            .rows
            .iter()
            .all(|row| matches!(row, Row::Text { .. }))
        {
            // Figures formatted for reading: the workbook writes their numbers instead.
            r = downside_block(sheet, r, run, f, &section.title)?;
            continue;
        }
        sheet
            .write_string_with_format(r, 0, &section.title, &f.bold)
            .map_err(xlsx)?;
        r += 1;
        header(
            sheet,
            r,
            &[
                "Metric",
                "Mean",
                "Std. dev.",
                "MC std. error",
                "95% interval of the mean: low",
                "high",
                "5th percentile",
                "Median",
                "95th percentile",
            ],
        )?;
        r += 1;
        for row in &section.rows {
            match row {
                Row::Stats {
                    label,
                    stats: s,
                    unit,
                } => {
                    let fmt = f.of(*unit);
                    sheet.write_string(r, 0, label.trim()).map_err(xlsx)?;
                    let ci = s.ci95;
                    let values = [
                        Some(s.mean),
                        s.sd,
                        s.sem,
                        ci.map(|c| c[0]),
                        ci.map(|c| c[1]),
                        Some(s.p5),
                        Some(s.p50),
                        Some(s.p95),
                    ];
                    for (col, v) in values.into_iter().enumerate() {
                        number(sheet, r, col as u16 + 1, v, fmt)?;
                    }
                }
                Row::Month { label, stats: s } => {
                    sheet
                        .write_string(r, 0, format!("{label} (mean over trials that reach it)"))
                        .map_err(xlsx)?;
                    let plain = Format::new().set_num_format("0.0");
                    for (col, v) in [s.mean, s.sd, s.sem].into_iter().enumerate() {
                        number(sheet, r, col as u16 + 1, v, &plain)?;
                    }
                    for (col, v) in [s.p5, s.p50, s.p95].into_iter().enumerate() {
                        let col = col as u16 + 6;
                        match v {
                            Some(v) => number(sheet, r, col, Some(v), &plain)?,
                            None => {
                                sheet
                                    .write_string(r, col, format!("> {months}"))
                                    .map_err(xlsx)?;
                            }
                        }
                    }
                }
                Row::Text { .. } => {}
                Row::Chance { label, stats: p } => {
                    sheet.write_string(r, 0, label.as_str()).map_err(xlsx)?;
                    number(sheet, r, 1, Some(p.probability_within_horizon), &f.percent)?;
                    number(sheet, r, 3, Some(p.probability_sem), &f.percent)?;
                    number(sheet, r, 4, Some(p.probability_ci95[0]), &f.percent)?;
                    number(sheet, r, 5, Some(p.probability_ci95[1]), &f.percent)?;
                }
            }
            r += 1;
        }
        r += 1;
    }
    let notes = [
        "Mean, percentiles and standard deviation are over the trials; the MC std. error is sd/√trials, how precisely the trials pin the mean down.",
        "Percentiles: Hyndman-Fan type 7, as PERCENTILE.INC on the Trials sheet. The chance of payback's interval is Wilson's.",
        "On the Monthly sheet, the means add up across columns; medians and percentiles do not.",
        "The Model sheet recomputes the NPV, the payback month and a year-by-year table by formulas: change its discount rate, investment or running cost to try another case.",
    ];
    for note in notes {
        sheet.write_string(r, 0, note).map_err(xlsx)?;
        r += 1;
    }
    sheet.set_column_width(0, 46).map_err(xlsx)?;
    for col in 1..=8 {
        sheet.set_column_width(col, 16).map_err(xlsx)?;
    }
    // One page wide: the notes below the tables are long lines, so the print area stops at
    // the last column of the tables.
    layout::print_wide(sheet, 46 + 8 * 16);
    sheet.set_print_area(0, 0, r, 8).map_err(xlsx)?;
    Ok(())
}

/// The Assumptions sheet: every value of the scenario file by path.
fn assumptions_sheet(sheet: &mut Worksheet, run: &RunOutput) -> Result<(), ReportError> {
    header(
        sheet,
        0,
        &["Field", "Value", "Distribution (drawn once per trial)"],
    )?;
    for (i, a) in assumptions(run).iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &a.path).map_err(xlsx)?;
        match &a.value {
            Value::Number(x) => sheet.write_number(r, 1, *x).map_err(xlsx)?,
            Value::Text(t) => sheet.write_string(r, 1, t).map_err(xlsx)?,
        };
        if let Some(d) = &a.distribution {
            sheet.write_string(r, 2, d).map_err(xlsx)?;
        }
    }
    // What the model used that the file does not state.
    let mut r = assumptions(run).len() as u32 + 2;
    let bold = Format::new().set_bold();
    sheet
        .write_string_with_format(
            r,
            0,
            "Not in the file: defaults and derived values the model used",
            &bold,
        )
        .map_err(xlsx)?;
    for (path, value) in defaults(run) {
        r += 1;
        sheet.write_string(r, 0, &path).map_err(xlsx)?;
        match value {
            Value::Number(x) => sheet.write_number(r, 1, x).map_err(xlsx)?,
            Value::Text(t) => sheet.write_string(r, 1, t).map_err(xlsx)?,
        };
        sheet.write_string(r, 2, "default").map_err(xlsx)?;
    }
    sheet.set_column_width(0, 58).map_err(xlsx)?;
    sheet.set_column_width(1, 18).map_err(xlsx)?;
    sheet.set_column_width(2, 44).map_err(xlsx)?;
    // A long list of three columns: portrait, one page wide, the header on every page.
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0).map_err(xlsx)?;
    Ok(())
}

/// Where the Monthly sheet put each series' mean, for the Model sheet's formulas and the
/// charts. Month t is on row t + 1 (month 0, the investment, on row 1).
pub(super) struct MonthlyLayout {
    /// Each series on the sheet with the column of its mean; its median, 5th and 95th
    /// percentiles follow in the next three columns.
    columns: Vec<(Series, u16)>,
    /// The column of the closing cost's mean, when the design has an exit.
    closing: Option<u16>,
    /// The last row (the horizon's month).
    last_row: u32,
}

impl MonthlyLayout {
    /// The column of `series`' mean, if the sheet has it.
    fn mean(&self, series: Series) -> Option<u16> {
        self.columns
            .iter()
            .find(|(s, _)| *s == series)
            .map(|(_, c)| *c)
    }
}

/// The mean closing cost of `month`: what the mean net cash flow holds beyond its parts
/// (booked in the exit month). Zero without an exit, and where the difference is only the
/// rounding of the sums (a millionth of a cent on a month of thousands), so it does not show
/// as a red −0.
pub(crate) fn closing_cost(run: &RunOutput, month: &MonthBands) -> f64 {
    if run.scenario.program.exit.is_none() {
        return 0.0;
    }
    // `series` holds one Stats per Series::ALL, so the index is in range.
    let mean = |s: Series| month.series[s as usize].mean;
    let parts = [
        mean(Series::IncrementalMargin),
        -mean(Series::RewardCost),
        -mean(Series::RunningCosts),
        mean(Series::PartnerRevenue),
        -mean(Series::NetCashFlow),
    ];
    let closing: f64 = parts.iter().sum();
    let scale: f64 = parts.iter().map(|p| p.abs()).sum();
    if closing.abs() <= 1e-9 * scale {
        0.0
    } else {
        closing
    }
}

/// The Monthly sheet: month 0 (the investment) to the horizon, each quantity as mean, median,
/// 5th and 95th percentile.
fn monthly(
    sheet: &mut Worksheet,
    run: &RunOutput,
    f: &Formats,
) -> Result<MonthlyLayout, ReportError> {
    let program = &run.scenario.program;
    let mut series = vec![
        (Series::RevenueProgram, "Revenue with the program"),
        (Series::RevenueBaseline, "Revenue without the program"),
        (Series::IncrementalRevenue, "Incremental revenue"),
        (Series::IncrementalMargin, "Incremental margin"),
        (Series::RewardCost, "Reward cost"),
        (Series::RunningCosts, "Running costs"),
    ];
    if program.points.as_ref().is_some_and(|p| p.partner.is_some()) {
        series.push((Series::PartnerRevenue, "Paid by partners for points"));
    }
    series.extend([
        (Series::NetCashFlow, "Net cash flow"),
        (Series::CumulativeCashFlow, "Cumulative cash flow"),
        (Series::Liability, "Liability"),
        (
            Series::Ifrs15ContractLiability,
            "IFRS 15 contract liability",
        ),
        (Series::Members, "Members"),
    ]);
    let stats = ["mean", "median", "p5", "p95"];
    let exit = program.exit.is_some();
    let mut titles = vec!["Month".to_string()];
    for (_, name) in &series {
        for stat in stats {
            titles.push(format!("{name} ({stat})"));
        }
    }
    let closing_col = exit.then_some(titles.len() as u16);
    if exit {
        titles.push("Closing cost (mean)".into());
    }
    let mut widths = Widths::new(&run.scenario.finance.currency.symbol);
    widths.text(0, 5);
    // Month 0: the investment, spent before the first month (its 5th percentile of cash is
    // minus the investment's 95th).
    let inv = &run.summary.metrics.investment;
    let start = [-inv.mean, -inv.p50, -inv.p95, -inv.p5];
    sheet.write_number(1, 0, 0.0).map_err(xlsx)?;
    for (i, (s, _)) in series.iter().enumerate() {
        if matches!(s, Series::NetCashFlow | Series::CumulativeCashFlow) {
            for (j, v) in start.iter().enumerate() {
                let col = 1 + (i * 4 + j) as u16;
                number(sheet, 1, col, Some(*v), &f.money)?;
                widths.number(col, *v, Shown::Money);
            }
        }
    }
    for (r, month) in run.monthly.iter().enumerate() {
        let row = r as u32 + 2;
        sheet
            .write_number(row, 0, f64::from(month.month))
            .map_err(xlsx)?;
        for (i, (s, _)) in series.iter().enumerate() {
            // `series` has one entry per `Series::ALL` (monthly_bands): in range.
            let st: &Stats = &month.series[*s as usize];
            let (fmt, shown) = if matches!(s, Series::Members) {
                (&f.count, Shown::Count)
            } else {
                (&f.money, Shown::Money)
            };
            for (j, v) in [st.mean, st.p50, st.p5, st.p95].into_iter().enumerate() {
                let col = 1 + (i * 4 + j) as u16;
                number(sheet, row, col, Some(v), fmt)?;
                widths.number(col, v, shown);
            }
        }
        if let Some(col) = closing_col {
            let closing = closing_cost(run, month);
            number(sheet, row, col, Some(closing), &f.money)?;
            widths.number(col, closing, Shown::Money);
        }
    }
    let last_row = run.monthly.len() as u32 + 1;
    layout::data_table(sheet, "Monthly", &titles, last_row, &widths)?;
    Ok(MonthlyLayout {
        columns: series
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (*s, 1 + (i * 4) as u16))
            .collect(),
        closing: closing_col,
        last_row,
    })
}

/// The Roll-forward sheet: the contract liability year by year, means over the trials (which
/// add up like each trial's rows).
fn rollforward(sheet: &mut Worksheet, run: &RunOutput, f: &Formats) -> Result<(), ReportError> {
    let titles: Vec<String> = [
        "Year",
        "Sales earning points, to goods",
        "Opening contract liability",
        "Deferred",
        "Recognised on redemption",
        "Recognised on breakage",
        "Closing contract liability",
    ]
    .map(String::from)
    .to_vec();
    let mut widths = Widths::new(&run.scenario.finance.currency.symbol);
    let years = &run.summary.contract_liability_rollforward;
    for (r, y) in years.iter().enumerate() {
        let row = r as u32 + 1;
        sheet
            .write_number(row, 0, f64::from(y.year))
            .map_err(xlsx)?;
        for (i, st) in [
            &y.points_sales_to_goods,
            &y.opening,
            &y.deferred,
            &y.recognised_on_redemption,
            &y.recognised_on_breakage,
            &y.closing,
        ]
        .into_iter()
        .enumerate()
        {
            let col = 1 + i as u16;
            number(sheet, row, col, Some(st.mean), &f.money)?;
            widths.number(col, st.mean, Shown::Money);
        }
    }
    layout::data_table(sheet, "RollForward", &titles, years.len() as u32, &widths)
}

/// The Trials sheet: one row per trial, every metric as a number.
fn trials(sheet: &mut Worksheet, run: &RunOutput, f: &Formats) -> Result<(), ReportError> {
    let mut titles = vec!["trial".to_string(), "payback_month".to_string()];
    titles.extend(TrialMetrics::NAMES.iter().map(|n| n.to_string()));
    let mut widths = Widths::new(&run.scenario.finance.currency.symbol);
    for (r, t) in run.trials.iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_number(row, 0, t.trial as f64).map_err(xlsx)?;
        widths.number(0, t.trial as f64, Shown::General);
        if let Some(p) = t.payback_month {
            sheet.write_number(row, 1, f64::from(p)).map_err(xlsx)?;
            widths.number(1, f64::from(p), Shown::General);
        }
        for (i, name) in TrialMetrics::NAMES.iter().enumerate() {
            let u = unit(name);
            let col = 2 + i as u16;
            let v = t.value(name);
            number(sheet, row, col, v, f.of(u))?;
            if let Some(v) = v {
                widths.number(col, v, shown(u));
            }
        }
    }
    layout::data_table(sheet, "Trials", &titles, run.trials.len() as u32, &widths)
}

/// How a value of `unit` is shown.
fn shown(unit: Unit) -> Shown {
    match unit {
        Unit::Money => Shown::Money,
        Unit::Percent => Shown::Percent,
        Unit::Points | Unit::People => Shown::Count,
    }
}

/// Renders the workbook with the Model sheet's inputs set to `inputs` (the exporter uses the
/// run's own, [`ModelInputs::of`]); every other sheet is the same whatever the inputs.
pub fn workbook(run: &RunOutput, inputs: &ModelInputs) -> Result<Vec<u8>, ReportError> {
    let f = Formats::new(&run.scenario.finance.currency);
    let mut book = Workbook::new();
    // A fixed creation date instead of the clock's, so the same scenario and seed give the
    // same bytes, like every other output; the provenance goes in the properties too.
    let md = &run.summary.metadata;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!("Loyalty program business case: {}", md.scenario))
            .set_comment(format!(
                "{} {} · seed {} · scenario sha256 {}",
                md.program, md.version, md.seed, md.scenario_sha256
            ))
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx)?),
    );
    summary(
        book.add_worksheet().set_name("Summary").map_err(xlsx)?,
        run,
        &f,
    )?;
    // The sheets are added in reading order; the Monthly sheet is written first, as the
    // Model sheet's formulas and the charts refer to its columns.
    book.add_worksheet().set_name("Model").map_err(xlsx)?;
    book.add_worksheet().set_name("Charts").map_err(xlsx)?;
    let layout = monthly(
        book.add_worksheet().set_name("Monthly").map_err(xlsx)?,
        run,
        &f,
    )?;
    model::model(
        book.worksheet_from_name("Model").map_err(xlsx)?,
        run,
        &f,
        &layout,
        inputs,
    )?;
    charts::charts(
        book.worksheet_from_name("Charts").map_err(xlsx)?,
        run,
        &layout,
    )?;
    rollforward(
        book.add_worksheet()
            .set_name("Roll-forward")
            .map_err(xlsx)?,
        run,
        &f,
    )?;
    trials(
        book.add_worksheet().set_name("Trials").map_err(xlsx)?,
        run,
        &f,
    )?;
    assumptions_sheet(
        book.add_worksheet().set_name("Assumptions").map_err(xlsx)?,
        run,
    )?;
    book.save_to_buffer().map_err(xlsx)
}

impl Exporter for WorkbookXlsx {
    fn file_name(&self) -> String {
        "workbook.xlsx".into()
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        workbook(run, &ModelInputs::of(run))
    }
}

/// The downside figures at row `r` under `title`, as numbers: chances with their standard
/// error and Wilson interval, the NPV's value at risk and expected shortfall with its error,
/// the liability's 95th percentile at its peak. Returns the next free row.
fn downside_block(
    sheet: &mut Worksheet,
    mut r: u32,
    run: &RunOutput,
    f: &Formats,
    title: &str,
) -> Result<u32, ReportError> {
    let d = &run.summary.downside;
    let c = &run.scenario.finance.currency;
    sheet
        .write_string_with_format(r, 0, title, &f.bold)
        .map_err(xlsx)?;
    r += 1;
    header(
        sheet,
        r,
        &[
            "Figure",
            "Value",
            "",
            "MC std. error",
            "95% interval: low",
            "high",
        ],
    )?;
    r += 1;
    let mut shares = vec![("Chance the NPV is positive".to_string(), d.npv_positive)];
    if let (Some(limit), Some(s)) = (d.loss_limit, d.loss_beyond_limit) {
        shares.push((format!("Chance of losing more than {}", c.format(limit)), s));
    }
    for (label, s) in shares {
        sheet.write_string(r, 0, label).map_err(xlsx)?;
        number(sheet, r, 1, Some(s.probability), &f.percent)?;
        number(sheet, r, 3, Some(s.sem), &f.percent)?;
        number(sheet, r, 4, Some(s.ci95[0]), &f.percent)?;
        number(sheet, r, 5, Some(s.ci95[1]), &f.percent)?;
        r += 1;
    }
    sheet
        .write_string(r, 0, "NPV in the worst 5% (5th percentile, value at risk)")
        .map_err(xlsx)?;
    number(sheet, r, 1, Some(d.npv_value_at_risk_5), &f.money)?;
    r += 1;
    sheet
        .write_string(r, 0, "Expected shortfall (mean NPV of the worst 5%)")
        .map_err(xlsx)?;
    number(sheet, r, 1, Some(d.npv_expected_shortfall_5), &f.money)?;
    number(sheet, r, 3, d.npv_expected_shortfall_5_sem, &f.money)?;
    r += 1;
    if let Some((month, value)) = super::downside::peak(&d.liability_p95_by_month) {
        sheet
            .write_string(
                r,
                0,
                format!("Liability, 95th percentile, at its peak (month {month})"),
            )
            .map_err(xlsx)?;
        number(sheet, r, 1, Some(value), &f.money)?;
        r += 1;
    }
    Ok(r + 1)
}
