//! A whole run: scenario file + options → trials → business case → summaries, ready for the
//! exporters. The one entry point the CLI (and any other front end) calls.

use crate::metrics::finance::{TrialMetrics, TrialResult, evaluate_trial};
use crate::metrics::summary::{Metrics, MonthBands, RunMetadata, Summary, monthly_bands};
use crate::scenario::{Scenario, ScenarioFile};
use crate::sim::runner::{RunError, simulate_trials};

/// Overrides of the scenario's `[simulation]` values and how to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Trials instead of the scenario's.
    pub trials: Option<u64>,
    /// Seed instead of the scenario's.
    pub seed: Option<u64>,
    /// Worker threads (all cores when `None`); results do not depend on it.
    pub threads: Option<usize>,
}

/// Everything a run produces, before formatting.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The scenario as run (after overrides).
    pub scenario: Scenario,
    /// Headline distributions and metadata.
    pub summary: Summary,
    /// One row per trial, in trial order.
    pub trials: Vec<TrialMetrics>,
    /// Monthly bands.
    pub monthly: Vec<MonthBands>,
}

/// The scenario with `options`' overrides applied.
pub fn effective_scenario(file: &ScenarioFile, options: &RunOptions) -> Scenario {
    let mut scenario = file.scenario.clone();
    if let Some(t) = options.trials {
        scenario.simulation.trials = t;
    }
    if let Some(s) = options.seed {
        scenario.simulation.seed = s;
    }
    scenario
}

/// Runs the scenario in `file` with `options`, calling `on_trial_done` after each trial.
pub fn run(
    file: &ScenarioFile,
    options: &RunOptions,
    on_trial_done: &(dyn Fn() + Sync),
) -> Result<RunOutput, RunError> {
    let scenario = effective_scenario(file, options);
    let sim = &scenario.simulation;
    let totals = simulate_trials(&scenario, 0..sim.trials, options.threads, on_trial_done)?;
    let results: Vec<TrialResult> = totals
        .iter()
        .map(|t| evaluate_trial(&scenario, t.trial, &t.months))
        .collect();
    let trials: Vec<TrialMetrics> = results.iter().map(|r| r.metrics.clone()).collect();
    let summary = Summary {
        metadata: RunMetadata {
            program: "loyalty-sim",
            version: env!("CARGO_PKG_VERSION"),
            scenario: file.path.display().to_string(),
            scenario_sha256: file.sha256.clone(),
            seed: sim.seed,
            trials: sim.trials,
            customers: sim.customers,
            months: sim.months,
            currency: scenario.finance.currency.code.clone(),
            discount_rate: scenario.finance.discount_rate,
            percentiles: "Hyndman-Fan type 7, as Excel PERCENTILE.INC",
        },
        metrics: Metrics::of(&trials),
    };
    let monthly = monthly_bands(&results);
    Ok(RunOutput {
        scenario,
        summary,
        trials,
        monthly,
    })
}
