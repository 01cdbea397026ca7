//! Prize draws (DOMAIN §3: a prize gives both material and emotional value and can beat a
//! discount; "accumulation plus a prize" satisfies most): each member purchase wins a prize
//! with a stated chance. A prize costs the company `prize_cost` and is worth `prize_value` to
//! the member, plus an emotional premium: people value a chance of a prize above its expected
//! money value (Haisley 2008, on lotteries as incentives; Mazar, Shampanier & Ariely 2017 found
//! shoppers preferred a chance of a free purchase to a sure discount of equal expected value).
//! The draws are worth `chance × prize_value × (1 + emotional_premium)` per purchase, so
//! `chance × prize_value × (1 + premium) / spend per purchase` as a share of spend, received at
//! the till like a discount.
//!
//! **Entries bought with points.** With `entry_points`, a member may also spend points on an
//! entry, which wins with `chance_per_entry`. The behaviour rule, a stated assumption: points
//! go to the catalogue first; a member who holds at least an entry's price but cannot yet
//! afford the first reward buys one entry a month with the stated chance
//! (`entry_chance_per_month`, by default their type's `redemption_per_month`: the same
//! readiness to spend points). The points are burnt like a redemption (the liability falls)
//! and a prize won costs `prize_cost` like one won on a purchase. What the option is worth to a
//! member is its surplus over the points it takes, at most one entry a month: `chance ×
//! max(0, chance_per_entry × prize_value × (1 + premium) − entry_points × value of a point)`
//! over the member's monthly spend, the value of a point being the first reward's value over
//! its price (what the points would otherwise buy); an entry worth less than its points adds
//! nothing.

use serde::Serialize;

/// Default emotional premium: a chance of a prize is worth half as much again as its expected
/// money value. A stated assumption; the sources above give the direction, not the size.
pub const DEFAULT_EMOTIONAL_PREMIUM: f64 = 0.5;

/// A prize draw on member purchases.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prizes {
    /// Chance that a member purchase wins a prize.
    pub chance_per_purchase: f64,
    /// Cost to the company of one prize, in currency.
    pub prize_cost: f64,
    /// Money value of one prize to the member, in currency.
    pub prize_value: f64,
    /// Extra value a member places on a chance of a prize over its expected money value.
    pub emotional_premium: f64,
    /// Entries bought with points, if the draw sells them.
    pub entries: Option<PrizeEntries>,
}

/// Entries to the draw bought with points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PrizeEntries {
    /// Points one entry costs.
    pub points: u64,
    /// Chance that an entry wins a prize.
    pub chance_per_entry: f64,
    /// Chance a month that a member who can afford an entry and no reward buys one; `None` =
    /// their type's `redemption_per_month`.
    pub chance_per_month: Option<f64>,
}

impl Prizes {
    /// What the draws are worth to a member spending `spend` per purchase, as a share of spend.
    pub fn worth(&self, spend: f64) -> f64 {
        if spend <= 0.0 {
            return 0.0;
        }
        self.chance_per_purchase * self.prize_value * (1.0 + self.emotional_premium) / spend
    }

    /// What the option of buying entries is worth to a member buying `rate` times a month for
    /// `spend` a purchase, in a design whose points are `points`, as a share of spend (see the
    /// module documentation); an unstated monthly chance is the member's type's
    /// `redemption_per_month`.
    pub fn entries_worth(
        &self,
        points: Option<&super::program::PointsRules>,
        (rate, spend): (f64, f64),
        redemption_per_month: f64,
    ) -> f64 {
        let (Some(e), Some(p)) = (&self.entries, points) else {
            return 0.0;
        };
        let monthly_spend = rate * spend;
        if monthly_spend <= 0.0 {
            return 0.0;
        }
        let point_value = p
            .rewards
            .first()
            .map_or(0.0, |r| r.value / r.points.max(1) as f64);
        let entry = e.chance_per_entry * self.prize_value * (1.0 + self.emotional_premium);
        let surplus = (entry - e.points as f64 * point_value).max(0.0);
        e.chance_per_month.unwrap_or(redemption_per_month) * surplus / monthly_spend
    }

    /// Prizes won in `purchases` purchases, from one uniform `u` in [0, 1): the binomial
    /// count by inversion of its distribution function ([`super::dist::binomial_inverse`]).
    pub fn wins(&self, purchases: u32, u: f64) -> u32 {
        super::dist::binomial_inverse(u, purchases, self.chance_per_purchase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw() -> Prizes {
        Prizes {
            chance_per_purchase: 0.02,
            prize_cost: 20.0,
            prize_value: 30.0,
            emotional_premium: 0.5,
            entries: None,
        }
    }

    #[test]
    fn a_draw_is_worth_its_expected_value_with_the_premium() {
        // 2% × €30 × 1.5 = €0.90 a purchase: 3% of a €30 basket.
        assert!((draw().worth(30.0) - 0.03).abs() < 1e-12);
        assert_eq!(draw().worth(0.0), 0.0);
    }

    #[test]
    fn wins_are_binomial() {
        let d = draw();
        // P(0 wins in 10) = 0.98¹⁰ = 0.817073; P(1) = 10 × 0.02 × 0.98⁹ = 0.166750.
        let p0 = 0.98f64.powi(10);
        let p1 = 10.0 * 0.02 * 0.98f64.powi(9);
        assert_eq!(d.wins(10, p0 - 1e-9), 0);
        assert_eq!(d.wins(10, p0 + 1e-9), 1);
        assert_eq!(d.wins(10, p0 + p1 + 1e-9), 2);
        assert_eq!(d.wins(0, 0.99), 0);
        assert!(d.wins(10, 1.0 - 1e-15) <= 10);
        let sure = Prizes {
            chance_per_purchase: 1.0,
            ..d
        };
        assert_eq!(sure.wins(7, 0.3), 7);
    }
}
