//! The fuzzers' interesting inputs, replayed on stable Rust in every test run: scenario
//! loading and validation, and reading and calibrating a transaction log, must return (an
//! answer or an error) for each, never panic. The inputs are the corpora the fuzz targets in
//! tests/fuzz/ built (`cargo fuzz cmin`), kept in tests/fuzz/regressions/; inputs that once
//! crashed are added there too.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::path::Path;

#[path = "fuzz/exercise.rs"]
mod exercise;

/// Replays every kept input of `target` through `exercise`; returns how many it accepted and
/// how many there were.
fn replay(target: &str, exercise: fn(&[u8]) -> bool) -> (usize, usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let accepted = files
        .iter()
        .filter(|file| exercise(&std::fs::read(file).unwrap()))
        .count();
    (accepted, files.len())
}

#[test]
fn scenario_inputs_load_or_are_refused_without_panicking() {
    let (valid, total) = replay("scenario", exercise::scenario);
    assert!(total >= 100, "the corpus is missing");
    // The corpus holds both: files that load and files that are refused.
    assert!(valid > 0 && valid < total, "{valid} of {total}");
}

#[test]
fn transaction_inputs_read_and_calibrate_or_are_refused_without_panicking() {
    let (read, total) = replay("transactions", exercise::transactions);
    assert!(total >= 20, "the corpus is missing");
    // The corpus holds both: logs that are read and logs that are refused.
    assert!(read > 0 && read < total, "{read} of {total}");
}

#[test]
fn merge_inputs_merge_or_are_refused_without_panicking() {
    let (merged, total) = replay("merge", exercise::merge);
    assert!(total >= 12, "the corpus is missing");
    // Whole runs merge (sealed as written, or sealed again); a missing shard, an edited
    // manifest, a month short and a value too large are refused.
    assert!(merged > 0 && merged < total, "{merged} of {total}");
}
