//! Many machines: shards of a run, merged, give the files a single run gives, byte for byte;
//! parts that overlap, leave trials out or come from another run are refused.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

const TRIALS: &str = "21";

fn run(scenario: &Path, extra: &[&str], out: &Path) {
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(scenario)
        .args(["--trials", TRIALS, "--no-charts", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn shards(scenario: &Path, count: u64, dir: &Path) -> Vec<PathBuf> {
    (0..count)
        .map(|i| {
            let part = dir.join(format!("part-{i}"));
            run(
                scenario,
                &[
                    "--shard-index",
                    &i.to_string(),
                    "--shard-count",
                    &count.to_string(),
                ],
                &part,
            );
            part
        })
        .collect()
}

fn merge(parts: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("loyalty-sim")
        .arg("merge")
        .args(parts)
        .args(["--no-charts", "--out"])
        .arg(out)
        .assert()
}

#[test]
fn three_and_seven_shards_merge_into_the_single_run() {
    // The uncertain scenario draws its inputs per trial: the hardest case to split.
    for scenario in [
        common::data("small_points.toml"),
        common::data("small_uncertain.toml"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let single = dir.path().join("single");
        run(&scenario, &[], &single);
        for count in [3, 7] {
            let parts = shards(&scenario, count, &dir.path().join(format!("n{count}")));
            let merged = dir.path().join(format!("merged{count}"));
            merge(&parts, &merged)
                .success()
                .stderr(predicate::str::contains(format!("Merged {count} parts")));
            for file in [
                "summary.json",
                "trials.csv",
                "monthly.csv",
                "monthly_by_type.csv",
                "rfm_groups.csv",
            ] {
                assert_eq!(
                    std::fs::read(single.join(file)).unwrap(),
                    std::fs::read(merged.join(file)).unwrap(),
                    "{file} of {} in {count} shards",
                    scenario.display()
                );
            }
        }
    }
}

#[test]
fn overlapping_missing_and_foreign_parts_are_refused() {
    let scenario = common::data("small_points.toml");
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(&scenario, 3, dir.path());
    let out = dir.path().join("merged");
    // Shard 1 missing.
    merge(&[parts[0].clone(), parts[2].clone()], &out)
        .code(2)
        .stderr(predicate::str::contains(
            "no part holds trials 7 to 13 (of 21)",
        ));
    // Shard 0 twice.
    merge(
        &[
            parts[0].clone(),
            parts[0].clone(),
            parts[1].clone(),
            parts[2].clone(),
        ],
        &out,
    )
    .code(2)
    .stderr(predicate::str::contains("both hold trial 0"));
    // A part of another run: another seed.
    let foreign = dir.path().join("foreign");
    run(
        &scenario,
        &["--seed", "5", "--shard-index", "1", "--shard-count", "3"],
        &foreign,
    );
    merge(&[parts[0].clone(), foreign, parts[2].clone()], &out)
        .code(2)
        .stderr(predicate::str::contains("is not part of the same run"))
        .stderr(predicate::str::contains("its seed is 5"));
    // A part of another scenario.
    let other = dir.path().join("other");
    run(
        &common::data("small_uncertain.toml"),
        &["--shard-index", "1", "--shard-count", "3"],
        &other,
    );
    merge(&[parts[0].clone(), other, parts[2].clone()], &out)
        .code(2)
        .stderr(predicate::str::contains("its scenario SHA-256 is"));
    assert!(!out.exists());
}

#[test]
fn the_shard_comes_from_the_array_job_variables() {
    let scenario = common::data("small_points.toml");
    let dir = tempfile::tempdir().unwrap();
    let by_flags = dir.path().join("flags");
    run(
        &scenario,
        &["--shard-index", "1", "--shard-count", "3"],
        &by_flags,
    );
    for (vars, name) in [
        (
            vec![
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
            "slurm",
        ),
        (
            // An array numbered 4-6: its ids start at SLURM_ARRAY_TASK_MIN.
            vec![
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_MIN", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
            "slurm-from-4",
        ),
        (
            vec![
                ("JOB_COMPLETION_INDEX", "1"),
                ("LOYALTY_SIM_SHARD_COUNT", "3"),
            ],
            "k8s",
        ),
        (
            vec![
                ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
                ("AWS_BATCH_JOB_ARRAY_SIZE", "3"),
            ],
            "aws",
        ),
    ] {
        let out = dir.path().join(name);
        cargo_bin_cmd!("loyalty-sim")
            .arg("run")
            .arg(&scenario)
            .args(["--trials", TRIALS, "--no-charts", "--out"])
            .arg(&out)
            .envs(vars)
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "shard 1 of 3: trials 7 to 13 of 21",
            ));
        assert_eq!(
            std::fs::read(out.join("part.json")).unwrap(),
            std::fs::read(by_flags.join("part.json")).unwrap(),
            "{name}"
        );
    }
    // An id below the array's minimum is refused, not taken as shard 0.
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(&scenario)
        .args(["--trials", TRIALS, "--out"])
        .arg(dir.path().join("below"))
        .envs([
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "SLURM_ARRAY_TASK_ID=3 is below SLURM_ARRAY_TASK_MIN=4",
        ));
    // An index without a count is refused.
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(&scenario)
        .args(["--trials", TRIALS, "--out"])
        .arg(dir.path().join("none"))
        .env("JOB_COMPLETION_INDEX", "1")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("LOYALTY_SIM_SHARD_COUNT"));
}
