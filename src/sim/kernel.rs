//! One block of customers through every month of one trial, in both worlds at once: with the
//! program and without it. Pure: no I/O, no threads, no shared state.
//!
//! Each customer has two generators keyed by (seed, trial, customer): the shared stream and
//! the program stream (see [`Stream`]). Within a month, in order:
//! 1. attrition: one shared uniform; the customer lapses in a world when it falls below that
//!    world's monthly attrition (lower for members with an `attrition_reduction`), so a member
//!    stays at least as long with the program as without it. A lapsing member forfeits points;
//! 2. expiry of points due at the start of the month;
//! 3. purchases: one shared uniform inverted through each world's Poisson CDF; the program
//!    world's rate is the baseline rate × (1 + frequency lift) × goal-gradient pressure;
//! 4. spend: the baseline's spend is one Gamma-Gamma draw for the month; the program world
//!    keeps the spend of the purchases both worlds share and draws only its extra purchases
//!    (or thins the total when it has fewer), then applies the basket lift;
//! 5. points earned on the month's spend (rounded down, capped), credited;
//! 6. redemption: a member whose balance reaches the threshold redeems, with the type's
//!    monthly probability, every whole reward the balance affords, oldest points first.
//!
//! A non-member lives the same life in both worlds, so it is simulated once and counted in
//! both.
//!
//! **Run-off.** Unless the scenario fixes the breakage, a member still holding points at the
//! horizon lives on in the program world, month after month by the same rules, until every
//! point held at the horizon has been redeemed, has expired or has been forfeited (oldest
//! points are spent and expire first, so the horizon's points go before any earned later), for
//! at most [`RUNOFF_MONTHS`]; points still held then count as never redeemed. This gives the
//! ultimate fate of every point issued over the horizon, from which breakage is estimated.
//!
//! **Exact points.** Points are integers added with overflow checks; a scenario that would
//! overflow them sets [`MonthTotals::points_overflow`] and the run refuses to report.

use rand::RngExt;

use super::rng::{SimRng, Stream, customer_rng};
use super::wallet::Wallet;
use crate::model::dist::poisson_inverse;
use crate::model::population::TypeSampler;
use crate::scenario::Scenario;

/// Totals over a block (or a whole trial) for one month. Counts and points are exact
/// integers; money is summed in customer order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MonthTotals {
    /// Customers who have not lapsed, with the program.
    pub customers_program: u64,
    /// Customers who have not lapsed, without the program.
    pub customers_baseline: u64,
    /// Customers who bought at least once this month, with the program.
    pub active_program: u64,
    /// Customers who bought at least once this month, without the program.
    pub active_baseline: u64,
    /// Members of the program at the end of the month.
    pub members: u64,
    /// Purchases with the program.
    pub transactions_program: u64,
    /// Purchases without the program.
    pub transactions_baseline: u64,
    /// Purchases by members (those that earn points).
    pub member_transactions: u64,
    /// Sales with the program, in currency.
    pub revenue_program: f64,
    /// Sales without the program, in currency.
    pub revenue_baseline: f64,
    /// Sales to members with the program (the sales that carry points), in currency.
    pub member_revenue: f64,
    /// Points credited.
    pub points_earned: u64,
    /// Points spent on rewards.
    pub points_redeemed: u64,
    /// Points that expired.
    pub points_expired: u64,
    /// Points lost by members who lapsed.
    pub points_forfeited: u64,
    /// Points held by members at the end of the month.
    pub points_outstanding: u64,
    /// Rewards handed out.
    pub rewards_redeemed: u64,
    /// Set when a points count would have exceeded 2⁶⁴ − 1: the month's points are not exact.
    pub points_overflow: bool,
}

/// The fate, after the horizon, of the points members held at the horizon (see the run-off
/// in the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunoffTotals {
    /// Points held at the horizon and later redeemed.
    pub redeemed: u64,
    /// Points held at the horizon that later expired, were forfeited, or were still held at
    /// the end of the run-off.
    pub broken: u64,
    /// Of `broken`, those still held at the end of the run-off.
    pub unsettled: u64,
    /// Set when a count would have exceeded 2⁶⁴ − 1.
    pub points_overflow: bool,
}

impl std::ops::AddAssign<&RunoffTotals> for RunoffTotals {
    fn add_assign(&mut self, o: &RunoffTotals) {
        let mut overflow = self.points_overflow || o.points_overflow;
        add(&mut self.redeemed, o.redeemed, &mut overflow);
        add(&mut self.broken, o.broken, &mut overflow);
        add(&mut self.unsettled, o.unsettled, &mut overflow);
        self.points_overflow = overflow;
    }
}

/// Longest run-off after the horizon, in months (ten years).
pub const RUNOFF_MONTHS: u32 = 120;

/// Adds `x` to `total`, or records an overflow and leaves `total` as it was.
fn add(total: &mut u64, x: u64, overflow: &mut bool) {
    match total.checked_add(x) {
        Some(v) => *total = v,
        None => *overflow = true,
    }
}

impl std::ops::AddAssign<&MonthTotals> for MonthTotals {
    fn add_assign(&mut self, o: &MonthTotals) {
        self.customers_program += o.customers_program;
        self.customers_baseline += o.customers_baseline;
        self.active_program += o.active_program;
        self.active_baseline += o.active_baseline;
        self.members += o.members;
        self.transactions_program += o.transactions_program;
        self.transactions_baseline += o.transactions_baseline;
        self.member_transactions += o.member_transactions;
        self.revenue_program += o.revenue_program;
        self.revenue_baseline += o.revenue_baseline;
        self.member_revenue += o.member_revenue;
        let mut overflow = self.points_overflow || o.points_overflow;
        add(&mut self.points_earned, o.points_earned, &mut overflow);
        add(&mut self.points_redeemed, o.points_redeemed, &mut overflow);
        add(&mut self.points_expired, o.points_expired, &mut overflow);
        add(
            &mut self.points_forfeited,
            o.points_forfeited,
            &mut overflow,
        );
        add(
            &mut self.points_outstanding,
            o.points_outstanding,
            &mut overflow,
        );
        add(
            &mut self.rewards_redeemed,
            o.rewards_redeemed,
            &mut overflow,
        );
        self.points_overflow = overflow;
    }
}

/// What the kernel needs from a scenario, precomputed once per run.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    samplers: Vec<TypeSampler>,
    /// Customer indices below `type_ends[i]` (and at or above the previous end) are of type i.
    type_ends: [u64; 4],
}

impl<'a> Model<'a> {
    /// Precomputes samplers and the type of every customer index.
    pub fn new(scenario: &'a Scenario) -> Self {
        let counts = scenario
            .population
            .type_counts(scenario.simulation.customers);
        let mut type_ends = [0u64; 4];
        let mut end = 0;
        for (i, n) in counts.iter().enumerate() {
            end += n;
            type_ends[i] = end;
        }
        Model {
            scenario,
            samplers: scenario
                .population
                .types
                .iter()
                .map(TypeSampler::new)
                .collect(),
            type_ends,
        }
    }

    /// Index of customer `customer`'s loyalty type in [`crate::model::population::LoyaltyType::ALL`].
    pub fn type_of(&self, customer: u64) -> usize {
        self.type_ends
            .iter()
            .position(|&end| customer < end)
            .unwrap_or(3)
    }
}

/// What one block of customers adds to a trial: totals per month and the run-off.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockTotals {
    /// One entry per month of the horizon.
    pub months: Vec<MonthTotals>,
    /// Fate after the horizon of the points held at the horizon (zero when breakage is fixed).
    pub runoff: RunoffTotals,
}

impl BlockTotals {
    /// Empty totals for `months` months.
    pub fn new(months: usize) -> Self {
        BlockTotals {
            months: vec![MonthTotals::default(); months],
            runoff: RunoffTotals::default(),
        }
    }

    /// Adds `other` month by month.
    pub fn add(&mut self, other: &BlockTotals) {
        for (s, o) in self.months.iter_mut().zip(&other.months) {
            *s += o;
        }
        self.runoff += &other.runoff;
    }
}

/// Points a member earned and redeemed in one month.
struct EarnBurn {
    earned: u64,
    redeemed: u64,
    rewards: u64,
}

/// Credits the points for `spend` (if the member bought, `purchased`) and lets the member
/// redeem: the program-world step shared by the horizon and the run-off.
#[allow(clippy::too_many_arguments)]
fn earn_and_redeem(
    wallet: &mut Wallet,
    model: &Model<'_>,
    redemption_per_month: f64,
    month_no: u32,
    purchased: bool,
    spend: f64,
    own: &mut SimRng,
    overflow: &mut bool,
) -> EarnBurn {
    let program = &model.scenario.program;
    let mut step = EarnBurn {
        earned: 0,
        redeemed: 0,
        rewards: 0,
    };
    if purchased {
        step.earned = program.points_for(spend);
        if !wallet.earn(month_no, step.earned) {
            *overflow = true;
        }
    }
    let threshold = program.redemption_threshold;
    if wallet.balance() >= threshold && own.random::<f64>() < redemption_per_month {
        step.rewards = wallet.balance() / threshold;
        step.redeemed = step.rewards * threshold;
        wallet.spend(month_no, step.redeemed);
    }
    step
}

/// Simulates customers `first .. first + count` of trial `trial`, adding to `totals`.
pub fn simulate_block(
    model: &Model<'_>,
    trial: u64,
    first: u64,
    count: u64,
    totals: &mut BlockTotals,
) {
    let scenario = model.scenario;
    let program = &scenario.program;
    let months = scenario.simulation.months;
    let seed = scenario.simulation.seed;
    let runoff = program.breakage.is_none();
    let mut wallet = Wallet::new(program.expiry);

    for customer in first..first + count {
        let ty = model.type_of(customer);
        let behaviour = &scenario.population.types[ty];
        let sampler = &model.samplers[ty];
        let mut shared = customer_rng(seed, trial, customer, Stream::Shared);
        let mut own = customer_rng(seed, trial, customer, Stream::Program);

        let rate = sampler.draw_rate(&mut shared);
        let spend_mean = sampler.draw_spend_mean(&mut shared);
        let member = own.random::<f64>() < behaviour.enrolment;
        let attrition_base = behaviour.attrition_per_month;

        if !member {
            // Same life in both worlds.
            for month in totals.months.iter_mut().take(months as usize) {
                if shared.random::<f64>() < attrition_base {
                    break;
                }
                let n = poisson_inverse(shared.random::<f64>(), rate);
                let spend = sampler.draw_spend(n, spend_mean, &mut shared);
                month.customers_program += 1;
                month.customers_baseline += 1;
                if n > 0 {
                    month.active_program += 1;
                    month.active_baseline += 1;
                    month.transactions_program += u64::from(n);
                    month.transactions_baseline += u64::from(n);
                    month.revenue_program += spend;
                    month.revenue_baseline += spend;
                }
            }
            continue;
        }

        let attrition_member = attrition_base * (1.0 - behaviour.attrition_reduction);
        let rate_member = rate * (1.0 + behaviour.frequency_lift);
        let basket = 1.0 + behaviour.basket_lift;
        let member_rate = |balance: u64| {
            rate_member
                * program.goal_gradient_multiplier(balance, behaviour.goal_gradient_response)
        };
        wallet.reset();
        let mut alive_base = true;
        let mut alive_prog = true;

        for (m, month) in totals.months.iter_mut().enumerate().take(months as usize) {
            let month_no = m as u32 + 1;
            let mut overflow = month.points_overflow;
            let u_attrition = shared.random::<f64>();
            if alive_base && u_attrition < attrition_base {
                alive_base = false;
            }
            if alive_prog && u_attrition < attrition_member {
                alive_prog = false;
                add(&mut month.points_forfeited, wallet.forfeit(), &mut overflow);
            }
            if !alive_base && !alive_prog {
                month.points_overflow = overflow;
                break;
            }
            if alive_prog {
                add(
                    &mut month.points_expired,
                    wallet.expire(month_no),
                    &mut overflow,
                );
            }

            let u_buy = shared.random::<f64>();
            let n_base = if alive_base {
                poisson_inverse(u_buy, rate)
            } else {
                0
            };
            let n_prog = if alive_prog {
                poisson_inverse(u_buy, member_rate(wallet.balance()))
            } else {
                0
            };

            let spend_base = sampler.draw_spend(n_base, spend_mean, &mut shared);
            let spend_prog = if n_prog == 0 {
                0.0
            } else if n_prog == n_base {
                spend_base
            } else if n_prog > n_base {
                spend_base + sampler.draw_spend(n_prog - n_base, spend_mean, &mut own)
            } else {
                sampler.thin_spend(spend_base, n_prog, n_base, &mut own)
            } * basket;

            if alive_base {
                month.customers_baseline += 1;
                if n_base > 0 {
                    month.active_baseline += 1;
                    month.transactions_baseline += u64::from(n_base);
                    month.revenue_baseline += spend_base;
                }
            }
            if alive_prog {
                month.customers_program += 1;
                month.members += 1;
                if n_prog > 0 {
                    month.active_program += 1;
                    month.transactions_program += u64::from(n_prog);
                    month.member_transactions += u64::from(n_prog);
                    month.revenue_program += spend_prog;
                    month.member_revenue += spend_prog;
                }
                let step = earn_and_redeem(
                    &mut wallet,
                    model,
                    behaviour.redemption_per_month,
                    month_no,
                    n_prog > 0,
                    spend_prog,
                    &mut own,
                    &mut overflow,
                );
                add(&mut month.points_earned, step.earned, &mut overflow);
                add(&mut month.points_redeemed, step.redeemed, &mut overflow);
                add(&mut month.rewards_redeemed, step.rewards, &mut overflow);
                add(
                    &mut month.points_outstanding,
                    wallet.balance(),
                    &mut overflow,
                );
            }
            month.points_overflow = overflow;
        }

        if !(runoff && alive_prog && wallet.balance() > 0) {
            continue;
        }
        // Run-off: follow the points held at the horizon until they are all settled.
        let out = &mut totals.runoff;
        let mut overflow = out.points_overflow;
        let mut left = wallet.balance();
        let mut settled = false;
        for month_no in months + 1..=months + RUNOFF_MONTHS {
            if shared.random::<f64>() < attrition_member {
                settled = true; // lapses: everything left is forfeited, counted below
                break;
            }
            let expired = wallet.expire(month_no).min(left);
            left -= expired;
            add(&mut out.broken, expired, &mut overflow);
            if left == 0 {
                break;
            }
            let n = poisson_inverse(shared.random::<f64>(), member_rate(wallet.balance()));
            let spend = sampler.draw_spend(n, spend_mean, &mut shared) * basket;
            let step = earn_and_redeem(
                &mut wallet,
                model,
                behaviour.redemption_per_month,
                month_no,
                n > 0,
                spend,
                &mut own,
                &mut overflow,
            );
            let redeemed = step.redeemed.min(left);
            left -= redeemed;
            add(&mut out.redeemed, redeemed, &mut overflow);
            if left == 0 {
                break;
            }
        }
        if !settled && left > 0 {
            add(&mut out.unsettled, left, &mut overflow);
        }
        add(&mut out.broken, left, &mut overflow);
        out.points_overflow = overflow;
    }
}
