//! A command owns its output folder: a second run leaves nothing of the first, a run killed at
//! any moment leaves the old result or the new one whole, two writers at once never mix, a
//! folder of someone else's files is never replaced, and `calibrate` writes its scenario and
//! its report together.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::listing as names;
use loyalty_sim::output::{FolderManifest, MANIFEST_FILE};
use rand::{RngExt, SeedableRng};

fn binary() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("loyalty-sim"))
}

/// A scenario that runs in a few milliseconds, in `dir`.
fn tiny_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("tiny.toml");
    std::fs::write(&path, common::plain_scenario(200, 6, 2, "")).unwrap();
    path
}

fn run_into(out: &Path, scenario: &Path, seed: u64, charts: bool) -> Command {
    let mut cmd = binary();
    cmd.args(["run", "--trials", "2", "--seed", &seed.to_string(), "--out"])
        .arg(out)
        .arg(scenario)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if !charts {
        cmd.arg("--no-charts");
    }
    cmd
}

/// The seed of the complete run in `out`, after checking every file against the manifest.
fn complete_run_seed(out: &Path) -> u64 {
    FolderManifest::verify(out).unwrap_or_else(|e| panic!("not one complete run: {e}"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    summary["metadata"]["seed"].as_u64().unwrap()
}

#[test]
fn a_second_run_leaves_nothing_of_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path());
    let out = dir.path().join("out");
    assert!(
        run_into(&out, &scenario, 1, true)
            .status()
            .unwrap()
            .success()
    );
    assert!(names(&out).iter().any(|n| n.ends_with(".png")));
    assert!(
        run_into(&out, &scenario, 2, false)
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(complete_run_seed(&out), 2);
    // Only the data files of the second run, listed in its manifest.
    assert_eq!(
        names(&out),
        [
            MANIFEST_FILE,
            "monthly.csv",
            "monthly_by_type.csv",
            "rfm_groups.csv",
            "summary.json",
            "trials.csv"
        ]
    );
    assert_eq!(names(dir.path()), ["out", "tiny.toml"]);
}

#[test]
fn a_run_killed_at_random_points_leaves_the_old_or_the_new_result_whole() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path());
    let out = dir.path().join("out");
    assert!(
        run_into(&out, &scenario, 1, false)
            .status()
            .unwrap()
            .success()
    );
    // How long one run takes here; the kills fall anywhere in up to 1.2 times that, writing
    // included, and the span follows the moment of the swap (longer after a kill that came
    // too early to see the new result, shorter after one that came too late), so that kills
    // cluster around the swap even on a loaded machine.
    let started = Instant::now();
    assert!(
        run_into(&out, &scenario, 2, false)
            .status()
            .unwrap()
            .success()
    );
    let mut span = started.elapsed().as_micros().max(1000) as u64;
    let mut previous = 2;
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(15);
    let (mut kept_old, mut got_new, mut staging_left) = (0, 0, 0);
    for attempt in 0..60u64 {
        let seed = 100 + attempt;
        let mut child = run_into(&out, &scenario, seed, false).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.random_range(0..span * 6 / 5)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let found = complete_run_seed(&out);
        assert!(
            found == previous || found == seed,
            "attempt {attempt}: the folder holds seed {found}, neither {previous} nor {seed}"
        );
        if found == seed {
            got_new += 1;
            span = span * 9 / 10;
        } else {
            kept_old += 1;
            span = span * 11 / 10;
        }
        previous = found;
        // Beside the folder: at most the killed writer's hidden staging folder.
        let beside = names(dir.path());
        assert!(
            beside
                .iter()
                .all(|n| n == "out" || n == "tiny.toml" || n == ".out.staging"),
            "attempt {attempt}: {beside:?}"
        );
        if beside.iter().any(|n| n == ".out.staging") {
            staging_left += 1;
        }
    }
    eprintln!("60 kills: old kept {kept_old}, new complete {got_new}, staging left {staging_left}");
    assert!(kept_old > 0 && got_new > 0, "the kills missed the swap");
    // The next run clears what a killed one left.
    assert!(
        run_into(&out, &scenario, 7, false)
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(complete_run_seed(&out), 7);
    assert_eq!(names(dir.path()), ["out", "tiny.toml"]);
}

#[test]
fn two_runs_writing_one_folder_at_once_never_mix() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path());
    let out = dir.path().join("out");
    for round in 0..5u64 {
        let a = run_into(&out, &scenario, 10 + round, true).spawn().unwrap();
        let b = run_into(&out, &scenario, 20 + round, true).spawn().unwrap();
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        for o in [&a, &b] {
            let stderr = String::from_utf8_lossy(&o.stderr);
            // Either it wrote, or it was told another writer holds the folder.
            assert!(
                o.status.success()
                    || (o.status.code() == Some(1)
                        && stderr.contains("another loyalty-sim command is writing it")),
                "{stderr}"
            );
        }
        assert!(a.status.success() || b.status.success());
        let seed = complete_run_seed(&out);
        assert!(seed == 10 + round || seed == 20 + round);
        assert_eq!(names(dir.path()), ["out", "tiny.toml"]);
    }
}

#[test]
fn a_folder_not_written_by_the_program_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path());
    let mine = dir.path().join("documents");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("letter.txt"), "mine").unwrap();
    let o = run_into(&mine, &scenario, 1, false).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refusing to replace"), "{stderr}");
    assert!(stderr.contains("documents"), "{stderr}");
    assert_eq!(names(&mine), ["letter.txt"]);
}

/// `calibrate` of the CDNOW sample into the folder `out`.
fn calibrate(out: &Path) -> std::process::Output {
    binary()
        .arg("calibrate")
        .arg(common::data("cdnow/CDNOW_sample.txt"))
        .args(["--calibration-end", "1997-09-30", "--no-charts", "--out"])
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn calibrate_writes_its_scenario_and_report_together_or_neither() {
    let dir = tempfile::tempdir().unwrap();
    // The folder cannot be made (a file is in the way): nothing is written.
    std::fs::write(dir.path().join("blocked"), "x").unwrap();
    let o = calibrate(&dir.path().join("blocked/report"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("blocked"), "{stderr}");
    assert_eq!(names(dir.path()), ["blocked"]);
    // The folder holds someone else's file and cannot be replaced: no scenario either.
    let report = dir.path().join("report");
    std::fs::create_dir(&report).unwrap();
    std::fs::write(report.join("notes.txt"), "mine").unwrap();
    let o = calibrate(&report);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(names(&report), ["notes.txt"]);
    // Written whole: the scenario is one of the folder's files, in its manifest.
    std::fs::remove_dir_all(&report).unwrap();
    let o = calibrate(&report);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = FolderManifest::verify(&report).unwrap();
    let written: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        written,
        ["calibration.json", "customers.csv", "scenario.toml"]
    );
}
