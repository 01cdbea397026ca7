//! The program design (DOMAIN §3): its currencies as components that can be combined
//! (points, instant discount, cumulative discount, tiers), the rules shared by all of them
//! (goal gradient, reward cap, launch ramp) and its end (exit strategy, DOMAIN §4).

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

/// Goal gradient: how much faster a member buys as the next reward, tier or certificate
/// comes near.
///
/// A member's purchase rate is multiplied by `1 + strength × response × progress × pull`,
/// `pull` the saturation of the design's value relative to its saturation at 10% back, where
/// progress (at most 1) is the member's position towards the nearest goal the program sets:
/// the balance over the cheapest reward's price, the rolling spend or visits over the next
/// tier's threshold, the period's spend or visits over the certificate threshold. After a
/// redemption, an upgrade or a new period the progress, and with it the pressure, falls back.
/// Kivetz, Urminsky & Zheng (2006, J. Marketing Research 43(1)) measured purchases about 20%
/// faster near the reward than at the start of a coffee card (a card 20% closer to its end
/// was completed at a 25% higher rate), hence the default strength 0.25 for a reward worth
/// about 10% back; the pull grows with what the reward is worth (see [`super::response`]).
pub const DEFAULT_GOAL_GRADIENT: f64 = 0.25;

/// A reward members can buy with points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reward {
    /// Name, for people.
    pub name: String,
    /// Price in points.
    pub points: u64,
    /// Cost to the company of handing it out, in currency.
    pub cost: f64,
    /// Value to the member (its retail value), in currency.
    pub value: f64,
    /// Relative attractiveness, for the `appeal` choice rule.
    pub appeal: f64,
}

/// How a member who can afford several rewards chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardChoice {
    /// The affordable reward worth most to the member.
    MostValuable,
    /// The affordable reward with the lowest price in points.
    Cheapest,
    /// At random among the affordable rewards, with probabilities proportional to appeal.
    Appeal,
}

/// Partners, alone or as a coalition (DOMAIN §3: shared earn and burn across companies):
/// points earned at partners, who pay the program for them; points redeemed at partners, for
/// which the program pays them; the running costs the partners bear; and the cost of ending
/// the agreements when the program ends.
///
/// Settlements both ways are money at stated prices: each month the partners pay
/// `price_per_point` × the points their customers earned, and the program pays
/// `settlement_per_point` × `redeemed_share` × the points members redeemed (in place of the
/// in-house rewards' cost of that share). A point redeemed at a partner is worth to a member
/// what one redeemed in the catalogue is (a stated assumption), so the split changes who bears
/// the cost, not the members' behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartnerEarning {
    /// Mean points a member earns at partners per month (Poisson).
    pub points_per_member_per_month: f64,
    /// What the partner pays the program for each point issued, in currency.
    pub price_per_point: f64,
    /// Share of the points redeemed that are redeemed at partners (0 = none).
    pub redeemed_share: f64,
    /// What the program pays a partner for each point redeemed there, in currency.
    pub settlement_per_point: f64,
    /// Share of the program's running costs borne by the partners (0 = none).
    pub running_cost_share: f64,
    /// One-time cost of winding down the partner agreements, booked in the exit month.
    pub wind_down_cost: f64,
}

impl PartnerEarning {
    /// What the program pays partners for `points_redeemed` points redeemed in a month (a
    /// fraction of a point is fine: the share is an expectation).
    pub fn settlement(&self, points_redeemed: f64) -> f64 {
        self.redeemed_share * points_redeemed * self.settlement_per_point
    }

    /// The cost of one redeemed point when `point_cost` is the in-house rewards' cost of one:
    /// the blend of the catalogue and the partners' settlement price.
    pub fn blended_point_cost(&self, point_cost: f64) -> f64 {
        (1.0 - self.redeemed_share) * point_cost + self.redeemed_share * self.settlement_per_point
    }
}

/// Points for non-purchase behaviour: actions in the app, reviews, games.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Engagement {
    /// Mean rewarded actions per member per month (Poisson).
    pub actions_per_member_per_month: f64,
    /// Points per action.
    pub points_per_action: u64,
}

/// Points for referrals, each of which brings a new customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Referral {
    /// Mean referrals per member per month (Poisson); each referred customer arrives the next
    /// month, only in the world with the program.
    pub per_member_per_month: f64,
    /// Points per referral.
    pub points: u64,
}

/// The points currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointsRules {
    /// Points per currency unit of a month's member spend, rounded down to a whole point.
    pub earn_rate: f64,
    /// Most points a member can earn from purchases in a month, if capped.
    pub earn_cap_per_month: Option<u64>,
    /// Expiry policy.
    pub expiry: Expiry,
    /// The reward catalogue, cheapest first (one reward for a plain threshold).
    pub rewards: Vec<Reward>,
    /// How a member chooses among affordable rewards.
    pub choice: RewardChoice,
    /// Cost to the company of one point, used to value the outstanding points (liability).
    pub point_cost: f64,
    /// Stand-alone selling price of one point to the customer, for IFRS 15.
    pub point_value: f64,
    /// Expected breakage fixed by the scenario; `None` = simulated.
    pub breakage: Option<f64>,
    /// Revised estimates of the stated breakage: (month, breakage) in force from that month's
    /// end on, months ascending.
    pub breakage_revisions: Vec<(u32, f64)>,
    /// Whether `point_cost` was stated; if not, the cost of a point is what the points
    /// redeemed in the run cost.
    pub point_cost_stated: bool,
    /// Whether `point_value` was stated; if not, a catalogue's point value is what the points
    /// redeemed in the run were worth to members.
    pub point_value_stated: bool,
    /// Earning at partners.
    pub partner: Option<PartnerEarning>,
    /// Earning for engagement.
    pub engagement: Option<Engagement>,
    /// Earning for referrals.
    pub referral: Option<Referral>,
    /// Share of the reward cost paid by suppliers.
    pub supplier_funded_share: f64,
    /// Most points a member may hold (DOMAIN §3: a cap on accumulation); points beyond it are
    /// not credited.
    pub balance_cap: Option<u64>,
    /// Points credited in the month a member joins (a joining incentive): part of what the
    /// design shows a customer deciding whether to join (its value spread over the months they
    /// look ahead).
    pub signup_bonus: u64,
}

impl PointsRules {
    /// Points earned on `spend` in a month, with a tier's `multiplier`: rounded down, then
    /// capped.
    pub fn points_for(&self, spend: f64, multiplier: f64) -> u64 {
        // The relative nudge of 10⁻¹² keeps binary fractions from losing a point (0.57 × 100
        // is 56.99999999999999 in floating point); `as` truncates (the floor of what is not
        // negative, 0 for what is) and saturates, so nothing can wrap.
        let points = (spend * self.earn_rate * multiplier * (1.0 + 1e-12)) as u64;
        match self.earn_cap_per_month {
            Some(cap) => points.min(cap),
            None => points,
        }
    }

    /// The stated breakage in force at the end of `month`, with its revisions; `None` when
    /// breakage is simulated.
    pub fn breakage_at(&self, month: u32) -> Option<f64> {
        let stated = self.breakage?;
        Some(
            self.breakage_revisions
                .iter()
                .rev()
                .find(|(from, _)| *from <= month)
                .map_or(stated, |&(_, b)| b),
        )
    }

    /// The month's points from purchases, partners and bonuses (in that order) that fit under
    /// the balance cap for a member holding `balance`: purchase points are cut first, then
    /// partner points, then bonus points (a partner pays only for points credited).
    pub fn within_balance_cap(&self, balance: u64, points: [u64; 3]) -> [u64; 3] {
        let Some(cap) = self.balance_cap else {
            return points;
        };
        let mut room = cap.saturating_sub(balance);
        let mut kept = [0; 3];
        for (k, p) in kept.iter_mut().zip(points).rev() {
            *k = p.min(room);
            room -= *k;
        }
        kept
    }

    /// Price of the cheapest reward: the first goal a member works towards.
    pub fn first_goal(&self) -> u64 {
        self.rewards.first().map_or(u64::MAX, |r| r.points)
    }
}

/// A discount taken off each member purchase at the till.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstantDiscount {
    /// Share taken off a basket (below the first band, above the minimum).
    pub rate: f64,
    /// Smallest basket that gets a discount, in currency (0 = all).
    pub min_basket: f64,
    /// Larger rates for larger baskets: (from basket size, rate), ascending.
    pub bands: Vec<(f64, f64)>,
    /// How former members react to the list price once the discount has ended.
    pub reference_price: ReferencePrice,
    /// Share of the discount's value to a member that shields them from a competitor
    /// promotion (1 = like any other value, 0 = none: a price-driven member is held by no
    /// attachment, DOMAIN §1).
    pub insulation: f64,
}

/// The reference-price effect of ending a discount (Kalyanaram & Winer 1995): members judge a
/// price against the prices they have paid, so once the discount ends the list price is a loss
/// of `d / (1 − d)` over their reference price, `d` the rate they had on their typical basket,
/// and losses weigh on demand. The reference price adapts: the gap left `t` months after the
/// end is that loss × `memory`ᵗ. A former member's purchase rate is multiplied by
/// `max(0, 1 − loss × gap)`. Points and certificates leave the shelf price alone, so their end
/// has no such effect (Zhang & Breugelmans 2012).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReferencePrice {
    /// Relative fall of the purchase rate per unit of relative price rise over the reference.
    pub loss: f64,
    /// Share of the gap still remembered a month later (0 = forgotten at once).
    pub memory: f64,
}

impl ReferencePrice {
    /// The defaults: the mean price elasticity of 1,851 published estimates (−2.62, Bijmolt,
    /// van Heerde & Pieters 2005) applied to the loss, and 70% of the gap remembered a month
    /// later (a stated assumption: the effect is strongest right after the change and fades as
    /// the reference adapts, Fibich, Gavious & Lowengart 2005).
    pub const DEFAULT: ReferencePrice = ReferencePrice {
        loss: 2.62,
        memory: 0.7,
    };

    /// Multiplier of a former member's purchase rate `months_since_end` months after a
    /// discount of `rate` on their typical basket ended (0 = the first month without it).
    pub fn rate_factor(&self, rate: f64, months_since_end: u32) -> f64 {
        if self.loss == 0.0 || rate <= 0.0 || rate >= 1.0 {
            return 1.0;
        }
        let gap = rate / (1.0 - rate) * self.memory.powf(f64::from(months_since_end));
        (1.0 - self.loss * gap).max(0.0)
    }
}

impl InstantDiscount {
    /// Rate for a basket of `basket` currency.
    pub fn rate_for(&self, basket: f64) -> f64 {
        if basket < self.min_basket {
            return 0.0;
        }
        self.bands
            .iter()
            .rev()
            .find(|(from, _)| basket >= *from)
            .map_or(self.rate, |&(_, rate)| rate)
    }

    /// True when the discount depends on the size of each basket, so baskets must be drawn
    /// one by one rather than as a month's total.
    pub fn needs_baskets(&self) -> bool {
        self.min_basket > 0.0 || !self.bands.is_empty()
    }
}

/// What qualifies a member for a certificate or a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualify {
    /// Spend in the period or window.
    Spend,
    /// Number of purchases in the period or window.
    Purchases,
}

/// Certificates earned by reaching a threshold in a period (DOMAIN §3, cumulative discount).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumulativeDiscount {
    /// Length of a period in months (1 = month, 3 = quarter); periods start at launch.
    pub period_months: u32,
    /// Whether spend or purchases qualify.
    pub qualify: Qualify,
    /// Spend (currency) or purchases needed in a period.
    pub threshold: f64,
    /// Certificate value as a share of the period's spend (0 with a fixed `amount`).
    pub rate: f64,
    /// A certificate of a fixed value, in currency, instead of a share of the spend.
    pub amount: Option<f64>,
    /// Months a certificate can be used, from the month after it is issued.
    pub validity_months: u32,
    /// Expected breakage fixed by the scenario; `None` = simulated.
    pub breakage: Option<f64>,
}

impl CumulativeDiscount {
    /// Value of the certificate, in cents, earned by `period_spend` in a period that reached
    /// the threshold: the fixed amount, or the rate's share of the spend (rounded down).
    pub fn certificate_cents(&self, period_spend: f64) -> u64 {
        // (`as` truncates: the floor of what is not negative, 0 for what is.)
        match self.amount {
            Some(amount) => (amount * 100.0 * (1.0 + 1e-12)) as u64,
            None => (period_spend * self.rate * 100.0 * (1.0 + 1e-12)) as u64,
        }
    }
}

/// One tier of a differentiated program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierLevel {
    /// Name, for people.
    pub name: String,
    /// Rolling spend (currency) or purchases that qualify for the tier.
    pub threshold: f64,
    /// Discount on every purchase in this tier.
    pub discount: f64,
    /// Multiplier of the points earned on purchases in this tier.
    pub points_multiplier: f64,
}

/// A differentiated (tiered) program: status by rolling spend or visits, reviewed at stated
/// points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tiers {
    /// Whether spend or purchases qualify.
    pub qualify: Qualify,
    /// Months of the rolling window.
    pub window_months: u32,
    /// Tiers are reviewed at the end of every this many months after launch; upgrades and
    /// downgrades take effect the month after.
    pub review_every_months: u32,
    /// The tiers above the base, lowest threshold first.
    pub levels: Vec<TierLevel>,
    /// Share of a tier's discount value to a member that shields them from a competitor
    /// promotion, as an instant discount's `insulation` (default 0: a discount at the till is
    /// price, and price holds no one; the status and the next tier hold).
    pub insulation: f64,
}

impl Tiers {
    /// The discount of the first tier that gives one: what a customer sees most members of a
    /// tier program get at the till (0 when no tier gives a discount).
    pub fn first_discount(&self) -> f64 {
        self.levels
            .iter()
            .map(|l| l.discount)
            .find(|d| *d > 0.0)
            .unwrap_or(0.0)
    }

    /// The tier (index into `levels`) for a rolling total, `None` below the first threshold.
    pub fn level_for(&self, rolling: f64) -> Option<usize> {
        self.levels.iter().rposition(|l| rolling >= l.threshold)
    }
}

/// What happens to outstanding rewards when the program ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    /// Members may still redeem during the grace months; what is left then expires.
    Honour,
    /// Outstanding points and certificates are paid out at cost when the program ends.
    Cash,
}

/// The end of the program (the exit strategy).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Exit {
    /// First month without the program: no earning, no lifts, no new members.
    pub month: u32,
    /// Months after the end in which outstanding rewards can still be redeemed.
    pub grace_months: u32,
    /// How outstanding rewards are settled.
    pub settlement: Settlement,
    /// One-time cost of closing the program, booked in the exit month, in currency.
    pub cost: f64,
}

/// Where the program stands in a given month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Running: earning, lifts, redemption.
    Running,
    /// Ended, but outstanding rewards can still be redeemed.
    Grace,
    /// Ended and settled.
    Closed,
}

/// A design's own scaling of the response curves' maxima (`[program] response`): 1 = the
/// curves as the population states them. What a design delivers comes from what it is worth to
/// each member (see [`super::response`]); this lets a scenario say that a design's currency
/// moves people more or less than its value alone would (e.g. a brand's own prizes).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Response {
    /// Scaling of the frequency maximum.
    pub frequency: f64,
    /// Scaling of the basket maximum.
    pub basket: f64,
    /// Scaling of the retention maximum.
    pub retention: f64,
    /// Scaling of the members' extra type changes (towards loyalty).
    pub attachment: f64,
}

impl Response {
    /// The curves as stated.
    pub const FULL: Response = Response {
        frequency: 1.0,
        basket: 1.0,
        retention: 1.0,
        attachment: 1.0,
    };
}

/// How members lose interest when rewards stay out of reach (DOMAIN §3: "if members of a long
/// program earn faster than they burn, they lose interest over time").
///
/// A member is fully engaged for `patience_months` after their last reward (joining counts as
/// one; so does any redemption, certificate used or discount received); after that, the
/// program's effect on them (lifts, goal gradient, retention) falls by `decay_per_month` a
/// month, and comes back whole with the next reward. The defaults, 6 months and 10% a month,
/// are a stated assumption; `decay_per_month = 0` turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Disengagement {
    /// Months a member stays engaged without a reward.
    pub patience_months: u32,
    /// Share of the remaining effect lost each month after that.
    pub decay_per_month: f64,
}

impl Disengagement {
    /// The defaults.
    pub const DEFAULT: Disengagement = Disengagement {
        patience_months: 6,
        decay_per_month: 0.1,
    };

    /// Share of the program's effect left `months` after the last reward.
    pub fn interest(&self, months: u32) -> f64 {
        if months <= self.patience_months || self.decay_per_month == 0.0 {
            1.0
        } else {
            (1.0 - self.decay_per_month).powf(f64::from(months - self.patience_months))
        }
    }
}

/// A program design: one or more currencies and the rules they share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Program {
    /// Points, if the design has them.
    pub points: Option<PointsRules>,
    /// Instant discount, if any.
    pub instant_discount: Option<InstantDiscount>,
    /// Cumulative discount (certificates), if any.
    pub cumulative_discount: Option<CumulativeDiscount>,
    /// Tiers, if any.
    pub tiers: Option<Tiers>,
    /// Goal-gradient strength (0 = off).
    pub goal_gradient: f64,
    /// Most reward value a member may receive in a month (the acceptable reward limit), in
    /// currency: discounts, rewards' value and certificates redeemed together.
    pub reward_cap_per_member_per_month: Option<f64>,
    /// Months over which the members who join at launch join (1 = all in the first month).
    pub enrolment_ramp_months: u32,
    /// The end of the program, if planned.
    pub exit: Option<Exit>,
    /// The design's scaling of the response curves' maxima.
    pub response: Response,
    /// Chance that a customer who would join signs up at a given visit (1 = at once).
    pub joining_per_visit: f64,
    /// How members lose interest without rewards.
    pub disengagement: Disengagement,
    /// Non-material privileges, if the design has them.
    pub privileges: Option<super::privileges::Privileges>,
    /// A prize draw on member purchases, if any.
    pub prizes: Option<super::prizes::Prizes>,
    /// Who gets what, when the design targets some members; `None` = every component for
    /// every member.
    pub targeting: Option<super::targeting::Targeting>,
    /// How customers who are not members react to members' price advantage, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bystanders: Option<super::reactions::Bystanders>,
    /// How members react to a threshold they missed, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disappointment: Option<super::reactions::Disappointment>,
}

impl Program {
    /// Where the program stands in `month` (1-based).
    pub fn phase(&self, month: u32) -> Phase {
        match self.exit {
            Some(e) if month >= e.month + e.grace_months => Phase::Closed,
            Some(e) if month >= e.month => Phase::Grace,
            _ => Phase::Running,
        }
    }

    /// The components present, for people (e.g. "points + tiers").
    pub fn design(&self) -> String {
        let mut parts = Vec::new();
        if self.points.is_some() {
            parts.push("points");
        }
        if self.instant_discount.is_some() {
            parts.push("instant discount");
        }
        if self.cumulative_discount.is_some() {
            parts.push("cumulative discount");
        }
        if self.tiers.is_some() {
            parts.push("tiers");
        }
        if self.privileges.is_some() {
            parts.push("privileges");
        }
        if self.prizes.is_some() {
            parts.push("prizes");
        }
        parts.join(" + ")
    }

    /// How much of the program's behavioural effect a copying competitor takes away, by
    /// default: discounts are easy to copy, points less so (DOMAIN §3). A stated assumption:
    /// instant discount 1.0 (all of it), cumulative discount 0.7, tiers 0.5, points and
    /// non-material privileges (a service and a status specific to the brand) 0.3; a
    /// combination is as easy to copy as its hardest-to-copy part.
    pub fn default_copy_erosion(&self) -> f64 {
        let mut erosion: f64 = 1.0;
        if self.cumulative_discount.is_some() {
            erosion = erosion.min(0.7);
        }
        if self.tiers.is_some() {
            erosion = erosion.min(0.5);
        }
        if self.points.is_some() || self.privileges.is_some() {
            erosion = erosion.min(0.3);
        }
        erosion
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn points() -> PointsRules {
        PointsRules {
            earn_rate: 1.5,
            earn_cap_per_month: Some(50),
            expiry: Expiry::Never,
            rewards: vec![Reward {
                name: "reward".into(),
                points: 100,
                cost: 1.0,
                value: 1.0,
                appeal: 1.0,
            }],
            choice: RewardChoice::MostValuable,
            point_cost: 0.01,
            point_value: 0.01,
            breakage: None,
            breakage_revisions: Vec::new(),
            point_cost_stated: true,
            point_value_stated: true,
            partner: None,
            engagement: None,
            referral: None,
            supplier_funded_share: 0.0,
            balance_cap: None,
            signup_bonus: 0,
        }
    }

    #[test]
    fn the_balance_cap_cuts_purchase_points_first() {
        let p = PointsRules {
            balance_cap: Some(1000),
            ..points()
        };
        // 950 held: room for 50; the 20 bonus and 25 partner points fit, 5 of the 40 purchase
        // points do.
        assert_eq!(p.within_balance_cap(950, [40, 25, 20]), [5, 25, 20]);
        assert_eq!(p.within_balance_cap(990, [40, 25, 20]), [0, 0, 10]);
        assert_eq!(p.within_balance_cap(1000, [40, 25, 20]), [0, 0, 0]);
        assert_eq!(p.within_balance_cap(2000, [40, 25, 20]), [0, 0, 0]);
        assert_eq!(p.within_balance_cap(0, [40, 25, 20]), [40, 25, 20]);
        assert_eq!(points().within_balance_cap(u64::MAX, [1, 2, 3]), [1, 2, 3]);
    }

    #[test]
    fn points_are_rounded_down_then_capped() {
        let p = points();
        assert_eq!(p.points_for(10.99, 1.0), 16); // 16.485 → 16
        assert_eq!(p.points_for(0.5, 1.0), 0);
        assert_eq!(p.points_for(1000.0, 1.0), 50);
        assert_eq!(p.points_for(f64::INFINITY, 1.0), 50);
        assert_eq!(p.points_for(10.0, 2.0), 30); // a tier doubling 15 points
        let whole = PointsRules {
            earn_rate: 100.0,
            earn_cap_per_month: None,
            ..points()
        };
        assert_eq!(whole.points_for(0.57, 1.0), 57);
    }

    #[test]
    fn interest_holds_for_the_patience_then_decays() {
        let d = Disengagement {
            patience_months: 6,
            decay_per_month: 0.1,
        };
        assert_eq!(d.interest(0), 1.0);
        assert_eq!(d.interest(6), 1.0);
        assert!((d.interest(7) - 0.9).abs() < 1e-12);
        assert!((d.interest(9) - 0.729).abs() < 1e-12);
        let off = Disengagement {
            patience_months: 0,
            decay_per_month: 0.0,
        };
        assert_eq!(off.interest(100), 1.0);
    }

    #[test]
    fn the_end_of_a_discount_is_a_loss_that_fades() {
        let r = ReferencePrice::DEFAULT;
        // 5% off: the list price is 0.05/0.95 = 5.26% over the reference; × 2.62 = 13.8%
        // fewer purchases in the first month without it, then 0.7 of that gap a month later.
        assert!((r.rate_factor(0.05, 0) - (1.0 - 2.62 * 0.05 / 0.95)).abs() < 1e-12);
        assert!((r.rate_factor(0.05, 1) - (1.0 - 2.62 * 0.05 / 0.95 * 0.7)).abs() < 1e-12);
        assert!(r.rate_factor(0.05, 24) > 0.9999);
        assert_eq!(r.rate_factor(0.0, 0), 1.0);
        // A loss too large to bear stops purchases, never makes them negative.
        assert_eq!(r.rate_factor(0.5, 0), 0.0);
        let off = ReferencePrice {
            loss: 0.0,
            memory: 0.7,
        };
        assert_eq!(off.rate_factor(0.05, 0), 1.0);
    }

    #[test]
    fn instant_discount_bands_and_minimum_basket() {
        let d = InstantDiscount {
            rate: 0.05,
            min_basket: 10.0,
            bands: vec![(50.0, 0.07), (100.0, 0.10)],
            reference_price: ReferencePrice::DEFAULT,
            insulation: 1.0,
        };
        assert_eq!(d.rate_for(9.99), 0.0);
        assert_eq!(d.rate_for(10.0), 0.05);
        assert_eq!(d.rate_for(49.99), 0.05);
        assert_eq!(d.rate_for(50.0), 0.07);
        assert_eq!(d.rate_for(250.0), 0.10);
        assert!(d.needs_baskets());
        let flat = InstantDiscount {
            rate: 0.05,
            min_basket: 0.0,
            bands: vec![],
            reference_price: ReferencePrice::DEFAULT,
            insulation: 1.0,
        };
        assert!(!flat.needs_baskets());
    }

    #[test]
    fn tier_levels_and_phases() {
        let t = Tiers {
            qualify: Qualify::Spend,
            window_months: 12,
            review_every_months: 3,
            levels: vec![
                TierLevel {
                    name: "silver".into(),
                    threshold: 300.0,
                    discount: 0.02,
                    points_multiplier: 1.25,
                },
                TierLevel {
                    name: "gold".into(),
                    threshold: 1000.0,
                    discount: 0.05,
                    points_multiplier: 1.5,
                },
            ],
            insulation: 0.0,
        };
        assert_eq!(t.level_for(299.0), None);
        assert_eq!(t.level_for(300.0), Some(0));
        assert_eq!(t.level_for(5000.0), Some(1));
        let p = Program {
            points: None,
            instant_discount: None,
            cumulative_discount: None,
            tiers: Some(t),
            goal_gradient: 0.2,
            reward_cap_per_member_per_month: None,
            enrolment_ramp_months: 1,
            exit: Some(Exit {
                month: 24,
                grace_months: 3,
                settlement: Settlement::Honour,
                cost: 0.0,
            }),
            response: Response::FULL,
            disengagement: Disengagement::DEFAULT,
            joining_per_visit: 1.0,
            privileges: None,
            prizes: None,
            targeting: None,
            bystanders: None,
            disappointment: None,
        };
        assert_eq!(p.phase(23), Phase::Running);
        assert_eq!(p.phase(24), Phase::Grace);
        assert_eq!(p.phase(26), Phase::Grace);
        assert_eq!(p.phase(27), Phase::Closed);
        assert_eq!(p.default_copy_erosion(), 0.5);
    }
}
