//! The assumptions of a run: every value of its scenario file by its dotted path, in file
//! order, an uncertain input as one assumption with its distribution; and the values the
//! model used that the file does not state (defaults and values derived from others). Shared
//! by the HTML report and the workbook, so both list the same thing.

use crate::model::response::Form;
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

/// The values the model used that `run`'s scenario file does not state: the defaults of the
/// behaviour rules (the stated assumptions of docs/model.md) and values derived from others (a
/// catalogue's cost per point), by path, as the file would state them.
pub fn defaults(run: &RunOutput) -> Vec<(String, Value)> {
    let written: Vec<String> = assumptions(run).into_iter().map(|a| a.path).collect();
    let mut all: Vec<(String, Value)> = Vec::new();
    let mut add = |path: String, value: Value| all.push((path, value));
    let n = Value::Number;
    let sc = &run.scenario;
    for t in sc.population.types.iter().filter(|t| t.share > 0.0) {
        let key = format!("population.{}", t.loyalty_type.key());
        add(
            format!("{key}.purchases_per_month.cv"),
            n(t.purchases_per_month.cv),
        );
        add(
            format!("{key}.spend_per_purchase.cv_within"),
            n(t.spend_per_purchase.cv_within),
        );
        add(
            format!("{key}.spend_per_purchase.cv_between"),
            n(t.spend_per_purchase.cv_between),
        );
        let r = &t.response;
        if r.form == Form::FixedLift {
            add(format!("{key}.enrolment"), n(r.enrolment));
            add(format!("{key}.frequency_lift"), n(r.frequency));
            add(format!("{key}.basket_lift"), n(r.basket));
            add(format!("{key}.attrition_reduction"), n(r.retention));
        } else {
            for (field, value) in [
                ("frequency", r.frequency),
                ("basket", r.basket),
                ("retention", r.retention),
                ("insulation", r.insulation),
                ("enrolment", r.enrolment),
                ("half", r.half),
                ("shape", r.shape),
                ("enrolment_half", r.enrolment_half),
                ("delay_discount", r.delay_discount),
                ("horizon_months", f64::from(r.horizon_months)),
                ("stake_half", r.stake_half),
            ] {
                add(format!("{key}.response.{field}"), n(value));
            }
        }
        add(
            format!("{key}.goal_gradient_response"),
            n(t.goal_gradient_response),
        );
        add(
            format!("{key}.competitor_sensitivity"),
            n(t.competitor_sensitivity),
        );
        add(format!("{key}.word_of_mouth"), n(t.word_of_mouth));
        add(format!("{key}.exit_reaction"), n(t.exit_reaction));
    }
    let p = &sc.program;
    add("program.goal_gradient".into(), n(p.goal_gradient));
    add(
        "program.enrolment_ramp_months".into(),
        n(f64::from(p.enrolment_ramp_months)),
    );
    add(
        "program.reward_cap_per_member_per_month".into(),
        p.reward_cap_per_member_per_month
            .map_or(Value::Text("no cap".into()), n),
    );
    add("program.response.frequency".into(), n(p.response.frequency));
    add("program.response.basket".into(), n(p.response.basket));
    add("program.response.retention".into(), n(p.response.retention));
    add(
        "program.response.attachment".into(),
        n(p.response.attachment),
    );
    add(
        "program.disengagement.patience_months".into(),
        n(f64::from(p.disengagement.patience_months)),
    );
    add(
        "program.disengagement.decay_per_month".into(),
        n(p.disengagement.decay_per_month),
    );
    if let Some(d) = &p.instant_discount {
        add(
            "program.instant_discount.insulation".into(),
            n(d.insulation),
        );
    }
    if let Some(t) = p.tiers.as_ref().filter(|t| t.first_discount() > 0.0) {
        add("program.tiers.insulation".into(), n(t.insulation));
    }
    if let Some(b) = p.bystanders.filter(|b| b.can_react(p)) {
        add("program.bystanders.rate_cut".into(), n(b.rate_cut));
        add(
            "program.bystanders.attrition_rise".into(),
            n(b.attrition_rise),
        );
        add(
            "program.bystanders.certificate_visibility".into(),
            n(b.certificate_visibility),
        );
    }
    if let Some(d) = &p.disappointment {
        add("program.disappointment.rate_cut".into(), n(d.rate_cut));
        add(
            "program.disappointment.attrition_rise".into(),
            n(d.attrition_rise),
        );
        add(
            "program.disappointment.months".into(),
            n(f64::from(d.months)),
        );
        add("program.disappointment.near".into(), n(d.near));
    }
    if let Some(pts) = &p.points {
        add("program.points.point_cost".into(), n(pts.point_cost));
        add("program.points.point_value".into(), n(pts.point_value));
        add(
            "program.points.breakage".into(),
            pts.breakage
                .map_or(Value::Text("simulated per trial".into()), n),
        );
        add(
            "program.points.expiry".into(),
            Value::Text(match pts.expiry {
                crate::model::program::Expiry::Never => "none".into(),
                crate::model::program::Expiry::Fixed { months } => {
                    format!("fixed, {months} months")
                }
                crate::model::program::Expiry::Inactivity { months } => {
                    format!("after {months} months without a purchase")
                }
            }),
        );
        add(
            "program.points.supplier_funded_share".into(),
            n(pts.supplier_funded_share),
        );
    }
    // A path the file states, or a table of the file that holds it (`expiry`), is not a default.
    all.into_iter()
        .filter(|(path, _)| {
            !written
                .iter()
                .any(|w| w == path || w.starts_with(&format!("{path}.")))
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
