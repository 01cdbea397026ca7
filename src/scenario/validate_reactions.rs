//! `[program.bystanders]` → [`Bystanders`], `[program.disappointment]` → [`Disappointment`],
//! and an instant discount's `insulation`.
//!
//! Defaults, for a table left out or a field not stated:
//! `rate_cut = 0.5, attrition_rise = 1, certificate_visibility = 0.5` (bystanders) and
//! `rate_cut = 0.1, attrition_rise = 0.5, months = 3, near = 0.5` (disappointment);
//! `insulation = 0` (a discount does not shelter a member from a competitor's promotion). A
//! design switches a reaction off by stating its `rate_cut` and `attrition_rise` as 0.

use super::checker::{At, Bounds, Checker};
use super::raw::{self, Leaf};
use crate::model::reactions::{Bystanders, Disappointment, INSULATION};

/// Relative rises of attrition: up to twenty times per unit (a 5% advantage doubling it).
const RISE: Bounds = Bounds::closed(0.0, 20.0);

/// Validates `[program.bystanders]`: the defaults when absent.
pub(crate) fn bystanders(
    c: &mut Checker,
    at: &At,
    table: &raw::Table<raw::RawBystanders>,
) -> Option<Option<Bystanders>> {
    let Some(b) = table else {
        return Some(Some(Bystanders::DEFAULT));
    };
    let at = at.table("bystanders", table);
    let b = b.get_ref();
    let d = Bystanders::DEFAULT;
    let rate_cut = c
        .number(
            &at,
            "rate_cut",
            &b.rate_cut,
            Bounds::closed(0.0, 20.0),
            "fall of a non-member's purchase rate per unit of the members' visible price advantage, 0 = none",
        )
        .or(d.rate_cut);
    let attrition_rise = c
        .number(
            &at,
            "attrition_rise",
            &b.attrition_rise,
            RISE,
            "rise of a non-member's monthly attrition per unit of the members' visible price advantage, 0 = none",
        )
        .or(d.attrition_rise);
    let visibility = c
        .number(
            &at,
            "certificate_visibility",
            &b.certificate_visibility,
            Bounds::SHARE,
            "weight of a cumulative discount's rate in the visible advantage, 1 = like a price cut at the till",
        )
        .or(d.certificate_visibility);
    Some(Some(Bystanders {
        rate_cut: rate_cut?,
        attrition_rise: attrition_rise?,
        certificate_visibility: visibility?,
    }))
}

/// Validates `[program.disappointment]`: the defaults when absent.
pub(crate) fn disappointment(
    c: &mut Checker,
    at: &At,
    table: &raw::Table<raw::RawDisappointment>,
) -> Option<Option<Disappointment>> {
    let Some(t) = table else {
        return Some(Some(Disappointment::DEFAULT));
    };
    let at = at.table("disappointment", table);
    let t = t.get_ref();
    let d = Disappointment::DEFAULT;
    let rate_cut = c
        .number(
            &at,
            "rate_cut",
            &t.rate_cut,
            Bounds::SHARE,
            "share of a member's purchases lost in the months after a missed threshold",
        )
        .or(d.rate_cut);
    let attrition_rise = c
        .number(
            &at,
            "attrition_rise",
            &t.attrition_rise,
            RISE,
            "relative rise of a member's monthly attrition in the months after a missed threshold",
        )
        .or(d.attrition_rise);
    let months = c
        .months(
            &at,
            "months",
            &t.months,
            1,
            120,
            "months the reaction to a missed threshold lasts",
        )
        .or(d.months);
    let near = c
        .number(
            &at,
            "near",
            &t.near,
            Bounds {
                min_open: true,
                ..Bounds::SHARE
            },
            "share of a cumulative discount's threshold from which ending a period short of it is a miss",
        )
        .or(d.near);
    Some(Some(Disappointment {
        rate_cut: rate_cut?,
        attrition_rise: attrition_rise?,
        months: months?,
        near: near?,
    }))
}

/// Validates an instant discount's or the tiers' `insulation` (absent: 0, see [`INSULATION`]).
pub(crate) fn insulation(c: &mut Checker, at: &At, leaf: &Leaf) -> Option<f64> {
    c.number(
        at,
        "insulation",
        leaf,
        Bounds::SHARE,
        "share of the discount's value that shields a member from a competitor promotion, 1 = like any other value, 0 = none",
    )
    .or(INSULATION)
}
