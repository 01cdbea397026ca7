//! Faults outside the input: an interrupted run, an output file that cannot be completed, a
//! file where the output directory should be, a run too big for the machine's memory.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

fn binary() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("loyalty-sim"))
}

#[test]
fn ctrl_c_stops_a_long_run_promptly_and_leaves_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // The benchmark scenario for 100,000 trials would run for hours.
    let mut child = binary()
        .args(["run", "--trials", "100000", "--out"])
        .arg(&out)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/reference.toml"
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Duration::from_secs(5);
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if sent.elapsed() > deadline {
            child.kill().unwrap();
            panic!("still running {deadline:?} after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(exit.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!out.exists(), "an interrupted run wrote {}", out.display());
    // Nothing else either: no temporary files beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_write_that_fails_half_way_is_reported_and_leaves_nothing() {
    // A file-size limit of 1 KiB makes every larger write fail as a full disk would (EFBIG
    // instead of ENOSPC; the signal it raises is ignored, as `trap` does).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec '{}' run --trials 2 --no-charts --out '{}' '{}'",
        assert_cmd::cargo::cargo_bin!("loyalty-sim").display(),
        out.display(),
        common::data("small_points.toml").display()
    );
    let output = Command::new("sh").args(["-c", &script]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(!out.exists(), "a failed write left {}", out.display());
}

#[test]
fn a_file_where_the_output_directory_should_be_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "mine").unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .args(["run", "--trials", "2", "--no-charts", "--out"])
        .arg(&file)
        .arg(common::data("small_points.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "that is a file; --out names a folder",
        ))
        .stderr(predicate::str::contains("taken"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn a_run_too_big_for_the_memory_is_refused_up_front() {
    // 10 million trials × 24 months: about 230 GiB of results, more than any test machine has.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let started = Instant::now();
    cargo_bin_cmd!("loyalty-sim")
        .args(["run", "--trials", "10000000", "--out"])
        .arg(&out)
        .arg(common::data("small_points.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "10000000 trials × 24 months would need about",
        ))
        .stderr(predicate::str::contains("lower --trials"));
    // Refused before simulating anything.
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!out.exists());
}

#[test]
fn the_memory_estimate_grows_with_trials_and_months_only() {
    let s = common::scenario(&common::plain_scenario(1000, 12, 100, ""));
    let base = loyalty_sim::run::estimated_memory(&s);
    // Results, the fixed base, and each worker thread's trial in flight: a bounded group of
    // block totals, whatever the customers.
    let in_flight =
        rayon::current_num_threads() as u64 * loyalty_sim::sim::runner::trial_in_flight_bytes(12);
    assert_eq!(
        base,
        100 * 12 * loyalty_sim::run::BYTES_PER_TRIAL_MONTH
            + loyalty_sim::run::BASE_BYTES
            + in_flight
    );
    assert!(loyalty_sim::sim::runner::trial_in_flight_bytes(12) < 16 << 20);
    let more_customers = common::scenario(&common::plain_scenario(1_000_000, 12, 100, ""));
    assert_eq!(loyalty_sim::run::estimated_memory(&more_customers), base);
    assert!(loyalty_sim::run::check_memory(&s, Some(base)).is_ok());
    assert!(loyalty_sim::run::check_memory(&s, Some(base - 1)).is_err());
    assert!(loyalty_sim::run::check_memory(&s, None).is_ok());
}
