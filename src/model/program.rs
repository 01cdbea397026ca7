//! The points program: how points are earned, what a reward costs, when points expire, and how
//! the approach to a reward speeds members up (DOMAIN §3).

use serde::Serialize;

/// When points expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum Expiry {
    /// Points never expire (a churned member's points are still forfeited).
    Never,
    /// Points earned in month s expire at the start of month s + `months`, oldest first.
    Fixed {
        /// Life of a point in months.
        months: u32,
    },
    /// All of a member's points expire after `months` full months without a purchase.
    Inactivity {
        /// Months without a purchase that wipe the balance.
        months: u32,
    },
}

/// Goal gradient: how much faster a member buys as the balance nears the threshold.
///
/// A member's purchase rate is multiplied by `1 + strength × progress`, where progress is the
/// balance at the start of the month over the redemption threshold (at most 1). After a
/// redemption the balance, and with it the pressure, falls back. Kivetz, Urminsky & Zheng
/// (2006, J. Marketing Research 43(1)) measured purchases about 20% faster near the reward
/// than at the start of a coffee card, hence the default strength 0.2.
pub const DEFAULT_GOAL_GRADIENT: f64 = 0.2;

/// The rules of a points program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointsProgram {
    /// Points per currency unit of a month's member spend; the month's points are rounded
    /// down to a whole point.
    pub earn_rate: f64,
    /// Cost to the company of one redeemed point, in currency.
    pub point_cost: f64,
    /// Stand-alone selling price of one point to the customer, in currency (IFRS 15).
    pub point_value: f64,
    /// Points one reward costs; a member can redeem once the balance reaches it.
    pub redemption_threshold: u64,
    /// Most points a member can earn in a month, if capped.
    pub earn_cap_per_month: Option<u64>,
    /// Expiry policy.
    pub expiry: Expiry,
    /// Goal-gradient strength (0 = off).
    pub goal_gradient: f64,
    /// Expected breakage fixed by the scenario; `None` = estimated from the simulation.
    pub breakage: Option<f64>,
}

impl PointsProgram {
    /// Points earned on `spend` in a month: rounded down, then capped.
    pub fn points_for(&self, spend: f64) -> u64 {
        // The relative nudge of 10⁻¹² keeps binary fractions from losing a point (0.57 × 100
        // is 56.99999999999999 in floating point); `as` saturates, so nothing can wrap.
        let points = (spend * self.earn_rate * (1.0 + 1e-12)).floor() as u64;
        match self.earn_cap_per_month {
            Some(cap) => points.min(cap),
            None => points,
        }
    }

    /// Multiplier of the purchase rate of a member holding `balance` points whose type
    /// responds with `response` × the program's strength.
    pub fn goal_gradient_multiplier(&self, balance: u64, response: f64) -> f64 {
        let strength = self.goal_gradient * response;
        if strength == 0.0 {
            return 1.0;
        }
        let progress = (balance as f64 / self.redemption_threshold as f64).min(1.0);
        1.0 + strength * progress
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program() -> PointsProgram {
        PointsProgram {
            earn_rate: 1.5,
            point_cost: 0.01,
            point_value: 0.01,
            redemption_threshold: 100,
            earn_cap_per_month: Some(50),
            expiry: Expiry::Never,
            goal_gradient: 0.2,
            breakage: None,
        }
    }

    #[test]
    fn points_are_rounded_down_then_capped() {
        let p = program();
        assert_eq!(p.points_for(10.99), 16); // 16.485 → 16
        assert_eq!(p.points_for(0.5), 0);
        let whole = PointsProgram {
            earn_rate: 100.0,
            earn_cap_per_month: None,
            ..program()
        };
        assert_eq!(whole.points_for(0.57), 57);
        assert_eq!(p.points_for(1000.0), 50);
        assert_eq!(p.points_for(f64::INFINITY), 50);
    }

    #[test]
    fn goal_gradient_rises_linearly_to_the_threshold() {
        let p = program();
        assert_eq!(p.goal_gradient_multiplier(0, 1.0), 1.0);
        assert!((p.goal_gradient_multiplier(50, 1.0) - 1.1).abs() < 1e-12);
        assert!((p.goal_gradient_multiplier(100, 1.0) - 1.2).abs() < 1e-12);
        assert!((p.goal_gradient_multiplier(350, 1.0) - 1.2).abs() < 1e-12);
        // A type with half the response: 1 + 0.2 × 0.5 × 1.
        assert!((p.goal_gradient_multiplier(100, 0.5) - 1.1).abs() < 1e-12);
        assert_eq!(p.goal_gradient_multiplier(100, 0.0), 1.0);
    }
}
