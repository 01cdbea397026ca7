//! The `[risk]` table: the sampling of the uncertain inputs, their rank correlations (a valid
//! correlation matrix over inputs the scenario draws), and the loss whose probability is
//! reported. Read after every other table, so the uncertain inputs are all known.

use toml::{Spanned, Value};

use super::checker::{At, Bounds, Checker, found};
use super::raw::{RawCorrelation, RawList, RawScenario};
use super::rules::{self, Kind};
use crate::model::sampling::{Correlation, MatrixProblem, RiskSettings, Sampling, check_matrix};

/// Reads `[risk]`; absent, it is plain random sampling with no correlation and no loss limit.
pub(crate) fn risk(c: &mut Checker, raw: &RawScenario) -> Option<RiskSettings> {
    let Some(r) = &raw.risk else {
        return Some(RiskSettings::default());
    };
    let at = At::root().table("risk", &raw.risk);
    let r = r.get_ref();
    let sampling = match c
        .choice(&at, "sampling", &r.sampling, &["random", "latin_hypercube"])
        .or("random".into())
    {
        Some(s) if s == "latin_hypercube" => Some(Sampling::LatinHypercube),
        Some(_) => Some(Sampling::Random),
        None => None,
    };
    let before = c
        .fixed_only
        .replace("it defines what is reported, not the program");
    let loss_limit = c
        .number(
            &at,
            "loss_limit",
            &r.loss_limit,
            Bounds::POSITIVE,
            "a loss in the scenario's currency, as a positive amount",
        )
        .optional();
    c.fixed_only = before;
    let correlation = match &r.correlation {
        None => Some(None),
        Some(t) => correlation(c, &at.table("correlation", &r.correlation), t).map(Some),
    };
    Some(RiskSettings {
        sampling: sampling?,
        correlation: correlation?,
        loss_limit: loss_limit?,
    })
}

/// A list's entries, or a problem (with what was found) when it is not a list.
fn list<'a>(
    c: &mut Checker,
    at: &At,
    (key, kind): (&str, Kind),
    value: &'a Option<Spanned<RawList>>,
    expected: &str,
) -> Option<&'a [Spanned<Value>]> {
    rules::note(|| at.child(key), || kind, expected, false);
    let Some(v) = value else {
        rules::note_absent();
        return c.missing(at, key, expected);
    };
    match v.get_ref() {
        RawList::List(items) => Some(items),
        RawList::Other(what) => {
            c.problem(
                Some(v.span()),
                at.child(key),
                format!("expected {expected}, {what}"),
            );
            None
        }
    }
}

fn correlation(c: &mut Checker, at: &At, t: &Spanned<RawCorrelation>) -> Option<Correlation> {
    let t = t.get_ref();
    let expected_inputs = "a list of the paths of uncertain inputs, e.g. [\"finance.gross_margin\", \"population.latent.response.frequency\"]";
    let items = list(
        c,
        at,
        ("inputs", Kind::TextList),
        &t.inputs,
        expected_inputs,
    );
    let rows = list(
        c,
        at,
        ("matrix", Kind::Rows(Bounds::closed(-1.0, 1.0))),
        &t.matrix,
        "a list of rows, each a list of correlations, e.g. [[1.0, 0.7], [0.7, 1.0]]",
    );
    let inputs = inputs(c, at, items?)?;
    let rows = rows?;
    let matrix_path = at.child("matrix");
    let mut matrix = Vec::with_capacity(rows.len());
    let mut ok = true;
    for (i, row) in rows.iter().enumerate() {
        let Value::Array(entries) = row.get_ref() else {
            c.problem(
                Some(row.span()),
                format!("{matrix_path}[{i}]"),
                format!(
                    "expected a row of {} correlations, {}",
                    inputs.len(),
                    found(row.get_ref())
                ),
            );
            ok = false;
            continue;
        };
        let mut values = Vec::with_capacity(entries.len());
        for (j, e) in entries.iter().enumerate() {
            match e {
                Value::Float(x) => values.push(*x),
                Value::Integer(x) => values.push(*x as f64),
                other => {
                    c.problem(
                        Some(row.span()),
                        format!("{matrix_path}[{i}][{j}]"),
                        format!("expected a correlation from -1 to 1, {}", found(other)),
                    );
                    ok = false;
                }
            }
        }
        matrix.push(values);
    }
    if !ok {
        return None;
    }
    let span_of_row = |i: usize| rows.get(i).map(Spanned::span);
    let whole = t.matrix.as_ref().map(Spanned::span);
    let problems = check_matrix(&matrix, inputs.len());
    for p in &problems {
        let (span, field) = match *p {
            MatrixProblem::Shape { row: None, .. }
            | MatrixProblem::NotPositiveSemiDefinite { .. } => (whole.clone(), matrix_path.clone()),
            MatrixProblem::Shape { row: Some(i), .. } => {
                (span_of_row(i), format!("{matrix_path}[{i}]"))
            }
            MatrixProblem::Range { row, column, .. }
            | MatrixProblem::Asymmetric { row, column, .. } => {
                (span_of_row(row), format!("{matrix_path}[{row}][{column}]"))
            }
            MatrixProblem::Diagonal { index, .. } => (
                span_of_row(index),
                format!("{matrix_path}[{index}][{index}]"),
            ),
        };
        c.problem(span, field, p.to_string());
    }
    problems
        .is_empty()
        .then_some(Correlation { inputs, matrix })
}

/// The inputs' paths: each an uncertain input of the scenario, each named once, at least two.
fn inputs(c: &mut Checker, at: &At, items: &[Spanned<Value>]) -> Option<Vec<String>> {
    let field = at.child("inputs");
    let known: Vec<String> = c.uncertain.iter().map(|u| u.path.clone()).collect();
    let mut paths: Vec<String> = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let here = format!("{field}[{i}]");
        match item.get_ref() {
            Value::String(p) if paths.contains(p) => {
                c.problem(
                    Some(item.span()),
                    here,
                    format!("`{p}` is named twice; name each input once"),
                );
                ok = false;
            }
            Value::String(p) if known.contains(p) => paths.push(p.clone()),
            Value::String(p) => {
                let hint = if known.is_empty() {
                    "the scenario has no uncertain inputs: give a field as a distribution, e.g. `gross_margin = { dist = \"normal\", mean = 0.45, sd = 0.02 }`".to_string()
                } else {
                    format!("uncertain inputs of this scenario: {}", known.join(", "))
                };
                c.problem(
                    Some(item.span()),
                    here,
                    format!("`{p}` is not an uncertain input of this scenario ({hint})"),
                );
                ok = false;
            }
            other => {
                c.problem(
                    Some(item.span()),
                    here,
                    format!(
                        "expected the path of an uncertain input (text), {}",
                        found(other)
                    ),
                );
                ok = false;
            }
        }
    }
    if ok && paths.len() < 2 {
        let span = items.first().map(Spanned::span).or_else(|| at.span.clone());
        c.problem(
            span,
            field,
            format!(
                "expected at least two uncertain inputs to correlate, found {}",
                paths.len()
            ),
        );
        ok = false;
    }
    ok.then_some(paths)
}

/// Takes the inputs of `fixed` (set to numbers in a variant of the file: a trial's draw, a
/// sweep's step, a tornado's swing) out of `[risk.correlation]` in `document`: their rows
/// and columns leave the matrix (what remains of a valid correlation matrix is one), and the
/// table goes when fewer than two inputs remain.
pub(crate) fn drop_from_correlation(document: &mut toml::Table, fixed: &[&str]) {
    let Some(Value::Table(risk)) = document.get_mut("risk") else {
        return;
    };
    let Some(Value::Table(correlation)) = risk.get_mut("correlation") else {
        return;
    };
    let Some(Value::Array(inputs)) = correlation.get("inputs") else {
        return;
    };
    let keep: Vec<bool> = inputs
        .iter()
        .map(|v| v.as_str().is_none_or(|p| !fixed.contains(&p)))
        .collect();
    if keep.iter().all(|k| *k) {
        return;
    }
    if keep.iter().filter(|k| **k).count() < 2 {
        risk.remove("correlation");
        return;
    }
    let kept = |items: &[Value]| -> Vec<Value> {
        items
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(v, _)| v.clone())
            .collect()
    };
    let inputs = kept(inputs);
    if let Some(Value::Array(rows)) = correlation.get("matrix") {
        let rows: Vec<Value> = kept(rows)
            .into_iter()
            .map(|row| match row {
                Value::Array(entries) => Value::Array(kept(&entries)),
                other => other,
            })
            .collect();
        correlation.insert("matrix".into(), Value::Array(rows));
    }
    correlation.insert("inputs".into(), Value::Array(inputs));
}
