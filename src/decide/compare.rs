//! Compare designs on the same customers: every design runs with the same seed, trials and
//! customer keys, so each trial sees the same people and the same market in every design
//! (common random numbers), and differences are measured trial by trial. A design compared
//! with itself differs by exactly zero.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::metrics::finance::{GroupRecord, TrialMetrics};
use crate::metrics::stats::Stats;
use crate::model::rfm::Group;
use crate::run::{RunOptions, RunOutput, run_cancellable};
use crate::scenario::ScenarioFile;
use crate::sim::runner::RunError;

/// The metrics compared, in table order.
pub const COMPARED: [&str; 8] = [
    "npv",
    "roi",
    "incremental_revenue",
    "incremental_gross_margin",
    "reward_cost",
    "program_cost",
    "liability_end",
    "members_end",
];

/// One metric across the designs.
#[derive(Debug, Clone, Serialize)]
pub struct MetricComparison {
    /// The metric's name.
    pub metric: &'static str,
    /// Its distribution in each design.
    pub designs: Vec<Stats>,
    /// Distribution of each design minus the first, trial by trial (the first's is zero).
    pub difference_from_first: Vec<Stats>,
}

/// One RFM group's figures over the horizon, design by design: where each design's rewards go
/// and what they buy there (the group each customer was read into when they arrived; see
/// [`crate::model::rfm`]).
#[derive(Debug, Clone, Serialize)]
pub struct GroupComparison {
    /// The group's key (`rare_small`, …).
    pub group: &'static str,
    /// Member-months over the horizon, per design.
    pub member_months: Vec<Stats>,
    /// Rewards given to the group's members at cost, per design.
    pub reward_cost: Vec<Stats>,
    /// Gross margin on the group's incremental sales, per design.
    pub incremental_margin: Vec<Stats>,
    /// Incremental margin less reward cost, per design.
    pub net: Vec<Stats>,
}

/// The comparison of several designs.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The designs' names (their file stems, made distinct): the keys of the files' columns.
    pub names: Vec<String>,
    /// The designs' titles in documents: the scenarios' `name`s when each gives a different
    /// one, else their names.
    pub titles: Vec<String>,
    /// The metrics.
    pub metrics: Vec<MetricComparison>,
    /// `beats_on_npv[i][j]`: share of trials in which design i's NPV is higher than j's.
    pub beats_on_npv: Vec<Vec<f64>>,
    /// `beats_on_payback[i][j]`: share of trials in which design i pays back earlier than j
    /// (a design that pays back beats one that does not; neither paying back is a tie).
    pub beats_on_payback: Vec<Vec<f64>>,
    /// Share of trials in which each design has the highest NPV (ties share the trial).
    pub best_on_npv: Vec<f64>,
    /// Share of trials in which each design pays back first (ties share the trial; a trial in
    /// which no design pays back counts for none).
    pub best_on_payback: Vec<f64>,
    /// Share of trials in which each design alone has the highest NPV: a trial tied at the top
    /// counts for none of the tied designs, so a design compared with itself is never best.
    pub best_alone_on_npv: Vec<f64>,
    /// Share of trials in which each design ties with another for the highest NPV.
    pub tied_best_on_npv: Vec<f64>,
    /// Share of trials in which each design alone pays back first.
    pub first_alone_on_payback: Vec<f64>,
    /// Share of trials in which each design ties with another for the first payback.
    pub tied_first_on_payback: Vec<f64>,
    /// Distribution of each design's payback month minus the first's, trial by trial, over the
    /// trials in which both pay back (`None` if there are none).
    pub payback_difference_from_first: Vec<Option<Stats>>,
    /// Chance of payback within the horizon, per design.
    pub payback_probability: Vec<f64>,
    /// Indices of the designs from best to worst: by median NPV, then chance of being best.
    pub ranking: Vec<usize>,
    /// Figures by RFM group ([`crate::model::rfm::Group::ALL`] order), design by design.
    pub by_group: Vec<GroupComparison>,
    /// Whether all designs share the same customers and market (else the differences include
    /// the difference in customers, and the output says so).
    pub same_customers: bool,
    /// Whether all designs use the same gross margin and discount rate (else their NPVs are
    /// measured on different terms, and the output says so).
    pub same_terms: bool,
}

/// Everything a comparison produced.
#[derive(Debug, Clone)]
pub struct CompareOutput {
    /// The comparison.
    pub comparison: Comparison,
    /// Each design's full run, in the order given.
    pub runs: Vec<RunOutput>,
}

/// Why designs cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// Fewer than two designs.
    #[error("give at least two scenario files to compare")]
    TooFew,
    /// The designs do not simulate the same base.
    #[error(
        "{} simulates {} customers over {} months, {} simulates {} customers over {} months: designs compared on the same customers need the same [simulation] customers and months",
        first.0, first.1, first.2, other.0, other.1, other.2
    )]
    DifferentBase {
        /// The first file: name, customers, months.
        first: (String, u64, u32),
        /// The one that differs.
        other: (String, u64, u32),
    },
    /// The designs count money in different currencies.
    #[error(
        "{} counts in {}, {} in {}: designs compared side by side must use the same [finance] currency",
        first.0, first.1, other.0, other.1
    )]
    DifferentCurrency {
        /// The first file: name, currency code.
        first: (String, String),
        /// The one that differs.
        other: (String, String),
    },
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// The designs' names, made distinct: a second `x` becomes `x (2)`.
fn distinct_names(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        let mut candidate = name.clone();
        let mut k = 2;
        while out.contains(&candidate) {
            candidate = format!("{name} ({k})");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

/// Shares of trials in which a design wins, ties shared: `wins(values)` says, for one trial,
/// which designs are best.
fn best_share(n: usize, trials: usize, winners: impl Fn(usize) -> Vec<usize>) -> Vec<f64> {
    let mut share = vec![0.0; n];
    for t in 0..trials {
        let w = winners(t);
        for &i in &w {
            // The callers' winners are designs, 0..n.
            share[i] += 1.0 / w.len() as f64;
        }
    }
    share.iter().map(|s| s / trials.max(1) as f64).collect()
}

/// Shares of trials in which a design is best alone, and in which it ties with others for
/// the best: `winners(t)` says, for trial t, which designs are best.
fn alone_and_tied(
    n: usize,
    trials: usize,
    winners: impl Fn(usize) -> Vec<usize>,
) -> (Vec<f64>, Vec<f64>) {
    let (mut alone, mut tied) = (vec![0.0; n], vec![0.0; n]);
    for t in 0..trials {
        let w = winners(t);
        let count = if w.len() == 1 { &mut alone } else { &mut tied };
        for &i in &w {
            // The callers' winners are designs, 0..n.
            count[i] += 1.0;
        }
    }
    let share = |v: Vec<f64>| v.iter().map(|c| c / trials.max(1) as f64).collect();
    (share(alone), share(tied))
}

/// Runs every design in `files` on common random numbers and compares them.
pub fn compare(
    files: &[ScenarioFile],
    options: &RunOptions,
) -> Result<CompareOutput, CompareError> {
    compare_cancellable(files, options, &|| {}, &AtomicBool::new(false))
}

/// [`compare`], calling `on_trial_done` after each trial of each design, and stopped with
/// [`RunError::Cancelled`] once `cancel` is set (the workbench's comparison, whose page may go
/// away).
pub fn compare_cancellable(
    files: &[ScenarioFile],
    options: &RunOptions,
    on_trial_done: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
) -> Result<CompareOutput, CompareError> {
    let first = files.first().ok_or(CompareError::TooFew)?;
    if files.len() < 2 {
        return Err(CompareError::TooFew);
    }
    let base = &first.scenario.simulation;
    let name = |f: &ScenarioFile| {
        f.path.file_stem().map_or_else(
            || f.path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    };
    for f in &files[1..] {
        let (a, b) = (
            &first.scenario.finance.currency,
            &f.scenario.finance.currency,
        );
        if a.code != b.code {
            return Err(CompareError::DifferentCurrency {
                first: (name(first), a.code.clone()),
                other: (name(f), b.code.clone()),
            });
        }
        let s = &f.scenario.simulation;
        if s.customers != base.customers || s.months != base.months {
            return Err(CompareError::DifferentBase {
                first: (name(first), base.customers, base.months),
                other: (name(f), s.customers, s.months),
            });
        }
    }
    // Every design runs the first file's trials and seed (unless overridden): the same trials.
    let options = RunOptions {
        trials: Some(options.trials.unwrap_or(base.trials)),
        seed: Some(options.seed.unwrap_or(base.seed)),
        threads: options.threads,
        precision: None,
    };
    let runs: Vec<RunOutput> = files
        .iter()
        .map(|f| run_cancellable(f, &options, on_trial_done, cancel))
        .collect::<Result<_, _>>()?;
    let n = runs.len();
    // n ≥ 2 (checked above), and every run has the same trial count (the same fixed
    // `trials`, no precision stop), so runs[d].trials[t] for d < n, t < trials is in range.
    let trials = runs[0].trials.len();
    let value = |d: usize, t: usize, metric: &str| runs[d].trials[t].value(metric).unwrap_or(0.0);

    let metrics = COMPARED
        .iter()
        .map(|&metric| {
            let designs = (0..n)
                .map(|d| Stats::of(&(0..trials).map(|t| value(d, t, metric)).collect::<Vec<_>>()))
                .collect();
            let difference_from_first = (0..n)
                .map(|d| {
                    let diffs: Vec<f64> = (0..trials)
                        .map(|t| value(d, t, metric) - value(0, t, metric))
                        .collect();
                    Stats::of(&diffs)
                })
                .collect();
            MetricComparison {
                metric,
                designs,
                difference_from_first,
            }
        })
        .collect();

    let payback = |d: usize, t: usize| {
        runs[d].trials[t]
            .payback_month
            .map_or(f64::INFINITY, f64::from)
    };
    let pairwise = |better: &dyn Fn(usize, usize, usize) -> bool| -> Vec<Vec<f64>> {
        (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        (0..trials).filter(|&t| better(i, j, t)).count() as f64
                            / trials.max(1) as f64
                    })
                    .collect()
            })
            .collect()
    };
    let beats_on_npv = pairwise(&|i, j, t| value(i, t, "npv") > value(j, t, "npv"));
    let beats_on_payback = pairwise(&|i, j, t| payback(i, t) < payback(j, t));
    let npv_winners = |t: usize| -> Vec<usize> {
        let top = (0..n)
            .map(|d| value(d, t, "npv"))
            .fold(f64::NEG_INFINITY, f64::max);
        (0..n).filter(|&d| value(d, t, "npv") == top).collect()
    };
    // A trial in which no design pays back has no winner: the shares may sum to less than 1.
    let payback_winners = |t: usize| -> Vec<usize> {
        let first = (0..n).map(|d| payback(d, t)).fold(f64::INFINITY, f64::min);
        if first.is_infinite() {
            return Vec::new();
        }
        (0..n).filter(|&d| payback(d, t) == first).collect()
    };
    let best_on_npv = best_share(n, trials, npv_winners);
    let best_on_payback = best_share(n, trials, payback_winners);
    let (best_alone_on_npv, tied_best_on_npv) = alone_and_tied(n, trials, npv_winners);
    let (first_alone_on_payback, tied_first_on_payback) =
        alone_and_tied(n, trials, payback_winners);
    // Payback month of each design minus the first's, over the trials where both pay back.
    let payback_difference_from_first = (0..n)
        .map(|d| {
            let diffs: Vec<f64> = (0..trials)
                .filter(|&t| payback(d, t).is_finite() && payback(0, t).is_finite())
                .map(|t| payback(d, t) - payback(0, t))
                .collect();
            (!diffs.is_empty()).then(|| Stats::of(&diffs))
        })
        .collect();
    let payback_probability: Vec<f64> = runs
        .iter()
        .map(|r| r.summary.metrics.payback_month.probability_within_horizon)
        .collect();
    let by_group = Group::ALL
        .iter()
        .enumerate()
        .map(|(g, group)| {
            // g < 4 indexes every trial's [GroupRecord; 4].
            let per_design = |f: fn(&GroupRecord) -> f64| -> Vec<Stats> {
                runs.iter()
                    .map(|r| Stats::of(&r.by_group.iter().map(|t| f(&t[g])).collect::<Vec<_>>()))
                    .collect()
            };
            GroupComparison {
                group: group.key(),
                member_months: per_design(|r| r.member_months),
                reward_cost: per_design(|r| r.reward_cost),
                incremental_margin: per_design(|r| r.incremental_margin),
                net: per_design(|r| r.net),
            }
        })
        .collect();
    let mut ranking: Vec<usize> = (0..n).collect();
    let median_npv = |d: usize| runs[d].summary.metrics.npv.p50;
    ranking.sort_by(|&a, &b| {
        median_npv(b)
            .total_cmp(&median_npv(a))
            .then(best_on_npv[b].total_cmp(&best_on_npv[a]))
            .then(a.cmp(&b))
    });
    let same_customers = files[1..].iter().all(|f| {
        f.scenario.population == first.scenario.population
            && f.scenario.market == first.scenario.market
    });
    let same_terms = files[1..].iter().all(|f| {
        let (a, b) = (&first.scenario.finance, &f.scenario.finance);
        a.gross_margin == b.gross_margin && a.discount_rate == b.discount_rate
    });
    // The designs' own names when each gives one and no two are alike (two variants of one
    // file share its name, and are told apart by their files), else the files' stems.
    let given: Vec<&str> = files
        .iter()
        .filter_map(|f| f.scenario.name.as_deref())
        .collect();
    let own_names = given.len() == files.len()
        && given
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            == given.len();
    let names = distinct_names(files.iter().map(name).collect());
    let titles = if own_names {
        given.iter().map(|s| s.to_string()).collect()
    } else {
        names.clone()
    };
    Ok(CompareOutput {
        comparison: Comparison {
            names,
            titles,
            metrics,
            beats_on_npv,
            beats_on_payback,
            best_on_npv,
            best_on_payback,
            best_alone_on_npv,
            tied_best_on_npv,
            first_alone_on_payback,
            tied_first_on_payback,
            payback_difference_from_first,
            payback_probability,
            ranking,
            by_group,
            same_customers,
            same_terms,
        },
        runs,
    })
}

/// One trial of a comparison: its index, and each design's NPV and payback month.
pub type TrialRow = (u64, Vec<(f64, Option<u32>)>);

/// The per-trial values used above, for `compare.csv`.
pub fn per_trial(output: &CompareOutput) -> Vec<TrialRow> {
    let trials = output.runs.first().map_or(0, |r| r.trials.len());
    (0..trials)
        .map(|t| {
            let row = output
                .runs
                .iter()
                .map(|r| {
                    // Every design of a comparison runs the same trials (see `compare`).
                    let m: &TrialMetrics = &r.trials[t];
                    (m.npv, m.payback_month)
                })
                .collect();
            (output.runs[0].trials[t].trial, row)
        })
        .collect()
}
