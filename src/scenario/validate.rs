//! Raw scenario → [`Scenario`]: every value's type and range, required fields, defaults, and
//! rules across fields. Collects every problem, each with the field's path and span. The
//! program is checked in [`super::validate_program`], the market in
//! [`super::validate_market`].
//!
//! Defaults, each with its reason (also in docs/model.md):
//! - `purchases_per_month.cv = 1.0`: a Gamma with shape 1 across customers, i.e. an NBD with
//!   exponent 1 — a stated assumption in the range Ehrenberg reports for repeat buying; replace
//!   it with a calibrated value when transaction data exist.
//! - `spend_per_purchase.cv_within = 0.4`, `cv_between = 0.76`: the Gamma-Gamma fit to the
//!   CDNOW sample (Fader & Hardie, "The Gamma-Gamma model of monetary value", 2013: p = 6.25,
//!   q = 3.74, so 1/√p = 0.40 and 1/√(q − 2) = 0.76).
//! - `response`: each type's [`DEFAULT_CURVES`] (sources in docs/model.md); a type stated in the
//!   fixed-lift form (`enrolment`, `frequency_lift`, `basket_lift`, `attrition_reduction`) gets
//!   step curves with those maxima, no insulation, and the population no headroom;
//!   `headroom = 1`; `word_of_mouth`,
//!   `exit_reaction = 0`: no effect unless stated; `goal_gradient_response = 1`: every type
//!   speeds up near a reward as measured; `competitor_sensitivity`: true 0.05, latent 0.2,
//!   false 0.8, none 0.5 (DOMAIN §1: true loyalty is least sensitive to competitors, false
//!   loyalty leaves at the first good opportunity; the numbers are a stated assumption).

use toml::Value;

use super::checker::{At, Bounds, Checker, Got, found, readable_sum};
use super::raw::{RawScenario, RawTransitions, RawType};
use super::rules;
use super::{Finance, InvestmentItem, Problem, RunningCosts, Scenario, Simulation};
use super::{validate_market, validate_program};
use crate::model::market::Market;
use crate::model::population::{
    COMMITTED_ATTRITION, DEFAULT_COMPETITOR_SENSITIVITY, LoyaltyType, Population, PurchaseRate,
    SpendPerPurchase, TYPES, Timing, TransitionMatrix, Transitions, TypeBehaviour,
};
use crate::model::response::{
    DEFAULT_CURVES, DEFAULT_HEADROOM, DEFAULT_JOINING_PER_VISIT, Form, ResponseCurves,
};
use crate::money::{Currency, format_number};

/// Largest sizes accepted: beyond them a run is a typo, not a plan.
pub const MAX_CUSTOMERS: u64 = 100_000_000;
/// Longest horizon accepted, in months (30 years).
pub const MAX_MONTHS: u64 = 360;
/// Most trials accepted.
pub const MAX_TRIALS: u64 = 10_000_000;
/// How far shares that must sum to one may miss it, either way.
pub const SHARE_SUM_TOLERANCE: f64 = 1e-6;

/// Whether `sum` is within [`SHARE_SUM_TOLERANCE`] of 1 either way. The decimal shares a user
/// writes are not exact in binary, so 0.999999 and 1.000001 miss 1 by a hair more or less
/// than 10⁻⁶; a few units in the last place of slack treat the two the same.
pub fn shares_sum_to_one(sum: f64) -> bool {
    (sum - 1.0).abs() <= SHARE_SUM_TOLERANCE + 8.0 * f64::EPSILON
}

/// Validates `raw`, returning the scenario or every problem found.
pub fn validate(raw: &RawScenario) -> Result<Scenario, Vec<Problem>> {
    let mut c = Checker {
        fixed_only: Some("it sets the size of the experiment"),
        committed: raw
            .population
            .as_ref()
            .is_some_and(|p| p.get_ref().committed.is_some()),
        ..Checker::default()
    };
    let simulation = simulation(&mut c, raw);
    c.fixed_only = None;
    let root = At::root();
    let name = c
        .text(
            &root,
            "name",
            &raw.name,
            "the scenario's name, the title of its reports",
        )
        .optional();
    let description = c
        .text(
            &root,
            "description",
            &raw.description,
            "what the scenario is, under the title of its reports",
        )
        .optional();
    let population = population(&mut c, raw);
    let program = validate_program::program(&mut c, raw, simulation.as_ref().map(|s| s.months));
    let market = validate_market::market(&mut c, raw, simulation.as_ref().map(|s| s.months));
    let finance = finance(&mut c, raw);
    let risk = super::validate_risk::risk(&mut c, raw);
    if let (Some(s), Some(p), Some(m), Some(prog)) = (&simulation, &population, &market, &program) {
        let referrals = prog
            .points
            .as_ref()
            .and_then(|p| p.referral)
            .map_or(0.0, |r| r.per_member_per_month);
        runaway_growth(&mut c, raw, s, p, m, referrals);
    }
    match (simulation, population, program, market, finance, risk) {
        (
            Some(simulation),
            Some(population),
            Some(mut program),
            Some(market),
            Some(mut finance),
            Some(risk),
        ) if c.problems.is_empty() => {
            // A privilege's set-up is a one-time item of the investment, at month 0.
            if let Some(privileges) = &program.privileges {
                for p in privileges.items.iter().filter(|p| p.set_up > 0.0) {
                    finance.investment.push(crate::scenario::InvestmentItem {
                        name: format!("privilege set-up: {}", p.name),
                        amount: p.set_up,
                    });
                }
            }
            if program.joining_per_visit == 0.0 {
                let fixed = population
                    .types
                    .iter()
                    .any(|t| t.share > 0.0 && t.response.form == Form::FixedLift);
                program.joining_per_visit = if fixed {
                    1.0
                } else {
                    DEFAULT_JOINING_PER_VISIT
                };
            }
            Ok(Scenario {
                name: name.flatten(),
                description: description.flatten(),
                simulation,
                population,
                program,
                market,
                finance,
                uncertain: c.uncertain,
                risk,
            })
        }
        _ => Err(c.problems),
    }
}

/// Most the customer base may grow by word of mouth over the horizon, relative to the launch
/// customers plus the base arrivals: beyond it the base grows without bound and a run would
/// never end.
pub const MAX_WORD_OF_MOUTH_GROWTH: f64 = 10.0;

/// The expected customer base, projected month by month from the launch customers with
/// attrition, base arrivals, word of mouth and referrals (by the newcomers' mix; type changes
/// and the program's effect on attrition left out): the customers at the horizon, and all
/// who were ever there.
pub fn projected_customers(
    sim: &Simulation,
    pop: &Population,
    market: &Market,
    referrals_per_member: f64,
) -> (f64, f64) {
    let base = market.acquisition.map_or(0.0, |a| a.per_month);
    // `pop` is from `population`, which gives it every type: types[i] for i < TYPES is in range.
    let mix: [f64; TYPES] = market
        .acquisition
        .map_or_else(|| std::array::from_fn(|i| pop.types[i].share), |a| a.mix);
    let mut n: [f64; TYPES] = std::array::from_fn(|i| pop.types[i].share * sim.customers as f64);
    let mut ever = sim.customers as f64;
    for _ in 0..sim.months {
        let arrivals = base
            + (0..TYPES)
                .map(|i| {
                    let t = &pop.types[i];
                    n[i] * (t.word_of_mouth + referrals_per_member * t.response.enrolment)
                })
                .sum::<f64>();
        ever += arrivals;
        for i in 0..TYPES {
            n[i] = n[i] * (1.0 - pop.types[i].attrition_per_month) + arrivals * mix[i];
        }
    }
    (n.iter().sum(), ever)
}

/// A large count as people read it: grouped digits, or powers of ten when astronomical.
fn readable_count(x: f64) -> String {
    if x.is_finite() && x < 1e15 {
        format_number(x, 0)
    } else if x.is_finite() {
        format!("{x:.1e}")
    } else {
        "more than 10³⁰⁸".into()
    }
}

/// Refuses growth that would not finish: word of mouth or referrals that outrun attrition so
/// far that the customer base explodes, and arrivals that bring more customers over the
/// horizon than a run simulates at launch.
fn runaway_growth(
    c: &mut Checker,
    raw: &RawScenario,
    sim: &Simulation,
    pop: &Population,
    market: &Market,
    referrals: f64,
) {
    let (end, ever) = projected_customers(sim, pop, market, referrals);
    let base = market.acquisition.map_or(0.0, |a| a.per_month);
    let reach = sim.customers as f64 + base * f64::from(sim.months);
    let growth = end / reach;
    let span = raw.population.as_ref().map(toml::Spanned::span);
    if growth > MAX_WORD_OF_MOUTH_GROWTH {
        let cause = if referrals > 0.0 {
            "word of mouth and referrals outrun attrition"
        } else {
            "word of mouth outruns attrition"
        };
        c.problem(
            span,
            "population".into(),
            format!(
                "{cause}: the customer base would grow about {} times over {} months (at most {MAX_WORD_OF_MOUTH_GROWTH:.0} is simulated); lower word_of_mouth{} below attrition_per_month or shorten the horizon",
                readable_count(growth),
                sim.months,
                if referrals > 0.0 { " and program.points.referral.per_member_per_month" } else { "" }
            ),
        );
    } else if ever > MAX_CUSTOMERS as f64 {
        let span = raw.acquisition.as_ref().map(toml::Spanned::span).or(span);
        c.problem(
            span,
            "acquisition".into(),
            format!(
                "arrivals would bring about {} customers over {} months, more than the {} a run simulates; lower acquisition.per_month or shorten the horizon",
                readable_count(ever),
                sim.months,
                format_number(MAX_CUSTOMERS as f64, 0)
            ),
        );
    }
}

fn simulation(c: &mut Checker, raw: &RawScenario) -> Option<Simulation> {
    let root = At::root();
    let s = c.require_table(&root, "simulation", &raw.simulation)?;
    let at = root.table("simulation", &raw.simulation);
    let customers = c.required_whole(
        &at,
        "customers",
        &s.customers,
        1,
        MAX_CUSTOMERS,
        "customers per trial",
    );
    let months = c.required_whole(&at, "months", &s.months, 1, MAX_MONTHS, "months of horizon");
    let trials = c.required_whole(
        &at,
        "trials",
        &s.trials,
        1,
        MAX_TRIALS,
        "Monte Carlo trials",
    );
    let seed = c
        .whole(&at, "seed", &s.seed, 0, i64::MAX as u64, "seed")
        .or(0);
    let size = c
        .fixed_only
        .replace("the calendar is the same in every trial");
    let launch_month = c
        .months(
            &at,
            "launch_month",
            &s.launch_month,
            1,
            12,
            "calendar month of the first simulated month, 1 = January",
        )
        .or(1);
    c.fixed_only = size;
    Some(Simulation {
        customers: customers?,
        months: u32::try_from(months?).ok()?,
        trials: trials?,
        seed: seed?,
        launch_month: launch_month?,
    })
}

fn population(c: &mut Checker, raw: &RawScenario) -> Option<Population> {
    let root = At::root();
    let p = c.require_table(&root, "population", &raw.population)?;
    let at = root.table("population", &raw.population);
    let tables = [
        &p.true_loyal,
        &p.latent,
        &p.false_loyal,
        &p.none,
        &p.committed,
    ];
    let mut types: Vec<TypeBehaviour> = Vec::with_capacity(TYPES);
    let mut shares = Vec::with_capacity(TYPES);
    let mut ok = true;
    for (ty, table) in LoyaltyType::ALL.into_iter().zip(tables) {
        match table {
            None => {
                types.push(absent_type(ty));
                shares.push(Some((ty, 0.0)));
            }
            Some(t) => {
                let type_at = at.table(ty.key(), table);
                let t = t.get_ref();
                c.fixed_only = Some("the shares must sum to 1 in every trial");
                let share = c.required_number(
                    &type_at,
                    "share",
                    &t.share,
                    Bounds::SHARE,
                    "share of customers",
                );
                c.fixed_only = None;
                shares.push(share.map(|s| (ty, s)));
                // Committed loyalty takes what it leaves out from the truly loyal it grows from.
                let parent = (ty == LoyaltyType::Committed && p.true_loyal.is_some())
                    .then(|| {
                        types
                            .first()
                            .filter(|b| b.loyalty_type == LoyaltyType::True)
                    })
                    .flatten()
                    .cloned();
                match type_behaviour(c, &type_at, ty, t, share, parent.as_ref()) {
                    Some(b) => types.push(b),
                    None => ok = false,
                }
            }
        }
    }
    let transitions = transitions(c, &at, p);
    // The sum is checked whenever every share could be read, whatever else is wrong.
    let shares: Option<Vec<(LoyaltyType, f64)>> = shares.into_iter().collect();
    let shares = shares?;
    let sum: f64 = shares.iter().map(|(_, s)| s).sum();
    if !shares_sum_to_one(sum) {
        let parts = shares
            .iter()
            .filter(|(_, s)| *s > 0.0)
            .map(|(t, s)| format!("{} {s}", t.key()))
            .collect::<Vec<_>>()
            .join(" + ");
        c.problem(
            at.span.clone(),
            "population".into(),
            format!(
                "the shares of the loyalty types must sum to 1, found {} ({})",
                readable_sum(sum),
                if parts.is_empty() {
                    "no type given".to_string()
                } else {
                    parts
                }
            ),
        );
        return None;
    }
    let transitions = transitions?;
    // Fixed lifts keep their old meaning: no headroom unless stated.
    let fixed = types
        .iter()
        .any(|t| t.share > 0.0 && t.response.form == Form::FixedLift);
    let headroom = c
        .number(
            &at,
            "headroom",
            &p.headroom,
            Bounds::closed(0.0, 10.0),
            "how much more light buyers rise than heavy ones, 0 = alike",
        )
        .or(if fixed { 0.0 } else { DEFAULT_HEADROOM });
    let headroom = headroom?;
    let rfm = super::validate_targeting::rfm(c, &at, &p.rfm, &types)?;
    ok.then_some(Population {
        types,
        transitions,
        headroom,
        rfm,
        committed: p.committed.is_some(),
    })
}

/// `[population.transitions]` and `[population.member_transitions]`: `Some(None)` when
/// neither is given; members without their own rows move like everyone else.
fn transitions(
    c: &mut Checker,
    at: &At,
    p: &super::raw::RawPopulation,
) -> Option<Option<Transitions>> {
    c.fixed_only = Some("each row of type changes must sum to at most 1 in every trial");
    let base = matrix(c, at, "transitions", &p.transitions);
    let members = matrix(c, at, "member_transitions", &p.member_transitions);
    c.fixed_only = None;
    let (base, members) = (base?, members?);
    if base.is_none() && members.is_none() {
        return Some(None);
    }
    let identity = TransitionMatrix {
        rows: std::array::from_fn(|i| std::array::from_fn(|j| if i == j { 1.0 } else { 0.0 })),
    };
    let base = base.map(|(m, _)| m).unwrap_or(identity);
    let members = match members {
        None => base,
        Some((mut m, given)) => {
            for (i, row_given) in given.iter().enumerate() {
                if !row_given {
                    m.rows[i] = base.rows[i];
                }
            }
            m
        }
    };
    Some(Some(Transitions { base, members }))
}

/// One matrix of monthly type changes, and which rows were given.
fn matrix(
    c: &mut Checker,
    at: &At,
    key: &str,
    table: &super::raw::Table<RawTransitions>,
) -> Option<Option<(TransitionMatrix, [bool; TYPES])>> {
    let Some(t) = table else {
        return Some(None);
    };
    let m_at = at.table(key, table);
    let t = t.get_ref();
    let rows = [
        &t.true_loyal,
        &t.latent,
        &t.false_loyal,
        &t.none,
        &t.committed,
    ];
    let mut matrix = TransitionMatrix {
        rows: [[0.0; TYPES]; TYPES],
    };
    let mut given = [false; TYPES];
    let mut ok = c.committed_stated(&m_at, &t.committed);
    for (from, row) in rows.into_iter().enumerate() {
        let key_from = LoyaltyType::ALL[from].key();
        let Some(r) = row else {
            matrix.rows[from][from] = 1.0;
            continue;
        };
        given[from] = true;
        let row_at = m_at.table(key_from, row);
        let Some(values) = c.type_values(
            &row_at,
            r.get_ref(),
            Bounds::SHARE,
            "monthly probability of moving to this type",
        ) else {
            ok = false;
            continue;
        };
        if values[from] != 0.0 {
            c.problem(
                row_at.span.clone(),
                row_at.child(key_from),
                "a type does not move to itself; give only the other types (staying is what is left)".to_string(),
            );
            ok = false;
            continue;
        }
        let leaving: f64 = values.iter().sum();
        if leaving > 1.0 && !shares_sum_to_one(leaving) {
            c.problem(
                row_at.span.clone(),
                row_at.path.clone(),
                format!(
                    "the monthly probabilities of leaving a type must sum to at most 1, found {}",
                    readable_sum(leaving)
                ),
            );
            ok = false;
            continue;
        }
        matrix.rows[from] = values;
        matrix.rows[from][from] = (1.0 - leaving).max(0.0);
    }
    ok.then_some(Some((matrix, given)))
}

/// A type left out of the file: no customers of it.
fn absent_type(ty: LoyaltyType) -> TypeBehaviour {
    TypeBehaviour {
        loyalty_type: ty,
        share: 0.0,
        purchases_per_month: PurchaseRate {
            mean: 0.0,
            cv: 0.0,
            timing: Timing::Random,
        },
        spend_per_purchase: SpendPerPurchase {
            mean: 1.0,
            cv_within: 0.0,
            cv_between: 0.0,
        },
        attrition_per_month: 0.0,
        response: ResponseCurves::fixed_lift(0.0, 0.0, 0.0, 0.0),
        goal_gradient_response: 0.0,
        redemption_per_month: 0.0,
        competitor_sensitivity: DEFAULT_COMPETITOR_SENSITIVITY[ty.index()],
        word_of_mouth: 0.0,
        exit_reaction: 0.0,
    }
}

/// Most purchases per month a type may average.
const MAX_MEAN_PURCHASES: f64 = 100.0;
/// Largest lift accepted (10 = eleven times the baseline).
pub const MAX_LIFT: f64 = 10.0;

/// The type's response: the `response` table (each field defaulting to the type's
/// [`DEFAULT_CURVES`]), or the fixed-lift form (`enrolment`, `frequency_lift`, `basket_lift`,
/// `attrition_reduction` at the type's level), read as step curves with those maxima; not both.
fn response_curves(
    c: &mut Checker,
    at: &At,
    ty: LoyaltyType,
    t: &RawType,
) -> Option<ResponseCurves> {
    let fixed = [
        ("enrolment", &t.enrolment),
        ("frequency_lift", &t.frequency_lift),
        ("basket_lift", &t.basket_lift),
        ("attrition_reduction", &t.attrition_reduction),
    ];
    rules::note_exclusive(
        &at.path,
        &[
            &["response"],
            &[
                "enrolment",
                "frequency_lift",
                "basket_lift",
                "attrition_reduction",
            ],
        ],
        false,
    );
    let stated: Vec<&str> = fixed
        .iter()
        .filter(|(_, leaf)| leaf.is_some())
        .map(|(k, _)| *k)
        .collect();
    if let Some(r) = &t.response {
        if !stated.is_empty() {
            let r_at = at.table("response", &t.response);
            c.problem(
                r_at.span.clone(),
                at.child("response"),
                format!(
                    "states response curves and fixed lifts ({}) at once; write the maxima in the response table instead (enrolment → response.enrolment, frequency_lift → response.frequency, basket_lift → response.basket, attrition_reduction → response.retention)",
                    stated.join(", ")
                ),
            );
            return None;
        }
        let r_at = at.table("response", &t.response);
        let r = r.get_ref();
        let d = DEFAULT_CURVES[ty.index()];
        let lift = Bounds::closed(-1.0, MAX_LIFT);
        let value = Bounds::closed(0.0, 1.0);
        let frequency = c
            .number(
                &r_at,
                "frequency",
                &r.frequency,
                lift,
                "most relative rise of the purchase rate, 0.05 = +5%",
            )
            .or(d.frequency);
        let basket = c
            .number(
                &r_at,
                "basket",
                &r.basket,
                lift,
                "most relative rise of the spend per purchase",
            )
            .or(d.basket);
        let retention = c
            .number(
                &r_at,
                "retention",
                &r.retention,
                Bounds::SHARE,
                "most relative fall of monthly attrition",
            )
            .or(d.retention);
        let insulation = c
            .number(
                &r_at,
                "insulation",
                &r.insulation,
                Bounds::SHARE,
                "most share of a competitor promotion's pull taken away",
            )
            .or(d.insulation);
        let enrolment = c
            .number(
                &r_at,
                "enrolment",
                &r.enrolment,
                Bounds::SHARE,
                "most share of the type that joins",
            )
            .or(d.enrolment);
        let half = c
            .number(
                &r_at,
                "half",
                &r.half,
                value,
                "value as a share of spend giving half of each maximum, 0 = a step",
            )
            .or(d.half);
        let shape = c
            .number(
                &r_at,
                "shape",
                &r.shape,
                Bounds {
                    min: 0.0,
                    min_open: true,
                    max: 10.0,
                    max_open: false,
                },
                "shape of the curves, 1 = concave, above 1 = S-shaped",
            )
            .or(d.shape);
        let enrolment_half = c
            .number(
                &r_at,
                "enrolment_half",
                &r.enrolment_half,
                value,
                "value giving half the most enrolment, 0 = a step",
            )
            .or(d.enrolment_half);
        let delay_discount = c
            .number(
                &r_at,
                "delay_discount",
                &r.delay_discount,
                Bounds {
                    min: 0.0,
                    min_open: true,
                    max: 1.0,
                    max_open: false,
                },
                "monthly factor of a reward one month away",
            )
            .or(d.delay_discount);
        let horizon = c
            .months(
                &r_at,
                "horizon_months",
                &r.horizon_months,
                1,
                120,
                "months a member looks ahead",
            )
            .or(d.horizon_months);
        let stake_half = c
            .number(
                &r_at,
                "stake_half",
                &r.stake_half,
                Bounds::closed(0.0, 120.0),
                "balance in months of spend giving half the most protection, 0 = a step",
            )
            .or(d.stake_half);
        return Some(ResponseCurves {
            frequency: frequency?,
            basket: basket?,
            retention: retention?,
            insulation: insulation?,
            enrolment: enrolment?,
            half: half?,
            shape: shape?,
            enrolment_half: enrolment_half?,
            delay_discount: delay_discount?,
            horizon_months: horizon?,
            stake_half: stake_half?,
            form: Form::Curves,
        });
    }
    if stated.is_empty() {
        return Some(DEFAULT_CURVES[ty.index()]);
    }
    let enrolment = c.required_number(
        at,
        "enrolment",
        &t.enrolment,
        Bounds::SHARE,
        "share that joins the program",
    );
    let lift = Bounds::closed(-1.0, MAX_LIFT);
    let frequency = c
        .number(
            at,
            "frequency_lift",
            &t.frequency_lift,
            lift,
            "relative change of a member's purchase rate, 0.1 = +10%",
        )
        .or(0.0);
    let basket = c
        .number(
            at,
            "basket_lift",
            &t.basket_lift,
            lift,
            "relative change of a member's spend per purchase",
        )
        .or(0.0);
    let retention = c
        .number(
            at,
            "attrition_reduction",
            &t.attrition_reduction,
            Bounds::SHARE,
            "relative fall of a member's attrition",
        )
        .or(0.0);
    Some(ResponseCurves::fixed_lift(
        enrolment?, frequency?, basket?, retention?,
    ))
}

/// A number every type states, except committed loyalty, which takes `inherited` (from true
/// loyalty) when it leaves the number out. Committed loyalty's fields are never noted as
/// required, so the schema lets its table state only its share.
#[allow(clippy::too_many_arguments)]
fn stated_or_inherited(
    c: &mut Checker,
    at: &At,
    key: &str,
    leaf: &super::raw::Leaf,
    bounds: Bounds,
    unit: &str,
    ty: LoyaltyType,
    inherited: Option<f64>,
) -> Option<f64> {
    if ty != LoyaltyType::Committed {
        return c.required_number(at, key, leaf, bounds, unit);
    }
    match c.number(at, key, leaf, bounds, unit) {
        Got::Valid(x) => Some(x),
        Got::Invalid => None,
        Got::Absent => {
            if inherited.is_none() {
                c.problem(
                    at.span.clone(),
                    at.child(key),
                    format!(
                        "missing; expected {} ({unit}), or a valid [population.true] for committed loyalty to take it from",
                        bounds.describe("a number")
                    ),
                );
            }
            inherited
        }
    }
}

/// A table every type states, except committed loyalty, which takes `inherited` (from true
/// loyalty) when it leaves the table out; `Err` when the table is missing.
fn table_or_inherited<'a, T, V: Copy>(
    c: &mut Checker,
    at: &At,
    key: &str,
    table: &'a super::raw::Table<T>,
    ty: LoyaltyType,
    inherited: Option<V>,
) -> Result<Option<&'a T>, Option<V>> {
    if ty != LoyaltyType::Committed {
        return c.require_table(at, key, table).map(Some).ok_or(None);
    }
    match table {
        Some(t) => Ok(Some(t.get_ref())),
        None if inherited.is_some() => Err(inherited),
        None => {
            let path = at.child(key);
            c.problem(
                at.span.clone(),
                path.clone(),
                format!(
                    "missing; expected a [{path}] table, or a valid [population.true] for committed loyalty to take it from"
                ),
            );
            Err(None)
        }
    }
}

fn type_behaviour(
    c: &mut Checker,
    at: &At,
    ty: LoyaltyType,
    t: &RawType,
    share: Option<f64>,
    parent: Option<&TypeBehaviour>,
) -> Option<TypeBehaviour> {
    let rate_at = at.table("purchases_per_month", &t.purchases_per_month);
    let inherited_rate = parent.map(|b| b.purchases_per_month);
    let rate = match table_or_inherited(
        c,
        at,
        "purchases_per_month",
        &t.purchases_per_month,
        ty,
        inherited_rate,
    ) {
        Err(inherited) => inherited,
        Ok(None) => None,
        Ok(Some(r)) => {
            let mean = stated_or_inherited(
                c,
                &rate_at,
                "mean",
                &r.mean,
                Bounds::closed(0.0, MAX_MEAN_PURCHASES),
                "purchases per customer per month",
                ty,
                inherited_rate.map(|r| r.mean),
            );
            let cv = c
                .cv(
                    &rate_at,
                    "cv",
                    &r.cv,
                    "coefficient of variation across customers",
                )
                .or(inherited_rate.map_or(1.0, |r| r.cv));
            let timing = match c.choice(&rate_at, "timing", &r.timing, &["random", "regular"]) {
                Got::Valid(t) if t == "regular" => Some(Timing::Regular),
                Got::Valid(_) => Some(Timing::Random),
                Got::Invalid => None,
                Got::Absent => Some(inherited_rate.map_or(Timing::Random, |r| r.timing)),
            };
            (|| {
                Some(PurchaseRate {
                    mean: mean?,
                    cv: cv?,
                    timing: timing?,
                })
            })()
        }
    };

    let spend_at = at.table("spend_per_purchase", &t.spend_per_purchase);
    let inherited_spend = parent.map(|b| b.spend_per_purchase);
    let spend = match table_or_inherited(
        c,
        at,
        "spend_per_purchase",
        &t.spend_per_purchase,
        ty,
        inherited_spend,
    ) {
        Err(inherited) => inherited,
        Ok(None) => None,
        Ok(Some(s)) => {
            let mean = stated_or_inherited(
                c,
                &spend_at,
                "mean",
                &s.mean,
                Bounds {
                    max: 1e9,
                    ..Bounds::POSITIVE
                },
                "currency per purchase",
                ty,
                inherited_spend.map(|s| s.mean),
            );
            let within = c
                .cv(
                    &spend_at,
                    "cv_within",
                    &s.cv_within,
                    "coefficient of variation of a customer's purchases",
                )
                .or(inherited_spend.map_or(0.4, |s| s.cv_within));
            let between = c
                .cv(
                    &spend_at,
                    "cv_between",
                    &s.cv_between,
                    "coefficient of variation of customers' means",
                )
                .or(inherited_spend.map_or(0.76, |s| s.cv_between));
            (|| {
                Some(SpendPerPurchase {
                    mean: mean?,
                    cv_within: within?,
                    cv_between: between?,
                })
            })()
        }
    };

    let attrition = stated_or_inherited(
        c,
        at,
        "attrition_per_month",
        &t.attrition_per_month,
        Bounds::SHARE,
        "probability per month",
        ty,
        parent.map(|b| b.attrition_per_month * COMMITTED_ATTRITION),
    );
    let response = response_curves(c, at, ty, t);
    let goal_gradient_response = c
        .number(
            at,
            "goal_gradient_response",
            &t.goal_gradient_response,
            Bounds::closed(0.0, 10.0),
            "multiple of the program's goal-gradient strength",
        )
        .or(if ty == LoyaltyType::Committed {
            0.0
        } else {
            1.0
        });
    let redemption = stated_or_inherited(
        c,
        at,
        "redemption_per_month",
        &t.redemption_per_month,
        Bounds::SHARE,
        "probability per month that a member who can afford a reward redeems",
        ty,
        parent.map(|b| b.redemption_per_month),
    );
    let sensitivity = c
        .number(
            at,
            "competitor_sensitivity",
            &t.competitor_sensitivity,
            Bounds::SHARE,
            "pull of a competitor promotion on this type, 0 = immune",
        )
        .or(DEFAULT_COMPETITOR_SENSITIVITY[ty.index()]);
    let word_of_mouth = c
        .number(
            at,
            "word_of_mouth",
            &t.word_of_mouth,
            Bounds::closed(0.0, 1.0),
            "new customers brought per customer per month",
        )
        .or(parent.map_or(0.0, |b| b.word_of_mouth));
    let exit_reaction = c
        .number(
            at,
            "exit_reaction",
            &t.exit_reaction,
            Bounds::closed(-1.0, MAX_LIFT),
            "change of a former member's purchase rate after the program ends",
        )
        .or(0.0);
    Some(TypeBehaviour {
        loyalty_type: ty,
        share: share?,
        purchases_per_month: rate?,
        spend_per_purchase: spend?,
        attrition_per_month: attrition?,
        response: response?,
        goal_gradient_response: goal_gradient_response?,
        redemption_per_month: redemption?,
        competitor_sensitivity: sensitivity?,
        word_of_mouth: word_of_mouth?,
        exit_reaction: exit_reaction?,
    })
}

fn finance(c: &mut Checker, raw: &RawScenario) -> Option<Finance> {
    let root = At::root();
    let f = c.require_table(&root, "finance", &raw.finance)?;
    let at = root.table("finance", &raw.finance);
    super::rules::note(
        || at.child("currency"),
        || super::rules::Kind::Currency,
        "ISO 4217 currency code of every amount, e.g. \"EUR\"",
        false,
    );
    let currency = match &f.currency {
        None => c.missing(&at, "currency", "an ISO 4217 currency code such as \"EUR\""),
        Some(v) => match v.get_ref() {
            Value::String(s) => match Currency::from_code(s) {
                Some(cur) => Some(cur),
                None => {
                    c.problem(
                        Some(v.span()),
                        at.child("currency"),
                        format!("expected an ISO 4217 currency code such as \"EUR\", \"USD\", \"GBP\", found {s:?}"),
                    );
                    None
                }
            },
            other => {
                let msg = format!(
                    "expected an ISO 4217 currency code such as \"EUR\", {}",
                    found(other)
                );
                c.problem(Some(v.span()), at.child("currency"), msg);
                None
            }
        },
    };
    let margin = c.required_number(
        &at,
        "gross_margin",
        &f.gross_margin,
        Bounds {
            min_open: true,
            ..Bounds::SHARE
        },
        "gross margin as a share of sales",
    );
    let rate = c.required_number(
        &at,
        "discount_rate",
        &f.discount_rate,
        Bounds::closed(0.0, 1.0),
        "annual discount rate, 0.1 = 10%",
    );

    let money = Bounds {
        max: 1e12,
        ..Bounds::NON_NEGATIVE
    };
    let mut investment = Vec::new();
    let mut investment_ok = true;
    match &f.investment {
        None => {
            c.missing::<()>(
                &at,
                "investment",
                "a [finance.investment] table of items, e.g. it_platform = 50000",
            );
            investment_ok = false;
        }
        Some(items) => {
            let inv_at = at.table("investment", &f.investment);
            for (name, value) in items.get_ref() {
                let leaf = Some(value.clone());
                match c
                    .number(&inv_at, name, &leaf, money, "one-time amount in currency")
                    .or(0.0)
                {
                    Some(amount) => investment.push(InvestmentItem {
                        name: name.clone(),
                        amount,
                    }),
                    None => investment_ok = false,
                }
            }
        }
    }

    let running = match &f.running_costs {
        None => Some(RunningCosts {
            per_month: 0.0,
            per_member: 0.0,
            per_transaction: 0.0,
        }),
        Some(r) => {
            let r_at = at.table("running_costs", &f.running_costs);
            let r = r.get_ref();
            let per_month = c
                .number(
                    &r_at,
                    "per_month",
                    &r.per_month,
                    money,
                    "currency per month",
                )
                .or(0.0);
            let per_member = c
                .number(
                    &r_at,
                    "per_member",
                    &r.per_member,
                    money,
                    "currency per member per month",
                )
                .or(0.0);
            let per_transaction = c
                .number(
                    &r_at,
                    "per_transaction",
                    &r.per_transaction,
                    money,
                    "currency per member transaction",
                )
                .or(0.0);
            Some(RunningCosts {
                per_month: per_month?,
                per_member: per_member?,
                per_transaction: per_transaction?,
            })
        }
    };
    if !investment_ok {
        return None;
    }
    let running = running?;
    let total: f64 = investment.iter().map(|i| i.amount).sum();
    if total <= 0.0 && running.per_month <= 0.0 {
        c.problem(
            at.span.clone(),
            "finance".into(),
            "a program costs something: give a positive [finance.investment] item or running_costs.per_month (ROI is measured against cost)".into(),
        );
        return None;
    }
    Some(Finance {
        currency: currency?,
        gross_margin: margin?,
        discount_rate: rate?,
        investment,
        running_costs: running,
    })
}
