//! The summary printed after a run: what finance reads aloud. Each headline metric as its
//! median, its 90% band (p5 … p95) and its mean with the Monte Carlo standard error, money
//! with the currency symbol and rounded for reading.

use crate::metrics::stats::{MonthStats, Stats};
use crate::metrics::summary::PrecisionOutcome;
use crate::money::{Currency, format_number};
use crate::run::RunOutput;

/// How a metric's numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// In the run's currency.
    Money,
    /// A share, shown as a percentage.
    Percent,
    /// Loyalty points.
    Points,
    /// Customers or members.
    People,
}

/// `value` in `unit`, rounded for reading.
pub fn show(value: f64, unit: Unit, currency: &Currency) -> String {
    match unit {
        Unit::Money => currency.format(value),
        Unit::Percent => format!("{}%", format_number(value * 100.0, 1)),
        Unit::Points => format!("{} pts", format_number(value, 0)),
        Unit::People => format_number(value, 0),
    }
}

/// A standard error in `unit` (percentage points for shares).
pub fn show_error(value: f64, unit: Unit, currency: &Currency) -> String {
    match unit {
        Unit::Percent => format!("{} pp", format_number(value * 100.0, 1)),
        _ => show(value, unit, currency),
    }
}

/// A month that may not be reached within `months`.
pub fn show_month(v: Option<f64>, months: u32) -> String {
    match v {
        // A percentile between two months (22.5) keeps its decimal, not rounded to either.
        Some(v) if (v * 10.0).round().rem_euclid(10.0) != 0.0 => format_number(v, 1),
        Some(v) => format_number(v, 0),
        None => format!("> {months}"),
    }
}

/// One line of the summary.
#[derive(Debug, Clone)]
pub enum Row<'a> {
    /// A metric's distribution over trials.
    Stats {
        /// What it is.
        label: String,
        /// Its distribution.
        stats: &'a Stats,
        /// How it reads.
        unit: Unit,
    },
    /// A month that may not be reached.
    Month {
        /// What it is.
        label: String,
        /// Its distribution.
        stats: &'a MonthStats,
    },
    /// A figure already formatted: its value, what stands in the band's place, its error.
    Text {
        /// What it is.
        label: String,
        /// The figure.
        value: String,
        /// Its interval or what it is made of.
        band: String,
        /// Its Monte Carlo error, or empty.
        error: String,
    },
    /// The chance of reaching a month within the horizon.
    Chance {
        /// What it is.
        label: String,
        /// The month's distribution, with the share of trials that reached it.
        stats: &'a MonthStats,
    },
}

/// A titled group of rows.
#[derive(Debug, Clone)]
pub struct Section<'a> {
    /// Heading.
    pub title: String,
    /// Rows, in reading order.
    pub rows: Vec<Row<'a>>,
}

const LABEL: usize = 40;
const COLUMN: usize = 15;
const BAND: usize = 33;

fn text_row(out: &mut String, row: &Row<'_>, currency: &Currency, months: u32) {
    match row {
        Row::Stats {
            label,
            stats: s,
            unit,
        } => {
            let unit = *unit;
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
        Row::Month { label, stats: s } => {
            let band = format!(
                "{} … {}",
                show_month(s.p5, months),
                show_month(s.p95, months)
            );
            out.push_str(&format!(
                "  {label:<LABEL$}{:>COLUMN$}   {band:<BAND$} {}\n",
                show_month(s.p50, months),
                month_mean(s)
            ));
        }
        Row::Text {
            label,
            value,
            band,
            error,
        } => {
            out.push_str(
                format!("  {label:<LABEL$}{value:>COLUMN$}   {band:<BAND$} {error}").trim_end(),
            );
            out.push('\n');
        }
        Row::Chance { label, stats: p } => {
            let [lo, hi] = p.probability_ci95;
            let line = format!(
                "  {label:<LABEL$}{:>COLUMN$}   {:<BAND$} {}",
                format!(
                    "{}%",
                    format_number(p.probability_within_horizon * 100.0, 1)
                ),
                format!(
                    "95% interval {}% … {}%",
                    format_number(lo * 100.0, 1),
                    format_number(hi * 100.0, 1)
                ),
                chance_error(p.probability_sem)
            );
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

/// A chance's standard error in percentage points, or nothing when it is zero (every trial
/// or none): then only the interval says how precisely the trials know the chance, and
/// "± 0.0 pp" beside it would claim a precision they do not have.
pub fn chance_error(sem: f64) -> String {
    if sem > 0.0 {
        format!("± {} pp", format_number(sem * 100.0, 1))
    } else {
        String::new()
    }
}

/// The mean month over the trials that reached it, with its standard error.
pub fn month_mean(s: &MonthStats) -> String {
    match (s.mean, s.sem) {
        (Some(mean), Some(e)) => format!(
            "{} ± {} (if reached)",
            format_number(mean, 1),
            format_number(e, 1)
        ),
        (Some(mean), None) => format!("{} (if reached)", format_number(mean, 1)),
        _ => "never reached".to_string(),
    }
}

/// The NPV's discount rate as words: "at 8.0% a year", or, when the rate is an uncertain
/// input, "at a rate drawn per trial (median 8.0% a year)".
pub fn discounting(run: &RunOutput) -> String {
    let rate = format_number(run.summary.metadata.discount_rate * 100.0, 1);
    if run
        .scenario
        .uncertain
        .iter()
        .any(|u| u.path == "finance.discount_rate")
    {
        format!("at a rate drawn per trial (median {rate}% a year)")
    } else {
        format!("at {rate}% a year")
    }
}

/// One sentence finance can read aloud: does it pay back, when, and what is it worth
/// (starting in lower case, to follow "In short:").
pub fn verdict(run: &RunOutput) -> String {
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
            show_month(Some(median), months)
        ),
        (_, None) => {
            format!("the program pays back within {months} months in only {share}% of trials")
        }
    };
    let positive = &run.summary.downside.npv_positive;
    format!(
        "{payback}; median NPV {} {} (positive in {}% of trials); it owes {} {} at the end.",
        c.format(m.npv.p50),
        discounting(run),
        format_number(positive.probability * 100.0, 0),
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

/// The summary's sections for `run`: the business case and what the program owes. Rows for
/// a currency the design does not have are left out.
pub fn sections(run: &RunOutput) -> Vec<Section<'_>> {
    let md = &run.summary.metadata;
    let m = &run.summary.metrics;
    let program = &run.scenario.program;
    let months = md.months;
    let stats = |label: &str, stats, unit| Row::Stats {
        label: label.to_string(),
        stats,
        unit,
    };
    let money = |label: &str, s| stats(label, s, Unit::Money);

    let mut case = vec![
        money("Investment", &m.investment),
        money(&format!("NPV {}", discounting(run)), &m.npv),
        stats("ROI", &m.roi, Unit::Percent),
        Row::Month {
            label: "Payback month".into(),
            stats: &m.payback_month,
        },
        Row::Chance {
            label: format!("Chance of payback within {months} months"),
            stats: &m.payback_month,
        },
        money("Incremental revenue", &m.incremental_revenue),
        money("Incremental gross margin", &m.incremental_gross_margin),
        money("Reward cost", &m.reward_cost),
    ];
    if program.instant_discount.is_some()
        || program
            .tiers
            .as_ref()
            .is_some_and(|t| t.levels.iter().any(|l| l.discount > 0.0))
    {
        case.push(money("  of which discounts at the till", &m.discount_cost));
    }
    if program.points.is_some()
        && (program.instant_discount.is_some()
            || program.cumulative_discount.is_some()
            || program.tiers.is_some())
    {
        case.push(money("  of which points rewards", &m.points_reward_cost));
    }
    if program.cumulative_discount.is_some() {
        case.push(money("  of which certificates", &m.certificate_cost));
    }
    if program
        .points
        .as_ref()
        .is_some_and(|p| p.supplier_funded_share > 0.0)
    {
        case.push(money("  less funded by suppliers", &m.supplier_funding));
    }
    if program.points.as_ref().is_some_and(|p| p.partner.is_some()) {
        case.push(money("Paid by partners for points", &m.partner_revenue));
    }
    let cost_label = if program.exit.is_some() {
        "Program cost (investment, running, exit)"
    } else {
        "Program cost (investment + running)"
    };
    case.push(money(cost_label, &m.program_cost));
    case.push(money(
        "Break-even incremental revenue/month",
        &m.break_even_incremental_revenue,
    ));

    let owes = match (
        program.points.is_some(),
        program.cumulative_discount.is_some(),
    ) {
        (true, true) => "Liability (points and certificates)",
        (true, false) => "Points liability",
        (false, true) => "Certificates liability",
        (false, false) => "Liability (a discount program owes nothing)",
    };
    let mut owed = vec![
        money(owes, &m.liability_end),
        money(
            "IFRS 15 contract liability",
            &m.ifrs15_contract_liability_end,
        ),
    ];
    if program.points.is_some() {
        owed.push(stats(
            "Points outstanding",
            &m.points_outstanding_end,
            Unit::Points,
        ));
        owed.push(stats(
            "Breakage (points never redeemed)",
            &m.breakage_rate,
            Unit::Percent,
        ));
        owed.push(stats(
            "Burn/earn (points redeemed/earned)",
            &m.burn_earn_ratio,
            Unit::Percent,
        ));
    }
    if program.cumulative_discount.is_some() {
        owed.push(stats(
            "Breakage (certificates never used)",
            &m.certificate_breakage_rate,
            Unit::Percent,
        ));
    }
    owed.push(stats("Members", &m.members_end, Unit::People));
    if m.new_customers_program.mean > 0.0 || m.new_customers_baseline.mean > 0.0 {
        owed.push(stats(
            "New customers with the program",
            &m.new_customers_program,
            Unit::People,
        ));
        owed.push(stats(
            "New customers without it",
            &m.new_customers_baseline,
            Unit::People,
        ));
    }
    vec![
        Section {
            title: format!(
                "Business case over {months} months: the program against the same customers without it"
            ),
            rows: case,
        },
        super::downside::section(run),
        Section {
            title: format!("What the program owes at month {months}"),
            rows: owed,
        },
    ]
}

/// How a `--precision` run ended, for people: the target, whether it was met, and how
/// precisely the metric's mean is known.
pub fn precision_text(p: &PrecisionOutcome, currency: &Currency) -> String {
    let mut reached = format!(
        "±{}",
        crate::report::labels::metric_value(&p.metric, currency, p.half_width)
    );
    if let Some(r) = p.relative_half_width {
        reached.push_str(&format!(" ({}% of the mean)", format_number(r * 100.0, 2)));
    }
    if p.met {
        format!("the precision target {} was met: {reached}", p.target)
    } else {
        format!(
            "the precision target {} was NOT met by the cap of trials (raise --trials): {reached}",
            p.target
        )
    }
}

/// The summary text for `run`.
pub fn summary_text(run: &RunOutput) -> String {
    let md = &run.summary.metadata;
    let c = &run.scenario.finance.currency;
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
            "Stopped at {} trials: {}\n",
            format_number(md.trials as f64, 0),
            precision_text(p, c)
        ));
    }
    if !md.uncertain_inputs.is_empty() || md.precision.is_some() {
        out.push('\n');
    }
    out.push_str(&format!("In short: {}\n\n", verdict(run)));
    for (i, section) in sections(run).iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&section.title);
        out.push('\n');
        if i == 0 {
            out.push_str(&format!(
                "  {:<LABEL$}{:>COLUMN$}   {:<BAND$} {}\n",
                "", "median", "90% band (p5 … p95)", "mean ± MC std. error"
            ));
        }
        for row in &section.rows {
            text_row(&mut out, row, c, months);
        }
    }
    if !run.summary.diagnostics.is_empty() {
        out.push_str("\nWarnings\n");
        for d in &run.summary.diagnostics {
            out.push_str(&format!("  ! {}\n", d.message));
        }
    }
    out
}
