//! Many machines: a run split into shards of its trials, each written as a part with a
//! manifest, and the parts merged into the outputs a single machine would have written.
//!
//! Trials are independent and their random numbers are keyed by (seed, trial), so a trial
//! gives the same result on whichever machine runs it; shard `i` of `n` runs trials
//! `⌊T·i/n⌋ .. ⌊T·(i+1)/n⌋`. A part holds its trials' results at full precision (JSON numbers
//! read back bit for bit) and a manifest: program version, the scenario (its text and
//! SHA-256), seed, total trials and the part's range. [`merge`] refuses parts of different
//! runs, overlapping parts and missing trials, then summarises exactly as [`crate::run::run`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::metrics::finance::TrialResult;
use crate::run::{
    RunOptions, RunOutput, available_memory, check_finite, check_memory, effective_scenario,
    run_range, summarize,
};
use crate::scenario::{ScenarioFile, sha256_hex};
use crate::sim::kernel::Model;
use crate::sim::runner::{RunError, in_pool};

/// One machine's share of a run's trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 0-based index of this shard.
    pub index: u64,
    /// Number of shards.
    pub count: u64,
}

impl Shard {
    /// The trials of this shard among `trials`.
    pub fn range(&self, trials: u64) -> std::ops::Range<u64> {
        let at = |i: u64| (u128::from(trials) * u128::from(i) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }
}

/// What a part is part of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always "loyalty-sim".
    pub program: String,
    /// Version of the program that ran it.
    pub version: String,
    /// The scenario file's name, as given.
    pub scenario_path: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// The scenario file's text, so the merge needs nothing else.
    pub scenario_source: String,
    /// Seed of the run.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// This part's shard.
    pub shard: Shard,
    /// First trial of this part.
    pub first_trial: u64,
    /// One past the last trial of this part.
    pub end_trial: u64,
}

/// A shard's results: `part.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// What it is part of.
    pub manifest: Manifest,
    /// The results of its trials, in trial order.
    pub results: Vec<TrialResult>,
}

/// The name of a part's file within its folder.
pub const PART_FILE: &str = "part.json";

/// Runs `shard`'s trials of `file` with `options` (trials and seed overrides apply to the
/// whole run).
pub fn run_shard(
    file: &ScenarioFile,
    options: &RunOptions,
    shard: Shard,
    on_trial_done: &(dyn Fn() + Sync),
) -> Result<Part, RunError> {
    let mut scenario = effective_scenario(file, options);
    let total = scenario.simulation.trials;
    let range = shard.range(total);
    // The memory check is for this machine's share.
    scenario.simulation.trials = range.end - range.start;
    check_memory(&scenario, available_memory())?;
    scenario.simulation.trials = total;
    let model = Model::new(&scenario);
    let results = in_pool(options.threads, || {
        run_range(file, &scenario, &model, range.clone(), on_trial_done)
    })??;
    check_finite(&results)?;
    Ok(Part {
        manifest: Manifest {
            program: "loyalty-sim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            scenario_path: file.path.display().to_string(),
            scenario_sha256: file.sha256.clone(),
            scenario_source: file.source.clone(),
            seed: scenario.simulation.seed,
            trials: total,
            shard,
            first_trial: range.start,
            end_trial: range.end,
        },
        results,
    })
}

/// Why parts could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A part could not be read.
    #[error("cannot read part {}: {why}", path.display())]
    Read {
        /// The part's file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// No parts were given.
    #[error("no parts to merge")]
    Nothing,
    /// Parts of different runs.
    #[error(
        "{} is not part of the same run as {}: its {what} is {theirs}, not {ours}",
        path.display(),
        first.display()
    )]
    Mismatch {
        /// The odd part.
        path: PathBuf,
        /// The first part.
        first: PathBuf,
        /// What differs.
        what: &'static str,
        /// The first part's value.
        ours: String,
        /// The odd part's value.
        theirs: String,
    },
    /// Two parts hold the same trials.
    #[error("{} and {} both hold trial {trial}", a.display(), b.display())]
    Overlap {
        /// One part.
        a: PathBuf,
        /// The other.
        b: PathBuf,
        /// The first trial both hold.
        trial: u64,
    },
    /// Trials no part holds.
    #[error(
        "no part holds trials {from} to {to} (of {total}): run the missing shards, then merge again"
    )]
    Missing {
        /// First missing trial.
        from: u64,
        /// Last missing trial.
        to: u64,
        /// Trials of the run.
        total: u64,
    },
    /// A part's scenario text does not match its hash, or no longer loads.
    #[error("{}: its scenario is damaged: {why}", path.display())]
    Scenario {
        /// The part.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The merged results hold a non-finite number.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Reads the part in `path` (a part's folder or its `part.json`).
pub fn read_part(path: &Path) -> Result<(PathBuf, Part), MergeError> {
    let file = if path.is_dir() {
        path.join(PART_FILE)
    } else {
        path.to_path_buf()
    };
    let bytes = std::fs::read(&file).map_err(|e| MergeError::Read {
        path: file.clone(),
        why: e.to_string(),
    })?;
    let part: Part = serde_json::from_slice(&bytes).map_err(|e| MergeError::Read {
        path: file.clone(),
        why: format!("not a loyalty-sim part ({e})"),
    })?;
    let m = &part.manifest;
    if part.results.len() as u64 != m.end_trial.saturating_sub(m.first_trial)
        || part
            .results
            .iter()
            .zip(m.first_trial..)
            .any(|(r, t)| r.metrics.trial != t)
    {
        return Err(MergeError::Read {
            path: file,
            why: "its results do not match its manifest's trial range".into(),
        });
    }
    Ok((file, part))
}

/// Merges `parts` (path, part) into the run they are parts of.
pub fn merge(mut parts: Vec<(PathBuf, Part)>) -> Result<RunOutput, MergeError> {
    let Some((first_path, first)) = parts.first().cloned() else {
        return Err(MergeError::Nothing);
    };
    let f = &first.manifest;
    for (path, part) in &parts[1..] {
        let m = &part.manifest;
        let checks: [(&'static str, String, String); 5] = [
            ("program version", f.version.clone(), m.version.clone()),
            (
                "scenario SHA-256",
                f.scenario_sha256.clone(),
                m.scenario_sha256.clone(),
            ),
            ("seed", f.seed.to_string(), m.seed.to_string()),
            (
                "number of trials",
                f.trials.to_string(),
                m.trials.to_string(),
            ),
            ("program", f.program.clone(), m.program.clone()),
        ];
        for (what, ours, theirs) in checks {
            if ours != theirs {
                return Err(MergeError::Mismatch {
                    path: path.clone(),
                    first: first_path.clone(),
                    what,
                    ours,
                    theirs,
                });
            }
        }
    }
    parts.sort_by_key(|(_, p)| p.manifest.first_trial);
    let total = f.trials;
    let mut next = 0u64;
    let mut previous: Option<&PathBuf> = None;
    for (path, part) in &parts {
        let m = &part.manifest;
        if m.first_trial < next
            && let Some(prev) = previous
        {
            return Err(MergeError::Overlap {
                a: prev.clone(),
                b: path.clone(),
                trial: m.first_trial,
            });
        }
        if m.first_trial > next {
            return Err(MergeError::Missing {
                from: next,
                to: m.first_trial - 1,
                total,
            });
        }
        next = next.max(m.end_trial);
        previous = Some(path);
    }
    if next < total {
        return Err(MergeError::Missing {
            from: next,
            to: total - 1,
            total,
        });
    }
    if sha256_hex(f.scenario_source.as_bytes()) != f.scenario_sha256 {
        return Err(MergeError::Scenario {
            path: first_path,
            why: "its text does not match its SHA-256".into(),
        });
    }
    let scenario_path = PathBuf::from(&f.scenario_path);
    // The text's SHA-256 is the part's, checked above.
    let file = ScenarioFile::from_text(scenario_path, &f.scenario_source).map_err(|e| {
        MergeError::Scenario {
            path: first_path.clone(),
            why: e.to_string(),
        }
    })?;
    let options = RunOptions {
        trials: Some(total),
        seed: Some(f.seed),
        ..RunOptions::default()
    };
    let scenario = effective_scenario(&file, &options);
    let results: Vec<TrialResult> = parts.into_iter().flat_map(|(_, p)| p.results).collect();
    check_finite(&results)?;
    Ok(summarize(&file, scenario, &results, None))
}
