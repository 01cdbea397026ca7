//! The layouts a transaction log comes in besides delimited CSV, each turned into what the
//! CSV and CDNOW readers of [`super::transactions`] read, line for line, so every bad row is
//! still reported at its own line (or spreadsheet row) and column:
//! - columns separated by runs of spaces, with a header row, fields optionally in double
//!   quotes (`"Jane Doe" 1997-01-01 12.50`) → CSV text;
//! - an Excel workbook (`.xlsx`), its first sheet, read with calamine → CSV text with one line
//!   per sheet row (date cells become `YYYY-MM-DD`);
//! - the CDNOW layouts, 5 columns (the 1/10 sample: id, sample id, date, CDs, dollars) or 4
//!   (the full cohort: id, date, CDs, dollars), with or without a header line.

use std::fmt::Write as _;
use std::io::Cursor;

use calamine::{Data, Reader as _, Xlsx};

/// Whether `bytes` are a zip archive, which a `.xlsx` workbook is.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The fields of one whitespace-separated line: runs of spaces (or tabs) separate fields; a
/// field that starts with `"` runs to the matching `"` and may hold spaces, with `""` for a
/// quote inside. `Err` names the 1-based field whose quote is never closed.
pub fn split_whitespace_quoted(line: &str) -> Result<Vec<String>, usize> {
    let mut fields = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else {
            return Ok(fields);
        };
        let mut field = String::new();
        if first == '"' {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        closed = true;
                        break;
                    }
                } else {
                    field.push(c);
                }
            }
            if !closed {
                return Err(fields.len() + 1);
            }
            // Anything glued to the closing quote belongs to the same field.
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                field.push(c);
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                field.push(c);
                chars.next();
            }
        }
        fields.push(field);
    }
}

/// `field` as a CSV field: quoted when it holds a comma, a quote or a line end.
fn csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// A whitespace-separated file as comma-separated text with the same lines. `Err((line,
/// field))` for a quote never closed.
pub fn whitespace_to_csv(text: &str) -> Result<String, (u64, usize)> {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let fields = split_whitespace_quoted(line).map_err(|field| (i as u64 + 1, field))?;
        for (j, f) in fields.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            csv_field(&mut out, f);
        }
    }
    Ok(out)
}

/// The first sheet of an `.xlsx` workbook as CSV text, line n holding sheet row n (blank rows
/// above the first used one kept as empty lines). Numbers are written as Rust prints them
/// (`29.33`), dates as `YYYY-MM-DD` (with `THH:MM:SS` when they have a time of day), error
/// cells as their Excel text (`#N/A`), which the reader then refuses with its row and column.
pub fn xlsx_to_csv(bytes: &[u8]) -> Result<String, String> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| e.to_string())?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or("the workbook has no sheet")?
        .map_err(|e| e.to_string())?;
    let Some((first_row, first_column)) = range.start() else {
        return Ok(String::new());
    };
    let mut out = String::new();
    for _ in 0..first_row {
        out.push('\n');
    }
    for row in range.rows() {
        for _ in 0..first_column {
            out.push(',');
        }
        for (j, cell) in row.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let text = match cell {
                Data::Empty => String::new(),
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => String::from(if *b { "TRUE" } else { "FALSE" }),
                Data::DateTime(d) => match d.as_datetime() {
                    Some(t) if t.time() == chrono::NaiveTime::MIN => {
                        t.date().format("%Y-%m-%d").to_string()
                    }
                    Some(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
                    None => format!("{}", d.as_f64()),
                },
                Data::Error(e) => format!("{e}"),
            };
            csv_field(&mut out, &text);
        }
        let _ = writeln!(out);
    }
    Ok(out)
}

/// Which CDNOW layout a row of whitespace-separated fields is: 5 (the sample: id, sample id,
/// `YYYYMMDD`, CDs, dollars) or 4 (the full cohort: id, `YYYYMMDD`, CDs, dollars); `None` if
/// it is neither (a header, or another file).
pub fn cdnow_row(fields: &[&str]) -> Option<usize> {
    let date = |f: &str| f.len() == 8 && f.bytes().all(|b| b.is_ascii_digit());
    let number = |f: &str| !f.is_empty() && f.parse::<f64>().is_ok();
    match fields {
        [_, _, d, q, a] if date(d) && number(q) && number(a) => Some(5),
        [_, d, q, a] if date(d) && number(q) && number(a) => Some(4),
        _ => None,
    }
}

/// The CDNOW layout of `text`: (fields per row, whether the first non-empty line is a header)
/// — a first line that is not a data row, with as many fields as the data row after it, is a
/// header. `None` if neither of the first two non-empty lines is a CDNOW row.
pub fn cdnow_layout(text: &str) -> Option<(usize, bool)> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first: Vec<&str> = lines.next()?.split_whitespace().collect();
    if let Some(n) = cdnow_row(&first) {
        return Some((n, false));
    }
    let second: Vec<&str> = lines.next()?.split_whitespace().collect();
    match cdnow_row(&second) {
        Some(n) if first.len() == n => Some((n, true)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_their_spaces_and_quotes() {
        assert_eq!(
            split_whitespace_quoted(r#"  "Jane ""JD"" Doe"   1997-01-01 12.50 "#).unwrap(),
            vec![r#"Jane "JD" Doe"#, "1997-01-01", "12.50"]
        );
        assert_eq!(split_whitespace_quoted(r#"a "b c"#), Err(2));
        assert_eq!(
            whitespace_to_csv("id date amount\n\"A, B\" 19970101 1,5\n").unwrap(),
            "id,date,amount\n\"A, B\",19970101,\"1,5\"\n"
        );
    }

    #[test]
    fn both_cdnow_layouts_are_told_with_or_without_a_header() {
        let five = " 00004 0001 19970101  2   29.33\n";
        let four = "00004 19970101  2   29.33\n";
        assert_eq!(cdnow_layout(five), Some((5, false)));
        assert_eq!(cdnow_layout(four), Some((4, false)));
        assert_eq!(
            cdnow_layout(&format!("id date cds dollars\n{four}")),
            Some((4, true))
        );
        assert_eq!(
            cdnow_layout("customer_id date amount\nA 1997-01-01 3\n"),
            None
        );
    }
}
