//! The best design over one to four levers by grid refinement: a grid evenly over the levers'
//! ranges (five values a lever for one or two levers, four for three or four), then a grid over
//! the box of one spacing either side of the best point, and so on until every lever's spacing
//! is no wider than its step. Every design runs on the same customers and random numbers
//! (common random numbers, as in [`super::sweep`]), so the metric's mean is a fixed function of
//! the levers and the search compares designs, not luck. Designs already run are not run again.
//!
//! Constraints (a least chance of payback within the horizon, a most 95th percentile of the
//! liability at the horizon) decide which designs may be best: the best is the feasible design
//! with the best mean of the metric, and the box of each refinement is centred on it. While no
//! design tried is feasible, the box is centred on the design that misses the constraints by
//! least. Refinement finds the best of a surface with one peak (within one step per lever); on
//! a surface with several it keeps the neighbourhood of the best of the first grid. The
//! feasible designs whose paired difference from the best is within its 95% interval are
//! listed: as good as the best within Monte Carlo error.

use serde::Serialize;

use super::sweep::{Axis, SweepError, within_error};
use crate::metrics::finance::Goal;
use crate::metrics::stats::{mean, sample_sd};
use crate::run::{RunOptions, run};
use crate::scenario::ScenarioFile;

/// One lever: an input and the range searched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lever {
    /// The input's path.
    pub path: String,
    /// One end of the range.
    pub from: f64,
    /// The other end.
    pub to: f64,
    /// How close the values end up: the search stops when the spacing is no wider.
    pub step: f64,
    /// Whether the input holds whole numbers.
    pub whole: bool,
}

/// What a design must meet to be chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Constraints {
    /// The least chance of payback within the horizon (a share of the trials, 0 to 1).
    pub min_payback_chance: Option<f64>,
    /// The most 95th percentile over the trials of the liability at the horizon.
    pub max_liability_p95: Option<f64>,
}

impl Constraints {
    /// How far a design with `chance` of payback and a 95th percentile `liability_p95` misses
    /// the constraints: 0 when it meets them, else the sum of the shortfalls, each relative to
    /// its limit.
    fn miss(&self, chance: f64, liability_p95: f64) -> f64 {
        let short = self
            .min_payback_chance
            .map_or(0.0, |m| (m - chance).max(0.0));
        let over = self
            .max_liability_p95
            .map_or(0.0, |m| (liability_p95 - m).max(0.0) / m.abs().max(1.0));
        short + over
    }
}

/// A design run, and what it gave.
#[derive(Debug, Clone, Serialize)]
pub struct Tried {
    /// The levers' values, in the levers' order.
    pub values: Vec<f64>,
    /// Mean of the metric over the trials.
    pub mean: f64,
    /// Its Monte Carlo standard error.
    pub sem: f64,
    /// Chance of payback within the horizon.
    pub payback_chance: f64,
    /// Its Wilson 95% interval.
    pub payback_chance_ci95: [f64; 2],
    /// 95th percentile of the liability at the horizon.
    pub liability_p95: f64,
    /// Whether it meets the constraints (on these estimates).
    pub feasible: bool,
}

/// A lever as searched.
#[derive(Debug, Clone, Serialize)]
pub struct Searched {
    /// The lever.
    #[serde(flatten)]
    pub lever: Lever,
    /// The spacing of the last refinement along it: the best lies within it of the true best
    /// of a surface with one peak.
    pub spacing: f64,
}

/// The best design found.
#[derive(Debug, Clone, Serialize)]
pub struct Optimum {
    /// The levers, in the order given.
    pub levers: Vec<Searched>,
    /// The metric whose mean is optimised.
    pub metric: String,
    /// Whether the best is the highest or the lowest mean.
    pub goal: Goal,
    /// The constraints.
    pub constraints: Constraints,
    /// Whether the best meets the constraints; if no design tried does, `best` is the one
    /// that misses them by least.
    pub meets_constraints: bool,
    /// The best design's values, in the levers' order.
    pub best: Vec<f64>,
    /// The metric's mean there.
    pub best_mean: f64,
    /// Its Monte Carlo standard error.
    pub best_sem: f64,
    /// Its 95% interval, mean ± 1.96 standard errors.
    pub best_ci95: [f64; 2],
    /// Every design run, in increasing order of the levers' values (the first lever first).
    pub tried: Vec<Tried>,
    /// Feasible designs (among those run) as good as the best within Monte Carlo error, the
    /// best among them.
    pub as_good_as_best: Vec<Vec<f64>>,
    /// Trials per design.
    pub trials: u64,
}

impl Optimum {
    /// Whether the design with `values` is among those as good as the best.
    pub fn is_as_good(&self, values: &[f64]) -> bool {
        self.as_good_as_best.iter().any(|v| v == values)
    }
}

/// Values per lever of each grid: five for one or two levers, four for three or four (a grid
/// of 64 or 256 designs), so each refinement narrows the spacing (to a half, or two thirds).
fn grid_size(levers: usize) -> usize {
    if levers <= 2 { 5 } else { 4 }
}

/// Every combination of `axes`' values, the first axis varying slowest.
fn combinations(axes: &[Vec<f64>]) -> Vec<Vec<f64>> {
    axes.iter().fold(vec![Vec::new()], |acc, values| {
        acc.iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut p = prefix.clone();
                    p.push(*v);
                    p
                })
            })
            .collect()
    })
}

/// A design's results: per-trial metric, chance of payback and its interval, the liability's
/// 95th percentile.
struct Run {
    values: Vec<f64>,
    per_trial: Vec<f64>,
    chance: f64,
    chance_ci95: [f64; 2],
    liability_p95: f64,
}

/// Searches `levers` (one to four) for the design with the best mean of `metric` (by `goal`,
/// else the metric's own way) among those meeting `constraints`, refining until every lever's
/// spacing is at most its step.
pub fn optimise(
    file: &ScenarioFile,
    levers: &[Lever],
    metric: &str,
    goal: Option<Goal>,
    constraints: Constraints,
    options: &RunOptions,
) -> Result<Optimum, SweepError> {
    let (goal, sign) = super::sweep::metric_sign(metric, goal)?;
    let options = RunOptions {
        precision: None,
        ..options.clone()
    };
    let g = grid_size(levers.len());
    let ranges: Vec<(f64, f64)> = levers
        .iter()
        .map(|l| (l.from.min(l.to), l.from.max(l.to)))
        .collect();
    // The finest spacing worth asking: the step, and at least one for whole numbers.
    let steps: Vec<f64> = levers
        .iter()
        .zip(&ranges)
        .map(|(l, (lo, hi))| if l.whole { l.step.max(1.0) } else { l.step }.max((hi - lo) * 1e-9))
        .collect();
    let mut runs: Vec<Run> = Vec::new();
    let at = |values: &[f64], runs: &mut Vec<Run>| -> Result<usize, SweepError> {
        if let Some(i) = runs.iter().position(|r| r.values == values) {
            return Ok(i);
        }
        let set: Vec<(&str, f64)> = levers
            .iter()
            .zip(values)
            .map(|(l, v)| (l.path.as_str(), *v))
            .collect();
        let variant = super::variant(file, &set)?;
        let out = run(&variant, &options, &|| {})?;
        let m = &out.summary.metrics;
        runs.push(Run {
            values: values.to_vec(),
            per_trial: out.trials.iter().filter_map(|t| t.value(metric)).collect(),
            chance: m.payback_month.probability_within_horizon,
            chance_ci95: m.payback_month.probability_ci95,
            liability_p95: m.liability_end.p95,
        });
        Ok(runs.len() - 1)
    };
    // Better: feasible before not; among feasible, the better mean; among infeasible, the
    // smaller miss. Ties keep the design found first.
    let key = |r: &Run| {
        let miss = constraints.miss(r.chance, r.liability_p95);
        (
            miss == 0.0,
            if miss == 0.0 {
                sign * mean(&r.per_trial)
            } else {
                -miss
            },
        )
    };
    let mut boxes: Vec<(f64, f64)> = ranges.clone();
    let mut best: Option<usize> = None;
    let mut spacings: Vec<f64>;
    loop {
        let axes: Vec<Vec<f64>> = levers
            .iter()
            .zip(&boxes)
            .map(|(l, (a, b))| Axis::even(&l.path, *a, *b, g, l.whole).values)
            .collect();
        // The widest gap between neighbouring values (whole numbers are rounded, so gaps
        // differ by one at most).
        spacings = axes
            .iter()
            .map(|values| values.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max))
            .collect();
        let before = runs.len();
        for values in combinations(&axes) {
            let i = at(&values, &mut runs)?;
            let better = match best {
                None => true,
                Some(b) => {
                    let (new, old) = (key(&runs[i]), key(&runs[b]));
                    new.0 && !old.0 || new.0 == old.0 && new.1 > old.1
                }
            };
            if better {
                best = Some(i);
            }
        }
        let done = spacings
            .iter()
            .zip(&steps)
            .zip(&axes)
            .all(|((s, step), values)| s <= step || values.len() < 2);
        // A grid with no design not run before would be followed by the same box again (whole
        // numbers can stop narrowing a spacing of two): the search has converged.
        if done || runs.len() == before {
            break;
        }
        // Each lever's next box: one spacing either side of the best, within its range, so
        // the spacing narrows; a lever already fine enough keeps its spacing over a box of
        // (grid − 1) spacings centred on the best, so the others can still move it.
        let Some(b) = best else { break };
        boxes = runs[b]
            .values
            .iter()
            .zip(&spacings)
            .zip(&ranges)
            .zip(&steps)
            .map(|(((v, s), (lo, hi)), step)| {
                let half = if s <= step {
                    s * (g - 1) as f64 / 2.0
                } else {
                    *s
                };
                ((v - half).max(*lo), (v + half).min(*hi))
            })
            .collect();
    }
    // Every grid has at least one design (an axis keeps at least one value), so `runs` is not
    // empty and `best` is set.
    let b = best.unwrap_or(0);
    let best_run = &runs[b];
    let meets_constraints = constraints.miss(best_run.chance, best_run.liability_p95) == 0.0;
    let stats = |values: &[f64]| {
        let m = mean(values);
        let sem = sample_sd(values, m).map_or(0.0, |s| s / (values.len() as f64).sqrt());
        (m, sem)
    };
    let (best_mean, best_sem) = stats(&best_run.per_trial);
    let mut tried: Vec<Tried> = runs
        .iter()
        .map(|r| {
            let (m, sem) = stats(&r.per_trial);
            Tried {
                values: r.values.clone(),
                mean: m,
                sem,
                payback_chance: r.chance,
                payback_chance_ci95: r.chance_ci95,
                liability_p95: r.liability_p95,
                feasible: constraints.miss(r.chance, r.liability_p95) == 0.0,
            }
        })
        .collect();
    tried.sort_by(|x, y| {
        x.values
            .iter()
            .zip(&y.values)
            .map(|(a, b)| a.total_cmp(b))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut as_good_as_best: Vec<Vec<f64>> = runs
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            *i == b
                || meets_constraints
                    && constraints.miss(r.chance, r.liability_p95) == 0.0
                    && within_error(&best_run.per_trial, &r.per_trial, sign)
        })
        .map(|(_, r)| r.values.clone())
        .collect();
    as_good_as_best.sort_by(|x, y| {
        x.iter()
            .zip(y)
            .map(|(a, b)| a.total_cmp(b))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(Optimum {
        levers: levers
            .iter()
            .zip(&spacings)
            .map(|(l, s)| Searched {
                lever: l.clone(),
                spacing: *s,
            })
            .collect(),
        metric: metric.to_string(),
        goal,
        constraints,
        meets_constraints,
        best: best_run.values.clone(),
        best_mean,
        best_sem,
        best_ci95: [best_mean - 1.96 * best_sem, best_mean + 1.96 * best_sem],
        tried,
        as_good_as_best,
        trials: options.trials.unwrap_or(file.scenario.simulation.trials),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_vary_the_last_lever_fastest() {
        let c = combinations(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]);
        assert_eq!(c.len(), 6);
        assert_eq!(c[0], [1.0, 10.0]);
        assert_eq!(c[1], [1.0, 20.0]);
        assert_eq!(c[5], [2.0, 30.0]);
    }

    #[test]
    fn a_design_misses_the_constraints_by_its_relative_shortfalls() {
        let c = Constraints {
            min_payback_chance: Some(0.8),
            max_liability_p95: Some(10_000.0),
        };
        assert_eq!(c.miss(0.9, 9_000.0), 0.0);
        assert!((c.miss(0.7, 9_000.0) - 0.1).abs() < 1e-12);
        assert!((c.miss(0.8, 12_000.0) - 0.2).abs() < 1e-12);
        assert_eq!(Constraints::default().miss(0.0, 1e9), 0.0);
    }
}
