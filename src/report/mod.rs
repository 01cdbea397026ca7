//! Exporters: each turns a run into the bytes of one file and does no I/O, so each can be
//! tested on its own; [`crate::output`] is the one place that writes files.

pub mod console;
pub mod csv;
pub mod json;

use crate::run::RunOutput;

/// Why an exporter could not render.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// CSV serialisation failed.
    #[error("cannot format {file}: {source}")]
    Csv {
        /// File being rendered.
        file: &'static str,
        /// What the CSV writer said.
        source: ::csv::Error,
    },
    /// JSON serialisation failed.
    #[error("cannot format {file}: {source}")]
    Json {
        /// File being rendered.
        file: &'static str,
        /// What the JSON writer said.
        source: serde_json::Error,
    },
}

/// Renders one output file of a run.
pub trait Exporter {
    /// Name of the file within the output directory.
    fn file_name(&self) -> &'static str;
    /// The file's bytes.
    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError>;
}

/// The exporters `run` writes, in order.
pub fn run_exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(json::SummaryJson),
        Box::new(csv::MonthlyCsv),
        Box::new(csv::MonthlyByTypeCsv),
        Box::new(csv::TrialsCsv),
    ]
}

/// Renders every file of a run: (file name, bytes).
pub fn render_all(run: &RunOutput) -> Result<Vec<(&'static str, Vec<u8>)>, ReportError> {
    run_exporters()
        .iter()
        .map(|e| Ok((e.file_name(), e.render(run)?)))
        .collect()
}
