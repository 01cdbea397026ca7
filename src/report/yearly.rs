//! The business case year by year and as a waterfall, from the run's monthly means: one
//! computation shared by the HTML report's first screen and the workbook's Model sheet.
//!
//! The definitions are the engine's (see [`crate::metrics::finance`]): the investment falls at
//! month 0, undiscounted; month t's cash flow falls at the end of month t and is discounted by
//! (1 + r)^(t/12) for the annual rate r. Sums and NPV are linear in the cash flows, so the
//! year table's totals are the means of the trials' totals, and the waterfall's NPV is the mean
//! of the trials' NPVs as long as every trial discounts at the same rate.

use crate::metrics::finance::Series;
use crate::model::program::Phase;
use crate::run::RunOutput;

use super::workbook::closing_cost;

/// What the reader may change in the workbook's Model sheet; the run's own values otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInputs {
    /// Annual discount rate (0.08 = 8% a year).
    pub discount_rate: f64,
    /// Investment at month 0, in currency.
    pub investment: f64,
    /// Running cost added to every month in which the program runs, in currency.
    pub extra_running_per_month: f64,
}

impl ModelInputs {
    /// The inputs as the run had them: the scenario's discount rate, the mean investment over
    /// the trials, nothing extra.
    pub fn of(run: &RunOutput) -> ModelInputs {
        ModelInputs {
            discount_rate: run.scenario.finance.discount_rate,
            investment: run.summary.metrics.investment.mean,
            extra_running_per_month: 0.0,
        }
    }
}

/// One month of the business case: the means over trials of its cash flows.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MeanMonth {
    /// Incremental revenue.
    pub incremental_revenue: f64,
    /// Incremental gross margin.
    pub margin: f64,
    /// Reward cost.
    pub rewards: f64,
    /// Running costs.
    pub running: f64,
    /// The cost of closing the program, in the month it falls.
    pub closing: f64,
    /// What partners pay for points.
    pub partner: f64,
    /// The liability at the month end.
    pub liability: f64,
    /// Whether the fixed running cost applies (the program has not closed).
    pub runs: bool,
}

impl MeanMonth {
    /// The month's net cash flow with `extra` added to its running cost.
    pub fn net(&self, extra: f64) -> f64 {
        self.margin - self.rewards - self.running_with(extra) - self.closing + self.partner
    }

    /// The running cost with `extra` added while the program runs.
    pub fn running_with(&self, extra: f64) -> f64 {
        if self.runs {
            self.running + extra
        } else {
            self.running
        }
    }
}

/// The run's months as their means over trials (month 1 first).
pub(crate) fn mean_months(run: &RunOutput) -> Vec<MeanMonth> {
    run.monthly
        .iter()
        .map(|m| {
            // `series` holds one Stats per Series::ALL, so the index is in range.
            let mean = |s: Series| m.series[s as usize].mean;
            MeanMonth {
                incremental_revenue: mean(Series::IncrementalRevenue),
                margin: mean(Series::IncrementalMargin),
                rewards: mean(Series::RewardCost),
                running: mean(Series::RunningCosts),
                closing: closing_cost(run, m),
                partner: mean(Series::PartnerRevenue),
                liability: mean(Series::Liability),
                runs: run.scenario.program.phase(m.month) != Phase::Closed,
            }
        })
        .collect()
}

/// The discount factor of month `t` at the annual rate `rate`.
pub fn discount(rate: f64, t: u32) -> f64 {
    1.0 / (1.0 + rate).powf(f64::from(t) / 12.0)
}

/// One row of the year-by-year table: means over trials.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Year {
    /// 0 for the start (the investment at month 0), then 1, 2, … for the program's years.
    pub year: u32,
    /// Incremental revenue in the year.
    pub incremental_revenue: f64,
    /// Incremental gross margin in the year.
    pub margin: f64,
    /// Reward cost in the year.
    pub rewards: f64,
    /// The investment (at the start), or the running and closing costs of the year.
    pub costs: f64,
    /// What partners paid for points in the year.
    pub partner: f64,
    /// Net cash flow: margin − rewards − costs + partner.
    pub net: f64,
    /// Cumulative net cash flow at the year end, from −investment.
    pub cumulative: f64,
    /// Liability at the year end (at cost, net of expected breakage); 0 at the start.
    pub liability_end: f64,
    /// The year's net cash flow discounted to month 0.
    pub present_value: f64,
}

/// The business case year by year under `inputs`: the start (month 0, the investment) then
/// one row per year of twelve months (the last may be shorter).
pub fn years(run: &RunOutput, inputs: &ModelInputs) -> Vec<Year> {
    let months = mean_months(run);
    let extra = inputs.extra_running_per_month;
    let mut rows = vec![Year {
        year: 0,
        costs: inputs.investment,
        net: -inputs.investment,
        cumulative: -inputs.investment,
        present_value: -inputs.investment,
        ..Year::default()
    }];
    let mut cumulative = -inputs.investment;
    for (y, chunk) in months.chunks(12).enumerate() {
        let first = 12 * y as u32 + 1;
        let sum = |g: &dyn Fn(&MeanMonth) -> f64| chunk.iter().map(g).sum::<f64>();
        let net = sum(&|m| m.net(extra));
        cumulative += net;
        rows.push(Year {
            year: y as u32 + 1,
            incremental_revenue: sum(&|m| m.incremental_revenue),
            margin: sum(&|m| m.margin),
            rewards: sum(&|m| m.rewards),
            costs: sum(&|m| m.running_with(extra) + m.closing),
            partner: sum(&|m| m.partner),
            net,
            cumulative,
            liability_end: chunk.last().map_or(0.0, |m| m.liability),
            present_value: chunk
                .iter()
                .zip(first..)
                .map(|(m, t)| m.net(extra) * discount(inputs.discount_rate, t))
                .sum(),
        });
    }
    rows
}

/// NPV of the run's mean monthly cash flow under `inputs`: what the workbook's Model sheet's
/// NPV cell computes.
pub fn model_npv(run: &RunOutput, inputs: &ModelInputs) -> f64 {
    years(run, inputs).iter().map(|y| y.present_value).sum()
}

/// The NPV taken apart: each part discounted as the NPV is, so that
/// margin − rewards − running costs + partners − investment = NPV.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waterfall {
    /// Present value of the incremental gross margin gained.
    pub margin: f64,
    /// Present value of the reward cost.
    pub rewards: f64,
    /// Present value of the running costs (and the cost of closing, if any).
    pub running: f64,
    /// Present value of what partners pay for points.
    pub partner: f64,
    /// The investment at month 0.
    pub investment: f64,
    /// The NPV: the sum of the parts with their signs.
    pub npv: f64,
}

/// The waterfall of the NPV of the run's mean cash flow at the scenario's discount rate: the
/// mean of the trials' NPVs unless the rate is drawn per trial.
pub fn waterfall(run: &RunOutput) -> Waterfall {
    let inputs = ModelInputs::of(run);
    let months = mean_months(run);
    let pv = |g: &dyn Fn(&MeanMonth) -> f64| -> f64 {
        months
            .iter()
            .zip(1u32..)
            .map(|(m, t)| g(m) * discount(inputs.discount_rate, t))
            .sum()
    };
    let margin = pv(&|m| m.margin);
    let rewards = pv(&|m| m.rewards);
    let running = pv(&|m| m.running + m.closing);
    let partner = pv(&|m| m.partner);
    Waterfall {
        margin,
        rewards,
        running,
        partner,
        investment: inputs.investment,
        npv: margin - rewards - running + partner - inputs.investment,
    }
}
