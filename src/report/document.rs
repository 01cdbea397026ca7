//! The documents of a decision (compare, sweep, optimise, tornado and its Sobol indices): a
//! [`Document`] of tables and charts, rendered as `report.html` here, with the run report's
//! styles and figures ([`super::html`]), and as `workbook.xlsx` by [`super::workbook`]. Each
//! number is kept twice: at full precision for the workbook, and as shown, rounded to what its
//! Monte Carlo error supports ([`super::console::show_at`]), for the report.

use maud::{DOCTYPE, PreEscaped, html};

use super::chart::ChartError;
use super::chart::font::page_font_faces;
use super::console::{Unit, show_at};
use super::html::{InlineChart, STYLE, inline_figure};
use crate::money::Currency;

/// One cell of a document's table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A text (a name, a mark, an interval written out).
    Text(String),
    /// A number.
    Number {
        /// The value, at full precision (what the workbook stores).
        value: f64,
        /// The value as the report shows it.
        shown: String,
        /// How it reads; `None` for a plain number (an input's value).
        unit: Option<Unit>,
        /// Decimals the workbook shows (of the percentage for a share).
        decimals: usize,
    },
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    /// `value` in `unit` shown to the decimal place `place` (see
    /// [`super::console::error_place`]).
    pub fn at(value: f64, unit: Unit, currency: &Currency, place: i32) -> Cell {
        // Decimals of the amount, of the percentage (a share's place less two), of the count.
        let decimals = match unit {
            Unit::Money => (-place).clamp(0, 2),
            Unit::Percent => (-place - 2).clamp(0, 3),
            Unit::Points | Unit::People => 0,
        };
        Cell::Number {
            value,
            shown: show_at(value, unit, currency, place),
            unit: Some(unit),
            decimals: usize::try_from(decimals).unwrap_or(0),
        }
    }

    /// A plain number (an input's value), shown as the scenario would write it.
    pub fn plain(value: f64) -> Cell {
        Cell::Number {
            value,
            shown: super::labels::value(value),
            unit: None,
            decimals: 0,
        }
    }

    /// A number shown as `shown` (e.g. a Sobol index to the place its interval supports).
    pub fn shown(value: f64, shown: String, decimals: usize) -> Cell {
        Cell::Number {
            value,
            shown,
            unit: None,
            decimals,
        }
    }

    /// What the report shows.
    pub fn as_shown(&self) -> &str {
        match self {
            Cell::Text(t) => t,
            Cell::Number { shown, .. } => shown,
        }
    }
}

/// A table of a document: a section of the report and a sheet of the workbook.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its heading.
    pub title: String,
    /// The workbook sheet's name (at most 31 characters, unique in the document).
    pub sheet: String,
    /// Column titles.
    pub columns: Vec<String>,
    /// Rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// What the table shows and how it is rounded.
    pub note: String,
}

/// A decision as a document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The page's title.
    pub title: String,
    /// One line under it: what was analysed, how.
    pub subtitle: String,
    /// Who produced it: (label, value), e.g. version, seed, scenario files and their SHA-256.
    pub meta: Vec<(String, String)>,
    /// The answer in a sentence or two.
    pub verdict: String,
    /// Things the reader must know before trusting the answer.
    pub warnings: Vec<String>,
    /// The tables; the first is the summary, on the first printed page.
    pub tables: Vec<Table>,
    /// The charts to show: (file name without extension, caption).
    pub charts: Vec<(String, String)>,
    /// How the numbers are made, a paragraph each.
    pub method: Vec<String>,
    /// The other files of the analysis, in a sentence.
    pub files: String,
    /// Currency of the amounts.
    pub currency: Currency,
}

/// The report of `doc` with `charts` (name, SVG drawn for a page: see
/// [`super::chart::font::page_svg`]) inline, in the order `doc.charts` gives, and their font
/// in its head.
pub fn report(doc: &Document, charts: &[(String, String)]) -> Result<String, ChartError> {
    let svg = |name: &str| charts.iter().find(|(n, _)| n == name).map(|(_, s)| s);
    let figures: Vec<(InlineChart<'_>, &str)> = doc
        .charts
        .iter()
        .filter_map(|(name, caption)| {
            svg(name).map(|s| {
                (
                    InlineChart {
                        name: name.as_str(),
                        svg: s.as_str(),
                    },
                    caption.as_str(),
                )
            })
        })
        .collect();
    let fonts = page_font_faces(figures.iter().map(|(c, _)| c.svg))?;
    let table = |t: &Table| {
        // A column of names reads from the left, a column of numbers (or marks beside them)
        // from the right.
        let names: Vec<bool> = (0..t.columns.len())
            .map(|i| {
                i == 0
                    || t.rows.iter().all(|r| {
                        matches!(r.get(i), Some(Cell::Text(x)) if x.chars().any(char::is_alphabetic))
                    })
            })
            .collect();
        html! {
            div.scroll { table.decision {
                thead { tr {
                    @for (c, name) in t.columns.iter().zip(&names) {
                        @if *name { th { (c) } } @else { th.num { (c) } }
                    }
                } }
                tbody { @for row in &t.rows { tr {
                    @for (cell, name) in row.iter().zip(&names) {
                        @if *name { td { (cell.as_shown()) } } @else { td.num { (cell.as_shown()) } }
                    }
                } } }
            } }
            @if !t.note.is_empty() { p.note { (t.note) } }
        }
    };
    let marks_best = doc.tables.iter().any(|t| {
        t.rows
            .iter()
            .flatten()
            .any(|c| matches!(c, Cell::Text(x) if x == "≈ best"))
    });
    let (first, rest) = match doc.tables.split_first() {
        Some((f, r)) => (Some(f), r),
        None => (None, &[][..]),
    };
    Ok(html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("loyalty-sim ", env!("CARGO_PKG_VERSION")));
                title { (doc.title) }
                style { (PreEscaped(STYLE)) (PreEscaped(fonts)) }
            }
            body {
                header {
                    h1 { (doc.title) }
                    p.subtitle { (doc.subtitle) }
                    dl.meta {
                        @for (k, v) in &doc.meta { dt { (k) } dd { (v) } }
                    }
                }
                p.verdict { b { "In short: " } (doc.verdict) }
                @for w in &doc.warnings { p.warning { b { "Note: " } (w) } }
                section.summary.decision id="summary" {
                    @if let Some(t) = first {
                        h2 { (t.title) }
                        (table(t))
                    }
                    @if let Some((chart, caption)) = figures.first() {
                        (inline_figure(chart, caption))
                    }
                    p.note.glossary {
                        b { "Glossary: " }
                        b { "MC error" } " — the Monte Carlo standard error of a mean (sd/√trials), how precisely the trials pin it down; "
                        b { "pp" } " — percentage points; "
                        b { "band" } " — the 5th to 95th percentile over trials, where 90% of outcomes fall"
                        @if marks_best {
                            "; " b { "≈ best" } " — as good as the best within Monte Carlo error (the 95% interval of the paired, trial-by-trial difference includes zero)"
                        }
                        "."
                    }
                }
                @for t in rest {
                    h2 { (t.title) }
                    (table(t))
                }
                @if figures.len() > 1 {
                    h2 id="charts" { "Charts" }
                    div.charts {
                        @for (chart, caption) in figures.iter().skip(1) {
                            (inline_figure(chart, caption))
                        }
                    }
                }
                h2 id="method" { "How these numbers are made" }
                ul { @for m in &doc.method { li { (m) } } }
                h2 { "Files of this analysis" }
                p.note { (doc.files) }
            }
        }
    }
    .into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_keeps_its_value_and_shows_it_rounded() {
        let eur = Currency::from_code("EUR").unwrap_or_else(|| unreachable!());
        // An error of 1,234 keeps two figures (leading digits 123): the value to the hundred.
        let place = super::super::console::money_place(1_234.0, 98_765.4).unwrap_or(0);
        assert_eq!(place, 2);
        let cell = Cell::at(98_765.4, Unit::Money, &eur, place);
        assert_eq!(cell.as_shown(), "€98,800");
        assert!(matches!(cell, Cell::Number { value, decimals: 0, .. } if value == 98_765.4));
        let share = Cell::at(0.4567, Unit::Percent, &eur, -3);
        assert_eq!(share.as_shown(), "45.7%");
    }
}
