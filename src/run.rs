//! A whole run: scenario file + options → trials → business case → summaries, ready for the
//! exporters. The one entry point the CLI (and any other front end) calls.

use crate::metrics::finance::{Series, TrialMetrics, TrialResult, TypeSeries, evaluate_trial};
use crate::metrics::summary::{
    Metrics, MonthBands, RunMetadata, Summary, TypeMonthBands, diagnostics, monthly_bands,
    monthly_type_bands,
};
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
    /// Monthly bands by loyalty type.
    pub monthly_by_type: Vec<TypeMonthBands>,
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

/// Refuses to report anything that is not a finite number: no NaN or infinity may reach an
/// output. Validation is meant to make this unreachable; this is the last line of defence.
fn check_finite(results: &[TrialResult]) -> Result<(), RunError> {
    for r in results {
        let m = &r.metrics;
        let headline = [
            ("npv", m.npv),
            ("roi", m.roi),
            ("incremental_revenue", m.incremental_revenue),
            ("incremental_gross_margin", m.incremental_gross_margin),
            ("reward_cost", m.reward_cost),
            ("discount_cost", m.discount_cost),
            ("points_reward_cost", m.points_reward_cost),
            ("certificate_cost", m.certificate_cost),
            ("supplier_funding", m.supplier_funding),
            ("partner_revenue", m.partner_revenue),
            ("certificate_breakage_rate", m.certificate_breakage_rate),
            ("burn_earn_ratio", m.burn_earn_ratio),
            ("program_cost", m.program_cost),
            (
                "break_even_incremental_revenue",
                m.break_even_incremental_revenue,
            ),
            ("cumulative_cash_flow_end", m.cumulative_cash_flow_end),
            ("liability_end", m.liability_end),
            (
                "ifrs15_contract_liability_end",
                m.ifrs15_contract_liability_end,
            ),
            ("breakage_rate", m.breakage_rate),
        ];
        let monthly = r
            .months
            .iter()
            .flat_map(|rec| Series::ALL.iter().map(move |&s| (s.name(), rec[s])));
        let by_type = r.types.iter().flat_map(|types| {
            types
                .iter()
                .flat_map(|rec| TypeSeries::ALL.iter().map(move |&s| (s.name(), rec[s])))
        });
        if let Some((metric, value)) = headline
            .into_iter()
            .chain(monthly)
            .chain(by_type)
            .find(|(_, v)| !v.is_finite())
        {
            return Err(RunError::NonFinite {
                trial: m.trial,
                metric,
                value,
            });
        }
    }
    Ok(())
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
    if let Some(t) = totals.iter().find(|t| t.points_overflow()) {
        return Err(RunError::PointsOverflow { trial: t.trial });
    }
    let results: Vec<TrialResult> = totals
        .iter()
        .map(|t| evaluate_trial(&scenario, t))
        .collect();
    check_finite(&results)?;
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
            design: scenario.program.design(),
            currency: scenario.finance.currency.code.clone(),
            discount_rate: scenario.finance.discount_rate,
            percentiles: "Hyndman-Fan type 7, as Excel PERCENTILE.INC",
        },
        metrics: Metrics::of(&trials),
        diagnostics: diagnostics(&results),
    };
    let monthly = monthly_bands(&results);
    let monthly_by_type = monthly_type_bands(&results);
    Ok(RunOutput {
        scenario,
        summary,
        trials,
        monthly,
        monthly_by_type,
    })
}
