//! Exporters: each turns a run into the bytes of one file and does no I/O, so each can be
//! tested on its own; [`crate::output`] is the one place that writes files.

pub mod chart;
pub mod console;
pub mod csv;
pub mod decisions;
pub mod figures;
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
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] chart::ChartError),
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
    fn file_name(&self) -> String;
    /// The file's bytes.
    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError>;
}

/// The exporters `run` writes, in order; the charts unless `charts` is false.
pub fn run_exporters(run: &RunOutput, charts: bool) -> Vec<Box<dyn Exporter>> {
    let mut exporters: Vec<Box<dyn Exporter>> = vec![
        Box::new(json::SummaryJson),
        Box::new(csv::MonthlyCsv),
        Box::new(csv::MonthlyByTypeCsv),
        Box::new(csv::TrialsCsv),
    ];
    if !run.scenario.uncertain.is_empty() {
        exporters.push(Box::new(csv::TrialInputsCsv));
    }
    if charts {
        for figure in figures::run_figures(run) {
            for file in figures::FigureFile::both(figure) {
                exporters.push(Box::new(file));
            }
        }
    }
    exporters
}

/// Renders every file of a run: (file name, bytes).
pub fn render_all(run: &RunOutput, charts: bool) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    run_exporters(run, charts)
        .iter()
        .map(|e| Ok((e.file_name(), e.render(run)?)))
        .collect()
}
