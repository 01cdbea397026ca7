//! How members respond to what a design is worth to them: the value of a design to one member
//! in one month, and the response curves that turn it into behaviour. Pure functions, called by
//! the kernel; docs/model.md explains them with a worked example per currency.
//!
//! **Value.** What the design gives back, as a share of the member's own spend (the trade's
//! "1–5% back"), each currency by its own rules:
//! - instant discount: the rate on the member's typical basket (bands and minimum basket
//!   included);
//! - points: the value of a point to the member (the first reward's value per point) × points
//!   earned per unit of spend (purchases with the tier's multiplier, up to the cap, plus
//!   partner, engagement and referral points) × the chance of reaching the reward within the
//!   months the member looks ahead (Poisson purchases at the member's own rate, from the
//!   member's balance) × the delay discount for the wait;
//! - cumulative discount: the certificate rate × the chance of reaching the period's threshold
//!   × the delay discount for the wait until the certificate can be used;
//! - tiers: the current tier's discount, plus the next tier's extra discount × the chance of
//!   reaching it within the window × the delay discount;
//! - a combination: the sum of its parts, capped by the reward limit and at 100% of spend.
//!
//! A customer deciding whether to join reads the design at its **face value** instead
//! ([`Profile::face`]): every chance taken as 1 and no wait, the points at the value a month's
//! spend earns whatever the expiry (joining costs them nothing, and most memberships are
//! inactive: COLLOQUY's loyalty censuses).
//!
//! **Curves.** Each effect is a Hill curve of the value v, `max × vᶜ / (dᶜ + vᶜ)` (Little's
//! ADBUDG without floor): `max` per type and effect, `d` the value that gives half of it, `c`
//! its shape (1 concave, above 1 S-shaped). A half-saturation of 0 makes a step: the whole
//! maximum for any design worth something, none for a design worth nothing.

use serde::Serialize;
use statrs::function::gamma::gamma_lr;

use super::program::{Expiry, Program, Qualify};

/// Most a design can be worth to a member: everything they spend.
pub const MAX_VALUE: f64 = 1.0;

/// The value at which the goal gradient pulls as Kivetz, Urminsky & Zheng (2006) measured it:
/// their coffee card gave a free coffee for 10 stamps, about 10% back.
pub const GOAL_GRADIENT_REFERENCE_VALUE: f64 = 0.10;

/// How a type's curves were stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// As response curves (`[population.<type>.response]`).
    Curves,
    /// As fixed lifts (`enrolment`, `frequency_lift`, `basket_lift`, `attrition_reduction`
    /// at the type's level): read as step curves with those maxima.
    FixedLift,
}

/// One loyalty type's response to the value of a design.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResponseCurves {
    /// Most relative rise of the purchase rate (0.05 = +5%).
    pub frequency: f64,
    /// Most relative rise of the spend per purchase.
    pub basket: f64,
    /// Most relative fall of monthly attrition (0.3 = 30% less likely to lapse).
    pub retention: f64,
    /// Most share of a competitor promotion's pull taken away.
    pub insulation: f64,
    /// Most share of the type that joins.
    pub enrolment: f64,
    /// Value (share of spend) giving half of each effect's maximum; 0 = a step.
    pub half: f64,
    /// Shape of the curves (1 = concave, above 1 = S-shaped).
    pub shape: f64,
    /// Value giving half the maximum enrolment; 0 = a step.
    pub enrolment_half: f64,
    /// Monthly factor by which a reward one month away is worth less than one now.
    pub delay_discount: f64,
    /// Months ahead a member looks when weighing a reward they have yet to reach.
    pub horizon_months: u32,
    /// Value of a balance, in months of the member's own spend, that gives half the most
    /// protection from a competitor promotion (points at stake); 0 = a step.
    pub stake_half: f64,
    /// How the curves were stated.
    pub form: Form,
}

impl ResponseCurves {
    /// Step curves with the maxima of a fixed-lift statement, no insulation.
    pub fn fixed_lift(enrolment: f64, frequency: f64, basket: f64, retention: f64) -> Self {
        ResponseCurves {
            frequency,
            basket,
            retention,
            insulation: 0.0,
            enrolment,
            half: 0.0,
            shape: 1.0,
            enrolment_half: 0.0,
            delay_discount: 1.0,
            horizon_months: 12,
            stake_half: 0.0,
            form: Form::FixedLift,
        }
    }

    /// Share of each effect's maximum delivered at value `v`.
    pub fn saturation(&self, v: f64) -> f64 {
        hill(v, self.half, self.shape)
    }

    /// Share of the type that would join a design worth `v` to them; in the fixed-lift form,
    /// the stated share whatever the design is worth.
    pub fn enrolment_share(&self, v: f64) -> f64 {
        match self.form {
            Form::Curves => self.enrolment * hill(v, self.enrolment_half, 1.0),
            Form::FixedLift => self.enrolment,
        }
    }
}

/// The default curves, in [`super::population::LoyaltyType::ALL`] order (true, latent, false,
/// none, committed). Sources and reasoning in the reference table of docs/model.md. Committed
/// members join like the truly loyal but do not change what they buy or how long they stay:
/// they buy anyway, so the rewards are a pure subsidy (a stated assumption after Oliver 1999),
/// and with no competitor pull there is nothing to insulate.
pub const DEFAULT_CURVES: [ResponseCurves; super::population::TYPES] = [
    curves(0.005, 0.005, 0.20, 0.30, 0.95, 0.010, 1.0, 0.95, 12),
    curves(0.06, 0.010, 0.40, 0.40, 0.90, 0.015, 1.0, 0.92, 6),
    curves(0.03, 0.005, 0.45, 0.50, 0.95, 0.015, 1.5, 0.85, 3),
    curves(0.04, 0.0, 0.10, 0.20, 0.60, 0.040, 2.0, 0.80, 3),
    curves(0.0, 0.0, 0.0, 0.0, 0.95, 0.010, 1.0, 0.95, 12),
];

/// Default value giving half the most enrolment: 0.1% back, so that a design worth anything
/// noticeable draws nearly all who would join (a stated assumption).
pub const DEFAULT_ENROLMENT_HALF: f64 = 0.001;
/// Default balance worth half a month's spend gives half the most protection (a stated
/// assumption after Hartmann & Viard 2008: switching costs bind near a reward).
pub const DEFAULT_STAKE_HALF: f64 = 0.5;
/// Default headroom: a customer buying at half the population's mean rate rises by a third
/// more than one at the mean (a stated assumption, mild after Liu 2007 and Sharp 2008).
pub const DEFAULT_HEADROOM: f64 = 1.0;
/// Default chance that a customer who would join signs up at a given visit (a stated
/// assumption: heavier buyers join sooner, Meyer-Waarden & Benavent 2009).
pub const DEFAULT_JOINING_PER_VISIT: f64 = 0.08;

#[allow(clippy::too_many_arguments)]
const fn curves(
    frequency: f64,
    basket: f64,
    retention: f64,
    insulation: f64,
    enrolment: f64,
    half: f64,
    shape: f64,
    delay_discount: f64,
    horizon_months: u32,
) -> ResponseCurves {
    ResponseCurves {
        frequency,
        basket,
        retention,
        insulation,
        enrolment,
        half,
        shape,
        enrolment_half: DEFAULT_ENROLMENT_HALF,
        delay_discount,
        horizon_months,
        stake_half: DEFAULT_STAKE_HALF,
        form: Form::Curves,
    }
}

/// The Hill curve `vᶜ / (dᶜ + vᶜ)`: 0 at v ≤ 0, ½ at v = d, towards 1; a step at d = 0.
pub fn hill(v: f64, half: f64, shape: f64) -> f64 {
    if v <= 0.0 || v.is_nan() {
        0.0
    } else if half <= 0.0 {
        1.0
    } else if shape == 1.0 {
        v / (half + v)
    } else {
        let r = half / v;
        let r = if shape == 2.0 {
            r * r
        } else if shape == 1.5 {
            r * r.sqrt()
        } else {
            r.powf(shape)
        };
        1.0 / (1.0 + r)
    }
}

/// Multiplier of the frequency effect for a customer buying at `rate` in a population whose
/// mean rate is `mean_rate`: `(1 + κ) / (1 + κ · rate / mean)`, 1 at the mean, up to 1 + κ for
/// the lightest buyers and towards 0 for the heaviest (the headroom a customer has, Liu 2007).
pub fn headroom(rate: f64, mean_rate: f64, kappa: f64) -> f64 {
    if kappa == 0.0 || mean_rate <= 0.0 {
        1.0
    } else {
        (1.0 + kappa) / (1.0 + kappa * rate / mean_rate)
    }
}

/// Probability of at least `k` Poisson events when `mu` are expected.
pub fn reach(k: f64, mu: f64) -> f64 {
    if k <= 0.0 {
        1.0
    } else if mu <= 0.0 {
        0.0
    } else if k == 1.0 {
        -(-mu).exp_m1()
    } else {
        // P(N ≥ k) = P(k, μ), the regularised lower incomplete gamma function.
        gamma_lr(k, mu).clamp(0.0, 1.0)
    }
}

/// The member, as the value computation sees them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    /// Purchases per month (the member's own rate, before the program's effects).
    pub rate: f64,
    /// Mean spend per purchase.
    pub spend: f64,
    /// Points held.
    pub balance: u64,
    /// Current tier (index into the levels), if any.
    pub tier: Option<usize>,
}

/// What a design is worth to a member this month.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Worth {
    /// Everything, as a share of the member's spend.
    pub value: f64,
    /// The part that comes later (points, certificates, the next tier): what holds a member.
    pub deferred: f64,
    /// The member's balance, in months of their own spend, valued as the member values a point.
    pub stake: f64,
    /// The part of `value` that does not shield the member from a competitor promotion: an
    /// instant discount's value × (1 − its `insulation`), and the member's tier discount × (1 −
    /// the tiers' `insulation`).
    pub unsheltered: f64,
}

/// The value of `program` to `member` with `curves` (see the module documentation).
pub fn worth(program: &Program, curves: &ResponseCurves, member: &Member) -> Worth {
    Profile::new(program, curves, member.rate, member.spend, member.tier).worth(member.balance)
}

/// Purchases still needed up to which [`Profile`] keeps the chances of reaching a reward.
const REACH_TABLE: usize = 48;

/// What a design is worth to one member, prepared for any balance: everything that depends on
/// the member's type, rate, spend and tier, computed once; what depends on the balance (the
/// chance and wait of the next reward), cheaply each month.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The value that does not depend on the balance: discounts now, certificates and the next
    /// tier later.
    now: f64,
    later: f64,
    /// Most value: the reward cap over the member's spend, at most [`MAX_VALUE`].
    cap: f64,
    points: Option<PointsProfile>,
    /// Value of the non-material privileges (not limited by the money reward cap).
    privileges: f64,
    /// The part of `now` that does not shield the member from a competitor promotion.
    unsheltered: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct PointsProfile {
    /// Price of the first reward, in points.
    goal: u64,
    /// Value of a point to the member over their monthly spend.
    per_point_share: f64,
    /// Points a month over the monthly spend × value per point: the share of spend earned.
    earned_share: f64,
    per_month: f64,
    /// Points per purchase, if purchases earn points.
    per_purchase: Option<f64>,
    ln_delay: f64,
    /// Expected purchases within the horizon.
    mu: f64,
    /// Months within which a reward counts (no purchases needed: points come without them).
    horizon: f64,
    /// `tail[k]` = P(N ≥ k) for N ~ Poisson(mu).
    tail: [f64; REACH_TABLE],
}

impl Profile {
    /// The profile of a member of `curves` buying `rate` times a month for `spend` each, in
    /// `tier`.
    pub fn new(
        program: &Program,
        curves: &ResponseCurves,
        rate: f64,
        spend: f64,
        tier: Option<usize>,
    ) -> Profile {
        Self::build(program, curves, rate, spend, tier, false)
    }

    /// The design as it presents itself to a customer deciding whether to join: every reward
    /// and level counted as if reached, with no wait (see [`Profile::face_value`]).
    pub fn face(
        program: &Program,
        curves: &ResponseCurves,
        rate: f64,
        spend: f64,
        tier: Option<usize>,
    ) -> Profile {
        Self::build(program, curves, rate, spend, tier, true)
    }

    fn build(
        program: &Program,
        curves: &ResponseCurves,
        rate: f64,
        spend: f64,
        tier: Option<usize>,
        face: bool,
    ) -> Profile {
        let nothing = Profile {
            now: 0.0,
            later: 0.0,
            cap: 0.0,
            points: None,
            privileges: 0.0,
            unsheltered: 0.0,
        };
        let monthly_spend = rate * spend;
        if monthly_spend <= 0.0 || !monthly_spend.is_finite() {
            return nothing;
        }
        let delay = |months: f64| {
            if face {
                1.0
            } else {
                curves.delay_discount.powf(months.max(0.0))
            }
        };
        let chance = |needed: f64, mu: f64| if face { 1.0 } else { reach(needed, mu) };
        let horizon = f64::from(curves.horizon_months);
        let mut now = 0.0;
        let mut later = 0.0;
        let level = tier.and_then(|i| program.tiers.as_ref().and_then(|t| t.levels.get(i)));

        let mut unsheltered = 0.0;
        if let Some(d) = &program.instant_discount {
            let rate = d.rate_for(spend);
            now += rate;
            unsheltered = rate * (1.0 - d.insulation);
        }
        if let Some(t) = &program.tiers {
            let discount = level.map_or(0.0, |l| l.discount);
            now += discount;
            unsheltered += discount * (1.0 - t.insulation);
            let next = tier.map_or(0, |i| i + 1);
            if let Some(up) = t.levels.get(next) {
                let gain = up.discount - level.map_or(0.0, |l| l.discount);
                let window = f64::from(t.window_months);
                let needed = match t.qualify {
                    Qualify::Spend => (up.threshold / spend).ceil(),
                    Qualify::Purchases => up.threshold.ceil(),
                };
                let chance = chance(needed, rate * window.min(horizon.max(1.0)));
                later += gain.max(0.0) * chance * delay(needed / rate);
            }
        }
        if let Some(c) = &program.cumulative_discount {
            let period = f64::from(c.period_months);
            let needed = match c.qualify {
                Qualify::Spend => (c.threshold / spend).ceil(),
                Qualify::Purchases => c.threshold.ceil(),
            };
            let chance = chance(needed, rate * period);
            // Issued at the period's end, usable from the month after: on average half a
            // period and a month away.
            let share = match c.amount {
                // A fixed certificate as a share of the period's expected spend.
                Some(amount) if rate * spend > 0.0 => amount / (rate * spend * period),
                Some(_) => 0.0,
                None => c.rate,
            };
            later += share * chance * delay(period / 2.0 + 1.0);
        }
        let points = program.points.as_ref().and_then(|p| {
            let goal = p.rewards.first().filter(|g| g.points > 0)?;
            let per_point = goal.value / goal.points as f64;
            let multiplier = level.map_or(1.0, |l| l.points_multiplier);
            let from_purchases = monthly_spend * p.earn_rate * multiplier;
            let from_purchases = p
                .earn_cap_per_month
                .map_or(from_purchases, |cap| from_purchases.min(cap as f64));
            let extra = p.partner.map_or(0.0, |e| e.points_per_member_per_month)
                + p.engagement.map_or(0.0, |e| {
                    e.actions_per_member_per_month * e.points_per_action as f64
                })
                + p.referral
                    .map_or(0.0, |r| r.per_member_per_month * r.points as f64);
            let per_month = from_purchases + extra;
            if per_month <= 0.0 || per_point <= 0.0 {
                return None;
            }
            let horizon = match p.expiry {
                Expiry::Fixed { months } => horizon.min(f64::from(months)),
                _ => horizon,
            };
            let mu = rate * horizon;
            let per_purchase = (rate > 0.0 && from_purchases > 0.0).then(|| per_month / rate);
            // P(N ≥ k) = 1 − Σ_{j<k} e^−μ μʲ/j!, by the recursion of the Poisson terms, as far
            // as an empty balance needs.
            let most = per_purchase.map_or(0.0, |per| (goal.points as f64 / per).ceil() + 1.0);
            let used = (most.min(REACH_TABLE as f64)) as usize;
            let mut tail = [0.0; REACH_TABLE];
            let mut term = (-mu).exp();
            let mut below = 0.0_f64;
            for (k, t) in tail.iter_mut().enumerate().take(used) {
                *t = (1.0 - below).clamp(0.0, 1.0);
                below += term;
                term *= mu / (k + 1) as f64;
            }
            Some(PointsProfile {
                goal: goal.points,
                per_point_share: per_point / monthly_spend,
                earned_share: per_point * per_month / monthly_spend,
                per_month,
                per_purchase,
                ln_delay: curves.delay_discount.ln(),
                mu,
                horizon,
                tail,
            })
        });
        let cap = program
            .reward_cap_per_member_per_month
            .map_or(MAX_VALUE, |c| (c / monthly_spend).min(MAX_VALUE));
        Profile {
            now,
            later,
            cap,
            points,
            privileges: 0.0,
            unsheltered,
        }
    }

    /// Adds non-material privileges worth `value` (a share of spend) to the member:
    /// part of what holds them (the deferred part), outside the money reward cap. Raising the
    /// cap by the same value keeps the money part capped as before: min(money + p, cap + p) =
    /// min(money, cap) + p.
    pub fn add_privileges(&mut self, value: f64) {
        let p = value.max(0.0);
        self.privileges = p;
        self.later += p;
        self.cap = (self.cap + p).min(MAX_VALUE);
    }

    /// Adds a component received at once worth `value` (a share of spend) to the member, such
    /// as a prize draw at the till: part of the money value, within the reward cap.
    pub fn add_now(&mut self, value: f64) {
        self.now += value.max(0.0);
    }

    /// Value of the non-material privileges to the member (share of spend).
    pub fn privileges(&self) -> f64 {
        self.privileges
    }

    /// What a profile made by [`Profile::face`] shows a customer deciding whether to join, as a
    /// share of their spend: the discounts, certificates, next level and privileges as if
    /// reached, the points' rate of return (the value of the points a month's spend earns),
    /// within the reward cap; and a sign-up bonus of `bonus` points spread over the
    /// `horizon_months` the customer looks ahead.
    pub fn face_value(&self, bonus: u64, horizon_months: u32) -> f64 {
        let (points, gift) = self.points.as_ref().map_or((0.0, 0.0), |p| {
            let gift = bonus as f64 * p.per_point_share / f64::from(horizon_months.max(1));
            (p.earned_share, gift)
        });
        (self.now + self.later + points).min(self.cap) + gift
    }

    /// What the design is worth to the member holding `balance` points.
    pub fn worth(&self, balance: u64) -> Worth {
        let mut later = self.later;
        let mut stake = 0.0;
        if let Some(p) = &self.points {
            let missing = p.goal.saturating_sub(balance) as f64;
            let months = missing / p.per_month;
            let chance = if missing == 0.0 {
                1.0
            } else if let Some(per_purchase) = p.per_purchase {
                let q = missing / per_purchase;
                // ⌈q⌉ for the table without a call to `ceil`: q ≥ 0, and below the table's
                // length truncation is exact.
                if q <= (REACH_TABLE - 1) as f64 {
                    let whole = q as usize;
                    p.tail[whole + usize::from((whole as f64) < q)]
                } else {
                    reach(q.ceil(), p.mu)
                }
            } else if months <= p.horizon {
                1.0
            } else {
                0.0
            };
            if chance > 0.0 {
                later += p.earned_share * chance * (p.ln_delay * months).exp();
            }
            stake = balance as f64 * p.per_point_share;
        }
        let value = (self.now + later).min(self.cap);
        Worth {
            value,
            deferred: later.min(value),
            stake,
            unsheltered: self.unsheltered.min(value),
        }
    }
}

/// What the program does to a member this month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    /// Multiplier of the purchase rate.
    pub rate: f64,
    /// Multiplier of the spend per purchase.
    pub basket: f64,
    /// Multiplier of the monthly attrition.
    pub attrition: f64,
    /// Multiplier of a competitor promotion's pull.
    pub pull: f64,
    /// Share of the members' extra type changes delivered.
    pub attachment: f64,
}

impl Effects {
    /// No effect at all.
    pub const NONE: Effects = Effects {
        rate: 1.0,
        basket: 1.0,
        attrition: 1.0,
        pull: 1.0,
        attachment: 0.0,
    };
}

/// The member's situation that scales the curves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Situation {
    /// Headroom multiplier of the frequency effect ([`headroom`]).
    pub headroom: f64,
    /// Progress (0–1) towards the nearest goal.
    pub progress: f64,
    /// Program's goal-gradient strength × the type's response to it.
    pub goal_gradient: f64,
    /// Share of the program's effect left (after a copy and the member's loss of interest).
    pub effect: f64,
    /// The design's own scaling of each maximum: frequency, basket, retention, attachment.
    pub scale: [f64; 4],
}

/// The effects of a design worth `worth` on a member with `curves` in `situation`.
pub fn effects(curves: &ResponseCurves, worth: &Worth, situation: &Situation) -> Effects {
    Responder::new(
        curves,
        situation.headroom,
        situation.goal_gradient,
        situation.scale,
    )
    .effects(worth, situation.progress, situation.effect)
}

/// One member's response curves with what stays fixed while their type and tier do (headroom,
/// goal-gradient strength, the design's scaling) worked out once, so that the month's
/// [`Responder::effects`] is a few products and the Hill curves at the month's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Responder {
    curves: ResponseCurves,
    /// Most rise of the purchase rate × the design's scaling.
    frequency: f64,
    /// Most rise of the spend per purchase × the design's scaling.
    basket: f64,
    /// Most fall of attrition × the design's scaling.
    retention: f64,
    /// The design's scaling of attachment.
    attachment: f64,
    headroom: f64,
    goal_gradient: f64,
    /// The saturation at [`GOAL_GRADIENT_REFERENCE_VALUE`].
    reference: f64,
}

impl Responder {
    /// `curves` for a member with `headroom` ([`headroom`]), `goal_gradient` (the program's
    /// strength × the type's response) and the design's `scale` of each maximum (frequency,
    /// basket, retention, attachment).
    pub fn new(
        curves: &ResponseCurves,
        headroom: f64,
        goal_gradient: f64,
        scale: [f64; 4],
    ) -> Responder {
        let [f, b, r, a] = scale;
        Responder {
            curves: *curves,
            frequency: curves.frequency * f,
            basket: curves.basket * b,
            retention: curves.retention * r,
            attachment: a,
            headroom,
            goal_gradient,
            reference: curves.saturation(GOAL_GRADIENT_REFERENCE_VALUE),
        }
    }

    /// The effects of a design worth `worth` on the member at `progress` (0–1) towards the
    /// nearest goal, with `effect` (0–1) of the program's effect left.
    pub fn effects(&self, worth: &Worth, progress: f64, effect: f64) -> Effects {
        let curves = &self.curves;
        let s = curves.saturation(worth.value);
        if s == 0.0 {
            return Effects::NONE;
        }
        let e = effect;
        let lift = self.frequency * s * self.headroom;
        let pressure = self.goal_gradient * progress.clamp(0.0, 1.0);
        let pull_to_goal = if pressure > 0.0 && self.reference > 0.0 {
            pressure * s / self.reference
        } else {
            0.0
        };
        let rate = (1.0 + lift) * (1.0 + pull_to_goal);
        let held = hill(worth.stake, curves.stake_half, 1.0);
        // What shields from a competitor: the value less the part a price cut holds no one by.
        let shelter = if worth.unsheltered > 0.0 {
            curves.saturation(worth.value - worth.unsheltered)
        } else {
            s
        };
        Effects {
            rate: 1.0 + (rate - 1.0) * e,
            basket: 1.0 + self.basket * s * e,
            attrition: 1.0 - self.retention * s * e,
            pull: (1.0 - curves.insulation * shelter * e) * (1.0 - curves.insulation * held * e),
            attachment: if self.attachment > 0.0 && worth.deferred > 0.0 {
                (self.attachment * curves.saturation(worth.deferred) * e).clamp(0.0, 1.0)
            } else {
                0.0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::program::{
        CumulativeDiscount, Disengagement, InstantDiscount, PointsRules, Response, Reward,
        RewardChoice, TierLevel, Tiers,
    };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    fn program() -> Program {
        Program {
            points: None,
            instant_discount: None,
            cumulative_discount: None,
            tiers: None,
            goal_gradient: 0.25,
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
        }
    }

    fn plain() -> ResponseCurves {
        ResponseCurves {
            delay_discount: 0.9,
            horizon_months: 6,
            ..DEFAULT_CURVES[1]
        }
    }

    fn member(balance: u64) -> Member {
        Member {
            rate: 2.0,
            spend: 25.0,
            balance,
            tier: None,
        }
    }

    #[test]
    fn hill_is_half_at_half_and_a_step_without_one() {
        assert_eq!(hill(0.0, 0.02, 1.0), 0.0);
        assert!(close(hill(0.02, 0.02, 1.0), 0.5));
        assert!(close(hill(0.02, 0.02, 3.0), 0.5));
        // 0.06 / (0.02 + 0.06) = 0.75; S-shaped: 0.06² / (0.02² + 0.06²) = 0.9.
        assert!(close(hill(0.06, 0.02, 1.0), 0.75));
        assert!(close(hill(0.06, 0.02, 2.0), 0.9));
        assert_eq!(hill(1e-9, 0.0, 1.0), 1.0);
        assert_eq!(hill(0.0, 0.0, 1.0), 0.0);
    }

    #[test]
    fn headroom_favours_light_buyers() {
        assert_eq!(headroom(2.0, 2.0, 1.0), 1.0);
        // Half the mean: 2 / 1.5; three times the mean: 2 / 4.
        assert!(close(headroom(1.0, 2.0, 1.0), 4.0 / 3.0));
        assert!(close(headroom(6.0, 2.0, 1.0), 0.5));
        assert_eq!(headroom(6.0, 2.0, 0.0), 1.0);
    }

    #[test]
    fn reach_is_the_poisson_tail() {
        // P(N ≥ 1) for μ = 2: 1 − e⁻²; P(N ≥ 3) = 1 − e⁻²(1 + 2 + 2) = 0.3233235838.
        assert!(close(reach(1.0, 2.0), 1.0 - (-2f64).exp()));
        assert!((reach(3.0, 2.0) - 0.323_323_583_8).abs() < 1e-9);
        assert_eq!(reach(0.0, 0.0), 1.0);
        assert_eq!(reach(2.0, 0.0), 0.0);
    }

    #[test]
    fn an_instant_discount_is_worth_its_rate_on_the_typical_basket() {
        let mut p = program();
        p.instant_discount = Some(InstantDiscount {
            rate: 0.05,
            min_basket: 20.0,
            bands: vec![],
            reference_price: crate::model::program::ReferencePrice::DEFAULT,
            insulation: 1.0,
        });
        let w = worth(&p, &plain(), &member(0));
        assert!(close(w.value, 0.05));
        assert_eq!(w.deferred, 0.0);
        // A member whose baskets average €15 is below the minimum.
        let small = Member {
            spend: 15.0,
            ..member(0)
        };
        assert_eq!(worth(&p, &plain(), &small).value, 0.0);
    }

    fn points(threshold: u64, value: f64) -> PointsRules {
        PointsRules {
            earn_rate: 1.0,
            earn_cap_per_month: None,
            expiry: Expiry::Never,
            rewards: vec![Reward {
                name: "voucher".into(),
                points: threshold,
                cost: value,
                value,
                appeal: 1.0,
            }],
            choice: RewardChoice::MostValuable,
            point_cost: value / threshold as f64,
            point_value: value / threshold as f64,
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
    fn points_are_worth_their_value_discounted_for_reach_and_wait() {
        // 1 point per €, €5 for 500 points: 1% back at face value. The member spends €50 a
        // month (2 purchases of €25): 50 points a month, 25 a purchase.
        let mut p = program();
        p.points = Some(points(500, 5.0));
        // From 0: 500 missing, 20 purchases needed, 12 expected in 6 months; P(N ≥ 20 | 12)
        // = 0.02128 (Poisson tail, 1 − Σ₀¹⁹ e⁻¹² 12ᵏ/k!); wait 10 months at 0.9 a month.
        let w = worth(&p, &plain(), &member(0));
        let expected = 0.01 * reach(20.0, 12.0) * 0.9f64.powi(10);
        assert!((reach(20.0, 12.0) - 0.021_279_77).abs() < 1e-8);
        assert!(close(w.value, expected), "{} vs {expected}", w.value);
        assert!(close(w.deferred, w.value));
        // With 475 points held: one purchase missing, P(N ≥ 1 | 12) ≈ 1, half a month away.
        let near = worth(&p, &plain(), &member(475));
        let expected = 0.01 * (1.0 - (-12f64).exp()) * 0.9f64.powf(0.5);
        assert!(close(near.value, expected));
        // The balance at stake: 475 points × €0.01 over €50 a month.
        assert!(close(near.stake, 0.095));
        // A reward nobody reaches is worth almost nothing, however large its face value.
        p.points = Some(points(50_000, 1000.0));
        assert!(worth(&p, &plain(), &member(0)).value < 1e-12);
        // Points worth nothing are worth nothing.
        p.points = Some(points(500, 0.0));
        assert_eq!(worth(&p, &plain(), &member(0)).value, 0.0);
    }

    #[test]
    fn the_face_value_counts_every_reward_as_reached_without_a_wait() {
        // A member spending €50 a month (2 × €25): a €1,000 reward for 50,000 points at one
        // point a euro is worth nothing to them, yet shows 2% back: €1,000/50,000 = €0.02 a
        // point × 50 points a month over €50.
        let mut p = program();
        p.points = Some(points(50_000, 1000.0));
        let face = |p: &Program, bonus: u64| {
            Profile::face(p, &plain(), 2.0, 25.0, None).face_value(bonus, 6)
        };
        assert!(worth(&p, &plain(), &member(0)).value < 1e-12);
        assert!(close(face(&p, 0), 0.02));
        // A sign-up bonus of 3,000 points: €60 spread over 6 months of €50, 0.2 more.
        assert!(close(face(&p, 3000), 0.02 + 3000.0 * 0.02 / 50.0 / 6.0));
        // A certificate of 5% for €1,000 in a quarter (€150 expected) shows its 5%.
        let mut p = program();
        p.cumulative_discount = Some(CumulativeDiscount {
            period_months: 3,
            qualify: Qualify::Spend,
            threshold: 1000.0,
            rate: 0.05,
            amount: None,
            validity_months: 3,
            breakage: None,
        });
        assert!(worth(&p, &plain(), &member(0)).value < 1e-6);
        assert!(close(face(&p, 0), 0.05));
        // Points worth nothing show nothing.
        let mut p = program();
        p.points = Some(points(500, 0.0));
        assert_eq!(face(&p, 0), 0.0);
    }

    #[test]
    fn certificates_and_tiers() {
        let mut p = program();
        p.cumulative_discount = Some(CumulativeDiscount {
            period_months: 3,
            qualify: Qualify::Spend,
            threshold: 100.0,
            rate: 0.05,
            amount: None,
            validity_months: 3,
            breakage: None,
        });
        // €100 in a quarter = 4 purchases of €25; 6 expected; wait 2.5 months.
        let w = worth(&p, &plain(), &member(0));
        let expected = 0.05 * reach(4.0, 6.0) * 0.9f64.powf(2.5);
        assert!((reach(4.0, 6.0) - 0.848_796_12).abs() < 1e-8);
        assert!(close(w.value, expected));

        let mut p = program();
        p.tiers = Some(Tiers {
            qualify: Qualify::Purchases,
            window_months: 12,
            review_every_months: 3,
            levels: vec![
                TierLevel {
                    name: "silver".into(),
                    threshold: 10.0,
                    discount: 0.02,
                    points_multiplier: 1.0,
                },
                TierLevel {
                    name: "gold".into(),
                    threshold: 30.0,
                    discount: 0.05,
                    points_multiplier: 1.0,
                },
            ],
            insulation: 0.0,
        });
        // In silver: 2% now, plus gold's extra 3% × P(30 purchases within the 6 months looked
        // ahead, 12 expected) × 0.9^15.
        let silver = Member {
            tier: Some(0),
            ..member(0)
        };
        let w = worth(&p, &plain(), &silver);
        let expected = 0.02 + 0.03 * reach(30.0, 12.0) * 0.9f64.powi(15);
        assert!(close(w.value, expected));
        assert!(close(w.deferred, expected - 0.02));
        // Silver's 2% is a price at the till: with the default insulation, 0, it shelters
        // nothing; gold, still to reach, holds. With `insulation = 0.5`, half of it shelters.
        assert!(close(w.unsheltered, 0.02));
        if let Some(t) = p.tiers.as_mut() {
            t.insulation = 0.5;
        }
        assert!(close(worth(&p, &plain(), &silver).unsheltered, 0.01));
        // Below the first tier there is no discount to leave unsheltered.
        assert_eq!(worth(&p, &plain(), &member(0)).unsheltered, 0.0);
    }

    #[test]
    fn a_cap_limits_the_value() {
        let mut p = program();
        p.instant_discount = Some(InstantDiscount {
            rate: 0.2,
            min_basket: 0.0,
            bands: vec![],
            reference_price: crate::model::program::ReferencePrice::DEFAULT,
            insulation: 1.0,
        });
        p.reward_cap_per_member_per_month = Some(5.0);
        // €5 a month on €50 of spend: 10%.
        assert!(close(worth(&p, &plain(), &member(0)).value, 0.1));
    }

    #[test]
    fn effects_follow_the_curves() {
        let c = plain(); // latent: frequency 0.06, retention 0.4, half 0.015, shape 1
        let w = Worth {
            value: 0.015,
            deferred: 0.0,
            stake: 0.0,
            unsheltered: 0.0,
        };
        let s = Situation {
            headroom: 1.0,
            progress: 0.0,
            goal_gradient: 0.25,
            effect: 1.0,
            scale: [1.0; 4],
        };
        let e = effects(&c, &w, &s);
        assert!(close(e.rate, 1.03));
        assert!(close(e.attrition, 0.8));
        assert!(close(e.pull, 0.8)); // insulation 0.4 × ½
        assert_eq!(e.attachment, 0.0);
        // At the goal, worth 10% back: the full Kivetz pull of 25%.
        let ten = Worth {
            value: 0.10,
            deferred: 0.10,
            stake: 0.5,
            unsheltered: 0.0,
        };
        let at_goal = effects(&c, &ten, &Situation { progress: 1.0, ..s });
        let lift = 0.06 * 0.1 / 0.115;
        assert!(close(at_goal.rate, (1.0 + lift) * 1.25));
        // Half a month's spend at stake halves the rest of the pull: (1 − 0.4·s)(1 − 0.2).
        assert!(close(at_goal.pull, (1.0 - 0.4 * 0.1 / 0.115) * 0.8));
        // Nothing worth nothing.
        assert_eq!(effects(&c, &Worth::default(), &s), Effects::NONE);
    }

    #[test]
    fn a_discount_that_does_not_insulate_leaves_its_member_to_the_competitor() {
        // Two members to whom their designs are worth 1.5% of spend (the latent half, so a
        // saturation of ½): one through points, one through an instant discount stated with
        // `insulation = 0`. Lifts and retention are the same; the competitor's pull differs.
        let c = plain();
        let s = Situation {
            headroom: 1.0,
            progress: 0.0,
            goal_gradient: 0.0,
            effect: 1.0,
            scale: [1.0; 4],
        };
        let points = Worth {
            value: 0.015,
            deferred: 0.015,
            stake: 0.0,
            unsheltered: 0.0,
        };
        let discount = Worth {
            value: 0.015,
            deferred: 0.0,
            stake: 0.0,
            unsheltered: 0.015,
        };
        let (p, d) = (effects(&c, &points, &s), effects(&c, &discount, &s));
        assert!(close(p.rate, d.rate) && close(p.attrition, d.attrition));
        // Points: 1 − 0.4 × ½ = 0.8 of the pull; the discount: all of it.
        assert!(close(p.pull, 0.8));
        assert!(close(d.pull, 1.0));
        // A promotion of strength 0.3 on a false-loyal sensitivity of 0.8 takes
        // 0.3 × 0.8 × 0.8 = 19.2% of the points member's purchases, 24% of the discount
        // member's.
        let taken = |pull: f64| 0.3 * 0.8 * pull;
        assert!(close(taken(p.pull), 0.192) && close(taken(d.pull), 0.24));
        // A discount with half its value insulating: saturation at 0.75% = 1/3.
        let half = Worth {
            unsheltered: 0.0075,
            ..discount
        };
        assert!(close(effects(&c, &half, &s).pull, 1.0 - 0.4 / 3.0));
        // Through the profile: `insulation = 0` puts the whole rate outside the shelter.
        let mut prog = program();
        prog.instant_discount = Some(InstantDiscount {
            rate: 0.05,
            min_basket: 0.0,
            bands: vec![],
            reference_price: crate::model::program::ReferencePrice::DEFAULT,
            insulation: 0.0,
        });
        let w = worth(&prog, &plain(), &member(0));
        assert!(close(w.value, 0.05) && close(w.unsheltered, 0.05));
    }
}
