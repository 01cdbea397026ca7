//! The Model sheet: the business case recomputed by spreadsheet formulas from the Monthly
//! sheet's mean cash flows, with the discount rate, the investment and an extra monthly running
//! cost as input cells the reader can change.
//!
//! The formulas are the engine's definitions (see [`crate::metrics::finance`]): the investment
//! falls at month 0, undiscounted; month t's cash flow falls at the end of month t and is
//! discounted by (1 + r)^(t/12) for the annual rate r; payback is the first month whose
//! cumulative cash flow (from −investment) is ≥ 0. NPV is linear in the cash flows, so the NPV
//! of the mean monthly cash flow is the mean of the trials' NPVs (up to rounding) as long as
//! every trial discounts at the same rate. Each formula carries its result, computed here the
//! same way, so a viewer that does not recalculate shows the same numbers.

use rust_xlsxwriter::utility::{row_col_to_cell, row_col_to_cell_absolute};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Formula, Worksheet};

use super::{Formats, MonthlyLayout, money_format, xlsx};
use crate::metrics::finance::Series;
use crate::report::ReportError;
use crate::report::yearly::{discount, mean_months, years as yearly_table};
use crate::run::RunOutput;

/// The column of the inputs' and results' values; their labels, in the first column, overflow
/// into the empty columns between.
const VALUE_COL: u16 = 4;

/// The input cells, as (row, column): the annual discount rate.
pub const RATE_CELL: (u32, u16) = (4, VALUE_COL);
/// The investment at month 0.
pub const INVESTMENT_CELL: (u32, u16) = (5, VALUE_COL);
/// A running cost added to every month in which the program runs (0 as simulated).
pub const EXTRA_RUNNING_CELL: (u32, u16) = (6, VALUE_COL);
/// The NPV recomputed by the formulas.
pub const NPV_CELL: (u32, u16) = (10, VALUE_COL);
/// The payback month of the mean cash flow.
pub const PAYBACK_CELL: (u32, u16) = (11, VALUE_COL);

pub use crate::report::yearly::{ModelInputs, model_npv};

/// A formula with its result.
fn formula(text: String, result: f64) -> Formula {
    Formula::new(text).set_result(format!("{result}"))
}

/// `Monthly!$C$3`: an absolute reference to a cell of the Monthly sheet.
fn monthly_ref(row: u32, col: u16) -> String {
    format!("Monthly!{}", row_col_to_cell_absolute(row, col))
}

/// Writes the Model sheet.
pub(super) fn model(
    sheet: &mut Worksheet,
    run: &RunOutput,
    f: &Formats,
    layout: &MonthlyLayout,
    inputs: &ModelInputs,
) -> Result<(), ReportError> {
    let c = &run.scenario.finance.currency;
    let horizon = run.monthly.len() as u32;
    let months = mean_months(run);
    let extra = inputs.extra_running_per_month;
    let rate = inputs.discount_rate;
    let wrap = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border_bottom(FormatBorder::Thin);
    // Over the numbers, right-aligned like them.
    let wrap_right = wrap.clone().set_align(FormatAlign::Right);
    let input = Format::new()
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Thin);
    let input_money = money_format(c, 0)
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Thin);
    let input_rate = input.clone().set_num_format("0.00%");
    let cents = money_format(c, 2).set_bold();
    let factor = Format::new().set_num_format("0.0000");
    let title = Format::new().set_bold().set_font_size(13);
    let err = xlsx;

    sheet
        .write_string_with_format(
            0,
            0,
            "Model: the business case recomputed from the Monthly sheet's mean cash flows",
            &title,
        )
        .map_err(err)?;
    sheet
        .write_string(
            1,
            0,
            "Change a yellow cell and the NPV, the payback month and the tables below follow. The investment falls at month 0; month t's cash flow at the end of month t, discounted by (1 + rate)^(t/12).",
        )
        .map_err(err)?;
    let uncertain_rate = run
        .scenario
        .uncertain
        .iter()
        .any(|u| u.path == "finance.discount_rate");
    if uncertain_rate {
        sheet
            .write_string(
                2,
                0,
                "The discount rate is uncertain in this scenario: the model discounts the mean cash flow at one rate (the median), so its NPV is not the mean of the trials' NPVs.",
            )
            .map_err(err)?;
    }
    sheet
        .write_string_with_format(3, 0, "Inputs", &f.bold)
        .map_err(err)?;
    let (rr, rc) = RATE_CELL;
    sheet
        .write_string(rr, 0, "Discount rate, a year")
        .map_err(err)?;
    sheet
        .write_number_with_format(rr, rc, rate, &input_rate)
        .map_err(err)?;
    let (ir, ic) = INVESTMENT_CELL;
    sheet
        .write_string(ir, 0, "Investment at month 0 (mean over the trials)")
        .map_err(err)?;
    sheet
        .write_number_with_format(ir, ic, inputs.investment, &input_money)
        .map_err(err)?;
    let (er, ec) = EXTRA_RUNNING_CELL;
    sheet
        .write_string(
            er,
            0,
            "Extra running cost a month while it runs (0 = as simulated)",
        )
        .map_err(err)?;
    sheet
        .write_number_with_format(er, ec, extra, &input_money)
        .map_err(err)?;
    let rate_ref = row_col_to_cell_absolute(rr, rc);
    let investment_ref = row_col_to_cell_absolute(ir, ic);
    let extra_ref = row_col_to_cell_absolute(er, ec);
    sheet
        .write_string(7, 0, "Monthly rate, equivalent")
        .map_err(err)?;
    sheet
        .write_formula_with_format(
            7,
            VALUE_COL,
            formula(
                format!("=(1+{rate_ref})^(1/12)-1"),
                (1.0 + rate).powf(1.0 / 12.0) - 1.0,
            ),
            &Format::new().set_num_format("0.0000%"),
        )
        .map_err(err)?;

    // The monthly block, below the yearly table: its rows are known now.
    let years = horizon.div_ceil(12);
    let yearly_header = 17u32;
    let first_year_row = yearly_header + 2;
    let total_row = first_year_row + years;
    let month_header = total_row + 3;
    let month0 = month_header + 1;
    let first = month0 + 1;
    let last = month0 + horizon;
    let col_ref = |row: u32, col: u16| row_col_to_cell(row, col);
    let range = |col: u16| {
        format!(
            "{}:{}",
            row_col_to_cell_absolute(first, col),
            row_col_to_cell_absolute(last.max(first), col)
        )
    };

    sheet
        .write_string_with_format(
            month_header - 1,
            0,
            "Month by month (means over the trials, from the Monthly sheet)",
            &f.bold,
        )
        .map_err(err)?;
    let month_titles = [
        "Month",
        "Year",
        "Incremental revenue",
        "Incremental margin",
        "Reward cost",
        "Running costs",
        "Closing cost",
        "Paid by partners",
        "Net cash flow",
        "Discount factor",
        "Present value",
        "Cumulative cash flow",
        "Liability",
        "Paid back (month)",
    ];
    for (col, t) in month_titles.iter().enumerate() {
        sheet
            .write_string_with_format(
                month_header,
                col as u16,
                *t,
                if col < 2 { &wrap } else { &wrap_right },
            )
            .map_err(err)?;
    }
    // Month 0: the investment.
    sheet.write_number(month0, 0, 0.0).map_err(err)?;
    sheet.write_number(month0, 1, 0.0).map_err(err)?;
    sheet
        .write_formula_with_format(
            month0,
            8,
            formula(format!("=-{investment_ref}"), -inputs.investment),
            &f.money,
        )
        .map_err(err)?;
    sheet
        .write_number_with_format(month0, 9, 1.0, &factor)
        .map_err(err)?;
    sheet
        .write_formula_with_format(
            month0,
            10,
            formula(
                format!("={}*{}", col_ref(month0, 8), col_ref(month0, 9)),
                -inputs.investment,
            ),
            &f.money,
        )
        .map_err(err)?;
    sheet
        .write_formula_with_format(
            month0,
            11,
            formula(format!("={}", col_ref(month0, 8)), -inputs.investment),
            &f.money,
        )
        .map_err(err)?;

    let mut cumulative = -inputs.investment;
    let mut npv = -inputs.investment;
    let mut payback: Option<u32> = None;
    let mut cumulatives = Vec::with_capacity(months.len());
    for (i, m) in months.iter().enumerate() {
        let t = i as u32 + 1;
        let row = month0 + t;
        let src = 1 + t; // the Monthly sheet's row of month t (month 0 on row 1)
        let mref = |s: Series| layout.mean(s).map(|col| monthly_ref(src, col));
        sheet.write_number(row, 0, f64::from(t)).map_err(err)?;
        sheet
            .write_number(row, 1, f64::from(t.div_ceil(12)))
            .map_err(err)?;
        let linked = [
            (2, mref(Series::IncrementalRevenue), m.incremental_revenue),
            (3, mref(Series::IncrementalMargin), m.margin),
            (4, mref(Series::RewardCost), m.rewards),
            (
                6,
                layout.closing.map(|col| monthly_ref(src, col)),
                m.closing,
            ),
            (7, mref(Series::PartnerRevenue), m.partner),
            (12, mref(Series::Liability), m.liability),
        ];
        for (col, reference, value) in linked {
            match reference {
                Some(r) => sheet
                    .write_formula_with_format(row, col, formula(format!("={r}"), value), &f.money)
                    .map_err(err)?,
                // Not on the Monthly sheet: the design has none of it.
                None => sheet
                    .write_number_with_format(row, col, 0.0, &f.money)
                    .map_err(err)?,
            };
        }
        let running = mref(Series::RunningCosts).unwrap_or_else(|| "0".into());
        let running = if m.runs {
            format!("={running}+{extra_ref}")
        } else {
            format!("={running}")
        };
        sheet
            .write_formula_with_format(row, 5, formula(running, m.running_with(extra)), &f.money)
            .map_err(err)?;
        let net = m.net(extra);
        let r = |col: u16| col_ref(row, col);
        sheet
            .write_formula_with_format(
                row,
                8,
                formula(
                    format!("={}-{}-{}-{}+{}", r(3), r(4), r(5), r(6), r(7)),
                    net,
                ),
                &f.money,
            )
            .map_err(err)?;
        let d = discount(rate, t);
        sheet
            .write_formula_with_format(
                row,
                9,
                formula(format!("=1/(1+{rate_ref})^({}/12)", r(0)), d),
                &factor,
            )
            .map_err(err)?;
        npv += net * d;
        sheet
            .write_formula_with_format(
                row,
                10,
                formula(format!("={}*{}", r(8), r(9)), net * d),
                &f.money,
            )
            .map_err(err)?;
        cumulative += net;
        cumulatives.push(cumulative);
        sheet
            .write_formula_with_format(
                row,
                11,
                formula(format!("={}+{}", col_ref(row - 1, 11), r(8)), cumulative),
                &f.money,
            )
            .map_err(err)?;
        let paid_back = cumulative >= 0.0;
        if paid_back && payback.is_none() {
            payback = Some(t);
        }
        let text = format!("=IF({}>=0,{},\"\")", r(11), r(0));
        let cell = if paid_back {
            formula(text, f64::from(t))
        } else {
            Formula::new(text).set_result("")
        };
        sheet.write_formula(row, 13, cell).map_err(err)?;
    }

    // The results.
    sheet
        .write_string_with_format(9, 0, "Results (formulas)", &f.bold)
        .map_err(err)?;
    let (nr, nc) = NPV_CELL;
    sheet
        .write_string(nr, 0, "NPV of the mean cash flow")
        .map_err(err)?;
    sheet
        .write_formula_with_format(
            nr,
            nc,
            formula(
                format!(
                    "=SUM({}:{})",
                    row_col_to_cell_absolute(month0, 10),
                    row_col_to_cell_absolute(last, 10)
                ),
                npv,
            ),
            &cents,
        )
        .map_err(err)?;
    let (pr, pc) = PAYBACK_CELL;
    let not_within = format!("not within {horizon} months");
    sheet
        .write_string(pr, 0, "Payback month of the mean cash flow")
        .map_err(err)?;
    let paid = range(13);
    let text = format!("=IF(COUNT({paid})=0,\"{not_within}\",MIN({paid}))");
    let cell = match payback {
        Some(p) => formula(text, f64::from(p)),
        None => Formula::new(text).set_result(not_within.clone()),
    };
    sheet
        .write_formula_with_format(pr, pc, cell, &Format::new().set_align(FormatAlign::Right))
        .map_err(err)?;
    sheet
        .write_string(12, 0, "Cumulative cash flow at the horizon")
        .map_err(err)?;
    sheet
        .write_formula_with_format(
            12,
            VALUE_COL,
            formula(format!("={}", col_ref(last, 11)), cumulative),
            &f.money,
        )
        .map_err(err)?;
    sheet
        .write_string(13, 0, "Mean NPV over the trials, as simulated (no formula)")
        .map_err(err)?;
    sheet
        .write_number_with_format(
            13,
            VALUE_COL,
            run.summary.metrics.npv.mean,
            &money_format(c, 2),
        )
        .map_err(err)?;
    sheet
        .write_string(14, 0, "Median payback month over the trials, as simulated")
        .map_err(err)?;
    match run.summary.metrics.payback_month.p50 {
        Some(p) => sheet.write_number(14, VALUE_COL, p).map_err(err)?,
        None => sheet
            .write_string_with_format(
                14,
                VALUE_COL,
                format!("> {horizon}"),
                &Format::new().set_align(FormatAlign::Right),
            )
            .map_err(err)?,
    };

    // The yearly table: sums of the monthly block by year.
    sheet
        .write_string_with_format(
            yearly_header - 1,
            0,
            "Year by year (formulas over the monthly block below)",
            &f.bold,
        )
        .map_err(err)?;
    let year_titles = [
        "Year",
        "Incremental revenue",
        "Incremental margin",
        "Reward cost",
        "Investment, running and closing costs",
        "Paid by partners",
        "Net cash flow",
        "Cumulative cash flow",
        "Liability at year end",
        "Present value",
    ];
    for (col, t) in year_titles.iter().enumerate() {
        sheet
            .write_string_with_format(
                yearly_header,
                col as u16,
                *t,
                if col == 0 { &wrap } else { &wrap_right },
            )
            .map_err(err)?;
    }
    let start = yearly_header + 1;
    sheet
        .write_string(start, 0, "Start (month 0)")
        .map_err(err)?;
    sheet
        .write_formula_with_format(
            start,
            4,
            formula(format!("={investment_ref}"), inputs.investment),
            &f.money,
        )
        .map_err(err)?;
    for col in [6u16, 7, 9] {
        sheet
            .write_formula_with_format(
                start,
                col,
                formula(format!("=-{investment_ref}"), -inputs.investment),
                &f.money,
            )
            .map_err(err)?;
    }
    let year_of = range(1);
    let sumif = |col: u16, year_cell: &str| format!("SUMIF({year_of},{year_cell},{})", range(col));
    let table = yearly_table(run, inputs);
    let mut year_cumulative = -inputs.investment;
    let mut totals = [0.0f64; 10];
    totals[4] = inputs.investment;
    totals[6] = -inputs.investment;
    totals[9] = -inputs.investment;
    for (y, year) in (1u32..).zip(table.iter().skip(1)) {
        let row = start + y;
        sheet
            .write_string(row, 0, format!("Year {y}"))
            .map_err(err)?;
        let y_cell = format!("{y}");
        let values = [
            (1u16, sumif(2, &y_cell), year.incremental_revenue),
            (2, sumif(3, &y_cell), year.margin),
            (3, sumif(4, &y_cell), year.rewards),
            (
                4,
                format!("{}+{}", sumif(5, &y_cell), sumif(6, &y_cell)),
                year.costs,
            ),
            (5, sumif(7, &y_cell), year.partner),
            (6, sumif(8, &y_cell), year.net),
            (9, sumif(10, &y_cell), year.present_value),
        ];
        for (col, text, value) in values {
            totals[col as usize] += value;
            sheet
                .write_formula_with_format(row, col, formula(format!("={text}"), value), &f.money)
                .map_err(err)?;
        }
        year_cumulative = year.cumulative;
        sheet
            .write_formula_with_format(
                row,
                7,
                formula(
                    format!("={}+{}", col_ref(row - 1, 7), col_ref(row, 6)),
                    year_cumulative,
                ),
                &f.money,
            )
            .map_err(err)?;
        let end_month = (12 * y).min(horizon);
        sheet
            .write_formula_with_format(
                row,
                8,
                formula(
                    format!("={}", col_ref(month0 + end_month, 12)),
                    year.liability_end,
                ),
                &f.money,
            )
            .map_err(err)?;
    }
    let bold_money = f
        .money
        .clone()
        .set_bold()
        .set_border_top(FormatBorder::Thin);
    sheet
        .write_string_with_format(
            total_row,
            0,
            "Total",
            &f.bold.clone().set_border_top(FormatBorder::Thin),
        )
        .map_err(err)?;
    for col in [1u16, 2, 3, 4, 5, 6, 9] {
        sheet
            .write_formula_with_format(
                total_row,
                col,
                formula(
                    format!(
                        "=SUM({}:{})",
                        col_ref(start, col),
                        col_ref(total_row - 1, col)
                    ),
                    totals[col as usize],
                ),
                &bold_money,
            )
            .map_err(err)?;
    }
    sheet
        .write_formula_with_format(
            total_row,
            7,
            formula(format!("={}", col_ref(total_row - 1, 7)), year_cumulative),
            &bold_money,
        )
        .map_err(err)?;

    sheet.set_column_width(0, 16).map_err(err)?;
    for col in 1..=13 {
        sheet.set_column_width(col, 14).map_err(err)?;
    }
    sheet.set_row_height(yearly_header, 45).map_err(err)?;
    sheet.set_row_height(month_header, 45).map_err(err)?;
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}
