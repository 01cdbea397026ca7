//! The currencies' downsides as customers' reactions, beyond the reference price of an ended
//! discount ([`super::program::ReferencePrice`]): customers who are not members reacting to
//! the price advantage members get ([`Bystanders`]), and members reacting to a threshold they
//! missed: points expired unredeemed, a cumulative-discount period ended short of its
//! threshold, a demotion from a tier ([`Disappointment`]). Both apply to every design at
//! their defaults unless it states other sizes (0 switches one off). Pure functions, called by
//! the kernel; docs/model.md explains them with worked examples.

use serde::Serialize;

use super::program::{Program, Tiers};
use super::response::Effects;

/// An instant discount's or a tier discount's `insulation` when not stated: none. Pure price
/// programs create no attachment, and price-driven members leave for a bigger discount (the
/// sources (DOMAIN §1); Zhang & Breugelmans 2012, JMR 49(1): shoppers of a points program
/// ignored competitors' promotions).
pub const INSULATION: f64 = 0.0;

/// How customers who are not members react, while the program runs, to seeing members pay
/// less than they do. Steinhoff & Palmatier (2016, JAMS 44(1)) found that loyalty programs
/// have opposing effects on targets and on bystanders: bystanders' perceived unfairness lowers
/// their loyalty and sales, and the more visible the rewards, the stronger the effect (both
/// ways). The sizes are stated assumptions.
///
/// The members' visible advantage, for a customer whose typical basket is b, is
/// a = the instant discount's rate at b + the first tier discount (what members of a tier
/// pay less at the till) + `certificate_visibility` × the cumulative discount's rate (a
/// certificate at a period's end is seen less than a price cut at the till); points leave the
/// shelf price alone and count for nothing. A bystander's purchase rate is multiplied
/// by max(0, 1 − `rate_cut` × a) and their monthly attrition by 1 + `attrition_rise` × a.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bystanders {
    /// Relative fall of a bystander's purchase rate per unit of the members' visible advantage.
    pub rate_cut: f64,
    /// Relative rise of a bystander's monthly attrition per unit of that advantage.
    pub attrition_rise: f64,
    /// Weight of a cumulative discount's rate in the visible advantage (1 = like a price cut
    /// at the till).
    pub certificate_visibility: f64,
}

impl Bystanders {
    /// The defaults, for a design that does not state `[program.bystanders]` or states it
    /// without numbers (stated assumptions): a 5% member discount makes bystanders buy 2.5%
    /// less (`rate_cut` 0.5, a fifth of the mean price elasticity, 2.62, as their own price has
    /// not changed and they may join when they like) and lapse 5% more often
    /// (`attrition_rise` 1); a certificate counts half as much as a price cut at the till.
    pub const DEFAULT: Bystanders = Bystanders {
        rate_cut: 0.5,
        attrition_rise: 1.0,
        certificate_visibility: 0.5,
    };

    /// Whether a customer who is not a member can react to `program` at all: it shows members
    /// a lower price (an instant discount, a tier discount, or a cumulative discount given as a
    /// rate and seen) and the reaction has a size. When not, customers who never join live the
    /// same life with and without the program.
    pub fn can_react(&self, program: &Program) -> bool {
        let shown = program.instant_discount.is_some()
            || first_tier_discount(program) > 0.0
            || (self.certificate_visibility > 0.0
                && program
                    .cumulative_discount
                    .as_ref()
                    .is_some_and(|c| c.amount.is_none() && c.rate > 0.0));
        shown && (self.rate_cut > 0.0 || self.attrition_rise > 0.0)
    }

    /// The members' price advantage a customer with a typical basket of `basket` sees in
    /// `program` (share of the price).
    pub fn advantage(&self, program: &Program, basket: f64) -> f64 {
        let instant = program
            .instant_discount
            .as_ref()
            .map_or(0.0, |d| d.rate_for(basket));
        // A certificate of a fixed amount has no rate to see: it counts for nothing here.
        let certificate = program
            .cumulative_discount
            .as_ref()
            .filter(|c| c.amount.is_none())
            .map_or(0.0, |c| c.rate);
        instant + first_tier_discount(program) + self.certificate_visibility * certificate
    }

    /// What the program does to a bystander who sees an `advantage` (see [`Self::advantage`]):
    /// their purchase rate and attrition multipliers; no other effect.
    pub fn effects(&self, advantage: f64) -> Effects {
        if advantage <= 0.0 {
            return Effects::NONE;
        }
        Effects {
            rate: (1.0 - self.rate_cut * advantage).max(0.0),
            attrition: 1.0 + self.attrition_rise * advantage,
            ..Effects::NONE
        }
    }
}

/// The first tier discount of `program` (see [`Tiers::first_discount`]), 0 without tiers.
fn first_tier_discount(program: &Program) -> f64 {
    program.tiers.as_ref().map_or(0.0, Tiers::first_discount)
}

/// How a member reacts to a threshold they missed: points that expired unredeemed from a
/// balance of at least `near` of the first reward, a cumulative-discount period that ended
/// with at least `near` of its threshold reached but not all of it (not the period the member
/// joined part-way through), a demotion to a lower tier (or out of the tiers). For the
/// `months` months after the month of the miss, the member's purchase rate (with the program's
/// lifts) is multiplied by 1 − `rate_cut` and their monthly attrition by 1 + `attrition_rise`.
/// A new miss starts the months again.
///
/// Wagner, Hennig-Thurau & Rudolph (2009, J. Marketing 73(3)) found that demoted customers'
/// loyalty intentions fall below those of customers never promoted, so losing a status weighs
/// more than gaining it helps; losses weigh more than gains in general (Kalyanaram & Winer
/// 1995). The sizes and the treatment of expired points and missed certificates like a
/// demotion are stated assumptions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Disappointment {
    /// Relative fall of the purchase rate in the months after a miss.
    pub rate_cut: f64,
    /// Relative rise of monthly attrition in the months after a miss.
    pub attrition_rise: f64,
    /// Months the reaction lasts, from the month after the miss.
    pub months: u32,
    /// Share of a cumulative discount's threshold from which a period ended short of it is a
    /// miss, and of the first reward's points from which an expiry is (below it the member was
    /// not trying).
    pub near: f64,
}

impl Disappointment {
    /// The defaults, for a design that does not state `[program.disappointment]` or states it
    /// without numbers (stated assumptions): 10% fewer purchases and 50% more attrition for 3
    /// months; a period ended with at least half its threshold reached is a miss, and so is an
    /// expiry from a balance of at least half the first reward.
    pub const DEFAULT: Disappointment = Disappointment {
        rate_cut: 0.10,
        attrition_rise: 0.5,
        months: 3,
        near: 0.5,
    };

    /// Whether a member whose last miss was in `missed` (if ever) still reacts in `month`.
    pub fn reacting(&self, missed: Option<u32>, month: u32) -> bool {
        missed.is_some_and(|m| month > m && month - m <= self.months)
    }

    /// `effects` of the program on a member who still reacts to a miss.
    pub fn apply(&self, effects: Effects) -> Effects {
        Effects {
            rate: effects.rate * (1.0 - self.rate_cut),
            attrition: effects.attrition * (1.0 + self.attrition_rise),
            ..effects
        }
    }

    /// Whether a period that ended with `done` of a `threshold` reached is a miss.
    pub fn near_miss(&self, done: f64, threshold: f64) -> bool {
        done < threshold && done >= self.near * threshold
    }

    /// Whether points expiring from a balance of `held` points miss a reward of `goal` points:
    /// the member held at least `near` of it (a balance at or above the goal counts too: the
    /// points lost were a reward within reach).
    pub fn near_miss_of_points(&self, held: u64, goal: u64) -> bool {
        held as f64 >= self.near * goal as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::program::{
        CumulativeDiscount, Disengagement, InstantDiscount, Qualify, ReferencePrice, Response,
    };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn bystanders_see_the_instant_rate_and_half_the_certificate_rate() {
        let mut p = Program {
            points: None,
            instant_discount: None,
            cumulative_discount: None,
            tiers: None,
            goal_gradient: 0.0,
            reward_cap_per_member_per_month: None,
            enrolment_ramp_months: 1,
            exit: None,
            response: Response::FULL,
            disengagement: Disengagement::DEFAULT,
            joining_per_visit: 1.0,
            privileges: None,
            prizes: None,
            targeting: None,
            bystanders: None,
            disappointment: None,
        };
        p.instant_discount = Some(InstantDiscount {
            rate: 0.05,
            min_basket: 20.0,
            bands: vec![],
            reference_price: ReferencePrice::DEFAULT,
            insulation: 1.0,
        });
        p.cumulative_discount = Some(CumulativeDiscount {
            period_months: 3,
            qualify: Qualify::Spend,
            threshold: 100.0,
            rate: 0.04,
            amount: None,
            validity_months: 3,
            breakage: None,
        });
        let b = Bystanders::DEFAULT;
        // €25 baskets: 5% + 0.5 × 4% = 7%; €15 baskets, below the minimum: 2%.
        assert!(close(b.advantage(&p, 25.0), 0.07));
        assert!(close(b.advantage(&p, 15.0), 0.02));
        // 7% seen: purchases × (1 − 0.5 × 0.07) = 0.965, attrition × (1 + 1 × 0.07) = 1.07.
        let e = b.effects(0.07);
        assert!(close(e.rate, 0.965));
        assert!(close(e.attrition, 1.07));
        // The design shows members a lower price; points alone show none, nor sizes of 0.
        assert!(b.can_react(&p));
        let deaf = Bystanders {
            rate_cut: 0.0,
            attrition_rise: 0.0,
            ..b
        };
        assert!(!deaf.can_react(&p));
        let mut certificate_only = p.clone();
        certificate_only.instant_discount = None;
        assert!(b.can_react(&certificate_only));
        let unseen = Bystanders {
            certificate_visibility: 0.0,
            ..b
        };
        assert!(!unseen.can_react(&certificate_only));
        certificate_only.cumulative_discount = None;
        assert!(!b.can_react(&certificate_only));
        assert_eq!((e.basket, e.pull, e.attachment), (1.0, 1.0, 0.0));
        // Nothing seen, nothing felt; a huge cut never makes a negative rate.
        assert_eq!(b.effects(0.0), Effects::NONE);
        let harsh = Bystanders {
            rate_cut: 20.0,
            ..b
        };
        assert_eq!(harsh.effects(0.07).rate, 0.0);
    }

    #[test]
    fn a_miss_lowers_purchases_and_raises_attrition_for_its_months() {
        let d = Disappointment::DEFAULT;
        // A miss in month 10 is felt in months 11, 12 and 13, not in 10 nor 14.
        assert!(!d.reacting(Some(10), 10));
        assert!(d.reacting(Some(10), 11));
        assert!(d.reacting(Some(10), 13));
        assert!(!d.reacting(Some(10), 14));
        assert!(!d.reacting(None, 11));
        // A member lifted 4% with 20% less attrition: 1.04 × 0.9 = 0.936, 0.8 × 1.5 = 1.2.
        let lifted = Effects {
            rate: 1.04,
            attrition: 0.8,
            ..Effects::NONE
        };
        let e = d.apply(lifted);
        assert!(close(e.rate, 0.936));
        assert!(close(e.attrition, 1.2));
        // €60 of a €100 threshold is a miss; €40 is not trying, €100 is no miss.
        assert!(d.near_miss(60.0, 100.0));
        assert!(!d.near_miss(40.0, 100.0));
        assert!(!d.near_miss(100.0, 100.0));
        // Points expiring from 250 of a 500-point reward are a miss, from 249 not; from a
        // balance past the reward they are (a reward was lost).
        assert!(d.near_miss_of_points(250, 500));
        assert!(!d.near_miss_of_points(249, 500));
        assert!(d.near_miss_of_points(600, 500));
    }
}
