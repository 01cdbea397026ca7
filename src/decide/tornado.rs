//! Which uncertain inputs drive the result most: each input is swung from its 5th to its 95th
//! percentile while the others stay at their medians, on the same customers and random
//! numbers, and the inputs are ranked by how far the metric's mean moves.

use serde::Serialize;

use crate::run::{RunOptions, run};
use crate::scenario::ScenarioFile;
use crate::sim::runner::RunError;

/// Percentile of an input's low value.
pub const LOW: f64 = 0.05;
/// Percentile of an input's high value.
pub const HIGH: f64 = 0.95;

/// One input's swing.
#[derive(Debug, Clone, Serialize)]
pub struct Swing {
    /// The input's path.
    pub path: String,
    /// Its low value (5th percentile).
    pub low: f64,
    /// Its high value (95th percentile).
    pub high: f64,
    /// Mean of the metric with the input low.
    pub metric_at_low: f64,
    /// Mean of the metric with the input high.
    pub metric_at_high: f64,
}

impl Swing {
    /// How far the metric moves, |high − low|.
    pub fn width(&self) -> f64 {
        (self.metric_at_high - self.metric_at_low).abs()
    }
}

/// A tornado: the inputs, largest swing first.
#[derive(Debug, Clone, Serialize)]
pub struct Tornado {
    /// The metric.
    pub metric: String,
    /// Mean of the metric with every input at its median.
    pub base: f64,
    /// Its Monte Carlo standard error; the means at the inputs' ends, over as many trials,
    /// have errors of about the same size (the report rounds them all to its place).
    pub base_sem: f64,
    /// The swings, largest first.
    pub swings: Vec<Swing>,
    /// Trials per run.
    pub trials: u64,
}

/// Why a tornado could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum TornadoError {
    /// Nothing is uncertain.
    #[error(
        "the scenario has no uncertain inputs: give inputs as distributions (e.g. frequency_lift = {{ dist = \"triangular\", min = 0.02, mode = 0.05, max = 0.1 }}) to rank them"
    )]
    NothingUncertain,
    /// A metric name that does not exist.
    #[error("unknown metric `{0}`")]
    UnknownMetric(String),
    /// The metric is the same at every point of a sensitivity analysis.
    #[error(
        "{0} is the same whatever the uncertain inputs: it has no variance to share out among them"
    )]
    NoVariance(String),
    /// A swing makes an invalid scenario.
    #[error(transparent)]
    Invalid(#[from] super::InvalidSetting),
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Swings every uncertain input of `file` and ranks them by their effect on `metric`.
pub fn tornado(
    file: &ScenarioFile,
    metric: &str,
    options: &RunOptions,
) -> Result<Tornado, TornadoError> {
    if !crate::metrics::finance::TrialMetrics::NAMES.contains(&metric) {
        return Err(TornadoError::UnknownMetric(metric.to_string()));
    }
    let inputs = &file.scenario.uncertain;
    if inputs.is_empty() {
        return Err(TornadoError::NothingUncertain);
    }
    let medians: Vec<(String, f64)> = inputs
        .iter()
        .map(|u| (u.path.clone(), u.value_at(0.5)))
        .collect();
    let options = RunOptions {
        precision: None,
        ..options.clone()
    };
    let mean_at = |changed: Option<(usize, f64)>| -> Result<(f64, f64), TornadoError> {
        let values: Vec<(&str, f64)> = medians
            .iter()
            .enumerate()
            .map(|(i, (p, m))| (p.as_str(), changed.filter(|c| c.0 == i).map_or(*m, |c| c.1)))
            .collect();
        let variant = super::variant(file, &values)?;
        let out = run(&variant, &options, &|| {})?;
        let v: Vec<f64> = out.trials.iter().filter_map(|t| t.value(metric)).collect();
        let m = crate::metrics::stats::mean(&v);
        let sem =
            crate::metrics::stats::sample_sd(&v, m).map_or(0.0, |s| s / (v.len() as f64).sqrt());
        Ok((m, sem))
    };
    let (base, base_sem) = mean_at(None)?;
    let mut swings = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let (low, high) = (input.value_at(LOW), input.value_at(HIGH));
        swings.push(Swing {
            path: input.path.clone(),
            low,
            high,
            metric_at_low: mean_at(Some((i, low)))?.0,
            metric_at_high: mean_at(Some((i, high)))?.0,
        });
    }
    swings.sort_by(|a, b| b.width().total_cmp(&a.width()).then(a.path.cmp(&b.path)));
    Ok(Tornado {
        metric: metric.to_string(),
        base,
        base_sem,
        swings,
        trials: options.trials.unwrap_or(file.scenario.simulation.trials),
    })
}
