//! What the fuzz targets do with one input, shared by `cargo fuzz` (tests/fuzz/fuzz_targets/)
//! and by the stable replay of the kept corpora (tests/fuzz_regressions.rs), so both exercise
//! exactly the same code.

use std::path::Path;

use loyalty_sim::calibrate::cohort::{Periods, TimeUnit};
use loyalty_sim::calibrate::transactions::{ReadOptions, parse};
use loyalty_sim::calibrate::types::Attitude;

/// Loads and validates `data` as a scenario file; true when it is a valid scenario.
pub fn scenario(data: &[u8]) -> bool {
    std::str::from_utf8(data)
        .is_ok_and(|text| loyalty_sim::scenario::parse(text, Path::new("fuzz.toml")).is_ok())
}

/// Reads `data` as a transaction log and, when it is read and small, calibrates from it;
/// true when the log was read.
pub fn transactions(data: &[u8]) -> bool {
    let Ok(log) = parse(Path::new("fuzz.csv"), data, &ReadOptions::default()) else {
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
        },
    );
    true
}
