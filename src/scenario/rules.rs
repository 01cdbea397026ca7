//! The validator's rules as a table: every field's path, kind, range, unit, default and
//! whether it is required, recorded by the validator itself while it reads a set of probe
//! scenarios. The JSON Schema ([`super::schema`]) and the workbench's form are built from this
//! table, so they cannot drift from what the validator enforces: the table is not written
//! anywhere, the validator's own calls write it.
//!
//! Recording is off except inside [`record`]; each reader of the checker notes the field it
//! is about to read (one thread-local check when off).

use std::cell::RefCell;

use indexmap::IndexMap;
use serde::Serialize;

use super::checker::Bounds;

/// What a field holds, as the validator reads it.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// A number within bounds.
    Number(Bounds),
    /// A coefficient of variation: 0, or from `min` to `max`.
    Cv {
        /// Smallest non-zero value.
        min: f64,
        /// Largest value.
        max: f64,
    },
    /// A whole number from `min` to `max`.
    Whole {
        /// Smallest value.
        min: u64,
        /// Largest value.
        max: u64,
    },
    /// One of a list of texts.
    Choice(Vec<String>),
    /// A non-empty text.
    Text,
    /// An ISO 4217 currency code.
    Currency,
    /// A list of texts (e.g. the paths of inputs).
    TextList,
    /// A non-empty list of texts, each one of a list.
    ChoiceList(Vec<String>),
    /// A list of rows, each a list of numbers within bounds (a matrix).
    Rows(Bounds),
    /// The boolean `true` (a switch that is on when stated).
    True,
    /// A non-empty list of distinct whole numbers from `min` to `max`.
    WholeList {
        /// Smallest value.
        min: u64,
        /// Largest value.
        max: u64,
    },
}

/// One field of the scenario format. Its path (the key of [`Recording::rules`]) is dotted,
/// with `[0]` for the elements of an array of tables and `*` for a key the user names (an
/// investment item).
#[derive(Debug, Clone)]
pub(crate) struct FieldRule {
    /// What it holds and its range.
    pub(crate) kind: Kind,
    /// What it measures, as the validator's messages say it.
    pub(crate) unit: String,
    /// Whether it may be given as a distribution (an uncertain input).
    pub(crate) may_vary: bool,
    /// The value the validator uses when it is absent, if any.
    pub(crate) default: Option<serde_json::Value>,
}

/// Fields of one table that exclude each other: the table may state the fields of one
/// alternative only (e.g. `redemption_threshold`, or a `rewards` catalogue).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Exclusive {
    /// The table's dotted path.
    pub(crate) table: String,
    /// The alternatives, each the fields that state it.
    pub(crate) alternatives: Vec<Vec<String>>,
    /// Whether one alternative must be stated (else stating none is fine too).
    pub(crate) one_needed: bool,
}

/// A field allowed or required by the value of another field of its table (e.g. an expiry's
/// `months`, meaningless when `policy = "none"` and required otherwise).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Depends {
    /// The table's dotted path.
    pub(crate) table: String,
    /// The field whose value decides.
    pub(crate) on: String,
    /// Its values under which `field` may not be given.
    pub(crate) without: Vec<String>,
    /// Its values under which `field` is required.
    pub(crate) with: Vec<String>,
    /// The field decided on.
    pub(crate) field: String,
}

/// What one recording saw.
#[derive(Debug, Default)]
pub(crate) struct Recording {
    /// The fields read, in the order first read.
    pub(crate) rules: IndexMap<String, FieldRule>,
    /// Fields (and tables) the validator asked for as required.
    pub(crate) required: Vec<String>,
    /// Fields that exclude each other.
    pub(crate) exclusive: Vec<Exclusive>,
    /// Fields allowed or required by another's value.
    pub(crate) depends: Vec<Depends>,
    /// The last field read and found absent, which a default may follow.
    last_absent: Option<String>,
    /// The last field noted.
    last: Option<String>,
}

thread_local! {
    static RECORDER: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

fn recording() -> bool {
    RECORDER.with(|r| r.borrow().is_some())
}

fn with<F: FnOnce(&mut Recording)>(f: F) {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            f(rec);
        }
    });
}

/// Runs `f` with recording on and returns what the validator noted.
pub(crate) fn record(f: impl FnOnce()) -> Recording {
    RECORDER.with(|r| *r.borrow_mut() = Some(Recording::default()));
    f();
    RECORDER.with(|r| r.borrow_mut().take()).unwrap_or_default()
}

/// Notes that the field at `path` is read as `kind`.
pub(crate) fn note(
    path: impl FnOnce() -> String,
    kind: impl FnOnce() -> Kind,
    unit: &str,
    may_vary: bool,
) {
    if !recording() {
        return;
    }
    let path = path();
    with(|rec| {
        rec.last_absent = None;
        rec.last = Some(path.clone());
        rec.rules.entry(path).or_insert_with(|| FieldRule {
            kind: kind(),
            unit: unit.to_string(),
            may_vary,
            default: None,
        });
    });
}

/// Narrows the kind of a field already noted.
pub(crate) fn refine(path: impl FnOnce() -> String, kind: Kind) {
    if !recording() {
        return;
    }
    let path = path();
    with(|rec| {
        if let Some(rule) = rec.rules.get_mut(&path) {
            rule.kind = kind;
        }
    });
}

/// Notes that the field or table at `path` must be present.
pub(crate) fn note_required(path: impl FnOnce() -> String) {
    if !recording() {
        return;
    }
    let path = path();
    with(|rec| rec.required.push(path));
}

/// Notes that the table at `table` may state the fields of one of `alternatives` only, and
/// must state one if `one_needed`.
pub(crate) fn note_exclusive(table: &str, alternatives: &[&[&str]], one_needed: bool) {
    if !recording() {
        return;
    }
    let rule = Exclusive {
        table: table.to_string(),
        alternatives: alternatives
            .iter()
            .map(|a| a.iter().map(|f| (*f).to_string()).collect())
            .collect(),
        one_needed,
    };
    with(|rec| {
        if !rec.exclusive.contains(&rule) {
            rec.exclusive.push(rule);
        }
    });
}

/// Notes that in the table at `table`, `field` may not be given when `on` is one of
/// `without`, and is required when `on` is one of `with`.
pub(crate) fn note_depends(table: &str, on: &str, without: &[&str], with_: &[&str], field: &str) {
    if !recording() {
        return;
    }
    let texts = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect();
    let rule = Depends {
        table: table.to_string(),
        on: on.to_string(),
        without: texts(without),
        with: texts(with_),
        field: field.to_string(),
    };
    with(|rec| {
        if !rec.depends.contains(&rule) {
            rec.depends.push(rule);
        }
    });
}

/// Notes that the field just read was absent.
pub(crate) fn note_absent() {
    with(|rec| rec.last_absent = rec.last.clone());
}

/// Notes the default the validator takes for the absent field just read.
pub(crate) fn note_default<T: Serialize>(value: &T) {
    if !recording() {
        return;
    }
    with(|rec| {
        if let Some(path) = rec.last_absent.take()
            && let Some(rule) = rec.rules.get_mut(&path)
            && rule.default.is_none()
        {
            rule.default = serde_json::to_value(value).ok();
        }
    });
}
