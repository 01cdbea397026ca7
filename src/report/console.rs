//! The summary printed after a run: what finance reads aloud. Each headline metric as its
//! median, its 90% band (p5 … p95) and its mean with the Monte Carlo standard error, money
//! with the currency symbol and rounded for reading.

use crate::metrics::stats::{MonthStats, Stats};
use crate::money::{Currency, format_number};
use crate::run::RunOutput;

/// How a metric's numbers are shown.
#[derive(Clone, Copy)]
enum Unit {
    Money,
    Percent,
    Points,
    People,
}

fn show(value: f64, unit: Unit, currency: &Currency) -> String {
    match unit {
        Unit::Money => currency.format(value),
        Unit::Percent => format!("{}%", format_number(value * 100.0, 1)),
        Unit::Points => format!("{} pts", format_number(value, 0)),
        Unit::People => format_number(value, 0),
    }
}

fn show_error(value: f64, unit: Unit, currency: &Currency) -> String {
    match unit {
        Unit::Percent => format!("{} pp", format_number(value * 100.0, 1)),
        _ => show(value, unit, currency),
    }
}

const LABEL: usize = 40;
const COLUMN: usize = 15;
const BAND: usize = 33;

fn row(out: &mut String, label: &str, s: &Stats, unit: Unit, currency: &Currency) {
    let band = format!(
        "{} … {}",
        show(s.p5, unit, currency),
        show(s.p95, unit, currency)
    );
    let mean = match s.sem {
        Some(e) => format!(
            "{} ± {}",
            show(s.mean, unit, currency),
            show_error(e, unit, currency)
        ),
        None => show(s.mean, unit, currency),
    };
    out.push_str(&format!(
        "  {label:<LABEL$}{:>COLUMN$}   {band:<BAND$} {mean}\n",
        show(s.p50, unit, currency)
    ));
}

fn month_row(out: &mut String, label: &str, s: &MonthStats, months: u32) {
    let m = |v: Option<f64>| match v {
        Some(v) => format_number(v, 0),
        None => format!("> {months}"),
    };
    let band = format!("{} … {}", m(s.p5), m(s.p95));
    let mean = match (s.mean, s.sem) {
        (Some(mean), Some(e)) => format!(
            "{} ± {} (if reached)",
            format_number(mean, 1),
            format_number(e, 1)
        ),
        (Some(mean), None) => format!("{} (if reached)", format_number(mean, 1)),
        _ => "never reached".to_string(),
    };
    out.push_str(&format!(
        "  {label:<LABEL$}{:>COLUMN$}   {band:<BAND$} {mean}\n",
        m(s.p50)
    ));
}

/// One sentence finance can read aloud: does it pay back, when, and what is it worth.
fn verdict(run: &RunOutput) -> String {
    let m = &run.summary.metrics;
    let md = &run.summary.metadata;
    let c = &run.scenario.finance.currency;
    let p = &m.payback_month;
    let months = md.months;
    let share = format_number(p.probability_within_horizon * 100.0, 0);
    let payback = match (p.trials_within_horizon, p.p50) {
        (0, _) => format!("the program does not pay back within {months} months in any trial"),
        (k, Some(median)) => format!(
            "the program pays back within {months} months in {} (median: month {})",
            if k == md.trials {
                "every trial".to_string()
            } else {
                format!("{share}% of trials")
            },
            format_number(median, 0)
        ),
        (_, None) => {
            format!("the program pays back within {months} months in only {share}% of trials")
        }
    };
    format!(
        "In short: {payback}; median NPV {} at {}% a year; it owes {} {} at the end.\n\n",
        c.format(m.npv.p50),
        format_number(md.discount_rate * 100.0, 1),
        c.format(m.liability_end.p50),
        match (
            run.scenario.program.points.is_some(),
            run.scenario.program.cumulative_discount.is_some()
        ) {
            (true, true) => "in points and certificates",
            (true, false) => "in points",
            (false, true) => "in certificates",
            (false, false) => "in rewards",
        },
    )
}

/// The summary text for `run`. Rows for a currency the design does not have are left out.
pub fn summary_text(run: &RunOutput) -> String {
    let md = &run.summary.metadata;
    let m = &run.summary.metrics;
    let c = &run.scenario.finance.currency;
    let program = &run.scenario.program;
    let months = md.months;
    let mut out = String::new();
    out.push_str(&format!(
        "{} {} · {} · seed {} · {} trials × {} customers × {} months\n",
        md.program,
        md.version,
        md.scenario,
        md.seed,
        format_number(md.trials as f64, 0),
        format_number(md.customers as f64, 0),
        months
    ));
    out.push_str(&format!(
        "design: {} · scenario sha256 {} · amounts in {} ({})\n\n",
        md.design, md.scenario_sha256, c.code, c.symbol
    ));
    if !md.uncertain_inputs.is_empty() {
        out.push_str(&format!(
            "Uncertain inputs, drawn once per trial (the bands hold their uncertainty with the customers'): {}\n",
            md.uncertain_inputs.join(", ")
        ));
    }
    if let Some(p) = &md.precision {
        out.push_str(&format!(
            "Stopped at {} trials on the precision target {p}\n",
            format_number(md.trials as f64, 0)
        ));
    }
    if !md.uncertain_inputs.is_empty() || md.precision.is_some() {
        out.push('\n');
    }
    out.push_str(&verdict(run));
    out.push_str(&format!(
        "Business case over {months} months: the program against the same customers without it\n"
    ));
    out.push_str(&format!(
        "  {:<LABEL$}{:>COLUMN$}   {:<BAND$} {}\n",
        "", "median", "90% band (p5 … p95)", "mean ± MC std. error"
    ));
    let money = |out: &mut String, label: &str, s: &Stats| row(out, label, s, Unit::Money, c);
    money(&mut out, "Investment", &m.investment);
    let npv_label = format!(
        "NPV at {}% a year",
        format_number(md.discount_rate * 100.0, 1)
    );
    money(&mut out, &npv_label, &m.npv);
    row(&mut out, "ROI", &m.roi, Unit::Percent, c);
    month_row(&mut out, "Payback month", &m.payback_month, months);
    let p = &m.payback_month;
    out.push_str(&format!(
        "  {:<LABEL$}{:>COLUMN$}   {:<BAND$} ± {} pp\n",
        format!("Chance of payback within {months} months"),
        format!(
            "{}%",
            format_number(p.probability_within_horizon * 100.0, 1)
        ),
        "",
        format_number(p.probability_sem * 100.0, 1)
    ));
    money(&mut out, "Incremental revenue", &m.incremental_revenue);
    money(
        &mut out,
        "Incremental gross margin",
        &m.incremental_gross_margin,
    );
    money(&mut out, "Reward cost", &m.reward_cost);
    if program.instant_discount.is_some()
        || program
            .tiers
            .as_ref()
            .is_some_and(|t| t.levels.iter().any(|l| l.discount > 0.0))
    {
        money(
            &mut out,
            "  of which discounts at the till",
            &m.discount_cost,
        );
    }
    if program.points.is_some()
        && (program.instant_discount.is_some()
            || program.cumulative_discount.is_some()
            || program.tiers.is_some())
    {
        money(&mut out, "  of which points rewards", &m.points_reward_cost);
    }
    if program.cumulative_discount.is_some() {
        money(&mut out, "  of which certificates", &m.certificate_cost);
    }
    if program
        .points
        .as_ref()
        .is_some_and(|p| p.supplier_funded_share > 0.0)
    {
        money(&mut out, "  less funded by suppliers", &m.supplier_funding);
    }
    if program.points.as_ref().is_some_and(|p| p.partner.is_some()) {
        money(&mut out, "Paid by partners for points", &m.partner_revenue);
    }
    let cost_label = if program.exit.is_some() {
        "Program cost (investment, running, exit)"
    } else {
        "Program cost (investment + running)"
    };
    money(&mut out, cost_label, &m.program_cost);
    money(
        &mut out,
        "Break-even incremental revenue/month",
        &m.break_even_incremental_revenue,
    );

    out.push_str(&format!("\nWhat the program owes at month {months}\n"));
    let owes = match (
        program.points.is_some(),
        program.cumulative_discount.is_some(),
    ) {
        (true, true) => "Liability (points and certificates)",
        (true, false) => "Points liability",
        (false, true) => "Certificates liability",
        (false, false) => "Liability (a discount program owes nothing)",
    };
    money(&mut out, owes, &m.liability_end);
    money(
        &mut out,
        "IFRS 15 contract liability",
        &m.ifrs15_contract_liability_end,
    );
    if program.points.is_some() {
        row(
            &mut out,
            "Points outstanding",
            &m.points_outstanding_end,
            Unit::Points,
            c,
        );
        row(
            &mut out,
            "Breakage (points never redeemed)",
            &m.breakage_rate,
            Unit::Percent,
            c,
        );
        row(
            &mut out,
            "Burn/earn (points redeemed/earned)",
            &m.burn_earn_ratio,
            Unit::Percent,
            c,
        );
    }
    if program.cumulative_discount.is_some() {
        row(
            &mut out,
            "Breakage (certificates never used)",
            &m.certificate_breakage_rate,
            Unit::Percent,
            c,
        );
    }
    row(&mut out, "Members", &m.members_end, Unit::People, c);
    if m.new_customers_program.mean > 0.0 || m.new_customers_baseline.mean > 0.0 {
        row(
            &mut out,
            "New customers with the program",
            &m.new_customers_program,
            Unit::People,
            c,
        );
        row(
            &mut out,
            "New customers without it",
            &m.new_customers_baseline,
            Unit::People,
            c,
        );
    }
    if !run.summary.diagnostics.is_empty() {
        out.push_str("\nWarnings\n");
        for d in &run.summary.diagnostics {
            out.push_str(&format!("  ! {}\n", d.message));
        }
    }
    out
}
