//! Exporters: each turns a run into the bytes of one file and does no I/O, so each can be
//! tested on its own; [`crate::output`] is the one place that writes files.

pub mod assumptions;
pub mod calibration;
pub mod chart;
pub mod console;
pub mod csv;
pub mod decision_documents;
pub mod decisions;
pub mod discrete;
pub mod document;
pub mod downside;
pub mod figures;
pub mod html;
pub mod json;
pub mod labels;
pub mod workbook;
pub mod yearly;

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
        Box::new(csv::RfmGroupsCsv),
    ];
    if !run.scenario.uncertain.is_empty() {
        exporters.push(Box::new(csv::TrialInputsCsv));
    }
    exporters
}

/// The kinds of file a run writes, as `--formats` chooses them: `csv` (the monthly, by-type,
/// trial and drawn-input tables), `json` (`summary.json`), `charts` (each chart as PNG and
/// SVG), `html` (`report.html`, the charts inline) and `xlsx` (`workbook.xlsx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// The CSV tables.
    pub csv: bool,
    /// `summary.json`.
    pub json: bool,
    /// The charts, as PNG and SVG files.
    pub charts: bool,
    /// `report.html`.
    pub html: bool,
    /// `workbook.xlsx`.
    pub xlsx: bool,
}

impl Formats {
    /// Every kind of file: what `run` writes by default.
    pub const ALL: Formats = Formats {
        csv: true,
        json: true,
        charts: true,
        html: true,
        xlsx: true,
    };
    /// The tables and `summary.json` alone: what `--no-charts` writes.
    pub const DATA: Formats = Formats {
        csv: true,
        json: true,
        charts: false,
        html: false,
        xlsx: false,
    };
    /// No file at all: the start of a choice of one kind (`Formats { html: true, ..NONE }`).
    pub const NONE: Formats = Formats {
        csv: false,
        json: false,
        charts: false,
        html: false,
        xlsx: false,
    };
    /// The names `--formats` takes, in the order the files are written.
    pub const NAMES: [&'static str; 5] = ["csv", "json", "charts", "html", "xlsx"];

    /// Reads a comma-separated list of names (`csv,json,html`), any order, each at most once;
    /// the error says which name is wrong and lists the valid ones.
    pub fn parse(list: &str) -> Result<Formats, String> {
        let mut formats = Formats {
            csv: false,
            json: false,
            charts: false,
            html: false,
            xlsx: false,
        };
        for name in list.split(',').map(str::trim) {
            let slot = match name {
                "csv" => &mut formats.csv,
                "json" => &mut formats.json,
                "charts" => &mut formats.charts,
                "html" => &mut formats.html,
                "xlsx" => &mut formats.xlsx,
                "" => {
                    return Err(format!(
                        "an empty name in `{list}`; valid: {}",
                        Self::NAMES.join(", ")
                    ));
                }
                other => {
                    return Err(format!(
                        "unknown format `{other}`; valid: {}",
                        Self::NAMES.join(", ")
                    ));
                }
            };
            if *slot {
                return Err(format!("`{name}` is named twice"));
            }
            *slot = true;
        }
        Ok(formats)
    }

    /// Whether a file called `file_name` is of a kind chosen: by its extension, `.csv` is
    /// `csv`, `.json` is `json`, `.png` and `.svg` are `charts`, `.html` is `html` and `.xlsx`
    /// is `xlsx`; a file of any other kind is always kept.
    pub fn includes(&self, file_name: &str) -> bool {
        let extension = file_name.rsplit_once('.').map_or("", |(_, e)| e);
        match extension {
            "csv" => self.csv,
            "json" => self.json,
            "png" | "svg" => self.charts,
            "html" => self.html,
            "xlsx" => self.xlsx,
            _ => true,
        }
    }

    /// Checks that every kind chosen is one that `command` writes (`writes`); the error names
    /// the kinds it does write.
    pub fn within(&self, command: &str, writes: Formats) -> Result<(), String> {
        let names = |f: &Formats| -> Vec<&'static str> {
            Self::NAMES
                .into_iter()
                .zip([f.csv, f.json, f.charts, f.html, f.xlsx])
                .filter_map(|(name, on)| on.then_some(name))
                .collect()
        };
        let unwritten: Vec<&str> = names(self)
            .into_iter()
            .filter(|n| !names(&writes).contains(n))
            .collect();
        if unwritten.is_empty() {
            return Ok(());
        }
        Err(format!(
            "--formats {}: {command} writes no {} files; it writes {}",
            names(self).join(","),
            unwritten.join(" or "),
            names(&writes).join(", ")
        ))
    }
}

/// Renders every file of a run: (file name, bytes). With `documents`, also each chart as PNG
/// and SVG, `report.html` (the charts inline) and `workbook.xlsx`.
pub fn render_all(run: &RunOutput, documents: bool) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    render_formats(
        run,
        if documents {
            Formats::ALL
        } else {
            Formats::DATA
        },
    )
}

/// Renders the files of a run of the kinds `formats` chooses, in the order [`render_all`]
/// writes them; the bytes of each file do not depend on which others are chosen.
pub fn render_formats(
    run: &RunOutput,
    formats: Formats,
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let mut files = data_exporters(run)
        .iter()
        .filter(|e| formats.includes(&e.file_name()))
        .map(|e| Ok((e.file_name(), e.render(run)?)))
        .collect::<Result<Vec<_>, ReportError>>()?;
    if formats.charts || formats.html {
        // Each figure drawn once per format, the figures in parallel; the report inlines the
        // SVGs, so they are drawn for it even when the chart files are not written. A chart
        // file carries its own font; the report carries one for all its charts.
        let drawn = figures::run_figures(run)
            .into_par_iter()
            .map(|f| {
                let png = if formats.charts { f.png()? } else { Vec::new() };
                let page = f.page_svg()?;
                let file = if formats.charts {
                    chart::font::standalone(&page)?
                } else {
                    String::new()
                };
                Ok((f.name, png, page, file))
            })
            .collect::<Result<Vec<_>, chart::ChartError>>()?;
        if formats.charts {
            for (name, png, _, file) in &drawn {
                files.push((format!("{name}.png"), png.clone()));
                files.push((format!("{name}.svg"), file.clone().into_bytes()));
            }
        }
        if formats.html {
            let inline: Vec<html::InlineChart<'_>> = drawn
                .iter()
                .map(|(name, _, svg, _)| html::InlineChart { name, svg })
                .collect();
            files.push((
                "report.html".into(),
                html::report(run, &inline)?.into_bytes(),
            ));
        }
    }
    if formats.xlsx {
        files.push((
            workbook::WorkbookXlsx.file_name(),
            workbook::WorkbookXlsx.render(run)?,
        ));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::Formats;

    #[test]
    fn formats_are_read_from_a_list_in_any_order() {
        assert_eq!(Formats::parse("json,csv"), Ok(Formats::DATA));
        assert_eq!(
            Formats::parse("xlsx, html ,charts,csv,json"),
            Ok(Formats::ALL)
        );
        let html = Formats::parse("html").unwrap_or(Formats::ALL);
        assert!(html.html && !html.csv && !html.json && !html.charts && !html.xlsx);
    }

    #[test]
    fn a_wrong_list_says_what_is_wrong() {
        assert_eq!(
            Formats::parse("csv,pdf"),
            Err("unknown format `pdf`; valid: csv, json, charts, html, xlsx".into())
        );
        assert_eq!(
            Formats::parse("csv,csv"),
            Err("`csv` is named twice".into())
        );
        assert!(Formats::parse("csv,").is_err());
    }

    #[test]
    fn a_file_is_of_the_kind_its_extension_says() {
        let charts = Formats::parse("charts").unwrap_or(Formats::ALL);
        assert!(charts.includes("cash_flow.png") && charts.includes("cash_flow.svg"));
        assert!(!charts.includes("sweep.json") && !charts.includes("sweep.csv"));
        assert!(Formats::DATA.includes("sweep.json") && Formats::DATA.includes("sweep.csv"));
        assert!(!Formats::DATA.includes("report.html") && !Formats::DATA.includes("workbook.xlsx"));
    }

    #[test]
    fn a_kind_the_command_does_not_write_is_named() {
        let writes = Formats::parse("csv,json,charts").unwrap_or(Formats::ALL);
        assert_eq!(Formats::DATA.within("sweep", writes), Ok(()));
        assert_eq!(
            Formats::parse("csv,html,xlsx").unwrap_or(Formats::ALL).within("sweep", writes),
            Err("--formats csv,html,xlsx: sweep writes no html or xlsx files; it writes csv, json, charts".into())
        );
    }
}
