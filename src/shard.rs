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

use crate::input::{PART_LIMIT, read_limited};
use crate::metrics::finance::TrialResult;
use crate::output::{FolderManifest, MANIFEST_FILE};
use crate::run::{
    RunOptions, RunOutput, available_memory, check_finite, check_memory, effective_scenario,
    reported_values, run_range, summarize,
};
use crate::scenario::{Scenario, ScenarioFile, sha256_hex};
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
#[serde(deny_unknown_fields)]
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
    /// SHA-256 of the part's results as JSON (their values: reformatting does not change it).
    pub results_sha256: String,
    /// The end of a hash chain over every field above, in order (see [`Manifest::chain`]):
    /// anyone can recompute it, so it is a seal against damage and careless edits (an edited
    /// value, a manifest claiming another seed), not a signature against a forger.
    pub chain: String,
}

impl Manifest {
    /// The hash chain over the manifest's fields and its results' hash: each link is the
    /// SHA-256 of the previous link, the field's name and its value.
    pub fn chain(&self) -> String {
        let links: [(&str, String); 12] = [
            ("program", self.program.clone()),
            ("version", self.version.clone()),
            ("scenario_path", self.scenario_path.clone()),
            ("scenario_sha256", self.scenario_sha256.clone()),
            ("seed", self.seed.to_string()),
            ("trials", self.trials.to_string()),
            ("shard.index", self.shard.index.to_string()),
            ("shard.count", self.shard.count.to_string()),
            ("first_trial", self.first_trial.to_string()),
            ("end_trial", self.end_trial.to_string()),
            ("results_sha256", self.results_sha256.clone()),
            (
                "scenario_source_bytes",
                self.scenario_source.len().to_string(),
            ),
        ];
        links
            .iter()
            .fold(sha256_hex(b"loyalty-sim part 1"), |link, (name, value)| {
                sha256_hex(format!("{link}\n{name}={value}").as_bytes())
            })
    }
}

/// SHA-256 of `results` as JSON.
fn results_sha256(results: &[TrialResult]) -> String {
    // Serialising plain numbers and records cannot fail; an empty text would not match.
    sha256_hex(&serde_json::to_vec(results).unwrap_or_default())
}

/// Largest magnitude a merged value may have: far beyond any business case, and small enough
/// that the statistics' sums of squares over ten million trials stay finite.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// A shard's results: `part.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// What it is part of.
    pub manifest: Manifest,
    /// The results of its trials, in trial order.
    pub results: Vec<TrialResult>,
}

impl Part {
    /// Sets the results' hash and the manifest's hash chain from the part as it is.
    pub fn seal(&mut self) {
        self.manifest.results_sha256 = results_sha256(&self.results);
        self.manifest.chain = self.manifest.chain();
    }
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
    // The plan of the whole run's trials, of which this shard takes its rows.
    let plan = crate::sim::plan::InputPlan::new(&scenario, 0..total);
    let results = in_pool(options.threads, || {
        run_range(
            file,
            &scenario,
            &model,
            &plan,
            range.clone(),
            on_trial_done,
            &std::sync::atomic::AtomicBool::new(false),
        )
    })??;
    check_finite(&results)?;
    let mut part = Part {
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
            results_sha256: String::new(),
            chain: String::new(),
        },
        results,
    };
    part.seal();
    Ok(part)
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
    /// Parts of two different splits (leftovers of an earlier split beside this one's).
    #[error(
        "{} is one of {count} shards but {} is one of {other}: these are parts of two different splits (an earlier split's parts left beside this one's?); merge the parts of one split (part-*-of-{count} or part-*-of-{other}) and delete the other's",
        first.display(),
        path.display()
    )]
    Splits {
        /// The first part.
        first: PathBuf,
        /// Its number of shards.
        count: u64,
        /// A part of another split.
        path: PathBuf,
        /// That part's number of shards.
        other: u64,
    },
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
    /// A part does not match its own seal, or holds values no run gives.
    #[error("{}: {why}; it cannot be merged (run its shard again)", path.display())]
    Damaged {
        /// The part.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A part written by another version of the program.
    #[error(
        "{} was written by loyalty-sim {theirs}, and this is {ours}: merge with the version that ran the parts",
        path.display()
    )]
    Version {
        /// The part.
        path: PathBuf,
        /// The version that wrote it.
        theirs: String,
        /// This program's version.
        ours: &'static str,
    },
    /// The merged results hold a non-finite number.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Reads the part in `path` (a part's folder or its `part.json`) and checks its seal: the
/// folder's `manifest.json` if it has one, then [`verify_part`].
pub fn read_part(path: &Path) -> Result<(PathBuf, Part), MergeError> {
    let (file, folder) = if path.is_dir() {
        (path.join(PART_FILE), Some(path.to_path_buf()))
    } else {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        (path.to_path_buf(), parent.map(Path::to_path_buf))
    };
    if let Some(folder) = folder
        && folder.join(MANIFEST_FILE).is_file()
    {
        FolderManifest::verify(&folder).map_err(|why| MergeError::Damaged {
            path: file.clone(),
            why: format!("its folder does not match its {MANIFEST_FILE}: {why}"),
        })?;
    }
    let bytes = read_limited(&file, PART_LIMIT, false).map_err(|e| MergeError::Read {
        path: file.clone(),
        why: e.to_string(),
    })?;
    let part: Part = serde_json::from_slice(&bytes).map_err(|e| MergeError::Read {
        path: file.clone(),
        why: format!("not a loyalty-sim part ({e})"),
    })?;
    verify_part(&file, &part)?;
    Ok((file, part))
}

/// Checks a part against its own seal: the scenario text against its SHA-256, the results
/// against theirs, the manifest against its hash chain, and the trial range against the shard.
pub fn verify_part(path: &Path, part: &Part) -> Result<(), MergeError> {
    let damaged = |why: String| MergeError::Damaged {
        path: path.to_path_buf(),
        why,
    };
    let m = &part.manifest;
    if m.program != "loyalty-sim" {
        return Err(damaged(format!(
            "its manifest names the program `{}`, not loyalty-sim",
            crate::scenario::diagnostic::shorten(&m.program)
        )));
    }
    if sha256_hex(m.scenario_source.as_bytes()) != m.scenario_sha256 {
        return Err(damaged(
            "its scenario text does not match the scenario's SHA-256".into(),
        ));
    }
    if results_sha256(&part.results) != m.results_sha256 {
        return Err(damaged(
            "its results were changed after it was written (their SHA-256 does not match its manifest)".into(),
        ));
    }
    if m.chain() != m.chain {
        return Err(damaged(
            "its manifest was changed after it was written (the hash chain over its fields does not match)".into(),
        ));
    }
    let shard_ok = m.trials > 0
        && m.shard.count > 0
        && m.shard.index < m.shard.count
        && m.shard.range(m.trials) == (m.first_trial..m.end_trial);
    if !shard_ok {
        return Err(damaged(format!(
            "its trials {}..{} are not shard {} of {} of {} trials",
            m.first_trial, m.end_trial, m.shard.index, m.shard.count, m.trials
        )));
    }
    if part.results.len() as u64 != m.end_trial - m.first_trial
        || part
            .results
            .iter()
            .zip(m.first_trial..)
            .any(|(r, t)| r.metrics.trial != t)
    {
        return Err(damaged(
            "its results do not match its manifest's trial range".into(),
        ));
    }
    Ok(())
}

/// Checks that every trial of a part has the shape of the scenario's trials (a record per
/// month and per month and type, a value per uncertain input, payback within the horizon) and
/// only finite values of a sane size.
fn check_shape(path: &Path, part: &Part, scenario: &Scenario) -> Result<(), MergeError> {
    let months = scenario.simulation.months as usize;
    let inputs = scenario.uncertain.len();
    // A part written before the roll-forward was recorded has none in any trial.
    let years = months.div_ceil(12);
    let expected_years = if part.results.iter().all(|r| r.rollforward.is_empty()) {
        0
    } else {
        years
    };
    for r in &part.results {
        let m = &r.metrics;
        let bad = |why: String| MergeError::Damaged {
            path: path.to_path_buf(),
            why: format!("trial {}: {why}", m.trial),
        };
        if r.months.len() != months || r.types.len() != months {
            return Err(bad(format!(
                "{} monthly and {} monthly-by-type records, where the scenario has {months} months",
                r.months.len(),
                r.types.len()
            )));
        }
        // One roll-forward row per year of the horizon (a year begun counts), or none in a
        // part written before the roll-forward was kept.
        let years = months.div_ceil(12);
        if !r.rollforward.is_empty() && r.rollforward.len() != years {
            return Err(bad(format!(
                "{} contract-liability roll-forward years, where the scenario has {years}",
                r.rollforward.len()
            )));
        }
        if r.inputs.len() != inputs {
            return Err(bad(format!(
                "{} drawn inputs, where the scenario has {inputs} uncertain inputs",
                r.inputs.len()
            )));
        }
        if r.rollforward.len() != expected_years {
            return Err(bad(format!(
                "{} years of the liability's roll-forward, where the scenario has {years}",
                r.rollforward.len()
            )));
        }
        for (name, month) in [
            ("payback_month", m.payback_month),
            ("break_even_month", m.break_even_month),
        ] {
            if let Some(month) = month
                && month as usize > months
            {
                return Err(bad(format!(
                    "{name} {month} is beyond the scenario's {months} months"
                )));
            }
        }
        let values = reported_values(r).chain(r.inputs.iter().map(|&v| ("an uncertain input", v)));
        for (name, value) in values {
            if !(value.is_finite() && value.abs() <= MAX_MAGNITUDE) {
                return Err(bad(format!(
                    "{name} is {value:e}: expected a finite number of magnitude at most {MAX_MAGNITUDE:e}"
                )));
            }
        }
    }
    Ok(())
}

/// Parts of two splits of the same run (`part-*` matching both an earlier split's parts and
/// this one's) are refused as such, naming the split to merge, before they could be taken for
/// overlapping or missing trials.
fn leftover_split(parts: &[(PathBuf, Part)]) -> Result<(), MergeError> {
    let Some((first_path, first)) = parts.first() else {
        return Ok(());
    };
    let count = first.manifest.shard.count;
    match parts.iter().find(|(_, p)| p.manifest.shard.count != count) {
        Some((path, other)) => Err(MergeError::Splits {
            first: first_path.clone(),
            count,
            path: path.clone(),
            other: other.manifest.shard.count,
        }),
        None => Ok(()),
    }
}

/// Merges `parts` (path, part) into the run they are parts of.
pub fn merge(mut parts: Vec<(PathBuf, Part)>) -> Result<RunOutput, MergeError> {
    let Some((first_path, first)) = parts.first().cloned() else {
        return Err(MergeError::Nothing);
    };
    let f = &first.manifest;
    let ours = env!("CARGO_PKG_VERSION");
    if f.version != ours {
        return Err(MergeError::Version {
            path: first_path,
            theirs: f.version.clone(),
            ours,
        });
    }
    leftover_split(&parts)?;
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
    for (path, part) in &parts {
        check_shape(path, part, &scenario)?;
    }
    // Parts with a roll-forward and parts without cannot be summarised together.
    let recorded = |p: &Part| p.results.iter().any(|r| !r.rollforward.is_empty());
    if let Some((path, _)) = parts
        .iter()
        .find(|(_, p)| recorded(p) != recorded(&parts[0].1))
    {
        return Err(MergeError::Damaged {
            path: path.clone(),
            why:
                "its trials and the first part's disagree on recording the liability's roll-forward"
                    .into(),
        });
    }
    let results: Vec<TrialResult> = parts.into_iter().flat_map(|(_, p)| p.results).collect();
    check_finite(&results)?;
    Ok(summarize(&file, scenario, &results, None))
}
