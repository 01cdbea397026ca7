//! Which uncertain inputs the spread of the result comes from: Sobol first-order and total
//! indices of a metric over the scenario's uncertain inputs (see [`crate::metrics::sobol`] for
//! the design and the estimators), to read beside the tornado.
//!
//! Each point of the design sets every uncertain input at once (from its distribution, by its
//! quantile function) and simulates one trial keyed by the point's row: the points of a row
//! share the customers' random numbers (common random numbers), so the differences the
//! estimators take between them are the inputs' doing. The customers' own chance still differs
//! from row to row and is part of the metric's variance, which no input index claims: the
//! indices sum to less than one by at least that share. The inputs are drawn independently
//! whatever the scenario's `[risk]` correlations say: Sobol indices are defined for independent
//! inputs.

use serde::Serialize;

use super::tornado::TornadoError;
use crate::metrics::finance::{TrialMetrics, evaluate_trial};
use crate::metrics::sobol::{Estimate, SobolDesign};
use crate::run::{RunOptions, effective_scenario, scenario_with_draws};
use crate::scenario::ScenarioFile;
use crate::sim::kernel::Model;
use crate::sim::runner::{RunError, in_pool, simulate_trial};

/// Rows of the design (base samples) unless asked otherwise: (k + 2) × 128 trials, e.g. 896
/// for the five inputs of the shipped uncertain scenario, about what a tornado of 200 trials
/// per run costs (11 runs).
pub const DEFAULT_SAMPLES: usize = 128;
/// Bootstrap resamples of the rows.
pub const RESAMPLES: usize = 1000;
/// Confidence of the bootstrap intervals.
pub const CONFIDENCE: f64 = 0.95;

/// One input's Sobol indices.
#[derive(Debug, Clone, Serialize)]
pub struct InputIndices {
    /// The input's path.
    pub path: String,
    /// First-order index: the share of the metric's variance the input explains alone.
    pub first: Estimate,
    /// Total index: the share it takes part in, alone or through interactions.
    pub total: Estimate,
}

/// The variance of a metric shared out among the uncertain inputs.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    /// The metric.
    pub metric: String,
    /// Rows of the design (base samples N).
    pub samples: usize,
    /// Trials simulated: N (k + 2) for k inputs.
    pub evaluations: usize,
    /// How the base matrices A and B were drawn.
    pub sampling: &'static str,
    /// The estimators used.
    pub estimators: &'static str,
    /// Bootstrap resamples behind the intervals.
    pub resamples: usize,
    /// Confidence of the intervals.
    pub confidence: f64,
    /// Mean of the metric over the design's A and B points.
    pub mean: f64,
    /// Standard deviation of the metric over the A and B points (population form).
    pub sd: f64,
    /// Whether the scenario asks for rank correlations, which the analysis leaves out.
    pub correlations_left_out: bool,
    /// The inputs, in the scenario's order.
    pub inputs: Vec<InputIndices>,
}

impl Sensitivity {
    /// The indices of the input at `path`, if it is one.
    pub fn of(&self, path: &str) -> Option<&InputIndices> {
        self.inputs.iter().find(|i| i.path == path)
    }
}

/// The name of the payback quantity whose indices [`sobol_with_payback`] gives.
pub const PAYBACK: &str = "payback_month_censored";

/// What [`PAYBACK`] is, in words.
pub const PAYBACK_CONVENTION: &str = "the payback month of each trial, a trial that does not pay back within the horizon counted as the month after it (horizon + 1): the least it could be";

/// Sobol indices of `metric` over the uncertain inputs of `file`, from a design of `samples`
/// rows, seeded and threaded as `options` say (its trials are not used).
pub fn sobol(
    file: &ScenarioFile,
    metric: &str,
    options: &RunOptions,
    samples: usize,
) -> Result<Sensitivity, TornadoError> {
    sobol_with_payback(file, metric, options, samples).map(|(s, _)| s)
}

/// Sobol indices of `metric` and, from the same simulations, of the payback month
/// ([`PAYBACK_CONVENTION`]); the payback's are `None` when it is the same at every point (no
/// trial pays back, or every one in the same month).
pub fn sobol_with_payback(
    file: &ScenarioFile,
    metric: &str,
    options: &RunOptions,
    samples: usize,
) -> Result<(Sensitivity, Option<Sensitivity>), TornadoError> {
    let Some(&metric) = TrialMetrics::NAMES.iter().find(|n| **n == metric) else {
        return Err(TornadoError::UnknownMetric(metric.to_string()));
    };
    let scenario = effective_scenario(file, options);
    let inputs = &scenario.uncertain;
    if inputs.is_empty() {
        return Err(TornadoError::NothingUncertain);
    }
    let samples = samples.max(2);
    let seed = scenario.simulation.seed;
    let design = SobolDesign::latin_hypercube(samples, inputs.len(), seed);
    let beyond = f64::from(scenario.simulation.months) + 1.0;
    let outputs = in_pool(options.threads, || {
        design.evaluate_many(2, |point| -> Result<Vec<f64>, RunError> {
            let draws: Vec<f64> = inputs
                .iter()
                .zip(&point.probabilities)
                .map(|(u, &p)| u.value_at(p))
                .collect();
            let row = point.row as u64;
            let drawn = scenario_with_draws(file, &scenario, &draws, row)?;
            let totals = simulate_trial(&Model::new(&drawn), row);
            if totals.points_overflow() {
                return Err(RunError::PointsOverflow { trial: row });
            }
            let metrics = evaluate_trial(&drawn, &totals).metrics;
            let value = metrics.value(metric).unwrap_or(f64::NAN);
            let payback = metrics.payback_month.map_or(beyond, f64::from);
            if value.is_finite() {
                Ok(vec![value, payback])
            } else {
                Err(RunError::NonFinite {
                    trial: row,
                    metric,
                    value,
                })
            }
        })
    })??;
    let sensitivity = |outputs: &crate::metrics::sobol::SobolOutputs, name: &str| {
        let all: Vec<f64> = outputs.a.iter().chain(&outputs.b).copied().collect();
        let mean = crate::metrics::stats::mean(&all);
        let sd = (all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / all.len() as f64).sqrt();
        let indices = outputs.indices(RESAMPLES, CONFIDENCE, seed)?;
        Some(Sensitivity {
            metric: name.to_string(),
            samples,
            evaluations: design.evaluations(),
            sampling: "Latin hypercube base matrices A and B, one stratum per row and input",
            estimators: "first order: Saltelli et al. (2010); total: Jansen (1999); percentile bootstrap over rows",
            resamples: RESAMPLES,
            confidence: CONFIDENCE,
            mean,
            sd,
            correlations_left_out: scenario.risk.correlation.is_some(),
            inputs: inputs
                .iter()
                .zip(indices)
                .map(|(u, ix)| InputIndices {
                    path: u.path.clone(),
                    first: ix.first,
                    total: ix.total,
                })
                .collect(),
        })
    };
    // `evaluate_many(2, …)` gives two outputs.
    let (Some(of_metric), Some(of_payback)) = (outputs.first(), outputs.get(1)) else {
        return Err(TornadoError::NoVariance(metric.to_string()));
    };
    let main = sensitivity(of_metric, metric)
        .ok_or_else(|| TornadoError::NoVariance(metric.to_string()))?;
    Ok((main, sensitivity(of_payback, PAYBACK)))
}
