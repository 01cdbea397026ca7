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
    /// Mean number of promotions that start a year: starts are a Poisson process, whether or
    /// not another promotion is running; where promotions overlap, the strongest counts.
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

impl Dissatisfaction {
    /// Prospects each dissatisfied customer keeps away, by default: 0.34. The Retail Customer
    /// Dissatisfaction Study 2006 (Wharton's Jay H. Baker Retailing Initiative and The Verde
    /// Group) found that of 100 shoppers with a bad experience 31 told friends, family or
    /// colleagues, and that the retailer stood to lose 32–36 current or potential customers;
    /// the midpoint, counted wholly as prospects deterred, is an upper reading (part of that
    /// loss is the dissatisfied themselves, modelled by `silent_share`). TARP's older figure
    /// (a dissatisfied customer tells 9–10 people, 13% tell more than 20) counts people told,
    /// not customers lost, so it is not used.
    pub const DEFAULT_DETERRED_PROSPECTS: f64 = 0.34;
}

/// New customers arriving.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Acquisition {
    /// Base arrivals per month, before word of mouth (Poisson).
    pub per_month: f64,
    /// Loyalty-type mix of new customers, in [`crate::model::population::LoyaltyType::ALL`]
    /// order, summing to 1.
    pub mix: [f64; crate::model::population::TYPES],
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
    /// Promotions that start within the horizon.
    pub promotion_starts: u32,
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
    let mut promotion: Vec<f64> = vec![0.0; months as usize];
    let mut promotion_starts = 0u32;
    // Runs a promotion over the months `start..start + duration` (1-based), within the
    // horizon; where another runs too, the stronger one counts.
    let mut run = |start: u32, (duration, strength): (u32, f64)| {
        promotion_starts += 1;
        for m in start..start.saturating_add(duration) {
            if let Some(p) = (m as usize)
                .checked_sub(1)
                .and_then(|i| promotion.get_mut(i))
            {
                *p = p.max(strength);
            }
        }
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
            // Starts are a Poisson process of the stated rate: each month's number of starts
            // is Poisson with a twelfth of the yearly mean, whatever runs already, so the
            // mean number of starts a year is the rate the scenario states.
            let rate = c.promotions_per_year / 12.0;
            for month in 1..=months {
                for _ in 0..poisson_inverse(rng.random::<f64>(), rate) {
                    run(month, c.draw_promotion(rng));
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
        promotion_starts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn promotions_start_at_the_stated_mean_rate_and_last_their_duration() {
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
        // 1,000 trials of five years: promotions starting a year, per trial.
        let (trials, years) = (1_000, 5);
        let mut promo_months = 0;
        let per_year: Vec<f64> = (0..trials)
            .map(|_| {
                let t = draw_timeline(&market, 12 * years, &mut rng);
                promo_months += t.promotion.iter().filter(|&&s| s > 0.0).count();
                assert!(t.promotion.iter().all(|&s| s == 0.0 || s == 0.5));
                f64::from(t.promotion_starts) / f64::from(years)
            })
            .collect();
        let n = per_year.len() as f64;
        let mean = per_year.iter().sum::<f64>() / n;
        let sd = (per_year.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let error = 1.96 * sd / n.sqrt();
        // The stated mean, within its Monte Carlo error (about ±0.04 here: a Poisson count of
        // mean 10 over five years has sd √10, so the yearly rate's sd is √10/5 ≈ 0.63).
        assert!((mean - 2.0).abs() < error, "{mean} ± {error}");
        assert!(error < 0.05);
        // A month is free of promotions when none started in it or the month before (each
        // lasts two): e^(−2/6) of months in the long run, fewer in the first month.
        let share = promo_months as f64 / f64::from(trials * 12 * years);
        let expected = 1.0 - (-2.0f64 / 6.0).exp();
        assert!(
            (share - expected).abs() < 0.01,
            "share {share} vs {expected}"
        );
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
