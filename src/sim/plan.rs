//! The uncertain inputs' draws for a batch of trials.
//!
//! With plain random sampling and no correlation, each trial draws each input alone, from a
//! generator keyed by (seed, trial, input). Latin hypercube sampling and rank correlations
//! need every trial of the batch at once: the plan draws the batch's whole matrix of uniforms
//! up front, from generators keyed by (seed, the batch's first trial, input), before any trial
//! is simulated. A trial's row is then a function of the seed and the batch alone, so it is the
//! same on any number of threads, and a shard (which knows the whole run's batch) computes the
//! same matrix as a single machine and takes its own rows.

use std::ops::Range;

use rand::RngExt;

use super::rng::{Stream, trial_rng};
use crate::model::sampling::{Sampling, iman_conover, latin_hypercube_column};
use crate::scenario::Scenario;

/// The draws of a batch of trials: empty when each trial draws alone.
#[derive(Debug, Clone, Default)]
pub struct InputPlan {
    /// The batch's trials.
    batch: Range<u64>,
    /// One column of uniforms per uncertain input (in the scenario's order), one entry per
    /// trial of the batch; empty when each trial draws alone.
    columns: Vec<Vec<f64>>,
}

/// The uniform of `input_key` in `trial` when each trial draws alone.
fn lone_uniform(seed: u64, trial: u64, input_key: u64) -> f64 {
    trial_rng(seed, trial, input_key, Stream::Inputs).random::<f64>()
}

impl InputPlan {
    /// The plan of `scenario`'s uncertain inputs for the trials of `batch`.
    pub fn new(scenario: &Scenario, batch: Range<u64>) -> InputPlan {
        let risk = &scenario.risk;
        let inputs = &scenario.uncertain;
        if inputs.is_empty() || !risk.needs_plan() {
            return InputPlan {
                batch,
                columns: Vec::new(),
            };
        }
        let seed = scenario.simulation.seed;
        let n = usize::try_from(batch.end.saturating_sub(batch.start)).unwrap_or(usize::MAX);
        let mut columns: Vec<Vec<f64>> = inputs
            .iter()
            .map(|input| match risk.sampling {
                Sampling::Random => batch
                    .clone()
                    .map(|t| lone_uniform(seed, t, input.key()))
                    .collect(),
                Sampling::LatinHypercube => latin_hypercube_column(
                    n,
                    &mut trial_rng(seed, batch.start, input.key(), Stream::Strata),
                ),
            })
            .collect();
        if let Some(correlation) = &risk.correlation {
            // Validation made every path one of the uncertain inputs.
            let index: Vec<usize> = correlation
                .inputs
                .iter()
                .filter_map(|p| inputs.iter().position(|u| &u.path == p))
                .collect();
            if index.len() == correlation.inputs.len() {
                let mut chosen: Vec<Vec<f64>> = index
                    .iter()
                    .map(|&i| std::mem::take(&mut columns[i]))
                    .collect();
                let mut rngs: Vec<_> = index
                    .iter()
                    .map(|&i| trial_rng(seed, batch.start, inputs[i].key(), Stream::Scores))
                    .collect();
                iman_conover(&mut chosen, &correlation.matrix, &mut rngs);
                for (&i, column) in index.iter().zip(chosen) {
                    columns[i] = column;
                }
            }
        }
        InputPlan { batch, columns }
    }

    /// The values of `scenario`'s uncertain inputs in `trial` (a trial of the batch).
    pub fn draws(&self, scenario: &Scenario, trial: u64) -> Vec<f64> {
        let seed = scenario.simulation.seed;
        let row = trial.checked_sub(self.batch.start).map(|r| r as usize);
        scenario
            .uncertain
            .iter()
            .enumerate()
            .map(|(j, input)| {
                let u = match (self.columns.get(j), row) {
                    (Some(column), Some(r)) if r < column.len() => column[r],
                    _ => lone_uniform(seed, trial, input.key()),
                };
                input.value_at(u)
            })
            .collect()
    }
}
