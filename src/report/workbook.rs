//! `workbook.xlsx`, for finance: the summary, every assumption of the scenario, the monthly
//! cash flow with its bands, and every trial. Numbers are stored as numbers (so they can be
//! summed and charted in Excel) and money carries the currency's format.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::assumptions::{Value, assumptions};
use super::{Exporter, ReportError};
use crate::metrics::finance::{Series, TrialMetrics};
use crate::metrics::stats::Stats;
use crate::run::RunOutput;

/// The workbook exporter.
pub struct WorkbookXlsx;

/// Money format for `symbol`: whole units with thousands separators, negative in red.
fn money_format(symbol: &str) -> Format {
    let quoted = symbol.replace('"', "");
    Format::new().set_num_format(format!("\"{quoted}\"#,##0;[Red]-\"{quoted}\"#,##0"))
}

fn xlsx(e: XlsxError) -> ReportError {
    ReportError::Workbook(e.to_string())
}

/// Writes a header row in bold.
fn header(sheet: &mut Worksheet, row: u32, titles: &[&str]) -> Result<(), ReportError> {
    let bold = Format::new().set_bold();
    for (c, t) in titles.iter().enumerate() {
        sheet
            .write_string_with_format(row, c as u16, *t, &bold)
            .map_err(xlsx)?;
    }
    Ok(())
}

impl Exporter for WorkbookXlsx {
    fn file_name(&self) -> String {
        "workbook.xlsx".into()
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let md = &run.summary.metadata;
        let c = &run.scenario.finance.currency;
        let money = money_format(&c.symbol);
        let percent = Format::new().set_num_format("0.0%");
        let count = Format::new().set_num_format("#,##0");
        let mut book = Workbook::new();

        // Summary.
        let sheet = book.add_worksheet().set_name("Summary").map_err(xlsx)?;
        let info: [(&str, String); 8] = [
            ("Program", format!("{} {}", md.program, md.version)),
            ("Scenario", md.scenario.clone()),
            ("Scenario SHA-256", md.scenario_sha256.clone()),
            ("Design", md.design.clone()),
            ("Seed", md.seed.to_string()),
            ("Trials", md.trials.to_string()),
            (
                "Customers × months",
                format!("{} × {}", md.customers, md.months),
            ),
            ("Currency", format!("{} ({})", c.code, c.symbol)),
        ];
        for (r, (k, v)) in info.iter().enumerate() {
            sheet.write_string(r as u32, 0, *k).map_err(xlsx)?;
            sheet.write_string(r as u32, 1, v).map_err(xlsx)?;
        }
        let top = info.len() as u32 + 1;
        header(
            sheet,
            top,
            &[
                "Metric",
                "Mean",
                "Std. dev.",
                "MC std. error",
                "5th percentile",
                "Median",
                "95th percentile",
            ],
        )?;
        let m = &run.summary.metrics;
        let rows: [(&str, &Stats, &Format); 16] = [
            ("Investment", &m.investment, &money),
            ("NPV", &m.npv, &money),
            ("ROI", &m.roi, &percent),
            ("Incremental revenue", &m.incremental_revenue, &money),
            (
                "Incremental gross margin",
                &m.incremental_gross_margin,
                &money,
            ),
            ("Reward cost", &m.reward_cost, &money),
            ("Discount cost", &m.discount_cost, &money),
            ("Certificate cost", &m.certificate_cost, &money),
            ("Partner revenue", &m.partner_revenue, &money),
            ("Program cost", &m.program_cost, &money),
            (
                "Break-even incremental revenue per month",
                &m.break_even_incremental_revenue,
                &money,
            ),
            ("Liability at the end", &m.liability_end, &money),
            (
                "IFRS 15 contract liability at the end",
                &m.ifrs15_contract_liability_end,
                &money,
            ),
            ("Breakage (points)", &m.breakage_rate, &percent),
            (
                "Breakage (certificates)",
                &m.certificate_breakage_rate,
                &percent,
            ),
            ("Members at the end", &m.members_end, &count),
        ];
        for (i, (label, s, fmt)) in rows.iter().enumerate() {
            let r = top + 1 + i as u32;
            sheet.write_string(r, 0, *label).map_err(xlsx)?;
            let values = [
                Some(s.mean),
                s.sd,
                s.sem,
                Some(s.p5),
                Some(s.p50),
                Some(s.p95),
            ];
            for (col, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    sheet
                        .write_number_with_format(r, col as u16 + 1, *v, fmt)
                        .map_err(xlsx)?;
                }
            }
        }
        let p = &m.payback_month;
        let r = top + 1 + rows.len() as u32;
        sheet
            .write_string(r, 0, "Chance of payback within the horizon")
            .map_err(xlsx)?;
        sheet
            .write_number_with_format(r, 1, p.probability_within_horizon, &percent)
            .map_err(xlsx)?;
        sheet
            .write_string(r + 1, 0, "Median payback month")
            .map_err(xlsx)?;
        match p.p50 {
            Some(v) => sheet.write_number(r + 1, 5, v).map_err(xlsx)?,
            None => sheet
                .write_string(r + 1, 5, "not within the horizon")
                .map_err(xlsx)?,
        };
        sheet.set_column_width(0, 42).map_err(xlsx)?;
        for col in 1..=6 {
            sheet.set_column_width(col, 16).map_err(xlsx)?;
        }

        // Assumptions: every value of the scenario file, by path.
        let sheet = book.add_worksheet().set_name("Assumptions").map_err(xlsx)?;
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
        sheet.set_column_width(0, 58).map_err(xlsx)?;
        sheet.set_column_width(1, 18).map_err(xlsx)?;
        sheet.set_column_width(2, 44).map_err(xlsx)?;

        // Monthly cash flow: median and band.
        let sheet = book.add_worksheet().set_name("Monthly").map_err(xlsx)?;
        let series = [
            (Series::RevenueProgram, "Revenue with the program"),
            (Series::RevenueBaseline, "Revenue without the program"),
            (Series::IncrementalMargin, "Incremental margin"),
            (Series::RewardCost, "Reward cost"),
            (Series::RunningCosts, "Running costs"),
            (Series::NetCashFlow, "Net cash flow"),
            (Series::CumulativeCashFlow, "Cumulative cash flow"),
            (Series::Liability, "Liability"),
            (Series::Members, "Members"),
        ];
        sheet
            .write_string_with_format(0, 0, "Month", &Format::new().set_bold())
            .map_err(xlsx)?;
        for (i, (_, name)) in series.iter().enumerate() {
            for (j, stat) in ["median", "p5", "p95"].iter().enumerate() {
                let col = 1 + (i * 3 + j) as u16;
                sheet
                    .write_string_with_format(
                        0,
                        col,
                        format!("{name} ({stat})"),
                        &Format::new().set_bold(),
                    )
                    .map_err(xlsx)?;
                sheet.set_column_width(col, 16).map_err(xlsx)?;
            }
        }
        for (r, month) in run.monthly.iter().enumerate() {
            let row = r as u32 + 1;
            sheet
                .write_number(row, 0, f64::from(month.month))
                .map_err(xlsx)?;
            for (i, (s, _)) in series.iter().enumerate() {
                let st = &month.series[*s as usize];
                let fmt = if matches!(s, Series::Members) {
                    &count
                } else {
                    &money
                };
                for (j, v) in [st.p50, st.p5, st.p95].iter().enumerate() {
                    sheet
                        .write_number_with_format(row, 1 + (i * 3 + j) as u16, *v, fmt)
                        .map_err(xlsx)?;
                }
            }
        }
        sheet.set_freeze_panes(1, 1).map_err(xlsx)?;

        // Trials.
        let sheet = book.add_worksheet().set_name("Trials").map_err(xlsx)?;
        let mut titles = vec!["trial", "payback_month"];
        titles.extend(TrialMetrics::NAMES);
        header(sheet, 0, &titles)?;
        for (r, t) in run.trials.iter().enumerate() {
            let row = r as u32 + 1;
            sheet.write_number(row, 0, t.trial as f64).map_err(xlsx)?;
            if let Some(p) = t.payback_month {
                sheet.write_number(row, 1, f64::from(p)).map_err(xlsx)?;
            }
            for (i, name) in TrialMetrics::NAMES.iter().enumerate() {
                let v = t.value(name).unwrap_or(0.0);
                let fmt = match *name {
                    "roi" | "breakage_rate" | "certificate_breakage_rate" | "burn_earn_ratio" => {
                        &percent
                    }
                    "members_end" | "points_outstanding_end" | "new_customers_program" => &count,
                    _ => &money,
                };
                sheet
                    .write_number_with_format(row, 2 + i as u16, v, fmt)
                    .map_err(xlsx)?;
            }
        }
        sheet.set_freeze_panes(1, 1).map_err(xlsx)?;

        book.save_to_buffer().map_err(xlsx)
    }
}
