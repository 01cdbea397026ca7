//! Sweep one or two inputs over a range and follow NPV, the chance of payback and the
//! liability along it. Every point runs on the same customers and random numbers (common
//! random numbers), so differences between points are differences of design, and the
//! uncertainty of the best value can be judged on paired, trial-by-trial differences.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::metrics::finance::{Goal, TrialMetrics};
use crate::metrics::stats::{Stats, mean, sample_sd};
use crate::run::{RunOptions, run_cancellable};
use crate::scenario::ScenarioFile;
use crate::sim::runner::RunError;

/// One input swept: its path and the values it takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Axis {
    /// Field path, e.g. `program.points.redemption_threshold`.
    pub path: String,
    /// The values, in order.
    pub values: Vec<f64>,
}

impl Axis {
    /// `steps` values evenly from `from` to `to`; rounded and without repeats when the field
    /// holds whole numbers.
    pub fn even(path: &str, from: f64, to: f64, steps: usize, whole: bool) -> Axis {
        let steps = steps.max(2);
        let mut values: Vec<f64> = (0..steps)
            .map(|i| from + (to - from) * i as f64 / (steps - 1) as f64)
            .map(|v| if whole { v.round() } else { v })
            .collect();
        values.dedup();
        Axis {
            path: path.to_string(),
            values,
        }
    }

    /// `steps` values evenly from `from` to `to` of the input at `path` of `file`, once the
    /// scenario has been checked to accept both ends there (whole numbers kept whole); else
    /// what the scenario says against them, as one line.
    pub fn probed(
        file: &ScenarioFile,
        path: &str,
        from: f64,
        to: f64,
        steps: usize,
    ) -> Result<Axis, String> {
        let whole = file.probe(path, from, to).map_err(|e| {
            e.problems
                .iter()
                .map(|p| format!("`{}`: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        Ok(Axis::even(path, from, to, steps, whole))
    }
}

/// The results at one point of the sweep.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    /// The value of each axis.
    pub at: Vec<f64>,
    /// The chosen metric over the trials.
    pub metric: Stats,
    /// NPV over the trials.
    pub npv: Stats,
    /// Chance of payback within the horizon.
    pub payback_probability: f64,
    /// Its Monte Carlo standard error.
    pub payback_probability_sem: f64,
    /// Its Wilson 95% interval.
    pub payback_probability_ci95: [f64; 2],
    /// Liability at the horizon.
    pub liability_end: Stats,
}

/// A sweep's results.
#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    /// The axes (one or two).
    pub axes: Vec<Axis>,
    /// The metric that picks the best point.
    pub metric: String,
    /// Whether the best point has the highest or the lowest mean of it.
    pub goal: Goal,
    /// The points, the first axis varying fastest.
    pub points: Vec<SweepPoint>,
    /// Index of the point with the best mean of the metric.
    pub best: usize,
    /// Points whose mean metric is within the 95% interval of their paired difference from the
    /// best: as good as the best within Monte Carlo error.
    pub as_good_as_best: Vec<usize>,
    /// Trials per point.
    pub trials: u64,
}

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A value of an axis makes an invalid scenario.
    #[error(transparent)]
    Invalid(#[from] super::InvalidSetting),
    /// A metric name that does not exist.
    #[error("unknown metric `{0}`")]
    UnknownMetric(String),
    /// A metric that is not better one way or the other, without a goal.
    #[error(
        "whether a higher or a lower {0} is better depends on the purpose: say which with --goal max or --goal min"
    )]
    NoGoal(String),
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// The goal for `metric` (`goal`, by default the metric's own way) and the factor, +1 or −1,
/// that makes "higher is better"; an unknown metric, or one without a way of its own and no
/// goal, is refused.
pub fn metric_sign(metric: &str, goal: Option<Goal>) -> Result<(Goal, f64), SweepError> {
    if !TrialMetrics::NAMES.contains(&metric) {
        return Err(SweepError::UnknownMetric(metric.to_string()));
    }
    let goal = goal
        .or_else(|| TrialMetrics::goal(metric))
        .ok_or_else(|| SweepError::NoGoal(metric.to_string()))?;
    let sign = match goal {
        Goal::Maximize => 1.0,
        Goal::Minimize => -1.0,
    };
    Ok((goal, sign))
}

/// Runs `file` at every point of `axes` (one or two) and finds the best value of `metric`:
/// the highest or lowest mean, as `goal` says (by default, the metric's own way, e.g. highest
/// NPV, lowest reward cost).
pub fn sweep(
    file: &ScenarioFile,
    axes: &[Axis],
    metric: &str,
    goal: Option<Goal>,
    options: &RunOptions,
) -> Result<Sweep, SweepError> {
    sweep_cancellable(
        file,
        axes,
        metric,
        goal,
        options,
        &|| {},
        &AtomicBool::new(false),
    )
}

/// [`sweep`], calling `on_trial_done` after each trial of each point, and stopped with
/// [`RunError::Cancelled`] once `cancel` is set (the workbench's sweep, whose page may go away).
pub fn sweep_cancellable(
    file: &ScenarioFile,
    axes: &[Axis],
    metric: &str,
    goal: Option<Goal>,
    options: &RunOptions,
    on_trial_done: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
) -> Result<Sweep, SweepError> {
    // Every comparison below is of `sign` × the metric: higher is better.
    let (goal, sign) = metric_sign(metric, goal)?;
    let grid: Vec<Vec<f64>> = match axes {
        [a] => a.values.iter().map(|&v| vec![v]).collect(),
        [a, b] => b
            .values
            .iter()
            .flat_map(|&vb| a.values.iter().map(move |&va| vec![va, vb]))
            .collect(),
        _ => Vec::new(),
    };
    let options = RunOptions {
        precision: None,
        ..options.clone()
    };
    let mut points = Vec::with_capacity(grid.len());
    let mut per_trial: Vec<Vec<f64>> = Vec::with_capacity(grid.len());
    for at in grid {
        let values: Vec<(&str, f64)> = axes
            .iter()
            .zip(&at)
            .map(|(a, &v)| (a.path.as_str(), v))
            .collect();
        let variant = super::variant(file, &values)?;
        let out = run_cancellable(&variant, &options, on_trial_done, cancel)?;
        let values: Vec<f64> = out.trials.iter().filter_map(|t| t.value(metric)).collect();
        let m = &out.summary.metrics;
        points.push(SweepPoint {
            at,
            metric: Stats::of(&values),
            npv: m.npv,
            payback_probability: m.payback_month.probability_within_horizon,
            payback_probability_sem: m.payback_month.probability_sem,
            payback_probability_ci95: m.payback_month.probability_ci95,
            liability_end: m.liability_end,
        });
        per_trial.push(values);
    }
    // `per_trial` gets a row with each point, so both are indexed by 0..points.len().
    let best = (0..points.len())
        .max_by(|&a, &b| {
            (sign * points[a].metric.mean)
                .total_cmp(&(sign * points[b].metric.mean))
                .then(b.cmp(&a))
        })
        .unwrap_or(0);
    let as_good_as_best = (0..points.len())
        .filter(|&i| {
            if i == best {
                return true;
            }
            within_error(&per_trial[best], &per_trial[i], sign)
        })
        .collect();
    Ok(Sweep {
        axes: axes.to_vec(),
        metric: metric.to_string(),
        goal,
        points,
        best,
        as_good_as_best,
        trials: options.trials.unwrap_or(file.scenario.simulation.trials),
    })
}

/// Whether `other` is as good as `best` within Monte Carlo error: the mean of their paired,
/// trial-by-trial differences (`sign` × (best − other), higher being better) is within 1.96
/// standard errors of zero.
pub(crate) fn within_error(best: &[f64], other: &[f64], sign: f64) -> bool {
    let diffs: Vec<f64> = best
        .iter()
        .zip(other)
        .map(|(b, x)| sign * (b - x))
        .collect();
    let d = mean(&diffs);
    let se = sample_sd(&diffs, d).map_or(0.0, |s| s / (diffs.len() as f64).sqrt());
    d <= 1.96 * se
}
