//! The downside of a run as people read it: the chance the NPV is positive, the chance of a
//! loss beyond the stated amount, the value at risk and expected shortfall of the NPV, and the
//! liability in a bad month (its 95th percentile at the month it peaks), for the console and
//! the HTML report.

use super::console::{Row, Section, Unit, money_place, show_at};
use crate::metrics::risk::Share;
use crate::money::format_number;
use crate::run::RunOutput;

/// A percentage with one decimal.
fn percent(p: f64) -> String {
    format!("{}%", format_number(p * 100.0, 1))
}

/// A share's row: the share, its Wilson 95% interval, its standard error in points.
fn share_row(label: String, s: &Share) -> Row<'static> {
    Row::Text {
        label,
        value: percent(s.probability),
        band: format!(
            "95% interval {} … {}",
            percent(s.ci95[0]),
            percent(s.ci95[1])
        ),
        error: super::console::chance_error(s.sem),
    }
}

/// The month (1-based) and value where `values` peak; the first such month on ties.
pub fn peak(values: &[f64]) -> Option<(u32, f64)> {
    values
        .iter()
        .enumerate()
        .fold(None, |best: Option<(u32, f64)>, (i, &v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i as u32 + 1, v)),
        })
}

/// The downside section of the summary.
pub fn section(run: &RunOutput) -> Section<'static> {
    let d = &run.summary.downside;
    let c = &run.scenario.finance.currency;
    let mut rows = vec![share_row(
        "Chance the NPV is positive".into(),
        &d.npv_positive,
    )];
    if let (Some(limit), Some(s)) = (d.loss_limit, &d.loss_beyond_limit) {
        rows.push(share_row(
            format!("Chance of losing more than {}", c.format(limit)),
            s,
        ));
    }
    rows.push(Row::Text {
        label: "NPV in the worst 5% (value at risk)".into(),
        value: c.format(d.npv_value_at_risk_5),
        band: "5th percentile of the NPV".into(),
        error: String::new(),
    });
    // The expected shortfall and its error to the place the error supports, as the tables'
    // rows (whole currency units beside amounts of a hundred and more).
    let es = d.npv_expected_shortfall_5;
    let es_place = d
        .npv_expected_shortfall_5_sem
        .and_then(|e| money_place(e, es.abs()));
    let es_money = |v: f64| match es_place {
        Some(p) => show_at(v, Unit::Money, c, p),
        None => c.format(v),
    };
    rows.push(Row::Text {
        label: "Expected shortfall (mean of the worst 5%)".into(),
        value: es_money(es),
        band: match d.npv_expected_shortfall_trials {
            1 => "the worst trial's NPV (too few trials)".to_string(),
            k => format!(
                "mean NPV of the {} worst trials",
                format_number(k as f64, 0)
            ),
        },
        error: d
            .npv_expected_shortfall_5_sem
            .filter(|e| *e > 0.0)
            .map_or(String::new(), |e| format!("± {}", es_money(e))),
    });
    if let Some((month, value)) = peak(&d.liability_p95_by_month)
        && value > 0.0
    {
        rows.push(Row::Text {
            label: "Liability in a bad case (95th percentile)".into(),
            value: c.format(value),
            band: format!("at month {month}, where it peaks"),
            error: String::new(),
        });
    }
    Section {
        title: "Downside: how bad it can get".into(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_the_first_highest_month() {
        assert_eq!(peak(&[1.0, 3.0, 3.0, 2.0]), Some((2, 3.0)));
        assert_eq!(peak(&[]), None);
    }
}
