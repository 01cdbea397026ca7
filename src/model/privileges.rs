//! Non-material privileges (DOMAIN §3): service, priority, special attention, events — a
//! program component of their own, usable alone or with any currency.
//!
//! Each privilege reaches all members or the members of a tier and above, costs the company
//! per member reached per month, per use and once to set up, and is worth a share of the
//! member's own spend to a member who weighs non-material value fully, times their type's
//! weight. That value enters what the design is worth to the member like any other component
//! (so it moves retention, insulation from competitors and enrolment through the type's
//! response curves), and counts as the part that holds a member (the members' own type
//! changes). On top of it, privileges move members up the attitude axis of Dick & Basu
//! (1994): each month a false-loyal member becomes truly loyal, a member of no loyalty
//! becomes latent-loyal, and (when the scenario has the committed type) a truly loyal member
//! becomes committed, with a chance that grows with the privileges' value to them:
//! `attachment[type] × v / (attachment_half + v)`. A tier the member may still reach adds its
//! extra privileges' value, discounted for the chance and the wait, as a tier's discount does.

use serde::Serialize;

use super::population::TYPES;
use super::program::{Qualify, Tiers};
use super::response::reach;

/// Default weight of non-material value by type (true, latent, false, none, committed): the
/// attached weigh status and treatment fully, the false-loyal and the unattached much less. A
/// stated assumption after Melnyk & Bijmolt (2015, EJM 49(3/4)): non-monetary discrimination
/// of members builds loyalty more than discounts or points do.
pub const DEFAULT_WEIGHTS: [f64; TYPES] = [1.0, 0.8, 0.3, 0.2, 1.0];

/// Default most monthly chance of moving up in attitude at full value, by type: false → true
/// 2% a month, none → latent 1% a month, none for latent and committed. A stated assumption
/// (DOMAIN §1: a false-loyal member can become truly loyal through non-material privileges);
/// at full value, about half of the false-loyal members who stay 36 months become truly loyal.
/// True → committed is 0 here: a scenario without the committed type has nowhere to move them;
/// with it, the default is [`DEFAULT_COMMITMENT`].
pub const DEFAULT_ATTACHMENT: [f64; TYPES] = [0.0, 0.0, 0.02, 0.01, 0.0];

/// Default most monthly chance that privileges move a truly loyal member on to committed
/// loyalty, when the scenario has that type: 0.5% a month at full value, a quarter of false →
/// true's (a stated assumption. Oliver 1999 has ultimate loyalty emerge from product
/// superiority, personal fortitude and social bonding together, and finds it out of reach for
/// many providers: a rarer, later step than false → true).
pub const DEFAULT_COMMITMENT: f64 = 0.005;

/// Default value (share of spend) giving half the most attachment: 1%, the value at which the
/// response curves of the attached types give half their effect (a stated assumption).
pub const DEFAULT_ATTACHMENT_HALF: f64 = 0.01;

/// The type a member of each type becomes when privileges attach them (a higher attitude with
/// the same patronage): false → true, none → latent, true → committed (only when the scenario
/// has committed loyalty); latent and committed stay.
pub const ATTACHED_TYPE: [usize; TYPES] = [4, 1, 0, 1, 4];

/// One privilege.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Privilege {
    /// Name, for people.
    pub name: String,
    /// Lowest tier (index into the tiers' levels) that gets it; `None` = every member.
    pub from_tier: Option<usize>,
    /// Value to a member who weighs non-material value fully, as a share of their spend.
    pub value: f64,
    /// Weight of that value by type (true, latent, false, none, committed).
    pub weights: [f64; TYPES],
    /// Cost to the company per member reached per month, in currency.
    pub cost_per_member_per_month: f64,
    /// Mean uses per member reached per month (Poisson).
    pub uses_per_member_per_month: f64,
    /// Cost to the company per use, in currency.
    pub cost_per_use: f64,
    /// One-time set-up cost, in currency (added to the investment at month 0).
    pub set_up: f64,
}

impl Privilege {
    /// Whether a member in `tier` gets it.
    pub fn reaches(&self, tier: Option<usize>) -> bool {
        match self.from_tier {
            None => true,
            Some(from) => tier.is_some_and(|t| t >= from),
        }
    }
}

/// The privileges of a design and how they attach members.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Privileges {
    /// The privileges.
    pub items: Vec<Privilege>,
    /// Most monthly chance of moving up in attitude at full value, by type.
    pub attachment: [f64; TYPES],
    /// Value giving half the most attachment (share of spend); 0 = a step.
    pub attachment_half: f64,
}

impl Privileges {
    /// Value (share of spend) of the privileges a member of type `ty` in `tier` holds now.
    pub fn held(&self, ty: usize, tier: Option<usize>) -> f64 {
        self.items
            .iter()
            .filter(|p| p.reaches(tier))
            .map(|p| p.value * p.weights.get(ty).copied().unwrap_or(0.0))
            .sum()
    }

    /// What the privileges are worth to a member of type `ty` buying `rate` times a month for
    /// `spend` each, in `tier`: those held now, plus the next tier's extra privileges × the
    /// chance of reaching its threshold within the window (and the `horizon` looked ahead) ×
    /// `delay_discount` ^ (months to get there).
    #[allow(clippy::too_many_arguments)]
    pub fn worth(
        &self,
        tiers: Option<&Tiers>,
        ty: usize,
        rate: f64,
        spend: f64,
        tier: Option<usize>,
        delay_discount: f64,
        horizon_months: u32,
    ) -> f64 {
        let now = self.held(ty, tier);
        let Some(t) = tiers else {
            return now;
        };
        let next = tier.map_or(0, |i| i + 1);
        let Some(up) = t.levels.get(next) else {
            return now;
        };
        let gain = self.held(ty, Some(next)) - now;
        if gain <= 0.0 || rate <= 0.0 || spend <= 0.0 {
            return now;
        }
        let needed = match t.qualify {
            Qualify::Spend => (up.threshold / spend).ceil(),
            Qualify::Purchases => up.threshold.ceil(),
        };
        let window = f64::from(t.window_months).min(f64::from(horizon_months).max(1.0));
        let chance = reach(needed, rate * window);
        now + gain * chance * delay_discount.powf(needed / rate)
    }

    /// Monthly chance that a member of type `ty` who values the privileges at `v` moves up in
    /// attitude, with `effect` (0–1) of the program's effect left on them.
    pub fn attachment_chance(&self, ty: usize, v: f64, effect: f64) -> f64 {
        let most = self.attachment.get(ty).copied().unwrap_or(0.0);
        if most <= 0.0 || v <= 0.0 {
            return 0.0;
        }
        let s = super::response::hill(v, self.attachment_half, 1.0);
        (most * s * effect).clamp(0.0, 1.0)
    }

    /// Cost of the privileges a member in `tier` holds for a month, with `uses` drawn for each
    /// privilege that has uses (by `draw_uses(mean)`), and the number of uses.
    pub fn month_cost(
        &self,
        tier: Option<usize>,
        mut draw_uses: impl FnMut(f64) -> u32,
    ) -> (f64, u64) {
        let mut cost = 0.0;
        let mut uses = 0u64;
        for p in self.items.iter().filter(|p| p.reaches(tier)) {
            cost += p.cost_per_member_per_month;
            if p.uses_per_member_per_month > 0.0 {
                let n = draw_uses(p.uses_per_member_per_month);
                cost += p.cost_per_use * f64::from(n);
                uses += u64::from(n);
            }
        }
        (cost, uses)
    }

    /// Total one-time set-up cost.
    pub fn set_up(&self) -> f64 {
        self.items.iter().map(|p| p.set_up).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::program::TierLevel;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12 * b.abs().max(1.0)
    }

    fn privilege(name: &str, from_tier: Option<usize>, value: f64) -> Privilege {
        Privilege {
            name: name.into(),
            from_tier,
            value,
            weights: DEFAULT_WEIGHTS,
            cost_per_member_per_month: 0.5,
            uses_per_member_per_month: 0.0,
            cost_per_use: 0.0,
            set_up: 1000.0,
        }
    }

    fn two() -> Privileges {
        Privileges {
            items: vec![
                privilege("priority line", None, 0.01),
                privilege("lounge", Some(1), 0.03),
            ],
            attachment: DEFAULT_ATTACHMENT,
            attachment_half: DEFAULT_ATTACHMENT_HALF,
        }
    }

    fn tiers() -> Tiers {
        Tiers {
            qualify: Qualify::Purchases,
            window_months: 12,
            review_every_months: 3,
            levels: vec![
                TierLevel {
                    name: "silver".into(),
                    threshold: 10.0,
                    discount: 0.0,
                    points_multiplier: 1.0,
                },
                TierLevel {
                    name: "gold".into(),
                    threshold: 30.0,
                    discount: 0.0,
                    points_multiplier: 1.0,
                },
            ],
            insulation: 0.0,
        }
    }

    #[test]
    fn a_privilege_reaches_its_tier_and_above() {
        let p = two();
        // Everyone: 1% × weight; gold adds the lounge's 3% × weight.
        assert!(close(p.held(0, None), 0.01));
        assert!(close(p.held(0, Some(0)), 0.01));
        assert!(close(p.held(0, Some(1)), 0.04));
        assert!(close(p.held(2, Some(1)), 0.04 * 0.3));
        assert!(close(p.set_up(), 2000.0));
    }

    #[test]
    fn the_next_tier_is_worth_its_extra_privileges_discounted() {
        let p = two();
        let t = tiers();
        // A true-loyal silver member buying twice a month, looking 6 months ahead: gold needs
        // 30 purchases, 12 are expected within the 6 months; 15 months away at 0.9 a month.
        let w = p.worth(Some(&t), 0, 2.0, 25.0, Some(0), 0.9, 6);
        let expected = 0.01 + 0.03 * reach(30.0, 12.0) * 0.9f64.powi(15);
        assert!(close(w, expected), "{w} vs {expected}");
        // Gold is the top: what it holds.
        assert!(close(
            p.worth(Some(&t), 0, 2.0, 25.0, Some(1), 0.9, 6),
            0.04
        ));
        // Without tiers, only what reaches everyone.
        assert!(close(p.worth(None, 0, 2.0, 25.0, None, 0.9, 6), 0.01));
    }

    #[test]
    fn attachment_grows_with_value_for_the_unattached_only() {
        let p = two();
        // False-loyal at 1% (the half): 2% × ½ = 1% a month; at 3%: 2% × 0.75.
        assert!(close(p.attachment_chance(2, 0.01, 1.0), 0.01));
        assert!(close(p.attachment_chance(2, 0.03, 1.0), 0.015));
        assert!(close(p.attachment_chance(2, 0.03, 0.5), 0.0075));
        assert!(close(p.attachment_chance(3, 0.01, 1.0), 0.005));
        assert_eq!(p.attachment_chance(0, 0.05, 1.0), 0.0);
        assert_eq!(p.attachment_chance(2, 0.0, 1.0), 0.0);
        assert_eq!(ATTACHED_TYPE[2], 0);
        assert_eq!(ATTACHED_TYPE[3], 1);
    }

    #[test]
    fn a_month_costs_what_reaches_the_member_and_their_uses() {
        let mut p = two();
        p.items[1].uses_per_member_per_month = 2.0;
        p.items[1].cost_per_use = 4.0;
        // Base members: the priority line's €0.50.
        assert_eq!(p.month_cost(None, |_| 3), (0.5, 0));
        // Gold: €0.50 + €0.50 + 3 uses × €4.
        assert_eq!(p.month_cost(Some(1), |_| 3), (13.0, 3));
    }
}
