//! Raw scenario → [`Scenario`]: every value's type and range, required fields, defaults, and
//! rules across fields. Collects every problem, each with the field's path and span.
//!
//! Defaults, each with its reason (also in the README):
//! - `purchases_per_month.cv = 1.0`: a Gamma with shape 1 across customers, i.e. an NBD with
//!   exponent 1 — a stated assumption in the range Ehrenberg reports for repeat buying; replace
//!   it with a calibrated value when transaction data exist.
//! - `spend_per_purchase.cv_within = 0.4`, `cv_between = 0.76`: the Gamma-Gamma fit to the
//!   CDNOW sample (Fader & Hardie, "The Gamma-Gamma model of monetary value", 2013: p = 6.25,
//!   q = 3.74, so 1/√p = 0.40 and 1/√(q − 2) = 0.76).
//! - `frequency_lift`, `basket_lift`, `attrition_reduction = 0`: no effect unless stated;
//!   `goal_gradient_response = 1`: every type speeds up near a reward as measured.
//! - `program.point_value = point_cost`, `goal_gradient = 0.2` (Kivetz et al. 2006),
//!   `expiry = never`, `running_costs.* = 0`.

use toml::Spanned;
use toml::Value;

use super::raw::{self, Leaf, RawScenario, RawType};
use super::{Finance, InvestmentItem, Problem, RunningCosts, Scenario, Simulation};
use crate::model::population::{
    LoyaltyType, Population, PurchaseRate, SpendPerPurchase, TypeBehaviour,
};
use crate::model::program::{DEFAULT_GOAL_GRADIENT, Expiry, PointsProgram};
use crate::money::{Currency, format_number};

/// Largest sizes accepted: beyond them a run is a typo, not a plan.
pub const MAX_CUSTOMERS: u64 = 100_000_000;
/// Longest horizon accepted, in months (30 years).
pub const MAX_MONTHS: u64 = 360;
/// Most trials accepted.
pub const MAX_TRIALS: u64 = 10_000_000;
/// Longest expiry accepted, in months (20 years).
pub const MAX_EXPIRY_MONTHS: u64 = 240;
/// How far the type shares may be from summing to one.
pub const SHARE_SUM_TOLERANCE: f64 = 1e-6;

/// Validates `raw`, returning the scenario or every problem found.
pub fn validate(raw: &RawScenario) -> Result<Scenario, Vec<Problem>> {
    let mut c = Checker::default();
    let simulation = simulation(&mut c, raw);
    let population = population(&mut c, raw);
    let program = program(&mut c, raw);
    let finance = finance(&mut c, raw);
    match (simulation, population, program, finance) {
        (Some(simulation), Some(population), Some(program), Some(finance))
            if c.problems.is_empty() =>
        {
            Ok(Scenario {
                simulation,
                population,
                program,
                finance,
            })
        }
        _ => Err(c.problems),
    }
}

/// Accepted interval of a number, and how it reads in a message.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    min: f64,
    min_open: bool,
    max: f64,
    max_open: bool,
}

impl Bounds {
    const SHARE: Bounds = Bounds::closed(0.0, 1.0);
    const NON_NEGATIVE: Bounds = Bounds::closed(0.0, f64::INFINITY);
    const POSITIVE: Bounds = Bounds {
        min: 0.0,
        min_open: true,
        max: f64::INFINITY,
        max_open: false,
    };

    const fn closed(min: f64, max: f64) -> Bounds {
        Bounds {
            min,
            min_open: false,
            max,
            max_open: false,
        }
    }

    fn contains(&self, x: f64) -> bool {
        let above = if self.min_open {
            x > self.min
        } else {
            x >= self.min
        };
        let below = if self.max_open {
            x < self.max
        } else {
            x <= self.max
        };
        above && below
    }

    fn describe(&self, kind: &str) -> String {
        let (min, max) = (bound(self.min), bound(self.max));
        match (self.min_open, self.max.is_infinite()) {
            (false, true) => format!("{kind} ≥ {min}"),
            (true, true) => format!("{kind} > {min}"),
            (false, false) if !self.max_open => format!("{kind} from {min} to {max}"),
            _ => format!(
                "{kind} {} {min} and {} {max}",
                if self.min_open { ">" } else { "≥" },
                if self.max_open { "<" } else { "≤" },
            ),
        }
    }
}

/// A bound as a person reads it: thousands separated when it is a large whole number.
fn bound(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() >= 10_000.0 {
        let sign = if x < 0.0 { "-" } else { "" };
        format!("{sign}{}", format_number(x.abs(), 0))
    } else {
        x.to_string()
    }
}

fn whole_expected(min: u64, max: u64, unit: &str) -> String {
    format!(
        "a whole number from {} to {} ({unit})",
        bound(min as f64),
        bound(max as f64)
    )
}

/// The outcome of reading one field.
enum Got<T> {
    Absent,
    Valid(T),
    Invalid,
}

impl<T> Got<T> {
    /// The value, or `default` when absent; `None` when invalid.
    fn or(self, default: T) -> Option<T> {
        match self {
            Got::Absent => Some(default),
            Got::Valid(v) => Some(v),
            Got::Invalid => None,
        }
    }

    /// `Some(None)` when absent, `Some(Some(v))` when valid, `None` when invalid.
    fn optional(self) -> Option<Option<T>> {
        match self {
            Got::Absent => Some(None),
            Got::Valid(v) => Some(Some(v)),
            Got::Invalid => None,
        }
    }
}

/// Where a table is, for fields missing from it.
#[derive(Clone)]
struct At {
    path: String,
    span: Option<std::ops::Range<usize>>,
}

impl At {
    fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn table<T>(&self, key: &str, table: &raw::Table<T>) -> At {
        At {
            path: self.child(key),
            span: table
                .as_ref()
                .map(Spanned::span)
                .or_else(|| self.span.clone()),
        }
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

/// How a value is described in "found …".
fn found(v: &Value) -> String {
    match v {
        Value::String(s) => format!("found the text {s:?}"),
        Value::Integer(i) => format!("found {i}"),
        Value::Float(f) if *f != 0.0 && (f.abs() < 1e-4 || f.abs() >= 1e15) => {
            format!("found {f:e}")
        }
        Value::Float(f) => format!("found {f}"),
        Value::Boolean(b) => format!("found the boolean {b}"),
        Value::Datetime(d) => format!("found the date {d}"),
        Value::Array(_) => "found a list".to_string(),
        Value::Table(_) => "found a table".to_string(),
    }
}

impl Checker {
    fn problem(&mut self, span: Option<std::ops::Range<usize>>, field: String, message: String) {
        self.problems.push(Problem::new(span, field, message));
    }

    fn missing<T>(&mut self, at: &At, key: &str, expected: &str) -> Option<T> {
        self.problem(
            at.span.clone(),
            at.child(key),
            format!("missing; expected {expected}"),
        );
        None
    }

    /// A number within `bounds`; `unit` says what it measures.
    fn number(&mut self, at: &At, key: &str, leaf: &Leaf, bounds: Bounds, unit: &str) -> Got<f64> {
        let Some(v) = leaf else {
            return Got::Absent;
        };
        let expected = format!("{} ({unit})", bounds.describe("a number"));
        let x = match v.get_ref() {
            Value::Integer(i) => *i as f64,
            Value::Float(f) => *f,
            other => {
                let msg = format!("expected {expected}, {}", found(other));
                self.problem(Some(v.span()), at.child(key), msg);
                return Got::Invalid;
            }
        };
        if !x.is_finite() || !bounds.contains(x) {
            let msg = format!("expected {expected}, {}", found(v.get_ref()));
            self.problem(Some(v.span()), at.child(key), msg);
            return Got::Invalid;
        }
        Got::Valid(x)
    }

    fn required_number(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        bounds: Bounds,
        unit: &str,
    ) -> Option<f64> {
        match self.number(at, key, leaf, bounds, unit) {
            Got::Absent => {
                let expected = format!("{} ({unit})", bounds.describe("a number"));
                self.missing(at, key, &expected)
            }
            Got::Valid(x) => Some(x),
            Got::Invalid => None,
        }
    }

    /// A coefficient of variation: 0, or from [`MIN_CV`] to [`MAX_CV`].
    fn cv(&mut self, at: &At, key: &str, leaf: &Leaf, unit: &str) -> Got<f64> {
        match self.number(at, key, leaf, Bounds::closed(0.0, MAX_CV), unit) {
            Got::Valid(x) if x > 0.0 && x < MIN_CV => {
                if let Some(v) = leaf {
                    let msg = format!(
                        "expected 0 (no variation) or a number from {MIN_CV} to {MAX_CV} ({unit}), {}",
                        found(v.get_ref())
                    );
                    self.problem(Some(v.span()), at.child(key), msg);
                }
                Got::Invalid
            }
            other => other,
        }
    }

    /// A whole number from `min` to `max`.
    fn whole(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        min: u64,
        max: u64,
        unit: &str,
    ) -> Got<u64> {
        let Some(v) = leaf else {
            return Got::Absent;
        };
        let expected = whole_expected(min, max, unit);
        let n = match v.get_ref() {
            Value::Integer(i) => u64::try_from(*i).ok(),
            Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64 => {
                Some(*f as u64)
            }
            _ => None,
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Got::Valid(n),
            _ => {
                let msg = format!("expected {expected}, {}", found(v.get_ref()));
                self.problem(Some(v.span()), at.child(key), msg);
                Got::Invalid
            }
        }
    }

    fn required_whole(
        &mut self,
        at: &At,
        key: &str,
        leaf: &Leaf,
        min: u64,
        max: u64,
        unit: &str,
    ) -> Option<u64> {
        match self.whole(at, key, leaf, min, max, unit) {
            Got::Absent => self.missing(at, key, &whole_expected(min, max, unit)),
            Got::Valid(n) => Some(n),
            Got::Invalid => None,
        }
    }

    /// A text value, one of `options`.
    fn choice(&mut self, at: &At, key: &str, leaf: &Leaf, options: &[&str]) -> Got<String> {
        let Some(v) = leaf else {
            return Got::Absent;
        };
        let list = options
            .iter()
            .map(|o| format!("\"{o}\""))
            .collect::<Vec<_>>()
            .join(", ");
        match v.get_ref() {
            Value::String(s) if options.contains(&s.as_str()) => Got::Valid(s.clone()),
            other => {
                let msg = format!("expected one of {list}, {}", found(other));
                self.problem(Some(v.span()), at.child(key), msg);
                Got::Invalid
            }
        }
    }

    /// A table that must be present.
    fn require_table<'a, T>(
        &mut self,
        at: &At,
        key: &str,
        table: &'a raw::Table<T>,
    ) -> Option<&'a T> {
        match table {
            Some(t) => Some(t.get_ref()),
            None => {
                let path = at.child(key);
                self.problem(
                    at.span.clone(),
                    path.clone(),
                    format!("missing; expected a [{path}] table"),
                );
                None
            }
        }
    }
}

fn simulation(c: &mut Checker, raw: &RawScenario) -> Option<Simulation> {
    let root = At {
        path: String::new(),
        span: None,
    };
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
    Some(Simulation {
        customers: customers?,
        months: u32::try_from(months?).ok()?,
        trials: trials?,
        seed: seed?,
    })
}

fn population(c: &mut Checker, raw: &RawScenario) -> Option<Population> {
    let root = At {
        path: String::new(),
        span: None,
    };
    let p = c.require_table(&root, "population", &raw.population)?;
    let at = root.table("population", &raw.population);
    let tables = [&p.true_loyal, &p.latent, &p.false_loyal, &p.none];
    let mut types = Vec::with_capacity(4);
    let mut shares = Vec::with_capacity(4);
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
                let share = c.required_number(
                    &type_at,
                    "share",
                    &t.share,
                    Bounds::SHARE,
                    "share of customers",
                );
                shares.push(share.map(|s| (ty, s)));
                match type_behaviour(c, &type_at, ty, t, share) {
                    Some(b) => types.push(b),
                    None => ok = false,
                }
            }
        }
    }
    // The sum is checked whenever every share could be read, whatever else is wrong.
    let shares: Option<Vec<(LoyaltyType, f64)>> = shares.into_iter().collect();
    let shares = shares?;
    let sum: f64 = shares.iter().map(|(_, s)| s).sum();
    if (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
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
                (sum * 1e9).round() / 1e9,
                if parts.is_empty() {
                    "no type given".to_string()
                } else {
                    parts
                }
            ),
        );
        return None;
    }
    ok.then_some(Population { types })
}

/// A type left out of the file: no customers of it.
fn absent_type(ty: LoyaltyType) -> TypeBehaviour {
    TypeBehaviour {
        loyalty_type: ty,
        share: 0.0,
        purchases_per_month: PurchaseRate { mean: 0.0, cv: 0.0 },
        spend_per_purchase: SpendPerPurchase {
            mean: 0.0,
            cv_within: 0.0,
            cv_between: 0.0,
        },
        attrition_per_month: 0.0,
        enrolment: 0.0,
        frequency_lift: 0.0,
        basket_lift: 0.0,
        attrition_reduction: 0.0,
        goal_gradient_response: 0.0,
        redemption_per_month: 0.0,
    }
}

/// Coefficients of variation above this are not a population, they are a typo.
const MAX_CV: f64 = 10.0;
/// Smallest non-zero coefficient of variation: below it the Gamma shapes (1/cv²) leave the
/// range floating point computes well; 0 means no variation at all.
const MIN_CV: f64 = 0.001;
/// Most purchases per month a type may average.
const MAX_MEAN_PURCHASES: f64 = 100.0;
/// Largest lift accepted (10 = eleven times the baseline).
const MAX_LIFT: f64 = 10.0;

fn type_behaviour(
    c: &mut Checker,
    at: &At,
    ty: LoyaltyType,
    t: &RawType,
    share: Option<f64>,
) -> Option<TypeBehaviour> {
    let rate = c.require_table(at, "purchases_per_month", &t.purchases_per_month);
    let rate_at = at.table("purchases_per_month", &t.purchases_per_month);
    let rate = rate.and_then(|r| {
        let mean = c.required_number(
            &rate_at,
            "mean",
            &r.mean,
            Bounds::closed(0.0, MAX_MEAN_PURCHASES),
            "purchases per customer per month",
        );
        let cv = c
            .cv(
                &rate_at,
                "cv",
                &r.cv,
                "coefficient of variation across customers",
            )
            .or(1.0);
        Some(PurchaseRate {
            mean: mean?,
            cv: cv?,
        })
    });

    let spend = c.require_table(at, "spend_per_purchase", &t.spend_per_purchase);
    let spend_at = at.table("spend_per_purchase", &t.spend_per_purchase);
    let spend = spend.and_then(|s| {
        let mean = c.required_number(
            &spend_at,
            "mean",
            &s.mean,
            Bounds {
                max: 1e9,
                ..Bounds::POSITIVE
            },
            "currency per purchase",
        );
        let within = c
            .cv(
                &spend_at,
                "cv_within",
                &s.cv_within,
                "coefficient of variation of a customer's purchases",
            )
            .or(0.4);
        let between = c
            .cv(
                &spend_at,
                "cv_between",
                &s.cv_between,
                "coefficient of variation of customers' means",
            )
            .or(0.76);
        Some(SpendPerPurchase {
            mean: mean?,
            cv_within: within?,
            cv_between: between?,
        })
    });

    let attrition = c.required_number(
        at,
        "attrition_per_month",
        &t.attrition_per_month,
        Bounds::SHARE,
        "probability per month",
    );
    let enrolment = c.required_number(
        at,
        "enrolment",
        &t.enrolment,
        Bounds::SHARE,
        "share that joins the program",
    );
    let lift = Bounds::closed(-1.0, MAX_LIFT);
    let frequency_lift = c
        .number(
            at,
            "frequency_lift",
            &t.frequency_lift,
            lift,
            "relative change of a member's purchase rate, 0.1 = +10%",
        )
        .or(0.0);
    let basket_lift = c
        .number(
            at,
            "basket_lift",
            &t.basket_lift,
            lift,
            "relative change of a member's spend per purchase",
        )
        .or(0.0);
    let attrition_reduction = c
        .number(
            at,
            "attrition_reduction",
            &t.attrition_reduction,
            Bounds::SHARE,
            "relative fall of a member's attrition",
        )
        .or(0.0);
    let goal_gradient_response = c
        .number(
            at,
            "goal_gradient_response",
            &t.goal_gradient_response,
            Bounds::closed(0.0, 10.0),
            "multiple of the program's goal-gradient strength",
        )
        .or(1.0);
    let redemption = c.required_number(
        at,
        "redemption_per_month",
        &t.redemption_per_month,
        Bounds::SHARE,
        "probability per month that a member who can afford a reward redeems",
    );
    Some(TypeBehaviour {
        loyalty_type: ty,
        share: share?,
        purchases_per_month: rate?,
        spend_per_purchase: spend?,
        attrition_per_month: attrition?,
        enrolment: enrolment?,
        frequency_lift: frequency_lift?,
        basket_lift: basket_lift?,
        attrition_reduction: attrition_reduction?,
        goal_gradient_response: goal_gradient_response?,
        redemption_per_month: redemption?,
    })
}

fn program(c: &mut Checker, raw: &RawScenario) -> Option<PointsProgram> {
    let root = At {
        path: String::new(),
        span: None,
    };
    let p = c.require_table(&root, "program", &raw.program)?;
    let at = root.table("program", &raw.program);
    let money = Bounds {
        max: 1e9,
        ..Bounds::NON_NEGATIVE
    };
    let earn_rate = c.required_number(
        &at,
        "earn_rate",
        &p.earn_rate,
        Bounds {
            max: 1e6,
            ..Bounds::POSITIVE
        },
        "points per currency unit spent",
    );
    let point_cost = c.required_number(
        &at,
        "point_cost",
        &p.point_cost,
        money,
        "cost to the company of one redeemed point, in currency",
    );
    let point_value = c
        .number(
            &at,
            "point_value",
            &p.point_value,
            money,
            "stand-alone selling price of one point, in currency",
        )
        .optional();
    let threshold = c.required_whole(
        &at,
        "redemption_threshold",
        &p.redemption_threshold,
        1,
        1_000_000_000,
        "points a reward costs",
    );
    let cap = c
        .whole(
            &at,
            "earn_cap_per_month",
            &p.earn_cap_per_month,
            1,
            1_000_000_000,
            "most points a member can earn in a month",
        )
        .optional();
    let goal_gradient = c
        .number(
            &at,
            "goal_gradient",
            &p.goal_gradient,
            Bounds::closed(0.0, 5.0),
            "extra purchase rate at the threshold, 0.2 = +20%",
        )
        .or(DEFAULT_GOAL_GRADIENT);
    let breakage = c
        .number(
            &at,
            "breakage",
            &p.breakage,
            Bounds {
                max_open: true,
                ..Bounds::SHARE
            },
            "expected share of points never redeemed",
        )
        .optional();
    let expiry = expiry(c, &at, p);
    Some(PointsProgram {
        earn_rate: earn_rate?,
        point_cost: point_cost?,
        point_value: point_value?.or(point_cost)?,
        redemption_threshold: threshold?,
        earn_cap_per_month: cap?,
        expiry: expiry?,
        goal_gradient: goal_gradient?,
        breakage: breakage?,
    })
}

fn expiry(c: &mut Checker, at: &At, p: &raw::RawProgram) -> Option<Expiry> {
    let Some(e) = &p.expiry else {
        return Some(Expiry::Never);
    };
    let e_at = at.table("expiry", &p.expiry);
    let e = e.get_ref();
    let policy = c.choice(&e_at, "policy", &e.policy, &["none", "fixed", "inactivity"]);
    let policy = match policy {
        Got::Valid(p) => p,
        Got::Absent => {
            return c.missing(
                &e_at,
                "policy",
                "one of \"none\", \"fixed\", \"inactivity\"",
            );
        }
        Got::Invalid => return None,
    };
    if policy == "none" {
        if let Some(m) = &e.months {
            c.problem(
                Some(m.span()),
                e_at.child("months"),
                "months has no meaning when policy = \"none\"; remove it or choose \"fixed\" or \"inactivity\"".into(),
            );
            return None;
        }
        return Some(Expiry::Never);
    }
    let unit = if policy == "fixed" {
        "months a point lives from the month it is earned"
    } else {
        "months without a purchase after which all points expire"
    };
    let months =
        u32::try_from(c.required_whole(&e_at, "months", &e.months, 1, MAX_EXPIRY_MONTHS, unit)?)
            .ok()?;
    Some(if policy == "fixed" {
        Expiry::Fixed { months }
    } else {
        Expiry::Inactivity { months }
    })
}

fn finance(c: &mut Checker, raw: &RawScenario) -> Option<Finance> {
    let root = At {
        path: String::new(),
        span: None,
    };
    let f = c.require_table(&root, "finance", &raw.finance)?;
    let at = root.table("finance", &raw.finance);
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
