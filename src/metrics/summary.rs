//! A run's results as distributions over trials: the headline metrics (`summary.json`) and the
//! monthly bands (`monthly.csv`).

use serde::Serialize;

use super::finance::{MonthRecord, Series, TrialMetrics, TrialResult};
use super::stats::{MonthStats, Stats};

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
    /// Customers per trial.
    pub customers: u64,
    /// Months of horizon.
    pub months: u32,
    /// ISO 4217 code of every money amount.
    pub currency: String,
    /// Annual discount rate of the NPV.
    pub discount_rate: f64,
    /// How percentiles are computed.
    pub percentiles: &'static str,
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
    /// Cost of rewards redeemed.
    pub reward_cost: Stats,
    /// Investment plus running costs.
    pub program_cost: Stats,
    /// Average monthly incremental revenue needed to pay everything back within the horizon.
    pub break_even_incremental_revenue: Stats,
    /// Cumulative net incremental cash flow at the horizon.
    pub cumulative_cash_flow_end: Stats,
    /// Points liability at the horizon.
    pub liability_end: Stats,
    /// Points held by members at the horizon.
    pub points_outstanding_end: Stats,
    /// Share of settled points that expired or were forfeited.
    pub breakage_rate: Stats,
    /// IFRS 15 contract liability at the horizon.
    pub ifrs15_contract_liability_end: Stats,
    /// Members at the horizon.
    pub members_end: Stats,
}

/// `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// What produced the run.
    pub metadata: RunMetadata,
    /// The headline metrics.
    pub metrics: Metrics,
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
            program_cost: stats(|t| t.program_cost),
            break_even_incremental_revenue: stats(|t| t.break_even_incremental_revenue),
            cumulative_cash_flow_end: stats(|t| t.cumulative_cash_flow_end),
            liability_end: stats(|t| t.liability_end),
            points_outstanding_end: stats(|t| t.points_outstanding_end as f64),
            breakage_rate: stats(|t| t.breakage_rate),
            ifrs15_contract_liability_end: stats(|t| t.ifrs15_contract_liability_end),
            members_end: stats(|t| t.members_end as f64),
        }
    }
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
                    let values: Vec<f64> = trials.iter().map(|t| record(t, m)[s]).collect();
                    Stats::of(&values)
                })
                .collect(),
        })
        .collect()
}

fn record(trial: &TrialResult, month: usize) -> MonthRecord {
    trial.months[month]
}
