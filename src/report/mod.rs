//! Exporters: each turns a run into the bytes of one file and does no I/O, so each can be
//! tested on its own; [`crate::output`] is the one place that writes files.

pub mod assumptions;
pub mod calibration;
pub mod chart;
pub mod console;
pub mod csv;
pub mod decisions;
pub mod downside;
pub mod figures;
pub mod html;
pub mod json;
pub mod labels;
pub mod workbook;

use rayon::prelude::*;

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
    /// The workbook could not be written.
    #[error("cannot format workbook.xlsx: {0}")]
    Workbook(String),
}

/// Renders one output file of a run.
pub trait Exporter {
    /// Name of the file within the output directory.
    fn file_name(&self) -> String;
    /// The file's bytes.
    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError>;
}

/// The data exporters `run` always writes, in order.
pub fn data_exporters(run: &RunOutput) -> Vec<Box<dyn Exporter>> {
    let mut exporters: Vec<Box<dyn Exporter>> = vec![
        Box::new(json::SummaryJson),
        Box::new(csv::MonthlyCsv),
        Box::new(csv::MonthlyByTypeCsv),
        Box::new(csv::TrialsCsv),
    ];
    if !run.scenario.uncertain.is_empty() {
        exporters.push(Box::new(csv::TrialInputsCsv));
    }
    exporters
}

/// Renders every file of a run: (file name, bytes). With `documents`, also each chart as PNG
/// and SVG, `report.html` (the charts inline) and `workbook.xlsx`.
pub fn render_all(run: &RunOutput, documents: bool) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let mut files = data_exporters(run)
        .iter()
        .map(|e| Ok((e.file_name(), e.render(run)?)))
        .collect::<Result<Vec<_>, ReportError>>()?;
    if !documents {
        return Ok(files);
    }
    // Each figure drawn once per format, the figures in parallel.
    let drawn = figures::run_figures(run)
        .into_par_iter()
        .map(|f| Ok((f.name, f.png()?, f.svg()?)))
        .collect::<Result<Vec<_>, chart::ChartError>>()?;
    let inline: Vec<html::InlineChart<'_>> = drawn
        .iter()
        .map(|(name, _, svg)| html::InlineChart { name, svg })
        .collect();
    let page = html::report(run, &inline);
    for (name, png, svg) in &drawn {
        files.push((format!("{name}.png"), png.clone()));
        files.push((format!("{name}.svg"), svg.clone().into_bytes()));
    }
    files.push(("report.html".into(), page.into_bytes()));
    files.push((
        workbook::WorkbookXlsx.file_name(),
        workbook::WorkbookXlsx.render(run)?,
    ));
    Ok(files)
}
