//! The best value of one input by grid refinement: five values evenly over the range, then five
//! over the neighbourhood of the best of them (one spacing either side, so the spacing halves),
//! and so on until the spacing is no wider than the step asked for. Every value runs on the same
//! customers and random numbers (common random numbers, as in [`super::sweep`]), so the metric's
//! mean is a fixed function of the value and the search compares designs, not luck. Values
//! already run are not run again.
//!
//! Refinement finds the best of a curve with one peak (within one step); on a curve with
//! several it keeps the neighbourhood of the best of the first five values. The values whose
//! paired difference from the best is within its 95% interval are listed: as good as the best
//! within Monte Carlo error.

use serde::Serialize;

use super::sweep::{Axis, SweepError, within_error};
use crate::metrics::finance::Goal;
use crate::metrics::stats::{mean, sample_sd};
use crate::run::{RunOptions, run};
use crate::scenario::ScenarioFile;

/// Values per refinement.
const GRID: usize = 5;

/// A value run, and the metric there.
#[derive(Debug, Clone, Serialize)]
pub struct Tried {
    /// The input's value.
    pub value: f64,
    /// Mean of the metric over the trials.
    pub mean: f64,
    /// Its Monte Carlo standard error.
    pub sem: f64,
}

/// The best value found.
#[derive(Debug, Clone, Serialize)]
pub struct Optimum {
    /// The input's path.
    pub path: String,
    /// The metric whose mean is optimised.
    pub metric: String,
    /// Whether the best is the highest or the lowest mean.
    pub goal: Goal,
    /// The best value.
    pub best: f64,
    /// The metric's mean there.
    pub best_mean: f64,
    /// The spacing of the last refinement: the best lies within it of the true best of a curve
    /// with one peak.
    pub spacing: f64,
    /// Every value run, in increasing order.
    pub tried: Vec<Tried>,
    /// Values (among those run) as good as the best within Monte Carlo error.
    pub as_good_as_best: Vec<f64>,
    /// Trials per value.
    pub trials: u64,
}

/// Searches `from..to` of the input at `path` (whole numbers if `whole`) for the value with
/// the best mean of `metric` (by `goal`, else the metric's own way), refining until the values
/// are at most `step` apart.
#[allow(clippy::too_many_arguments)]
pub fn optimise(
    file: &ScenarioFile,
    path: &str,
    (from, to): (f64, f64),
    step: f64,
    whole: bool,
    metric: &str,
    goal: Option<Goal>,
    options: &RunOptions,
) -> Result<Optimum, SweepError> {
    let (goal, sign) = super::sweep::metric_sign(metric, goal)?;
    let options = RunOptions {
        precision: None,
        ..options.clone()
    };
    let (lo, hi) = (from.min(to), from.max(to));
    // The finest spacing worth asking: a step, and at least one for whole numbers.
    let step = if whole { step.max(1.0) } else { step }.max((hi - lo) * 1e-9);
    // (value, per-trial metric), in the order run.
    let mut runs: Vec<(f64, Vec<f64>)> = Vec::new();
    let at = |v: f64, runs: &mut Vec<(f64, Vec<f64>)>| -> Result<f64, SweepError> {
        if let Some((_, values)) = runs.iter().find(|(x, _)| *x == v) {
            return Ok(mean(values));
        }
        let variant = super::variant(file, &[(path, v)])?;
        let out = run(&variant, &options, &|| {})?;
        let values: Vec<f64> = out.trials.iter().filter_map(|t| t.value(metric)).collect();
        let m = mean(&values);
        runs.push((v, values));
        Ok(m)
    };
    let (mut a, mut b) = (lo, hi);
    let (mut best, mut best_mean) = (lo, f64::NAN);
    let mut spacing;
    loop {
        let axis = Axis::even(path, a, b, GRID, whole);
        spacing = (b - a) / (GRID - 1) as f64;
        for &v in &axis.values {
            let m = at(v, &mut runs)?;
            if best_mean.is_nan() || sign * m > sign * best_mean {
                (best, best_mean) = (v, m);
            }
        }
        if spacing <= step || axis.values.len() < GRID {
            break;
        }
        (a, b) = ((best - spacing).max(lo), (best + spacing).min(hi));
    }
    let best_values = runs
        .iter()
        .find(|(v, _)| *v == best)
        .map(|(_, values)| values.clone())
        .unwrap_or_default();
    let mut tried: Vec<Tried> = runs
        .iter()
        .map(|(value, values)| {
            let m = mean(values);
            Tried {
                value: *value,
                mean: m,
                sem: sample_sd(values, m).map_or(0.0, |s| s / (values.len() as f64).sqrt()),
            }
        })
        .collect();
    tried.sort_by(|x, y| x.value.total_cmp(&y.value));
    let mut as_good_as_best: Vec<f64> = runs
        .iter()
        .filter(|(v, values)| *v == best || within_error(&best_values, values, sign))
        .map(|(v, _)| *v)
        .collect();
    as_good_as_best.sort_by(f64::total_cmp);
    Ok(Optimum {
        path: path.to_string(),
        metric: metric.to_string(),
        goal,
        best,
        best_mean,
        spacing: if whole { spacing.max(1.0) } else { spacing },
        tried,
        as_good_as_best,
        trials: options.trials.unwrap_or(file.scenario.simulation.trials),
    })
}
