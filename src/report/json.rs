//! `summary.json`: metadata and every headline metric as {mean, sd, sem, p5, p50, p95}, at
//! full precision.

use super::{Exporter, ReportError};
use crate::run::RunOutput;

/// The `summary.json` exporter.
pub struct SummaryJson;

impl Exporter for SummaryJson {
    fn file_name(&self) -> String {
        "summary.json".into()
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let mut bytes =
            serde_json::to_vec_pretty(&run.summary).map_err(|source| ReportError::Json {
                file: "summary.json",
                source,
            })?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
