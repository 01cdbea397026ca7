//! Same scenario and seed → bit-identical results on any thread count and any split of the
//! work; another seed → different results.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use loyalty_sim::sim::runner::simulate_trials;

fn run_cli(out: &Path, threads: u32, seed: u64) {
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args([
            "--threads",
            &threads.to_string(),
            "--seed",
            &seed.to_string(),
            "--no-charts",
        ])
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn outputs_are_byte_identical_for_one_and_two_threads_and_differ_for_another_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two, other) = (
        dir.path().join("t1"),
        dir.path().join("t2"),
        dir.path().join("s2"),
    );
    run_cli(&one, 1, 7);
    run_cli(&two, 2, 7);
    run_cli(&other, 2, 8);
    for file in [
        "trials.csv",
        "summary.json",
        "monthly.csv",
        "monthly_by_type.csv",
    ] {
        let a = std::fs::read(one.join(file)).unwrap();
        let b = std::fs::read(two.join(file)).unwrap();
        assert!(a == b, "{file} differs between 1 and 2 threads");
    }
    let a = std::fs::read(one.join("trials.csv")).unwrap();
    let c = std::fs::read(other.join("trials.csv")).unwrap();
    assert_ne!(a, c, "another seed must give other trials");
    // The seed is recorded.
    let summary = std::fs::read_to_string(other.join("summary.json")).unwrap();
    assert!(summary.contains("\"seed\": 8"));
}

#[test]
fn any_split_of_the_trials_gives_the_same_trials() {
    let text = std::fs::read_to_string(common::data("small_points.toml")).unwrap();
    let s = common::scenario(&text);
    let whole = simulate_trials(&s, 0..10, Some(2), &|| {}).unwrap();
    let mut parts = simulate_trials(&s, 0..3, Some(1), &|| {}).unwrap();
    parts.extend(simulate_trials(&s, 3..10, Some(2), &|| {}).unwrap());
    assert_eq!(whole, parts);
    // And trials differ from one another.
    assert_ne!(whole[0].months, whole[1].months);
}
