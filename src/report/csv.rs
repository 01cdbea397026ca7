//! `monthly.csv` (bands of every monthly series over the trials) and `trials.csv` (one row
//! per trial). Floats are written at full precision (shortest representation that reads
//! back to the same number), for programs rather than people.

use super::{Exporter, ReportError};
use crate::metrics::finance::Series;
use crate::run::RunOutput;

/// The `monthly.csv` exporter: `month`, then for each series its mean, p5, p50 and p95.
pub struct MonthlyCsv;

impl Exporter for MonthlyCsv {
    fn file_name(&self) -> &'static str {
        "monthly.csv"
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let err = |source| ReportError::Csv {
            file: "monthly.csv",
            source,
        };
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let mut header = vec!["month".to_string()];
        for s in Series::ALL {
            for stat in ["mean", "p5", "p50", "p95"] {
                header.push(format!("{}_{stat}", s.name()));
            }
        }
        w.write_record(&header).map_err(err)?;
        for m in &run.monthly {
            let mut row = vec![m.month.to_string()];
            for st in &m.series {
                for v in [st.mean, st.p5, st.p50, st.p95] {
                    row.push(v.to_string());
                }
            }
            w.write_record(&row).map_err(err)?;
        }
        w.into_inner().map_err(|e| err(e.into_error().into()))
    }
}

/// The `trials.csv` exporter: one row per trial, headline metrics and points ledger.
pub struct TrialsCsv;

impl Exporter for TrialsCsv {
    fn file_name(&self) -> &'static str {
        "trials.csv"
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let err = |source| ReportError::Csv {
            file: "trials.csv",
            source,
        };
        let mut w = ::csv::Writer::from_writer(Vec::new());
        for t in &run.trials {
            w.serialize(t).map_err(err)?;
        }
        w.into_inner().map_err(|e| err(e.into_error().into()))
    }
}
