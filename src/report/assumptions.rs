//! The assumptions of a run, read from its scenario file: every value by its dotted path, in
//! file order, an uncertain input as one assumption with its distribution. Shared by the HTML
//! report and the workbook, so both list the same thing.

use crate::run::RunOutput;

/// A value of the scenario file.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Number(f64),
    /// Anything else, as written (text, true/false, a list).
    Text(String),
}

/// One assumption.
#[derive(Debug, Clone, PartialEq)]
pub struct Assumption {
    /// Dotted path, e.g. `program.points.earn_rate` (`[i]` for the i-th of a list of tables).
    pub path: String,
    /// The value; for an uncertain input its median, the value of the charted scenario.
    pub value: Value,
    /// An uncertain input's distribution, drawn once per trial.
    pub distribution: Option<String>,
}

/// Every assumption of `run`'s scenario file, in file order. The `[simulation]` sizes and
/// seed are shown as run (after `--trials`, `--seed`).
pub fn assumptions(run: &RunOutput) -> Vec<Assumption> {
    let mut leaves = Vec::new();
    // The file parsed once already, when the run started.
    if let Ok(doc) = run.source.parse::<toml::Table>() {
        collect("", &toml::Value::Table(doc), &mut leaves);
    }
    let sim = &run.scenario.simulation;
    leaves
        .into_iter()
        .map(|(path, value)| {
            let uncertain = run.scenario.uncertain.iter().find(|u| u.path == path);
            let value = match (path.as_str(), uncertain, value) {
                ("simulation.customers", _, _) => Value::Number(sim.customers as f64),
                ("simulation.months", _, _) => Value::Number(f64::from(sim.months)),
                ("simulation.trials", _, _) => Value::Number(sim.trials as f64),
                ("simulation.seed", _, _) => Value::Text(sim.seed.to_string()),
                (_, Some(u), _) => Value::Number(u.value_at(0.5)),
                (_, None, toml::Value::Integer(n)) => Value::Number(n as f64),
                (_, None, toml::Value::Float(x)) => Value::Number(x),
                (_, None, toml::Value::String(s)) => Value::Text(s),
                (_, None, other) => Value::Text(other.to_string()),
            };
            Assumption {
                path,
                value,
                distribution: uncertain.map(|u| u.dist.to_string()),
            }
        })
        .collect()
}

/// Every leaf of `value` as (dotted path, value).
fn collect(prefix: &str, value: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    let child = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        // An uncertain input (`{ dist = … }`) is one assumption, not several.
        toml::Value::Table(t) if !t.contains_key("dist") => {
            for (k, v) in t {
                collect(&child(k), v, out);
            }
        }
        toml::Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.is_table()) => {
            for (i, v) in items.iter().enumerate() {
                collect(&format!("{prefix}[{i}]"), v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}
