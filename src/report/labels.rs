//! Names for people: a field path or a metric as it should read on a chart.

use super::console::{Unit, show};
use crate::model::population::LoyaltyType;

/// `population.latent.frequency_lift` → "latent loyalty: frequency lift";
/// `program.points.rewards[1].cost` → "points reward 2: cost"; `finance.gross_margin` →
/// "gross margin".
pub fn field(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let words = |s: &str| s.replace('_', " ");
    let last = parts.last().map_or(String::new(), |l| words(l));
    let context = match parts.as_slice() {
        ["population", ty, ..] if parts.len() > 2 => LoyaltyType::ALL
            .iter()
            .find(|t| t.key() == *ty)
            .map(|t| t.label().to_string())
            .or_else(|| Some(words(ty))),
        ["finance", _] | ["simulation", _] => None,
        [_, middle @ .., _] if !middle.is_empty() => Some(
            middle
                .iter()
                .map(|m| match m.split_once('[') {
                    Some((name, rest)) => {
                        let n: usize = rest.trim_end_matches(']').parse().unwrap_or(0);
                        format!("{} {}", words(name).trim_end_matches('s'), n + 1)
                    }
                    None => words(m),
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    };
    match context {
        Some(c) => format!("{c}: {last}"),
        None => last,
    }
}

/// `npv` → "NPV", `roi` → "ROI", `liability_end` → "liability end".
pub fn metric(name: &str) -> String {
    match name {
        "npv" => "NPV".into(),
        "roi" => "ROI".into(),
        "ifrs15_contract_liability_end" => "IFRS 15 contract liability at the end".into(),
        other => other.replace('_', " "),
    }
}

/// What the metric called `name` (of [`crate::metrics::finance::TrialMetrics::NAMES`])
/// counts.
pub fn unit(name: &str) -> Unit {
    match name {
        "roi" | "breakage_rate" | "certificate_breakage_rate" | "burn_earn_ratio" => Unit::Percent,
        "points_outstanding_end" => Unit::Points,
        "members_end" | "new_customers_program" | "prizes_won" | "prize_entries" => Unit::People,
        _ => Unit::Money,
    }
}

/// `x` of the metric called `name`, for reading.
pub fn metric_value(name: &str, currency: &crate::money::Currency, x: f64) -> String {
    show(x, unit(name), currency)
}

/// An input's value for reading: whole units from 100 up, fewer decimals as it grows.
pub fn value(v: f64) -> String {
    let decimals = match v.abs() {
        a if a >= 100.0 => 0,
        a if a >= 1.0 => 2,
        _ => 3,
    };
    let text = crate::money::format_number(v, decimals);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_words() {
        assert_eq!(
            field("population.latent.frequency_lift"),
            "latent loyalty: frequency lift"
        );
        assert_eq!(field("population.none.enrolment"), "no loyalty: enrolment");
        assert_eq!(field("finance.gross_margin"), "gross margin");
        assert_eq!(
            field("program.points.redemption_threshold"),
            "points: redemption threshold"
        );
        assert_eq!(
            field("program.points.rewards[1].cost"),
            "points reward 2: cost"
        );
        assert_eq!(field("market.competitor.strength"), "competitor: strength");
        assert_eq!(
            field("finance.investment.it_platform"),
            "investment: it platform"
        );
        assert_eq!(value(165_897.739), "165,898");
        assert_eq!(value(12.25), "12.25");
        assert_eq!(value(0.0283), "0.028");
        assert_eq!(metric("npv"), "NPV");
        assert_eq!(metric("liability_end"), "liability end");
    }
}
