//! The workbook of a decision's [`Document`]: a Summary sheet (provenance, the answer, the
//! notes), then each table on a sheet of its own, laid out as the run's data sheets are
//! ([`super::layout::data_table`]: an Excel table with filters, wrapped headers, frozen panes,
//! print setup). Numbers are stored at full precision; money carries the currency's format with
//! the decimals the report shows.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};

use super::layout::{self, Shown, Widths};
use super::{money_format, xlsx};
use crate::report::ReportError;
use crate::report::console::Unit;
use crate::report::document::{Cell, Document, Table};

/// The number format of a cell: money with its decimals, a percentage, a count, or General.
fn format_of(cell_unit: Option<Unit>, decimals: usize, doc: &Document) -> Format {
    let places = |d: usize| {
        if d == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(d))
        }
    };
    match cell_unit {
        Some(Unit::Money) => money_format(&doc.currency, decimals),
        Some(Unit::Percent) => Format::new().set_num_format(format!("0{}%", places(decimals))),
        Some(Unit::Points | Unit::People) => Format::new().set_num_format("#,##0"),
        None if decimals > 0 => Format::new().set_num_format(format!("0{}", places(decimals))),
        None => Format::new(),
    }
}

/// How a cell is shown, for its column's width.
fn shown(cell_unit: Option<Unit>) -> Shown {
    match cell_unit {
        Some(Unit::Money) => Shown::Money,
        Some(Unit::Percent) => Shown::Percent,
        Some(Unit::Points | Unit::People) => Shown::Count,
        None => Shown::General,
    }
}

/// An Excel table's name from a sheet's: letters, digits and underscores.
fn table_name(sheet: &str) -> String {
    let name: String = sheet
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("T_{name}")
}

/// The Summary sheet: title, provenance, the answer and the notes, one per row.
fn summary(sheet: &mut Worksheet, doc: &Document) -> Result<(), ReportError> {
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    sheet
        .write_string_with_format(0, 0, &doc.title, &title)
        .map_err(xlsx)?;
    sheet.write_string(1, 0, &doc.subtitle).map_err(xlsx)?;
    let mut r = 3u32;
    for (k, v) in &doc.meta {
        sheet
            .write_string_with_format(r, 0, k, &bold)
            .map_err(xlsx)?;
        sheet
            .write_string_with_format(r, 1, v, &wrap)
            .map_err(xlsx)?;
        r += 1;
    }
    r += 1;
    sheet
        .write_string_with_format(r, 0, "In short", &bold)
        .map_err(xlsx)?;
    sheet
        .write_string_with_format(r, 1, &doc.verdict, &wrap)
        .map_err(xlsx)?;
    // About 100 characters a line in a column 100 wide.
    let lines = doc.verdict.chars().count().div_ceil(95).max(1);
    sheet
        .set_row_height(r, 15.0 * lines as f64 + 2.0)
        .map_err(xlsx)?;
    r += 1;
    for w in &doc.warnings {
        sheet
            .write_string_with_format(r, 0, "Note", &bold)
            .map_err(xlsx)?;
        sheet
            .write_string_with_format(r, 1, w, &wrap)
            .map_err(xlsx)?;
        let lines = w.chars().count().div_ceil(95).max(1);
        sheet
            .set_row_height(r, 15.0 * lines as f64 + 2.0)
            .map_err(xlsx)?;
        r += 1;
    }
    r += 1;
    sheet
        .write_string_with_format(r, 0, "Sheets", &bold)
        .map_err(xlsx)?;
    for t in &doc.tables {
        sheet
            .write_string(r, 1, format!("{}: {}", t.sheet, t.title))
            .map_err(xlsx)?;
        r += 1;
    }
    r += 1;
    for m in &doc.method {
        sheet
            .write_string_with_format(r, 1, m, &wrap)
            .map_err(xlsx)?;
        let lines = m.chars().count().div_ceil(95).max(1);
        sheet
            .set_row_height(r, 15.0 * lines as f64 + 2.0)
            .map_err(xlsx)?;
        r += 1;
    }
    sheet.set_column_width(0, 22).map_err(xlsx)?;
    sheet.set_column_width(1, 100).map_err(xlsx)?;
    sheet.set_portrait();
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// One table on its own sheet, its note two rows under it.
fn table_sheet(sheet: &mut Worksheet, t: &Table, doc: &Document) -> Result<(), ReportError> {
    let mut widths = Widths::new(&doc.currency.symbol);
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(r, c, text).map_err(xlsx)?;
                    widths.text(c, text.chars().count());
                }
                Cell::Number {
                    value,
                    unit,
                    decimals,
                    ..
                } => {
                    sheet
                        .write_number_with_format(r, c, *value, &format_of(*unit, *decimals, doc))
                        .map_err(xlsx)?;
                    widths.number(c, *value, shown(*unit));
                }
            }
        }
    }
    let last = t.rows.len() as u32;
    // An Excel table's column names are distinct: a repeated title gets its number.
    let mut titles: Vec<String> = Vec::with_capacity(t.columns.len());
    for title in &t.columns {
        let mut name = title.clone();
        let mut k = 2;
        while titles.iter().any(|x| x.eq_ignore_ascii_case(&name)) {
            name = format!("{title} ({k})");
            k += 1;
        }
        titles.push(name);
    }
    layout::data_table(sheet, &table_name(&t.sheet), &titles, last, &widths)?;
    if !t.note.is_empty() {
        sheet.write_string(last + 2, 0, &t.note).map_err(xlsx)?;
    }
    Ok(())
}

/// The workbook of `doc`: Summary, then a sheet per table, in the document's order.
pub fn document_workbook(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    // A fixed creation date, so the same analysis gives the same bytes.
    book.set_properties(
        &DocProperties::new()
            .set_title(&doc.title)
            .set_comment(
                doc.meta
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(" · "),
            )
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx)?),
    );
    summary(book.add_worksheet().set_name("Summary").map_err(xlsx)?, doc)?;
    for t in &doc.tables {
        table_sheet(
            book.add_worksheet().set_name(&t.sheet).map_err(xlsx)?,
            t,
            doc,
        )?;
    }
    book.save_to_buffer().map_err(xlsx)
}

#[cfg(test)]
mod tests {
    use super::table_name;

    #[test]
    fn a_table_is_named_from_its_sheet_in_letters_digits_and_underscores() {
        assert_eq!(table_name("Values tried"), "T_Values_tried");
        assert_eq!(table_name("Sobol (NPV)"), "T_Sobol__NPV_");
    }
}
