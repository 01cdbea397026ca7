//! The purchase models a calibration can feed the scenario from — BG/NBD, MBG/NBD and
//! Pareto/NBD — behind one interface, and their comparison: each fitted by maximum likelihood
//! on the same histories, with log-likelihood, AIC, BIC and the holdout error by
//! repeat-purchase group, and one of them chosen by a stated rule or by the user.
//!
//! **What is fitted**: the BG/NBD always (the reference); the others only when asked, since
//! each costs several times the BG/NBD's fit ([`ModelChoice::fitted`]): `--model auto` fits
//! and compares all three, `--model mbgnbd|pareto-nbd` fits that one besides the BG/NBD. The
//! models asked for are fitted side by side on the thread pool, each its own search, and
//! collected in [`ModelKind::ALL`]'s order, so the result does not depend on the threads.
//!
//! **The rule** ([`ModelChoice::Auto`]): with a holdout, the model whose conditional forecasts
//! miss the holdout least (the customer-weighted mean absolute error of the purchases per
//! customer, by repeat-purchase group 0, 1, …, 7+), because the scenario runs on what the
//! model forecasts; without a holdout, the lowest BIC. All three models have four parameters,
//! so AIC and BIC rank them as the log-likelihood does; they are shown for comparison with
//! other models and tools. A model whose fit is refused is shown with why and never chosen.

use serde::Serialize;

use super::bgnbd::{BgNbd, FittedBgNbd, Histories, History};
use super::checks::{self, HoldoutRow};
use super::cohort::Customer;
use super::fit::{Convergence, Estimate};
use super::mbgnbd::{self, MbgNbd};
use super::pareto_nbd::{self, ParetoNbd};
use super::rfm::Thresholds;

/// Most Nelder-Mead iterations in each pass for the models fitted beside the BG/NBD: on
/// CDNOW they converge in a few hundred; a search still wandering after this many is on data
/// that do not pin the model down, and is refused (shown as such, never chosen) in bounded time.
pub const COMPARED_MODEL_ITERATIONS: u64 = 3_000;

/// Which purchase model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ModelKind {
    /// Fader, Hardie & Lee (2005).
    #[serde(rename = "bgnbd")]
    BgNbd,
    /// Batislam, Denizel & Filiztekin (2007).
    #[serde(rename = "mbgnbd")]
    MbgNbd,
    /// Schmittlein, Morrison & Colombo (1987).
    #[serde(rename = "pareto_nbd")]
    ParetoNbd,
}

impl ModelKind {
    /// All, in the order they are shown.
    pub const ALL: [ModelKind; 3] = [ModelKind::BgNbd, ModelKind::MbgNbd, ModelKind::ParetoNbd];

    /// The name people know it by.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "BG/NBD",
            ModelKind::MbgNbd => "MBG/NBD",
            ModelKind::ParetoNbd => "Pareto/NBD",
        }
    }

    /// Where it comes from.
    pub fn source(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "Fader, Hardie & Lee 2005",
            ModelKind::MbgNbd => "Batislam, Denizel & Filiztekin 2007",
            ModelKind::ParetoNbd => "Schmittlein, Morrison & Colombo 1987",
        }
    }

    /// The name on the command line (`bgnbd`, `mbgnbd`, `pareto-nbd`).
    pub fn flag(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "bgnbd",
            ModelKind::MbgNbd => "mbgnbd",
            ModelKind::ParetoNbd => "pareto-nbd",
        }
    }
}

/// Which model feeds the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelChoice {
    /// The one the module's rule picks.
    Auto,
    /// This one.
    Given(ModelKind),
    /// The BG/NBD (the default: the model the published CDNOW figures and docs/calibrate.md use).
    #[default]
    Default,
}

impl ModelChoice {
    /// Reads a `--model` value: `auto`, `bgnbd`, `mbgnbd` or `pareto-nbd`.
    pub fn parse(text: &str) -> Option<ModelChoice> {
        if text == "auto" {
            return Some(ModelChoice::Auto);
        }
        ModelKind::ALL
            .into_iter()
            .find(|k| k.flag() == text)
            .map(ModelChoice::Given)
    }

    /// The models this choice fits: the BG/NBD alone by default, the BG/NBD and the one
    /// given, or all under `Auto`; in [`ModelKind::ALL`]'s order.
    pub fn fitted(self) -> Vec<ModelKind> {
        ModelKind::ALL
            .into_iter()
            .filter(|k| match self {
                ModelChoice::Auto => true,
                ModelChoice::Given(given) => *k == ModelKind::BgNbd || *k == given,
                ModelChoice::Default => *k == ModelKind::BgNbd,
            })
            .collect()
    }
}

/// A fitted purchase model's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PurchaseModel {
    /// BG/NBD.
    BgNbd(BgNbd),
    /// MBG/NBD.
    MbgNbd(MbgNbd),
    /// Pareto/NBD.
    ParetoNbd(ParetoNbd),
}

impl PurchaseModel {
    /// Which model.
    pub fn kind(&self) -> ModelKind {
        match self {
            PurchaseModel::BgNbd(_) => ModelKind::BgNbd,
            PurchaseModel::MbgNbd(_) => ModelKind::MbgNbd,
            PurchaseModel::ParetoNbd(_) => ModelKind::ParetoNbd,
        }
    }

    /// Probability that a customer with history `h` is alive at T.
    pub fn p_alive(&self, h: &History) -> f64 {
        match self {
            PurchaseModel::BgNbd(m) => m.p_alive(h),
            PurchaseModel::MbgNbd(m) => m.p_alive(h),
            PurchaseModel::ParetoNbd(m) => m.p_alive(h),
        }
    }

    /// Mean and variance of the purchase rate of a customer alive at T (per time unit).
    pub fn posterior_rate(&self, h: &History) -> (f64, f64) {
        match self {
            PurchaseModel::BgNbd(m) => m.posterior_rate(h),
            PurchaseModel::MbgNbd(m) => m.posterior_rate(h),
            PurchaseModel::ParetoNbd(m) => m.posterior_rate(h),
        }
    }

    /// Expected dropout hazard (per time unit) of a customer alive at T.
    pub fn posterior_dropout_rate(&self, h: &History) -> f64 {
        match self {
            PurchaseModel::BgNbd(m) => m.posterior_dropout_rate(h),
            PurchaseModel::MbgNbd(m) => m.posterior_dropout_rate(h),
            PurchaseModel::ParetoNbd(m) => m.posterior_dropout_rate(h),
        }
    }

    /// Probability of exactly `x` repeat purchases in (0, t] for a new customer.
    pub fn probability_of(&self, x: u32, t: f64) -> f64 {
        match self {
            PurchaseModel::BgNbd(m) => m.probability_of(x, t),
            PurchaseModel::MbgNbd(m) => m.probability_of(x, t),
            PurchaseModel::ParetoNbd(m) => m.probability_of(x, t),
        }
    }

    /// Expected purchases in the next `horizon` time units of a customer with history `h`;
    /// `None` if a series behind it does not settle.
    pub fn conditional_expected_purchases(&self, horizon: f64, h: &History) -> Option<f64> {
        match self {
            PurchaseModel::BgNbd(m) => m.conditional_expected_purchases(horizon, h),
            PurchaseModel::MbgNbd(m) => m.conditional_expected_purchases(horizon, h),
            PurchaseModel::ParetoNbd(m) => m.conditional_expected_purchases(horizon, h),
        }
    }
}

/// A fitted purchase model, whichever it is.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedPurchases {
    /// The estimates as a model.
    pub model: PurchaseModel,
    /// The parameters by name, with standard errors, in the model's order.
    pub estimates: Vec<(&'static str, Estimate)>,
    /// How the search went.
    pub convergence: Convergence,
}

impl From<&FittedBgNbd> for FittedPurchases {
    fn from(f: &FittedBgNbd) -> Self {
        FittedPurchases {
            model: PurchaseModel::BgNbd(f.model),
            estimates: ["r", "alpha", "a", "b"]
                .into_iter()
                .zip(f.estimates)
                .collect(),
            convergence: f.convergence.clone(),
        }
    }
}

/// Fits `kind` to `histories` (the BG/NBD is fitted by the caller, see [`compare`]).
fn fit(kind: ModelKind, histories: &Histories) -> Result<FittedPurchases, String> {
    match kind {
        ModelKind::BgNbd => super::bgnbd::fit(histories)
            .map(|f| FittedPurchases::from(&f))
            .map_err(|e| e.to_string()),
        ModelKind::MbgNbd => mbgnbd::fit(histories)
            .map(|f| FittedPurchases {
                model: PurchaseModel::MbgNbd(f.model),
                estimates: ["r", "alpha", "a", "b"]
                    .into_iter()
                    .zip(f.estimates)
                    .collect(),
                convergence: f.convergence,
            })
            .map_err(|e| e.to_string()),
        ModelKind::ParetoNbd => pareto_nbd::fit(histories)
            .map(|f| FittedPurchases {
                model: PurchaseModel::ParetoNbd(f.model),
                estimates: ["r", "alpha", "s", "beta"]
                    .into_iter()
                    .zip(f.estimates)
                    .collect(),
                convergence: f.convergence,
            })
            .map_err(|e| e.to_string()),
    }
}

/// One model's line in the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// The model.
    pub model: ModelKind,
    /// Parameters estimated.
    pub parameters: u32,
    /// Whether it was fitted (see [`ModelChoice::fitted`]); a row not fitted holds no
    /// figures and is never chosen.
    pub fitted: bool,
    /// The estimates with their standard errors, by name (empty if the fit was refused).
    pub estimates: indexmap::IndexMap<&'static str, Estimate>,
    /// The maximised log-likelihood; `None` if the fit was refused.
    pub log_likelihood: Option<f64>,
    /// Akaike's criterion, 2k − 2 ln L (lower is better).
    pub aic: Option<f64>,
    /// The Bayesian (Schwarz) criterion, k ln N − 2 ln L with N the customers (lower is
    /// better).
    pub bic: Option<f64>,
    /// With a holdout: the customer-weighted mean absolute error of the holdout purchases per
    /// customer, by repeat-purchase group (0, 1, …, 7+), in purchases per customer.
    pub holdout_error: Option<f64>,
    /// With a holdout: actual against predicted purchases per customer by repeat-purchase
    /// group.
    pub holdout_by_frequency: Option<Vec<HoldoutRow>>,
    /// With a holdout: predicted holdout purchases of all customers.
    pub holdout_total_predicted: Option<f64>,
    /// Probability-weighted customers alive at the calibration end.
    pub alive: Option<f64>,
    /// Why the fit (or its forecast) was refused, if it was.
    pub refused: Option<String>,
}

/// The models side by side, and the one chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// One row per model, in [`ModelKind::ALL`]'s order.
    pub rows: Vec<ComparisonRow>,
    /// The model feeding the scenario.
    pub chosen: ModelKind,
    /// How it was chosen: "given with --model", or the rule and what it compared.
    pub reason: String,
    /// The model the rule picks, when every model was fitted (`--model auto`, where it is
    /// `chosen`); `None` when some were not, since the rule compares all.
    pub rule_picks: Option<ModelKind>,
    /// When some models were not fitted: which, and how to compare them.
    pub not_fitted: Option<String>,
}

/// Customer-weighted mean absolute error of holdout rows.
fn holdout_error(rows: &[HoldoutRow]) -> f64 {
    let n: u64 = rows.iter().map(|r| r.customers).sum();
    let e: f64 = rows
        .iter()
        .map(|r| r.customers as f64 * (r.actual - r.predicted).abs())
        .sum();
    if n > 0 { e / n as f64 } else { 0.0 }
}

/// Fits the models `choice` asks for on the customers' histories (`bgnbd` is the BG/NBD fit
/// already made), in parallel, compares them, and returns the comparison with the chosen
/// model's fit. Errors only if the chosen model's fit was refused (a given model that fails is
/// an error; under `Auto` and `Default` the BG/NBD is already fitted).
pub fn compare(
    customers: &[Customer],
    histories: &Histories,
    bgnbd: &FittedBgNbd,
    holdout_length: Option<f64>,
    thresholds: &Thresholds,
    choice: ModelChoice,
) -> Result<(Comparison, FittedPurchases), String> {
    use rayon::prelude::*;
    let n = histories.customers();
    let asked = choice.fitted();
    // Each model's fit and checks are independent: one task each, collected in ALL's order.
    let results: Vec<(Option<Result<FittedPurchases, String>>, ComparisonRow)> = ModelKind::ALL
        .par_iter()
        .map(|&model| {
            let empty = ComparisonRow {
                model,
                parameters: 4,
                fitted: false,
                estimates: Default::default(),
                log_likelihood: None,
                aic: None,
                bic: None,
                holdout_error: None,
                holdout_by_frequency: None,
                holdout_total_predicted: None,
                alive: None,
                refused: None,
            };
            if !asked.contains(&model) {
                return (None, empty);
            }
            let f = match model {
                ModelKind::BgNbd => Ok(FittedPurchases::from(bgnbd)),
                other => fit(other, histories),
            };
            let row = match &f {
                Err(e) => ComparisonRow {
                    fitted: true,
                    refused: Some(e.clone()),
                    ..empty
                },
                Ok(f) => row_of(model, f, customers, n, holdout_length, thresholds, empty),
            };
            (Some(f), row)
        })
        .collect();
    let (fits, rows): (Vec<_>, Vec<_>) = results.into_iter().unzip();
    let usable = |r: &&ComparisonRow| r.fitted && r.refused.is_none() && r.log_likelihood.is_some();
    let by = |key: fn(&ComparisonRow) -> Option<f64>| {
        rows.iter()
            .filter(usable)
            .filter_map(|r| key(r).map(|v| (r.model, v)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(m, _)| m)
    };
    let (rule_picks, rule) = match holdout_length {
        Some(_) => (
            by(|r| r.holdout_error),
            "the smallest holdout error by repeat-purchase group",
        ),
        None => (
            by(|r| r.bic),
            "the lowest BIC (no holdout to compare forecasts on)",
        ),
    };
    let all_fitted = asked.len() == ModelKind::ALL.len();
    let rule_picks = all_fitted.then(|| rule_picks.unwrap_or(ModelKind::BgNbd));
    let (chosen, reason) = match choice {
        ModelChoice::Auto => (
            rule_picks.unwrap_or(ModelKind::BgNbd),
            format!("--model auto: {rule}"),
        ),
        ModelChoice::Given(kind) => (kind, "given with --model".to_string()),
        ModelChoice::Default => (
            ModelKind::BgNbd,
            format!("the default; --model auto fits all three and takes {rule}"),
        ),
    };
    let not_fitted: Vec<&str> = ModelKind::ALL
        .iter()
        .filter(|k| !asked.contains(k))
        .map(|k| k.name())
        .collect();
    let not_fitted = (!not_fitted.is_empty()).then(|| {
        format!(
            "not fitted: {} (--model auto fits and compares all three; --model {} fits one \
             besides the BG/NBD)",
            not_fitted.join(", "),
            ModelKind::ALL
                .iter()
                .filter(|k| !asked.contains(k))
                .map(|k| k.flag())
                .collect::<Vec<_>>()
                .join("|")
        )
    });
    let position = ModelKind::ALL
        .iter()
        .position(|k| *k == chosen)
        .unwrap_or(0);
    let fitted = match (&fits[position], &rows[position].refused) {
        (Some(Ok(f)), None) => f.clone(),
        (Some(Err(e)), _) | (Some(Ok(_)), Some(e)) => return Err(e.clone()),
        (None, _) => return Err(format!("the {} was not fitted", chosen.name())),
    };
    Ok((
        Comparison {
            rows,
            chosen,
            reason,
            rule_picks,
            not_fitted,
        },
        fitted,
    ))
}

/// The comparison row of a model fitted as `f`: its likelihood criteria, holdout error and
/// customers alive.
fn row_of(
    model: ModelKind,
    f: &FittedPurchases,
    customers: &[Customer],
    n: f64,
    holdout_length: Option<f64>,
    thresholds: &Thresholds,
    empty: ComparisonRow,
) -> ComparisonRow {
    let ll = f.convergence.log_likelihood;
    let k = f.estimates.len() as f64;
    let holdout =
        holdout_length.map(|length| checks::holdout(customers, &f.model, length, thresholds));
    let refused = match holdout {
        Some(None) => Some(format!(
            "the {} holdout forecast did not converge",
            model.name()
        )),
        _ => None,
    };
    let holdout = holdout.flatten();
    ComparisonRow {
        fitted: true,
        estimates: f.estimates.iter().copied().collect(),
        log_likelihood: Some(ll),
        aic: Some(2.0 * k - 2.0 * ll),
        bic: Some(k * n.ln() - 2.0 * ll),
        holdout_error: holdout.as_ref().map(|h| holdout_error(&h.by_frequency)),
        holdout_total_predicted: holdout.as_ref().map(|h| h.total_predicted),
        holdout_by_frequency: holdout.map(|h| h.by_frequency),
        alive: Some(customers.iter().map(|c| f.model.p_alive(&c.history)).sum()),
        refused,
        ..empty
    }
}
