//! Runs trials in parallel and reduces them in a fixed order.
//!
//! A trial first draws its market (competitor promotions, a copy of the program) from its own
//! keyed generator. The launch customers are cut into blocks of [`BLOCK_CUSTOMERS`] (a
//! constant, never derived from the thread count); blocks run on rayon's pool in any order,
//! their totals are collected in block order and summed sequentially. Then new customers
//! arrive, month by month: the number arriving in month t depends on month t − 1 (word of
//! mouth, complaints, referrals), which is complete once the launch customers and every
//! earlier arrival have been simulated, so arrivals are simulated as cohorts in month order,
//! each cohort in parallel blocks.
//!
//! Since every customer's random numbers are keyed by (seed, trial, customer), the result is
//! bit-identical for any number of threads and any split of the trials.

use std::ops::Range;

use rand::RngExt;
use rayon::prelude::*;

use super::kernel::{CustomerSpec, Model, simulate_customers};
use super::ledger::CohortLedger;
use super::rng::{Stream, trial_rng};
use super::totals::{BlockTotals, MonthTotals, RunoffTotals};
use crate::model::dist::poisson_inverse;
use crate::model::market::{Timeline, draw_timeline};
use crate::scenario::Scenario;

/// Customers per unit of parallel work within a trial.
pub const BLOCK_CUSTOMERS: u64 = 4096;

/// Blocks whose totals are held at once within a trial: enough to keep any pool busy, and a
/// bound on the memory a trial in flight needs ([`trial_in_flight_bytes`]).
pub const GROUP_BLOCKS: u64 = 64;

/// The most memory one trial in flight holds in block totals, whatever its customers.
pub fn trial_in_flight_bytes(months: u32) -> u64 {
    (GROUP_BLOCKS + 1) * u64::from(months) * (std::mem::size_of::<MonthTotals>() as u64)
}

/// Keys of arriving customers have the top bit set, so they never meet a launch customer's.
const ARRIVAL_KEY: u64 = 1 << 63;

/// Why trials could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Points counts exceeded what can be counted exactly.
    #[error(
        "trial {trial}: a points count exceeded 18,446,744,073,709,551,615 and cannot be kept \
         exact; lower program.points.earn_rate or the spend per purchase"
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
    /// A trial's draws of the uncertain inputs make an invalid scenario.
    #[error(
        "trial {trial}: the uncertain inputs drew an invalid combination ({}): {}; narrow the distributions so every draw is a valid scenario",
        values.join(", "),
        problems.join("; ")
    )]
    InvalidDraw {
        /// The trial.
        trial: u64,
        /// The values drawn, `path = value`.
        values: Vec<String>,
        /// What validation said.
        problems: Vec<String>,
    },
    /// The run would need more memory than the machine has.
    #[error(
        "{trials} trials × {months} months would need about {} of memory, more than the {} available; lower --trials (the results of a few thousand trials are as precise as most decisions need; --precision stops when they are)",
        gib(*needed),
        gib(*available)
    )]
    NotEnoughMemory {
        /// Bytes estimated.
        needed: u64,
        /// Bytes available.
        available: u64,
        /// Trials asked for.
        trials: u64,
        /// Months of the horizon.
        months: u32,
    },
    /// The worker threads could not be started.
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// What rayon said.
        source: rayon::ThreadPoolBuildError,
    },
    /// The run was called off before it finished (its page went away, or it was cancelled).
    #[error("the run was cancelled before it finished; nothing was kept")]
    Cancelled,
}

/// `bytes` in GiB for a message.
fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
}

/// Totals of one trial.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialTotals {
    /// Index of the trial within the run (its random numbers are keyed by it).
    pub trial: u64,
    /// Totals for months 1..=horizon.
    pub months: Vec<MonthTotals>,
    /// Fate after the horizon of what members held at the horizon.
    pub runoff: RunoffTotals,
    /// Points issued over the horizon, by issue month, and when each was redeemed or broken.
    pub points_cohorts: CohortLedger,
    /// Certificate value (cents) issued over the horizon, by issue month, and its fate.
    pub certificates_cohorts: CohortLedger,
    /// The trial's market events.
    pub timeline: Timeline,
}

impl TrialTotals {
    /// True when some points count overflowed: the trial's points are not exact.
    pub fn points_overflow(&self) -> bool {
        self.runoff.points_overflow || self.months.iter().any(|m| m.points_overflow)
    }
}

/// Simulates `specs` (indexed `0..count`) in parallel blocks, summed in block order.
fn simulate_in_blocks(
    model: &Model<'_>,
    timeline: &Timeline,
    trial: u64,
    count: u64,
    spec: &(dyn Fn(u64) -> CustomerSpec + Sync),
) -> BlockTotals {
    let months = model.scenario.simulation.months as usize;
    // The ledgers are exact integers, whose sum does not depend on the order: each block's is
    // added as soon as it is done, so that only one per worker is held at a time.
    let ledgers = std::sync::Mutex::new((CohortLedger::new(months), CohortLedger::new(months)));
    let blocks = count.div_ceil(BLOCK_CUSTOMERS);
    let mut sum = BlockTotals::new(months);
    // The blocks run in groups: only one group's totals are held at once, so the memory of a
    // trial does not grow with its customers; the sum still adds every block in block order.
    for group in (0..blocks).step_by(GROUP_BLOCKS as usize) {
        let per_block: Vec<BlockTotals> = (group..(group + GROUP_BLOCKS).min(blocks))
            .into_par_iter()
            .map(|b| {
                let first = b * BLOCK_CUSTOMERS;
                let last = (first + BLOCK_CUSTOMERS).min(count);
                let mut totals = BlockTotals::new(months);
                simulate_customers(model, timeline, trial, (first..last).map(spec), &mut totals);
                let points = std::mem::take(&mut totals.points_cohorts);
                let certificates = std::mem::take(&mut totals.certificates_cohorts);
                // A poisoned lock (a panicking worker) still holds a consistent sum.
                let mut sums = ledgers
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                sums.0.add(&points);
                sums.1.add(&certificates);
                totals
            })
            .collect();
        for block in &per_block {
            sum.add(block);
        }
    }
    (sum.points_cohorts, sum.certificates_cohorts) = ledgers
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    sum
}

/// Simulates one trial.
pub fn simulate_trial(model: &Model<'_>, trial: u64) -> TrialTotals {
    let scenario = model.scenario;
    let sim = &scenario.simulation;
    let timeline = draw_timeline(
        &scenario.market,
        sim.months,
        &mut trial_rng(sim.seed, trial, 0, Stream::Market),
    );
    let launch = |i| model.launch_customer(i);
    let mut totals = simulate_in_blocks(model, &timeline, trial, sim.customers, &launch);

    let base_arrivals = scenario.market.acquisition.map_or(0.0, |a| a.per_month);
    let word_of_mouth = scenario
        .population
        .types
        .iter()
        .any(|t| t.word_of_mouth > 0.0)
        || scenario
            .market
            .dissatisfaction
            .is_some_and(|d| d.deterred_prospects > 0.0);
    let referrals = scenario
        .program
        .points
        .as_ref()
        .is_some_and(|p| p.referral.is_some());
    if base_arrivals > 0.0 || word_of_mouth || referrals {
        for month in 1..=sim.months {
            // totals.months has sim.months entries (BlockTotals::new); 2 ≤ month ≤ sim.months.
            let previous = (month > 1).then(|| totals.months[month as usize - 2]);
            let rate = |signal: f64| (base_arrivals + signal).max(0.0);
            let (rate_base, rate_prog, referred) = match &previous {
                Some(p) => (
                    rate(p.word_of_mouth_baseline),
                    rate(p.word_of_mouth_program),
                    p.referrals,
                ),
                None => (rate(0.0), rate(0.0), 0),
            };
            // Coupled counts: the first arrivals come in both worlds; referred customers come
            // only with the program.
            let u = trial_rng(sim.seed, trial, u64::from(month), Stream::Arrivals).random::<f64>();
            let n_base = u64::from(poisson_inverse(u, rate_base));
            let n_prog = u64::from(poisson_inverse(u, rate_prog)) + referred;
            let count = n_base.max(n_prog);
            if count == 0 {
                continue;
            }
            let arrival = |j: u64| CustomerSpec {
                key: ARRIVAL_KEY | (u64::from(month) << 40) | j,
                start: month,
                loyalty_type: None,
                in_baseline: j < n_base,
                in_program: j < n_prog,
                at_launch: false,
            };
            let cohort = simulate_in_blocks(model, &timeline, trial, count, &arrival);
            totals.add(&cohort);
        }
    }
    // What each cohort was issued is what the months earned (kept out of the hot path).
    for (c, m) in totals.months.iter().enumerate() {
        let month = c as u32 + 1;
        totals.points_cohorts.issue(month, m.points_earned);
        totals
            .certificates_cohorts
            .issue(month, m.certificates_issued);
    }
    TrialTotals {
        trial,
        months: totals.months,
        runoff: totals.runoff,
        points_cohorts: totals.points_cohorts,
        certificates_cohorts: totals.certificates_cohorts,
        timeline,
    }
}

/// Runs `f` on `threads` worker threads (rayon's global pool, all cores, when `None`).
pub fn in_pool<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, RunError> {
    match threads {
        None => Ok(f()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|source| RunError::ThreadPool { threads: n, source })?;
            Ok(pool.install(f))
        }
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
    in_pool(threads, || {
        trials
            .into_par_iter()
            .map(|t| {
                let totals = simulate_trial(&model, t);
                on_trial_done();
                totals
            })
            .collect()
    })
}
