//! A member's side of a month in the program world, for every currency: discounts at the
//! till, points from purchases, partners, engagement and referrals, certificates at the end
//! of a period, tier reviews, and redemption within the acceptable reward limit. Used for the
//! horizon and for the run-off after it.

use rand::RngExt;

use super::certificates::Certificates;
use super::rng::SimRng;
use super::tiers::TierState;
use super::totals::{MonthTotals, add};
use super::wallet::Wallet;
use crate::model::dist::poisson_inverse;
use crate::model::population::{TypeBehaviour, TypeSampler};
use crate::model::program::{Phase, Program, Qualify, RewardChoice};

/// Everything a member holds. Reused from member to member within a block.
#[derive(Debug, Clone)]
pub struct MemberState {
    /// Points.
    pub wallet: Wallet,
    /// Certificates.
    pub certificates: Certificates,
    /// Tier status.
    pub tier: TierState,
    /// Month of the member's last reward (joining counts as one).
    pub last_reward: u32,
    /// Month of the member's last missed threshold, if any (see `[program.disappointment]`:
    /// points expired unredeemed, a period's certificate missed when near, a demotion).
    pub missed: Option<u32>,
    /// Whether the member joined after the current certificate period began: a period they
    /// were not a member for from its start is no miss.
    partial_period: bool,
    period_spend: f64,
    period_purchases: u32,
    baskets: Vec<f64>,
}

impl MemberState {
    /// An empty state for `program`.
    pub fn new(program: &Program) -> Self {
        let expiry = program
            .points
            .as_ref()
            .map_or(crate::model::program::Expiry::Never, |p| p.expiry);
        let mut s = MemberState {
            wallet: Wallet::new(expiry),
            certificates: Certificates::default(),
            tier: TierState::default(),
            last_reward: 0,
            missed: None,
            partial_period: false,
            period_spend: 0.0,
            period_purchases: 0,
            baskets: Vec::new(),
        };
        s.reset(program);
        s
    }

    /// Empties the state for a new member.
    pub fn reset(&mut self, program: &Program) {
        self.wallet.reset();
        self.certificates.clear();
        if let Some(t) = &program.tiers {
            self.tier.reset(t);
        }
        self.period_spend = 0.0;
        self.period_purchases = 0;
        self.missed = None;
        self.partial_period = false;
    }

    /// Progress (0–1) towards the nearest goal the program sets: the cheapest reward, the
    /// next tier, the period's certificate threshold.
    pub fn progress(&self, program: &Program) -> f64 {
        let mut progress: f64 = 0.0;
        if let Some(p) = &program.points {
            progress = progress.max(self.wallet.balance() as f64 / p.first_goal() as f64);
        }
        if let Some(t) = &program.tiers {
            progress = progress.max(self.tier.progress(t).unwrap_or(0.0));
        }
        if let Some(c) = &program.cumulative_discount {
            let done = match c.qualify {
                Qualify::Spend => self.period_spend,
                Qualify::Purchases => f64::from(self.period_purchases),
            };
            progress = progress.max(done / c.threshold);
        }
        progress.min(1.0)
    }

    /// Everything outstanding is lost in `month` (the member lapsed) and counted as forfeited.
    pub fn forfeit(&mut self, month: u32, totals: &mut MonthTotals, overflow: &mut bool) {
        add(
            &mut totals.points_forfeited,
            self.wallet.forfeit(month),
            overflow,
        );
        add(
            &mut totals.certificates_forfeited,
            self.certificates.take_all(month),
            overflow,
        );
    }
}

/// What `member_month` needs to know about the member this month.
pub struct MemberMonth<'a> {
    /// The program.
    pub program: &'a Program,
    /// The member's type's behaviour now.
    pub behaviour: &'a TypeBehaviour,
    /// The member's type's samplers now.
    pub sampler: &'a TypeSampler,
    /// Month, 1-based.
    pub month: u32,
    /// Where the program stands.
    pub phase: Phase,
    /// Purchases this month.
    pub purchases: u32,
    /// Spend this month (after the basket lift).
    pub spend: f64,
    /// Whether certificates are issued (not in the run-off).
    pub issue_certificates: bool,
    /// Whether the member joined this month (and is credited any sign-up bonus).
    pub joined: bool,
}

/// Adds a month of membership to `totals`: earning while the program runs, redemption while
/// it runs or is in its grace months. Points beyond the balance cap are not credited (purchase
/// points are cut first, see [`crate::model::program::PointsRules::within_balance_cap`]).
pub fn member_month(
    state: &mut MemberState,
    m: &MemberMonth<'_>,
    own: &mut SimRng,
    totals: &mut MonthTotals,
    overflow: &mut bool,
) {
    let program = m.program;
    let cap = program
        .reward_cap_per_member_per_month
        .unwrap_or(f64::INFINITY);
    let mut given = 0.0;
    let tier = state
        .tier
        .level()
        .and_then(|l| program.tiers.as_ref().and_then(|t| t.levels.get(l)));

    if m.phase == Phase::Running {
        // Discounts at the till.
        let tier_rate = tier.map_or(0.0, |t| t.discount);
        let mut discount = 0.0;
        if m.purchases > 0 {
            match &program.instant_discount {
                Some(d) if d.needs_baskets() => {
                    m.sampler
                        .split_baskets(m.spend, m.purchases, own, &mut state.baskets);
                    discount = state
                        .baskets
                        .iter()
                        .map(|&b| b * (d.rate_for(b) + tier_rate))
                        .sum();
                }
                Some(d) => discount = m.spend * (d.rate + tier_rate),
                None if tier_rate > 0.0 => discount = m.spend * tier_rate,
                None => {}
            }
        }
        if discount > 0.0 {
            let d = discount.min(cap);
            totals.discount_given += d;
            given += d;
            state.last_reward = m.month;
        }

        // Points from every source.
        if let Some(p) = &program.points {
            let mut earned = 0;
            if m.purchases > 0 {
                earned = p.points_for(m.spend, tier.map_or(1.0, |t| t.points_multiplier));
            }
            let mut partner = 0;
            if let Some(pe) = &p.partner {
                partner = u64::from(poisson_inverse(
                    own.random::<f64>(),
                    pe.points_per_member_per_month,
                ));
            }
            let mut bonus = 0;
            if let Some(e) = &p.engagement {
                bonus += u64::from(poisson_inverse(
                    own.random::<f64>(),
                    e.actions_per_member_per_month,
                )) * e.points_per_action;
            }
            if let Some(r) = &p.referral {
                let k = poisson_inverse(own.random::<f64>(), r.per_member_per_month);
                totals.referrals += u64::from(k);
                bonus += u64::from(k) * r.points;
            }
            if m.joined {
                bonus += p.signup_bonus;
            }
            let [earned, partner, bonus] =
                p.within_balance_cap(state.wallet.balance(), [earned, partner, bonus]);
            let total = earned.saturating_add(partner).saturating_add(bonus);
            // A purchase or any points earned is activity (for inactivity expiry).
            if (m.purchases > 0 || total > 0) && !state.wallet.earn(m.month, total) {
                *overflow = true;
            }
            add(&mut totals.points_earned, total, overflow);
            add(&mut totals.points_earned_partner, partner, overflow);
            add(&mut totals.points_earned_bonus, bonus, overflow);
        }

        // Tier review.
        if let Some(t) = &program.tiers {
            let before = state.tier.level();
            state.tier.record(t, m.month, m.spend, m.purchases);
            // A demotion (to a lower tier or out of the tiers) is a missed threshold.
            if state.tier.level() < before {
                state.missed = Some(m.month);
            }
        }
    }

    // Redemption, while the program runs and in its grace months.
    if let Some(p) = &program.points
        && state.wallet.balance() >= p.first_goal()
        && own.random::<f64>() < m.behaviour.redemption_per_month
    {
        loop {
            let balance = state.wallet.balance();
            let fits =
                |r: &&crate::model::program::Reward| r.points <= balance && given + r.value <= cap;
            let choice = match p.choice {
                RewardChoice::Cheapest => p.rewards.iter().find(fits),
                RewardChoice::MostValuable => p
                    .rewards
                    .iter()
                    .filter(fits)
                    .max_by(|a, b| a.value.total_cmp(&b.value).then(b.points.cmp(&a.points))),
                RewardChoice::Appeal => {
                    let total: f64 = p.rewards.iter().filter(fits).map(|r| r.appeal).sum();
                    if total > 0.0 {
                        let mut pick = own.random::<f64>() * total;
                        let affordable: Vec<_> = p.rewards.iter().filter(fits).collect();
                        let last = affordable.last().copied();
                        affordable
                            .into_iter()
                            .find(|r| {
                                pick -= r.appeal;
                                pick < 0.0
                            })
                            .or(last)
                    } else {
                        None
                    }
                }
            };
            let Some(r) = choice else { break };
            // As many of the chosen reward as the balance and the reward limit allow; then
            // choose again among what is still affordable (only cheaper rewards can be).
            // Validation keeps a reward's price ≥ 1 point, so this divides by a nonzero.
            let mut count = balance / r.points;
            if r.value > 0.0 && cap.is_finite() {
                count = count.min(((cap - given) / r.value).floor() as u64);
            }
            let count = count.max(1);
            let spent = r.points * count;
            state.wallet.spend(m.month, spent);
            add(&mut totals.points_redeemed, spent, overflow);
            add(&mut totals.rewards_redeemed, count, overflow);
            totals.reward_cost += r.cost * count as f64;
            totals.reward_value += r.value * count as f64;
            given += r.value * count as f64;
            state.last_reward = m.month;
        }
    }
    if m.purchases > 0 && !state.certificates.is_empty() {
        let q = m.behaviour.redemption_per_month;
        let used = state.certificates.redeem_with(m.month, |cents| {
            let value = cents as f64 / 100.0;
            let wants = own.random::<f64>() < q;
            if wants && given + value <= cap {
                given += value;
                true
            } else {
                false
            }
        });
        add(&mut totals.certificates_redeemed, used, overflow);
        if used > 0 {
            state.last_reward = m.month;
        }
    }

    // Certificates at the end of a period, after this month's redemptions: a certificate is
    // usable from the month after it is issued.
    if let Some(c) = &program.cumulative_discount
        && m.phase == Phase::Running
    {
        if m.joined && !(m.month - 1).is_multiple_of(c.period_months) {
            state.partial_period = true;
        }
        state.period_spend += m.spend;
        state.period_purchases += m.purchases;
        if m.month.is_multiple_of(c.period_months) {
            let reached = match c.qualify {
                Qualify::Spend => state.period_spend >= c.threshold,
                Qualify::Purchases => f64::from(state.period_purchases) >= c.threshold,
            };
            if !reached
                && !state.partial_period
                && let Some(d) = &program.disappointment
            {
                let done = match c.qualify {
                    Qualify::Spend => state.period_spend,
                    Qualify::Purchases => f64::from(state.period_purchases),
                };
                if d.near_miss(done, c.threshold) {
                    state.missed = Some(m.month);
                }
            }
            if reached && m.issue_certificates {
                let cents = c.certificate_cents(state.period_spend);
                if cents > 0 {
                    state.certificates.issue(m.month, c.validity_months, cents);
                    add(&mut totals.certificates_issued, cents, overflow);
                    totals.certificates_issued_count += 1;
                    totals.certificate_sales += state.period_spend;
                }
            }
            state.period_spend = 0.0;
            state.period_purchases = 0;
            state.partial_period = false;
        }
    }
}
