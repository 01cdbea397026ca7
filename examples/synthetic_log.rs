//! Writes a transaction log drawn from known BG/NBD and Gamma-Gamma parameters, to time
//! `loyalty-sim calibrate` on a large log and to see the parameters come back.
//!
//! ```text
//! cargo run --release --example synthetic_log -- 250000 output/synthetic/transactions.csv
//! time cargo run --release -- calibrate output/synthetic/transactions.csv --calibration-end 2025-06-29 --no-charts
//! ```
//! The truth (weekly): r = 0.5, α = 5, a = 0.8, b = 3; spend p = 5, q = 4, γ = 20.
//! Customers join over the first 12 weeks of 2024; the log runs 78 weeks, to 2025-06-29.

use std::path::PathBuf;

use chrono::NaiveDate;
use loyalty_sim::calibrate::bgnbd::BgNbd;
use loyalty_sim::calibrate::cohort::TimeUnit;
use loyalty_sim::calibrate::gamma_gamma::GammaGamma;
use loyalty_sim::calibrate::synthetic::{Design, generate, to_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let customers: u32 = args.next().map_or(Ok(250_000), |a| a.parse())?;
    let path = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "output/synthetic/transactions.csv".into()),
    );
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("bad start date")?;
    let end = NaiveDate::from_ymd_opt(2025, 6, 29).ok_or("bad end date")?;
    let log = generate(&Design {
        purchases: BgNbd {
            r: 0.5,
            alpha: 5.0,
            a: 0.8,
            b: 3.0,
        },
        spend: GammaGamma {
            p: 5.0,
            q: 4.0,
            gamma: 20.0,
        },
        unit: TimeUnit::Weeks,
        customers,
        start,
        joining_days: 84,
        end,
        seed: 2024,
    })
    .ok_or("invalid parameters")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, to_csv(&log))?;
    println!(
        "wrote {} transactions of {customers} customers to {}",
        log.transactions.len(),
        path.display()
    );
    Ok(())
}
