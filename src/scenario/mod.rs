//! Scenario files: TOML in, an immutable, validated [`Scenario`] out.
//!
//! Loading goes through three stages, each of which reports every problem it finds rather
//! than the first: TOML syntax ([`toml::de::DeTable::parse_recoverable`]), the shape of the
//! file (unknown keys, collected with `serde_ignored`, and tables where values should be), and
//! the values ([`validate`], with the program and the market in their own modules: types,
//! ranges, shares summing to one, rules across fields).

mod checker;
pub mod diagnostic;
pub mod raw;
pub(crate) mod rules;
pub mod schema;
pub mod validate;
mod validate_market;
mod validate_privileges;
mod validate_program;
mod validate_reactions;
mod validate_risk;
mod validate_targeting;

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use toml::de::{DeTable, DeValue};

use crate::model::market::Market;
use crate::model::population::Population;
use crate::model::program::Program;
use crate::model::uncertain::UncertainInput;
use crate::money::Currency;
pub use diagnostic::{LocatedProblem, Problem, ScenarioError};
use raw::RawScenario;

/// Sizes of the simulation and its seed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// Customers simulated in each trial.
    pub customers: u64,
    /// Horizon in months.
    pub months: u32,
    /// Monte Carlo trials.
    pub trials: u64,
    /// Seed from which every trial's random numbers are derived.
    pub seed: u64,
    /// Calendar month (1 = January) of the first simulated month; only dated offers read it.
    pub launch_month: u32,
}

/// One item of the one-time investment, booked at month 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvestmentItem {
    /// Name as written in the scenario (e.g. `it_platform`).
    pub name: String,
    /// Amount in currency.
    pub amount: f64,
}

/// Running costs of the program, in currency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RunningCosts {
    /// Fixed cost per month (platform, staff, agency).
    pub per_month: f64,
    /// Cost per member per month (card, communication, data).
    pub per_member: f64,
    /// Cost per member transaction (processing).
    pub per_transaction: f64,
}

/// The money side of the business case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finance {
    /// Currency of every amount in the scenario and the outputs.
    pub currency: Currency,
    /// Gross margin on sales, as a share of revenue.
    pub gross_margin: f64,
    /// Annual discount rate for the NPV.
    pub discount_rate: f64,
    /// Itemised one-time investment.
    pub investment: Vec<InvestmentItem>,
    /// Running costs.
    pub running_costs: RunningCosts,
}

impl Finance {
    /// Total one-time investment.
    pub fn investment_total(&self) -> f64 {
        self.investment.iter().map(|i| i.amount).sum()
    }
}

/// A validated scenario: everything a run needs, and nothing left to check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// The scenario's name (`name`), if it gives one: the title of its reports.
    pub name: Option<String>,
    /// What the scenario is (`description`), if it says.
    pub description: Option<String>,
    /// Sizes and seed.
    pub simulation: Simulation,
    /// The customers by loyalty type.
    pub population: Population,
    /// The program design.
    pub program: Program,
    /// The market around the customers and the program.
    pub market: Market,
    /// The inputs given as distributions; the values above hold their medians.
    pub uncertain: Vec<UncertainInput>,
    /// The business-case inputs.
    pub finance: Finance,
    /// How the uncertain inputs are drawn together, and the loss whose chance is reported.
    pub risk: crate::model::sampling::RiskSettings,
}

/// Fixed costs beyond what the whole base could earn: the rule behind `run`'s warning.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixedCostsBeyondMargin {
    /// The investment plus the fixed running costs a month times the horizon, undiscounted.
    pub fixed_costs: f64,
    /// The gross margin of every customer of the base over the horizon, each buying at their
    /// type's mean rate and spend and never leaving: more than the base can give, let alone a
    /// program's increment on it.
    pub base_margin: f64,
    /// Months of the horizon.
    pub months: u32,
}

impl Scenario {
    /// Whether the fixed costs over the horizon exceed the gross margin the whole base would
    /// earn over it without attrition (`None` if not): then no effect of the program on these
    /// customers can pay them back, and the costs were likely set for another base (or
    /// another currency). Per-member and per-transaction costs are left out: they follow the
    /// base by themselves.
    pub fn fixed_costs_beyond_margin(&self) -> Option<FixedCostsBeyondMargin> {
        let months = self.simulation.months;
        let fixed = self.finance.investment_total()
            + self.finance.running_costs.per_month * f64::from(months);
        let total_share: f64 = self.population.types.iter().map(|t| t.share).sum();
        if total_share <= 0.0 {
            return None;
        }
        let per_customer_month: f64 = self
            .population
            .types
            .iter()
            .map(|t| t.share / total_share * t.purchases_per_month.mean * t.spend_per_purchase.mean)
            .sum();
        let margin = self.simulation.customers as f64
            * per_customer_month
            * self.finance.gross_margin
            * f64::from(months);
        (fixed > margin).then_some(FixedCostsBeyondMargin {
            fixed_costs: fixed,
            base_margin: margin,
            months,
        })
    }
}

/// A scenario together with where it came from.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// The path as the user gave it.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, in hex: what `sha256sum` prints for the file.
    pub sha256: String,
    /// The validated scenario.
    pub scenario: Scenario,
    /// The file's text, from which variants of the scenario are built.
    pub source: String,
}

impl ScenarioFile {
    /// Parses and validates `source`, the text of the file at `path` (used in messages).
    pub fn from_text(path: PathBuf, source: &str) -> Result<ScenarioFile, ScenarioError> {
        let scenario = parse(source, &path)?;
        Ok(ScenarioFile {
            path,
            sha256: sha256_hex(source.as_bytes()),
            scenario,
            source: source.to_string(),
        })
    }

    /// The scenario with each `(path, value)` written in place of what the file says (or
    /// added where it says nothing), validated again: an uncertain input's draw, a sweep's
    /// step, a tornado's swing. `path` is a field path as in messages, e.g.
    /// `program.points.rewards[1].cost`. A whole number is written as a TOML integer.
    pub fn with_values(&self, values: &[(&str, f64)]) -> Result<Scenario, ScenarioError> {
        self.variant(values).map(|v| v.scenario)
    }

    /// The file's text as a TOML document.
    fn document(&self) -> Result<toml::Table, ScenarioError> {
        toml::from_str(&self.source).map_err(|e| {
            ScenarioError::new(
                &self.path,
                &self.source,
                vec![Problem::new(e.span(), "", e.message())],
            )
        })
    }

    /// What the field at `path` takes, asked of the checker itself: `Ok(whole)` if it is a
    /// number that may vary over `low..=high` (whether it holds whole numbers), else the
    /// problem (an unknown field, a value out of its range, a field that sizes the experiment
    /// or must sum with others).
    pub fn probe(&self, path: &str, low: f64, high: f64) -> Result<bool, ScenarioError> {
        let mut document = self.document()?;
        let mut range = toml::Table::new();
        if low == high {
            range.insert("dist".into(), "fixed".into());
            range.insert("value".into(), toml::Value::Float(low));
        } else {
            range.insert("dist".into(), "uniform".into());
            range.insert("min".into(), toml::Value::Float(low.min(high)));
            range.insert("max".into(), toml::Value::Float(low.max(high)));
        }
        let unlocated = |why: String| {
            ScenarioError::new(
                &self.path,
                &self.source,
                vec![Problem::new(None, path, why)],
            )
            .unlocated()
        };
        if let Some((_, toml::Value::Table(t))) = path
            .rsplit_once('.')
            .and_then(|(parent, key)| Some((key, lookup(&document, parent)?.get(key)?)))
            && !t.contains_key("dist")
        {
            let fields: Vec<&str> = t.keys().map(String::as_str).collect();
            return Err(unlocated(format!(
                "a table, not a number: name one of its fields ({})",
                fields.join(", ")
            )));
        }
        set_path(&mut document, path, toml::Value::Table(range)).map_err(unlocated)?;
        let source = toml::to_string(&document).unwrap_or_default();
        let scenario = parse(&source, &self.path).map_err(ScenarioError::unlocated)?;
        scenario
            .uncertain
            .iter()
            .find(|u| u.path == path)
            .map(|u| u.whole)
            .ok_or_else(|| unlocated("not a number of the scenario".into()))
    }

    /// The file as if it said `values` (see [`ScenarioFile::with_values`]): a variant that runs
    /// like any scenario file, its uncertain inputs included. It keeps the original's path and
    /// hash.
    pub fn variant(&self, values: &[(&str, f64)]) -> Result<ScenarioFile, ScenarioError> {
        let mut document = self.document()?;
        let fixed: Vec<&str> = values.iter().map(|(p, _)| *p).collect();
        validate_risk::drop_from_correlation(&mut document, &fixed);
        for (path, value) in values {
            if let Err(why) = set_path(&mut document, path, number(*value)) {
                return Err(ScenarioError::new(
                    &self.path,
                    &self.source,
                    vec![Problem::new(None, *path, why)],
                )
                .unlocated());
            }
        }
        let source = toml::to_string(&document).unwrap_or_default();
        // The variant's text is not the user's file: its problems are told without positions.
        let scenario = parse(&source, &self.path).map_err(ScenarioError::unlocated)?;
        Ok(ScenarioFile {
            path: self.path.clone(),
            sha256: self.sha256.clone(),
            scenario,
            source,
        })
    }
}

/// The value at a dotted `path` (with `[i]` for list entries) in `document`, if it is there.
fn lookup<'a>(document: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let step = |v: Option<&'a toml::Value>, part: &str| -> Option<&'a toml::Value> {
        let (key, index) = split_index(part).ok()?;
        let v = v?.get(key)?;
        match index {
            Some(i) => v.get(i),
            None => Some(v),
        }
    };
    let (key, index) = split_index(first).ok()?;
    let mut value = document.get(key);
    if let Some(i) = index {
        value = value?.get(i);
    }
    for part in parts {
        value = step(value, part);
    }
    value
}

/// `value` as TOML: a whole number as an integer.
fn number(value: f64) -> toml::Value {
    if value.fract() == 0.0 && value.abs() < 9e15 {
        toml::Value::Integer(value as i64)
    } else {
        toml::Value::Float(value)
    }
}

/// Writes `value` at `path` in `document`, creating tables that are missing.
fn set_path(document: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, parents) = parts.split_last().ok_or("empty path")?;
    let mut table = document;
    for part in parents {
        let (key, index) = split_index(part)?;
        let entry = table
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let next = match (entry, index) {
            (toml::Value::Table(t), None) => t,
            (toml::Value::Array(a), Some(i)) => {
                let len = a.len();
                match a.get_mut(i) {
                    Some(toml::Value::Table(t)) => t,
                    Some(_) => return Err(format!("`{part}` is not a table")),
                    None => {
                        return Err(format!(
                            "there is no `{part}`: the list has {len} entries, counted from 0"
                        ));
                    }
                }
            }
            (_, Some(_)) => return Err(format!("there is no list of tables `{key}` here")),
            _ => return Err(format!("`{part}` is not a table")),
        };
        table = next;
    }
    table.insert((*last).to_string(), value);
    Ok(())
}

/// `rewards[2]` → ("rewards", Some(2)); `points` → ("points", None).
fn split_index(part: &str) -> Result<(&str, Option<usize>), String> {
    match part.split_once('[') {
        None => Ok((part, None)),
        Some((key, rest)) => {
            let index = rest
                .strip_suffix(']')
                .and_then(|i| i.parse().ok())
                .ok_or_else(|| format!("`{part}` is not `name[index]`"))?;
            Ok((key, Some(index)))
        }
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read (missing, a directory, no permission).
    #[error("cannot read scenario file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text (a binary file, or another encoding).
    #[error("{}: not a text file: a scenario is UTF-8 TOML (invalid byte at offset {offset})", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The file was read but has problems.
    #[error(transparent)]
    Invalid(#[from] ScenarioError),
}

/// Reads, parses and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<ScenarioFile, LoadError> {
    let bytes = crate::input::read_limited(path, crate::input::SCENARIO_LIMIT, false).map_err(
        |source| LoadError::Read {
            path: path.to_path_buf(),
            source,
        },
    )?;
    let source = std::str::from_utf8(&bytes).map_err(|e| LoadError::NotText {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    Ok(ScenarioFile::from_text(path.to_path_buf(), source)?)
}

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses and validates scenario text; `file` is only used in messages.
pub fn parse(source: &str, file: &Path) -> Result<Scenario, ScenarioError> {
    let fail = |problems: Vec<Problem>| ScenarioError::new(file, source, problems);

    let (table, syntax_errors) = DeTable::parse_recoverable(source);
    if !syntax_errors.is_empty() {
        return Err(fail(
            syntax_errors
                .iter()
                .map(|e| {
                    let message = e.message().trim();
                    // The parser gives up on deep nesting without saying where: point at the line
                    // that nests deepest.
                    let span = match e.span() {
                        Some(span) if !span.is_empty() => Some(span),
                        _ if message.contains("recursion limit") => Some(deepest_line(source)),
                        other => other,
                    };
                    Problem::new(span, "", format!("TOML syntax: {message}"))
                })
                .collect(),
        ));
    }

    let mut unknown: Vec<Vec<String>> = Vec::new();
    let deserializer = toml::de::Deserializer::from(table);
    let raw: RawScenario = match serde_ignored::deserialize(deserializer, |path| {
        unknown.push(path_keys(&path));
    }) {
        Ok(raw) => raw,
        Err(e) => {
            // Only a value given where a table is expected gets here: leaves accept any value
            // and are checked by `validate`.
            let (located, _) = DeTable::parse_recoverable(source);
            let (field, found) = e
                .span()
                .and_then(|span| value_at(located.get_ref(), source, &span))
                .unwrap_or_default();
            let said = e.message().trim();
            let message = if field.is_empty() {
                said.to_string()
            } else if beyond_64_bits(&found) {
                format!(
                    "found {}, a whole number beyond 64 bits (at most 9,223,372,036,854,775,807 either way); write it as a decimal number (e.g. 1e20) if it is meant",
                    diagnostic::shorten(&found)
                )
            } else {
                format!("expected a table, found {}", diagnostic::shorten(&found))
            };
            return Err(fail(vec![Problem::new(e.span(), field, message)]));
        }
    };

    let (located, _) = DeTable::parse_recoverable(source);
    let mut problems: Vec<Problem> = unknown
        .iter()
        .map(|path| unknown_key_problem(located.get_ref(), path))
        .collect();
    match validate::validate(&raw) {
        Ok(scenario) if problems.is_empty() => Ok(scenario),
        Ok(_) => Err(fail(problems)),
        Err(more) => {
            problems.extend(more);
            Err(fail(problems))
        }
    }
}

/// Whether `text` is a whole number too large for 64 bits.
fn beyond_64_bits(text: &str) -> bool {
    let digits = text.replace('_', "");
    let unsigned = digits.trim_start_matches(['-', '+']);
    !unsigned.is_empty()
        && unsigned.bytes().all(|b| b.is_ascii_digit())
        && digits.parse::<i64>().is_err()
}

/// The span of the line of `source` with the most dots, brackets and braces: where a nesting
/// too deep to parse is.
fn deepest_line(source: &str) -> std::ops::Range<usize> {
    let mut best = (0, 0..0);
    let mut start = 0;
    for line in source.split_inclusive('\n') {
        let depth = line
            .bytes()
            .filter(|b| matches!(b, b'.' | b'[' | b'{'))
            .count();
        if depth > best.0 {
            best = (depth, start..start + line.trim_end().len());
        }
        start += line.len();
    }
    best.1
}

/// The keys of a path reported by `serde_ignored`, without the wrappers serde adds for
/// `Option` and `Spanned`.
fn path_keys(path: &serde_ignored::Path<'_>) -> Vec<String> {
    use serde_ignored::Path as P;
    let mut keys = Vec::new();
    let mut current = path;
    loop {
        match current {
            P::Root => break,
            P::Map { parent, key } => {
                if !key.starts_with("$__serde_spanned_private") {
                    keys.push(key.clone());
                }
                current = parent;
            }
            P::Seq { parent, index } => {
                keys.push(index.to_string());
                current = parent;
            }
            P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
                current = parent
            }
        }
    }
    keys.reverse();
    keys
}

/// The problem for an unknown key, pointing at the key and suggesting the closest valid one.
fn unknown_key_problem(root: &DeTable<'_>, path: &[String]) -> Problem {
    let (parent, key) = match path.split_last() {
        Some((key, parent)) => (parent, key.as_str()),
        None => (path, ""),
    };
    let valid = raw::known_keys(parent);
    let closest = valid
        .iter()
        .map(|v| (strsim::jaro_winkler(key, v), *v))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| v);
    let mut message = String::from("unknown field");
    if let Some(c) = closest {
        message.push_str(&format!("; did you mean `{c}`?"));
    }
    if !valid.is_empty() {
        message.push_str(&format!(" (valid here: {})", valid.join(", ")));
    }
    Problem::new(key_span(root, path), path.join("."), message)
}

/// The dotted path of the value at `span` in the parsed document, and the value as written.
/// Searches depth first: a table's own span covers only its header, not its body.
fn value_at(root: &DeTable<'_>, source: &str, span: &Range<usize>) -> Option<(String, String)> {
    for (key, value) in root {
        let here = value.span();
        match value.get_ref() {
            DeValue::Table(t) if here != *span => {
                if let Some((path, text)) = value_at(t, source, span) {
                    return Some((format!("{}.{path}", key.get_ref()), text));
                }
            }
            _ if here.start <= span.start && span.end <= here.end => {
                let text = source.get(here).unwrap_or("").trim();
                return Some((key.get_ref().to_string(), text.to_string()));
            }
            _ => {}
        }
    }
    None
}

/// Span of the last key of `path` in the parsed document.
fn key_span(root: &DeTable<'_>, path: &[String]) -> Option<Range<usize>> {
    let mut table = root;
    let mut span = None;
    for (i, key) in path.iter().enumerate() {
        let (k, v) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key.as_str())?;
        span = Some(k.span());
        if i + 1 < path.len() {
            table = match v.get_ref() {
                DeValue::Table(t) => t,
                _ => return span,
            };
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        // FIPS 180-2 test vector for "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
