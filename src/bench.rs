//! Throughput benchmark: customer-months simulated per second, with program and baseline
//! worlds each counted (so one customer over 36 months in one trial is 72 customer-months).
//!
//! Only the simulation is timed (the kernel and the runner's ordered reduction), not the
//! business-case evaluation or the output, so the figure measures the engine.

use std::time::Instant;

use crate::money::format_number;
use crate::run::{RunOptions, effective_scenario};
use crate::scenario::ScenarioFile;
use crate::sim::runner::{RunError, simulate_trials};

/// The reference scenario, built into the program so that `bench` measures the same work from
/// any folder.
pub const REFERENCE: &str = include_str!("../scenarios/reference.toml");

/// The built-in reference scenario, named `reference.toml` in what it reports.
pub fn reference_scenario() -> Result<ScenarioFile, crate::scenario::ScenarioError> {
    ScenarioFile::from_text(std::path::PathBuf::from("reference.toml"), REFERENCE)
}

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Trials per measurement (default: the scenario's).
    pub trials: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Number of measurements.
    pub repeat: u32,
    /// Customers instead of the scenario's (to time a small or a large base).
    pub customers: Option<u64>,
}

/// Measured throughput.
#[derive(Debug, Clone)]
pub struct BenchReport {
    /// Scenario timed.
    pub scenario: String,
    /// Customers per trial.
    pub customers: u64,
    /// Months per trial.
    pub months: u32,
    /// Trials per measurement.
    pub trials: u64,
    /// Worker threads used.
    pub threads: usize,
    /// Seconds of each measurement.
    pub seconds: Vec<f64>,
    /// The process's peak resident memory (Linux `VmHWM`), bytes, when the system says.
    pub peak_memory: Option<u64>,
}

/// The process's peak resident memory so far (Linux `VmHWM` in /proc/self/status).
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

impl BenchReport {
    /// Customer-months per measurement (both worlds counted).
    pub fn customer_months(&self) -> f64 {
        2.0 * self.customers as f64 * f64::from(self.months) * self.trials as f64
    }

    /// Best (shortest) measurement's throughput, customer-months per second.
    pub fn best_rate(&self) -> f64 {
        let best = self.seconds.iter().copied().fold(f64::INFINITY, f64::min);
        self.customer_months() / best
    }

    /// Median measurement's throughput, customer-months per second.
    pub fn median_rate(&self) -> f64 {
        let mut s = self.seconds.clone();
        s.sort_by(f64::total_cmp);
        let median = crate::metrics::stats::percentile_sorted(&s, 0.5);
        self.customer_months() / median
    }

    /// The report as text.
    pub fn text(&self) -> String {
        format!(
            "benchmark: {} · {} customers × {} months × {} trials · {} threads\n\
             customer-months per measurement: {} (program and baseline worlds each counted)\n\
             seconds: {}\n\
             throughput: best {} M customer-months/s, median {} M customer-months/s\n\
             peak memory: {}\n",
            self.scenario,
            format_number(self.customers as f64, 0),
            self.months,
            self.trials,
            self.threads,
            format_number(self.customer_months(), 0),
            self.seconds
                .iter()
                .map(|s| format!("{s:.3}"))
                .collect::<Vec<_>>()
                .join(", "),
            format_number(self.best_rate() / 1e6, 1),
            format_number(self.median_rate() / 1e6, 1),
            self.peak_memory
                .map_or("not reported by this system".into(), |b| format!(
                    "{} MiB (the process's high-water mark)",
                    format_number(b as f64 / f64::from(1u32 << 20), 0)
                )),
        )
    }
}

/// Times the simulation of `file`'s scenario `options.repeat` times, after one warm-up trial.
pub fn bench(file: &ScenarioFile, options: &BenchOptions) -> Result<BenchReport, RunError> {
    let scenario = effective_scenario(
        file,
        &RunOptions {
            trials: options.trials,
            threads: options.threads,
            ..RunOptions::default()
        },
    );
    let mut scenario = scenario;
    if let Some(c) = options.customers {
        scenario.simulation.customers = c;
    }
    let trials = scenario.simulation.trials;
    simulate_trials(&scenario, 0..1, options.threads, &|| {})?;
    let mut seconds = Vec::new();
    for _ in 0..options.repeat.max(1) {
        let start = Instant::now();
        let totals = simulate_trials(&scenario, 0..trials, options.threads, &|| {})?;
        seconds.push(start.elapsed().as_secs_f64());
        std::hint::black_box(totals);
    }
    Ok(BenchReport {
        scenario: file.path.display().to_string(),
        customers: scenario.simulation.customers,
        months: scenario.simulation.months,
        trials,
        threads: options.threads.unwrap_or_else(rayon::current_num_threads),
        seconds,
        peak_memory: peak_memory(),
    })
}
