//! A lesson for people: the terminal text, the HTML page for a projector (charts inline as
//! SVG, nothing fetched from anywhere) and `lesson.json` for programs.

use maud::{DOCTYPE, PreEscaped, html};
use serde::Serialize;

use crate::report::chart::ChartError;

use super::{Fact, LessonOutput, LessonProvenance, Section, Table};

const WIDTH: usize = 92;

fn wrap(out: &mut String, text: &str, indent: &str) {
    let options = textwrap::Options::new(WIDTH)
        .initial_indent(indent)
        .subsequent_indent(indent);
    for line in textwrap::wrap(text, options) {
        out.push_str(&line);
        out.push('\n');
    }
}

/// Columns padded to their widest cell; numbers ([`is_number`]) aligned right.
fn text_table(out: &mut String, t: &Table) {
    let columns = t.header.len();
    let width = |i: usize| {
        std::iter::once(&t.header)
            .chain(&t.rows)
            .filter_map(|r| r.get(i))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..columns).map(width).collect();
    let line = |out: &mut String, row: &[String]| {
        out.push_str("  ");
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            let pad = w.saturating_sub(cell.chars().count());
            if i > 0 && is_number(cell) {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            }
            out.push_str("  ");
        }
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    };
    line(out, &t.header);
    let rule: usize = widths.iter().sum::<usize>() + 2 * columns.saturating_sub(1);
    out.push_str(&format!("  {}\n", "─".repeat(rule)));
    for row in &t.rows {
        line(out, row);
    }
}

/// The story as plain text.
pub fn text(lesson: &LessonOutput) -> String {
    let p = &lesson.provenance;
    let mut out = String::new();
    let title = format!("Lesson: {}", lesson.lesson.title());
    out.push_str(&format!("{title}\n{}\n", "═".repeat(title.chars().count())));
    out.push_str(&format!(
        "loyalty-sim {} · {} · seed {} · {} trials × {} customers\n",
        p.version,
        p.scenarios
            .iter()
            .map(|s| s.0.as_str())
            .collect::<Vec<_>>()
            .join(" + "),
        p.seed,
        p.trials,
        crate::money::format_number(p.customers as f64, 0)
    ));
    for s in &lesson.sections {
        out.push_str(&format!(
            "\n{}\n{}\n",
            s.heading,
            "─".repeat(s.heading.chars().count())
        ));
        for para in &s.paragraphs {
            wrap(&mut out, para, "");
            out.push('\n');
        }
        if let Some(t) = &s.table {
            text_table(&mut out, t);
            out.push('\n');
        }
    }
    out.push_str("In short\n────────\n");
    wrap(&mut out, &lesson.conclusion, "");
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a;
  max-width: 1200px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.5; font-size: 18px; }
h1 { font-size: 2rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.4rem; margin-top: 2.2rem; border-bottom: 2px solid #0072b2; padding-bottom: 0.2rem; }
.subtitle { color: #555; margin-top: 0; }
.conclusion { background: #eef6fb; border-left: 6px solid #0072b2; padding: 0.9rem 1.1rem; font-size: 1.15rem; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; }
th, td { padding: 0.3rem 0.8rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #333; }
tbody tr:nth-child(even) { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1.4rem 0 2rem; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { color: #333; margin-top: 0.3rem; }
.meta { color: #555; font-size: 0.85rem; overflow-wrap: anywhere; }
"#;

/// A cell that holds a number: it has a digit and does not start with a letter (so `€1,234`,
/// `-5.7%` and `2.51` are numbers, `€5.00 at 500 points` too, `true loyalty` is not).
fn is_number(cell: &str) -> bool {
    cell.chars().any(|c| c.is_ascii_digit())
        && !cell.chars().next().is_some_and(char::is_alphabetic)
}

/// The page: the story, its tables and its charts (as SVG drawn for a page, see
/// [`crate::report::chart::Figure::page_svg`], in the order given), their font in its head.
pub fn html(lesson: &LessonOutput, svgs: &[String]) -> Result<String, ChartError> {
    let fonts = crate::report::chart::font::page_font_faces(svgs.iter().map(String::as_str))?;
    let p = &lesson.provenance;
    let section = |s: &Section| {
        html! {
            h2 { (s.heading) }
            @for para in &s.paragraphs { p { (para) } }
            @if let Some(t) = &s.table {
                table {
                    thead { tr { @for h in &t.header { th { (h) } } } }
                    tbody {
                        @for row in &t.rows {
                            tr {
                                @for (i, cell) in row.iter().enumerate() {
                                    @if i > 0 && is_number(cell) { td.num { (cell) } } @else { td { (cell) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("loyalty-sim {}", p.version));
                title { "Lesson: " (lesson.lesson.title()) }
                style { (PreEscaped(STYLE)) (PreEscaped(fonts)) }
            }
            body {
                h1 { (lesson.lesson.title()) }
                p.subtitle { (lesson.lesson.summary()) }
                p.conclusion { (lesson.conclusion) }
                @for s in &lesson.sections { (section(s)) }
                h2 { "Charts" }
                @for (f, svg) in lesson.figures.iter().zip(svgs) {
                    figure {
                        (PreEscaped(svg))
                        figcaption { (f.caption) }
                    }
                }
                p.meta {
                    "loyalty-sim " (p.version) " · lesson " (p.lesson) " · seed " (p.seed) " · "
                    (p.trials) " trials × " (crate::money::format_number(p.customers as f64, 0))
                    " customers · "
                    @for (path, hash) in &p.scenarios { (path) " (sha256 " (hash) ") " }
                }
            }
        }
    }
    .into_string())
}

#[derive(Serialize)]
struct Json<'a> {
    provenance: &'a LessonProvenance,
    conclusion: &'a str,
    facts: &'a [Fact],
    sections: &'a [Section],
}

/// `lesson.json`: provenance, every quoted number at full precision, and the story.
pub fn json(lesson: &LessonOutput) -> String {
    let doc = Json {
        provenance: &lesson.provenance,
        conclusion: &lesson.conclusion,
        facts: &lesson.facts,
        sections: &lesson.sections,
    };
    // Plain data (strings and finite or non-finite floats, which serde_json writes as null):
    // serialising cannot fail.
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
