//! `[market]` and `[acquisition]` → [`Market`]. Every part is optional: a scenario without
//! them simulates the customers and the program alone.
//!
//! Defaults: competitor promotions last 1–3 months with strength 0.2–0.6 and no defection;
//! a copy's erosion depends on the design ([`crate::model::program::Program::default_copy_erosion`]);
//! dissatisfaction: 96% leave silently (DOMAIN §1), no prospects deterred; acquisition: the
//! launch population's type mix.

use super::checker::{At, Bounds, Checker, readable_sum};
use super::raw::{self, RawScenario};
use super::rules;
use super::validate::shares_sum_to_one;
use crate::model::market::{Acquisition, Competitor, Copycat, Dissatisfaction, Market};
use crate::model::population::TYPES;

/// Validates `[market]` and `[acquisition]`; `months` is the horizon, when it could be read.
pub(crate) fn market(c: &mut Checker, raw: &RawScenario, months: Option<u32>) -> Option<Market> {
    let root = At::root();
    let horizon = u64::from(months.unwrap_or(u32::MAX));
    let mut market = Market::quiet();
    let mut ok = true;
    if let Some(m) = &raw.market {
        let at = root.table("market", &raw.market);
        let m = m.get_ref();
        if let Some(t) = &m.competitor {
            match competitor(
                c,
                &at.table("competitor", &m.competitor),
                t.get_ref(),
                horizon,
            ) {
                Some(x) => market.competitor = Some(x),
                None => ok = false,
            }
        }
        if let Some(t) = &m.copycat {
            match copycat(c, &at.table("copycat", &m.copycat), t.get_ref(), horizon) {
                Some(x) => market.copycat = Some(x),
                None => ok = false,
            }
        }
        if let Some(t) = &m.dissatisfaction {
            match dissatisfaction(
                c,
                &at.table("dissatisfaction", &m.dissatisfaction),
                t.get_ref(),
            ) {
                Some(x) => market.dissatisfaction = Some(x),
                None => ok = false,
            }
        }
    }
    if let Some(a) = &raw.acquisition {
        match acquisition(
            c,
            &root.table("acquisition", &raw.acquisition),
            a.get_ref(),
            raw,
        ) {
            Some(x) => market.acquisition = Some(x),
            None => ok = false,
        }
    }
    ok.then_some(market)
}

/// `{ min = …, max = … }` with `min ≤ max`, read as numbers.
fn range(
    c: &mut Checker,
    at: &At,
    key: &str,
    table: &raw::Table<raw::RawRange>,
    bounds: Bounds,
    unit: &str,
    default: (f64, f64),
) -> Option<(f64, f64)> {
    let Some(t) = table else {
        return Some(default);
    };
    let r_at = at.table(key, table);
    let min = c.required_number(&r_at, "min", &t.get_ref().min, bounds, unit);
    let max = c.required_number(&r_at, "max", &t.get_ref().max, bounds, unit);
    let (min, max) = (min?, max?);
    if min > max {
        c.problem(
            r_at.span.clone(),
            r_at.path.clone(),
            format!("min ({min}) must not exceed max ({max})"),
        );
        return None;
    }
    Some((min, max))
}

fn competitor(
    c: &mut Checker,
    at: &At,
    t: &raw::RawCompetitor,
    horizon: u64,
) -> Option<Competitor> {
    rules::note_exclusive(&at.path, &[&["promotions_per_year"], &["month"]], true);
    let rate = c
        .number(
            at,
            "promotions_per_year",
            &t.promotions_per_year,
            Bounds::closed(0.0, 52.0),
            "mean competitor promotions a year",
        )
        .optional();
    let month = c
        .months(
            at,
            "month",
            &t.month,
            1,
            horizon,
            "month a planned promotion starts",
        )
        .optional();
    let duration = range(
        c,
        at,
        "duration_months",
        &t.duration_months,
        Bounds::closed(1.0, 36.0),
        "months a promotion lasts",
        (1.0, 3.0),
    );
    let duration = match duration {
        Some((a, b)) if a.fract() == 0.0 && b.fract() == 0.0 => Some((a as u32, b as u32)),
        Some(_) => {
            let at_d = at.table("duration_months", &t.duration_months);
            c.problem(
                at_d.span.clone(),
                at_d.path.clone(),
                "durations are whole months".into(),
            );
            None
        }
        None => None,
    };
    let strength = range(
        c,
        at,
        "strength",
        &t.strength,
        Bounds::SHARE,
        "share of a fully sensitive customer's purchases a promotion takes",
        (0.2, 0.6),
    );
    let defection = c
        .number(at, "defection", &t.defection, Bounds::SHARE, "monthly probability a fully sensitive customer defects during a full-strength promotion")
        .or(0.0);
    let (rate, month) = (rate?, month?);
    if rate.is_some() == month.is_some() {
        c.problem(
            at.span.clone(),
            at.path.clone(),
            "give either promotions_per_year (promotions at random) or month (one planned \
             promotion), one of the two"
                .into(),
        );
        return None;
    }
    Some(Competitor {
        promotions_per_year: rate.unwrap_or(0.0),
        month,
        duration_months: duration?,
        strength: strength?,
        defection: defection?,
    })
}

fn copycat(c: &mut Checker, at: &At, t: &raw::RawCopycat, horizon: u64) -> Option<Copycat> {
    rules::note_exclusive(&at.path, &[&["month"], &["probability_per_year"]], true);
    let month = c
        .months(at, "month", &t.month, 1, horizon, "month the copy appears")
        .optional();
    let probability = c
        .number(
            at,
            "probability_per_year",
            &t.probability_per_year,
            Bounds::SHARE,
            "probability per year that the program is copied",
        )
        .optional();
    let erosion = c
        .number(
            at,
            "erosion",
            &t.erosion,
            Bounds::SHARE,
            "share of the program's effect a copy takes away",
        )
        .optional();
    let (month, probability, erosion) = (month?, probability?, erosion?);
    if month.is_some() == probability.is_some() {
        c.problem(
            at.span.clone(),
            at.path.clone(),
            "give either month (a planned copy) or probability_per_year (a risk), one of the two"
                .into(),
        );
        return None;
    }
    Some(Copycat {
        month,
        probability_per_year: probability.unwrap_or(0.0),
        erosion,
    })
}

fn dissatisfaction(
    c: &mut Checker,
    at: &At,
    t: &raw::RawDissatisfaction,
) -> Option<Dissatisfaction> {
    let per_month = c.required_number(
        at,
        "per_month",
        &t.per_month,
        Bounds::SHARE,
        "probability of a bad experience per customer per month",
    );
    let silent = c
        .number(
            at,
            "silent_share",
            &t.silent_share,
            Bounds::SHARE,
            "share of the dissatisfied who leave without a word",
        )
        .or(0.96);
    let deterred = c
        .number(
            at,
            "deterred_prospects",
            &t.deterred_prospects,
            Bounds::closed(0.0, 100.0),
            "prospects each dissatisfied customer talks out of coming",
        )
        .or(Dissatisfaction::DEFAULT_DETERRED_PROSPECTS);
    Some(Dissatisfaction {
        per_month: per_month?,
        silent_share: silent?,
        deterred_prospects: deterred?,
    })
}

fn acquisition(
    c: &mut Checker,
    at: &At,
    a: &raw::RawAcquisition,
    raw: &RawScenario,
) -> Option<Acquisition> {
    let per_month = c.required_number(
        at,
        "per_month",
        &a.per_month,
        Bounds::closed(0.0, 1e7),
        "new customers per month before word of mouth",
    );
    let mix = match &a.mix {
        Some(m) => {
            let m_at = at.table("mix", &a.mix);
            c.fixed_only = Some("the newcomers' shares must sum to 1 in every trial");
            let values = c.type_values(
                &m_at,
                m.get_ref(),
                Bounds::SHARE,
                "share of new customers of this type",
            );
            c.fixed_only = None;
            let values = values?;
            let sum: f64 = values.iter().sum();
            if !shares_sum_to_one(sum) {
                c.problem(
                    m_at.span.clone(),
                    m_at.path.clone(),
                    format!(
                        "the shares of new customers' types must sum to 1, found {}",
                        readable_sum(sum)
                    ),
                );
                return None;
            }
            Some(values)
        }
        None => Some(launch_mix(raw)),
    };
    Some(Acquisition {
        per_month: per_month?,
        mix: mix?,
    })
}

/// The launch population's shares, as written (0 where unreadable: the population's own
/// checks report that).
fn launch_mix(raw: &RawScenario) -> [f64; TYPES] {
    let Some(p) = &raw.population else {
        return [0.25, 0.25, 0.25, 0.25, 0.0];
    };
    let p = p.get_ref();
    let share = |t: &raw::Table<raw::RawType>| {
        t.as_ref()
            .and_then(|t| t.get_ref().share.as_ref())
            .and_then(|v| match v.get_ref() {
                toml::Value::Float(f) => Some(*f),
                toml::Value::Integer(i) => Some(*i as f64),
                _ => None,
            })
            .unwrap_or(0.0)
    };
    [
        share(&p.true_loyal),
        share(&p.latent),
        share(&p.false_loyal),
        share(&p.none),
        share(&p.committed),
    ]
}
