//! What the fuzz targets do with one input, shared by `cargo fuzz` (tests/fuzz/fuzz_targets/)
//! and by the stable replay of the kept corpora (tests/fuzz_regressions.rs), so both exercise
//! exactly the same code.

use std::path::Path;

use loyalty_sim::calibrate::cohort::{Periods, TimeUnit};
use loyalty_sim::calibrate::transactions::{DecimalMark, Format, ReadOptions, parse};
use loyalty_sim::calibrate::types::Attitude;

/// Loads and validates `data` as a scenario file; true when it is a valid scenario.
pub fn scenario(data: &[u8]) -> bool {
    std::str::from_utf8(data)
        .is_ok_and(|text| loyalty_sim::scenario::parse(text, Path::new("fuzz.toml")).is_ok())
}

/// Reads `data` as a transaction log and, when it is read and small, calibrates from it;
/// true when the log was read. A first byte of `\x01`–`\x07` chooses the reading options
/// (bit 0: a decimal comma, else the mark told from the amounts; bit 1: skip bad rows; bit 2:
/// force CSV) and is not part of the
/// log; any other first byte is.
pub fn transactions(data: &[u8]) -> bool {
    let (options, data) = match data.split_first() {
        Some((&flags @ 1..=7, rest)) => (
            ReadOptions {
                decimal: if flags & 1 != 0 {
                    DecimalMark::Comma
                } else {
                    DecimalMark::Auto
                },
                skip_bad_rows: flags & 2 != 0,
                format: (flags & 4 != 0).then_some(Format::Csv),
                ..ReadOptions::default()
            },
            rest,
        ),
        _ => (ReadOptions::default(), data),
    };
    let Ok(log) = parse(Path::new("fuzz.csv"), data, &options) else {
        return false;
    };
    // Only small logs go on to the fit, so each input stays fast.
    if log.transactions.len() > 2000 {
        return true;
    }
    // The calibration ends on the log's last day, so the fit is reached whatever the dates.
    let Some(end) = log.transactions.iter().map(|t| t.date).max() else {
        return true;
    };
    let _ = loyalty_sim::calibrate::calibrate(
        &log,
        &loyalty_sim::calibrate::Options {
            periods: Periods {
                calibration_end: end,
                holdout_end: None,
                unit: TimeUnit::Weeks,
            },
            frequent_from: None,
            large_from: None,
            attitude: Attitude::Template {
                high_patronage: 0.5,
                low_patronage: 0.5,
            },
            model: Default::default(),
        },
    );
    true
}

/// Reads `data` as the parts of a sharded run and merges them; true when the merge succeeds.
/// The parts are `part.json` texts separated by a `\xFF` byte (never in UTF-8 text). A first
/// byte of `\x01` seals each part again before the checks (as one who edits a part and knows
/// the format would), so the checks of shape and value past the seal are reached too.
pub fn merge(data: &[u8]) -> bool {
    use loyalty_sim::shard::{Part, merge, verify_part};
    let (reseal, data) = match data.split_first() {
        Some((1, rest)) => (true, rest),
        _ => (false, data),
    };
    let mut parts = Vec::new();
    for (i, text) in data.split(|&b| b == 0xFF).enumerate() {
        let Ok(mut part) = serde_json::from_slice::<Part>(text) else {
            return false;
        };
        if reseal {
            part.seal();
        }
        let path = std::path::PathBuf::from(format!("part-{i}.json"));
        if verify_part(&path, &part).is_err() {
            return false;
        }
        parts.push((path, part));
    }
    merge(parts).is_ok()
}
