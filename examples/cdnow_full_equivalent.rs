//! Writes a stand-in for the full CDNOW cohort (23,570 customers, as distributed with the
//! customer-base libraries) from the 1/10 sample shipped in `tests/data/cdnow/`, to time
//! `loyalty-sim calibrate` on a log of the full cohort's size and layout.
//!
//! ```text
//! cargo run --release --example cdnow_full_equivalent -- output/cdnow_full/CDNOW_master.txt
//! time target/release/loyalty-sim calibrate output/cdnow_full/CDNOW_master.txt \
//!     --calibration-end 1997-09-30 --holdout-end 1998-06-30 --currency USD --exchange-rate 1.08 --no-charts
//! ```
//! The sample is written ten times, copy k (0…9) with its customers renumbered and every
//! purchase moved k days later, so the copies do not share histories and the file has as many
//! distinct histories as a cohort of its size. The layout is the full file's: four
//! whitespace-separated columns (customer id, `YYYYMMDD` date, CDs, dollars), no header. With
//! `--csv` it writes `customer_id,date,amount` instead, for versions that read CSV only.

use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{Days, NaiveDate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut csv = false;
    let mut out = None;
    for arg in std::env::args().skip(1) {
        if arg == "--csv" {
            csv = true;
        } else {
            out = Some(PathBuf::from(arg));
        }
    }
    let out = out.unwrap_or_else(|| "output/cdnow_full/CDNOW_master.txt".into());
    let sample = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cdnow/CDNOW_sample.txt"),
    )?;
    let rows: Vec<(u32, NaiveDate, &str, &str)> = sample
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let [_, id, date, cds, dollars] = f[..] else {
                return Err(format!("not a CDNOW sample row: {l}"));
            };
            let date = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|e| e.to_string())?;
            Ok((
                id.parse::<u32>().map_err(|e| e.to_string())?,
                date,
                cds,
                dollars,
            ))
        })
        .collect::<Result<_, String>>()?;
    let customers = rows.iter().map(|r| r.0).max().unwrap_or(0);
    let mut text = String::new();
    if csv {
        text.push_str("customer_id,date,amount\n");
    }
    for copy in 0..10u32 {
        for (id, date, cds, dollars) in &rows {
            let id = copy * customers + id;
            let date = *date + Days::new(u64::from(copy));
            if csv {
                writeln!(text, "{id},{},{dollars}", date.format("%Y-%m-%d"))?;
            } else {
                writeln!(
                    text,
                    "{id:05} {} {cds:>2} {dollars:>7}",
                    date.format("%Y%m%d")
                )?;
            }
        }
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, text)?;
    eprintln!("wrote {} ({} customers)", out.display(), 10 * customers);
    Ok(())
}
