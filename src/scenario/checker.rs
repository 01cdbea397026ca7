//! The toolkit of validation: reading a raw value as a number, a whole number, a choice or a
//! table, checking its range, and recording a problem with the field's path and span when it
//! does not fit. Every reader returns what it could read and never stops at a problem.

use toml::Spanned;
use toml::Value;

use super::Problem;
use super::diagnostic::shorten;
use super::raw::{self, Leaf};
use super::rules::{self, Kind};
use crate::model::population::{LoyaltyType, TYPES};
use crate::model::uncertain::{InputDist, UncertainInput};
use crate::money::format_number;

/// Accepted interval of a number, and how it reads in a message.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub(crate) min: f64,
    pub(crate) min_open: bool,
    pub(crate) max: f64,
    pub(crate) max_open: bool,
}

impl Bounds {
    pub(crate) const SHARE: Bounds = Bounds::closed(0.0, 1.0);
    pub(crate) const NON_NEGATIVE: Bounds = Bounds::closed(0.0, f64::INFINITY);
    pub(crate) const POSITIVE: Bounds = Bounds {
        min: 0.0,
        min_open: true,
        max: f64::INFINITY,
        max_open: false,
    };

    pub(crate) const fn closed(min: f64, max: f64) -> Bounds {
        Bounds {
            min,
            min_open: false,
            max,
            max_open: false,
        }
    }

    fn contains(&self, x: f64) -> bool {
        let above = if self.min_open {
            x > self.min
        } else {
            x >= self.min
        };
        let below = if self.max_open {
            x < self.max
        } else {
            x <= self.max
        };
        above && below
    }

    pub(crate) fn describe(&self, kind: &str) -> String {
        let (min, max) = (bound(self.min), bound(self.max));
        match (self.min_open, self.max.is_infinite()) {
            (false, true) => format!("{kind} ≥ {min}"),
            (true, true) => format!("{kind} > {min}"),
            (false, false) if !self.max_open => format!("{kind} from {min} to {max}"),
            _ => format!(
                "{kind} {} {min} and {} {max}",
                if self.min_open { ">" } else { "≥" },
                if self.max_open { "<" } else { "≤" },
            ),
        }
    }
}

/// A bound as a person reads it: thousands separated when it is a large whole number.
fn bound(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() >= 10_000.0 {
        let sign = if x < 0.0 { "-" } else { "" };
        format!("{sign}{}", format_number(x.abs(), 0))
    } else {
        x.to_string()
    }
}

fn whole_expected(min: u64, max: u64, unit: &str) -> String {
    format!(
        "a whole number from {} to {} ({unit})",
        bound(min as f64),
        bound(max as f64)
    )
}

/// A computed sum as a person reads it: without the floating-point noise of the addition
/// (0.7 + 0.6 shows as 1.3, not 1.2999999999999998).
pub(crate) fn readable_sum(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// The outcome of reading one field.
pub(crate) enum Got<T> {
    Absent,
    Valid(T),
    Invalid,
}

impl<T> Got<T> {
    /// The value, or `default` when absent; `None` when invalid.
    pub(crate) fn or(self, default: T) -> Option<T>
    where
        T: serde::Serialize,
    {
        match self {
            Got::Absent => {
                rules::note_default(&default);
                Some(default)
            }
            Got::Valid(v) => Some(v),
            Got::Invalid => None,
        }
    }

    /// `Some(None)` when absent, `Some(Some(v))` when valid, `None` when invalid.
    pub(crate) fn optional(self) -> Option<Option<T>> {
        match self {
            Got::Absent => Some(None),
            Got::Valid(v) => Some(Some(v)),
            Got::Invalid => None,
        }
    }
}

/// Where a table is, for fields missing from it.
#[derive(Clone)]
pub(crate) struct At {
    pub(crate) path: String,
    pub(crate) span: Option<std::ops::Range<usize>>,
}

impl At {
    pub(crate) fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub(crate) fn table<T>(&self, key: &str, table: &raw::Table<T>) -> At {
        At {
            path: self.child(key),
            span: table
                .as_ref()
                .map(Spanned::span)
                .or_else(|| self.span.clone()),
        }
    }
}

/// Collects problems while values are read.
#[derive(Default)]
pub(crate) struct Checker {
    pub(crate) problems: Vec<Problem>,
    /// The inputs given as distributions, in the order read.
    pub(crate) uncertain: Vec<UncertainInput>,
    /// When set, a distribution is refused with this reason (fields that must hold exactly).
    pub(crate) fixed_only: Option<&'static str>,
    /// Whether the scenario states `[population.committed]`: a value for committed loyalty
    /// elsewhere is refused without it.
    pub(crate) committed: bool,
}

/// How a value is described in "found …".
pub(crate) fn found(v: &Value) -> String {
    match v {
        Value::String(s) => format!("found the text {:?}", shorten(s)),
        Value::Integer(i) => format!("found {i}"),
        Value::Float(f) if *f != 0.0 && (f.abs() < 1e-4 || f.abs() >= 1e15) => {
            format!("found {f:e}")
        }
        Value::Float(f) => format!("found {f}"),
        Value::Boolean(b) => format!("found the boolean {b}"),
        Value::Datetime(d) => format!("found the date {d}"),
        Value::Array(_) => "found a list".to_string(),
        Value::Table(_) => "found a table".to_string(),
    }
}

impl Checker {
    pub(crate) fn problem(
        &mut self,
        span: Option<std::ops::Range<usize>>,
        field: String,
        message: String,
    ) {
        self.problems.push(Problem::new(span, field, message));
    }

    pub(crate) fn missing<T>(&mut self, at: &At, key: &str, expected: &str) -> Option<T> {
        rules::note_required(|| at.child(key));
        self.problem(
            at.span.clone(),
            at.child(key),
            format!("missing; expected {expected}"),
        );
        None
    }

    /// A number within `bounds`; `unit` says what it measures.
    pub(crate) fn number(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        bounds: Bounds,
        unit: &str,
    ) -> Got<f64> {
        rules::note(
            || at.child(key),
            || Kind::Number(bounds),
            unit,
            self.fixed_only.is_none(),
        );
        let Some(v) = leaf else {
            rules::note_absent();
            return Got::Absent;
        };
        if let Value::Table(t) = v.get_ref()
            && t.contains_key("dist")
        {
            let lo = if bounds.min_open {
                bounds.min.next_up()
            } else {
                bounds.min
            };
            let hi = if bounds.max_open {
                bounds.max.next_down()
            } else {
                bounds.max
            };
            return self.distribution(at, key, v, (lo, hi), false, unit);
        }
        let expected = format!("{} ({unit})", bounds.describe("a number"));
        let x = match v.get_ref() {
            Value::Integer(i) => *i as f64,
            Value::Float(f) => *f,
            other => {
                let msg = format!("expected {expected}, {}", found(other));
                self.problem(Some(v.span()), at.child(key), msg);
                return Got::Invalid;
            }
        };
        if x != 0.0 && x.abs() < f64::MIN_POSITIVE {
            // A subnormal number: so close to zero that arithmetic on it loses all precision
            // or overflows (a division by it is infinite).
            let msg = format!(
                "expected {expected}, {}: too close to zero to compute with (below 2.2e-308, numbers lose their precision)",
                found(v.get_ref())
            );
            self.problem(Some(v.span()), at.child(key), msg);
            return Got::Invalid;
        }
        if !x.is_finite() || !bounds.contains(x) {
            let msg = format!("expected {expected}, {}", found(v.get_ref()));
            self.problem(Some(v.span()), at.child(key), msg);
            return Got::Invalid;
        }
        Got::Valid(x)
    }

    pub(crate) fn required_number(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        bounds: Bounds,
        unit: &str,
    ) -> Option<f64> {
        rules::note_required(|| at.child(key));
        match self.number(at, key, leaf, bounds, unit) {
            Got::Absent => {
                let expected = format!("{} ({unit})", bounds.describe("a number"));
                self.missing(at, key, &expected)
            }
            Got::Valid(x) => Some(x),
            Got::Invalid => None,
        }
    }

    /// A coefficient of variation: 0, or from [`MIN_CV`] to [`MAX_CV`].
    pub(crate) fn cv(&mut self, at: &At, key: &str, leaf: &Leaf, unit: &str) -> Got<f64> {
        let got = self.number(at, key, leaf, Bounds::closed(0.0, MAX_CV), unit);
        rules::refine(
            || at.child(key),
            Kind::Cv {
                min: MIN_CV,
                max: MAX_CV,
            },
        );
        match got {
            Got::Valid(x) if x > 0.0 && x < MIN_CV => {
                if let Some(v) = leaf {
                    let msg = format!(
                        "expected 0 (no variation) or a number from {MIN_CV} to {MAX_CV} ({unit}), {}",
                        found(v.get_ref())
                    );
                    self.problem(Some(v.span()), at.child(key), msg);
                }
                Got::Invalid
            }
            other => other,
        }
    }

    /// A whole number from `min` to `max`.
    pub(crate) fn whole(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        min: u64,
        max: u64,
        unit: &str,
    ) -> Got<u64> {
        rules::note(
            || at.child(key),
            || Kind::Whole { min, max },
            unit,
            self.fixed_only.is_none(),
        );
        let Some(v) = leaf else {
            rules::note_absent();
            return Got::Absent;
        };
        if let Value::Table(t) = v.get_ref()
            && t.contains_key("dist")
        {
            return match self.distribution(at, key, v, (min as f64, max as f64), true, unit) {
                Got::Valid(x) => Got::Valid(x as u64),
                Got::Absent => Got::Absent,
                Got::Invalid => Got::Invalid,
            };
        }
        let expected = whole_expected(min, max, unit);
        let n = match v.get_ref() {
            Value::Integer(i) => u64::try_from(*i).ok(),
            Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64 => {
                Some(*f as u64)
            }
            _ => None,
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Got::Valid(n),
            _ => {
                let msg = format!("expected {expected}, {}", found(v.get_ref()));
                self.problem(Some(v.span()), at.child(key), msg);
                Got::Invalid
            }
        }
    }

    pub(crate) fn required_whole(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        min: u64,
        max: u64,
        unit: &str,
    ) -> Option<u64> {
        rules::note_required(|| at.child(key));
        match self.whole(at, key, leaf, min, max, unit) {
            Got::Absent => self.missing(at, key, &whole_expected(min, max, unit)),
            Got::Valid(n) => Some(n),
            Got::Invalid => None,
        }
    }

    /// A text value, one of `options`.
    pub(crate) fn choice(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        options: &[&str],
    ) -> Got<String> {
        rules::note(
            || at.child(key),
            || Kind::Choice(options.iter().map(|o| (*o).to_string()).collect()),
            "",
            false,
        );
        let Some(v) = leaf else {
            rules::note_absent();
            return Got::Absent;
        };
        let list = options
            .iter()
            .map(|o| format!("\"{o}\""))
            .collect::<Vec<_>>()
            .join(", ");
        match v.get_ref() {
            Value::String(s) if options.contains(&s.as_str()) => Got::Valid(s.clone()),
            other => {
                let msg = format!("expected one of {list}, {}", found(other));
                self.problem(Some(v.span()), at.child(key), msg);
                Got::Invalid
            }
        }
    }

    /// A table that must be present.
    pub(crate) fn require_table<'a, T>(
        &mut self,
        at: &At,
        key: &str,
        table: &'a raw::Table<T>,
    ) -> Option<&'a T> {
        rules::note_required(|| at.child(key));
        match table {
            Some(t) => Some(t.get_ref()),
            None => {
                let path = at.child(key);
                self.problem(
                    at.span.clone(),
                    path.clone(),
                    format!("missing; expected a [{path}] table"),
                );
                None
            }
        }
    }
}

impl Checker {
    /// A distribution written where a number goes: `{ dist = "triangular", min = …, mode = …,
    /// max = … }`. Recorded as an uncertain input; its median stands for it in the scenario
    /// itself (the base case).
    fn distribution(
        &mut self,
        at: &At,
        key: &str,
        v: &toml::Spanned<Value>,
        range: (f64, f64),
        whole: bool,
        unit: &str,
    ) -> Got<f64> {
        let path = at.child(key);
        let span = Some(v.span());
        if let Some(reason) = self.fixed_only {
            self.problem(
                span,
                path,
                format!("expected a number ({unit}); this field cannot vary (as a distribution, in a sweep or a tornado): {reason}"),
            );
            return Got::Invalid;
        }
        let Value::Table(t) = v.get_ref() else {
            return Got::Invalid;
        };
        let kinds = DISTRIBUTIONS.map(|(k, _)| k);
        let params: &[&str] = match DISTRIBUTIONS
            .iter()
            .find(|(k, _)| t.get("dist").and_then(Value::as_str) == Some(*k))
        {
            Some((_, params)) => params,
            _ => {
                let found = t.get("dist").map_or("nothing".to_string(), found);
                self.problem(
                    span,
                    format!("{path}.dist"),
                    format!(
                        "expected one of {}, {found}",
                        kinds.map(|k| format!("\"{k}\"")).join(", ")
                    ),
                );
                return Got::Invalid;
            }
        };
        let mut values = Vec::with_capacity(params.len());
        let mut ok = true;
        for name in t
            .keys()
            .filter(|k| *k != "dist" && !params.contains(&k.as_str()))
        {
            self.problem(
                span.clone(),
                format!("{path}.{name}"),
                format!(
                    "unknown parameter of this distribution (valid: {})",
                    params.join(", ")
                ),
            );
            ok = false;
        }
        for name in params {
            match t.get(*name) {
                Some(Value::Float(x)) if x.is_finite() => values.push(*x),
                Some(Value::Integer(i)) => values.push(*i as f64),
                Some(other) => {
                    self.problem(
                        span.clone(),
                        format!("{path}.{name}"),
                        format!("expected a number, {}", found(other)),
                    );
                    ok = false;
                }
                None => {
                    self.problem(
                        span.clone(),
                        format!("{path}.{name}"),
                        "missing; this distribution needs it".into(),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return Got::Invalid;
        }
        let dist = match (t.get("dist").and_then(Value::as_str), values.as_slice()) {
            (Some("fixed"), [value]) => InputDist::Fixed { value: *value },
            (Some("uniform"), [min, max]) => InputDist::Uniform {
                min: *min,
                max: *max,
            },
            (Some("triangular"), [min, mode, max]) => InputDist::Triangular {
                min: *min,
                mode: *mode,
                max: *max,
            },
            (Some("pert"), [min, mode, max]) => InputDist::Pert {
                min: *min,
                mode: *mode,
                max: *max,
            },
            (Some("normal"), [mean, sd]) => InputDist::Normal {
                mean: *mean,
                sd: *sd,
            },
            (Some("lognormal"), [mean, sd]) => InputDist::Lognormal {
                mean: *mean,
                sd: *sd,
            },
            _ => return Got::Invalid,
        };
        if let Err(why) = dist.check(range.0, range.1) {
            self.problem(
                span,
                path,
                format!("this distribution does not fit the field ({unit}): {why}"),
            );
            return Got::Invalid;
        }
        let input = UncertainInput {
            path,
            dist,
            range,
            whole,
        };
        let median = input.value_at(0.5);
        if !matches!(dist, InputDist::Fixed { .. }) {
            self.uncertain.push(input);
        }
        Got::Valid(median)
    }
}

/// The distributions an uncertain input may follow, each with its parameters in the order
/// written.
pub(crate) const DISTRIBUTIONS: [(&str, &[&str]); 6] = [
    ("fixed", &["value"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
    ("pert", &["min", "mode", "max"]),
    ("normal", &["mean", "sd"]),
    ("lognormal", &["mean", "sd"]),
];

/// Coefficients of variation above this are not a population, they are a typo.
pub(crate) const MAX_CV: f64 = 10.0;
/// Smallest non-zero coefficient of variation: below it the Gamma shapes (1/cv²) leave the
/// range floating point computes well; 0 means no variation at all.
pub(crate) const MIN_CV: f64 = 0.001;

impl At {
    /// The root of the document.
    pub(crate) fn root() -> At {
        At {
            path: String::new(),
            span: None,
        }
    }

    /// Element `index` of the array of tables `key`, e.g. `program.points.rewards[2]`.
    pub(crate) fn element<T>(&self, key: &str, index: usize, element: &Spanned<T>) -> At {
        At {
            path: format!("{}[{index}]", self.child(key)),
            span: Some(element.span()),
        }
    }
}

impl Checker {
    /// A text value.
    pub(crate) fn text(&mut self, at: &At, key: &str, leaf: &Leaf, what: &str) -> Got<String> {
        rules::note(|| at.child(key), || Kind::Text, what, false);
        let Some(v) = leaf else {
            rules::note_absent();
            return Got::Absent;
        };
        match v.get_ref() {
            Value::String(s) if !s.trim().is_empty() => Got::Valid(s.clone()),
            other => {
                let msg = format!("expected {what} (text), {}", found(other));
                self.problem(Some(v.span()), at.child(key), msg);
                Got::Invalid
            }
        }
    }

    /// A value per loyalty type (absent types get 0), each within `bounds`.
    pub(crate) fn type_values(
        &mut self,
        at: &At,
        values: &raw::RawTypeValues,
        bounds: Bounds,
        unit: &str,
    ) -> Option<[f64; TYPES]> {
        self.by_type(at, values, [0.0; TYPES], bounds, unit)
    }

    /// A value per loyalty type where a type left out keeps its `default`; a value for
    /// committed loyalty is refused unless the scenario has that type.
    pub(crate) fn by_type(
        &mut self,
        at: &At,
        values: &raw::RawTypeValues,
        default: [f64; TYPES],
        bounds: Bounds,
        unit: &str,
    ) -> Option<[f64; TYPES]> {
        let leaves: [&Leaf; TYPES] = [
            &values.true_loyal,
            &values.latent,
            &values.false_loyal,
            &values.none,
            &values.committed,
        ];
        let mut out = default;
        let mut ok = true;
        for (i, (ty, leaf)) in LoyaltyType::ALL.into_iter().zip(leaves).enumerate() {
            match self.number(at, ty.key(), leaf, bounds, unit).or(default[i]) {
                Some(v) => out[i] = v,
                None => ok = false,
            }
        }
        ok &= self.committed_stated(at, &values.committed);
        ok.then_some(out)
    }

    /// Whether `leaf`, a value for committed loyalty at `at`, may be there: refused (with a
    /// problem) when given in a scenario without `[population.committed]`.
    pub(crate) fn committed_stated<T>(&mut self, at: &At, leaf: &Option<Spanned<T>>) -> bool {
        match leaf {
            Some(v) if !self.committed => {
                self.problem(
                    Some(v.span()),
                    at.child("committed"),
                    "committed loyalty is not in this scenario's population: add [population.committed] (with its share) or leave committed out here".into(),
                );
                false
            }
            _ => true,
        }
    }

    /// A whole number that fits in a `u32` month count.
    pub(crate) fn months(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        min: u64,
        max: u64,
        unit: &str,
    ) -> Got<u32> {
        match self.whole(at, key, leaf, min, max.min(u64::from(u32::MAX)), unit) {
            Got::Valid(n) => u32::try_from(n).map_or(Got::Invalid, Got::Valid),
            Got::Absent => Got::Absent,
            Got::Invalid => Got::Invalid,
        }
    }
}
