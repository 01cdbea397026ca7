//! The launch customers of a scenario one by one: the engine's own simulation of each
//! customer in both worlds, kept apart instead of summed, so a lesson can ask who did what
//! (which type bought more, who got the discount, which RFM group a customer falls in).

use rayon::prelude::*;

use crate::Scenario;
use crate::model::market::draw_timeline;
use crate::model::population::TYPES;
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
        let sum = |a: &[u64; TYPES]| a.iter().sum::<u64>();
        let sumf = |a: &[f64; TYPES]| a.iter().sum::<f64>();
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
/// customers at a time, into accumulators made by `new` and filled by `add`; the blocks'
/// accumulators are then merged into one by `merge`, in (trial, customer) order whatever the
/// number of threads, so the numbers are the same on any machine.
pub fn fold<A: Send>(
    scenario: &Scenario,
    trials: u64,
    new: impl Fn() -> A + Sync,
    add: impl Fn(&mut A, &Customer<'_>) + Sync,
    merge: impl Fn(&mut A, A),
) -> A {
    let model = Model::new(scenario);
    let sim = &scenario.simulation;
    let months = sim.months as usize;
    let blocks = sim.customers.div_ceil(BLOCK);
    let parts: Vec<A> = (0..trials * blocks)
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
        .collect();
    let mut total = new();
    for part in parts {
        merge(&mut total, part);
    }
    total
}

/// Sums of the launch customers by world (0 without, 1 with the program), launch type and
/// month, with the rewards each type received.
pub struct TypeMonths {
    months: usize,
    /// Launch customers of each type.
    pub customers: [u64; 4],
    purchases: Vec<f64>,
    revenue: Vec<f64>,
    alive: Vec<f64>,
    /// Discounts and rewards each type received over the horizon.
    pub rewards: [f64; 4],
}

impl TypeMonths {
    /// Empty sums for `months` months.
    pub fn new(months: usize) -> TypeMonths {
        TypeMonths {
            months,
            customers: [0; 4],
            purchases: vec![0.0; 8 * months],
            revenue: vec![0.0; 8 * months],
            alive: vec![0.0; 8 * months],
            rewards: [0.0; 4],
        }
    }

    fn at(&self, world: usize, t: usize, m: usize) -> usize {
        (world * 4 + t) * self.months + m
    }

    /// Adds `customer`'s months.
    pub fn add(&mut self, customer: &Customer<'_>) {
        let t = customer.loyalty_type;
        self.customers[t] += 1;
        for m in 0..self.months {
            let month = customer.month(m);
            for w in 0..2 {
                let i = self.at(w, t, m);
                self.purchases[i] += month.purchases[w] as f64;
                self.revenue[i] += month.revenue[w];
                self.alive[i] += f64::from(u8::from(month.alive[w]));
            }
            self.rewards[t] += month.rewards;
        }
    }

    /// Adds another block's sums.
    pub fn merge(&mut self, other: &TypeMonths) {
        for t in 0..4 {
            self.customers[t] += other.customers[t];
            self.rewards[t] += other.rewards[t];
        }
        for (a, b) in [
            (&mut self.purchases, &other.purchases),
            (&mut self.revenue, &other.revenue),
            (&mut self.alive, &other.alive),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// Months `from..=to` (1-based, within the horizon) as 0-based indices.
    fn span(&self, from: usize, to: usize) -> std::ops::Range<usize> {
        from.saturating_sub(1)..to.min(self.months)
    }

    fn sum(&self, series: &[f64], w: usize, t: usize, from: usize, to: usize) -> f64 {
        self.span(from, to).map(|m| series[self.at(w, t, m)]).sum()
    }

    /// Purchases of type `t` in world `w` over months `from..=to`.
    pub fn purchases(&self, w: usize, t: usize, from: usize, to: usize) -> f64 {
        self.sum(&self.purchases, w, t, from, to)
    }

    /// Sales of type `t` in world `w` over months `from..=to`.
    pub fn revenue(&self, w: usize, t: usize, from: usize, to: usize) -> f64 {
        self.sum(&self.revenue, w, t, from, to)
    }

    /// Purchases a month per customer still there, type `t`, world `w`, months `from..=to`.
    pub fn rate(&self, w: usize, t: usize, from: usize, to: usize) -> f64 {
        self.purchases(w, t, from, to) / self.sum(&self.alive, w, t, from, to).max(1.0)
    }
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
        let (purchases, revenue, types) = fold(
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
            |total, part| {
                total.0 += part.0;
                total.1 += part.1;
                for (x, y) in total.2.iter_mut().zip(part.2) {
                    *x += y;
                }
            },
        );
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
        assert_eq!(types, [225, 375, 450, 450]);
    }
}
