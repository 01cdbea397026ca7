//! What the kernel counts: totals per month (by loyalty type where the business case or the
//! charts need it), the run-off after the horizon, and how block totals add up. Counts,
//! points and certificate cents are exact integers added with overflow checks; money is
//! summed in customer order.

use super::ledger::CohortLedger;
use crate::model::population::TYPES;

/// Adds `x` to `total`, or records an overflow and leaves `total` as it was.
pub(crate) fn add(total: &mut u64, x: u64, overflow: &mut bool) {
    match total.checked_add(x) {
        Some(v) => *total = v,
        None => *overflow = true,
    }
}

fn add4<const N: usize>(total: &mut [u64; N], x: &[u64; N]) {
    for (t, v) in total.iter_mut().zip(x) {
        *t += v;
    }
}

fn add4f<const N: usize>(total: &mut [f64; N], x: &[f64; N]) {
    for (t, v) in total.iter_mut().zip(x) {
        *t += v;
    }
}

/// Totals over a block (or a whole trial) for one month. Arrays are indexed by loyalty type
/// ([`crate::model::population::LoyaltyType::ALL`] order): the customer's type in that world
/// that month.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MonthTotals {
    /// Customers who have not lapsed, with the program.
    pub customers_program: [u64; TYPES],
    /// Customers who have not lapsed, without the program.
    pub customers_baseline: [u64; TYPES],
    /// Customers who bought at least once this month, with the program.
    pub active_program: [u64; TYPES],
    /// Customers who bought at least once this month, without the program.
    pub active_baseline: [u64; TYPES],
    /// Members at the end of the month (while the program runs or is in its grace months).
    pub members: [u64; TYPES],
    /// Purchases with the program.
    pub transactions_program: [u64; TYPES],
    /// Purchases without the program.
    pub transactions_baseline: [u64; TYPES],
    /// Sales with the program, in currency.
    pub revenue_program: [f64; TYPES],
    /// Sales without the program, in currency.
    pub revenue_baseline: [f64; TYPES],
    /// Purchases by members while the program runs.
    pub member_transactions: u64,
    /// Sales to members while the program runs (the sales that earn points), in currency.
    pub member_revenue: f64,
    /// New customers who arrived this month, with the program.
    pub new_customers_program: u64,
    /// New customers who arrived this month, without the program.
    pub new_customers_baseline: u64,
    /// Customers who had a bad experience this month, with the program.
    pub dissatisfied_program: u64,
    /// Customers who had a bad experience this month, without the program.
    pub dissatisfied_baseline: u64,
    /// Expected arrivals next month from word of mouth, net of prospects deterred, with the
    /// program.
    pub word_of_mouth_program: f64,
    /// The same without the program.
    pub word_of_mouth_baseline: f64,
    /// Referrals made by members this month (each a new customer next month).
    pub referrals: u64,
    /// Discounts given at the till (instant and tier discounts), in currency.
    pub discount_given: f64,
    /// Cost to the company of the points rewards handed out, in currency.
    pub reward_cost: f64,
    /// Value to members of the points rewards handed out, in currency.
    pub reward_value: f64,
    /// Points credited, from every source.
    pub points_earned: u64,
    /// Of them, earned at partners (paid for by the partners).
    pub points_earned_partner: u64,
    /// Of them, earned for engagement and referrals.
    pub points_earned_bonus: u64,
    /// Points spent on rewards.
    pub points_redeemed: u64,
    /// Points that expired (including at the close of an ended program).
    pub points_expired: u64,
    /// Points lost by members who lapsed.
    pub points_forfeited: u64,
    /// Points paid out in cash when the program ended.
    pub points_settled: u64,
    /// Points held by members at the end of the month.
    pub points_outstanding: u64,
    /// Rewards handed out.
    pub rewards_redeemed: u64,
    /// Certificates issued, value in cents.
    pub certificates_issued: u64,
    /// Certificates used, value in cents.
    pub certificates_redeemed: u64,
    /// Certificates that expired unused, value in cents.
    pub certificates_expired: u64,
    /// Certificates lost by members who lapsed, value in cents.
    pub certificates_forfeited: u64,
    /// Certificates paid out in cash when the program ended, value in cents.
    pub certificates_settled: u64,
    /// Certificates held at the end of the month, value in cents.
    pub certificates_outstanding: u64,
    /// Number of certificates issued.
    pub certificates_issued_count: u64,
    /// Period sales that earned the certificates issued this month, in currency.
    pub certificate_sales: f64,
    /// Set when a count would have exceeded 2⁶⁴ − 1: the month's points are not exact.
    pub points_overflow: bool,
    /// Cost of the non-material privileges members held this month (per member and per use),
    /// in currency.
    pub privilege_cost: f64,
    /// Uses of privileges this month.
    pub privilege_uses: u64,
    /// Members whom privileges moved up in attitude this month (false → true, none → latent).
    pub privilege_attached: u64,
    /// Prizes won by members this month (on purchases and on entries bought with points).
    pub prizes_won: u64,
    /// Prize entries bought with points this month.
    pub prize_entries: u64,
    /// Cost of the prizes won this month, in currency.
    pub prize_cost: f64,
    /// By RFM group ([`crate::model::rfm::Group::ALL`] order, each customer's group for
    /// life): what is counted per group.
    pub by_group: GroupTotals,
}

/// A month's totals by RFM group, each array in [`crate::model::rfm::Group::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GroupTotals {
    /// Members at the end of the month (while the program runs or is in its grace months).
    pub members: [u64; 4],
    /// Sales with the program, in currency.
    pub revenue_program: [f64; 4],
    /// Sales without the program, in currency.
    pub revenue_baseline: [f64; 4],
    /// Rewards given to the group's members at cost, in currency: discounts, points rewards
    /// redeemed, certificates used, privileges and prizes (before supplier funding and cash
    /// settlement at the program's end).
    pub reward_cost: [f64; 4],
}

impl MonthTotals {
    /// The month's reward cost so far as [`GroupTotals::reward_cost`] counts it; the kernel
    /// reads it before and after a member's month to charge the member's group.
    pub(crate) fn rewards_at_cost(&self) -> f64 {
        self.discount_given
            + self.reward_cost
            + self.certificates_redeemed as f64 / 100.0
            + self.privilege_cost
            + self.prize_cost
    }
}

impl MonthTotals {
    /// Customers with the program, all types.
    pub fn customers_program_total(&self) -> u64 {
        self.customers_program.iter().sum()
    }
    /// Customers without the program, all types.
    pub fn customers_baseline_total(&self) -> u64 {
        self.customers_baseline.iter().sum()
    }
    /// Active customers with the program, all types.
    pub fn active_program_total(&self) -> u64 {
        self.active_program.iter().sum()
    }
    /// Active customers without the program, all types.
    pub fn active_baseline_total(&self) -> u64 {
        self.active_baseline.iter().sum()
    }
    /// Members, all types.
    pub fn members_total(&self) -> u64 {
        self.members.iter().sum()
    }
    /// Purchases with the program, all types.
    pub fn transactions_program_total(&self) -> u64 {
        self.transactions_program.iter().sum()
    }
    /// Purchases without the program, all types.
    pub fn transactions_baseline_total(&self) -> u64 {
        self.transactions_baseline.iter().sum()
    }
    /// Sales with the program, all types, summed in type order.
    pub fn revenue_program_total(&self) -> f64 {
        self.revenue_program.iter().sum()
    }
    /// Sales without the program, all types, summed in type order.
    pub fn revenue_baseline_total(&self) -> f64 {
        self.revenue_baseline.iter().sum()
    }
}

impl std::ops::AddAssign<&MonthTotals> for MonthTotals {
    fn add_assign(&mut self, o: &MonthTotals) {
        add4(&mut self.customers_program, &o.customers_program);
        add4(&mut self.customers_baseline, &o.customers_baseline);
        add4(&mut self.active_program, &o.active_program);
        add4(&mut self.active_baseline, &o.active_baseline);
        add4(&mut self.members, &o.members);
        add4(&mut self.transactions_program, &o.transactions_program);
        add4(&mut self.transactions_baseline, &o.transactions_baseline);
        add4f(&mut self.revenue_program, &o.revenue_program);
        add4f(&mut self.revenue_baseline, &o.revenue_baseline);
        self.member_transactions += o.member_transactions;
        self.member_revenue += o.member_revenue;
        self.new_customers_program += o.new_customers_program;
        self.new_customers_baseline += o.new_customers_baseline;
        self.dissatisfied_program += o.dissatisfied_program;
        self.dissatisfied_baseline += o.dissatisfied_baseline;
        self.word_of_mouth_program += o.word_of_mouth_program;
        self.word_of_mouth_baseline += o.word_of_mouth_baseline;
        self.referrals += o.referrals;
        self.discount_given += o.discount_given;
        self.reward_cost += o.reward_cost;
        self.reward_value += o.reward_value;
        self.certificate_sales += o.certificate_sales;
        self.privilege_cost += o.privilege_cost;
        self.privilege_uses += o.privilege_uses;
        self.privilege_attached += o.privilege_attached;
        self.prizes_won += o.prizes_won;
        self.prize_entries += o.prize_entries;
        self.prize_cost += o.prize_cost;
        add4(&mut self.by_group.members, &o.by_group.members);
        add4f(
            &mut self.by_group.revenue_program,
            &o.by_group.revenue_program,
        );
        add4f(
            &mut self.by_group.revenue_baseline,
            &o.by_group.revenue_baseline,
        );
        add4f(&mut self.by_group.reward_cost, &o.by_group.reward_cost);
        let mut overflow = self.points_overflow || o.points_overflow;
        for (t, x) in [
            (&mut self.points_earned, o.points_earned),
            (&mut self.points_earned_partner, o.points_earned_partner),
            (&mut self.points_earned_bonus, o.points_earned_bonus),
            (&mut self.points_redeemed, o.points_redeemed),
            (&mut self.points_expired, o.points_expired),
            (&mut self.points_forfeited, o.points_forfeited),
            (&mut self.points_settled, o.points_settled),
            (&mut self.points_outstanding, o.points_outstanding),
            (&mut self.rewards_redeemed, o.rewards_redeemed),
            (&mut self.certificates_issued, o.certificates_issued),
            (&mut self.certificates_redeemed, o.certificates_redeemed),
            (&mut self.certificates_expired, o.certificates_expired),
            (&mut self.certificates_forfeited, o.certificates_forfeited),
            (&mut self.certificates_settled, o.certificates_settled),
            (
                &mut self.certificates_outstanding,
                o.certificates_outstanding,
            ),
            (
                &mut self.certificates_issued_count,
                o.certificates_issued_count,
            ),
        ] {
            add(t, x, &mut overflow);
        }
        self.points_overflow = overflow;
    }
}

/// The fate, after the horizon, of the points and certificates members held at the horizon.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunoffTotals {
    /// Points held at the horizon and later redeemed.
    pub points_redeemed: u64,
    /// Points held at the horizon that later expired, were forfeited, or were still held at
    /// the end of the run-off.
    pub points_broken: u64,
    /// Of `points_broken`, those still held at the end of the run-off.
    pub points_unsettled: u64,
    /// Certificate cents held at the horizon and later redeemed.
    pub certificates_redeemed: u64,
    /// Certificate cents held at the horizon that later expired or were forfeited.
    pub certificates_broken: u64,
    /// Set when a count would have exceeded 2⁶⁴ − 1.
    pub points_overflow: bool,
}

impl std::ops::AddAssign<&RunoffTotals> for RunoffTotals {
    fn add_assign(&mut self, o: &RunoffTotals) {
        let mut overflow = self.points_overflow || o.points_overflow;
        add(&mut self.points_redeemed, o.points_redeemed, &mut overflow);
        add(&mut self.points_broken, o.points_broken, &mut overflow);
        add(
            &mut self.points_unsettled,
            o.points_unsettled,
            &mut overflow,
        );
        add(
            &mut self.certificates_redeemed,
            o.certificates_redeemed,
            &mut overflow,
        );
        add(
            &mut self.certificates_broken,
            o.certificates_broken,
            &mut overflow,
        );
        self.points_overflow = overflow;
    }
}

/// What one block of customers adds to a trial: totals per month, the run-off, and the fate
/// of the points by issue month.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockTotals {
    /// One entry per month of the horizon.
    pub months: Vec<MonthTotals>,
    /// Fate after the horizon of what members held at the horizon.
    pub runoff: RunoffTotals,
    /// Points issued over the horizon, by issue month, and when each was redeemed or broken.
    pub points_cohorts: CohortLedger,
    /// Certificate value (cents) issued over the horizon, by issue month, and its fate.
    pub certificates_cohorts: CohortLedger,
}

impl BlockTotals {
    /// Empty totals for `months` months.
    pub fn new(months: usize) -> Self {
        BlockTotals {
            months: vec![MonthTotals::default(); months],
            runoff: RunoffTotals::default(),
            points_cohorts: CohortLedger::new(months),
            certificates_cohorts: CohortLedger::new(months),
        }
    }

    /// Adds `other` month by month.
    pub fn add(&mut self, other: &BlockTotals) {
        for (s, o) in self.months.iter_mut().zip(&other.months) {
            *s += o;
        }
        self.runoff += &other.runoff;
        self.points_cohorts.add(&other.points_cohorts);
        self.certificates_cohorts.add(&other.certificates_cohorts);
    }
}
