//! The layout of a data sheet for reading and printing: a wrapped header row, an Excel table
//! with filters, columns as wide as their widest number (no `###`), the header row and first
//! column frozen, printed landscape as few pages wide as stay readable, with the header row
//! and the first column on every page.

use rust_xlsxwriter::{Format, FormatAlign, Table, TableColumn, TableStyle, Worksheet};

use super::xlsx;
use crate::report::ReportError;

/// How a number is shown, for the width of its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shown {
    /// In the currency, whole units with thousands separators.
    Money,
    /// A percentage with one decimal.
    Percent,
    /// A whole count with thousands separators.
    Count,
    /// As Excel's General format shows it.
    General,
}

/// The widest text each column shows, in characters.
#[derive(Debug, Clone)]
pub(super) struct Widths {
    chars: Vec<usize>,
    /// Characters the currency symbol adds to an amount (`€` 1, ` kr` 3).
    symbol: usize,
}

impl Widths {
    /// No column seen yet; amounts carry a symbol of `symbol` characters.
    pub(super) fn new(symbol: &str) -> Widths {
        let n = symbol.chars().count();
        Widths {
            chars: Vec::new(),
            symbol: if n == 1 { 1 } else { n + 1 },
        }
    }

    /// Notes `v` shown as `shown` in column `col`.
    pub(super) fn number(&mut self, col: u16, v: f64, shown: Shown) {
        let whole = |x: f64| {
            let digits = format!("{:.0}", x.abs()).len();
            digits + (digits.saturating_sub(1)) / 3 + usize::from(x < 0.0)
        };
        let chars = match shown {
            Shown::Money => whole(v) + self.symbol,
            Shown::Count => whole(v),
            Shown::Percent => whole(v * 100.0) + 3,
            // General shows up to about 11 characters.
            Shown::General => format!("{v}").len().min(11),
        };
        self.text(col, chars);
    }

    /// Notes a text of `chars` characters in column `col`.
    pub(super) fn text(&mut self, col: u16, chars: usize) {
        let col = usize::from(col);
        if self.chars.len() <= col {
            self.chars.resize(col + 1, 0);
        }
        self.chars[col] = self.chars[col].max(chars);
    }

    fn of(&self, col: usize) -> usize {
        self.chars.get(col).copied().unwrap_or(0)
    }
}

/// Lays `sheet` out as a data table: `titles` as the header row (row 0) and the data in rows
/// 1 to `last_row`, named `name` for Excel's structured references.
pub(super) fn data_table(
    sheet: &mut Worksheet,
    name: &str,
    titles: &[String],
    last_row: u32,
    widths: &Widths,
) -> Result<(), ReportError> {
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let mut lines = 1usize;
    let mut total = 0usize;
    for (col, title) in titles.iter().enumerate() {
        // Room for the number with a margin, for the longest word of the title beside the
        // filter button, and never narrower than a short date.
        let word = title
            .split(' ')
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        let width = (widths.of(col) + 2).max(word + 3).clamp(9, 40);
        lines = lines.max(
            title
                .chars()
                .count()
                .div_ceil(width.saturating_sub(3).max(1)),
        );
        total += width;
        sheet
            .set_column_width(col as u16, width as f64)
            .map_err(xlsx)?;
    }
    let last_col = titles.len().saturating_sub(1) as u16;
    if last_row >= 1 {
        let columns: Vec<TableColumn> = titles
            .iter()
            .enumerate()
            .map(|(col, t)| {
                // Over the numbers, right-aligned like them.
                let format = if col == 0 {
                    header.clone()
                } else {
                    header.clone().set_align(FormatAlign::Right)
                };
                TableColumn::new()
                    .set_header(t.as_str())
                    .set_header_format(format)
            })
            .collect();
        let table = Table::new()
            .set_name(name)
            .set_style(TableStyle::Light1)
            .set_columns(&columns);
        sheet
            .add_table(0, 0, last_row, last_col, &table)
            .map_err(xlsx)?;
    } else {
        for (col, t) in titles.iter().enumerate() {
            sheet
                .write_string_with_format(0, col as u16, t, &header)
                .map_err(xlsx)?;
        }
    }
    sheet
        .set_row_height(0, 15.0 * lines as f64 + 3.0)
        .map_err(xlsx)?;
    sheet.set_freeze_panes(1, 1).map_err(xlsx)?;
    print_wide(sheet, total);
    sheet.set_repeat_rows(0, 0).map_err(xlsx)?;
    sheet.set_repeat_columns(0, 0).map_err(xlsx)?;
    Ok(())
}

/// Characters of column width a landscape page holds at the smallest scale still easy to
/// read (about 70%).
const PAGE_CHARS: usize = 180;

/// Prints `sheet`, whose columns are `width` characters wide in all, landscape and as many
/// pages wide as it needs to stay readable (one when it fits), pages down as many as it takes.
pub(super) fn print_wide(sheet: &mut Worksheet, width: usize) {
    let pages = width.div_ceil(PAGE_CHARS).max(1);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(u16::try_from(pages).unwrap_or(u16::MAX), 0);
}
