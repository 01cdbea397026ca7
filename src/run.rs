//! A whole run: scenario file + options → trials → business case → summaries, ready for the
//! exporters. The one entry point the CLI (and any other front end) calls.
//!
//! When the scenario has uncertain inputs, each trial draws them (keyed by seed, trial and the
//! input's path), and its scenario is rebuilt from the file with the drawn values and checked
//! again, so every rule holds in every trial. With `--precision`, trials run in batches that
//! end at fixed counts (50, 100, 200, …): the run stops at the first count where the chosen
//! metric's 95% interval is narrow enough, so where it stops does not depend on the thread
//! count.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::metrics::finance::{
    Series, TrialMetrics, TrialResult, TypeSeries, YearRollForward, evaluate_trial,
};
use crate::metrics::risk::Downside;
use crate::metrics::stats::{mean, sample_sd};
use crate::metrics::summary::{
    Metrics, MonthBands, PrecisionOutcome, RunMetadata, Summary, TypeMonthBands, diagnostics,
    monthly_bands, monthly_type_bands, p95_by_month, precision_diagnostics, rollforward_bands,
};
use crate::scenario::{Scenario, ScenarioFile};
use crate::sim::kernel::Model;
use crate::sim::plan::InputPlan;
use crate::sim::runner::{RunError, in_pool, simulate_trial};

/// How narrow the 95% interval of a metric's mean must be for `--precision` to stop.
#[derive(Debug, Clone, PartialEq)]
pub struct Precision {
    /// A metric of [`TrialMetrics::NAMES`].
    pub metric: String,
    /// Largest half-width of the interval accepted.
    pub half_width: HalfWidth,
}

/// A half-width, absolute or relative to the mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HalfWidth {
    /// In the metric's unit.
    Absolute(f64),
    /// As a share of the mean's size.
    Relative(f64),
}

/// Overrides of the scenario's `[simulation]` values and how to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Trials instead of the scenario's (with `precision`: the most to run).
    pub trials: Option<u64>,
    /// Seed instead of the scenario's.
    pub seed: Option<u64>,
    /// Worker threads (all cores when `None`); results do not depend on it.
    pub threads: Option<usize>,
    /// Stop once a metric is known this precisely.
    pub precision: Option<Precision>,
}

/// Everything a run produces, before formatting.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// The scenario as run (after overrides; uncertain inputs at their medians).
    pub scenario: Scenario,
    /// Headline distributions and metadata.
    pub summary: Summary,
    /// One row per trial, in trial order.
    pub trials: Vec<TrialMetrics>,
    /// The values drawn for the uncertain inputs, one row per trial.
    pub inputs: Vec<Vec<f64>>,
    /// The contract liability's roll-forward, year by year, one list per trial.
    pub rollforward: Vec<Vec<YearRollForward>>,
    /// Monthly bands.
    pub monthly: Vec<MonthBands>,
    /// Monthly bands by loyalty type.
    pub monthly_by_type: Vec<TypeMonthBands>,
    /// Figures by RFM group over the horizon, one row per trial.
    pub by_group: Vec<[crate::metrics::finance::GroupRecord; 4]>,
    /// The scenario file's text, as read (for the assumptions of the HTML report and workbook).
    pub source: String,
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

/// The scenario of `trial`: `scenario` itself, or with the trial's draws of its uncertain
/// inputs from `plan` (rebuilt from `file` and checked again).
pub fn trial_scenario<'a>(
    file: &ScenarioFile,
    scenario: &'a Scenario,
    plan: &InputPlan,
    trial: u64,
) -> Result<(Cow<'a, Scenario>, Vec<f64>), RunError> {
    if scenario.uncertain.is_empty() {
        return Ok((Cow::Borrowed(scenario), Vec::new()));
    }
    let draws = plan.draws(scenario, trial);
    let drawn = scenario_with_draws(file, scenario, &draws, trial)?;
    Ok((Cow::Owned(drawn), draws))
}

/// `scenario` (the file's, after overrides) with its uncertain inputs set to `draws` (one per
/// input, in order), rebuilt from `file` and checked again; `trial` names the trial in an error.
pub fn scenario_with_draws(
    file: &ScenarioFile,
    scenario: &Scenario,
    draws: &[f64],
    trial: u64,
) -> Result<Scenario, RunError> {
    let values: Vec<(&str, f64)> = scenario
        .uncertain
        .iter()
        .zip(draws)
        .map(|(input, &v)| (input.path.as_str(), v))
        .collect();
    let mut drawn = file
        .with_values(&values)
        .map_err(|error| RunError::InvalidDraw {
            trial,
            values: values.iter().map(|(p, v)| format!("{p} = {v}")).collect(),
            problems: error
                .problems
                .iter()
                .map(|p| format!("`{}`: {}", p.field, p.message))
                .collect(),
        })?;
    drawn.simulation = scenario.simulation.clone();
    Ok(drawn)
}

/// Simulates and evaluates `trials` of `scenario` (in a pool set up by the caller).
pub(crate) fn run_range(
    file: &ScenarioFile,
    scenario: &Scenario,
    model: &Model<'_>,
    plan: &InputPlan,
    trials: std::ops::Range<u64>,
    on_trial_done: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<TrialResult>, RunError> {
    let results: Vec<Result<TrialResult, RunError>> = trials
        .into_par_iter()
        .map(|t| {
            if cancel.load(Ordering::Relaxed) {
                return Err(RunError::Cancelled);
            }
            let (s, inputs) = trial_scenario(file, scenario, plan, t)?;
            let totals = match &s {
                Cow::Borrowed(_) => simulate_trial(model, t),
                Cow::Owned(own) => simulate_trial(&Model::new(own), t),
            };
            if totals.points_overflow() {
                return Err(RunError::PointsOverflow { trial: t });
            }
            let mut result = evaluate_trial(&s, &totals);
            result.inputs = inputs;
            on_trial_done();
            Ok(result)
        })
        .collect();
    results.into_iter().collect()
}

/// The trial counts at which a `--precision` run checks, up to `max`.
pub fn precision_checkpoints(max: u64) -> Vec<u64> {
    let mut points = Vec::new();
    let mut n = 50;
    while n < max {
        points.push(n);
        n *= 2;
    }
    points.push(max);
    points
}

/// How precisely `results` pin down the mean of `precision`'s metric: whether the half-width
/// of its 95% interval meets the target, the half-width, and the mean.
fn precision_reached(results: &[TrialResult], precision: &Precision) -> (bool, f64, f64) {
    let values: Vec<f64> = results
        .iter()
        .filter_map(|r| r.metrics.value(&precision.metric))
        .collect();
    let m = mean(&values);
    let Some(sd) = sample_sd(&values, m) else {
        return (false, f64::INFINITY, m);
    };
    let half = 1.96 * sd / (values.len() as f64).sqrt();
    let met = match precision.half_width {
        HalfWidth::Absolute(h) => half <= h,
        HalfWidth::Relative(r) => half <= r * m.abs(),
    };
    (met, half, m)
}

/// Bytes a run keeps per trial and month: its monthly totals, its business-case records and
/// the summaries built from them (measured: about 540 bytes; twice that to be safe).
pub const BYTES_PER_TRIAL_MONTH: u64 = 1024;
/// Bytes a run needs whatever its size: the program, the worker threads, the charts.
pub const BASE_BYTES: u64 = 256 << 20;

/// The memory a run of `scenario` needs, estimated up front: its results, and the block
/// totals of the trials in flight (one per worker thread), which are bounded whatever the
/// customers (blocks are reduced a group at a time), so the customer count does not enter.
pub fn estimated_memory(scenario: &crate::Scenario) -> u64 {
    let sim = &scenario.simulation;
    let in_flight = (rayon::current_num_threads() as u64)
        .saturating_mul(crate::sim::runner::trial_in_flight_bytes(sim.months));
    sim.trials
        .saturating_mul(u64::from(sim.months))
        .saturating_mul(BYTES_PER_TRIAL_MONTH)
        .saturating_add(BASE_BYTES)
        .saturating_add(in_flight)
}

/// Memory the system can give a new process now, if it says: read by `sysinfo` on every
/// system it supports (Linux's `MemAvailable`, macOS, Windows, the BSDs), and the smaller of
/// that and what is left under a cgroup's memory limit (a container or a Slurm allocation)
/// when it has one. `None` where nothing is known.
pub fn available_memory() -> Option<u64> {
    let mut system = sysinfo::System::new();
    system.refresh_memory();
    let available = system.available_memory();
    // A cgroup without a limit of its own reports the machine's total: only a real limit
    // (below the machine's memory) tightens what is available.
    let limited = match system.cgroup_limits() {
        Some(c) if c.total_memory < system.total_memory() => available.min(c.free_memory),
        _ => available,
    };
    (limited > 0).then_some(limited)
}

/// Refuses a run that would need more memory than `available` (when known).
pub fn check_memory(scenario: &crate::Scenario, available: Option<u64>) -> Result<(), RunError> {
    let needed = estimated_memory(scenario);
    match available {
        Some(available) if needed > available => Err(RunError::NotEnoughMemory {
            needed,
            available,
            trials: scenario.simulation.trials,
            months: scenario.simulation.months,
        }),
        _ => Ok(()),
    }
}

/// Runs the scenario in `file` with `options`, calling `on_trial_done` after each trial.
pub fn run(
    file: &ScenarioFile,
    options: &RunOptions,
    on_trial_done: &(dyn Fn() + Sync),
) -> Result<RunOutput, RunError> {
    run_cancellable(file, options, on_trial_done, &AtomicBool::new(false))
}

/// [`run`], stopped with [`RunError::Cancelled`] once `cancel` is set: the trials not yet
/// started are skipped, so a run nobody waits for stops taking the processor within a trial.
pub fn run_cancellable(
    file: &ScenarioFile,
    options: &RunOptions,
    on_trial_done: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
) -> Result<RunOutput, RunError> {
    let mut scenario = effective_scenario(file, options);
    let max = scenario.simulation.trials;
    check_memory(&scenario, available_memory())?;
    let model = Model::new(&scenario);
    let results = in_pool(options.threads, || match &options.precision {
        None => {
            let plan = InputPlan::new(&scenario, 0..max);
            run_range(
                file,
                &scenario,
                &model,
                &plan,
                0..max,
                on_trial_done,
                cancel,
            )
        }
        Some(p) => {
            let mut results: Vec<TrialResult> = Vec::new();
            for stop in precision_checkpoints(max) {
                let done = results.len() as u64;
                // Each batch up to a checkpoint is sampled as a whole (stratified, correlated).
                let plan = InputPlan::new(&scenario, done..stop);
                results.extend(run_range(
                    file,
                    &scenario,
                    &model,
                    &plan,
                    done..stop,
                    on_trial_done,
                    cancel,
                )?);
                if precision_reached(&results, p).0 {
                    break;
                }
            }
            Ok(results)
        }
    })??;
    drop(model);
    scenario.simulation.trials = results.len() as u64;
    check_finite(&results)?;
    Ok(summarize(
        file,
        scenario,
        &results,
        options.precision.as_ref(),
    ))
}

/// A run's outputs from its trials' results (in trial order): the summary with its metadata,
/// the monthly bands and the trials. `scenario` is the scenario as run.
pub fn summarize(
    file: &ScenarioFile,
    scenario: Scenario,
    results: &[TrialResult],
    precision: Option<&Precision>,
) -> RunOutput {
    let trials: Vec<TrialMetrics> = results.iter().map(|r| r.metrics.clone()).collect();
    let sim = &scenario.simulation;
    let metrics = Metrics::of(&trials);
    let monthly = monthly_bands(results);
    let npv: Vec<f64> = trials.iter().map(|t| t.npv).collect();
    let downside = Downside::of(
        &npv,
        scenario.risk.loss_limit,
        p95_by_month(&monthly, Series::Liability),
    );
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
            uncertain_inputs: scenario.uncertain.iter().map(|u| u.path.clone()).collect(),
            precision: precision.map(|p| {
                let (met, half_width, m) = precision_reached(results, p);
                PrecisionOutcome {
                    metric: p.metric.clone(),
                    target: match p.half_width {
                        HalfWidth::Absolute(h) => {
                            format!("{}: 95% interval within ±{h}", p.metric)
                        }
                        HalfWidth::Relative(r) => format!(
                            "{}: 95% interval within ±{}% of the mean",
                            p.metric,
                            r * 100.0
                        ),
                    },
                    met,
                    half_width,
                    relative_half_width: (m != 0.0).then(|| half_width / m.abs()),
                }
            }),
        },
        diagnostics: [
            diagnostics(results),
            precision_diagnostics(&metrics, results.len() as u64),
        ]
        .concat(),
        metrics,
        contract_liability_rollforward: rollforward_bands(results),
        downside,
    };
    RunOutput {
        summary,
        inputs: results.iter().map(|r| r.inputs.clone()).collect(),
        rollforward: results.iter().map(|r| r.rollforward.clone()).collect(),
        monthly,
        monthly_by_type: monthly_type_bands(results, scenario.population.shown_types()),
        by_group: results.iter().map(|r| r.groups).collect(),
        trials,
        scenario,
        source: file.source.clone(),
    }
}

/// Refuses to report anything that is not a finite number: no NaN or infinity may reach an
/// output. Validation is meant to make this unreachable; this is the last line of defence.
pub(crate) fn check_finite(results: &[TrialResult]) -> Result<(), RunError> {
    for r in results {
        if let Some((metric, value)) = reported_values(r).find(|(_, v)| !v.is_finite()) {
            return Err(RunError::NonFinite {
                trial: r.metrics.trial,
                metric,
                value,
            });
        }
    }
    Ok(())
}

/// Every value of a trial that reaches an output, with its name: the headline metrics, the
/// monthly series and the monthly series by type.
pub(crate) fn reported_values(r: &TrialResult) -> impl Iterator<Item = (&'static str, f64)> + '_ {
    let m = &r.metrics;
    let headline = TrialMetrics::NAMES
        .iter()
        .filter_map(|&n| m.value(n).map(|v| (n, v)));
    let monthly = r
        .months
        .iter()
        .flat_map(|rec| Series::ALL.iter().map(move |&s| (s.name(), rec[s])));
    let by_type = r.types.iter().flat_map(|types| {
        types
            .iter()
            .flat_map(|rec| TypeSeries::ALL.iter().map(move |&s| (s.name(), rec[s])))
    });
    headline.chain(monthly).chain(by_type)
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn available_memory_is_known_and_within_the_machine_s_memory() {
        // The kernel's own figures: what is available cannot exceed the total.
        let meminfo = std::fs::read_to_string("/proc/meminfo").expect("Linux has /proc/meminfo");
        let kib = |key: &str| -> u64 {
            meminfo
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
                .expect("the key is there")
        };
        let total = kib("MemTotal:") * 1024;
        let available = super::available_memory().expect("known on Linux");
        assert!(
            available > 0 && available <= total,
            "{available} of {total}"
        );
    }
}
