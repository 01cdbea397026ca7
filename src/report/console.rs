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
    /// Customers or members, or other things counted one by one (prizes, entries).
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

/// The decimal place (the exponent of a power of ten) to which a value known to the Monte Carlo
/// standard error `sem` is shown, by the Particle Data Group's rounding rule (Review of
/// Particle Physics, Introduction, "Rounding"): the error keeps two significant figures when
/// its three leading digits are 100–354, one when 355–949, and two of the next power of ten
/// when 950–999 (it rounds up to 1.0 × 10ⁿ); the value is shown to the same place. `None` for
/// no error (the same in every trial) or none known.
pub fn error_place(sem: f64) -> Option<i32> {
    if !(sem.is_finite() && sem > 0.0) {
        return None;
    }
    let e = sem.log10().floor() as i32;
    let leading = (sem / 10f64.powi(e - 2)).floor();
    Some(if leading <= 354.0 { e - 1 } else { e })
}

/// `value` in `unit` shown to the decimal place `place` (see [`error_place`]): money to the
/// cent at most, points and people in whole numbers at most, a share to the place of the
/// share (−3 is a tenth of a percentage point) and a thousandth of a point at most.
pub fn show_at(value: f64, unit: Unit, currency: &Currency, place: i32) -> String {
    let decimals = |most: i32| usize::try_from((-place).clamp(0, most)).unwrap_or(0);
    let rounded = if place > 0 {
        let step = 10f64.powi(place);
        (value / step).round() * step
    } else {
        value
    };
    match unit {
        Unit::Money => currency.format_decimals(rounded, decimals(2)),
        // The place is the share's: 10⁻³ of a share is a tenth of a percentage point.
        Unit::Percent => format!(
            "{}%",
            format_number(
                rounded * 100.0,
                usize::try_from((-place - 2).clamp(0, 3)).unwrap_or(0)
            )
        ),
        Unit::Points => format!("{} pts", format_number(rounded, 0)),
        Unit::People => format_number(rounded, 0),
    }
}

/// The decimal place to which an amount of money known to the Monte Carlo error `sem` is
/// shown ([`error_place`]), in whole currency units at most when the amounts it stands beside
/// reach `largest` ≥ 100, as everywhere else.
pub fn money_place(sem: f64, largest: f64) -> Option<i32> {
    let place = error_place(sem);
    if largest >= 100.0 {
        place.map(|p| p.max(0))
    } else {
        place
    }
}

/// A metric's median, 5th and 95th percentiles and mean ± Monte Carlo error as shown in the
/// summary tables. Money, points and people are rounded to the place the mean's error supports
/// ([`error_place`]), the percentiles to the same place (their own Monte Carlo error is of the
/// same size or larger), amounts of a hundred and more to the whole unit at most; a metric the
/// same in every trial is shown whole, without "± 0".
/// Shares keep one decimal of a percentage point.
pub fn stats_cells(s: &Stats, unit: Unit, currency: &Currency) -> [String; 4] {
    match stats_place(s, unit) {
        Some(p) => {
            let at = |v: f64| show_at(v, unit, currency, p);
            [
                at(s.p50),
                at(s.p5),
                at(s.p95),
                format!("{} ± {}", at(s.mean), at(s.sem.unwrap_or(0.0))),
            ]
        }
        None => {
            let at = |v: f64| show(v, unit, currency);
            let mean = match s.sem {
                Some(e) if e > 0.0 => format!("{} ± {}", at(s.mean), show_error(e, unit, currency)),
                Some(_) => format!("{} (same in every trial)", at(s.mean)),
                None => at(s.mean),
            };
            [at(s.p50), at(s.p5), at(s.p95), mean]
        }
    }
}

/// The decimal place to which [`stats_cells`] shows a metric's numbers: the place its mean's
/// Monte Carlo error supports ([`error_place`]; money in whole units at most beside amounts of a
/// hundred and more, [`money_place`]); `None` for a share (one decimal of a percentage point) or
/// a metric without an error, or the same in every trial.
pub fn stats_place(s: &Stats, unit: Unit) -> Option<i32> {
    match (unit, s.sem) {
        (Unit::Percent, _) | (_, None) => None,
        (Unit::Money, Some(e)) => money_place(e, s.mean.abs().max(s.p5.abs()).max(s.p95.abs())),
        (_, Some(e)) => error_place(e),
    }
}

/// A standard error in `unit` (percentage points for shares, to a tenth; an error below
/// 0.05 pp reads "<0.1 pp", not "0.0 pp", which would claim no error at all).
pub fn show_error(value: f64, unit: Unit, currency: &Currency) -> String {
    match unit {
        Unit::Percent if value > 0.0 && value * 100.0 < 0.05 => "<0.1 pp".to_string(),
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
            let [p50, p5, p95, mean] = stats_cells(s, *unit, currency);
            let band = format!("{p5} … {p95}");
            out.push_str(&format!(
                "  {label:<LABEL$}{p50:>COLUMN$}   {band:<BAND$} {mean}\n"
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

/// The mean month over the trials that reached it, with its standard error, rounded as money
/// is ([`error_place`]): to a tenth of a month at most, to whole months once the error reaches
/// a month ("14 ± 2"), and without "± 0" when every trial that reaches it does so in the same
/// month.
pub fn month_mean(s: &MonthStats) -> String {
    match (s.mean, s.sem) {
        (Some(mean), Some(e)) => match error_place(e) {
            Some(place) => {
                let place = if e >= 1.0 {
                    place.max(0)
                } else {
                    place.max(-1)
                };
                let at = |v: f64| {
                    let step = 10f64.powi(place);
                    let decimals = usize::try_from(-place).unwrap_or(0);
                    format_number((v / step).round() * step, decimals)
                };
                if e < 0.05 {
                    format!("{} ± <0.1 (if reached)", at(mean))
                } else {
                    format!("{} ± {} (if reached)", at(mean), at(e))
                }
            }
            None => format!(
                "{} (if reached; the same month in every trial that reaches it)",
                format_number(mean, 0)
            ),
        },
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
        stats_cells(&m.npv, Unit::Money, c)[0],
        discounting(run),
        format_number(positive.probability * 100.0, 0),
        stats_cells(&m.liability_end, Unit::Money, c)[0],
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
    if let Some(settlement) = &m.partner_settlement {
        case.push(money("Paid to partners for points redeemed", settlement));
    }
    if let Some(share) = &m.partner_cost_share {
        case.push(money("Running costs borne by partners", share));
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

/// The one line under the printed summary that says what its terms mean.
pub const GLOSSARY: &str = "Glossary: MC error = Monte Carlo standard error of the mean (sd/√trials) · pp = percentage points · band = 5th to 95th percentile over trials · burn/earn = points redeemed / points earned";

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
    out.push_str(&format!("\n{GLOSSARY}\n"));
    if !run.summary.diagnostics.is_empty() {
        out.push_str("\nWarnings\n");
        for d in &run.summary.diagnostics {
            out.push_str(&format!("  ! {}\n", d.message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency {
            code: "EUR".into(),
            symbol: "€".into(),
        }
    }

    #[test]
    fn a_share_s_error_below_a_twentieth_of_a_point_is_not_shown_as_zero() {
        // Breakage 1.3% ± 0.0004 (0.04 pp): "<0.1 pp"; 0.0006 (0.06 pp) rounds to "0.1 pp".
        assert_eq!(show_error(0.0004, Unit::Percent, &eur()), "<0.1 pp");
        assert_eq!(show_error(0.0006, Unit::Percent, &eur()), "0.1 pp");
        assert_eq!(show_error(0.0123, Unit::Percent, &eur()), "1.2 pp");
    }

    #[test]
    fn mean_months_are_whole_once_their_error_reaches_a_month() {
        let months = |mean: f64, sem: f64| {
            month_mean(&MonthStats {
                mean: Some(mean),
                sd: Some(sem),
                sem: Some(sem),
                p5: None,
                p50: None,
                p95: None,
                probability_within_horizon: 1.0,
                probability_sem: 0.0,
                probability_ci95: [1.0, 1.0],
                trials_within_horizon: 1,
            })
        };
        // An error of 0.38 months: a tenth of a month. Of 2.3 months: whole months.
        assert_eq!(months(14.27, 0.38), "14.3 ± 0.4 (if reached)");
        assert_eq!(months(14.27, 2.3), "14 ± 2 (if reached)");
        assert_eq!(months(14.6, 12.0), "15 ± 12 (if reached)");
        // A tiny error still shows a tenth at most.
        assert_eq!(months(14.27, 0.012), "14.3 ± <0.1 (if reached)");
        // Every trial that pays back does so in month 12: no "± 0.0".
        assert_eq!(
            months(12.0, 0.0),
            "12 (if reached; the same month in every trial that reaches it)"
        );
    }

    #[test]
    fn errors_keep_the_particle_data_group_s_significant_figures() {
        // The rule's own examples (Review of Particle Physics, Introduction, "Rounding"):
        // 0.827 → 0.8, 0.0354 → 0.035, 0.0357 → 0.04, 0.0995 → 0.10.
        assert_eq!(error_place(0.827), Some(-1));
        assert_eq!(error_place(0.0354), Some(-3));
        assert_eq!(error_place(0.0357), Some(-2));
        assert_eq!(error_place(0.0995), Some(-2));
        assert_eq!(error_place(1_790.0), Some(2));
        assert_eq!(error_place(0.0), None);
        assert_eq!(error_place(f64::NAN), None);
    }

    fn stats(mean: f64, sem: Option<f64>, p5: f64, p50: f64, p95: f64) -> Stats {
        Stats {
            mean,
            sd: sem.map(|e| e * 10.0),
            sem,
            ci95: sem.map(|e| [mean - 1.96 * e, mean + 1.96 * e]),
            p5,
            p50,
            p95,
        }
    }

    #[test]
    fn money_is_shown_to_the_place_its_monte_carlo_error_supports() {
        // An NPV of −€505,310 known to ±€1,790: the error to two figures (€1,800), every
        // number to the hundred.
        let npv = stats(
            -505_310.4,
            Some(1_790.2),
            -520_366.0,
            -505_456.0,
            -485_190.0,
        );
        assert_eq!(
            stats_cells(&npv, Unit::Money, &eur()),
            [
                "-€505,500".to_string(),
                "-€520,400".to_string(),
                "-€485,200".to_string(),
                "-€505,300 ± €1,800".to_string()
            ]
        );
        // ±€22.18 → €22: whole euros, not cents, beside €45,859.
        let be = stats(45_859.3, Some(22.18), 45_656.0, 45_851.0, 46_089.0);
        assert_eq!(stats_cells(&be, Unit::Money, &eur())[3], "€45,859 ± €22");
        // ±€0.34 on a small amount keeps cents.
        let small = stats(12.3456, Some(0.34), 11.0, 12.0, 13.0);
        assert_eq!(
            stats_cells(&small, Unit::Money, &eur())[3],
            "€12.35 ± €0.34"
        );
        // ±€2.68 on €28,262: whole euros, not €28,262.2 ± €2.7.
        let cost = stats(28_262.2, Some(2.68), 28_256.3, 28_260.8, 28_269.9);
        assert_eq!(stats_cells(&cost, Unit::Money, &eur())[3], "€28,262 ± €3");
        // The same in every trial: no "± €0.00".
        let fixed = stats(315_000.0, Some(0.0), 315_000.0, 315_000.0, 315_000.0);
        assert_eq!(
            stats_cells(&fixed, Unit::Money, &eur())[3],
            "€315,000 (same in every trial)"
        );
        // Points to the error's place: ±3,320 pts → to the hundred.
        let points = stats(
            1_078_604.0,
            Some(3_320.0),
            1_041_312.0,
            1_075_813.0,
            1_115_443.0,
        );
        assert_eq!(
            stats_cells(&points, Unit::Points, &eur())[3],
            "1,078,600 pts ± 3,300 pts"
        );
    }
}
