//! The market the program lives in (DOMAIN §1): competitor promotions and a competitor
//! copying the program, bad experiences and the word of mouth they cause, and new customers
//! arriving. Events of the market are drawn once per trial, before any customer, into a
//! [`Timeline`] that both worlds and every program design share.

use rand::{Rng, RngExt};
use serde::Serialize;

use crate::model::dist::poisson_inverse;

/// Competitor promotions: random events that pull customers away, each type by its own
/// sensitivity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Competitor {
    /// Mean number of promotions a year (Poisson arrivals; at most one runs at a time).
    pub promotions_per_year: f64,
    /// A single planned promotion starting in this month, instead of random arrivals.
    pub month: Option<u32>,
    /// Shortest and longest duration in months (uniform, whole months).
    pub duration_months: (u32, u32),
    /// Weakest and strongest promotion (uniform): a promotion of strength s cuts the purchase
    /// rate of a customer with sensitivity k by s × k.
    pub strength: (f64, f64),
    /// Monthly probability that a fully sensitive customer defects for good during a
    /// full-strength promotion (scaled by s × k for others).
    pub defection: f64,
}

impl Competitor {
    /// A promotion's duration in months and its strength, drawn in that order.
    fn draw_promotion<R: Rng + ?Sized>(&self, rng: &mut R) -> (u32, f64) {
        let span = self.duration_months.1 - self.duration_months.0 + 1;
        let duration = self.duration_months.0 + rng.random_range(0..span);
        let strength = self.strength.0 + (self.strength.1 - self.strength.0) * rng.random::<f64>();
        (duration, strength)
    }
}

/// A competitor copying the program, which erodes its behavioural effect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Copycat {
    /// Month the copy appears; `None` = drawn at random from `probability_per_year`.
    pub month: Option<u32>,
    /// Monthly-constant hazard, as a probability per year, when `month` is not fixed.
    pub probability_per_year: f64,
    /// Share of the program's behavioural effect (lifts, goal gradient, retention) the copy
    /// takes away; `None` = the design's default
    /// ([`crate::model::program::Program::default_copy_erosion`]).
    pub erosion: Option<f64>,
}

/// Bad experiences and negative word of mouth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dissatisfaction {
    /// Probability per customer per month of a bad experience; the customer's attitude is
    /// lost (type becomes none).
    pub per_month: f64,
    /// Share of the dissatisfied who leave without a word (DOMAIN §1: about 96%); the others
    /// complain and stay, as type none.
    pub silent_share: f64,
    /// Prospective customers each dissatisfied customer talks out of coming (negative word
    /// of mouth), taken off the next month's arrivals.
    pub deterred_prospects: f64,
}

/// New customers arriving.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Acquisition {
    /// Base arrivals per month, before word of mouth (Poisson).
    pub per_month: f64,
    /// Loyalty-type mix of new customers, in [`crate::model::population::LoyaltyType::ALL`]
    /// order, summing to 1.
    pub mix: [f64; 4],
}

/// The market of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Market {
    /// Competitor promotions, if any.
    pub competitor: Option<Competitor>,
    /// A competitor copying the program, if any.
    pub copycat: Option<Copycat>,
    /// Bad experiences, if modelled.
    pub dissatisfaction: Option<Dissatisfaction>,
    /// New customers, if any.
    pub acquisition: Option<Acquisition>,
}

impl Market {
    /// A market with nothing in it: the customers and the program alone.
    pub fn quiet() -> Market {
        Market {
            competitor: None,
            copycat: None,
            dissatisfaction: None,
            acquisition: None,
        }
    }
}

/// The market's events in one trial.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Strength of the competitor promotion running in each month (index = month − 1; 0 = none).
    pub promotion: Vec<f64>,
    /// First month in which a copy of the program exists, if any within the horizon.
    pub copycat_from: Option<u32>,
}

impl Timeline {
    /// Promotion strength in `month` (1-based; 0 outside the horizon).
    pub fn promotion_in(&self, month: u32) -> f64 {
        (month as usize)
            .checked_sub(1)
            .and_then(|i| self.promotion.get(i))
            .copied()
            .unwrap_or(0.0)
    }

    /// True when the program has been copied by `month`.
    pub fn copied_by(&self, month: u32) -> bool {
        self.copycat_from.is_some_and(|m| month >= m)
    }
}

/// Draws the market's events for a trial of `months` months.
pub fn draw_timeline<R: Rng + ?Sized>(market: &Market, months: u32, rng: &mut R) -> Timeline {
    let mut promotion = vec![0.0; months as usize];
    // Sets the months `start..start + duration` (1-based) to `strength`, within the horizon.
    let mut run = |start: u32, (duration, strength): (u32, f64)| {
        for m in start..start.saturating_add(duration) {
            if let Some(p) = (m as usize)
                .checked_sub(1)
                .and_then(|i| promotion.get_mut(i))
            {
                *p = strength;
            }
        }
        duration
    };
    match &market.competitor {
        // A planned promotion: its duration and strength are drawn as for any other.
        Some(
            c @ Competitor {
                month: Some(start), ..
            },
        ) => {
            run(*start, c.draw_promotion(rng));
        }
        Some(c) => {
            let rate = c.promotions_per_year / 12.0;
            let mut month = 1u32;
            // Waiting times between promotions: months until the next start are the month
            // counts of a Poisson process; a new one starts only after the current one ends.
            while month <= months {
                if poisson_inverse(rng.random::<f64>(), rate) > 0 {
                    month += run(month, c.draw_promotion(rng));
                } else {
                    month += 1;
                }
            }
        }
        None => {}
    }
    let copycat_from = market.copycat.and_then(|c| match c.month {
        Some(m) => (m <= months).then_some(m),
        None => {
            let monthly = 1.0 - (1.0 - c.probability_per_year).powf(1.0 / 12.0);
            (1..=months).find(|_| rng.random::<f64>() < monthly)
        }
    });
    Timeline {
        promotion,
        copycat_from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn promotions_arrive_at_their_rate_and_last_their_duration() {
        let market = Market {
            competitor: Some(Competitor {
                promotions_per_year: 2.0,
                month: None,
                duration_months: (2, 2),
                strength: (0.5, 0.5),
                defection: 0.0,
            }),
            ..Market::quiet()
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
        let (mut starts, mut promo_months, trials) = (0, 0, 2_000);
        for _ in 0..trials {
            let t = draw_timeline(&market, 120, &mut rng);
            promo_months += t.promotion.iter().filter(|&&s| s > 0.0).count();
            let mut previous = 0.0;
            for &s in &t.promotion {
                if s > 0.0 && previous == 0.0 {
                    starts += 1;
                }
                previous = s;
                assert!(s == 0.0 || s == 0.5);
            }
        }
        // A promotion can start only in a month with none running, with probability
        // p = 1 − e^(−1/6); idle months before a start number (1 − p)/p on average, so the
        // share of promotion months is d / ((1 − p)/p + d) = 2 / (1/p + 1) ≈ 0.266.
        let share = promo_months as f64 / (trials * 120) as f64;
        let p = 1.0 - (-1.0f64 / 6.0).exp();
        let expected = 2.0 / (1.0 / p + 1.0);
        assert!(
            (share - expected).abs() < 0.01,
            "share {share} vs {expected}"
        );
        assert!(starts > 0);
    }

    #[test]
    fn a_planned_promotion_runs_from_its_month_for_its_duration_only() {
        let market = Market {
            competitor: Some(Competitor {
                promotions_per_year: 0.0,
                month: Some(12),
                duration_months: (2, 2),
                strength: (0.4, 0.4),
                defection: 0.0,
            }),
            ..Market::quiet()
        };
        for seed in 0..20 {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
            let t = draw_timeline(&market, 36, &mut rng);
            for month in 1..=36 {
                let want = if month == 12 || month == 13 { 0.4 } else { 0.0 };
                assert_eq!(t.promotion_in(month), want, "month {month}");
            }
        }
        // Planned at the horizon's last month: cut at the horizon.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let t = draw_timeline(&market, 12, &mut rng);
        assert_eq!(t.promotion, [vec![0.0; 11], vec![0.4]].concat());
    }

    #[test]
    fn a_fixed_copycat_month_is_kept_and_a_random_one_has_its_hazard() {
        let fixed = Market {
            copycat: Some(Copycat {
                month: Some(18),
                probability_per_year: 0.0,
                erosion: Some(0.5),
            }),
            ..Market::quiet()
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let t = draw_timeline(&fixed, 36, &mut rng);
        assert_eq!(t.copycat_from, Some(18));
        assert!(!t.copied_by(17) && t.copied_by(18));
        let random = Market {
            copycat: Some(Copycat {
                month: None,
                probability_per_year: 0.5,
                erosion: Some(0.5),
            }),
            ..Market::quiet()
        };
        let n = 20_000;
        let within_a_year = (0..n)
            .filter(|_| draw_timeline(&random, 12, &mut rng).copycat_from.is_some())
            .count();
        let share = within_a_year as f64 / n as f64;
        assert!((share - 0.5).abs() < 0.015, "{share}");
    }
}
