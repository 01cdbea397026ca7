//! Times reading a CSV transaction log of up to a million rows (default), at a tenth, a
//! quarter, half and all of it, to show the time grows linearly with the rows: each record's
//! line number comes from a count that only moves forward, never from the start of the file.
//! The last row is bad, so the error path (which names the line) is timed too.
//!
//! ```text
//! cargo run --release --example read_log -- 1000000
//! ```

use std::path::Path;
use std::time::Instant;

use loyalty_sim::calibrate::transactions::{ReadOptions, parse};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: usize = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |a| a.parse())?;
    for share in [10, 4, 2, 1] {
        let n = rows / share;
        let mut csv = String::from("customer_id,date,amount\n");
        for i in 0..n {
            let day = 1 + i % 28;
            csv.push_str(&format!(
                "C{:06},2024-03-{day:02},{}.{:02}\n",
                i % 50_000,
                5 + i % 90,
                i % 100
            ));
        }
        let good = Instant::now();
        let log = parse(
            Path::new("log.csv"),
            csv.as_bytes(),
            &ReadOptions::default(),
        )?;
        let good = good.elapsed();
        csv.push_str("C000001,2024-03-01,oops\n");
        let bad = Instant::now();
        let err = parse(
            Path::new("log.csv"),
            csv.as_bytes(),
            &ReadOptions::default(),
        )
        .err()
        .ok_or("the bad last row was read")?;
        let bad = bad.elapsed();
        println!(
            "{n:>9} rows: read in {:>7.3} s ({:>5.2} µs a row); with a bad last row refused in {:>7.3} s: {err}",
            good.as_secs_f64(),
            good.as_secs_f64() * 1e6 / n as f64,
            bad.as_secs_f64(),
        );
        assert_eq!(log.transactions.len(), n);
    }
    Ok(())
}
