//! The business case of one trial: incremental cash flow month by month (program world minus
//! baseline world), payback, break-even, NPV, ROI and the liabilities.
//!
//! Conventions (also in the README):
//! - the investment is spent at month 0; month t's cash flow falls at the end of month t and is
//!   discounted by (1 + r)^(t/12) for an annual rate r;
//! - net incremental cash flow of month t = gross margin × (revenue with − revenue without the
//!   program) − reward cost − running costs; a reward on a purchase that would have happened
//!   anyway is a cost like any other;
//! - payback month: the first month whose cumulative cash flow (from −investment) is ≥ 0;
//! - break-even month: the month from which every month's own net incremental cash flow is
//!   ≥ 0 to the horizon (the program covers its running and reward costs for good);
//! - break-even incremental revenue: the incremental revenue at which a month's result is
//!   zero, (reward cost + running costs) / gross margin; the headline figure adds the
//!   investment spread over the horizon;
//! - program cost = investment + running costs; ROI = cumulative net cash flow at the horizon
//!   ÷ (program cost + reward cost);
//! - breakage (unless fixed by the scenario) = the share of the points issued over the
//!   horizon that are never redeemed, those held at the horizon followed through the run-off
//!   (see [`crate::sim::kernel`]); the liabilities of every month use it.

use serde::Serialize;

use super::liability::{ContractLiability, breakage_estimate, points_liability};
use crate::scenario::Scenario;
use crate::sim::runner::TrialTotals;

/// Monthly rate equivalent to annual rate `annual` (compounded).
pub fn monthly_rate(annual: f64) -> f64 {
    (1.0 + annual).powf(1.0 / 12.0) - 1.0
}

/// NPV of −`investment` at month 0 and `cash_flows[t − 1]` at the end of month t.
pub fn npv(investment: f64, cash_flows: &[f64], annual_rate: f64) -> f64 {
    let factor = 1.0 / (1.0 + monthly_rate(annual_rate));
    let mut discount = 1.0;
    let mut value = -investment;
    for cf in cash_flows {
        discount *= factor;
        value += cf * discount;
    }
    value
}

/// First month (1-based) in which −`investment` + the cash flows so far is ≥ 0.
pub fn payback_month(investment: f64, cash_flows: &[f64]) -> Option<u32> {
    let mut cumulative = -investment;
    for (t, cf) in cash_flows.iter().enumerate() {
        cumulative += cf;
        if cumulative >= 0.0 {
            return u32::try_from(t + 1).ok();
        }
    }
    None
}

/// The month (1-based) from which every cash flow to the end is ≥ 0; `None` when the last
/// month's is negative.
pub fn break_even_month(cash_flows: &[f64]) -> Option<u32> {
    let last_negative = cash_flows.iter().rposition(|&cf| cf < 0.0);
    let month = last_negative.map_or(0, |t| t + 1);
    (month < cash_flows.len())
        .then(|| u32::try_from(month + 1).ok())
        .flatten()
}

/// Incremental revenue at which `costs` are covered by the gross margin `margin`.
pub fn break_even_revenue(costs: f64, margin: f64) -> f64 {
    costs / margin
}

/// One trial's headline results and points ledger: a row of `trials.csv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrialMetrics {
    /// Trial index (its random numbers are keyed by it).
    pub trial: u64,
    /// One-time investment at month 0, in currency.
    pub investment: f64,
    /// Net present value of the incremental cash flows after the investment, in currency.
    pub npv: f64,
    /// Cumulative net incremental cash flow at the horizon ÷ (program cost + reward cost).
    pub roi: f64,
    /// First month whose cumulative cash flow is ≥ 0; empty when not within the horizon.
    pub payback_month: Option<u32>,
    /// Month from which every month's own net incremental cash flow is ≥ 0; empty when the
    /// last month's is negative.
    pub break_even_month: Option<u32>,
    /// Revenue with the program minus revenue without it, over the horizon, in currency.
    pub incremental_revenue: f64,
    /// Gross margin on the incremental revenue, in currency.
    pub incremental_gross_margin: f64,
    /// Cost of the rewards redeemed, in currency.
    pub reward_cost: f64,
    /// Investment plus running costs over the horizon, in currency.
    pub program_cost: f64,
    /// Average monthly incremental revenue at which the program would exactly pay back its
    /// investment, running and reward costs within the horizon, in currency.
    pub break_even_incremental_revenue: f64,
    /// Net incremental cash flow accumulated to the horizon (after the investment), in currency.
    pub cumulative_cash_flow_end: f64,
    /// Points liability at the horizon: outstanding × point cost × (1 − breakage), in currency.
    pub liability_end: f64,
    /// IFRS 15 contract liability at the horizon, in currency.
    pub ifrs15_contract_liability_end: f64,
    /// Breakage used for the liabilities: the share of the horizon's points never redeemed
    /// (simulated through the run-off), or as fixed by the scenario.
    pub breakage_rate: f64,
    /// Members at the horizon.
    pub members_end: u64,
    /// Points credited over the horizon.
    pub points_earned: u128,
    /// Points spent on rewards over the horizon.
    pub points_redeemed: u128,
    /// Points that expired over the horizon.
    pub points_expired: u128,
    /// Points forfeited by members who lapsed, over the horizon.
    pub points_forfeited: u128,
    /// Points held by members at the horizon.
    pub points_outstanding_end: u64,
    /// Of the points held at the horizon, those redeemed afterwards (run-off); 0 when the
    /// scenario fixes the breakage.
    pub points_redeemed_after_horizon: u64,
    /// Of the points held at the horizon, those still unredeemed at the end of the run-off
    /// (counted as breakage).
    pub points_unsettled_after_runoff: u64,
}

/// A monthly quantity reported in `monthly.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// Members at the end of the month.
    Members,
    /// Customers with at least one purchase in the month, with the program.
    ActiveCustomers,
    /// Customers with at least one purchase in the month, without the program.
    ActiveCustomersBaseline,
    /// Sales with the program.
    RevenueProgram,
    /// Sales without the program.
    RevenueBaseline,
    /// Difference of the two.
    IncrementalRevenue,
    /// Gross margin on the difference.
    IncrementalMargin,
    /// Cost of rewards redeemed.
    RewardCost,
    /// Running costs.
    RunningCosts,
    /// Incremental margin − reward cost − running costs.
    NetCashFlow,
    /// Net cash flow accumulated from −investment.
    CumulativeCashFlow,
    /// Incremental revenue that would make the month's result zero.
    BreakEvenIncrementalRevenue,
    /// Points credited.
    PointsEarned,
    /// Points spent on rewards.
    PointsRedeemed,
    /// Points expired.
    PointsExpired,
    /// Points forfeited.
    PointsForfeited,
    /// Points held at the month end.
    PointsOutstanding,
    /// Management points liability at the month end.
    Liability,
    /// IFRS 15 contract liability at the month end.
    Ifrs15ContractLiability,
}

impl Series {
    /// Every series, in column order.
    pub const ALL: [Series; 19] = [
        Series::Members,
        Series::ActiveCustomers,
        Series::ActiveCustomersBaseline,
        Series::RevenueProgram,
        Series::RevenueBaseline,
        Series::IncrementalRevenue,
        Series::IncrementalMargin,
        Series::RewardCost,
        Series::RunningCosts,
        Series::NetCashFlow,
        Series::CumulativeCashFlow,
        Series::BreakEvenIncrementalRevenue,
        Series::PointsEarned,
        Series::PointsRedeemed,
        Series::PointsExpired,
        Series::PointsForfeited,
        Series::PointsOutstanding,
        Series::Liability,
        Series::Ifrs15ContractLiability,
    ];

    /// Column stem in `monthly.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Series::Members => "members",
            Series::ActiveCustomers => "active_customers",
            Series::ActiveCustomersBaseline => "active_customers_baseline",
            Series::RevenueProgram => "revenue_program",
            Series::RevenueBaseline => "revenue_baseline",
            Series::IncrementalRevenue => "incremental_revenue",
            Series::IncrementalMargin => "incremental_margin",
            Series::RewardCost => "reward_cost",
            Series::RunningCosts => "running_costs",
            Series::NetCashFlow => "net_cash_flow",
            Series::CumulativeCashFlow => "cumulative_cash_flow",
            Series::BreakEvenIncrementalRevenue => "break_even_incremental_revenue",
            Series::PointsEarned => "points_earned",
            Series::PointsRedeemed => "points_redeemed",
            Series::PointsExpired => "points_expired",
            Series::PointsForfeited => "points_forfeited",
            Series::PointsOutstanding => "points_outstanding",
            Series::Liability => "liability",
            Series::Ifrs15ContractLiability => "ifrs15_contract_liability",
        }
    }
}

/// One trial's month: a value per [`Series`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthRecord(pub [f64; Series::ALL.len()]);

impl std::ops::Index<Series> for MonthRecord {
    type Output = f64;
    fn index(&self, s: Series) -> &f64 {
        &self.0[s as usize]
    }
}

impl std::ops::IndexMut<Series> for MonthRecord {
    fn index_mut(&mut self, s: Series) -> &mut f64 {
        &mut self.0[s as usize]
    }
}

/// A trial's business case: headline results and its months.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialResult {
    /// Headline results and ledger.
    pub metrics: TrialMetrics,
    /// One record per month.
    pub months: Vec<MonthRecord>,
}

/// Turns one trial's totals into its business case.
pub fn evaluate_trial(scenario: &Scenario, trial_totals: &TrialTotals) -> TrialResult {
    let trial = trial_totals.trial;
    let totals = trial_totals.months.as_slice();
    let runoff = &trial_totals.runoff;
    let finance = &scenario.finance;
    let program = &scenario.program;
    let margin = finance.gross_margin;
    let running = finance.running_costs;
    let investment = finance.investment_total();

    // Sums of counts each already held in a u64 month total; u128 so the sum cannot wrap.
    let sum = |f: fn(&crate::sim::kernel::MonthTotals) -> u64| {
        totals.iter().map(|m| u128::from(f(m))).sum::<u128>()
    };
    let earned = sum(|m| m.points_earned);
    let redeemed = sum(|m| m.points_redeemed);
    let expired = sum(|m| m.points_expired);
    let forfeited = sum(|m| m.points_forfeited);
    let breakage = program
        .breakage
        .unwrap_or_else(|| breakage_estimate(earned, redeemed + u128::from(runoff.redeemed)));

    let mut months = Vec::with_capacity(totals.len());
    let mut cash_flows = Vec::with_capacity(totals.len());
    let mut cumulative = -investment;
    let mut contract = ContractLiability::default();
    let mut redeemed_to_date = 0u64;
    let (mut incr_revenue, mut incr_margin, mut rewards, mut running_total) = (0.0, 0.0, 0.0, 0.0);
    for m in totals {
        let mut r = MonthRecord([0.0; Series::ALL.len()]);
        let incremental_revenue = m.revenue_program - m.revenue_baseline;
        let incremental_margin = margin * incremental_revenue;
        let reward_cost = m.points_redeemed as f64 * program.point_cost;
        let running_cost = running.per_month
            + running.per_member * m.members as f64
            + running.per_transaction * m.member_transactions as f64;
        let net = incremental_margin - reward_cost - running_cost;
        cumulative += net;
        cash_flows.push(net);
        incr_revenue += incremental_revenue;
        incr_margin += incremental_margin;
        rewards += reward_cost;
        running_total += running_cost;

        let points_ssp = m.points_earned as f64 * program.point_value * (1.0 - breakage);
        contract.defer(m.member_revenue, points_ssp);
        redeemed_to_date += m.points_redeemed;
        let expected_total =
            redeemed_to_date as f64 + m.points_outstanding as f64 * (1.0 - breakage);
        contract.recognise(redeemed_to_date as f64, expected_total);

        r[Series::Members] = m.members as f64;
        r[Series::ActiveCustomers] = m.active_program as f64;
        r[Series::ActiveCustomersBaseline] = m.active_baseline as f64;
        r[Series::RevenueProgram] = m.revenue_program;
        r[Series::RevenueBaseline] = m.revenue_baseline;
        r[Series::IncrementalRevenue] = incremental_revenue;
        r[Series::IncrementalMargin] = incremental_margin;
        r[Series::RewardCost] = reward_cost;
        r[Series::RunningCosts] = running_cost;
        r[Series::NetCashFlow] = net;
        r[Series::CumulativeCashFlow] = cumulative;
        r[Series::BreakEvenIncrementalRevenue] =
            break_even_revenue(reward_cost + running_cost, margin);
        r[Series::PointsEarned] = m.points_earned as f64;
        r[Series::PointsRedeemed] = m.points_redeemed as f64;
        r[Series::PointsExpired] = m.points_expired as f64;
        r[Series::PointsForfeited] = m.points_forfeited as f64;
        r[Series::PointsOutstanding] = m.points_outstanding as f64;
        r[Series::Liability] = points_liability(m.points_outstanding, program.point_cost, breakage);
        r[Series::Ifrs15ContractLiability] = contract.balance();
        months.push(r);
    }

    let horizon = totals.len().max(1) as f64;
    let last = totals.last().copied().unwrap_or_default();
    let program_cost = investment + running_total;
    let metrics = TrialMetrics {
        trial,
        investment,
        npv: npv(investment, &cash_flows, finance.discount_rate),
        roi: cumulative / (program_cost + rewards),
        payback_month: payback_month(investment, &cash_flows),
        break_even_month: break_even_month(&cash_flows),
        incremental_revenue: incr_revenue,
        incremental_gross_margin: incr_margin,
        reward_cost: rewards,
        program_cost,
        break_even_incremental_revenue: break_even_revenue(program_cost + rewards, margin)
            / horizon,
        cumulative_cash_flow_end: cumulative,
        liability_end: points_liability(last.points_outstanding, program.point_cost, breakage),
        ifrs15_contract_liability_end: contract.balance(),
        breakage_rate: breakage,
        members_end: last.members,
        points_earned: earned,
        points_redeemed: redeemed,
        points_expired: expired,
        points_forfeited: forfeited,
        points_outstanding_end: last.points_outstanding,
        points_redeemed_after_horizon: runoff.redeemed,
        points_unsettled_after_runoff: runoff.unsettled,
    };
    TrialResult { metrics, months }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npv_payback_and_break_even_on_a_hand_made_cash_flow() {
        // Invest 1,000; then −100, 300, 400, 500 at the ends of months 1–4, at 12% a year.
        let cf = [-100.0, 300.0, 400.0, 500.0];
        // Cumulative: −1,100, −800, −400, +100 → payback in month 4.
        assert_eq!(payback_month(1_000.0, &cf), Some(4));
        assert_eq!(payback_month(1_000.0, &cf[..3]), None);
        // From month 2 on every month's own result is non-negative.
        assert_eq!(break_even_month(&cf), Some(2));
        // A dip in month 3 moves it to month 4; a negative last month means never.
        assert_eq!(break_even_month(&[5.0, 1.0, -1.0, 2.0]), Some(4));
        assert_eq!(break_even_month(&[5.0, -1.0]), None);
        assert_eq!(break_even_month(&[5.0, 0.0]), Some(1));
        // Monthly rate 1.12^(1/12) − 1 = 0.00948879; discount factors 0.990600, 0.981289,
        // 0.972065, 0.962928 (hand computed): NPV = −1000 − 99.0600 + 294.3867 + 388.8262
        // + 481.4642 = 65.6171.
        let r = monthly_rate(0.12);
        assert!((r - 0.009_488_793).abs() < 1e-9, "{r}");
        let value = npv(1_000.0, &cf, 0.12);
        assert!((value - 65.6171).abs() < 1e-4, "{value}");
        // At 0% the NPV is the plain sum.
        assert!((npv(1_000.0, &cf, 0.0) - 100.0).abs() < 1e-12);
        // Costs of 1,300 at a 40% margin need 3,250 of incremental revenue.
        assert!((break_even_revenue(1_300.0, 0.4) - 3_250.0).abs() < 1e-9);
    }

    #[test]
    fn payback_on_the_month_the_cumulative_reaches_exactly_zero() {
        assert_eq!(payback_month(300.0, &[100.0, 100.0, 100.0]), Some(3));
        assert_eq!(payback_month(0.0, &[0.0]), Some(1));
        assert_eq!(break_even_month(&[-1.0, -0.5]), None);
    }
}
