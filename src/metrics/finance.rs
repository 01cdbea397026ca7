//! The business case of one trial: incremental cash flow month by month (program world minus
//! baseline world), payback, break-even, NPV, ROI and the liabilities.
//!
//! Conventions (also in docs/model.md, "Business case"):
//! - the investment is spent at month 0; month t's cash flow falls at the end of month t and is
//!   discounted by (1 + r)^(t/12) for an annual rate r;
//! - net incremental cash flow of month t = gross margin × (revenue with − revenue without the
//!   program) − reward cost − running costs − exit cost + partner payments; a reward on a
//!   purchase that would have happened anyway is a cost like any other;
//! - partners (a coalition): they pay their price per point for the points their customers
//!   earn (partner payments); of the points redeemed, the stated share is redeemed at partners,
//!   who are paid their settlement price per point in place of that share of the catalogue's
//!   cost (part of the points rewards' cost); they bear their share of the running costs (the
//!   running costs are the program's own share); ending their agreements costs the stated
//!   wind-down, booked with the exit cost in the exit month; a point outstanding costs the
//!   blend of the catalogue's cost and the settlement price;
//! - reward cost = discounts given at the till + the cost of points rewards net of what
//!   suppliers fund + certificates used (their face value) + anything paid out in cash when
//!   the program ends + the non-material privileges members held + the prizes they won;
//!   revenue is counted at list price, so a discount is a cost, not lower
//!   revenue;
//! - running costs run until the program closes (the end of its grace months);
//! - payback month: the first month whose cumulative cash flow (from −investment) is ≥ 0;
//! - break-even month: the month from which every month's own net incremental cash flow is
//!   ≥ 0 to the horizon (the program covers its running and reward costs for good);
//! - break-even incremental revenue: the incremental revenue at which a month's result is
//!   zero, (reward cost + running costs) / gross margin; the headline figure adds the
//!   investment spread over the horizon;
//! - program cost = investment + running costs; ROI = cumulative net cash flow at the horizon
//!   ÷ (program cost + reward cost);
//! - breakage (unless fixed by the scenario) = the share of the points (or certificate value)
//!   issued over the horizon that is never redeemed, what is held at the horizon followed
//!   through the run-off (see [`crate::sim::kernel`]); paid out in cash counts as honoured;
//!   the liabilities by cohort use each cohort's own fate (see [`super::liability`]);
//! - the cost of a point (and, for a catalogue, its value to members) is the scenario's if
//!   stated, else what the points redeemed in the trial cost (were worth) per point.

use serde::Serialize;

use super::liability::{CohortSales, breakage_estimate, points_accounts};
use crate::model::program::Phase;
use crate::scenario::Scenario;
use crate::sim::runner::TrialTotals;
use crate::sim::totals::MonthTotals;

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

/// One trial's headline results and ledgers: a row of `trials.csv`. Money in currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct TrialMetrics {
    /// Trial index (its random numbers are keyed by it).
    pub trial: u64,
    /// One-time investment at month 0.
    pub investment: f64,
    /// Net present value of the incremental cash flows after the investment.
    pub npv: f64,
    /// Cumulative net incremental cash flow at the horizon ÷ (program cost + reward cost).
    pub roi: f64,
    /// First month whose cumulative cash flow is ≥ 0; empty when not within the horizon.
    pub payback_month: Option<u32>,
    /// Month from which every month's own net incremental cash flow is ≥ 0; empty when the
    /// last month's is negative.
    pub break_even_month: Option<u32>,
    /// Revenue with the program minus revenue without it, over the horizon.
    pub incremental_revenue: f64,
    /// Gross margin on the incremental revenue.
    pub incremental_gross_margin: f64,
    /// Every reward handed out: discounts + points rewards (net of supplier funding) +
    /// certificates used + cash settlements at the end + privileges held + prizes won.
    pub reward_cost: f64,
    /// Discounts given at the till (instant and tier discounts).
    pub discount_cost: f64,
    /// Cost of points rewards before supplier funding, plus points paid out at the end.
    pub points_reward_cost: f64,
    /// Certificates used, plus certificates paid out at the end, at face value.
    pub certificate_cost: f64,
    /// Part of the points rewards' cost paid by suppliers.
    pub supplier_funding: f64,
    /// What partners paid for the points their customers earned.
    pub partner_revenue: f64,
    /// Investment plus running costs plus the cost of closing the program.
    pub program_cost: f64,
    /// Average monthly incremental revenue at which the program would exactly pay back its
    /// investment, running, closing and reward costs (net of partner payments) within the
    /// horizon.
    pub break_even_incremental_revenue: f64,
    /// Net incremental cash flow accumulated to the horizon (after the investment).
    pub cumulative_cash_flow_end: f64,
    /// What the program owes at the horizon: points and certificates held, at cost, times the
    /// share expected to be redeemed.
    pub liability_end: f64,
    /// IFRS 15 contract liability at the horizon (points and certificates).
    pub ifrs15_contract_liability_end: f64,
    /// Breakage of points: share of the points issued over the horizon never redeemed
    /// (simulated through the run-off), or as fixed by the scenario; 0 without points.
    pub breakage_rate: f64,
    /// Breakage of certificates, by value, likewise; 0 without certificates.
    pub certificate_breakage_rate: f64,
    /// Points redeemed ÷ points earned over the horizon (burn/earn); 0 without points.
    pub burn_earn_ratio: f64,
    /// Members at the horizon.
    pub members_end: u64,
    /// New customers over the horizon with the program (including referred ones).
    pub new_customers_program: u64,
    /// New customers over the horizon without the program.
    pub new_customers_baseline: u64,
    /// Points credited over the horizon, from every source.
    pub points_earned: u128,
    /// Points spent on rewards over the horizon.
    pub points_redeemed: u128,
    /// Points that expired over the horizon.
    pub points_expired: u128,
    /// Points forfeited by members who lapsed, over the horizon.
    pub points_forfeited: u128,
    /// Points paid out in cash when the program ended.
    pub points_settled: u128,
    /// Points held by members at the horizon.
    pub points_outstanding_end: u64,
    /// Of the points held at the horizon, those redeemed afterwards (run-off).
    pub points_redeemed_after_horizon: u64,
    /// Of the points held at the horizon, those still unredeemed at the end of the run-off.
    pub points_unsettled_after_runoff: u64,
    /// Certificates issued over the horizon, in cents.
    pub certificates_issued_cents: u128,
    /// Certificates used, in cents.
    pub certificates_redeemed_cents: u128,
    /// Certificates expired unused, in cents.
    pub certificates_expired_cents: u128,
    /// Certificates forfeited by members who lapsed, in cents.
    pub certificates_forfeited_cents: u128,
    /// Certificates paid out in cash when the program ended, in cents.
    pub certificates_settled_cents: u128,
    /// Certificates held at the horizon, in cents.
    pub certificates_outstanding_end_cents: u64,
    /// Cost of the non-material privileges members held (per member and per use), part of the
    /// reward cost; their set-up is in the investment.
    #[serde(default)]
    pub privilege_cost: f64,
    /// Members whom privileges moved up in attitude over the horizon (false → true, none →
    /// latent).
    #[serde(default)]
    pub members_attached_by_privileges: u64,
    /// Cost of the prizes members won, part of the reward cost.
    #[serde(default)]
    pub prize_cost: f64,
    /// Prizes members won over the horizon.
    #[serde(default)]
    pub prizes_won: u64,
    /// Prize entries members bought with points over the horizon.
    #[serde(default)]
    pub prize_entries: u64,
    /// What the program paid partners for the points redeemed at them (part of the points
    /// rewards' cost).
    #[serde(default)]
    pub partner_settlement: f64,
    /// Running costs borne by partners (not in the program's running costs).
    #[serde(default)]
    pub partner_cost_share: f64,
}

/// Which way a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Higher is better (NPV, revenue).
    Maximize,
    /// Lower is better (costs, what the program owes).
    Minimize,
}

impl TrialMetrics {
    /// Which way the metric called `name` is better; `None` when that depends on the purpose
    /// (breakage and burn rates: more breakage costs less, but tells of disengaged members;
    /// prizes and entries: more cost more, but tell of engaged members).
    pub fn goal(name: &str) -> Option<Goal> {
        match name {
            "npv"
            | "roi"
            | "incremental_revenue"
            | "incremental_gross_margin"
            | "supplier_funding"
            | "partner_revenue"
            | "cumulative_cash_flow_end"
            | "members_end"
            | "new_customers_program" => Some(Goal::Maximize),
            "breakage_rate"
            | "certificate_breakage_rate"
            | "burn_earn_ratio"
            | "prizes_won"
            | "prize_entries" => None,
            _ => Some(Goal::Minimize),
        }
    }

    /// Names of the metrics [`TrialMetrics::value`] knows, for `--precision`, compare, sweep
    /// and tornado.
    pub const NAMES: [&'static str; 26] = [
        "npv",
        "roi",
        "incremental_revenue",
        "incremental_gross_margin",
        "reward_cost",
        "discount_cost",
        "points_reward_cost",
        "certificate_cost",
        "supplier_funding",
        "partner_revenue",
        "program_cost",
        "investment",
        "break_even_incremental_revenue",
        "cumulative_cash_flow_end",
        "liability_end",
        "ifrs15_contract_liability_end",
        "breakage_rate",
        "certificate_breakage_rate",
        "burn_earn_ratio",
        "members_end",
        "points_outstanding_end",
        "new_customers_program",
        "privilege_cost",
        "prize_cost",
        "prizes_won",
        "prize_entries",
    ];

    /// The metric called `name`, if there is one.
    pub fn value(&self, name: &str) -> Option<f64> {
        Some(match name {
            "npv" => self.npv,
            "roi" => self.roi,
            "incremental_revenue" => self.incremental_revenue,
            "incremental_gross_margin" => self.incremental_gross_margin,
            "reward_cost" => self.reward_cost,
            "discount_cost" => self.discount_cost,
            "points_reward_cost" => self.points_reward_cost,
            "certificate_cost" => self.certificate_cost,
            "supplier_funding" => self.supplier_funding,
            "partner_revenue" => self.partner_revenue,
            "program_cost" => self.program_cost,
            "investment" => self.investment,
            "break_even_incremental_revenue" => self.break_even_incremental_revenue,
            "cumulative_cash_flow_end" => self.cumulative_cash_flow_end,
            "liability_end" => self.liability_end,
            "ifrs15_contract_liability_end" => self.ifrs15_contract_liability_end,
            "breakage_rate" => self.breakage_rate,
            "certificate_breakage_rate" => self.certificate_breakage_rate,
            "burn_earn_ratio" => self.burn_earn_ratio,
            "members_end" => self.members_end as f64,
            "points_outstanding_end" => self.points_outstanding_end as f64,
            "new_customers_program" => self.new_customers_program as f64,
            "privilege_cost" => self.privilege_cost,
            "prize_cost" => self.prize_cost,
            "prizes_won" => self.prizes_won as f64,
            "prize_entries" => self.prize_entries as f64,
            _ => return None,
        })
    }
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
    /// New customers arriving, with the program.
    NewCustomers,
    /// New customers arriving, without the program.
    NewCustomersBaseline,
    /// Sales with the program.
    RevenueProgram,
    /// Sales without the program.
    RevenueBaseline,
    /// Difference of the two.
    IncrementalRevenue,
    /// Gross margin on the difference.
    IncrementalMargin,
    /// Every reward handed out.
    RewardCost,
    /// Discounts given at the till.
    DiscountCost,
    /// Certificates used (face value).
    CertificateCost,
    /// Payments from partners for points.
    PartnerRevenue,
    /// Running costs.
    RunningCosts,
    /// Incremental margin − reward cost − running costs − exit cost + partner payments.
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
    /// Value of certificates issued.
    CertificatesIssued,
    /// Value of certificates used.
    CertificatesRedeemed,
    /// Value of certificates held at the month end.
    CertificatesOutstanding,
    /// Value issued: points earned at cost per point plus certificates' face value.
    RewardsIssued,
    /// Value redeemed: points redeemed at cost per point plus certificates used.
    RewardsRedeemed,
    /// Rewards redeemed ÷ rewards issued in the month (0 when nothing was issued).
    BurnEarnRatio,
    /// What the program owes at the month end (points and certificates).
    Liability,
    /// IFRS 15 contract liability at the month end.
    Ifrs15ContractLiability,
    /// Strength of the competitor promotion running (0 = none).
    CompetitorPromotion,
}

impl Series {
    /// Every series, in column order.
    pub const ALL: [Series; 31] = [
        Series::Members,
        Series::ActiveCustomers,
        Series::ActiveCustomersBaseline,
        Series::NewCustomers,
        Series::NewCustomersBaseline,
        Series::RevenueProgram,
        Series::RevenueBaseline,
        Series::IncrementalRevenue,
        Series::IncrementalMargin,
        Series::RewardCost,
        Series::DiscountCost,
        Series::CertificateCost,
        Series::PartnerRevenue,
        Series::RunningCosts,
        Series::NetCashFlow,
        Series::CumulativeCashFlow,
        Series::BreakEvenIncrementalRevenue,
        Series::PointsEarned,
        Series::PointsRedeemed,
        Series::PointsExpired,
        Series::PointsForfeited,
        Series::PointsOutstanding,
        Series::CertificatesIssued,
        Series::CertificatesRedeemed,
        Series::CertificatesOutstanding,
        Series::RewardsIssued,
        Series::RewardsRedeemed,
        Series::BurnEarnRatio,
        Series::Liability,
        Series::Ifrs15ContractLiability,
        Series::CompetitorPromotion,
    ];

    /// Column stem in `monthly.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Series::Members => "members",
            Series::ActiveCustomers => "active_customers",
            Series::ActiveCustomersBaseline => "active_customers_baseline",
            Series::NewCustomers => "new_customers",
            Series::NewCustomersBaseline => "new_customers_baseline",
            Series::RevenueProgram => "revenue_program",
            Series::RevenueBaseline => "revenue_baseline",
            Series::IncrementalRevenue => "incremental_revenue",
            Series::IncrementalMargin => "incremental_margin",
            Series::RewardCost => "reward_cost",
            Series::DiscountCost => "discount_cost",
            Series::CertificateCost => "certificate_cost",
            Series::PartnerRevenue => "partner_revenue",
            Series::RunningCosts => "running_costs",
            Series::NetCashFlow => "net_cash_flow",
            Series::CumulativeCashFlow => "cumulative_cash_flow",
            Series::BreakEvenIncrementalRevenue => "break_even_incremental_revenue",
            Series::PointsEarned => "points_earned",
            Series::PointsRedeemed => "points_redeemed",
            Series::PointsExpired => "points_expired",
            Series::PointsForfeited => "points_forfeited",
            Series::PointsOutstanding => "points_outstanding",
            Series::CertificatesIssued => "certificates_issued",
            Series::CertificatesRedeemed => "certificates_redeemed",
            Series::CertificatesOutstanding => "certificates_outstanding",
            Series::RewardsIssued => "rewards_issued",
            Series::RewardsRedeemed => "rewards_redeemed",
            Series::BurnEarnRatio => "burn_earn_ratio",
            Series::Liability => "liability",
            Series::Ifrs15ContractLiability => "ifrs15_contract_liability",
            Series::CompetitorPromotion => "competitor_promotion",
        }
    }
}

/// One trial's month: a value per [`Series`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct MonthRecord(pub [f64; Series::ALL.len()]);

impl std::ops::Index<Series> for MonthRecord {
    type Output = f64;
    fn index(&self, s: Series) -> &f64 {
        // The variants have no explicit discriminants and all are in `Series::ALL`, so
        // `s as usize` < ALL.len(), the array's length.
        &self.0[s as usize]
    }
}

impl std::ops::IndexMut<Series> for MonthRecord {
    fn index_mut(&mut self, s: Series) -> &mut f64 {
        // In range: see `index`.
        &mut self.0[s as usize]
    }
}

/// A monthly quantity per loyalty type, reported in `monthly_by_type.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeSeries {
    /// Customers (not lapsed) with the program.
    Customers,
    /// Customers without the program.
    CustomersBaseline,
    /// Members.
    Members,
    /// Customers who bought, with the program.
    Active,
    /// Purchases with the program.
    Purchases,
    /// Purchases without the program.
    PurchasesBaseline,
    /// Sales with the program.
    Revenue,
    /// Sales without the program.
    RevenueBaseline,
}

impl TypeSeries {
    /// Every per-type series, in column order.
    pub const ALL: [TypeSeries; 8] = [
        TypeSeries::Customers,
        TypeSeries::CustomersBaseline,
        TypeSeries::Members,
        TypeSeries::Active,
        TypeSeries::Purchases,
        TypeSeries::PurchasesBaseline,
        TypeSeries::Revenue,
        TypeSeries::RevenueBaseline,
    ];

    /// Column stem in `monthly_by_type.csv`.
    pub fn name(self) -> &'static str {
        match self {
            TypeSeries::Customers => "customers",
            TypeSeries::CustomersBaseline => "customers_baseline",
            TypeSeries::Members => "members",
            TypeSeries::Active => "active_customers",
            TypeSeries::Purchases => "purchases",
            TypeSeries::PurchasesBaseline => "purchases_baseline",
            TypeSeries::Revenue => "revenue",
            TypeSeries::RevenueBaseline => "revenue_baseline",
        }
    }

    /// `ty` < 4: a loyalty-type index (the caller's `from_fn` over the four types).
    fn of(self, m: &MonthTotals, ty: usize) -> f64 {
        match self {
            TypeSeries::Customers => m.customers_program[ty] as f64,
            TypeSeries::CustomersBaseline => m.customers_baseline[ty] as f64,
            TypeSeries::Members => m.members[ty] as f64,
            TypeSeries::Active => m.active_program[ty] as f64,
            TypeSeries::Purchases => m.transactions_program[ty] as f64,
            TypeSeries::PurchasesBaseline => m.transactions_baseline[ty] as f64,
            TypeSeries::Revenue => m.revenue_program[ty],
            TypeSeries::RevenueBaseline => m.revenue_baseline[ty],
        }
    }
}

/// One trial's month for one loyalty type: a value per [`TypeSeries`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct TypeRecord(pub [f64; TypeSeries::ALL.len()]);

impl std::ops::Index<TypeSeries> for TypeRecord {
    type Output = f64;
    fn index(&self, s: TypeSeries) -> &f64 {
        // Every variant is in `TypeSeries::ALL`, without explicit discriminants: in range.
        &self.0[s as usize]
    }
}

/// One trial's figures over the horizon for one RFM group ([`crate::model::rfm`]), each
/// customer in the group they were read into when they arrived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct GroupRecord {
    /// Member-months: members at the end of each month, summed over the horizon.
    pub member_months: f64,
    /// Sales with the program, in currency.
    pub revenue: f64,
    /// Sales without the program, in currency.
    pub revenue_baseline: f64,
    /// Sales with the program less without, in currency.
    pub incremental_revenue: f64,
    /// Gross margin on the incremental sales, in currency.
    pub incremental_margin: f64,
    /// Rewards given to the group's members at cost (discounts, points rewards redeemed,
    /// certificates used, privileges, prizes; before supplier funding and cash settlement),
    /// in currency.
    pub reward_cost: f64,
    /// Incremental margin less reward cost: what the group adds before running costs, in
    /// currency.
    pub net: f64,
}

impl GroupRecord {
    /// Column stems, in the order of [`GroupRecord::values`].
    pub const COLUMNS: [&'static str; 7] = [
        "member_months",
        "revenue",
        "revenue_baseline",
        "incremental_revenue",
        "incremental_margin",
        "reward_cost",
        "net",
    ];

    /// The values, in the order of [`GroupRecord::COLUMNS`].
    pub fn values(&self) -> [f64; 7] {
        [
            self.member_months,
            self.revenue,
            self.revenue_baseline,
            self.incremental_revenue,
            self.incremental_margin,
            self.reward_cost,
            self.net,
        ]
    }

    /// The four groups' records over `months` at gross `margin`.
    fn of(months: &[MonthTotals], margin: f64) -> [GroupRecord; 4] {
        std::array::from_fn(|g| {
            let mut r = GroupRecord::default();
            for m in months {
                let b = &m.by_group;
                r.member_months += b.members[g] as f64;
                r.revenue += b.revenue_program[g];
                r.revenue_baseline += b.revenue_baseline[g];
                r.reward_cost += b.reward_cost[g];
            }
            r.incremental_revenue = r.revenue - r.revenue_baseline;
            r.incremental_margin = margin * r.incremental_revenue;
            r.net = r.incremental_margin - r.reward_cost;
            r
        })
    }
}

/// One year of the contract liability's roll-forward (IFRS 15 disclosure, points and
/// certificates together): opening + deferred − recognised on redemption − recognised on
/// breakage = closing. The last year may be part of one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct YearRollForward {
    /// Year of the horizon, 1-based (months 12 × (year − 1) + 1 to 12 × year).
    pub year: u32,
    /// What members paid in the year for the purchases that earned points, less the part
    /// allocated to the points: the revenue recognised on those goods.
    pub points_sales_to_goods: f64,
    /// Contract liability at the start of the year.
    pub opening: f64,
    /// Transaction price allocated to the points and certificates issued in the year
    /// (including what partners paid for their points).
    pub deferred: f64,
    /// Revenue recognised for points redeemed and certificates used, each at its cohort's
    /// deferred revenue per unit issued.
    pub recognised_on_redemption: f64,
    /// Revenue recognised for expected and actual breakage, with the cumulative catch-up of
    /// revised estimates (negative when more redemptions came to be expected).
    pub recognised_on_breakage: f64,
    /// Contract liability at the end of the year.
    pub closing: f64,
}

/// A trial's business case: headline results and its months.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TrialResult {
    /// Headline results and ledgers.
    pub metrics: TrialMetrics,
    /// One record per month.
    pub months: Vec<MonthRecord>,
    /// One record per month and loyalty type
    /// ([`crate::model::population::LoyaltyType::ALL`] order). Written with the four types
    /// alone when committed loyalty is zero throughout, so a part of a scenario without it
    /// reads and seals as it did before the type existed (see [`types_serde`]).
    #[serde(with = "types_serde")]
    pub types: Vec<[TypeRecord; crate::model::population::TYPES]>,
    /// The values drawn for the scenario's uncertain inputs, in the scenario's order.
    pub inputs: Vec<f64>,
    /// The contract liability's roll-forward, one row per year of the horizon.
    #[serde(default)]
    pub rollforward: Vec<YearRollForward>,
    /// Figures by RFM group over the horizon ([`crate::model::rfm::Group::ALL`] order).
    #[serde(default)]
    pub groups: [GroupRecord; 4],
}

/// (De)serialisation of [`TrialResult::types`]: the four types every scenario has, plus
/// committed loyalty only when it is not zero in every month; four or five read back, the
/// fifth zero when absent.
mod types_serde {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{TypeRecord, TypeSeries};
    use crate::model::population::{COMMITTED, TYPES};

    /// The four types every scenario has.
    const FOUR: usize = 4;

    /// Writes the four types, or all five when committed loyalty has any value.
    pub(super) fn serialize<S: Serializer>(
        types: &[[TypeRecord; TYPES]],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let committed = types
            .iter()
            .any(|m| m[COMMITTED].0.iter().any(|&x| x != 0.0));
        if committed {
            types.serialize(s)
        } else {
            let four: Vec<&[TypeRecord]> = types.iter().map(|m| &m[..FOUR]).collect();
            four.serialize(s)
        }
    }

    /// Reads four or five types a month.
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<[TypeRecord; TYPES]>, D::Error> {
        let months: Vec<Vec<TypeRecord>> = Vec::deserialize(d)?;
        months
            .into_iter()
            .map(|month| {
                if month.len() != FOUR && month.len() != TYPES {
                    return Err(D::Error::invalid_length(
                        month.len(),
                        &"4 or 5 loyalty types a month",
                    ));
                }
                let mut out = [TypeRecord([0.0; TypeSeries::ALL.len()]); TYPES];
                for (slot, record) in out.iter_mut().zip(month) {
                    *slot = record;
                }
                Ok(out)
            })
            .collect()
    }
}

/// Sums a count over the months without wrapping.
fn total(months: &[MonthTotals], f: fn(&MonthTotals) -> u64) -> u128 {
    months.iter().map(|m| u128::from(f(m))).sum()
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
    let points = program.points.as_ref();

    let earned = total(totals, |m| m.points_earned);
    let redeemed = total(totals, |m| m.points_redeemed);
    let settled = total(totals, |m| m.points_settled);
    let months_count = totals.len() as u32;
    let breakage = points.map_or(0.0, |p| {
        p.breakage_at(months_count).unwrap_or_else(|| {
            breakage_estimate(
                earned,
                redeemed + settled + u128::from(runoff.points_redeemed),
            )
        })
    });
    let issued = total(totals, |m| m.certificates_issued);
    let certificates_honoured = total(totals, |m| m.certificates_redeemed)
        + total(totals, |m| m.certificates_settled)
        + u128::from(runoff.certificates_redeemed);
    let certificate_breakage = program.cumulative_discount.as_ref().map_or(0.0, |c| {
        c.breakage
            .unwrap_or_else(|| breakage_estimate(issued, certificates_honoured))
    });
    // A point costs what the points redeemed in the run cost (and is worth what they were
    // worth to members), unless the scenario states it.
    let redeemed_at = |f: fn(&MonthTotals) -> f64, stated: f64, is_stated: bool| {
        let spent: f64 = totals.iter().map(|m| m.points_redeemed as f64).sum();
        if is_stated || spent == 0.0 {
            stated
        } else {
            totals.iter().map(f).sum::<f64>() / spent
        }
    };
    let point_cost = points.map_or(0.0, |p| {
        redeemed_at(|m| m.reward_cost, p.point_cost, p.point_cost_stated)
    });
    let point_value = points.map_or(0.0, |p| {
        let single = p.rewards.len() == 1;
        redeemed_at(
            |m| m.reward_value,
            p.point_value,
            p.point_value_stated || single,
        )
    });
    let supplier_share = points.map_or(0.0, |p| p.supplier_funded_share);
    let partners = points.and_then(|p| p.partner);
    let partner_price = partners.map_or(0.0, |p| p.price_per_point);
    let cost_share = partners.map_or(0.0, |p| p.running_cost_share);
    // A point outstanding will be redeemed in the catalogue or at a partner.
    let liability_point_cost = partners.map_or(point_cost, |p| p.blended_point_cost(point_cost));

    let mut months = Vec::with_capacity(totals.len());
    let mut types = Vec::with_capacity(totals.len());
    let mut cash_flows = Vec::with_capacity(totals.len());
    let mut cumulative = -investment;
    // Certificates by cohort likewise: the period sales that earned them against their face
    // value (in cents, at 0.01 each).
    let certificate_months = program
        .cumulative_discount
        .as_ref()
        .map_or_else(Vec::new, |c| {
            let sales: Vec<CohortSales> = totals
                .iter()
                .map(|m| CohortSales {
                    member_paid: m.certificate_sales,
                    purchase_points: m.certificates_issued,
                    point_value: 0.01,
                    partner_payment: 0.0,
                })
                .collect();
            let stated = c.breakage.map(|b| vec![b; totals.len()]);
            points_accounts(
                &trial_totals.certificates_cohorts,
                &sales,
                stated.as_deref(),
            )
        });
    let mut rollforward: Vec<YearRollForward> = Vec::new();
    // IFRS 15 and the points liability by cohort: the consideration of each month's points
    // is what members paid (list price less the discounts given) for the purchases that
    // earned them, and what partners paid for theirs.
    let points_months = points.map_or_else(Vec::new, |p| {
        let sales: Vec<CohortSales> = totals
            .iter()
            .map(|m| CohortSales {
                member_paid: (m.member_revenue - m.discount_given).max(0.0),
                purchase_points: m.points_earned - m.points_earned_partner - m.points_earned_bonus,
                point_value,
                partner_payment: m.points_earned_partner as f64 * partner_price,
            })
            .collect();
        let stated: Option<Vec<f64>> = p.breakage.map(|_| {
            (1..=months_count)
                .filter_map(|t| p.breakage_at(t))
                .collect()
        });
        points_accounts(&trial_totals.points_cohorts, &sales, stated.as_deref())
    });
    let (mut incr_revenue, mut incr_margin, mut rewards, mut running_total) = (0.0, 0.0, 0.0, 0.0);
    let (
        mut discounts,
        mut points_rewards,
        mut certificates,
        mut supplier,
        mut partner,
        mut exit_costs,
    ) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut privileges = 0.0;
    let (mut settlements, mut partner_costs) = (0.0, 0.0);
    for (i, m) in totals.iter().enumerate() {
        let month_no = i as u32 + 1;
        let mut r = MonthRecord([0.0; Series::ALL.len()]);
        let revenue_program = m.revenue_program_total();
        let revenue_baseline = m.revenue_baseline_total();
        let incremental_revenue = revenue_program - revenue_baseline;
        let incremental_margin = margin * incremental_revenue;
        // The catalogue's cost of the points redeemed in the program's own shops, and what the
        // partners are paid for the rest.
        let (in_house, settlement) = match partners {
            Some(p) if p.redeemed_share > 0.0 => (
                m.reward_cost * (1.0 - p.redeemed_share),
                p.settlement(m.points_redeemed as f64),
            ),
            _ => (m.reward_cost, 0.0),
        };
        let points_reward = in_house + settlement + m.points_settled as f64 * point_cost;
        let supplier_funding = in_house * supplier_share;
        let certificate_cost = (m.certificates_redeemed + m.certificates_settled) as f64 / 100.0;
        let reward_cost = m.discount_given + points_reward - supplier_funding
            + certificate_cost
            + m.privilege_cost
            + m.prize_cost;
        let partner_revenue = m.points_earned_partner as f64 * partner_price;
        let fixed = if program.phase(month_no) == Phase::Closed {
            0.0
        } else {
            running.per_month
        };
        let running_cost = fixed
            + running.per_member * m.members_total() as f64
            + running.per_transaction * m.member_transactions as f64;
        // The partners' share of the running costs is theirs, not the program's.
        let (running_cost, partner_cost) = if cost_share > 0.0 {
            (running_cost * (1.0 - cost_share), running_cost * cost_share)
        } else {
            (running_cost, 0.0)
        };
        let exit_cost = program
            .exit
            .filter(|e| e.month == month_no)
            .map_or(0.0, |e| e.cost + partners.map_or(0.0, |p| p.wind_down_cost));
        let net = incremental_margin - reward_cost - running_cost - exit_cost + partner_revenue;
        cumulative += net;
        cash_flows.push(net);
        incr_revenue += incremental_revenue;
        incr_margin += incremental_margin;
        rewards += reward_cost;
        discounts += m.discount_given;
        points_rewards += points_reward;
        certificates += certificate_cost;
        supplier += supplier_funding;
        partner += partner_revenue;
        running_total += running_cost;
        exit_costs += exit_cost;
        privileges += m.privilege_cost;
        settlements += settlement;
        partner_costs += partner_cost;

        let points_month = points_months.get(i).copied().unwrap_or_default();
        let certificate_value = m.certificates_issued as f64 / 100.0;
        let certificates_month = certificate_months.get(i).copied().unwrap_or_default();
        let year = i as u32 / 12 + 1;
        if rollforward.last().is_none_or(|y| y.year != year) {
            let opening = rollforward.last().map_or(0.0, |y| y.closing);
            rollforward.push(YearRollForward {
                year,
                opening,
                closing: opening,
                ..YearRollForward::default()
            });
        }
        if let Some(y) = rollforward.last_mut() {
            let deferred = points_month.deferred + certificates_month.deferred;
            let on_redemption =
                points_month.recognised_on_redemption + certificates_month.recognised_on_redemption;
            let on_breakage =
                points_month.recognised_on_breakage + certificates_month.recognised_on_breakage;
            if points.is_some() {
                y.points_sales_to_goods += (m.member_revenue - m.discount_given).max(0.0)
                    - (points_month.deferred - partner_revenue);
            }
            y.deferred += deferred;
            y.recognised_on_redemption += on_redemption;
            y.recognised_on_breakage += on_breakage;
            y.closing = points_month.contract_liability + certificates_month.contract_liability;
        }
        let liability = points_month.points_expected_to_redeem * liability_point_cost
            + certificates_month.points_expected_to_redeem / 100.0;

        r[Series::Members] = m.members_total() as f64;
        r[Series::ActiveCustomers] = m.active_program_total() as f64;
        r[Series::ActiveCustomersBaseline] = m.active_baseline_total() as f64;
        r[Series::NewCustomers] = m.new_customers_program as f64;
        r[Series::NewCustomersBaseline] = m.new_customers_baseline as f64;
        r[Series::RevenueProgram] = revenue_program;
        r[Series::RevenueBaseline] = revenue_baseline;
        r[Series::IncrementalRevenue] = incremental_revenue;
        r[Series::IncrementalMargin] = incremental_margin;
        r[Series::RewardCost] = reward_cost;
        r[Series::DiscountCost] = m.discount_given;
        r[Series::CertificateCost] = certificate_cost;
        r[Series::PartnerRevenue] = partner_revenue;
        r[Series::RunningCosts] = running_cost;
        r[Series::NetCashFlow] = net;
        r[Series::CumulativeCashFlow] = cumulative;
        r[Series::BreakEvenIncrementalRevenue] = break_even_revenue(
            reward_cost + running_cost + exit_cost - partner_revenue,
            margin,
        );
        r[Series::PointsEarned] = m.points_earned as f64;
        r[Series::PointsRedeemed] = m.points_redeemed as f64;
        r[Series::PointsExpired] = m.points_expired as f64;
        r[Series::PointsForfeited] = m.points_forfeited as f64;
        r[Series::PointsOutstanding] = m.points_outstanding as f64;
        r[Series::CertificatesIssued] = certificate_value;
        r[Series::CertificatesRedeemed] = m.certificates_redeemed as f64 / 100.0;
        r[Series::CertificatesOutstanding] = m.certificates_outstanding as f64 / 100.0;
        let issued_value = m.points_earned as f64 * liability_point_cost + certificate_value;
        let redeemed_value = m.points_redeemed as f64 * liability_point_cost
            + m.certificates_redeemed as f64 / 100.0;
        r[Series::RewardsIssued] = issued_value;
        r[Series::RewardsRedeemed] = redeemed_value;
        r[Series::BurnEarnRatio] = if issued_value > 0.0 {
            redeemed_value / issued_value
        } else {
            0.0
        };
        r[Series::Liability] = liability;
        r[Series::Ifrs15ContractLiability] =
            points_month.contract_liability + certificates_month.contract_liability;
        r[Series::CompetitorPromotion] = trial_totals.timeline.promotion_in(month_no);
        months.push(r);
        types.push(std::array::from_fn(|ty| {
            TypeRecord(std::array::from_fn(|s| TypeSeries::ALL[s].of(m, ty)))
        }));
    }

    let horizon = totals.len().max(1) as f64;
    let last = totals.last().copied().unwrap_or_default();
    let program_cost = investment + running_total + exit_costs;
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
        discount_cost: discounts,
        points_reward_cost: points_rewards,
        certificate_cost: certificates,
        supplier_funding: supplier,
        partner_revenue: partner,
        program_cost,
        break_even_incremental_revenue: break_even_revenue(
            program_cost + rewards - partner,
            margin,
        ) / horizon,
        cumulative_cash_flow_end: cumulative,
        liability_end: months.last().map_or(0.0, |r| r[Series::Liability]),
        ifrs15_contract_liability_end: months
            .last()
            .map_or(0.0, |r| r[Series::Ifrs15ContractLiability]),
        breakage_rate: breakage,
        certificate_breakage_rate: certificate_breakage,
        burn_earn_ratio: if earned > 0 {
            redeemed as f64 / earned as f64
        } else {
            0.0
        },
        members_end: last.members_total(),
        new_customers_program: totals.iter().map(|m| m.new_customers_program).sum(),
        new_customers_baseline: totals.iter().map(|m| m.new_customers_baseline).sum(),
        points_earned: earned,
        points_redeemed: redeemed,
        points_expired: total(totals, |m| m.points_expired),
        points_forfeited: total(totals, |m| m.points_forfeited),
        points_settled: settled,
        points_outstanding_end: last.points_outstanding,
        points_redeemed_after_horizon: runoff.points_redeemed,
        points_unsettled_after_runoff: runoff.points_unsettled,
        certificates_issued_cents: issued,
        certificates_redeemed_cents: total(totals, |m| m.certificates_redeemed),
        certificates_expired_cents: total(totals, |m| m.certificates_expired),
        certificates_forfeited_cents: total(totals, |m| m.certificates_forfeited),
        certificates_settled_cents: total(totals, |m| m.certificates_settled),
        certificates_outstanding_end_cents: last.certificates_outstanding,
        privilege_cost: privileges,
        members_attached_by_privileges: totals.iter().map(|m| m.privilege_attached).sum(),
        prize_cost: totals.iter().map(|m| m.prize_cost).sum(),
        prizes_won: totals.iter().map(|m| m.prizes_won).sum(),
        prize_entries: totals.iter().map(|m| m.prize_entries).sum(),
        partner_settlement: settlements,
        partner_cost_share: partner_costs,
    };
    TrialResult {
        metrics,
        months,
        types,
        inputs: Vec::new(),
        rollforward,
        groups: GroupRecord::of(totals, margin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every metric has a way that is better, or none where it depends on the purpose: a
    /// sweep or optimise by those asks for --goal rather than guess.
    #[test]
    fn rates_and_prize_counts_have_no_goal_of_their_own() {
        for name in TrialMetrics::NAMES {
            let none = matches!(
                name,
                "breakage_rate"
                    | "certificate_breakage_rate"
                    | "burn_earn_ratio"
                    | "prizes_won"
                    | "prize_entries"
            );
            assert_eq!(TrialMetrics::goal(name).is_none(), none, "{name}");
        }
        assert_eq!(TrialMetrics::goal("npv"), Some(Goal::Maximize));
        assert_eq!(TrialMetrics::goal("prize_cost"), Some(Goal::Minimize));
    }

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
