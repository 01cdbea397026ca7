//! The ready-to-run scenario a calibration writes: a template scenario (its program, market
//! and finance) with `[population]` filled from the fit and `[simulation] customers` set to
//! the customers alive at the calibration end. Edited with `toml_edit`, so the template's
//! comments on everything kept stay where they were; every value the fit set says so in a
//! comment.

use toml_edit::{DocumentMut, InlineTable, Item, Value};

use super::Calibration;
use super::types::Behaviour;
use super::uncertainty::Uncertainty;
use crate::model::population::LoyaltyType;

/// The template used when none is given: the retail chain's points program
/// (`scenarios/retail_points.toml`), built into the program so it works from any folder.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../scenarios/retail_points.toml");

/// The name [`DEFAULT_TEMPLATE`] goes by in messages and headers.
pub const DEFAULT_TEMPLATE_NAME: &str = "retail_points.toml (built in)";

/// Where the calibration came from, for the file's header.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The transaction log, as given.
    pub log: String,
    /// SHA-256 of the log's bytes.
    pub log_sha256: String,
    /// The template scenario's name.
    pub template: String,
    /// The program's version.
    pub version: String,
}

/// Why the scenario could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioFileError {
    /// The template is not TOML or has no population tables.
    #[error("the template scenario {template} cannot take a calibrated population: {why}")]
    Template {
        /// The template's name.
        template: String,
        /// What is wrong.
        why: String,
    },
}

/// `x` with four significant digits, for a file people read.
fn readable(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.3e}").parse().unwrap_or(x)
}

fn with_comment(mut v: Value, comment: &str) -> Item {
    v.decor_mut().set_suffix(format!("    # {comment}"));
    Item::Value(v)
}

/// The scenario text: `template` (a scenario's TOML) with the calibrated population.
/// `customers` replaces the expected number alive; `conversion` moves the template's amounts
/// and texts to the log's currency ([`super::currency`]).
pub fn write(
    template: &str,
    calibration: &Calibration,
    source: &Source,
    customers: Option<u64>,
    conversion: Option<&super::currency::Conversion>,
    uncertainty: Option<&Uncertainty>,
) -> Result<String, ScenarioFileError> {
    let bad = |why: String| ScenarioFileError::Template {
        template: source.template.clone(),
        why,
    };
    // The template's opening comment describes the template; this file says what it is itself.
    let body: String = template
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut doc: DocumentMut = body.parse().map_err(|e| bad(format!("{e}")))?;
    let pop = &calibration.population;
    let unit = calibration.cohort.periods.unit;

    let alive = pop.alive.round().max(1.0) as u64;
    let base = customers.unwrap_or(alive);
    let template_base = doc
        .get("simulation")
        .and_then(|s| s.get("customers"))
        .and_then(Item::as_integer)
        .filter(|n| *n > 0);
    // Newcomers a month are a number of people: keep the template's rate per customer.
    if let (Some(template_base), Some(acquisition)) = (
        template_base,
        doc.get_mut("acquisition").and_then(Item::as_table_mut),
    ) && let Some(per_month) = acquisition
        .get("per_month")
        .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
    {
        let scaled = readable(per_month * base as f64 / template_base as f64);
        // On a toml_edit `Table`, `t["key"] =` inserts a missing key: it cannot panic (here
        // and below, where every table indexed is a `Table`).
        acquisition["per_month"] = with_comment(
            Value::from(scaled),
            &format!(
                "the template's {per_month} a month for {template_base} customers, scaled to this base"
            ),
        );
    }
    if let Some(template_base) = template_base {
        scale_fixed_costs(&mut doc, base as f64 / template_base as f64, template_base);
    }
    let simulation = doc
        .get_mut("simulation")
        .and_then(Item::as_table_mut)
        .ok_or_else(|| bad("it has no [simulation] table".into()))?;
    simulation["customers"] = match customers {
        Some(n) => with_comment(
            Value::from(i64::try_from(n).unwrap_or(i64::MAX)),
            &format!(
                "given with --customers (the log's cohort has about {alive} alive at the calibration end)"
            ),
        ),
        None => with_comment(
            Value::from(i64::try_from(alive).unwrap_or(i64::MAX)),
            &format!(
                "customers expected alive at the calibration end ({})",
                calibration.comparison.chosen.name()
            ),
        ),
    };
    // Before the population is written: its amounts come from the log, in its currency.
    if let Some(conversion) = conversion {
        if doc.get("finance").and_then(Item::as_table).is_none() {
            return Err(bad("it has no [finance] table".into()));
        }
        super::currency::convert(&mut doc, conversion);
    }

    // Shares to four decimals, the largest taking the rounding so they sum to exactly 1.
    let mut shares: Vec<f64> = pop
        .types
        .iter()
        .map(|t| (t.share * 1e4).round() / 1e4)
        .collect();
    // pop.types is a [_; 4], so `shares` has four entries: indices 0..4 are in range.
    let largest = (0..4)
        .max_by(|&i, &j| shares[i].total_cmp(&shares[j]))
        .unwrap_or(0);
    let others: f64 = (0..4).filter(|&i| i != largest).map(|i| shares[i]).sum();
    shares[largest] = ((1.0 - others) * 1e4).round() / 1e4;

    let population = doc
        .get_mut("population")
        .and_then(Item::as_table_mut)
        .ok_or_else(|| bad("it has no [population] table".into()))?;
    for (i, mix) in pop.types.iter().enumerate() {
        let t = mix.loyalty_type;
        let (b, group): (&Behaviour, &str) = match t {
            LoyaltyType::True | LoyaltyType::False | LoyaltyType::Committed => {
                (&pop.high_patronage, "high")
            }
            LoyaltyType::Latent | LoyaltyType::NoLoyalty => (&pop.low_patronage, "low"),
        };
        let table = population
            .get_mut(t.key())
            .and_then(Item::as_table_mut)
            .ok_or_else(|| bad(format!("it has no [population.{}] table", t.key())))?;
        if i == 0 {
            table.decor_mut().set_prefix(format!(
                "\n# --- The customers, calibrated from {} ---\n\
                 # share, purchases_per_month, spend_per_purchase and attrition_per_month come from the\n\
                 # fit: true and false loyalty are the high-patronage customers (at least {} purchases in\n\
                 # the calibration period), latent and none the others; attitude splits each group.\n\
                 # Everything else in these tables (the response curves, redemption, competitors) is the\n\
                 # template's: transactions cannot show how a type responds to a program.\n",
                source.log, pop.high_patronage_from
            ));
        }
        let attitude = match pop.attitude {
            super::types::Attitude::Survey(_) => "the survey",
            super::types::Attitude::Template { .. } => "the template (no survey)",
        };
        table["share"] = with_comment(
            Value::from(shares[i]),
            &format!("{group}-patronage customers alive × attitude from {attitude}"),
        );
        let mut rate = InlineTable::new();
        rate.insert("mean", readable(b.purchases_per_month).into());
        rate.insert("cv", readable(b.purchases_cv).into());
        table["purchases_per_month"] = with_comment(
            Value::InlineTable(rate),
            &format!(
                "{} posterior, {group}-patronage customers alive",
                calibration.comparison.chosen.name()
            ),
        );
        let mut spend = InlineTable::new();
        spend.insert("mean", readable(b.spend_mean).into());
        spend.insert("cv_within", readable(b.spend_cv_within).into());
        spend.insert("cv_between", readable(b.spend_cv_between).into());
        table["spend_per_purchase"] =
            with_comment(Value::InlineTable(spend), "Gamma-Gamma posterior");
        table["attrition_per_month"] = with_comment(
            Value::from(readable(b.attrition_per_month)),
            &format!("{} dropout", calibration.comparison.chosen.name()),
        );
    }

    if let Some(u) = uncertainty {
        write_uncertainty(&mut doc, u).map_err(bad)?;
    }

    let holdout = match calibration.cohort.periods.holdout_end {
        Some(h) => format!(", holdout to {h}"),
        None => String::new(),
    };
    let fitted: Vec<&str> = calibration
        .comparison
        .rows
        .iter()
        .filter(|r| r.fitted)
        .map(|r| r.model.name())
        .collect();
    let fitted_from = if fitted.len() > 1 {
        format!("chosen from {}", fitted.join(", "))
    } else {
        "the only one fitted".to_string()
    };
    let header = format!(
        "# Calibrated by loyalty-sim {} from {} (SHA-256 {}),\n\
         # calibration period {} to {}{holdout}, time in {}.\n\
         # Purchase model: {} ({}), {}: {}.\n\
         # [population] and [simulation] customers come from the fit (see calibration.json);\n\
         # the program, market and finance are the template's ({}): review them for your business.\n\
         {}#\n\
         # Run it:   loyalty-sim run <this file>\n\n",
        source.version,
        source.log,
        source.log_sha256,
        calibration.cohort.first_day,
        calibration.cohort.periods.calibration_end,
        unit.name(),
        calibration.comparison.chosen.name(),
        calibration.comparison.chosen.source(),
        fitted_from,
        calibration.comparison.reason,
        source.template,
        match uncertainty {
            Some(u) => format!(
                "# The fit's uncertainty is in the population's rates, spends and attrition (lognormal, their\n\
                 # spread and rank correlations from {} parameter sets drawn from the fit) and [risk.correlation].\n",
                u.draws
            ),
            None => String::new(),
        },
    );
    Ok(header + &doc.to_string())
}

/// Makes each of `u`'s inputs a lognormal draw and adds their correlations as
/// `[risk.correlation]`; refuses a template that has a correlation table already.
fn write_uncertainty(doc: &mut DocumentMut, u: &Uncertainty) -> Result<(), String> {
    for input in &u.inputs {
        let parts: Vec<&str> = input.path.split('.').collect();
        let [_, ty, field, rest @ ..] = parts.as_slice() else {
            continue;
        };
        let mut dist = InlineTable::new();
        dist.insert("dist", "lognormal".into());
        dist.insert("mean", readable(input.mean).into());
        dist.insert("sd", readable(input.sd).into());
        let table = doc
            .get_mut("population")
            .and_then(|p| p.get_mut(ty))
            .and_then(Item::as_table_mut)
            .ok_or_else(|| format!("it has no [population.{ty}] table"))?;
        match rest {
            [] => {
                let comment = table
                    .get(field)
                    .and_then(|i| i.as_value())
                    .and_then(|v| v.decor().suffix())
                    .and_then(|s| s.as_str())
                    .map(|s| s.trim().trim_start_matches('#').trim().to_string())
                    .unwrap_or_default();
                table[*field] = with_comment(
                    Value::InlineTable(dist),
                    &format!("{comment}; sd = the fit's uncertainty"),
                );
            }
            [key] => {
                let Some(inline) = table.get_mut(field).and_then(Item::as_inline_table_mut) else {
                    return Err(format!("[population.{ty}] {field} is not an inline table"));
                };
                inline.insert(*key, Value::InlineTable(dist));
            }
            _ => {}
        }
    }
    let risk = doc
        .entry("risk")
        .or_insert_with(toml_edit::table)
        .as_table_mut()
        .ok_or_else(|| "its `risk` is not a table".to_string())?;
    if risk.contains_key("correlation") {
        return Err(
            "it has a [risk.correlation] already, and the calibration's uncertainty would replace it: remove it from the template or calibrate without --uncertain".into(),
        );
    }
    risk.set_implicit(true);
    let mut correlation = toml_edit::Table::new();
    correlation.decor_mut().set_prefix(
        "\n# How the calibrated inputs move together: rank correlations across the parameter sets\n\
         # drawn from the fit (shrunk slightly so that the matrix is positive definite).\n",
    );
    let inputs: toml_edit::Array = u.inputs.iter().map(|i| i.path.as_str()).collect();
    correlation["inputs"] = toml_edit::value(inputs);
    let mut matrix = toml_edit::Array::new();
    for row in &u.correlation {
        let mut r: toml_edit::Array = row.iter().copied().collect();
        r.decor_mut().set_prefix("\n    ");
        matrix.push_formatted(Value::Array(r));
    }
    matrix.set_trailing("\n");
    correlation["matrix"] = toml_edit::value(matrix);
    risk.insert("correlation", Item::Table(correlation));
    Ok(())
}

/// Scales the template's fixed costs — each plain number of `[finance.investment]` and
/// `[finance.running_costs] per_month` — by `factor`, this base over the template's: they were
/// set for the template's customers, and a base a hundred times smaller would otherwise carry
/// the whole of them. Costs per member and per transaction follow the base by themselves;
/// costs given as distributions are left as they are (their parameters do not all scale).
fn scale_fixed_costs(doc: &mut DocumentMut, factor: f64, template_base: i64) {
    if (factor - 1.0).abs() < 1e-12 {
        return;
    }
    let scale = |item: &mut Item| {
        let number = item
            .as_float()
            .or_else(|| item.as_integer().map(|i| i as f64));
        if let Some(v) = number {
            *item = with_comment(
                Value::from(readable(v * factor)),
                &format!("the template's {v} for {template_base} customers, scaled to this base"),
            );
        }
    };
    let Some(finance) = doc.get_mut("finance").and_then(Item::as_table_mut) else {
        return;
    };
    if let Some(investment) = finance.get_mut("investment").and_then(Item::as_table_mut) {
        for (_, item) in investment.iter_mut() {
            scale(item);
        }
    }
    if let Some(per_month) = finance
        .get_mut("running_costs")
        .and_then(Item::as_table_mut)
        .and_then(|t| t.get_mut("per_month"))
    {
        scale(per_month);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_costs_follow_the_base_and_distributions_are_kept() {
        let mut doc: DocumentMut = "[finance.investment]\nplatform = 180000\nlaunch = { dist = \"normal\", mean = 60000.0, sd = 5000.0 }\n[finance.running_costs]\nper_month = 9000\nper_member = 0.03\n"
            .parse()
            .unwrap();
        // A base of 2,000 customers for the template's 40,000: a twentieth of the fixed costs.
        scale_fixed_costs(&mut doc, 2000.0 / 40000.0, 40000);
        let f = &doc["finance"];
        assert_eq!(f["investment"]["platform"].as_float(), Some(9000.0));
        assert_eq!(f["running_costs"]["per_month"].as_float(), Some(450.0));
        assert_eq!(f["running_costs"]["per_member"].as_float(), Some(0.03));
        assert!(f["investment"]["launch"].is_inline_table());
    }

    #[test]
    fn readable_keeps_four_significant_digits() {
        assert_eq!(readable(0.012345678), 0.01235);
        assert_eq!(readable(1234.5678), 1235.0);
        assert_eq!(readable(0.0), 0.0);
    }
}
