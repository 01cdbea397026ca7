//! Targeting (DOMAIN §2–3: different offers for different groups; disproportionately large
//! rewards for the segments with the most potential): a component limited to some members, and
//! offers that add to the design for some members only.
//!
//! A member is described by their segment: loyalty type, RFM group ([`super::rfm`]) and tier.
//! A [`Target`] covers some segments. Each money component (points, instant discount,
//! cumulative discount, prizes) can be limited to a target (`only`); a privilege can be limited
//! by type and group on top of its tier `reach`. An [`Offer`] gives the members it covers bonus
//! points and an extra discount on the chosen items, a share of their basket.
//!
//! The kernel does not learn a second set of rules: for each segment, [`Targeting::segment`]
//! writes the design as that segment sees it — a plain [`Program`] with the components it is
//! not covered by removed (points that earn nothing, but whose balance can still be redeemed)
//! and its offers folded into the earn rate and the discount rate — and everything else (the
//! value of the design to the member, their response, the costs at the till and at
//! redemption) runs on that program as on any other.

use serde::Serialize;

use super::dated::When;
use super::program::{InstantDiscount, Program};

/// The members a component or an offer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Target {
    /// Loyalty types covered ([`super::population::LoyaltyType::ALL`] order).
    pub types: [bool; super::population::TYPES],
    /// RFM groups covered ([`super::rfm::Group::ALL`] order).
    pub groups: [bool; 4],
    /// Lowest tier covered (index into the tiers' levels); `None` = every member.
    pub from_tier: Option<usize>,
}

impl Target {
    /// Every member.
    pub const ALL: Target = Target {
        types: [true; super::population::TYPES],
        groups: [true; 4],
        from_tier: None,
    };

    /// Whether a member of type `ty`, group `group`, in `tier` is covered.
    pub fn covers(&self, ty: usize, group: usize, tier: Option<usize>) -> bool {
        self.types.get(ty).copied().unwrap_or(false)
            && self.groups.get(group).copied().unwrap_or(false)
            && match self.from_tier {
                None => true,
                Some(from) => tier.is_some_and(|t| t >= from),
            }
    }
}

/// Bonus points and an extra discount on chosen items, for the members of a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    /// Name, for people.
    pub name: String,
    /// Who gets it.
    pub target: Target,
    /// Share of a member's basket that the chosen items make (1 = the whole basket).
    pub basket_share: f64,
    /// Extra points per currency unit spent on the chosen items.
    pub bonus_points: f64,
    /// Extra discount on the chosen items, as a share of their price.
    pub discount: f64,
    /// When it applies (see [`super::dated`]); `None` = on every purchase.
    pub when: Option<When>,
}

/// The design's targeting: each component's target and the offers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Targeting {
    /// Who earns points (all members can redeem what they hold).
    pub points: Target,
    /// Who gets the instant discount.
    pub instant_discount: Target,
    /// Who earns certificates.
    pub cumulative_discount: Target,
    /// Who takes part in the prize draw.
    pub prizes: Target,
    /// Who gets the tiers' discounts, tier by tier (every member keeps their status, the
    /// points multiplier and the privileges it brings).
    pub tier_discounts: Target,
    /// Each privilege's types and groups, in the privileges' order (their tier is `reach`).
    pub privileges: Vec<Target>,
    /// The offers.
    pub offers: Vec<Offer>,
}

impl Targeting {
    /// The design as a member of type `ty`, RFM group `group`, in `tier` sees it: `program`
    /// (whose own `targeting` is not read) with what does not cover them removed and the offers
    /// that do folded in. An offer's bonus adds `bonus_points × basket_share` points per unit
    /// of the whole basket to the earn rate (so the tier's multiplier and the monthly cap apply
    /// to them too), and its discount `discount × basket_share` to the instant discount rate
    /// and each of its bands.
    pub fn segment(
        &self,
        program: &Program,
        ty: usize,
        group: usize,
        tier: Option<usize>,
    ) -> Program {
        self.fold(program, ty, group, tier, |_| 0.0)
    }

    /// The design as a member of type `ty`, RFM group `group`, in `tier` values it: the
    /// [`Targeting::segment`] with each dated offer that covers them folded in as well, scaled
    /// by the share of their spend it applies to on average ([`When::average_share`]).
    pub fn segment_worth(
        &self,
        program: &Program,
        ty: usize,
        group: usize,
        tier: Option<usize>,
    ) -> Program {
        self.fold(program, ty, group, tier, When::average_share)
    }

    /// Whether any offer is dated.
    pub fn has_dated(&self) -> bool {
        self.offers.iter().any(|o| o.when.is_some())
    }

    /// The dated offers that cover a member of type `ty`, RFM group `group`, in `tier`.
    pub fn dated_for(
        &self,
        ty: usize,
        group: usize,
        tier: Option<usize>,
    ) -> impl Iterator<Item = (&Offer, When)> {
        self.offers.iter().filter_map(move |o| match o.when {
            Some(w) if o.target.covers(ty, group, tier) => Some((o, w)),
            _ => None,
        })
    }

    /// The `segment` design for one month with the dated offers that cover the member folded
    /// in, each scaled by the share of the month's spend it applies to (`share`, 0–1); `None`
    /// when none applies this month.
    pub fn dated_month(
        &self,
        segment: &Program,
        ty: usize,
        group: usize,
        tier: Option<usize>,
        mut share: impl FnMut(&When) -> f64,
    ) -> Option<Program> {
        let (bonus, discount) =
            self.dated_for(ty, group, tier)
                .fold((0.0, 0.0), |(b, d), (o, w)| {
                    let f = share(&w);
                    (
                        b + o.bonus_points * o.basket_share * f,
                        d + o.discount * o.basket_share * f,
                    )
                });
        if bonus <= 0.0 && discount <= 0.0 {
            return None;
        }
        let mut p = segment.clone();
        if let Some(points) = &mut p.points {
            points.earn_rate += bonus;
        }
        add_discount(&mut p, discount, None);
        Some(p)
    }

    /// [`Targeting::segment`], with each dated offer folded in at `weight(when)` (0 leaves it
    /// out).
    fn fold(
        &self,
        program: &Program,
        ty: usize,
        group: usize,
        tier: Option<usize>,
        weight: impl Fn(&When) -> f64,
    ) -> Program {
        let mut p = program.clone();
        p.targeting = None;
        let offers = self
            .offers
            .iter()
            .filter(|o| o.target.covers(ty, group, tier));
        let (bonus, extra_discount) = offers.fold((0.0, 0.0), |(b, d), o| match &o.when {
            None => (
                b + o.bonus_points * o.basket_share,
                d + o.discount * o.basket_share,
            ),
            Some(w) => {
                let f = weight(w);
                if f > 0.0 {
                    (
                        b + o.bonus_points * o.basket_share * f,
                        d + o.discount * o.basket_share * f,
                    )
                } else {
                    (b, d)
                }
            }
        });
        if let Some(points) = &mut p.points {
            if self.points.covers(ty, group, tier) {
                points.earn_rate += bonus;
            } else {
                points.earn_rate = bonus;
                points.partner = None;
                points.engagement = None;
                points.referral = None;
            }
        }
        let covered = self.instant_discount.covers(ty, group, tier);
        if !covered {
            let base = p.instant_discount.take();
            add_discount(&mut p, extra_discount, base.as_ref());
        } else {
            add_discount(&mut p, extra_discount, None);
        }
        if !self.cumulative_discount.covers(ty, group, tier) {
            p.cumulative_discount = None;
        }
        if !self.prizes.covers(ty, group, tier) {
            p.prizes = None;
        }
        if let Some(tiers) = &mut p.tiers {
            // Level by level, whatever the member's own tier: the discount of a tier they
            // would reach is worth to them only if it covers them there.
            for (i, level) in tiers.levels.iter_mut().enumerate() {
                if !self.tier_discounts.covers(ty, group, Some(i)) {
                    level.discount = 0.0;
                }
            }
        }
        if let Some(privileges) = &mut p.privileges {
            let mut kept = self.privileges.iter();
            // Only types and groups are read here: the tier stays the privilege's `reach`.
            privileges
                .items
                .retain(|_| kept.next().is_none_or(|t| t.covers(ty, group, None)));
            if privileges.items.is_empty() {
                p.privileges = None;
            }
        }
        p
    }
}

/// Adds `extra` to `p`'s instant discount rate and each of its bands, or makes an instant
/// discount of `extra` (with `reference_price`, else the default) when it has none; nothing when
/// `extra` is 0.
/// Adds `extra` to a member's instant discount; a discount created here takes its reference
/// price and insulation from `base`, the design's discount the member is not covered by.
fn add_discount(p: &mut Program, extra: f64, base: Option<&InstantDiscount>) {
    if extra <= 0.0 {
        return;
    }
    match &mut p.instant_discount {
        Some(d) => {
            d.rate += extra;
            for band in &mut d.bands {
                band.1 += extra;
            }
        }
        None => {
            p.instant_discount = Some(InstantDiscount {
                rate: extra,
                min_basket: 0.0,
                bands: Vec::new(),
                reference_price: base.map_or(super::program::ReferencePrice::DEFAULT, |d| {
                    d.reference_price
                }),
                insulation: base.map_or(super::reactions::INSULATION, |d| d.insulation),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::prizes::Prizes;
    use crate::model::program::{
        Disengagement, Expiry, PointsRules, ReferencePrice, Response, Reward, RewardChoice,
    };

    fn program() -> Program {
        Program {
            points: Some(PointsRules {
                earn_rate: 1.0,
                earn_cap_per_month: None,
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
            }),
            instant_discount: None,
            cumulative_discount: None,
            tiers: None,
            goal_gradient: 0.25,
            reward_cap_per_member_per_month: None,
            enrolment_ramp_months: 1,
            exit: None,
            response: Response::FULL,
            joining_per_visit: 1.0,
            disengagement: Disengagement::DEFAULT,
            privileges: None,
            prizes: Some(Prizes {
                chance_per_purchase: 0.01,
                prize_cost: 10.0,
                prize_value: 10.0,
                emotional_premium: 0.5,
                entries: None,
            }),
            targeting: None,
            bystanders: None,
            disappointment: None,
        }
    }

    fn only_groups(groups: [bool; 4]) -> Target {
        Target {
            groups,
            ..Target::ALL
        }
    }

    #[test]
    fn a_target_covers_types_groups_and_tiers_from_the_lowest() {
        let t = Target {
            types: [true, false, true, true, false],
            groups: [false, true, true, true],
            from_tier: Some(1),
        };
        assert!(t.covers(0, 1, Some(1)));
        assert!(t.covers(0, 1, Some(2)));
        assert!(!t.covers(0, 1, Some(0)));
        assert!(!t.covers(0, 1, None));
        assert!(!t.covers(1, 1, Some(1)));
        assert!(!t.covers(0, 0, Some(1)));
        assert!(Target::ALL.covers(3, 0, None));
    }

    #[test]
    fn a_segment_sees_only_what_covers_it_with_its_offers_folded_in() {
        let targeting = Targeting {
            points: only_groups([false, true, true, true]),
            instant_discount: Target::ALL,
            cumulative_discount: Target::ALL,
            prizes: only_groups([false, false, false, true]),
            tier_discounts: Target::ALL,
            privileges: Vec::new(),
            offers: vec![Offer {
                name: "chosen items".into(),
                target: only_groups([false, true, false, false]),
                basket_share: 0.25,
                bonus_points: 4.0,
                discount: 0.04,
                when: None,
            }],
        };
        let base = program();
        // Rare, small: no earning, no prizes; the points are still there to redeem.
        let rare_small = targeting.segment(&base, 0, 0, None);
        assert_eq!(rare_small.points.as_ref().map(|p| p.earn_rate), Some(0.0));
        assert!(rare_small.prizes.is_none());
        assert!(rare_small.instant_discount.is_none());
        // Frequent, small: 1 + 4 × 25% = 2 points per unit; 4% × 25% = 1% off the basket.
        let frequent_small = targeting.segment(&base, 0, 1, None);
        assert_eq!(
            frequent_small.points.as_ref().map(|p| p.earn_rate),
            Some(2.0)
        );
        let d = frequent_small.instant_discount.as_ref().map(|d| d.rate);
        assert!((d.unwrap_or(0.0) - 0.01).abs() < 1e-15);
        assert_eq!(
            frequent_small.instant_discount.map(|d| d.reference_price),
            Some(ReferencePrice::DEFAULT)
        );
        // Frequent, large: the design as stated.
        let frequent_large = targeting.segment(&base, 0, 3, None);
        assert_eq!(frequent_large, base);
    }

    #[test]
    fn a_dated_offer_is_valued_at_its_average_and_paid_in_its_month() {
        let birthday = Offer {
            name: "birthday".into(),
            target: Target::ALL,
            basket_share: 0.5,
            bonus_points: 12.0,
            discount: 0.2,
            when: Some(When::Birthday),
        };
        let targeting = Targeting {
            points: Target::ALL,
            instant_discount: Target::ALL,
            cumulative_discount: Target::ALL,
            prizes: Target::ALL,
            privileges: Vec::new(),
            tier_discounts: Target::ALL,
            offers: vec![birthday],
        };
        let base = program();
        // At the till, outside the month: the design as stated.
        assert_eq!(targeting.segment(&base, 1, 2, None), base);
        // Valued at 1/12: 1 + 12 × 0.5 / 12 = 1.5 points a euro; 20% × 0.5 / 12 off the basket.
        let worth = targeting.segment_worth(&base, 1, 2, None);
        assert_eq!(worth.points.as_ref().map(|p| p.earn_rate), Some(1.5));
        let d = worth.instant_discount.as_ref().map_or(0.0, |d| d.rate);
        assert!((d - 0.1 / 12.0).abs() < 1e-15);
        // In the birthday month: the whole offer, 1 + 6 = 7 points a euro and 10% off.
        let segment = targeting.segment(&base, 1, 2, None);
        let month = targeting
            .dated_month(&segment, 1, 2, None, |_| 1.0)
            .unwrap();
        assert_eq!(month.points.as_ref().map(|p| p.earn_rate), Some(7.0));
        assert_eq!(month.instant_discount.as_ref().map(|d| d.rate), Some(0.1));
        // Outside it, nothing to fold.
        assert!(
            targeting
                .dated_month(&segment, 1, 2, None, |_| 0.0)
                .is_none()
        );
    }

    #[test]
    fn tier_discounts_go_only_to_the_members_they_cover() {
        use crate::model::program::{Qualify, TierLevel, Tiers};
        let level = |name: &str, threshold: f64, discount: f64| TierLevel {
            name: name.into(),
            threshold,
            discount,
            points_multiplier: 1.0,
        };
        let mut base = program();
        base.tiers = Some(Tiers {
            qualify: Qualify::Spend,
            window_months: 12,
            review_every_months: 3,
            levels: vec![level("silver", 100.0, 0.02), level("gold", 500.0, 0.05)],
            insulation: 0.0,
        });
        // Gold's discount, for the frequent large buyers only.
        let targeting = Targeting {
            points: Target::ALL,
            instant_discount: Target::ALL,
            cumulative_discount: Target::ALL,
            prizes: Target::ALL,
            tier_discounts: Target {
                from_tier: Some(1),
                ..only_groups([false, false, false, true])
            },
            privileges: Vec::new(),
            offers: Vec::new(),
        };
        let discounts = |group: usize, tier: Option<usize>| -> Vec<f64> {
            let p = targeting.segment(&base, 0, group, tier);
            p.tiers
                .map(|t| t.levels.iter().map(|l| l.discount).collect())
                .unwrap_or_default()
        };
        // A frequent large buyer sees gold's 5% (in silver too, as a goal), not silver's 2%.
        assert_eq!(discounts(3, Some(0)), [0.0, 0.05]);
        assert_eq!(discounts(3, Some(1)), [0.0, 0.05]);
        // Anyone else keeps the tiers' status and thresholds, without their discounts.
        assert_eq!(discounts(0, Some(1)), [0.0, 0.0]);
        let rare = targeting.segment(&base, 0, 0, Some(1));
        assert_eq!(rare.tiers.map(|t| t.levels[1].threshold), Some(500.0));
    }
}
