//! What a calibration writes: the terminal report, `calibration.json` (every estimate with its
//! standard error and the log-likelihood, full precision), `customers.csv` (each customer's
//! RFM figures, group and chance of being alive), and the fit-check charts.

use serde_json::json;

use super::ReportError;
use super::chart::{Curve, Figure, GroupedBarChart, LineChart, Scale, palette};
use super::figures::AnyChart;
use crate::calibrate::Calibration;
use crate::calibrate::fit::Estimate;
use crate::calibrate::rfm::Group;
use crate::calibrate::types::{Attitude, Behaviour};
use crate::money::{Currency, format_number};

/// A calibration and where it came from.
#[derive(Debug, Clone)]
pub struct CalibrationReport<'a> {
    /// The calibration.
    pub calibration: &'a Calibration,
    /// The log's name, as given.
    pub input: String,
    /// SHA-256 of the log.
    pub input_sha256: String,
    /// Rows read and skipped.
    pub rows_skipped: u64,
    /// How the amounts' decimal mark was settled.
    pub decimal: crate::calibrate::transactions::DecimalReading,
    /// Customer ids of the log, by index.
    pub customer_ids: &'a [String],
    /// Currency of the log's amounts.
    pub currency: Currency,
    /// The scenario written, if any.
    pub scenario: Option<String>,
}

/// `x` with `digits` significant digits, thousands separated.
pub(super) fn sig(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).clamp(0, 12) as usize;
    format_number(x, decimals)
}

/// A length of time: whole when it is (39 weeks), else one decimal (38.9 weeks).
fn span(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format_number(x, 0)
    } else {
        format_number(x, 1)
    }
}

pub(super) fn pct(x: f64) -> String {
    format!("{}%", format_number(x * 100.0, 1))
}

/// The small print of a calibration's charts: program, version and the input's hash.
pub(super) fn stamp(input: &str, sha256: &str) -> String {
    format!(
        "loyalty-sim {} · {input} sha256 {}",
        env!("CARGO_PKG_VERSION"),
        sha256.get(..12).unwrap_or(sha256)
    )
}

/// Each figure as a PNG and an SVG file: (file name, bytes).
pub(super) fn figure_files(
    figures: Vec<Figure<AnyChart>>,
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    figures
        .into_iter()
        .flat_map(super::figures::FigureFile::both)
        .map(|f| {
            use super::Exporter as _;
            Ok((f.file_name(), f.render_figure()?))
        })
        .collect()
}

/// The log-likelihood and how the search converged, for the report.
pub(super) fn convergence_line(c: &crate::calibrate::fit::Convergence) -> String {
    format!(
        "  log-likelihood {}; converged ({} iterations; the likelihood cannot rise by more than {:.0e})",
        format_number(c.log_likelihood, 2),
        c.iterations,
        c.newton_decrement.max(1e-12)
    )
}

/// `calibration.json`'s bytes: `value` pretty-printed, with a final line end.
pub(super) fn calibration_json(value: &serde_json::Value) -> Result<Vec<u8>, ReportError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|source| ReportError::Json {
        file: "calibration.json",
        source,
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The header of the model comparison table, ending with `holdout` (the holdout error's
/// column, or nothing).
pub(super) fn comparison_header(holdout: &str) -> String {
    format!(
        "  {:<11} {:>14} {:>10} {:>10} {:>9}{holdout}",
        "model", "log-likelihood", "AIC", "BIC", "alive"
    )
}

pub(super) fn estimate_line(name: &str, e: &Estimate) -> String {
    format!(
        "  {name:<7}{:>12}   standard error {}\n",
        sig(e.value, 4),
        sig(e.standard_error, 3)
    )
}

impl CalibrationReport<'_> {
    /// The small print of the charts: program, version and the log's hash.
    pub fn stamp(&self) -> String {
        stamp(&self.input, &self.input_sha256)
    }

    /// The terminal report.
    pub fn text(&self) -> String {
        let c = self.calibration;
        let co = &c.cohort;
        let unit = co.periods.unit.name();
        let money = |x: f64| self.currency.format(x);
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!("Calibration of {}", self.input));
        line(format!(
            "  {} transactions from {} to {}; {} customers bought by the calibration end",
            format_number(co.transactions as f64, 0),
            co.first_day,
            co.last_day,
            format_number(co.customers.len() as f64, 0)
        ));
        let calibration_days = (co.periods.calibration_end - co.first_day).num_days() + 1;
        line(format!(
            "  calibration period {} to {} ({} {unit}){}",
            co.first_day,
            co.periods.calibration_end,
            span(calibration_days as f64 / co.periods.unit.days()),
            match (co.periods.holdout_end, co.holdout_length) {
                (Some(end), Some(len)) => format!("; holdout to {end} ({} {unit})", span(len)),
                _ => String::new(),
            }
        ));
        line(format!(
            "  same-day purchases merged: {}; customers whose first purchase is later (left out): {}; transactions after the last period (unused): {}{}",
            format_number(co.merged_same_day as f64, 0),
            format_number(co.joined_later as f64, 0),
            format_number(co.after_periods as f64, 0),
            if self.rows_skipped > 0 {
                format!(
                    "; bad rows skipped: {}",
                    format_number(self.rows_skipped as f64, 0)
                )
            } else {
                String::new()
            }
        ));

        line(format!("  amounts: {}", self.decimal.describe()));

        let t = &c.thresholds;
        line(String::new());
        line(format!(
            "RFM groups (frequent: {} or more purchases in the calibration period; large: average spend of {} or more{})",
            t.frequent_from,
            money(t.large_from),
            if t.from_medians {
                ", both the medians"
            } else {
                ""
            }
        ));
        line(format!(
            "  {:<17}{:>10}{:>9}{:>10}{:>11}{:>12}{:>13}  strategy",
            "group",
            "customers",
            "share",
            "revenue",
            "purchases",
            "avg spend",
            unit_since(unit)
        ));
        for g in &c.rfm {
            line(format!(
                "  {:<17}{:>10}{:>9}{:>10}{:>11}{:>12}{:>13}  {}",
                g.group.label(),
                format_number(g.customers as f64, 0),
                pct(g.customer_share),
                pct(g.revenue_share),
                sig(g.mean_purchases, 3),
                money(g.mean_average_spend),
                sig(g.mean_recency, 3),
                g.strategy
            ));
        }

        let b = &c.bgnbd;
        let m = b.model;
        line(String::new());
        line(format!(
            "Purchases: BG/NBD (Fader, Hardie & Lee 2005) on {} customers, time in {unit}",
            format_number(co.customers.len() as f64, 0)
        ));
        for (name, e) in ["r", "alpha", "a", "b"].iter().zip(&b.estimates) {
            line(estimate_line(name, e).trim_end().to_string());
        }
        line(convergence_line(&b.convergence));
        line(format!(
            "  reading: a new customer buys {} times a month on average while active (r/α); after each repeat purchase {} drop out (a/(a+b))",
            sig(m.r / m.alpha * co.periods.unit.per_month(), 3),
            pct(m.a / (m.a + m.b))
        ));

        for l in comparison_lines(c, unit) {
            line(l);
        }

        let g = &c.gamma_gamma;
        line(String::new());
        line(format!(
            "Spend: Gamma-Gamma (Fader & Hardie 2013) on the {} customers with repeat purchases",
            format_number(c.gamma_gamma_customers as f64, 0)
        ));
        for (name, e) in ["p", "q", "gamma"].iter().zip(&g.estimates) {
            line(estimate_line(name, e).trim_end().to_string());
        }
        line(format!(
            "  log-likelihood {}; converged ({} iterations)",
            format_number(g.convergence.log_likelihood, 2),
            g.convergence.iterations
        ));
        let gm = g.model;
        line(format!(
            "  reading: mean spend per purchase {} (pγ/(q−1)); one customer's baskets vary by {} (1/√p){}",
            gm.population_mean()
                .map_or("undefined (q ≤ 1)".into(), money),
            pct(1.0 / gm.p.sqrt()),
            if gm.q > 2.0 {
                format!(
                    "; customers' own means vary by {} (1/√(q−2))",
                    pct(1.0 / (gm.q - 2.0).sqrt())
                )
            } else {
                String::new()
            }
        ));

        let ind = &c.spend_independence;
        line(format!(
            "  independence check: correlation of repeat purchases and average spend {} over the {} customers ({}; the model assumes none, material from ±{})",
            ind.correlation
                .map_or("undefined (one of them does not vary)".into(), |r| format!(
                    "{r:.3}"
                )),
            format_number(ind.customers as f64, 0),
            if ind.material {
                "material"
            } else {
                "not material"
            },
            ind.threshold
        ));

        line(String::new());
        line("Fit check: customers by repeat purchases in the calibration period".to_string());
        let bins = &c.histogram;
        line(format!(
            "  {:<18}{}",
            "repeat purchases",
            bins.iter()
                .map(|b| format!("{:>8}", b.label))
                .collect::<String>()
        ));
        line(format!(
            "  {:<18}{}",
            "observed",
            bins.iter()
                .map(|b| format!("{:>8}", format_number(b.observed as f64, 0)))
                .collect::<String>()
        ));
        line(format!(
            "  {:<18}{}",
            format!("expected ({})", c.comparison.chosen.name()),
            bins.iter()
                .map(|b| format!("{:>8}", format_number(b.expected, 1)))
                .collect::<String>()
        ));

        if let Some(h) = &c.holdout {
            line(String::new());
            line(format!(
                "Holdout check: purchases per customer in the {} {unit} after the calibration end, predicted from the calibration period alone",
                span(h.length)
            ));
            line(format!(
                "  {:<32}{:>10}{:>10}{:>11}",
                "customers", "count", "actual", "predicted"
            ));
            let rows = h
                .by_frequency
                .iter()
                .map(|r| (format!("with {} repeat purchases", r.group), r))
                .chain(
                    h.by_recency
                        .iter()
                        .map(|r| (format!("last bought {} {unit} before", r.group), r)),
                )
                .chain(h.by_rfm_group.iter().map(|r| (r.group.clone(), r)));
            for (label, r) in rows {
                line(format!(
                    "  {label:<32}{:>10}{:>10}{:>11}",
                    format_number(r.customers as f64, 0),
                    format_number(r.actual, 2),
                    format_number(r.predicted, 2)
                ));
            }
            line(format!(
                "  all customers: {} purchases, predicted {} ({}{})",
                format_number(h.total_actual, 0),
                format_number(h.total_predicted, 0),
                if h.total_predicted >= h.total_actual {
                    "+"
                } else {
                    ""
                },
                pct(h.total_predicted / h.total_actual.max(1.0) - 1.0)
            ));
        }

        let p = &c.population;
        line(String::new());
        line(format!(
            "Loyalty types: patronage from behaviour (high: {} or more purchases), attitude from {}",
            p.high_patronage_from,
            match p.attitude {
                Attitude::Survey(s) => format!(
                    "the survey ({} + {} respondents)",
                    s.high_patronage.respondents, s.low_patronage.respondents
                ),
                Attitude::Template { .. } => "the template scenario (no survey given)".into(),
            }
        ));
        if let (Attitude::Survey(s), Some([hi, lo])) = (p.attitude, p.attitude_ci95) {
            line(format!(
                "  high attitude among high-patronage customers {} (95% interval {} … {}), among low-patronage {} ({} … {})",
                pct(s.high_patronage.share),
                pct(hi[0]),
                pct(hi[1]),
                pct(s.low_patronage.share),
                pct(lo[0]),
                pct(lo[1])
            ));
        }
        line(format!(
            "  {:<14}{:>8}{:>20}{:>18}{:>12}{:>17}{:>12}",
            "type", "share", "95% interval", "purchases/month", "cv", "spend/purchase", "attrition"
        ));
        for mix in &p.types {
            let b: &Behaviour = match mix.loyalty_type {
                crate::model::population::LoyaltyType::True
                | crate::model::population::LoyaltyType::False => &p.high_patronage,
                _ => &p.low_patronage,
            };
            line(format!(
                "  {:<14}{:>8}{:>20}{:>18}{:>12}{:>17}{:>12}",
                mix.loyalty_type.key(),
                pct(mix.share),
                mix.share_ci95.map_or("—".into(), |[lo, hi]| format!(
                    "{} … {}",
                    pct(lo),
                    pct(hi)
                )),
                sig(b.purchases_per_month, 3),
                sig(b.purchases_cv, 3),
                money(b.spend_mean),
                pct(b.attrition_per_month)
            ));
        }
        line(format!(
            "  customers alive at the calibration end (expected): {} of {}",
            format_number(p.alive, 0),
            format_number(co.customers.len() as f64, 0)
        ));
        let mut warnings = p.warnings.clone();
        if let (true, Some(r)) = (ind.material, ind.correlation) {
            warnings.push(format!(
                "average spend and purchase frequency are correlated ({r:.3}, beyond ±{}): the Gamma-Gamma assumes they are independent, so the spend of frequent and occasional customers is misjudged; read the spend per type with care",
                ind.threshold
            ));
        }
        if !warnings.is_empty() {
            line(String::new());
            for w in &warnings {
                line(format!("warning: {w}"));
            }
        }
        out
    }

    /// `calibration.json`: every figure at full precision.
    pub fn json(&self) -> Result<Vec<u8>, ReportError> {
        let c = self.calibration;
        let co = &c.cohort;
        let estimates = |names: &[&str], e: &[Estimate]| {
            let values: serde_json::Map<String, serde_json::Value> = names
                .iter()
                .zip(e)
                .map(|(n, e)| (n.to_string(), json!(e.value)))
                .collect();
            let errors: serde_json::Map<String, serde_json::Value> = names
                .iter()
                .zip(e)
                .map(|(n, e)| (n.to_string(), json!(e.standard_error)))
                .collect();
            (values, errors)
        };
        let (bg, bg_se) = estimates(&["r", "alpha", "a", "b"], &c.bgnbd.estimates);
        let (gg, gg_se) = estimates(&["p", "q", "gamma"], &c.gamma_gamma.estimates);
        // Both are objects, where `value["key"] =` inserts (it panics only on a non-object).
        let mut bgnbd = serde_json::Value::Object(bg);
        bgnbd["standard_errors"] = json!(bg_se);
        bgnbd["log_likelihood"] = json!(c.bgnbd.convergence.log_likelihood);
        bgnbd["convergence"] = json!(c.bgnbd.convergence);
        bgnbd["customers"] = json!(co.customers.len());
        let mut gamma_gamma = serde_json::Value::Object(gg);
        gamma_gamma["standard_errors"] = json!(gg_se);
        gamma_gamma["log_likelihood"] = json!(c.gamma_gamma.convergence.log_likelihood);
        gamma_gamma["convergence"] = json!(c.gamma_gamma.convergence);
        gamma_gamma["customers"] = json!(c.gamma_gamma_customers);
        let value = json!({
            "program": "loyalty-sim",
            "version": env!("CARGO_PKG_VERSION"),
            "input": {
                "file": self.input,
                "sha256": self.input_sha256,
                "transactions": co.transactions,
                "rows_skipped": self.rows_skipped,
                "first_day": co.first_day.to_string(),
                "last_day": co.last_day.to_string(),
                "customers": co.customers.len(),
                "merged_same_day": co.merged_same_day,
                "joined_after_calibration": co.joined_later,
                "after_periods": co.after_periods,
                "currency": self.currency.code,
                "decimal": {
                    "mark": self.decimal.mark,
                    "how": self.decimal.how,
                    "line": self.decimal.evidence.as_ref().map(|e| e.0),
                    "example": self.decimal.evidence.as_ref().map(|e| e.1.clone()),
                    "statement": self.decimal.describe(),
                },
            },
            "periods": {
                "calibration_start": co.first_day.to_string(),
                "calibration_end": co.periods.calibration_end.to_string(),
                "holdout_end": co.periods.holdout_end.map(|d| d.to_string()),
                "holdout_length": co.holdout_length,
                "time_unit": co.periods.unit,
            },
            "rfm": { "thresholds": c.thresholds, "groups": c.rfm },
            "bgnbd": bgnbd,
            "purchase_model": purchase_model_json(c),
            "model_comparison": c.comparison,
            "gamma_gamma": gamma_gamma,
            "fit_checks": {
                "spend_independence": c.spend_independence,
                "repeat_purchases": c.histogram,
                "holdout": c.holdout,
                "tracking": c.tracking,
            },
            "population": c.population,
            "scenario": self.scenario,
        });
        calibration_json(&value)
    }

    /// `customers.csv`: one row per customer of the calibration period.
    pub fn customers_csv(&self) -> Result<Vec<u8>, ReportError> {
        let c = self.calibration;
        let holdout = c.cohort.holdout_length;
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let err = |source| ReportError::Csv {
            file: "customers.csv",
            source,
        };
        let mut header = vec![
            "customer_id",
            "first_purchase",
            "purchases",
            "revenue",
            "average_spend",
            "repeat_purchases",
            "last_repeat",
            "observed",
            "recency",
            "rfm_group",
            "patronage",
            "p_alive",
        ];
        if holdout.is_some() {
            header.extend(["holdout_purchases", "holdout_predicted"]);
        }
        w.write_record(&header).map_err(err)?;
        for cu in &c.cohort.customers {
            let high = cu.purchases() >= c.population.high_patronage_from;
            let mut row = vec![
                self.customer_ids
                    .get(cu.id as usize)
                    .cloned()
                    .unwrap_or_default(),
                cu.first.to_string(),
                cu.purchases().to_string(),
                cu.revenue.to_string(),
                cu.average_spend().to_string(),
                cu.history.x.to_string(),
                cu.history.t_x.to_string(),
                cu.history.t.to_string(),
                cu.recency().to_string(),
                serde_json::to_value(Group::of(cu, &c.thresholds))
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                if high { "high" } else { "low" }.to_string(),
                c.purchases.model.p_alive(&cu.history).to_string(),
            ];
            if let Some(length) = holdout {
                row.push(cu.holdout_purchases.to_string());
                row.push(
                    c.purchases
                        .model
                        .conditional_expected_purchases(length, &cu.history)
                        .map_or(String::new(), |v| v.to_string()),
                );
            }
            w.write_record(&row).map_err(err)?;
        }
        w.into_inner().map_err(|e| ReportError::Csv {
            file: "customers.csv",
            source: e.into_error().into(),
        })
    }

    /// Each of [`Self::figures`] as a PNG and an SVG file: (file name, bytes).
    pub fn chart_files(&self) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
        figure_files(self.figures())
    }

    /// The fit-check charts.
    pub fn figures(&self) -> Vec<Figure<AnyChart>> {
        let c = self.calibration;
        let unit = c.cohort.periods.unit.name();
        let mut figures = vec![Figure {
            name: "fit_repeat_purchases",
            footer: self.stamp(),
            chart: AnyChart::Bars(GroupedBarChart {
                title: format!(
                    "Repeat purchases in the calibration period: observed and {} ({} customers)",
                    c.comparison.chosen.name(),
                    format_number(c.cohort.customers.len() as f64, 0)
                ),
                x_label: "Repeat purchases per customer (same-day purchases counted once)".into(),
                y_label: "Customers".into(),
                y_scale: Scale::Count,
                categories: c.histogram.iter().map(|b| b.label.clone()).collect(),
                series: vec![
                    (
                        "observed".into(),
                        palette::BLUE,
                        c.histogram.iter().map(|b| b.observed as f64).collect(),
                    ),
                    (
                        format!("expected ({})", c.comparison.chosen.name()),
                        palette::ORANGE,
                        c.histogram.iter().map(|b| b.expected).collect(),
                    ),
                ],
            }),
        }];
        if let Some(h) = &c.holdout {
            figures.push(Figure {
                name: "fit_holdout",
                footer: self.stamp(),
                chart: AnyChart::Bars(GroupedBarChart {
                    title: format!(
                        "Holdout: purchases per customer in the {} {unit} after calibration",
                        span(h.length)
                    ),
                    x_label: "Repeat purchases in the calibration period".into(),
                    y_label: "Purchases per customer in the holdout".into(),
                    y_scale: Scale::Plain,
                    categories: h.by_frequency.iter().map(|r| r.group.clone()).collect(),
                    series: vec![
                        (
                            "actual".into(),
                            palette::BLUE,
                            h.by_frequency.iter().map(|r| r.actual).collect(),
                        ),
                        (
                            format!(
                                "predicted ({}, from the calibration period)",
                                c.comparison.chosen.name()
                            ),
                            palette::ORANGE,
                            h.by_frequency.iter().map(|r| r.predicted).collect(),
                        ),
                    ],
                }),
            });
        }
        if let Some(h) = &c.holdout {
            figures.push(Figure {
                name: "fit_holdout_recency",
                footer: self.stamp(),
                chart: AnyChart::Bars(GroupedBarChart {
                    title: format!(
                        "Holdout by recency: purchases per customer in the {} {unit} after calibration",
                        span(h.length)
                    ),
                    x_label: format!(
                        "{} from the last purchase to the calibration end",
                        capitalised(unit)
                    ),
                    y_label: "Purchases per customer in the holdout".into(),
                    y_scale: Scale::Plain,
                    categories: h.by_recency.iter().map(|r| r.group.clone()).collect(),
                    series: vec![
                        (
                            "actual".into(),
                            palette::BLUE,
                            h.by_recency.iter().map(|r| r.actual).collect(),
                        ),
                        (
                            format!(
                                "predicted ({}, from the calibration period)",
                                c.comparison.chosen.name()
                            ),
                            palette::ORANGE,
                            h.by_recency.iter().map(|r| r.predicted).collect(),
                        ),
                    ],
                }),
            });
        }
        if c.tracking.is_empty() {
            return figures;
        }
        let calibration_end =
            ((c.cohort.periods.calibration_end - c.cohort.first_day).num_days() as f64 + 1.0)
                / c.cohort.periods.unit.days();
        figures.push(tracking_figure(
            Tracking {
                title: format!(
                    "Cumulative repeat purchases by {}: actual and {} (fitted to the calibration period)",
                    unit.trim_end_matches('s'),
                    c.comparison.chosen.name()
                ),
                x_label: format!("{} from the log's first day", capitalised(unit)),
                y_label: "Repeat purchases, cumulative".into(),
                model: c.comparison.chosen.name(),
                actual: c
                    .tracking
                    .iter()
                    .map(|p| (f64::from(p.period), p.actual))
                    .collect(),
                expected: c
                    .tracking
                    .iter()
                    .map(|p| (f64::from(p.period), p.expected))
                    .collect(),
                calibration_end,
            },
            self.stamp(),
        ));
        figures
    }
}

/// What a tracking chart shows: actual against expected over time, and where the calibration
/// period ends.
pub(super) struct Tracking {
    /// The chart's title.
    pub title: String,
    /// The time axis's label.
    pub x_label: String,
    /// The value axis's label.
    pub y_label: String,
    /// The model's name, for the expected line's label.
    pub model: &'static str,
    /// (time, actual).
    pub actual: Vec<(f64, f64)>,
    /// (time, expected).
    pub expected: Vec<(f64, f64)>,
    /// Time at which the calibration period ends.
    pub calibration_end: f64,
}

/// The chart `fit_tracking`: actual (solid) and expected (dashed) over time, and a line at the
/// calibration end.
pub(super) fn tracking_figure(t: Tracking, footer: String) -> Figure<AnyChart> {
    let top = t
        .actual
        .iter()
        .chain(&t.expected)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    Figure {
        name: "fit_tracking",
        footer,
        chart: AnyChart::Line(LineChart {
            title: t.title,
            x_label: t.x_label,
            y_label: t.y_label,
            y_scale: Scale::Count,
            lines: vec![
                Curve {
                    label: "actual".into(),
                    color: palette::BLUE,
                    dashed: false,
                    points: t.actual,
                },
                Curve {
                    label: format!("expected ({})", t.model),
                    color: palette::ORANGE,
                    dashed: true,
                    points: t.expected,
                },
                Curve {
                    label: "calibration end".into(),
                    color: palette::GREY,
                    dashed: true,
                    points: vec![(t.calibration_end, 0.0), (t.calibration_end, top)],
                },
            ],
        }),
    }
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + chars.as_str()
    })
}

fn unit_since(unit: &str) -> String {
    format!("{unit} since")
}

/// The chosen purchase model for `calibration.json`: its name, estimates with standard errors,
/// log-likelihood and convergence.
fn purchase_model_json(c: &crate::calibrate::Calibration) -> serde_json::Value {
    let p = &c.purchases;
    let values: serde_json::Map<String, serde_json::Value> = p
        .estimates
        .iter()
        .map(|(n, e)| (n.to_string(), json!(e.value)))
        .collect();
    let errors: serde_json::Map<String, serde_json::Value> = p
        .estimates
        .iter()
        .map(|(n, e)| (n.to_string(), json!(e.standard_error)))
        .collect();
    json!({
        "model": p.model.kind(),
        "name": p.model.kind().name(),
        "estimates": values,
        "standard_errors": errors,
        "log_likelihood": p.convergence.log_likelihood,
        "convergence": p.convergence,
    })
}

/// The purchase models side by side, the chosen one's estimates if it is not the BG/NBD, and
/// the rule.
fn comparison_lines(c: &crate::calibrate::Calibration, unit: &str) -> Vec<String> {
    use crate::calibrate::purchase::ModelKind;
    let cmp = &c.comparison;
    let mut out = vec![String::new()];
    let holdout = cmp.rows.iter().any(|r| r.holdout_error.is_some());
    out.push(format!(
        "Purchase models compared ({} customers; lower AIC, BIC and holdout error are better)",
        format_number(c.cohort.customers.len() as f64, 0)
    ));
    out.push(comparison_header(if holdout {
        "  holdout error (purchases/customer by group)"
    } else {
        ""
    }));
    for r in &cmp.rows {
        let mark = if r.model == cmp.chosen {
            " ← chosen"
        } else {
            ""
        };
        if !r.fitted {
            out.push(format!("  {:<11} not fitted", r.model.name()));
            continue;
        }
        match (&r.refused, r.log_likelihood) {
            (None, Some(ll)) => out.push(format!(
                "  {:<11} {:>14} {:>10} {:>10} {:>9}{}{mark}",
                r.model.name(),
                format_number(ll, 2),
                format_number(r.aic.unwrap_or(f64::NAN), 1),
                format_number(r.bic.unwrap_or(f64::NAN), 1),
                format_number(r.alive.unwrap_or(f64::NAN), 0),
                r.holdout_error
                    .map_or(String::new(), |e| format!("  {:>10}", format!("{e:.3}")))
            )),
            (why, _) => out.push(format!(
                "  {:<11} refused: {}{mark}",
                r.model.name(),
                why.as_deref().unwrap_or("no likelihood")
            )),
        }
    }
    out.push(format!(
        "  the scenario takes the {} ({})",
        cmp.chosen.name(),
        cmp.reason
    ));
    if let Some(note) = &cmp.not_fitted {
        out.push(format!("  {note}"));
    }
    if cmp.chosen != ModelKind::BgNbd {
        let p = &c.purchases;
        out.push(format!(
            "Purchases: {} ({}), time in {unit}",
            cmp.chosen.name(),
            cmp.chosen.source()
        ));
        for (name, e) in &p.estimates {
            out.push(estimate_line(name, e).trim_end().to_string());
        }
        out.push(convergence_line(&p.convergence));
    }
    out
}
