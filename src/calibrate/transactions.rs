//! Reading a transaction log: a CSV file with a header row (column names configurable; comma,
//! semicolon or tab), or the whitespace-separated CDNOW format. Every row is checked; a bad
//! row is an error naming its line and column, or, when asked, skipped and counted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::log_formats;
use crate::scenario::diagnostic::shorten;

/// Which layout the file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row naming the columns.
    Csv,
    /// The CDNOW layout: customer id, id within the sample, `YYYYMMDD`, quantity, amount
    /// (the 1/10 sample), or customer id, `YYYYMMDD`, quantity, amount (the full cohort),
    /// separated by whitespace, with or without a header line.
    Cdnow,
    /// Columns separated by runs of spaces, with a header row naming them (read by name as a
    /// CSV file is); fields with spaces in double quotes.
    Whitespace,
}

/// Names of the CSV columns to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Customer identifier.
    pub customer: String,
    /// Date of the purchase.
    pub date: String,
    /// Money spent.
    pub amount: String,
    /// Items bought, if the file has them.
    pub quantity: Option<String>,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            customer: "customer_id".into(),
            date: "date".into(),
            amount: "amount".into(),
            quantity: None,
        }
    }
}

/// How to read a log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// The layout; `None` tells it from the first line (five whitespace-separated fields with
    /// an 8-digit date in the third: CDNOW; anything else: CSV).
    pub format: Option<Format>,
    /// The CSV columns to read.
    pub columns: Columns,
    /// A chrono format for dates (e.g. `%d/%m/%Y`); `None` accepts `YYYY-MM-DD`, `YYYYMMDD`,
    /// `YYYY/MM/DD` and `DD.MM.YYYY`, each optionally followed by a time, which is ignored.
    pub date_format: Option<String>,
    /// Skip and count bad rows instead of stopping at the first.
    pub skip_bad_rows: bool,
    /// The decimal mark of the amounts: told from them by default ([`DecimalMark::Auto`]),
    /// or given; with a mark given (or found), thousands separators of the other mark are
    /// read (`1.234,50` with the comma, `1,234.50` with the point).
    pub decimal: DecimalMark,
}

/// Which mark separates the decimals of the amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalMark {
    /// Told from the amounts: see [`detect_decimal`].
    #[default]
    Auto,
    /// `1234.50`, or with thousands separators `1,234.50`.
    Point,
    /// `1234,50`, or with thousands separators `1.234,50` (in a file not separated by commas,
    /// or quoted).
    Comma,
}

impl DecimalMark {
    /// The mark itself: `.` or `,` (`auto` for [`DecimalMark::Auto`]).
    pub fn symbol(self) -> &'static str {
        match self {
            DecimalMark::Auto => "auto",
            DecimalMark::Point => ".",
            DecimalMark::Comma => ",",
        }
    }
}

/// How the decimal mark of a log's amounts was settled, to state with the results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecimalReading {
    /// The mark the amounts were read with: `.` or `,`.
    pub mark: &'static str,
    /// `given` (with `--decimal`), `detected` (from the amounts), `none needed` (no amount
    /// has a decimal or thousands mark) or `workbook` (numbers of an `.xlsx` sheet).
    pub how: &'static str,
    /// When detected: the first amount that told, and its line.
    pub evidence: Option<(u64, String)>,
}

impl DecimalReading {
    /// One sentence for people: "decimal comma, detected (line 2: `29,33`)".
    pub fn describe(&self) -> String {
        let name = if self.mark == "," {
            "decimal comma"
        } else {
            "decimal point"
        };
        match (&self.evidence, self.how) {
            (Some((line, text)), _) => format!(
                "{name}, detected from the amounts (first told by line {line}: `{text}`; no amount reads otherwise)"
            ),
            (None, "given") => format!("{name}, given with --decimal"),
            (None, "workbook") => "numbers of the workbook (no decimal mark to read)".into(),
            (None, _) => "no amount has a decimal or thousands mark (whole amounts)".into(),
        }
    }
}

/// What one amount's marks say about the decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clue {
    /// No `,` or `.`: either reads it.
    None,
    /// Only the decimal point reads it.
    Point,
    /// Only the decimal comma reads it.
    Comma,
    /// Either reads it, differently: one mark followed by exactly three digits (`1,234`).
    Ambiguous,
}

/// The clue of one amount: with both marks the last is the decimal one (`1.234,56`); one mark
/// several times is a thousands separator (`1,234,567`: the point is the decimal mark); one
/// mark once is the decimal mark unless exactly three digits follow it, which a thousands
/// separator would also give (`1,234`).
fn clue(text: &str) -> Clue {
    let t = text.trim();
    let (commas, points) = (t.matches(',').count(), t.matches('.').count());
    match (commas, points) {
        (0, 0) => Clue::None,
        (_, 0) if commas > 1 => Clue::Point,
        (0, _) if points > 1 => Clue::Comma,
        (1, 0) | (0, 1) => {
            let mark = if commas == 1 { ',' } else { '.' };
            let after = t.rsplit(mark).next().unwrap_or("");
            let three = after.len() == 3 && after.bytes().all(|b| b.is_ascii_digit());
            match (three, mark) {
                (true, _) => Clue::Ambiguous,
                (false, ',') => Clue::Comma,
                (false, _) => Clue::Point,
            }
        }
        _ => {
            if t.rfind(',') > t.rfind('.') {
                Clue::Comma
            } else {
                Clue::Point
            }
        }
    }
}

/// One purchase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transaction {
    /// Index of the customer in [`TransactionLog::customer_ids`].
    pub customer: u32,
    /// Day of the purchase.
    pub date: NaiveDate,
    /// Money spent (≥ 0).
    pub amount: f64,
    /// Items bought, when the file has a quantity column.
    pub quantity: Option<f64>,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    /// Line in the file (the header is line 1 in a CSV file).
    pub line: u64,
    /// The column at fault.
    pub column: String,
    /// What was wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column `{}`: {}",
            self.line, self.column, self.message
        )
    }
}

/// A log read into memory.
#[derive(Debug, Clone, Default)]
pub struct TransactionLog {
    /// The purchases, in file order.
    pub transactions: Vec<Transaction>,
    /// Customer identifiers as written in the file, by index.
    pub customer_ids: Vec<String>,
    /// Rows skipped with `skip_bad_rows`: their number and the first few.
    pub skipped: u64,
    /// The first [`KEPT_EXAMPLES`] skipped rows, to show.
    pub skipped_examples: Vec<BadRow>,
    /// Whether the file had a quantity column.
    pub has_quantity: bool,
    /// How the amounts' decimal mark was settled.
    pub decimal: DecimalReading,
}

impl Default for DecimalReading {
    fn default() -> Self {
        DecimalReading {
            mark: ".",
            how: "none needed",
            evidence: None,
        }
    }
}

/// How many skipped rows are kept to show.
pub const KEPT_EXAMPLES: usize = 5;

/// Why a log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file holds no transactions.
    #[error("{} holds no transactions{}", path.display(), if *header_only { " (only a header row)" } else { " (it is empty)" })]
    Empty {
        /// The file.
        path: PathBuf,
        /// Whether there was a header.
        header_only: bool,
    },
    /// A required column is not in the header.
    #[error("{}, line 1: no column `{column}` (the header has: {found}); name the {role} column with {flag}", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The name looked for.
        column: String,
        /// What the column holds.
        role: &'static str,
        /// The flag that names it.
        flag: &'static str,
        /// The header's column names.
        found: String,
    },
    /// The header names a column twice.
    #[error("{}, line 1: the header names the column `{column}` twice (fields {first} and {second}); rename one, so that it is clear which is read", path.display())]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The name.
        column: String,
        /// Its first field (1-based).
        first: usize,
        /// Its second field (1-based).
        second: usize,
    },
    /// A row is malformed.
    #[error("{}, {row}{}", path.display(), if *skippable { " (or pass --skip-bad-rows to skip such rows)" } else { "" })]
    BadRow {
        /// The file.
        path: PathBuf,
        /// The row.
        row: BadRow,
        /// Whether --skip-bad-rows would help.
        skippable: bool,
    },
    /// A zip file that is not an `.xlsx` workbook calamine can read.
    #[error("cannot read {} as an Excel workbook (.xlsx): {why}; save it as .xlsx or CSV", path.display())]
    Workbook {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        why: String,
    },
    /// Every row was bad.
    #[error("{}: all {skipped} rows were skipped as bad; the first: {first}", path.display())]
    NothingValid {
        /// The file.
        path: PathBuf,
        /// Rows skipped.
        skipped: u64,
        /// The first bad row.
        first: BadRow,
    },
}

/// Reads the log at `path`.
pub fn read(path: &Path, options: &ReadOptions) -> Result<TransactionLog, ReadError> {
    let bytes =
        crate::input::read_limited(path, crate::input::LOG_LIMIT, true).map_err(|source| {
            ReadError::Io {
                path: path.to_path_buf(),
                source,
            }
        })?;
    parse(path, &bytes, options)
}

/// Reads a log from its `bytes`; `path` names it in messages.
pub fn parse(
    path: &Path,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<TransactionLog, ReadError> {
    // A UTF-8 byte-order mark (Excel's CSV export) is not part of the first column's name.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if log_formats::is_zip(bytes) {
        // An .xlsx workbook: its first sheet as CSV, one line per sheet row; numbers come as
        // numbers, so a decimal comma does not apply.
        let csv = log_formats::xlsx_to_csv(bytes).map_err(|why| ReadError::Workbook {
            path: path.to_path_buf(),
            why,
        })?;
        let options = ReadOptions {
            decimal: DecimalMark::Point,
            ..options.clone()
        };
        let mut reader = Reader::new(path, &options, DecimalMark::Point);
        reader.csv(csv.as_bytes(), &options.columns)?;
        let mut log = reader.finish()?;
        log.decimal = DecimalReading {
            mark: ".",
            how: "workbook",
            evidence: None,
        };
        return Ok(log);
    }
    let text = String::from_utf8_lossy(bytes);
    let format = options.format.unwrap_or_else(|| detect(&text));
    let decimal = match options.decimal {
        DecimalMark::Auto => {
            // A first pass reads only the amounts' marks; the second reads with the mark found.
            let mut probe = Reader::new(path, options, DecimalMark::Auto);
            probe.probe = Some(Probe::default());
            read_as(&mut probe, format, path, bytes, &text, options)?;
            probe.probe.take().unwrap_or_default().decide(path)?
        }
        given => DecimalReading {
            mark: given.symbol(),
            how: "given",
            evidence: None,
        },
    };
    let mark = if decimal.mark == "," {
        DecimalMark::Comma
    } else {
        DecimalMark::Point
    };
    let mut reader = Reader::new(path, options, mark);
    read_as(&mut reader, format, path, bytes, &text, options)?;
    let mut log = reader.finish()?;
    log.decimal = decimal;
    Ok(log)
}

/// Reads `bytes` (also as `text`) in `format` into `reader`.
fn read_as(
    reader: &mut Reader<'_>,
    format: Format,
    path: &Path,
    bytes: &[u8],
    text: &str,
    options: &ReadOptions,
) -> Result<(), ReadError> {
    match format {
        Format::Cdnow => {
            // Ids that differ only in invalid bytes must not merge: refuse them.
            let text = std::str::from_utf8(bytes).map_err(|e| ReadError::BadRow {
                path: path.to_path_buf(),
                row: BadRow {
                    line: line_at(bytes, e.valid_up_to()),
                    column: "customer".into(),
                    message: "not UTF-8 text (an invalid byte); save the file as UTF-8".into(),
                },
                skippable: false,
            })?;
            reader.cdnow(text)?;
        }
        Format::Csv => reader.csv(bytes, &options.columns)?,
        Format::Whitespace => {
            let csv = log_formats::whitespace_to_csv(text).map_err(|(line, field)| {
                ReadError::BadRow {
                    path: path.to_path_buf(),
                    row: BadRow {
                        line,
                        column: format!("field {field}"),
                        message: "a quote `\"` is opened and never closed on this line".into(),
                    },
                    skippable: false,
                }
            })?;
            reader.csv(csv.as_bytes(), &options.columns)?;
        }
    }
    Ok(())
}

/// What the first pass of [`DecimalMark::Auto`] saw: the first amount that only the point
/// reads, the first that only the comma reads, and the first that both read differently
/// (line, column, text).
#[derive(Debug, Default)]
struct Probe {
    point: Option<(u64, String, String)>,
    comma: Option<(u64, String, String)>,
    ambiguous: Option<(u64, String, String)>,
}

impl Probe {
    fn note(&mut self, line: u64, column: &str, text: &str) {
        let slot = match clue(text) {
            Clue::None => return,
            Clue::Point => &mut self.point,
            Clue::Comma => &mut self.comma,
            Clue::Ambiguous => &mut self.ambiguous,
        };
        slot.get_or_insert_with(|| (line, column.to_string(), shorten(text.trim()).into_owned()));
    }

    /// The mark the amounts tell, or why they do not.
    fn decide(self, path: &Path) -> Result<DecimalReading, ReadError> {
        let refuse = |line: u64, column: String, message: String| ReadError::BadRow {
            path: path.to_path_buf(),
            row: BadRow {
                line,
                column,
                message,
            },
            skippable: false,
        };
        match (self.point, self.comma, self.ambiguous) {
            (Some(p), Some(c), _) => {
                let (later, earlier) = if p.0 > c.0 { (p, c) } else { (c, p) };
                Err(refuse(
                    later.0,
                    later.1,
                    format!(
                        "`{}` and line {}'s `{}` cannot both be read with one decimal mark (one needs a decimal point, the other a decimal comma); give --decimal . or --decimal , (with --skip-bad-rows to skip the rows that do not read)",
                        later.2, earlier.0, earlier.2
                    ),
                ))
            }
            (Some((line, _, text)), None, _) => Ok(DecimalReading {
                mark: ".",
                how: "detected",
                evidence: Some((line, text)),
            }),
            (None, Some((line, _, text)), _) => Ok(DecimalReading {
                mark: ",",
                how: "detected",
                evidence: Some((line, text)),
            }),
            (None, None, Some((line, column, text))) => Err(refuse(
                line,
                column,
                format!(
                    "`{text}` could be a thousands separator or a decimal mark, and no amount of the file tells which: give --decimal . (1,234.50) or --decimal , (1.234,50)"
                ),
            )),
            (None, None, None) => Ok(DecimalReading::default()),
        }
    }
}

/// A CSV reader of `bytes` (rows of any length), its delimiter the one of comma, semicolon and
/// tab found most often in the first line.
pub(crate) fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(csv_delimiter(bytes))
        .flexible(true)
        .from_reader(bytes)
}

/// The one of comma, semicolon and tab found most often in the first line of `bytes`.
pub(crate) fn csv_delimiter(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

/// The header row's column names, trimmed.
pub(crate) fn csv_header(
    reader: &mut csv::Reader<&[u8]>,
    path: &Path,
) -> Result<Vec<String>, ReadError> {
    let header = reader.headers().map_err(|e| ReadError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(header.iter().map(|h| h.trim().to_string()).collect())
}

/// The 1-based line of the byte at `offset` (counting every `\n`, so blank lines and CRLF
/// line ends count as an editor shows them).
pub(crate) fn line_at(bytes: &[u8], offset: usize) -> u64 {
    LineCounter::default().line_at(bytes, offset)
}

/// Lines of offsets that only grow, in linear time over the file: each call counts the line
/// ends from where the previous one stopped.
#[derive(Debug, Default)]
struct LineCounter {
    /// Bytes counted so far.
    offset: usize,
    /// Line ends among them.
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, bytes: &[u8], offset: usize) -> u64 {
        // The CSV reader may place a record at the line end before it (CRLF, blank lines):
        // its line is that of its first byte.
        let mut end = offset.min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        if end < self.offset {
            *self = LineCounter::default();
        }
        self.newlines += bytes[self.offset..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = end;
        self.newlines + 1
    }
}

/// The layout of `text`, from its first lines: a comma, semicolon or tab in the first
/// non-empty line makes it CSV; else rows of one of the CDNOW layouts (after a header line or
/// not) make it CDNOW; else two or more space-separated fields make it a whitespace-separated
/// file with a header; anything else is read as CSV (and refused there with its reason).
fn detect(text: &str) -> Format {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.contains([',', ';', '\t']) {
        Format::Csv
    } else if log_formats::cdnow_layout(text).is_some() {
        Format::Cdnow
    } else if log_formats::split_whitespace_quoted(first).is_ok_and(|f| f.len() >= 2) {
        Format::Whitespace
    } else {
        Format::Csv
    }
}

/// The common state of reading either format.
struct Reader<'a> {
    path: &'a Path,
    options: &'a ReadOptions,
    log: TransactionLog,
    index: HashMap<String, u32>,
    /// The date format found on the first row, when none was given; later rows must match it.
    date_format: Option<String>,
    first_bad: Option<BadRow>,
    rows: u64,
    /// Whether a CSV header row was read.
    header: bool,
    /// The decimal mark amounts are read with.
    decimal: DecimalMark,
    /// In the first pass of [`DecimalMark::Auto`]: the amounts' marks seen, and nothing else
    /// read or stored.
    probe: Option<Probe>,
}

/// Date formats tried when none is given, in order.
const DATE_FORMATS: [(&str, &str); 4] = [
    ("%Y-%m-%d", "YYYY-MM-DD"),
    ("%Y%m%d", "YYYYMMDD"),
    ("%Y/%m/%d", "YYYY/MM/DD"),
    ("%d.%m.%Y", "DD.MM.YYYY"),
];

impl<'a> Reader<'a> {
    fn new(path: &'a Path, options: &'a ReadOptions, decimal: DecimalMark) -> Self {
        Reader {
            path,
            options,
            log: TransactionLog::default(),
            index: HashMap::new(),
            date_format: options.date_format.clone(),
            first_bad: None,
            rows: 0,
            header: false,
            decimal,
            probe: None,
        }
    }

    /// Records a bad row: an error, or a skip when asked.
    fn bad(&mut self, row: BadRow) -> Result<(), ReadError> {
        // The first pass only looks at amounts; the second finds the bad rows.
        if self.probe.is_some() {
            return Ok(());
        }
        if !self.options.skip_bad_rows {
            return Err(ReadError::BadRow {
                path: self.path.to_path_buf(),
                row,
                skippable: true,
            });
        }
        self.log.skipped += 1;
        if self.log.skipped_examples.len() < KEPT_EXAMPLES {
            self.log.skipped_examples.push(row.clone());
        }
        self.first_bad.get_or_insert(row);
        Ok(())
    }

    fn date(&mut self, text: &str) -> Result<NaiveDate, String> {
        // A given format reads the whole text; anything after the date (a time) is ignored.
        if let Some(format) = &self.options.date_format {
            return NaiveDate::parse_and_remainder(text, format)
                .map(|(d, _)| d)
                .map_err(|_| {
                    format!(
                        "`{}` is not a date in the format {format} (from --date-format)",
                        shorten(text)
                    )
                });
        }
        // The built-in formats: a time after the date ("2024-03-01 14:22",
        // "2024-03-01T14:22:10Z") is ignored.
        let day = text
            .split(|c: char| c == 'T' || c.is_whitespace())
            .next()
            .unwrap_or("")
            .trim();
        if let Some(format) = &self.date_format {
            return NaiveDate::parse_from_str(day, format).map_err(|_| {
                let given = self.options.date_format.is_some();
                format!(
                    "`{}` is not a date in the format {format}{}",
                    shorten(text),
                    if given {
                        " (from --date-format)"
                    } else {
                        " found on the first row; give --date-format if the file mixes formats"
                    }
                )
            });
        }
        for (format, _) in DATE_FORMATS {
            if let Ok(d) = NaiveDate::parse_from_str(day, format) {
                self.date_format = Some(format.to_string());
                return Ok(d);
            }
        }
        let known: Vec<&str> = DATE_FORMATS.iter().map(|f| f.1).collect();
        Err(format!(
            "`{}` is not a date; expected {}, or give its format with --date-format (e.g. --date-format %d/%m/%Y)",
            shorten(text),
            known.join(", ")
        ))
    }

    /// Checks one row's fields and stores the transaction, or records why not.
    fn row(
        &mut self,
        line: u64,
        names: [&str; 3],
        customer: &str,
        date: &str,
        amount: &str,
        quantity: Option<(&str, &str)>,
    ) -> Result<(), ReadError> {
        if let Some(probe) = &mut self.probe {
            probe.note(line, names[2], amount);
            return Ok(());
        }
        self.rows += 1;
        let bad = |column: &str, message: String| BadRow {
            line,
            column: column.to_string(),
            message,
        };
        let customer = customer.trim();
        if customer.is_empty() {
            return self.bad(bad(names[0], "the customer id is empty".into()));
        }
        let date = match self.date(date.trim()) {
            Ok(d) => d,
            Err(message) => return self.bad(bad(names[1], message)),
        };
        let amount = match parse_amount(amount, self.decimal) {
            Ok(a) => a,
            Err(message) => return self.bad(bad(names[2], message)),
        };
        let quantity = match quantity {
            None => None,
            Some((name, text)) => match text.trim().parse::<f64>() {
                Ok(q) if q.is_finite() && q >= 0.0 => Some(q),
                _ => {
                    return self.bad(bad(
                        name,
                        format!(
                            "`{}` is not a quantity (expected a number ≥ 0)",
                            shorten(text)
                        ),
                    ));
                }
            },
        };
        let next = self.index.len();
        let Ok(next) = u32::try_from(next) else {
            return self.bad(bad(
                names[0],
                "more than 4 billion customers: split the file".into(),
            ));
        };
        let customer = *self.index.entry(customer.to_string()).or_insert_with(|| {
            self.log.customer_ids.push(customer.to_string());
            next
        });
        self.log.transactions.push(Transaction {
            customer,
            date,
            amount,
            quantity,
        });
        Ok(())
    }

    fn cdnow(&mut self, text: &str) -> Result<(), ReadError> {
        // The sample's five columns, or the full cohort's four (no sample id); a header line
        // before the first row is skipped. Forced on a file of neither layout, the five.
        const SAMPLE: [&str; 5] = ["customer", "sample id", "date", "quantity", "amount"];
        const FULL: [&str; 4] = ["customer", "date", "quantity", "amount"];
        let (width, mut header) = log_formats::cdnow_layout(text).unwrap_or((5, false));
        let names: &[&str] = if width == 4 { &FULL } else { &SAMPLE };
        let expected = names.join(", ").replace("date", "YYYYMMDD date");
        self.log.has_quantity = true;
        for (i, raw) in text.lines().enumerate() {
            let line = i as u64 + 1;
            if raw.trim().is_empty() {
                continue;
            }
            if std::mem::take(&mut header) {
                continue;
            }
            let fields: Vec<&str> = raw.split_whitespace().collect();
            if fields.len() != width {
                let column = names.get(fields.len()).copied().unwrap_or("amount");
                self.rows += 1;
                self.bad(BadRow {
                    line,
                    column: column.into(),
                    message: format!(
                        "expected {width} fields ({expected}), found {}",
                        fields.len()
                    ),
                })?;
                continue;
            }
            // fields.len() == width here (checked above): the date is third from the end, then
            // the quantity and the amount.
            let date = width - 3;
            self.row(
                line,
                [names[0], names[date], names[width - 1]],
                fields[0],
                fields[date],
                fields[width - 1],
                Some((names[width - 2], fields[width - 2])),
            )?;
        }
        Ok(())
    }

    fn csv(&mut self, bytes: &[u8], columns: &Columns) -> Result<(), ReadError> {
        let delimiter = csv_delimiter(bytes);
        let mut reader = csv_reader(bytes);
        let header = csv_header(&mut reader, self.path)?;
        if header.iter().all(String::is_empty) {
            return Ok(());
        }
        self.header = true;
        for (second, name) in header.iter().enumerate() {
            if let Some(first) = header[..second]
                .iter()
                .position(|h| !h.is_empty() && h.eq_ignore_ascii_case(name))
            {
                return Err(ReadError::DuplicateColumn {
                    path: self.path.to_path_buf(),
                    column: shorten(name).into_owned(),
                    first: first + 1,
                    second: second + 1,
                });
            }
        }
        let find = |name: &str, role: &'static str, flag: &'static str| {
            header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name))
                .ok_or_else(|| ReadError::MissingColumn {
                    path: self.path.to_path_buf(),
                    column: name.to_string(),
                    role,
                    flag,
                    found: header
                        .iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        };
        let customer = find(&columns.customer, "customer id", "--customer-column")?;
        let date = find(&columns.date, "date", "--date-column")?;
        let amount = find(&columns.amount, "amount", "--amount-column")?;
        let quantity = columns
            .quantity
            .as_deref()
            .map(|q| find(q, "quantity", "--quantity-column"))
            .transpose()?;
        self.log.has_quantity = quantity.is_some();
        // customer, date, amount and quantity are positions found in `header`, here and
        // below (`missing` is one of them).
        let names = [
            header[customer].clone(),
            header[date].clone(),
            header[amount].clone(),
        ];
        let quantity_name = quantity.map(|q| header[q].clone());
        let mut lines = LineCounter::default();
        let separator = match delimiter {
            b'\t' => "tab",
            b';' => "semicolon",
            _ => "comma",
        };
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e
                        .position()
                        .map_or(0, |p| lines.line_at(bytes, p.byte() as usize));
                    // A byte that is not UTF-8 is in a known field; name its column.
                    let column = match e.kind() {
                        csv::ErrorKind::Utf8 { err, .. } => header
                            .get(err.field())
                            .cloned()
                            .unwrap_or_else(|| format!("field {}", err.field() + 1)),
                        _ => names[0].clone(),
                    };
                    self.rows += 1;
                    self.bad(BadRow {
                        line,
                        column,
                        message: format!("the row cannot be read as CSV: {e}"),
                    })?;
                    continue;
                }
            };
            let line = record
                .position()
                .map_or(0, |p| lines.line_at(bytes, p.byte() as usize));
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() > header.len() {
                // Never read by position alone: the extra field shifted something.
                self.rows += 1;
                self.bad(BadRow {
                    line,
                    column: header.last().cloned().unwrap_or_default(),
                    message: format!(
                        "the row has {} fields, the header {}: an unquoted {separator} inside a value split it (a thousands separator as in 1,234.50, or a decimal comma as in 12,50); quote such values, remove thousands separators, or for decimal commas use a semicolon-separated file with --decimal ,",
                        record.len(),
                        header.len()
                    ),
                })?;
                continue;
            }
            let field = |i: usize| record.get(i);
            let needed = [customer, date, amount]
                .into_iter()
                .chain(quantity)
                .find(|&i| field(i).is_none());
            if let Some(missing) = needed {
                self.rows += 1;
                self.bad(BadRow {
                    line,
                    column: header[missing].clone(),
                    message: format!(
                        "the row has {} fields; this column is field {}",
                        record.len(),
                        missing + 1
                    ),
                })?;
                continue;
            }
            let q = match (quantity, &quantity_name) {
                (Some(i), Some(name)) => Some((name.as_str(), field(i).unwrap_or(""))),
                _ => None,
            };
            self.row(
                line,
                [&names[0], &names[1], &names[2]],
                field(customer).unwrap_or(""),
                field(date).unwrap_or(""),
                field(amount).unwrap_or(""),
                q,
            )?;
        }
        Ok(())
    }

    fn finish(self) -> Result<TransactionLog, ReadError> {
        if self.log.transactions.is_empty() {
            if let Some(first) = self.first_bad {
                return Err(ReadError::NothingValid {
                    path: self.path.to_path_buf(),
                    skipped: self.log.skipped,
                    first,
                });
            }
            return Err(ReadError::Empty {
                path: self.path.to_path_buf(),
                header_only: self.header,
            });
        }
        Ok(self.log)
    }
}

/// Largest amount of one transaction accepted: beyond a billion, the column is surely in
/// another unit (or not an amount), and sums could overflow.
pub const MAX_AMOUNT: f64 = 1e9;

/// An amount: a finite number from 0 to [`MAX_AMOUNT`], with `decimal` as the decimal mark
/// ([`DecimalMark::Auto`] reads as the point) and, optionally, the other mark as a thousands
/// separator between groups of three digits (`1,234.50`; `1.234,50`).
fn parse_amount(text: &str, decimal: DecimalMark) -> Result<f64, String> {
    let t = text.trim();
    let shown = shorten(t);
    let comma = decimal == DecimalMark::Comma;
    let (mark, thousands) = if comma { (',', '.') } else { ('.', ',') };
    let other_flag = if comma { "." } else { "," };
    let named = |c: char| if c == ',' { "comma" } else { "point" };
    if t.matches(mark).count() > 1 {
        return Err(format!(
            "`{shown}` has more than one decimal {} (the decimal mark is `{mark}`{}); if the {} separates thousands, give --decimal {other_flag}",
            named(mark),
            if comma {
                ", as in 1.234,50"
            } else {
                ", as in 1,234.50"
            },
            named(mark)
        ));
    }
    let (whole, fraction) = t.split_once(mark).unwrap_or((t, ""));
    if fraction.contains(thousands) {
        return Err(format!(
            "`{shown}` has a `{thousands}` after the decimal `{mark}`; if `{thousands}` is the decimal mark, give --decimal {other_flag}"
        ));
    }
    let whole = if whole.contains(thousands) {
        let digits = whole.trim_start_matches(['-', '+']);
        let mut groups = digits.split(thousands);
        let first_ok = groups
            .next()
            .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
        if !(first_ok && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))) {
            return Err(format!(
                "`{shown}` has a `{thousands}` that is not a thousands separator (groups of three digits, as in {}); if `{thousands}` is the decimal mark, give --decimal {other_flag}",
                if comma { "1.234,50" } else { "1,234.50" }
            ));
        }
        std::borrow::Cow::Owned(whole.replace(thousands, ""))
    } else {
        std::borrow::Cow::Borrowed(whole)
    };
    let number = if fraction.is_empty() && !t.ends_with(mark) {
        whole.into_owned()
    } else {
        format!("{whole}.{fraction}")
    };
    let point = if comma { "`,`" } else { "`.`" };
    match number.parse::<f64>() {
        Ok(a) if a.is_finite() && a > MAX_AMOUNT => Err(format!(
            "`{shown}` is more than 1,000,000,000 for one purchase; is the column in another unit?"
        )),
        Ok(a) if a.is_finite() && a >= 0.0 => Ok(a),
        Ok(a) if a < 0.0 => Err(format!(
            "`{shown}` is negative; returns and refunds are not purchases: remove them (or net them against their purchase) before calibrating"
        )),
        _ => Err(format!(
            "`{shown}` is not an amount (expected a number ≥ 0 with {point} as the decimal point, without currency symbols)"
        )),
    }
}
