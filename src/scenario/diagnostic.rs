//! Problems found in a scenario file, located by line and column, and how they are shown.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Longest value quoted in a message, in characters.
pub const QUOTE_LIMIT: usize = 60;

/// `text` as quoted in a message: whole if short, else its first [`QUOTE_LIMIT`] characters
/// and "…" with the full length, so a huge value never makes a huge message.
pub fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(QUOTE_LIMIT) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!(
            "{}… ({} characters)",
            &text[..end],
            text.chars().count()
        )),
    }
}

/// One problem in a scenario file, before it is located in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Byte span in the source the problem points at, if any.
    pub span: Option<Range<usize>>,
    /// Dotted path of the field, e.g. `program.earn_rate`; empty for the whole file.
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl Problem {
    /// A problem at `span` in `field`.
    pub fn new(
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            span,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A problem located in its file: line and column (1-based) and the line's text.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedProblem {
    /// Line number, 1-based (1 when the problem concerns the whole file); 0 when the problem
    /// has no place in the file (it arose from values set on the command line).
    pub line: usize,
    /// Column in characters, 1-based.
    pub column: usize,
    /// Dotted path of the field.
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
    /// The source line the problem is on, for display.
    pub source_line: String,
    /// How many characters of that line the problem spans (at least 1).
    pub width: usize,
}

impl LocatedProblem {
    /// Locates `problem` in `source`.
    pub fn locate(problem: Problem, source: &str) -> Self {
        let start = problem
            .span
            .as_ref()
            .map_or(0, |s| s.start.min(source.len()));
        let end = problem
            .span
            .as_ref()
            .map_or(start, |s| s.end.clamp(start, source.len()));
        // Byte offsets from the parser always fall on char boundaries; if one did not, the
        // location would still be right to the line, so fall back to the line start.
        let before = source.get(..start).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        // line_start is 0 or just past a '\n' of `source`, line_end at a later '\n' or the
        // end: both are char boundaries, in order, so these slices cannot fail.
        let line_end = source[line_start..]
            .find('\n')
            .map_or(source.len(), |i| line_start + i);
        let source_line = source[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let column = source
            .get(line_start..start)
            .map_or(1, |s| s.chars().count() + 1);
        let span_end = end.min(line_end);
        let width = source
            .get(start..span_end)
            .map_or(1, |s| s.chars().count().max(1));
        LocatedProblem {
            line,
            column,
            field: problem.field,
            message: problem.message,
            source_line,
            width,
        }
    }
}

/// Every problem found in one scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The file, as the user named it.
    pub file: PathBuf,
    /// The problems, in the order they appear in the file.
    pub problems: Vec<LocatedProblem>,
}

impl ScenarioError {
    /// Locates `problems` in `source` and sorts them by position.
    pub fn new(file: &Path, source: &str, problems: Vec<Problem>) -> Self {
        let mut problems: Vec<LocatedProblem> = problems
            .into_iter()
            .map(|p| LocatedProblem::locate(p, source))
            .collect();
        problems.sort_by_key(|p| (p.line, p.column));
        ScenarioError {
            file: file.to_path_buf(),
            problems,
        }
    }
}

impl ScenarioError {
    /// The same problems without positions: for a variant of a file (values set by a sweep,
    /// a tornado or a break-even search), whose text is not the file the user wrote.
    pub fn unlocated(mut self) -> Self {
        for p in &mut self.problems {
            p.line = 0;
            p.column = 0;
            p.source_line.clear();
        }
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{} has {} problem{}:",
            self.file.display(),
            n,
            if n == 1 { "" } else { "s" }
        )?;
        // A file that is not a scenario (a CSV, a README) has thousands of problems: the first
        // few say enough.
        let n_shown = n.min(PROBLEMS_SHOWN);
        for (i, p) in self.problems.iter().take(n_shown).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let field = if p.field.is_empty() {
                String::new()
            } else {
                format!("`{}`: ", p.field)
            };
            if p.line == 0 {
                write!(f, "{}: {}{}", self.file.display(), field, p.message)?;
                if i + 1 < n_shown {
                    writeln!(f)?;
                }
                continue;
            }
            writeln!(
                f,
                "{}:{}:{}: {}{}",
                self.file.display(),
                p.line,
                p.column,
                field,
                p.message
            )?;
            let gutter = p.line.to_string().len();
            let (shown, before, width) = window(&p.source_line, p.column, p.width);
            writeln!(f, "  {:>gutter$} | {shown}", p.line)?;
            write!(
                f,
                "  {:>gutter$} | {}{}",
                "",
                " ".repeat(before),
                "^".repeat(width)
            )?;
            if i + 1 < n_shown {
                writeln!(f)?;
            }
        }
        if n > n_shown {
            write!(
                f,
                "\n\n…and {} more problem{}",
                n - n_shown,
                if n - n_shown == 1 { "" } else { "s" }
            )?;
            if self.looks_foreign() {
                write!(f, "; is this a scenario file?")?;
            }
        }
        Ok(())
    }
}

/// Problems shown of one file; the rest are counted.
pub const PROBLEMS_SHOWN: usize = 10;

impl ScenarioError {
    /// Whether the file seems not to be a scenario at all: every problem shown is a TOML syntax
    /// error or a missing top-level table.
    fn looks_foreign(&self) -> bool {
        self.problems.iter().take(PROBLEMS_SHOWN).all(|p| {
            p.message.starts_with("TOML syntax")
                || (p.message.starts_with("missing; expected a [") && !p.field.contains('.'))
        })
    }
}

impl std::error::Error for ScenarioError {}

/// Longest source line shown whole under a problem, in characters.
const LINE_LIMIT: usize = 120;

/// The part of `line` shown under a problem at `column` (1-based) spanning `width`
/// characters: the whole line if short, else a window around the column with "…" where it
/// is cut; with the characters before the caret and the caret's width.
fn window(line: &str, column: usize, width: usize) -> (String, usize, usize) {
    let at = column.saturating_sub(1);
    let length = line.chars().count();
    if length <= LINE_LIMIT {
        return (line.to_string(), at, width);
    }
    let start = at.saturating_sub(20).min(length);
    let end = (start + LINE_LIMIT - 20).min(length);
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(line.chars().skip(start).take(end - start));
    if end < length {
        shown.push('…');
    }
    let before = at - start + usize::from(start > 0);
    let width = width.min(end.saturating_sub(at)).max(1);
    (shown, before, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_column_and_width_in_characters() {
        let src = "a = 1\n# €\nname = \"€x\" \n";
        let start = src.find("\"€x\"").unwrap();
        let p = Problem::new(Some(start..start + "\"€x\"".len()), "name", "bad");
        let l = LocatedProblem::locate(p, src);
        assert_eq!((l.line, l.column, l.width), (3, 8, 4));
        assert_eq!(l.source_line, "name = \"€x\" ");
    }

    #[test]
    fn a_long_line_and_a_long_value_are_shown_short() {
        let value = "x".repeat(1_000_000);
        let src = format!("name = \"{value}\"\n");
        let p = Problem::new(
            Some(7..src.len() - 1),
            "name",
            format!("found {}", shorten(&value)),
        );
        let e = ScenarioError::new(Path::new("s.toml"), &src, vec![p]);
        let text = e.to_string();
        assert!(text.len() < 600, "{} bytes", text.len());
        assert!(text.contains("s.toml:1:8: `name`: found xxx"), "{text}");
        assert!(text.contains("… (1000000 characters)"), "{text}");
        // The line shown is cut after 100 characters, and the caret stays under the value.
        let shown = text.lines().nth(2).unwrap();
        assert_eq!(shown, format!("  1 | name = \"{}…", "x".repeat(92)));
        let caret = text.lines().nth(3).unwrap();
        assert_eq!(caret, format!("    | {}{}", " ".repeat(7), "^".repeat(93)));
        assert_eq!(shorten("short"), "short");
    }

    #[test]
    fn problem_without_span_points_at_the_start() {
        let l = LocatedProblem::locate(Problem::new(None, "", "empty"), "");
        assert_eq!((l.line, l.column, l.width), (1, 1, 1));
    }
}
