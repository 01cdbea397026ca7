//! Customers through every month of one trial, in both worlds at once: with the program and
//! without it. Pure: no I/O, no threads, no shared state.
//!
//! Each customer has two generators keyed by (seed, trial, customer): the shared stream and
//! the program stream (see [`Stream`]). The shared stream draws, each month and in this
//! order whatever the program: the bad-experience uniforms (if the market has
//! dissatisfaction), the type-change uniform (if types change), the attrition uniform, the
//! purchase uniform, and the baseline's spend. So the world without the program is the same
//! for every design, and the two worlds differ only where the program makes them differ.
//!
//! Within a month, in order:
//! 1. a bad experience (one shared uniform against the type's risk): the customer leaves
//!    silently or, complaining, loses all attitude (type none); either way prospects are
//!    deterred;
//! 2. type change by the world's transition matrix (the members' one while the program runs);
//! 3. attrition (one shared uniform against each world's probability, raised by a competitor
//!    promotion, lowered for members, raised after a member's missed threshold or for a
//!    bystander, see [`crate::model::reactions`]); a lapsing member forfeits points and
//!    certificates;
//! 4. expiry, and the program's end: settlement in cash, or expiry at the end of the grace;
//! 5. purchases: one shared uniform inverted through each world's count distribution; the
//!    program world's rate carries the member's lift and goal-gradient pressure (eroded by a
//!    copy, lowered after a missed threshold), a former member's exit reaction (and the
//!    reference-price effect of an ended instant discount), or a bystander's reaction to the
//!    members' price advantage; a member bought for beyond their own rate adds a Poisson count at the
//!    difference, from the program stream (see [`Life::purchases`]);
//! 6. spend: the baseline's is one Gamma-Gamma draw for the month; the program world keeps the
//!    spend of the purchases both worlds share and draws only its extra purchases (or thins
//!    the total when it has fewer), then applies the basket lift;
//! 7. with prizes or privileges, a running member's draw, privileges' cost (uses drawn from
//!    the program stream) and move up in attitude (one program-stream uniform, see
//!    [`crate::model::privileges`]); then the member's month ([`member_month`]): discounts,
//!    points, certificates, tiers, redemption.
//!
//! A customer who is never a member and lives in both worlds lives the same life in both, so
//! it is simulated once and counted in both, unless bystanders react to the design (it shows
//! members a lower price: see [`Bystanders::can_react`]).
//!
//! **Run-off.** Unless the scenario fixes the breakage, a member still holding points or
//! certificates at the horizon lives on in the program world, month after month by the same
//! rules (in a quiet market), until everything held at the horizon has been redeemed, has
//! expired or has been forfeited (oldest points are spent and expire first, so the horizon's
//! points go before any earned later), for at most [`RUNOFF_MONTHS`]; points still held then
//! count as never redeemed. This gives the ultimate fate of what was issued over the horizon,
//! from which breakage is estimated; the wallet writes each point's fate to its issue month's
//! row of the block's [`super::ledger::CohortLedger`], horizon and run-off alike, and the
//! certificates holder likewise for certificate value.

use rand::RngExt;

use super::member::{MemberMonth, MemberState, member_month};
use super::rng::{SimRng, Stream, customer_rng};
use super::totals::{BlockTotals, MonthTotals, RunoffTotals, add};
use crate::model::dist::{PoissonInverse, poisson_inverse, poisson_small};
use crate::model::market::Timeline;
use crate::model::population::{COMMITTED, TYPES, Timing, TypeSampler};
use crate::model::privileges::{ATTACHED_TYPE, Privileges};
use crate::model::program::{Phase, Program, Settlement};
use crate::model::reactions::Bystanders;
use crate::model::response::{Effects, Profile, Responder, Worth, headroom};
use crate::scenario::Scenario;

/// Longest run-off after the horizon, in months (ten years).
pub const RUNOFF_MONTHS: u32 = 120;

/// Type index of "none", which a dissatisfied customer becomes.
const NO_LOYALTY: usize = 3;

/// What the kernel needs from a scenario, precomputed once per run.
///
/// Type indices: validation gives `population.types` one entry per loyalty type (`TYPES`,
/// the committed type with a share of 0 when the scenario leaves it out), and `samplers` is
/// built from it, so both have `TYPES` entries, like the `[_; TYPES]` month totals. Every type
/// index here comes from `launch_customer` (a position in `type_ends`, or 3), `draw_type` (a
/// position in a `TYPES`-array, or 3), [`TransitionMatrix::next`] (0..TYPES),
/// [`ATTACHED_TYPE`] or `NO_LOYALTY`, so indexing any of them by a type index cannot fail.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    samplers: Vec<TypeSampler>,
    /// Customer indices below `type_ends[i]` (and at or above the previous end) are of type i.
    type_ends: [u64; TYPES],
    /// Share of the program's behavioural effect a copy takes away.
    copy_erosion: f64,
    /// Mean purchase rate of the launch base, for the headroom of each customer.
    mean_rate: f64,
    /// Type mix of new customers: the acquisition's, or else the launch shares.
    newcomer_mix: [f64; TYPES],
    /// With targeting, the design as each segment sees it (see [`Model::program_for`]);
    /// empty without.
    segments: Vec<Program>,
    /// Tier positions per segment: the base and each level.
    tier_slots: usize,
    /// With dated offers, the design as each segment values it (see
    /// [`Model::worth_program_for`]); empty without.
    worth_segments: Vec<Program>,
    /// Whether a dated offer is for members' birthdays (each member's month is drawn).
    birthdays: bool,
    /// Whether customers who are not members react to the design (see
    /// [`Bystanders::can_react`]); when not, a customer who never joins lives the same life in
    /// both worlds.
    bystanders_react: bool,
}

/// Who a customer is and where they live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerSpec {
    /// Key of the customer's generators.
    pub key: u64,
    /// First month the customer is a customer.
    pub start: u32,
    /// Loyalty type at the start; `None` = drawn from the acquisition mix.
    pub loyalty_type: Option<usize>,
    /// Whether the customer exists without the program.
    pub in_baseline: bool,
    /// Whether the customer exists with the program.
    pub in_program: bool,
    /// Whether the customer is there at launch (so joins within the launch ramp).
    pub at_launch: bool,
}

impl<'a> Model<'a> {
    /// Precomputes samplers and the type of every customer index.
    pub fn new(scenario: &'a Scenario) -> Self {
        let counts = scenario
            .population
            .type_counts(scenario.simulation.customers);
        let mut type_ends = [0u64; TYPES];
        let mut end = 0;
        for (i, n) in counts.iter().enumerate() {
            end += n;
            type_ends[i] = end;
        }
        let copy_erosion = scenario.market.copycat.map_or(0.0, |c| {
            c.erosion
                .unwrap_or_else(|| scenario.program.default_copy_erosion())
        });
        let tier_slots = 1 + scenario
            .program
            .tiers
            .as_ref()
            .map_or(0, |t| t.levels.len());
        let targeting = scenario.program.targeting.as_ref();
        let segments = targeting.map_or_else(Vec::new, |t| {
            every_segment(tier_slots, |ty, group, tier| {
                t.segment(&scenario.program, ty, group, tier)
            })
        });
        let worth_segments = targeting
            .filter(|t| t.has_dated())
            .map_or_else(Vec::new, |t| {
                every_segment(tier_slots, |ty, group, tier| {
                    t.segment_worth(&scenario.program, ty, group, tier)
                })
            });
        let birthdays = targeting.is_some_and(|t| {
            t.offers
                .iter()
                .any(|o| o.when == Some(crate::model::dated::When::Birthday))
        });
        let bystanders_react = scenario
            .program
            .bystanders
            .is_some_and(|b| b.can_react(&scenario.program));
        Model {
            scenario,
            segments,
            tier_slots,
            worth_segments,
            birthdays,
            bystanders_react,
            samplers: scenario
                .population
                .types
                .iter()
                .map(TypeSampler::new)
                .collect(),
            type_ends,
            copy_erosion,
            mean_rate: scenario.population.mean_rate(),
            // i < TYPES, and a validated population has every type.
            newcomer_mix: scenario.market.acquisition.map_or_else(
                || std::array::from_fn(|i| scenario.population.types[i].share),
                |a| a.mix,
            ),
        }
    }

    /// The spec of launch customer `index`.
    pub fn launch_customer(&self, index: u64) -> CustomerSpec {
        CustomerSpec {
            key: index,
            start: 1,
            loyalty_type: Some(
                self.type_ends
                    .iter()
                    .position(|&end| index < end)
                    .unwrap_or(3),
            ),
            in_baseline: true,
            in_program: true,
            at_launch: true,
        }
    }

    /// Share of the program's behavioural effect a copy takes away.
    pub fn copy_erosion(&self) -> f64 {
        self.copy_erosion
    }

    /// The design as a member of type `ty`, RFM group `group`, in `tier` sees it: the
    /// scenario's program, or with targeting the segment's (see
    /// [`crate::model::targeting::Targeting::segment`]).
    pub fn program_for(&self, ty: usize, group: usize, tier: Option<usize>) -> &Program {
        if self.segments.is_empty() {
            return &self.scenario.program;
        }
        self.segments
            .get(self.segment_index(ty, group, tier))
            .unwrap_or(&self.scenario.program)
    }

    /// The design as a member of type `ty`, RFM group `group`, in `tier` values it: their
    /// [`Model::program_for`], with dated offers folded in at the share of spend they apply to
    /// on average (see [`crate::model::targeting::Targeting::segment_worth`]).
    pub fn worth_program_for(&self, ty: usize, group: usize, tier: Option<usize>) -> &Program {
        if self.worth_segments.is_empty() {
            return self.program_for(ty, group, tier);
        }
        self.worth_segments
            .get(self.segment_index(ty, group, tier))
            .unwrap_or(&self.scenario.program)
    }

    /// Where the segment of type `ty`, RFM group `group`, in `tier` is in the lists
    /// [`every_segment`] builds.
    fn segment_index(&self, ty: usize, group: usize, tier: Option<usize>) -> usize {
        let slot = tier.map_or(0, |t| t + 1);
        (ty * 4 + group) * self.tier_slots + slot
    }

    /// The RFM group (index into [`crate::model::rfm::Group::ALL`]) of a customer buying
    /// `rate` times a month for `spend` on average.
    fn group_of(&self, rate: f64, spend: f64) -> usize {
        self.scenario.population.rfm.group(rate, spend).index()
    }
}

/// `design(ty, group, tier)` for every segment, in the order of [`Model::segment_index`].
fn every_segment(
    tier_slots: usize,
    design: impl Fn(usize, usize, Option<usize>) -> Program,
) -> Vec<Program> {
    let mut all = Vec::with_capacity(4 * TYPES * tier_slots);
    for ty in 0..TYPES {
        for group in 0..4 {
            for slot in 0..tier_slots {
                all.push(design(ty, group, slot.checked_sub(1)));
            }
        }
    }
    all
}

/// A purchase count for a rate `lambda` from the uniform `u`, by the type's timing.
fn purchases(u: f64, lambda: f64, timing: Timing, draw: &mut PoissonInverse) -> u32 {
    match timing {
        Timing::Random => draw.draw(u, lambda),
        Timing::Regular => {
            let whole = lambda.floor();
            (whole + f64::from(u8::from(u < lambda - whole))).min(f64::from(u32::MAX)) as u32
        }
    }
}

/// A customer's own traits, drawn at the start, and how they carry over to another type.
struct Traits {
    first_type: usize,
    rate: f64,
    spend_mean: f64,
    /// RFM group, from the rate and spend drawn at arrival, for life.
    group: usize,
}

impl Traits {
    /// Purchase rate in type `ty`: the customer keeps their place relative to the type's mean.
    fn rate_in(&self, model: &Model<'_>, ty: usize) -> f64 {
        if ty == self.first_type {
            return self.rate;
        }
        // Type indices < TYPES (see `Model`).
        let from = model.samplers[self.first_type].rate_mean();
        let to = model.samplers[ty].rate_mean();
        if from > 0.0 {
            self.rate * to / from
        } else {
            to
        }
    }

    /// Mean spend per purchase in type `ty`.
    fn spend_in(&self, model: &Model<'_>, ty: usize) -> f64 {
        if ty == self.first_type {
            return self.spend_mean;
        }
        // Type indices < TYPES (see `Model`).
        self.spend_mean * model.samplers[ty].spend_mean()
            / model.samplers[self.first_type].spend_mean()
    }
}

/// What the design is worth to a member of type `ty` in `tier`, for any balance.
fn profile(model: &Model<'_>, traits: &Traits, ty: usize, tier: Option<usize>) -> Profile {
    profile_seen(model, traits, ty, tier, false)
}

/// What the design shows a customer of type `ty` deciding whether to join, with a sign-up bonus
/// of `bonus` points (see [`Profile::face_value`]). Out of line: once a customer.
#[inline(never)]
fn face_value(model: &Model<'_>, traits: &Traits, ty: usize, bonus: u64) -> f64 {
    // ty < TYPES (see `Model`).
    let horizon = model.scenario.population.types[ty].response.horizon_months;
    profile_seen(model, traits, ty, None, true).face_value(bonus, horizon)
}

/// The design's profile for a member of type `ty` in `tier`: as it is worth to them, or, with
/// `face`, as it shows itself ([`Profile::face`]).
fn profile_seen(
    model: &Model<'_>,
    traits: &Traits,
    ty: usize,
    tier: Option<usize>,
    face: bool,
) -> Profile {
    // ty < TYPES (see `Model`).
    let curves = &model.scenario.population.types[ty].response;
    let (rate, spend) = (traits.rate_in(model, ty), traits.spend_in(model, ty));
    let program = model.worth_program_for(ty, traits.group, tier);
    let mut profile = if face {
        Profile::face(program, curves, rate, spend, tier)
    } else {
        Profile::new(program, curves, rate, spend, tier)
    };
    if program.privileges.is_some() || program.prizes.is_some() {
        add_components(&mut profile, model, program, ty, (rate, spend), tier, face);
    }
    profile
}

/// Adds what the privileges and the prize draw are worth to a member of type `ty` buying at
/// `rate` for `spend` in `tier` to their `profile`. Out of line: designs without them never
/// call it.
#[cold]
#[inline(never)]
fn add_components(
    profile: &mut Profile,
    model: &Model<'_>,
    program: &Program,
    ty: usize,
    (rate, spend): (f64, f64),
    tier: Option<usize>,
    face: bool,
) {
    // ty < TYPES (see `Model`).
    let curves = &model.scenario.population.types[ty].response;
    if let Some(p) = &program.privileges {
        let value = if face {
            // As if reached: those of the next level (the first, for a customer who has not
            // joined) when it holds more.
            let next = program.tiers.as_ref().map(|_| tier.map_or(0, |i| i + 1));
            p.held(ty, tier).max(p.held(ty, next))
        } else {
            p.worth(
                program.tiers.as_ref(),
                ty,
                rate,
                spend,
                tier,
                curves.delay_discount,
                curves.horizon_months,
            )
        };
        profile.add_privileges(value);
    }
    if let Some(p) = &program.prizes {
        profile.add_now(p.worth(spend));
        if p.entries.is_some() {
            // ty < TYPES (see `Model`).
            let redemption = model.scenario.population.types[ty].redemption_per_month;
            profile.add_now(p.entries_worth(program.points.as_ref(), (rate, spend), redemption));
        }
    }
}

/// What the design is worth to a member of one type in one tier, for any balance, and how they
/// respond to it: made when the type or the tier changes, used every month.
struct Response {
    ty: usize,
    tier: Option<usize>,
    profile: Profile,
    responder: Responder,
    /// The last balance the profile was evaluated at and its worth (a month without a
    /// purchase or a reward keeps the balance).
    last: Option<(u64, Worth)>,
}

impl Response {
    fn new(model: &Model<'_>, traits: &Traits, ty: usize, tier: Option<usize>) -> Response {
        let scenario = model.scenario;
        let program = &scenario.program;
        // ty < TYPES (see `Model`).
        let b = &scenario.population.types[ty];
        let r = &program.response;
        let rate = traits.rate_in(model, ty);
        // Attachment acts only through type changes: without them it is not worked out.
        let attachment = if scenario.population.transitions.is_some() {
            r.attachment
        } else {
            0.0
        };
        Response {
            ty,
            tier,
            profile: profile(model, traits, ty, tier),
            responder: Responder::new(
                &b.response,
                headroom(rate, model.mean_rate, scenario.population.headroom),
                program.goal_gradient * b.goal_gradient_response,
                [r.frequency, r.basket, r.retention, attachment],
            ),
            last: None,
        }
    }

    /// What the design is worth to the member holding `balance` points.
    fn worth(&mut self, balance: u64) -> Worth {
        match self.last {
            Some((b, worth)) if b == balance => worth,
            _ => {
                let worth = self.profile.worth(balance);
                self.last = Some((balance, worth));
                worth
            }
        }
    }
}

/// What the program does to a member this month: the value of the design to them (`response`'s
/// profile at their balance) through their type's response curves, with `effect` (0–1) of the
/// program's behavioural effect left.
fn member_effects(
    program: &Program,
    response: &mut Response,
    state: &MemberState,
    effect: f64,
) -> Effects {
    let worth = response.worth(state.wallet.balance());
    if worth.value <= 0.0 {
        return Effects::NONE;
    }
    let progress = if program.goal_gradient > 0.0 {
        state.progress(program)
    } else {
        0.0
    };
    response.responder.effects(&worth, progress, effect)
}

/// Simulates `customers` of trial `trial` in the market `timeline`, adding to `totals`.
pub fn simulate_customers(
    model: &Model<'_>,
    timeline: &Timeline,
    trial: u64,
    customers: impl Iterator<Item = CustomerSpec>,
    totals: &mut BlockTotals,
) {
    let mut state = MemberState::new(&model.scenario.program);
    // The wallet writes each point's fate to the block's ledger.
    state.wallet.ledger = std::mem::take(&mut totals.points_cohorts);
    state.certificates.ledger = std::mem::take(&mut totals.certificates_cohorts);
    for spec in customers {
        simulate_customer(model, timeline, trial, &spec, &mut state, totals);
    }
    totals.points_cohorts = std::mem::take(&mut state.wallet.ledger);
    totals.certificates_cohorts = std::mem::take(&mut state.certificates.ledger);
}

fn draw_type(mix: &[f64; TYPES], u: f64) -> usize {
    let mut cumulative = 0.0;
    for (i, &p) in mix.iter().enumerate() {
        cumulative += p;
        if u < cumulative {
            return i;
        }
    }
    mix.iter().rposition(|&p| p > 0.0).unwrap_or(3)
}

/// The month a customer joins, if ever. Whether they would join at all is the type's
/// enrolment curve at what the design shows them (its face value: every reward as if reached,
/// no wait; see [`Profile::face_value`]), not at what it will be worth to them; those who would
/// join are reached over the launch ramp (launch customers) or on arrival, then sign up at each
/// visit with the program's `joining_per_visit` chance, so heavy buyers join sooner and light
/// ones later, as they learn of the program. Draws, from the program stream: the join uniform,
/// then the ramp month (if a ramp), then the sign-up delay (if not at once).
fn join_month(
    model: &Model<'_>,
    spec: &CustomerSpec,
    traits: &Traits,
    response: &mut Option<Response>,
    own: &mut SimRng,
) -> Option<u32> {
    let program = &model.scenario.program;
    let ty = traits.first_type;
    let u_join = own.random::<f64>();
    if !spec.in_program || program.phase(spec.start) != Phase::Running {
        return None;
    }
    // ty < TYPES (see `Model`).
    let curves = &model.scenario.population.types[ty].response;
    // The enrolment curve never exceeds its maximum: above it no design value makes a join,
    // and what the design is worth to the customer need not be worked out.
    if u_join >= curves.enrolment {
        return None;
    }
    // A sign-up bonus is part of what the design shows (see `Profile::face_value`).
    let bonus = program.points.as_ref().map_or(0, |p| p.signup_bonus);
    *response = Some(Response::new(model, traits, ty, None));
    let value = face_value(model, traits, ty, bonus);
    let share = curves.enrolment_share(value);
    if u_join >= share {
        return None;
    }
    let reached = if spec.at_launch && program.enrolment_ramp_months > 1 {
        let ramp = program.enrolment_ramp_months;
        (1 + (own.random::<f64>() * f64::from(ramp)) as u32).min(ramp)
    } else {
        spec.start
    };
    let q = program.joining_per_visit;
    let month = if q >= 1.0 {
        reached
    } else {
        // Visits a month are Poisson at the customer's rate: the chance of signing up within
        // a month is 1 − e^(−q·rate); the months until then are geometric.
        let per_month = -(-q * traits.rate).exp_m1();
        let u = 1.0 - own.random::<f64>(); // in (0, 1]
        if per_month <= 0.0 {
            return None;
        }
        if per_month >= 1.0 {
            reached
        } else {
            let wait = (u.ln() / (-per_month).ln_1p()).floor();
            if wait >= f64::from(model.scenario.simulation.months) {
                return None;
            }
            reached + wait as u32
        }
    };
    // A join month the program does not reach (it ended first) is no join at all.
    (program.phase(month) == Phase::Running).then_some(month)
}

/// One customer's two lives, month by month: the world without the program (`base`) and the
/// world with it (`prog`). Each step of a month is a method, in the order of the module
/// documentation.
struct Life<'m, 'a> {
    model: &'m Model<'a>,
    traits: Traits,
    enrolled_from: Option<u32>,
    /// RFM group, for life.
    group: usize,
    alive_base: bool,
    alive_prog: bool,
    ty_base: usize,
    ty_prog: usize,
    /// Share of the members' extra type changes delivered, from last month's value.
    attachment: f64,
    /// What the design is worth to the member, for the type and tier it was made for.
    response: Response,
    /// Each world's last purchase rate, for the draw of the month's purchases.
    draw_base: PoissonInverse,
    draw_prog: PoissonInverse,
    /// Calendar month of the member's birthday (1–12), drawn when a dated offer needs it;
    /// 0 otherwise.
    birthday: u32,
}

/// Where the program and the market stand for this customer in one month.
struct MonthContext {
    month_no: u32,
    phase: Phase,
    enrolled: bool,
    running_member: bool,
    /// Strength of a competitor promotion (0 = none).
    strength: f64,
    /// Share of the program's behavioural effect left on the member.
    effect: f64,
}

impl Life<'_, '_> {
    /// The member's effects this month (see [`member_effects`]), the profile remade when the
    /// type or the tier has changed; lowered in the months after a missed threshold (see
    /// `[program.disappointment]`).
    fn effects(&mut self, state: &MemberState, ctx: &MonthContext) -> Effects {
        let (ty, tier) = (self.ty_prog, state.tier.level());
        if (self.response.ty, self.response.tier) != (ty, tier) {
            self.response = Response::new(self.model, &self.traits, ty, tier);
        }
        let e = member_effects(
            self.model.program_for(ty, self.group, tier),
            &mut self.response,
            state,
            ctx.effect,
        );
        self.attachment = e.attachment;
        match &self.model.scenario.program.disappointment {
            Some(d) if d.reacting(state.missed, ctx.month_no) => d.apply(e),
            _ => e,
        }
    }

    /// What the program does to this customer while they are not a member and it runs, in a
    /// design that shows members a lower price: they see members pay less (see
    /// [`Bystanders`]). Out of line: designs that show none never call it.
    #[cold]
    #[inline(never)]
    fn bystander_effects(&self, bystanders: &Bystanders) -> Effects {
        let model = self.model;
        let basket = self.traits.spend_in(model, self.ty_prog);
        bystanders.effects(bystanders.advantage(&model.scenario.program, basket))
    }

    fn context(&self, timeline: &Timeline, month_no: u32, state: &MemberState) -> MonthContext {
        let program = &self.model.scenario.program;
        let phase = program.phase(month_no);
        let enrolled = self.enrolled_from.is_some_and(|e| month_no >= e);
        let running_member = enrolled && phase == Phase::Running;
        let erosion = if timeline.copied_by(month_no) {
            self.model.copy_erosion
        } else {
            0.0
        };
        // Less after a copy, and less the longer since the member's last reward.
        let interest = if running_member {
            program
                .disengagement
                .interest(month_no.saturating_sub(state.last_reward))
        } else {
            1.0
        };
        MonthContext {
            month_no,
            phase,
            enrolled,
            running_member,
            strength: timeline.promotion_in(month_no),
            effect: (1.0 - erosion) * interest,
        }
    }

    /// 1. A bad experience: the customer leaves silently or, complaining, loses all attitude.
    fn bad_experience(
        &mut self,
        shared: &mut SimRng,
        ctx: &MonthContext,
        month: &mut MonthTotals,
        state: &mut MemberState,
        overflow: &mut bool,
    ) {
        let Some(d) = &self.model.scenario.market.dissatisfaction else {
            return;
        };
        let (u_bad, u_silent) = (shared.random::<f64>(), shared.random::<f64>());
        if u_bad >= d.per_month {
            return;
        }
        if self.alive_base {
            month.dissatisfied_baseline += 1;
            month.word_of_mouth_baseline -= d.deterred_prospects;
            if u_silent < d.silent_share {
                self.alive_base = false;
            } else {
                self.ty_base = NO_LOYALTY;
            }
        }
        if self.alive_prog {
            month.dissatisfied_program += 1;
            month.word_of_mouth_program -= d.deterred_prospects;
            if u_silent < d.silent_share {
                self.alive_prog = false;
                state.forfeit(ctx.month_no, month, overflow);
            } else {
                self.ty_prog = NO_LOYALTY;
            }
        }
    }

    /// 2. Type change: members move by a blend of everyone's rows and the members' rows, by
    ///    the attachment the design creates.
    fn change_type(&mut self, shared: &mut SimRng, ctx: &MonthContext) {
        let Some(t) = self.model.scenario.population.transitions.as_ref() else {
            return;
        };
        let u = shared.random::<f64>();
        self.ty_base = t.base.next(self.ty_base, u);
        self.ty_prog = if ctx.running_member {
            t.member_next(self.ty_prog, self.attachment, u)
        } else {
            t.base.next(self.ty_prog, u)
        };
    }

    /// 3. Attrition: one shared uniform against each world's probability, raised by a
    ///    competitor promotion (less for a member the program insulates), lowered for members.
    fn attrition(
        &mut self,
        shared: &mut SimRng,
        ctx: &MonthContext,
        effects: &Effects,
        month: &mut MonthTotals,
        state: &mut MemberState,
        overflow: &mut bool,
    ) {
        let scenario = self.model.scenario;
        let defection = scenario.market.competitor.map_or(0.0, |c| c.defection);
        let promotion = |a: f64, sensitivity: f64| {
            if ctx.strength == 0.0 {
                a
            } else {
                1.0 - (1.0 - a) * (1.0 - ctx.strength * sensitivity * defection)
            }
        };
        // ty < TYPES (see `Model`).
        let (b_base, b_prog) = (
            &scenario.population.types[self.ty_base],
            &scenario.population.types[self.ty_prog],
        );
        let u = shared.random::<f64>();
        if self.alive_base
            && u < promotion(b_base.attrition_per_month, b_base.competitor_sensitivity)
        {
            self.alive_base = false;
        }
        let attrition = b_prog.attrition_per_month * effects.attrition;
        let sensitivity = b_prog.competitor_sensitivity * effects.pull;
        if self.alive_prog && u < promotion(attrition, sensitivity) {
            self.alive_prog = false;
            state.forfeit(ctx.month_no, month, overflow);
        }
    }

    /// 4. Expiry, and the program's end: settlement in cash, or expiry at the end of the grace.
    fn expiry_and_exit(
        &self,
        ctx: &MonthContext,
        month: &mut MonthTotals,
        state: &mut MemberState,
        overflow: &mut bool,
    ) {
        if !(self.alive_prog && ctx.enrolled) {
            return;
        }
        let month_no = ctx.month_no;
        let expired = state.wallet.expire(month_no);
        // Points expired unredeemed while the program runs are a missed threshold when the
        // member held at least `near` of the first reward: a member far from any reward loses
        // little they were counting on.
        if expired > 0 && ctx.phase == Phase::Running {
            let program = &self.model.scenario.program;
            if let (Some(d), Some(p)) = (&program.disappointment, &program.points)
                && d.near_miss_of_points(state.wallet.balance() + expired, p.first_goal())
            {
                state.missed = Some(month_no);
            }
        }
        add(&mut month.points_expired, expired, overflow);
        add(
            &mut month.certificates_expired,
            state.certificates.expire(month_no),
            overflow,
        );
        let Some(exit) = self.model.scenario.program.exit else {
            return;
        };
        if month_no == exit.month && exit.settlement == Settlement::Cash {
            add(
                &mut month.points_settled,
                state.wallet.settle(month_no),
                overflow,
            );
            add(
                &mut month.certificates_settled,
                state.certificates.settle(month_no),
                overflow,
            );
        }
        if month_no == exit.month + exit.grace_months {
            add(
                &mut month.points_expired,
                state.wallet.forfeit(month_no),
                overflow,
            );
            add(
                &mut month.certificates_expired,
                state.certificates.take_all(month_no),
                overflow,
            );
        }
    }

    /// 5. Purchases: one shared uniform inverted through each world's count distribution. In
    ///    the program world, a member the design moves buys what the same customer would buy
    ///    without the program's effects (the shared uniform at their own rate: the baseline's
    ///    count when both worlds have the same type and rate) plus a Poisson count at the
    ///    difference of the rates, from the program stream (a sum of independent Poisson counts
    ///    is Poisson at the summed rate, so the month's count has the distribution of the
    ///    member's rate, and never falls below the customer's own). A rate below their own (a
    ///    former member's reaction, a competitor's pull) is inverted from the shared uniform.
    fn purchases(
        &mut self,
        shared: &mut SimRng,
        own: &mut SimRng,
        ctx: &MonthContext,
        effects: &Effects,
    ) -> (u32, u32) {
        let model = self.model;
        let types = &model.scenario.population.types;
        // ty < TYPES (see `Model`).
        let (b_base, b_prog) = (&types[self.ty_base], &types[self.ty_prog]);
        let cut = |sensitivity: f64| 1.0 - ctx.strength * sensitivity;
        let u = shared.random::<f64>();
        let mut rate_base = f64::NAN;
        let n_base = if self.alive_base {
            rate_base = self.traits.rate_in(model, self.ty_base);
            if ctx.strength != 0.0 {
                rate_base *= cut(b_base.competitor_sensitivity);
            }
            purchases(
                u,
                rate_base,
                b_base.purchases_per_month.timing,
                &mut self.draw_base,
            )
        } else {
            0
        };
        let n_prog = if self.alive_prog {
            // The customer's own rate in the program world: their type's, in the market.
            let mut own_rate = self.traits.rate_in(model, self.ty_prog);
            let mut rate = if ctx.running_member {
                own_rate * effects.rate
            } else if ctx.enrolled && ctx.phase != Phase::Running {
                own_rate * (1.0 + b_prog.exit_reaction) * self.reference_price(ctx)
            } else {
                // A bystander's reaction (1 for everyone else).
                own_rate * effects.rate
            };
            if ctx.strength != 0.0 {
                rate *= cut(b_prog.competitor_sensitivity * effects.pull);
                own_rate *= cut(b_prog.competitor_sensitivity);
            }
            let same_type = self.ty_prog == self.ty_base;
            // The same uniform at the same rate by the same timing gives the same count: the
            // months before a customer joins, and a member the design does not move.
            if rate == rate_base && same_type {
                return (n_base, n_base);
            }
            let timing = b_prog.purchases_per_month.timing;
            if timing == Timing::Random && rate > own_rate {
                let n_own = if own_rate == rate_base && same_type {
                    n_base
                } else {
                    self.draw_prog.draw(u, own_rate)
                };
                n_own.saturating_add(poisson_small(own.random::<f64>(), rate - own_rate))
            } else {
                purchases(u, rate, timing, &mut self.draw_prog)
            }
        } else {
            0
        };
        (n_base, n_prog)
    }

    /// A former member's purchase-rate factor from the reference-price effect of the instant
    /// discount that ended with the program (see [`crate::model::program::ReferencePrice`]).
    /// Out of line: only former members call it.
    #[cold]
    #[inline(never)]
    fn reference_price(&self, ctx: &MonthContext) -> f64 {
        let program = self.model.program_for(self.ty_prog, self.group, None);
        match (&program.instant_discount, program.exit) {
            (Some(d), Some(exit)) => {
                let rate = d.rate_for(self.traits.spend_in(self.model, self.ty_prog));
                d.reference_price
                    .rate_factor(rate, ctx.month_no.saturating_sub(exit.month))
            }
            _ => 1.0,
        }
    }

    /// Privileges move a running member up in attitude (false → true, none → latent; counted
    /// in the new type from this month's totals), with a chance that grows with their value to the member; one program-stream
    /// uniform when the member's type can move.
    fn attach(
        &mut self,
        privileges: &Privileges,
        ctx: &MonthContext,
        state: &MemberState,
        own: &mut SimRng,
        month: &mut MonthTotals,
    ) {
        let ty = self.ty_prog;
        // ty < TYPES (see `Model`). Truly loyal members move on to committed loyalty only in
        // a scenario that has that type.
        let to = ATTACHED_TYPE[ty];
        if to == ty || (to == COMMITTED && !self.model.scenario.population.committed) {
            return;
        }
        let tier = state.tier.level();
        if (self.response.ty, self.response.tier) != (ty, tier) {
            self.response = Response::new(self.model, &self.traits, ty, tier);
        }
        let scale = self.model.scenario.program.response.attachment;
        let chance = privileges.attachment_chance(
            ty,
            self.response.profile.privileges(),
            ctx.effect * scale,
        );
        if chance > 0.0 && own.random::<f64>() < chance {
            self.ty_prog = ATTACHED_TYPE[ty];
            month.privilege_attached += 1;
        }
    }

    /// 7a. A running member's prizes and privileges, once their purchases are known, from the
    ///     program stream in this order: the prize draw (one uniform if they bought), each
    ///     privilege's uses, the move up in attitude ([`Life::attach`]). A prize won, or a
    ///     privilege held, is a reward that keeps their interest. Kept out of line: designs
    ///     without prizes or privileges never call it, and the month's hot path stays as it was.
    #[cold]
    #[inline(never)]
    fn extras_month(
        &mut self,
        ctx: &MonthContext,
        purchases: u32,
        state: &mut MemberState,
        own: &mut SimRng,
        month: &mut MonthTotals,
        overflow: &mut bool,
    ) {
        if !(ctx.running_member && self.alive_prog) {
            return;
        }
        let model = self.model;
        let program = model.program_for(self.ty_prog, self.group, state.tier.level());
        if let Some(p) = &program.prizes
            && purchases > 0
        {
            let wins = p.wins(purchases, own.random::<f64>());
            if wins > 0 {
                month.prizes_won += u64::from(wins);
                month.prize_cost += f64::from(wins) * p.prize_cost;
                state.last_reward = ctx.month_no;
            }
        }
        if let Some(p) = &program.prizes
            && let (Some(entries), Some(points)) = (&p.entries, &program.points)
        {
            // ty_prog < TYPES (see `Model`).
            let behaviour = &model.scenario.population.types[self.ty_prog];
            super::prize_entries::month(
                entries,
                p.prize_cost,
                points.first_goal(),
                behaviour.redemption_per_month,
                ctx.month_no,
                state,
                own,
                month,
                overflow,
            );
        }
        let Some(privileges) = &program.privileges else {
            return;
        };
        let tier = state.tier.level();
        if privileges.items.iter().any(|p| p.reaches(tier)) {
            let (cost, uses) =
                privileges.month_cost(tier, |mean| poisson_inverse(own.random::<f64>(), mean));
            month.privilege_cost += cost;
            month.privilege_uses += uses;
            state.last_reward = ctx.month_no;
        }
        self.attach(privileges, ctx, state, own, month);
    }

    /// 6. Spend: the baseline's is one Gamma-Gamma draw for the month; the program world keeps
    ///    the spend of the purchases both worlds share and draws only its extra purchases (or
    ///    thins the total when it has fewer), then applies the basket effect.
    fn spend(
        &self,
        (n_base, n_prog): (u32, u32),
        effects: &Effects,
        shared: &mut SimRng,
        own: &mut SimRng,
    ) -> (f64, f64) {
        let (model, traits) = (self.model, &self.traits);
        let (ty_base, ty_prog) = (self.ty_base, self.ty_prog);
        // ty_base, ty_prog < TYPES (see `Model`).
        let (s_base, s_prog) = (&model.samplers[ty_base], &model.samplers[ty_prog]);
        let spend_base = s_base.draw_spend(n_base, traits.spend_in(model, ty_base), shared);
        if n_prog == 0 {
            return (spend_base, 0.0);
        }
        let common = if n_prog >= n_base {
            spend_base
        } else {
            s_base.thin_spend(spend_base, n_prog, n_base, own)
        };
        let common = if ty_prog == ty_base {
            common
        } else {
            common * traits.spend_in(model, ty_prog) / traits.spend_in(model, ty_base)
        };
        let extra = if n_prog > n_base {
            s_prog.draw_spend(n_prog - n_base, traits.spend_in(model, ty_prog), own)
        } else {
            0.0
        };
        (spend_base, (common + extra) * effects.basket)
    }

    /// Counts the month in both worlds and runs the member's month (7).
    #[allow(clippy::too_many_arguments)]
    fn count(
        &self,
        ctx: &MonthContext,
        (n_base, n_prog): (u32, u32),
        (spend_base, spend_prog): (f64, f64),
        own: &mut SimRng,
        month: &mut MonthTotals,
        state: &mut MemberState,
        overflow: &mut bool,
    ) {
        let model = self.model;
        let types = &model.scenario.population.types;
        let (ty_base, ty_prog) = (self.ty_base, self.ty_prog);
        // ty_base, ty_prog < TYPES (see `Model`).
        if self.alive_base {
            month.customers_baseline[ty_base] += 1;
            month.word_of_mouth_baseline += types[ty_base].word_of_mouth;
            if n_base > 0 {
                month.active_baseline[ty_base] += 1;
                month.transactions_baseline[ty_base] += u64::from(n_base);
                month.revenue_baseline[ty_base] += spend_base;
                month.by_group.revenue_baseline[self.group] += spend_base;
            }
        }
        if !self.alive_prog {
            return;
        }
        month.customers_program[ty_prog] += 1;
        month.word_of_mouth_program += types[ty_prog].word_of_mouth;
        if n_prog > 0 {
            month.active_program[ty_prog] += 1;
            month.transactions_program[ty_prog] += u64::from(n_prog);
            month.revenue_program[ty_prog] += spend_prog;
            month.by_group.revenue_program[self.group] += spend_prog;
        }
        let group = self.group;
        if ctx.enrolled && ctx.phase != Phase::Closed {
            month.members[ty_prog] += 1;
            month.by_group.members[group] += 1;
            if ctx.running_member && n_prog > 0 {
                month.member_transactions += u64::from(n_prog);
                month.member_revenue += spend_prog;
            }
            // 7. The member's month, with the dated offers that apply this month.
            let tier = state.tier.level();
            let segment = model.program_for(ty_prog, group, tier);
            let dated = match &model.scenario.program.targeting {
                Some(t) if !model.worth_segments.is_empty() && ctx.running_member && n_prog > 0 => {
                    super::dated::month_program(
                        t,
                        segment,
                        (ty_prog, group, tier),
                        crate::model::dated::calendar_month(
                            model.scenario.simulation.launch_month,
                            ctx.month_no,
                        ),
                        self.birthday,
                        n_prog,
                        own,
                    )
                }
                _ => None,
            };
            let mm = MemberMonth {
                program: dated.as_ref().unwrap_or(segment),
                behaviour: &types[ty_prog],
                sampler: &model.samplers[ty_prog],
                month: ctx.month_no,
                phase: ctx.phase,
                purchases: n_prog,
                spend: spend_prog,
                issue_certificates: true,
                joined: self.enrolled_from == Some(ctx.month_no),
            };
            member_month(state, &mm, own, month, overflow);
        }
        add(
            &mut month.points_outstanding,
            state.wallet.balance(),
            overflow,
        );
        add(
            &mut month.certificates_outstanding,
            state.certificates.outstanding(),
            overflow,
        );
    }
}

fn simulate_customer(
    model: &Model<'_>,
    timeline: &Timeline,
    trial: u64,
    spec: &CustomerSpec,
    state: &mut MemberState,
    totals: &mut BlockTotals,
) {
    let scenario = model.scenario;
    let program = &scenario.program;
    let months = scenario.simulation.months;
    let seed = scenario.simulation.seed;
    let mut shared = customer_rng(seed, trial, spec.key, Stream::Shared);
    let mut own = customer_rng(seed, trial, spec.key, Stream::Program);

    let first_type = match spec.loyalty_type {
        Some(t) => t,
        None => draw_type(&model.newcomer_mix, shared.random::<f64>()),
    };
    // first_type < TYPES (see `Model`).
    let sampler = &model.samplers[first_type];
    let rate = sampler.draw_rate(&mut shared);
    // (the spend mean is drawn after the rate: that order is part of the streams)
    let spend_mean = sampler.draw_spend_mean(&mut shared);
    let traits = Traits {
        first_type,
        rate,
        spend_mean,
        group: model.group_of(rate, spend_mean),
    };
    state.reset(program);
    let mut first_response = None;
    let enrolled_from = join_month(model, spec, &traits, &mut first_response, &mut own);

    // A bystander who reacts to the program does not live the same life in both worlds.
    if enrolled_from.is_none() && spec.in_baseline && spec.in_program && !model.bystanders_react {
        same_life_in_both_worlds(
            model,
            timeline,
            spec,
            first_type,
            &traits,
            &mut shared,
            totals,
        );
        return;
    }

    let start_index = spec.start as usize - 1;
    if !spec.at_launch
        && let Some(first) = totals.months.get_mut(start_index)
    {
        first.new_customers_baseline += u64::from(spec.in_baseline);
        first.new_customers_program += u64::from(spec.in_program);
    }
    // Joining counts as a reward: interest starts whole.
    state.last_reward = enrolled_from.unwrap_or(0);
    // A member's birthday month, from the program stream, when a dated offer needs it.
    let birthday = if model.birthdays && enrolled_from.is_some() {
        crate::model::dated::birthday_month(own.random::<f64>())
    } else {
        0
    };
    let mut response =
        first_response.unwrap_or_else(|| Response::new(model, &traits, first_type, None));
    let extras = program.privileges.is_some() || program.prizes.is_some();
    let attachment = if enrolled_from.is_some() && scenario.population.transitions.is_some() {
        member_effects(program, &mut response, state, 1.0).attachment
    } else {
        0.0
    };
    let mut life = Life {
        model,
        group: traits.group,
        traits,
        enrolled_from,
        alive_base: spec.in_baseline,
        alive_prog: spec.in_program,
        ty_base: first_type,
        ty_prog: first_type,
        attachment,
        response,
        draw_base: PoissonInverse::default(),
        draw_prog: PoissonInverse::default(),
        birthday,
    };

    for (m, month) in totals
        .months
        .iter_mut()
        .enumerate()
        .skip(start_index)
        .take(months as usize)
    {
        let mut overflow = month.points_overflow;
        let ctx = life.context(timeline, m as u32 + 1, state);
        life.bad_experience(&mut shared, &ctx, month, state, &mut overflow);
        life.change_type(&mut shared, &ctx);
        let effects = if ctx.running_member && life.alive_prog {
            life.effects(state, &ctx)
        } else if let Some(b) = &program.bystanders
            && model.bystanders_react
            && life.alive_prog
            && !ctx.enrolled
            && ctx.phase == Phase::Running
        {
            life.bystander_effects(b)
        } else {
            Effects::NONE
        };
        life.attrition(&mut shared, &ctx, &effects, month, state, &mut overflow);
        if !life.alive_base && !life.alive_prog {
            month.points_overflow = overflow;
            break;
        }
        life.expiry_and_exit(&ctx, month, state, &mut overflow);
        let counts = life.purchases(&mut shared, &mut own, &ctx, &effects);
        let spends = life.spend(counts, &effects, &mut shared, &mut own);
        // The member's rewards this month, charged to their group.
        let before = month.rewards_at_cost();
        if extras {
            life.extras_month(&ctx, counts.1, state, &mut own, month, &mut overflow);
        }
        life.count(&ctx, counts, spends, &mut own, month, state, &mut overflow);
        if ctx.enrolled {
            month.by_group.reward_cost[life.group] += month.rewards_at_cost() - before;
        }
        month.points_overflow = overflow;
    }

    if life.alive_prog && enrolled_from.is_some() {
        runoff(
            model,
            &life.traits,
            life.ty_prog,
            state,
            &mut shared,
            &mut own,
            &mut totals.runoff,
        );
    }
}

/// A customer who is not a member, in both worlds: one life, counted twice.
fn same_life_in_both_worlds(
    model: &Model<'_>,
    timeline: &Timeline,
    spec: &CustomerSpec,
    first_type: usize,
    traits: &Traits,
    shared: &mut SimRng,
    totals: &mut BlockTotals,
) {
    let scenario = model.scenario;
    let market = &scenario.market;
    let transitions = scenario.population.transitions.as_ref();
    let mut draw = PoissonInverse::default();
    let mut ty = first_type;
    let start_index = spec.start as usize - 1;
    if !spec.at_launch
        && let Some(first) = totals.months.get_mut(start_index)
    {
        first.new_customers_baseline += 1;
        first.new_customers_program += 1;
    }
    for (m, month) in totals
        .months
        .iter_mut()
        .enumerate()
        .skip(start_index)
        .take(scenario.simulation.months as usize)
    {
        let month_no = m as u32 + 1;
        let strength = timeline.promotion_in(month_no);
        if let Some(d) = &market.dissatisfaction {
            let (u_bad, u_silent) = (shared.random::<f64>(), shared.random::<f64>());
            if u_bad < d.per_month {
                month.dissatisfied_baseline += 1;
                month.dissatisfied_program += 1;
                month.word_of_mouth_baseline -= d.deterred_prospects;
                month.word_of_mouth_program -= d.deterred_prospects;
                if u_silent < d.silent_share {
                    break;
                }
                ty = NO_LOYALTY;
            }
        }
        if let Some(t) = transitions {
            ty = t.base.next(ty, shared.random::<f64>());
        }
        // ty < TYPES (see `Model`): in range of the types, samplers and totals.
        let b = &scenario.population.types[ty];
        let attrition = if strength == 0.0 {
            b.attrition_per_month
        } else {
            let defect = strength
                * b.competitor_sensitivity
                * market.competitor.map_or(0.0, |c| c.defection);
            1.0 - (1.0 - b.attrition_per_month) * (1.0 - defect)
        };
        if shared.random::<f64>() < attrition {
            break;
        }
        let rate = traits.rate_in(model, ty);
        let rate = if strength == 0.0 {
            rate
        } else {
            rate * (1.0 - strength * b.competitor_sensitivity)
        };
        let n = purchases(
            shared.random::<f64>(),
            rate,
            b.purchases_per_month.timing,
            &mut draw,
        );
        let spend = model.samplers[ty].draw_spend(n, traits.spend_in(model, ty), shared);
        month.customers_program[ty] += 1;
        month.customers_baseline[ty] += 1;
        month.by_group.revenue_program[traits.group] += spend;
        month.by_group.revenue_baseline[traits.group] += spend;
        month.word_of_mouth_program += b.word_of_mouth;
        month.word_of_mouth_baseline += b.word_of_mouth;
        if n > 0 {
            month.active_program[ty] += 1;
            month.active_baseline[ty] += 1;
            month.transactions_program[ty] += u64::from(n);
            month.transactions_baseline[ty] += u64::from(n);
            month.revenue_program[ty] += spend;
            month.revenue_baseline[ty] += spend;
        }
    }
}

/// Follows what a member holds at the horizon until it is all settled (see the module
/// documentation), in a quiet market and the member's type at the horizon.
fn runoff(
    model: &Model<'_>,
    traits: &Traits,
    ty: usize,
    state: &mut MemberState,
    shared: &mut SimRng,
    own: &mut SimRng,
    out: &mut RunoffTotals,
) {
    let scenario = model.scenario;
    let program = &scenario.program;
    let months = scenario.simulation.months;
    let points_simulated = program
        .points
        .as_ref()
        .is_some_and(|p| p.breakage.is_none());
    let certificates_simulated = program
        .cumulative_discount
        .as_ref()
        .is_some_and(|c| c.breakage.is_none());
    let mut points_left = if points_simulated {
        state.wallet.balance()
    } else {
        0
    };
    let mut certificates_left = if certificates_simulated {
        state.certificates.outstanding()
    } else {
        0
    };
    if points_left == 0 && certificates_left == 0 {
        return;
    }
    // ty < TYPES (see `Model`).
    let behaviour = &scenario.population.types[ty];
    let sampler = &model.samplers[ty];
    let mut overflow = out.points_overflow;
    let mut scratch = MonthTotals::default();
    let mut settled = false;
    let mut response = Response::new(model, traits, ty, state.tier.level());
    let mut draw = PoissonInverse::default();
    for month_no in months + 1..=months + RUNOFF_MONTHS {
        let phase = program.phase(month_no);
        let effects = if phase == Phase::Running {
            let interest = program
                .disengagement
                .interest(month_no.saturating_sub(state.last_reward));
            if response.tier != state.tier.level() {
                response = Response::new(model, traits, ty, state.tier.level());
            }
            let own_program = model.program_for(ty, traits.group, state.tier.level());
            member_effects(own_program, &mut response, state, interest)
        } else {
            Effects::NONE
        };
        let attrition = behaviour.attrition_per_month * effects.attrition;
        if shared.random::<f64>() < attrition {
            settled = true; // lapses: everything left is forfeited, counted below
            break;
        }
        if let Some(exit) = program.exit
            && exit.settlement == Settlement::Cash
            && month_no >= exit.month
        {
            // Paid out in cash: honoured, not broken.
            state.wallet.settle(month_no);
            state.certificates.settle(month_no);
            add(&mut out.points_redeemed, points_left, &mut overflow);
            add(
                &mut out.certificates_redeemed,
                certificates_left,
                &mut overflow,
            );
            points_left = 0;
            certificates_left = 0;
            settled = true;
            break;
        }
        let mut expired = state.wallet.expire(month_no);
        let mut certificates_expired = state.certificates.expire(month_no);
        if let Some(exit) = program.exit
            && month_no >= exit.month + exit.grace_months
        {
            expired += state.wallet.forfeit(month_no);
            certificates_expired += state.certificates.take_all(month_no);
        }
        let expired = expired.min(points_left);
        points_left -= expired;
        add(&mut out.points_broken, expired, &mut overflow);
        let certificates_expired = certificates_expired.min(certificates_left);
        certificates_left -= certificates_expired;
        add(
            &mut out.certificates_broken,
            certificates_expired,
            &mut overflow,
        );
        if points_left == 0 && certificates_left == 0 {
            settled = true;
            break;
        }
        let rate = traits.rate_in(model, ty) * effects.rate;
        let n = purchases(
            shared.random::<f64>(),
            rate,
            behaviour.purchases_per_month.timing,
            &mut draw,
        );
        let spend = sampler.draw_spend(n, traits.spend_in(model, ty), shared) * effects.basket;
        let before = (scratch.points_redeemed, scratch.certificates_redeemed);
        let mm = MemberMonth {
            program: model.program_for(ty, traits.group, state.tier.level()),
            behaviour,
            sampler,
            month: month_no,
            phase,
            purchases: n,
            spend,
            issue_certificates: false,
            joined: false,
        };
        member_month(state, &mm, own, &mut scratch, &mut overflow);
        let redeemed = (scratch.points_redeemed - before.0).min(points_left);
        points_left -= redeemed;
        add(&mut out.points_redeemed, redeemed, &mut overflow);
        let certificates_redeemed =
            (scratch.certificates_redeemed - before.1).min(certificates_left);
        certificates_left -= certificates_redeemed;
        add(
            &mut out.certificates_redeemed,
            certificates_redeemed,
            &mut overflow,
        );
        if points_left == 0 && certificates_left == 0 {
            settled = true;
            break;
        }
    }
    if !settled {
        add(&mut out.points_unsettled, points_left, &mut overflow);
    }
    // What is left (of a member who lapsed, or still held at the end) is never redeemed.
    state.wallet.forfeit(months + RUNOFF_MONTHS);
    state.certificates.take_all(months + RUNOFF_MONTHS);
    add(&mut out.points_broken, points_left, &mut overflow);
    add(
        &mut out.certificates_broken,
        certificates_left,
        &mut overflow,
    );
    out.points_overflow = overflow;
}
