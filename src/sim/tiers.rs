//! A member's tier: a rolling window of monthly spend or purchases, reviewed at stated points.

use crate::model::program::{Qualify, Tiers};

/// One member's tier status. Reused from member to member.
#[derive(Debug, Clone, Default)]
pub struct TierState {
    /// Monthly totals of the last `window` months, by month % window.
    window: Vec<f64>,
    /// Current tier (index into the program's levels), `None` = base.
    level: Option<usize>,
}

impl TierState {
    /// A base-tier member with an empty window for `tiers`.
    pub fn reset(&mut self, tiers: &Tiers) {
        self.window.clear();
        self.window.resize(tiers.window_months as usize, 0.0);
        self.level = None;
    }

    /// The tier now.
    pub fn level(&self) -> Option<usize> {
        self.level
    }

    /// Records `month`'s spend and purchases; at a review month (every
    /// `review_every_months` from launch) sets the tier for the months that follow.
    pub fn record(&mut self, tiers: &Tiers, month: u32, spend: f64, purchases: u32) {
        let value = match tiers.qualify {
            Qualify::Spend => spend,
            Qualify::Purchases => f64::from(purchases),
        };
        // Validation keeps window_months ≥ 1, so this divides by a nonzero.
        let slot = (month % tiers.window_months) as usize;
        if let Some(s) = self.window.get_mut(slot) {
            *s = value;
        }
        if month.is_multiple_of(tiers.review_every_months) {
            self.level = tiers.level_for(self.rolling());
        }
    }

    /// Total of the rolling window.
    pub fn rolling(&self) -> f64 {
        self.window.iter().sum()
    }

    /// Progress towards the next tier (0–1), `None` at the top.
    pub fn progress(&self, tiers: &Tiers) -> Option<f64> {
        let next = self.level.map_or(0, |l| l + 1);
        tiers
            .levels
            .get(next)
            .map(|l| (self.rolling() / l.threshold).min(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::program::TierLevel;

    fn tiers() -> Tiers {
        Tiers {
            qualify: Qualify::Spend,
            window_months: 3,
            review_every_months: 2,
            levels: vec![
                TierLevel {
                    name: "silver".into(),
                    threshold: 100.0,
                    discount: 0.02,
                    points_multiplier: 1.0,
                },
                TierLevel {
                    name: "gold".into(),
                    threshold: 250.0,
                    discount: 0.05,
                    points_multiplier: 1.0,
                },
            ],
            insulation: 0.0,
        }
    }

    #[test]
    fn tiers_on_a_hand_built_history() {
        // Spend by month 1–8: 40, 70, 90, 90, 10, 0, 0, 300. Window of 3 months, reviews at
        // the end of months 2, 4, 6, 8.
        // Month 2: 40 + 70 = 110 → silver. Month 4: 70 + 90 + 90 = 250 → gold.
        // Month 6: 90 + 10 + 0 = 100 → silver (a downgrade). Month 8: 0 + 0 + 300 = 300 → gold.
        let t = tiers();
        let mut s = TierState::default();
        s.reset(&t);
        let spend = [40.0, 70.0, 90.0, 90.0, 10.0, 0.0, 0.0, 300.0];
        let mut after = Vec::new();
        for (m, &x) in spend.iter().enumerate() {
            s.record(&t, m as u32 + 1, x, 1);
            after.push(s.level());
        }
        assert_eq!(
            after,
            [
                None,
                Some(0),
                Some(0),
                Some(1),
                Some(1),
                Some(0),
                Some(0),
                Some(1)
            ]
        );
        assert_eq!(s.progress(&t), None);
    }

    #[test]
    fn purchases_can_qualify_and_progress_points_at_the_next_tier() {
        let mut t = tiers();
        t.qualify = Qualify::Purchases;
        t.levels[0].threshold = 4.0;
        t.levels[1].threshold = 10.0;
        let mut s = TierState::default();
        s.reset(&t);
        s.record(&t, 1, 999.0, 1);
        assert_eq!(s.progress(&t), Some(0.25));
        s.record(&t, 2, 999.0, 3);
        assert_eq!(s.level(), Some(0));
        assert_eq!(s.progress(&t), Some(0.4));
    }
}
