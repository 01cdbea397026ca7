//! Runs trials in parallel and reduces them in a fixed order.
//!
//! A trial's customers are cut into blocks of [`BLOCK_CUSTOMERS`] (a constant, never derived
//! from the thread count); blocks and trials run on rayon's pool in any order, their monthly
//! totals are collected in index order and summed sequentially. Since every customer's random
//! numbers are keyed by (seed, trial, customer), the result is bit-identical for any number of
//! threads and any split of the trials.

use std::ops::Range;

use rayon::prelude::*;

use super::kernel::{BlockTotals, Model, MonthTotals, RunoffTotals, simulate_block};
use crate::scenario::Scenario;

/// Customers per unit of parallel work within a trial.
pub const BLOCK_CUSTOMERS: u64 = 4096;

/// Why trials could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Points counts exceeded what can be counted exactly.
    #[error(
        "trial {trial}: a points count exceeded 18,446,744,073,709,551,615 and cannot be kept \
         exact; lower program.earn_rate or the spend per purchase"
    )]
    PointsOverflow {
        /// The first trial that overflowed.
        trial: u64,
    },
    /// A result was NaN or infinite: a bug, never a number to report.
    #[error("trial {trial}: {metric} is not a finite number ({value}); no result was written")]
    NonFinite {
        /// The trial.
        trial: u64,
        /// Which metric.
        metric: &'static str,
        /// Its value.
        value: f64,
    },
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// What rayon said.
        source: rayon::ThreadPoolBuildError,
    },
}

/// Totals of one trial.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialTotals {
    /// Index of the trial within the run (its random numbers are keyed by it).
    pub trial: u64,
    /// Totals for months 1..=horizon.
    pub months: Vec<MonthTotals>,
    /// Fate after the horizon of the points members held at the horizon.
    pub runoff: RunoffTotals,
}

impl TrialTotals {
    /// True when some points count overflowed: the trial's points are not exact.
    pub fn points_overflow(&self) -> bool {
        self.runoff.points_overflow || self.months.iter().any(|m| m.points_overflow)
    }
}

/// Simulates one trial.
pub fn simulate_trial(model: &Model<'_>, trial: u64) -> TrialTotals {
    let customers = model.scenario.simulation.customers;
    let months = model.scenario.simulation.months as usize;
    let blocks = customers.div_ceil(BLOCK_CUSTOMERS);
    let per_block: Vec<BlockTotals> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let first = b * BLOCK_CUSTOMERS;
            let count = BLOCK_CUSTOMERS.min(customers - first);
            let mut totals = BlockTotals::new(months);
            simulate_block(model, trial, first, count, &mut totals);
            totals
        })
        .collect();
    let mut sum = BlockTotals::new(months);
    for block in &per_block {
        sum.add(block);
    }
    TrialTotals {
        trial,
        months: sum.months,
        runoff: sum.runoff,
    }
}

/// Simulates `trials` of `scenario` on `threads` worker threads (all cores when `None`),
/// calling `on_trial_done` after each trial (from worker threads, in any order).
pub fn simulate_trials(
    scenario: &Scenario,
    trials: Range<u64>,
    threads: Option<usize>,
    on_trial_done: &(dyn Fn() + Sync),
) -> Result<Vec<TrialTotals>, RunError> {
    let model = Model::new(scenario);
    let run = || {
        trials
            .clone()
            .into_par_iter()
            .map(|t| {
                let totals = simulate_trial(&model, t);
                on_trial_done();
                totals
            })
            .collect()
    };
    match threads {
        None => Ok(run()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|source| RunError::ThreadPool { threads: n, source })?;
            Ok(pool.install(run))
        }
    }
}
