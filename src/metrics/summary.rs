//! A run's results as distributions over trials: the headline metrics and diagnostics
//! (`summary.json`), the monthly bands (`monthly.csv`) and the monthly bands by loyalty type
//! (`monthly_by_type.csv`).

use serde::Serialize;

use super::finance::{Series, TrialMetrics, TrialResult, TypeSeries, YearRollForward};
use super::stats::{MonthStats, Stats};
use crate::model::population::LoyaltyType;

/// What produced a run: enough to reproduce it bit for bit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunMetadata {
    /// Always `loyalty-sim`.
    pub program: &'static str,
    /// Version of the program.
    pub version: &'static str,
    /// Scenario file as given on the command line.
    pub scenario: String,
    /// SHA-256 of the scenario file's bytes (`sha256sum` prints the same).
    pub scenario_sha256: String,
    /// Seed of the run (after any `--seed`).
    pub seed: u64,
    /// Trials run (after any `--trials`).
    pub trials: u64,
    /// Customers per trial at launch.
    pub customers: u64,
    /// Months of horizon.
    pub months: u32,
    /// The program's currencies, e.g. "points + tiers".
    pub design: String,
    /// ISO 4217 code of every money amount.
    pub currency: String,
    /// Annual discount rate of the NPV.
    pub discount_rate: f64,
    /// How percentiles are computed.
    pub percentiles: &'static str,
    /// Paths of the inputs given as distributions, drawn once per trial.
    pub uncertain_inputs: Vec<String>,
    /// The `--precision` target and whether the run met it, if it had one.
    pub precision: Option<PrecisionOutcome>,
}

/// How a `--precision` run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionOutcome {
    /// The metric.
    pub metric: String,
    /// The target, e.g. "npv: 95% interval within ±1% of the mean".
    pub target: String,
    /// Whether the target was met (else the run stopped at its cap of trials).
    pub met: bool,
    /// Half-width of the metric's 95% interval at the end, in the metric's unit.
    pub half_width: f64,
    /// That half-width as a share of the mean's size (`None` when the mean is 0).
    pub relative_half_width: Option<f64>,
}

/// Every headline metric over the trials. Money in the run's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// One-time investment at month 0.
    pub investment: Stats,
    /// Net present value of the program at the scenario's discount rate.
    pub npv: Stats,
    /// Cumulative net incremental cash flow ÷ (program cost + reward cost).
    pub roi: Stats,
    /// Month the cumulative incremental cash flow turns non-negative, with the probability of
    /// payback within the horizon.
    pub payback_month: MonthStats,
    /// Month from which every month's own net incremental cash flow is non-negative.
    pub break_even_month: MonthStats,
    /// Revenue with the program minus without, over the horizon.
    pub incremental_revenue: Stats,
    /// Gross margin on the incremental revenue.
    pub incremental_gross_margin: Stats,
    /// Every reward handed out (discounts, points rewards net of supplier funding,
    /// certificates, cash settlements).
    pub reward_cost: Stats,
    /// Discounts given at the till.
    pub discount_cost: Stats,
    /// Points rewards before supplier funding, plus points paid out at the end.
    pub points_reward_cost: Stats,
    /// Certificates used or paid out, at face value.
    pub certificate_cost: Stats,
    /// Part of the points rewards' cost paid by suppliers.
    pub supplier_funding: Stats,
    /// What partners paid for points.
    pub partner_revenue: Stats,
    /// Investment plus running costs plus the cost of closing the program.
    pub program_cost: Stats,
    /// Average monthly incremental revenue needed to pay everything back within the horizon.
    pub break_even_incremental_revenue: Stats,
    /// Cumulative net incremental cash flow at the horizon.
    pub cumulative_cash_flow_end: Stats,
    /// What the program owes at the horizon (points and certificates).
    pub liability_end: Stats,
    /// Points held by members at the horizon.
    pub points_outstanding_end: Stats,
    /// Share of points issued never redeemed.
    pub breakage_rate: Stats,
    /// Share of certificate value issued never redeemed.
    pub certificate_breakage_rate: Stats,
    /// Points redeemed ÷ points earned over the horizon.
    pub burn_earn_ratio: Stats,
    /// IFRS 15 contract liability at the horizon.
    pub ifrs15_contract_liability_end: Stats,
    /// Members at the horizon.
    pub members_end: Stats,
    /// New customers over the horizon with the program.
    pub new_customers_program: Stats,
    /// New customers over the horizon without the program.
    pub new_customers_baseline: Stats,
    /// Cost of the non-material privileges members held (part of the reward cost).
    pub privilege_cost: Stats,
    /// Members whom privileges moved up in attitude over the horizon.
    pub members_attached_by_privileges: Stats,
    /// Cost of the prizes members won (part of the reward cost).
    pub prize_cost: Stats,
    /// Prizes members won over the horizon.
    pub prizes_won: Stats,
    /// Prize entries members bought with points over the horizon.
    pub prize_entries: Stats,
    /// What the program paid partners for points redeemed at them (part of the points
    /// rewards' cost); absent when no trial paid any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_settlement: Option<Stats>,
    /// Running costs borne by partners; absent when no trial had any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_cost_share: Option<Stats>,
}

/// A plain-language warning about the run's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Stable identifier, for programs.
    pub code: &'static str,
    /// The warning, for people, with the threshold it crossed.
    pub message: String,
}

/// `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// What produced the run.
    pub metadata: RunMetadata,
    /// The headline metrics.
    pub metrics: Metrics,
    /// Warnings about the design's earn/burn balance.
    pub diagnostics: Vec<Diagnostic>,
    /// The contract liability's roll-forward, year by year, over the trials.
    pub contract_liability_rollforward: Vec<RollForwardBands>,
    /// The downside: chances of a positive NPV and of a loss, expected shortfall, the
    /// liability's 95th percentile by month.
    pub downside: super::risk::Downside,
}

/// One year of the contract liability's roll-forward over the trials (each row a
/// [`crate::metrics::finance::YearRollForward`] field). The means add up like each trial's
/// rows: opening + deferred − recognised on redemption − recognised on breakage = closing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollForwardBands {
    /// Year of the horizon, 1-based.
    pub year: u32,
    /// Sales that earned points less the part allocated to the points.
    pub points_sales_to_goods: Stats,
    /// Contract liability at the start of the year.
    pub opening: Stats,
    /// Transaction price allocated to what was issued in the year.
    pub deferred: Stats,
    /// Revenue recognised on redemption.
    pub recognised_on_redemption: Stats,
    /// Revenue recognised on breakage, with the catch-up of revised estimates.
    pub recognised_on_breakage: Stats,
    /// Contract liability at the end of the year.
    pub closing: Stats,
}

/// The roll-forward's bands, year by year.
pub fn rollforward_bands(trials: &[TrialResult]) -> Vec<RollForwardBands> {
    // Every trial of a run has the same number of years; a part written before the
    // roll-forward was kept has none, and then neither have the merged bands.
    let years = trials
        .iter()
        .map(|t| t.rollforward.len())
        .min()
        .unwrap_or(0);
    (0..years)
        .map(|y| {
            let stats = |f: fn(&YearRollForward) -> f64| {
                let values: Vec<f64> = trials.iter().map(|t| f(&t.rollforward[y])).collect();
                Stats::of(&values)
            };
            RollForwardBands {
                year: y as u32 + 1,
                points_sales_to_goods: stats(|r| r.points_sales_to_goods),
                opening: stats(|r| r.opening),
                deferred: stats(|r| r.deferred),
                recognised_on_redemption: stats(|r| r.recognised_on_redemption),
                recognised_on_breakage: stats(|r| r.recognised_on_breakage),
                closing: stats(|r| r.closing),
            }
        })
        .collect()
}

impl Metrics {
    /// Summarises the trials' headline metrics.
    pub fn of(trials: &[TrialMetrics]) -> Metrics {
        let stats = |f: fn(&TrialMetrics) -> f64| {
            let values: Vec<f64> = trials.iter().map(f).collect();
            Stats::of(&values)
        };
        let months = |f: fn(&TrialMetrics) -> Option<u32>| {
            let values: Vec<Option<u32>> = trials.iter().map(f).collect();
            MonthStats::of(&values)
        };
        Metrics {
            investment: stats(|t| t.investment),
            npv: stats(|t| t.npv),
            roi: stats(|t| t.roi),
            payback_month: months(|t| t.payback_month),
            break_even_month: months(|t| t.break_even_month),
            incremental_revenue: stats(|t| t.incremental_revenue),
            incremental_gross_margin: stats(|t| t.incremental_gross_margin),
            reward_cost: stats(|t| t.reward_cost),
            discount_cost: stats(|t| t.discount_cost),
            points_reward_cost: stats(|t| t.points_reward_cost),
            certificate_cost: stats(|t| t.certificate_cost),
            supplier_funding: stats(|t| t.supplier_funding),
            partner_revenue: stats(|t| t.partner_revenue),
            program_cost: stats(|t| t.program_cost),
            break_even_incremental_revenue: stats(|t| t.break_even_incremental_revenue),
            cumulative_cash_flow_end: stats(|t| t.cumulative_cash_flow_end),
            liability_end: stats(|t| t.liability_end),
            points_outstanding_end: stats(|t| t.points_outstanding_end as f64),
            breakage_rate: stats(|t| t.breakage_rate),
            certificate_breakage_rate: stats(|t| t.certificate_breakage_rate),
            burn_earn_ratio: stats(|t| t.burn_earn_ratio),
            ifrs15_contract_liability_end: stats(|t| t.ifrs15_contract_liability_end),
            members_end: stats(|t| t.members_end as f64),
            new_customers_program: stats(|t| t.new_customers_program as f64),
            new_customers_baseline: stats(|t| t.new_customers_baseline as f64),
            privilege_cost: stats(|t| t.privilege_cost),
            members_attached_by_privileges: stats(|t| t.members_attached_by_privileges as f64),
            prize_cost: stats(|t| t.prize_cost),
            prizes_won: stats(|t| t.prizes_won as f64),
            prize_entries: stats(|t| t.prize_entries as f64),
            partner_settlement: trials
                .iter()
                .any(|t| t.partner_settlement != 0.0)
                .then(|| stats(|t| t.partner_settlement)),
            partner_cost_share: trials
                .iter()
                .any(|t| t.partner_cost_share != 0.0)
                .then(|| stats(|t| t.partner_cost_share)),
        }
    }
}

/// Burn/earn below this over the last year: members accumulate much faster than they burn.
pub const SLOW_BURN: f64 = 0.5;
/// Burn/earn above this over the horizon: members burn almost everything at once.
pub const FAST_BURN: f64 = 0.95;

/// Earn/burn warnings (DOMAIN §3), judged on the median trial: points valued at cost and
/// certificates at face value, issued against redeemed, over the last 12 months of the
/// horizon (disengagement) and over the whole horizon (undervalued currency).
pub fn diagnostics(trials: &[TrialResult]) -> Vec<Diagnostic> {
    let months = trials.first().map_or(0, |t| t.months.len());
    if months == 0 {
        return Vec::new();
    }
    let ratio = |t: &TrialResult, from: usize| {
        let (mut issued, mut redeemed) = (0.0, 0.0);
        // Every trial of a run has the same horizon, so from ≤ months = t.months.len().
        for r in &t.months[from..] {
            issued += r[Series::RewardsIssued];
            redeemed += r[Series::RewardsRedeemed];
        }
        (issued > 0.0).then(|| redeemed / issued)
    };
    let median = |from: usize| {
        let values: Vec<f64> = trials.iter().filter_map(|t| ratio(t, from)).collect();
        (!values.is_empty()).then(|| Stats::of(&values).p50)
    };
    let mut out = Vec::new();
    if let Some(last_year) = median(months.saturating_sub(12))
        && last_year < SLOW_BURN
    {
        out.push(Diagnostic {
            code: "slow_burn",
            message: format!(
                "Members accumulate much faster than they burn: over the last {} months they redeemed {:.0}% of what they earned (warning below {:.0}%). Rewards may be out of reach; expect members to lose interest, and the liability to grow.",
                months.min(12),
                last_year * 100.0,
                SLOW_BURN * 100.0
            ),
        });
    }
    if let Some(all) = median(0)
        && all > FAST_BURN
    {
        out.push(Diagnostic {
            code: "fast_burn",
            message: format!(
                "Members burn almost everything they earn: {:.0}% of it over the horizon (warning above {:.0}%). The currency may be undervalued: the rewards could be made more valuable, or harder to reach.",
                all * 100.0,
                FAST_BURN * 100.0
            ),
        });
    }
    out
}

/// A headline mean whose 95% interval is wider than this share of its size is flagged.
pub const IMPRECISE: f64 = 0.10;
/// A payback chance whose 95% interval is wider than this (in probability) is flagged.
pub const IMPRECISE_CHANCE: f64 = 0.20;
/// The size below which ROI's precision is judged in absolute terms: its half-width is
/// compared with [`IMPRECISE`] × max(|mean ROI|, this), so an ROI near zero is flagged above
/// ±1 percentage point, not for being a large share of almost nothing.
pub const ROI_SCALE: f64 = 0.10;

/// A `--precision` target that more trials can meet for a mean known to ±`half` (95%) at
/// `trials` trials, with about how many trials it takes (the half-width shrinks as 1/√trials):
/// 5% of the mean when its 95% interval, lo … hi, excludes zero and the metric is judged
/// relatively; otherwise an absolute half-width, half the present one rounded down to one
/// significant figure, since a share of a mean that may be zero may never be reached.
fn reachable_target(key: &str, half: f64, mean: f64, lo: f64, hi: f64, trials: u64) -> String {
    let relative = key != "roi" && (lo > 0.0 || hi < 0.0);
    let (text, target) = if relative {
        ("5%".to_string(), 0.05 * mean.abs())
    } else {
        let wanted = half / 2.0;
        let exponent = wanted.log10().floor() as i32;
        let magnitude = 10f64.powi(exponent);
        let target = (wanted / magnitude).floor() * magnitude;
        let decimals = usize::try_from(-exponent).unwrap_or(0);
        (format!("{target:.decimals$}"), target)
    };
    let needed = (trials as f64 * (half / target).powi(2)).ceil();
    // Rounded up to a hundred trials: an estimate, not a promise.
    let needed = ((needed / 100.0).ceil() * 100.0) as u64;
    format!("--precision {key}={text}, about {needed} trials")
}

/// Headline metrics whose Monte Carlo interval is too wide to quote at `trials` trials: the
/// 95% interval of the mean wider than ±[`IMPRECISE`] of it (or, for NPV, on both sides of
/// zero; for ROI, of the larger of its size and [`ROI_SCALE`]), the payback chance's interval
/// wider than [`IMPRECISE_CHANCE`]. Each says a `--precision` target that more trials can meet.
pub fn precision_diagnostics(metrics: &Metrics, trials: u64) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let headline: [(&str, &str, &Stats); 4] = [
        ("npv", "NPV", &metrics.npv),
        ("roi", "ROI", &metrics.roi),
        (
            "incremental_revenue",
            "incremental revenue",
            &metrics.incremental_revenue,
        ),
        (
            "liability_end",
            "the liability at the end",
            &metrics.liability_end,
        ),
    ];
    for (key, label, stats) in headline {
        let Some([lo, hi]) = stats.ci95 else {
            continue;
        };
        let half = (hi - lo) / 2.0;
        let size = if key == "roi" {
            stats.mean.abs().max(ROI_SCALE)
        } else {
            stats.mean.abs()
        };
        let relative = if size != 0.0 {
            half / size
        } else if half > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        let sign_open = key == "npv" && lo < 0.0 && hi > 0.0;
        if relative > IMPRECISE || sign_open {
            let known = if key == "roi" {
                format!("{:.1} pp", half * 100.0)
            } else if relative.is_finite() {
                format!("{:.0}%", relative * 100.0)
            } else {
                "its whole size".into()
            };
            out.push(Diagnostic {
                code: "imprecise",
                message: format!(
                    "The mean of {label} is known only to ±{known} at {trials} trials (95% interval of the mean){}: run more trials before quoting it (e.g. {}).",
                    if sign_open { ", not even its sign is settled" } else { "" },
                    reachable_target(key, half, stats.mean, lo, hi, trials)
                ),
            });
        }
    }
    let [lo, hi] = metrics.payback_month.probability_ci95;
    if hi - lo > IMPRECISE_CHANCE {
        out.push(Diagnostic {
            code: "imprecise",
            message: format!(
                "The chance of payback is known only to {:.0}% … {:.0}% at {trials} trials (Wilson 95% interval): run more trials before quoting it.",
                lo * 100.0,
                hi * 100.0
            ),
        });
    }
    out
}

/// One month's bands: a [`Stats`] per [`Series`], over the trials.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthBands {
    /// Month, 1-based.
    pub month: u32,
    /// In [`Series::ALL`] order.
    pub series: Vec<Stats>,
}

/// Bands of every series, month by month.
pub fn monthly_bands(trials: &[TrialResult]) -> Vec<MonthBands> {
    let months = trials.first().map_or(0, |t| t.months.len());
    (0..months)
        .map(|m| MonthBands {
            month: m as u32 + 1,
            series: Series::ALL
                .iter()
                .map(|&s| {
                    // Every trial of a run has the first's number of months, so m is in range.
                    let values: Vec<f64> = trials.iter().map(|t| t.months[m][s]).collect();
                    Stats::of(&values)
                })
                .collect(),
        })
        .collect()
}

/// One month's bands for one loyalty type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeMonthBands {
    /// Month, 1-based.
    pub month: u32,
    /// The loyalty type.
    pub loyalty_type: LoyaltyType,
    /// In [`TypeSeries::ALL`] order.
    pub series: Vec<Stats>,
}

/// Bands of every per-type series, month by month, type by type, for the types `shown` (see
/// [`crate::model::population::Population::shown_types`]).
pub fn monthly_type_bands(trials: &[TrialResult], shown: &[LoyaltyType]) -> Vec<TypeMonthBands> {
    let months = trials.first().map_or(0, |t| t.types.len());
    let mut out = Vec::with_capacity(months * shown.len());
    for m in 0..months {
        for &ty in shown {
            let i = ty.index();
            let series = TypeSeries::ALL
                .iter()
                .map(|&s| {
                    // Every trial has the first's months; i < TYPES indexes a [_; TYPES].
                    let values: Vec<f64> = trials.iter().map(|t| t.types[m][i][s]).collect();
                    Stats::of(&values)
                })
                .collect();
            out.push(TypeMonthBands {
                month: m as u32 + 1,
                loyalty_type: ty,
                series,
            });
        }
    }
    out
}

/// The 95th percentile of `series` at each month of `bands`.
pub fn p95_by_month(bands: &[MonthBands], series: Series) -> Vec<f64> {
    let i = Series::ALL.iter().position(|&s| s == series);
    bands
        .iter()
        .filter_map(|b| i.and_then(|i| b.series.get(i)).map(|s| s.p95))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics_with_npv(values: &[f64]) -> Metrics {
        let trials: Vec<TrialMetrics> = values
            .iter()
            .enumerate()
            .map(|(i, &npv)| TrialMetrics {
                trial: i as u64,
                npv,
                incremental_revenue: 1000.0 + i as f64 * 0.001,
                roi: 0.5,
                liability_end: 10.0,
                payback_month: Some(12),
                ..TrialMetrics::default()
            })
            .collect();
        Metrics::of(&trials)
    }

    #[test]
    fn a_wide_or_sign_open_npv_is_flagged_and_a_narrow_one_is_not() {
        // NPV 90, 100, 110: mean 100, sd 10, sem 5.77, half-width 11.3 = 11.3% of the mean.
        let wide = precision_diagnostics(&metrics_with_npv(&[90.0, 100.0, 110.0]), 3);
        assert!(
            wide.iter()
                .any(|d| d.message.contains("NPV") && d.message.contains("±11%"))
        );
        // 99, 100, 101: half-width 1.1% — quoted as it is.
        let narrow = precision_diagnostics(&metrics_with_npv(&[99.0, 100.0, 101.0]), 3);
        assert!(
            !narrow.iter().any(|d| d.message.contains("NPV")),
            "{narrow:?}"
        );
        // −100, 50, 200: the interval spans zero.
        let open = precision_diagnostics(&metrics_with_npv(&[-100.0, 50.0, 200.0]), 3);
        assert!(open.iter().any(|d| d.message.contains("not even its sign")));
    }

    #[test]
    fn a_payback_chance_from_few_trials_is_flagged() {
        // 3 of 3 pay back: Wilson 95% interval 43.9% … 100%.
        let few = precision_diagnostics(&metrics_with_npv(&[99.0, 100.0, 101.0]), 3);
        assert!(few.iter().any(|d| d.message.contains("chance of payback")));
    }
}
