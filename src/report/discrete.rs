//! What a BG/BB calibration writes: the terminal report, `calibration.json` (`model: "bgbb"`,
//! every estimate with its standard error, the log-likelihood, AIC and BIC, the fit checks)
//! and `customers.csv` (one row per history, or per customer of a log).

use serde_json::json;

use super::ReportError;
use super::calibration::{
    Tracking, calibration_json, comparison_header, convergence_line, estimate_line, figure_files,
    pct, sig, stamp, tracking_figure,
};
use crate::calibrate::bgbb::Summary;
use crate::calibrate::discrete::{DiscreteCalibration, OpportunityRow, PeriodHistories};
use crate::money::format_number;

/// Where a BG/BB calibration's histories came from.
#[derive(Debug, Clone, Copy)]
pub enum DiscreteInput<'a> {
    /// A summary file (frequency, recency, periods, weights).
    Summary,
    /// A transaction log cut into periods.
    Log {
        /// The periods and the cohort.
        histories: &'a PeriodHistories,
        /// The log's customer ids, by index.
        customer_ids: &'a [String],
        /// Transactions read.
        transactions: u64,
        /// Rows skipped (`--skip-bad-rows`).
        rows_skipped: u64,
    },
}

/// A BG/BB calibration and where it came from.
#[derive(Debug, Clone)]
pub struct DiscreteReport<'a> {
    /// The calibration.
    pub calibration: &'a DiscreteCalibration,
    /// The histories' source.
    pub source: DiscreteInput<'a>,
    /// The input file's name, as given.
    pub input: String,
    /// Its SHA-256.
    pub input_sha256: String,
    /// What became of the scenario: the file written, or why none was.
    pub scenario: Result<String, String>,
}

/// Parameters of the BG/BB, in order.
const NAMES: [&str; 4] = ["alpha", "beta", "gamma", "delta"];

/// Parameters the model estimates, for AIC and BIC.
const PARAMETERS: f64 = 4.0;

impl DiscreteReport<'_> {
    fn summary(&self) -> &Summary {
        &self.calibration.summary
    }

    /// (log-likelihood, AIC, BIC) of the fit, N the customers.
    fn criteria(&self) -> (f64, f64, f64) {
        let ll = self.calibration.fit.convergence.log_likelihood;
        let n = self.summary().customers();
        (
            ll,
            2.0 * PARAMETERS - 2.0 * ll,
            PARAMETERS * n.ln() - 2.0 * ll,
        )
    }

    /// The terminal report.
    pub fn text(&self) -> String {
        let c = self.calibration;
        let m = c.fit.model;
        let customers = self.summary().customers();
        let mut out = vec![format!("Calibration of {}", self.input)];
        let period = match self.source {
            DiscreteInput::Summary => {
                out.push(format!(
                    "  a summary of discrete-time histories: {} customers in {} rows (frequency, recency, periods, weights)",
                    format_number(customers, 0),
                    self.summary().rows.len()
                ));
                String::new()
            }
            DiscreteInput::Log {
                histories: h,
                transactions,
                ..
            } => {
                let name = h.period.name();
                let first = h.spans[0];
                let calibration_last = h.spans[h.opportunities as usize];
                out.push(format!(
                    "  {} transactions cut into {name}s: an opportunity is a {name}, in which a customer transacts or not",
                    format_number(transactions as f64, 0)
                ));
                out.push(format!(
                    "  cohort: the {} customers whose first purchase is in the first {name} ({} to {}); {} who started later are left out",
                    format_number(h.customers.len() as f64, 0),
                    first.start,
                    first.end,
                    format_number(h.joined_later as f64, 0)
                ));
                let count = |n: u32| format!("{n} opportunit{}", if n == 1 { "y" } else { "ies" });
                out.push(format!(
                    "  calibration: {}, {} to {}{}",
                    count(h.opportunities),
                    h.spans[1].start,
                    calibration_last.end,
                    if h.holdout_opportunities > 0 {
                        format!(
                            "; holdout: {} to {}",
                            count(h.holdout_opportunities),
                            h.spans[h.spans.len() - 1].end
                        )
                    } else {
                        String::new()
                    }
                ));
                name.to_string()
            }
        };
        out.push(String::new());
        out.push(format!(
            "Transactions: BG/BB (Fader, Hardie & Shang 2010) on {} customers, {}",
            format_number(customers, 0),
            if period.is_empty() {
                "discrete opportunities (the file does not say how long each is)".to_string()
            } else {
                format!("one opportunity a {period}")
            }
        ));
        for (name, e) in NAMES.iter().zip(&c.fit.estimates) {
            out.push(estimate_line(name, e).trim_end().to_string());
        }
        out.push(convergence_line(&c.fit.convergence));
        out.push(format!(
            "  chance to transact at an opportunity while alive, p ~ Beta(alpha, beta): mean {}; chance to drop out before one, theta ~ Beta(gamma, delta): mean {}",
            sig(m.alpha / (m.alpha + m.beta), 3),
            sig(m.gamma / (m.gamma + m.delta), 3)
        ));
        let (ll, aic, bic) = self.criteria();
        out.push(String::new());
        out.push(format!(
            "Model comparison ({} customers; the BG/BB is the model for discrete opportunities)",
            format_number(customers, 0)
        ));
        out.push(comparison_header(if c.holdout_error().is_some() {
            "  holdout error (transactions per opportunity)"
        } else {
            ""
        }));
        out.push(format!(
            "  {:<11} {:>14} {:>10} {:>10} {:>9}{} ← chosen",
            "BG/BB",
            format_number(ll, 2),
            format_number(aic, 1),
            format_number(bic, 1),
            format_number(c.alive, 0),
            c.holdout_error()
                .map_or_else(String::new, |e| format!("  {:>10}", pct(e)))
        ));
        out.push(String::new());
        out.push("Fit check: customers by number of transactions, observed and expected".into());
        out.push(format!(
            "  {:>12} {:>10} {:>10}",
            "transactions", "observed", "expected"
        ));
        for b in &c.histogram {
            out.push(format!(
                "  {:>12} {:>10} {:>10}",
                b.transactions,
                format_number(b.observed, 0),
                format_number(b.expected, 1)
            ));
        }
        if !c.tracking.is_empty() {
            out.push(String::new());
            out.push(format!(
                "Tracking: the cohort's transactions {period} by {period}, actual and expected by the model fitted on the calibration period"
            ));
            out.push(format!(
                "  {:>11}  {:<23} {:>8} {:>10}",
                "opportunity", "period", "actual", "expected"
            ));
            for r in &c.tracking {
                out.push(format!(
                    "  {:>11}  {:<23} {:>8} {:>10}{}",
                    r.opportunity,
                    format!("{} to {}", r.start, r.end),
                    format_number(r.actual as f64, 0),
                    format_number(r.expected, 1),
                    if r.holdout { "  holdout" } else { "" }
                ));
            }
            if let Some(e) = c.holdout_error() {
                let (actual, expected) = c
                    .tracking
                    .iter()
                    .filter(|r| r.holdout)
                    .fold((0.0, 0.0), |(a, e), r| {
                        (a + r.actual as f64, e + r.expected)
                    });
                out.push(format!(
                    "  holdout: {} transactions against {} expected; mean absolute error {} of the actual",
                    format_number(actual, 0),
                    format_number(expected, 1),
                    pct(e)
                ));
            }
        }
        out.push(String::new());
        match &self.scenario {
            Ok(path) => out.push(format!("Scenario: written to {path}")),
            Err(why) => out.push(format!("No scenario written: {why}")),
        }
        let mut text = out.join("\n");
        text.push('\n');
        text
    }

    /// `calibration.json`: every figure at full precision.
    pub fn json(&self) -> Result<Vec<u8>, ReportError> {
        let c = self.calibration;
        let (ll, aic, bic) = self.criteria();
        let values: serde_json::Map<String, serde_json::Value> = NAMES
            .iter()
            .zip(&c.fit.estimates)
            .map(|(n, e)| (n.to_string(), json!(e.value)))
            .collect();
        let errors: serde_json::Map<String, serde_json::Value> = NAMES
            .iter()
            .zip(&c.fit.estimates)
            .map(|(n, e)| (n.to_string(), json!(e.standard_error)))
            .collect();
        let input = match self.source {
            DiscreteInput::Summary => json!({
                "file": self.input,
                "sha256": self.input_sha256,
                "kind": "summary",
                "customers": self.summary().customers(),
                "rows": self.summary().rows.len(),
            }),
            DiscreteInput::Log {
                histories: h,
                transactions,
                rows_skipped,
                ..
            } => json!({
                "file": self.input,
                "sha256": self.input_sha256,
                "kind": "log",
                "transactions": transactions,
                "rows_skipped": rows_skipped,
                "period": h.period,
                "cohort": {
                    "rule": format!("customers whose first purchase is in the first {} of the log", h.period.name()),
                    "start": h.spans[0].start.to_string(),
                    "end": h.spans[0].end.to_string(),
                    "customers": h.customers.len(),
                    "joined_later": h.joined_later,
                },
                "opportunities": h.opportunities,
                "holdout_opportunities": h.holdout_opportunities,
            }),
        };
        let value = json!({
            "program": "loyalty-sim",
            "version": env!("CARGO_PKG_VERSION"),
            "model": "bgbb",
            "input": input,
            "bgbb": {
                "source": "Fader, Hardie & Shang (2010), Marketing Science 29(6)",
                "estimates": values,
                "standard_errors": errors,
                "log_likelihood": ll,
                "convergence": c.fit.convergence,
                "customers": self.summary().customers(),
            },
            "model_comparison": {
                "rows": [{
                    "model": "BG/BB",
                    "parameters": PARAMETERS,
                    "log_likelihood": ll,
                    "aic": aic,
                    "bic": bic,
                    "alive": c.alive,
                    "holdout_error": c.holdout_error(),
                }],
                "chosen": "BG/BB",
                "reason": "given with --model bgbb (the model for discrete opportunities)",
            },
            "fit_checks": {
                "transactions": c.histogram,
                "tracking": c.tracking,
                "holdout_error": c.holdout_error(),
            },
            "scenario": self.scenario.as_ref().ok(),
            "no_scenario": self.scenario.as_ref().err(),
        });
        calibration_json(&value)
    }

    /// The charts: from a log, `fit_tracking` (the cohort's transactions per opportunity,
    /// actual and expected, through the holdout) as PNG and SVG; none from a summary file.
    pub fn chart_files(&self) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
        let DiscreteInput::Log { histories, .. } = self.source else {
            return Ok(Vec::new());
        };
        let c = self.calibration;
        let period = histories.period.name();
        let points = |value: &dyn Fn(&OpportunityRow) -> f64| {
            c.tracking
                .iter()
                .map(|r| (f64::from(r.opportunity), value(r)))
                .collect()
        };
        let figure = tracking_figure(
            Tracking {
                title: format!(
                    "Transactions of the cohort by {period}: actual and BG/BB (fitted to the calibration period)"
                ),
                x_label: format!("Opportunity ({period}s after the cohort's first)"),
                y_label: "Customers transacting".into(),
                model: "BG/BB",
                actual: points(&|r| r.actual as f64),
                expected: points(&|r| r.expected),
                calibration_end: f64::from(histories.opportunities) + 0.5,
            },
            stamp(&self.input, &self.input_sha256),
        );
        figure_files(vec![figure])
    }

    /// `customers.csv`: from a log, one row per cohort customer (id, x, t_x, n, holdout
    /// transactions, probability alive); from a summary, one row per history with its
    /// customers.
    pub fn customers_csv(&self) -> Result<Vec<u8>, ReportError> {
        let m = self.calibration.fit.model;
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let err = |source| ReportError::Csv {
            file: "customers.csv",
            source,
        };
        match self.source {
            DiscreteInput::Summary => {
                w.write_record(["frequency", "recency", "periods", "customers", "p_alive"])
                    .map_err(err)?;
                for (h, n) in &self.summary().rows {
                    w.write_record([
                        h.x.to_string(),
                        h.t_x.to_string(),
                        h.n.to_string(),
                        n.to_string(),
                        m.p_alive(h).to_string(),
                    ])
                    .map_err(err)?;
                }
            }
            DiscreteInput::Log {
                histories,
                customer_ids,
                ..
            } => {
                w.write_record([
                    "customer_id",
                    "frequency",
                    "recency",
                    "periods",
                    "holdout_transactions",
                    "p_alive",
                ])
                .map_err(err)?;
                for c in &histories.customers {
                    w.write_record([
                        customer_ids
                            .get(c.customer as usize)
                            .map_or("", String::as_str)
                            .to_string(),
                        c.history.x.to_string(),
                        c.history.t_x.to_string(),
                        c.history.n.to_string(),
                        c.holdout_transactions.to_string(),
                        m.p_alive(&c.history).to_string(),
                    ])
                    .map_err(err)?;
                }
            }
        }
        w.into_inner().map_err(|e| ReportError::Csv {
            file: "customers.csv",
            source: e.into_error().into(),
        })
    }
}
