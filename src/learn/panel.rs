//! The launch customers of a scenario one by one: the engine's own simulation of each
//! customer in both worlds, kept apart instead of summed, so a lesson can ask who did what
//! (which type bought more, who got the discount, which RFM group a customer falls in).

use rayon::prelude::*;

use crate::Scenario;
use crate::model::market::draw_timeline;
use crate::sim::kernel::{Model, simulate_customers};
use crate::sim::rng::{Stream, trial_rng};
use crate::sim::totals::{BlockTotals, MonthTotals, RunoffTotals};

/// Customers simulated together by one task; each task gives one accumulator.
const BLOCK: u64 = 1000;

/// One launch customer of one trial, as the engine simulated them.
pub struct Customer<'a> {
    /// The trial.
    pub trial: u64,
    /// Index of the customer among the launch customers.
    pub index: u64,
    /// Loyalty type at launch, in `LoyaltyType::ALL` order.
    pub loyalty_type: usize,
    /// The customer's months, both worlds (arrays by the type the customer had that month).
    pub months: &'a [MonthTotals],
}

/// One month of one customer, summed over the loyalty types (a customer has one type a month).
#[derive(Debug, Clone, Copy, Default)]
pub struct Month {
    /// Purchases without and with the program.
    pub purchases: [u64; 2],
    /// Sales without and with the program.
    pub revenue: [f64; 2],
    /// Still a customer (not lapsed) without and with the program.
    pub alive: [bool; 2],
    /// A member at the end of the month.
    pub member: bool,
    /// Discounts at the till and the cost of rewards handed out.
    pub rewards: f64,
    /// Points rewards handed out.
    pub redemptions: u64,
}

impl Customer<'_> {
    /// Month `m` (0-based) summed over the types.
    pub fn month(&self, m: usize) -> Month {
        let Some(t) = self.months.get(m) else {
            return Month::default();
        };
        let sum = |a: &[u64; 4]| a.iter().sum::<u64>();
        let sumf = |a: &[f64; 4]| a.iter().sum::<f64>();
        Month {
            purchases: [sum(&t.transactions_baseline), sum(&t.transactions_program)],
            revenue: [sumf(&t.revenue_baseline), sumf(&t.revenue_program)],
            alive: [
                sum(&t.customers_baseline) > 0,
                sum(&t.customers_program) > 0,
            ],
            member: sum(&t.members) > 0,
            rewards: t.discount_given + t.reward_cost + t.certificates_redeemed as f64 / 100.0,
            redemptions: t.rewards_redeemed,
        }
    }
}

/// Simulates the launch customers of `trials` one at a time and folds them, a block of
/// customers at a time, into accumulators made by `new` and filled by `add`. The blocks come
/// back in (trial, customer) order whatever the number of threads, so a lesson that merges
/// them in order gets the same numbers on any machine.
pub fn fold<A: Send>(
    scenario: &Scenario,
    trials: u64,
    new: impl Fn() -> A + Sync,
    add: impl Fn(&mut A, &Customer<'_>) + Sync,
) -> Vec<A> {
    let model = Model::new(scenario);
    let sim = &scenario.simulation;
    let months = sim.months as usize;
    let blocks = sim.customers.div_ceil(BLOCK);
    (0..trials * blocks)
        .into_par_iter()
        .map(|task| {
            let (trial, block) = (task / blocks, task % blocks);
            // The trial's market, drawn exactly as a run draws it.
            let timeline = draw_timeline(
                &scenario.market,
                sim.months,
                &mut trial_rng(sim.seed, trial, 0, Stream::Market),
            );
            let mut acc = new();
            let mut totals = BlockTotals::new(months);
            for index in block * BLOCK..((block + 1) * BLOCK).min(sim.customers) {
                totals.months.fill(MonthTotals::default());
                totals.runoff = RunoffTotals::default();
                let spec = model.launch_customer(index);
                simulate_customers(&model, &timeline, trial, std::iter::once(spec), &mut totals);
                let customer = Customer {
                    trial,
                    index,
                    // Launch customers always have a type; 3 (none) is never used.
                    loyalty_type: spec.loyalty_type.unwrap_or(3),
                    months: &totals.months,
                };
                add(&mut acc, &customer);
            }
            acc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::runner::simulate_trial;

    /// The customers one by one add up to the engine's own trial totals: the lesson numbers
    /// are the model's, not a second model.
    #[test]
    fn customers_one_by_one_add_up_to_the_trial() {
        let source = include_str!("../../scenarios/lessons/types.toml");
        let mut scenario = crate::scenario::parse(source, std::path::Path::new("t.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
        scenario.simulation.customers = 1500;
        let parts = fold(
            &scenario,
            1,
            || (0u64, 0.0f64, [0u64; 4]),
            |acc, c| {
                for m in 0..c.months.len() {
                    let month = c.month(m);
                    acc.0 += month.purchases[1];
                    acc.1 += month.revenue[1];
                }
                acc.2[c.loyalty_type] += 1;
            },
        );
        let purchases: u64 = parts.iter().map(|p| p.0).sum();
        let revenue: f64 = parts.iter().map(|p| p.1).sum();
        let model = Model::new(&scenario);
        let trial = simulate_trial(&model, 0);
        let want: u64 = trial
            .months
            .iter()
            .map(|m| m.transactions_program_total())
            .sum();
        let want_revenue: f64 = trial.months.iter().map(|m| m.revenue_program_total()).sum();
        assert_eq!(purchases, want);
        assert!((revenue - want_revenue).abs() < 1e-6 * want_revenue);
        // The launch mix is the scenario's shares of 1,500: 15%, 25%, 30%, 30%.
        let types = parts.iter().fold([0; 4], |mut a, p| {
            for (x, y) in a.iter_mut().zip(p.2) {
                *x += y;
            }
            a
        });
        assert_eq!(types, [225, 375, 450, 450]);
    }
}
