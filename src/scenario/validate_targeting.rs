//! `[population.rfm]` → [`RfmThresholds`], each component's `only = { … }` → [`Target`], and
//! `[[program.offers]]` → [`Offer`]s, together the design's [`Targeting`].
//!
//! Defaults: `frequent_from` and `large_from` are the medians of the launch base's own
//! purchase rates and mean spends (the split `calibrate` makes); `only` absent = every member,
//! and within it `types` and `groups` absent = all, `tier` absent = every tier (a privilege's
//! tier is its `reach`); an offer: `basket_share = 1`, `bonus_points = 0`, `discount = 0`.

use super::checker::{At, Bounds, Checker, Got, found};
use super::raw::{self, Leaf};
use super::rules::{self, Kind};
use super::validate_privileges::tier_named;
use crate::model::dated::When;
use crate::model::population::{COMMITTED, LoyaltyType, TypeBehaviour};
use crate::model::program::Tiers;
use crate::model::rfm::{Group, RfmThresholds};
use crate::model::targeting::{Offer, Target};

/// Validates `[population.rfm]` (absent: the medians of `types`).
pub(crate) fn rfm(
    c: &mut Checker,
    at: &At,
    table: &raw::Table<raw::RawRfm>,
    types: &[TypeBehaviour],
) -> Option<RfmThresholds> {
    let Some(r) = table else {
        return Some(RfmThresholds::medians(types, None, None));
    };
    let r_at = at.table("rfm", table);
    let r = r.get_ref();
    let fixed = c
        .fixed_only
        .replace("the RFM groups are read once, with the same thresholds in every trial");
    let frequent = c
        .number(
            &r_at,
            "frequent_from",
            &r.frequent_from,
            Bounds {
                max: 1e4,
                ..Bounds::POSITIVE
            },
            "purchases per month from which a customer is frequent",
        )
        .optional();
    let large = c
        .number(
            &r_at,
            "large_from",
            &r.large_from,
            Bounds {
                max: 1e9,
                ..Bounds::POSITIVE
            },
            "mean spend per purchase from which a customer is large, in currency",
        )
        .optional();
    c.fixed_only = fixed;
    Some(RfmThresholds::medians(types, frequent?, large?))
}

/// A list of texts, each one of `options`: which options were named (at least one).
fn choice_list(
    c: &mut Checker,
    at: &At,
    key: &str,
    leaf: &Leaf,
    options: &[&str],
) -> Got<Vec<usize>> {
    rules::note(
        || at.child(key),
        || Kind::ChoiceList(options.iter().map(|o| (*o).to_string()).collect()),
        "",
        false,
    );
    let Some(v) = leaf else {
        rules::note_absent();
        return Got::Absent;
    };
    let list = options
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let mut named = Vec::new();
    let bad = match v.get_ref() {
        toml::Value::Array(items) if items.is_empty() => Some("found an empty list".to_string()),
        toml::Value::Array(items) => items.iter().find_map(|item| {
            match item
                .as_str()
                .and_then(|s| options.iter().position(|o| *o == s))
            {
                Some(i) => {
                    named.push(i);
                    None
                }
                None => Some(found(item)),
            }
        }),
        other => Some(found(other)),
    };
    match bad {
        None => Got::Valid(named),
        Some(what) => {
            c.problem(
                Some(v.span()),
                at.child(key),
                format!("expected a list of one or more of {list}, {what}"),
            );
            Got::Invalid
        }
    }
}

/// Validates an `only = { … }` table (absent: every member). `tiers` resolve `tier`; a
/// privilege (`tier_allowed` false) names its tier with `reach` instead.
pub(crate) fn only(
    c: &mut Checker,
    at: &At,
    table: &raw::Table<raw::RawOnly>,
    tiers: Option<&Tiers>,
    tier_allowed: bool,
) -> Option<Target> {
    let Some(o) = table else {
        return Some(Target::ALL);
    };
    let o_at = at.table("only", table);
    let o = o.get_ref();
    let type_keys = LoyaltyType::ALL.map(LoyaltyType::key);
    let group_keys = Group::ALL.map(Group::key);
    fn mask<const N: usize>(got: Got<Vec<usize>>) -> Option<[bool; N]> {
        match got {
            Got::Absent => Some([true; N]),
            Got::Invalid => None,
            Got::Valid(named) => {
                let mut m = [false; N];
                for i in named {
                    if let Some(slot) = m.get_mut(i) {
                        *slot = true;
                    }
                }
                Some(m)
            }
        }
    }
    let mut types = mask(choice_list(c, &o_at, "types", &o.types, &type_keys));
    // Naming committed loyalty where the population has none is a slip, not a target.
    if !c.committed
        && let (Some(m), Some(v)) = (&types, &o.types)
        && m[COMMITTED]
    {
        c.problem(
            Some(v.span()),
            o_at.child("types"),
            "\"committed\": committed loyalty is not in this scenario's population: add [population.committed] (with its share) or leave \"committed\" out of the list".into(),
        );
        types = None;
    }
    let groups = mask::<4>(choice_list(c, &o_at, "groups", &o.groups, &group_keys));
    let from_tier = match c.text(
        &o_at,
        "tier",
        &o.tier,
        "the name of the lowest tier covered",
    ) {
        Got::Absent => Some(None),
        Got::Invalid => None,
        Got::Valid(_) if !tier_allowed => {
            let span = o.tier.as_ref().map(toml::Spanned::span);
            c.problem(
                span,
                o_at.child("tier"),
                "a privilege names its lowest tier with `reach`; remove `tier` from `only`".into(),
            );
            None
        }
        Got::Valid(s) => tier_named(c, &o_at, "tier", &o.tier, tiers, &s, "").map(Some),
    };
    Some(Target {
        types: types?,
        groups: groups?,
        from_tier: from_tier?,
    })
}

/// Validates `[[program.offers]]`; `has_points` says whether bonus points have a currency.
pub(crate) fn offers(
    c: &mut Checker,
    at: &At,
    list: &raw::TableArray<raw::RawOffer>,
    tiers: Option<&Tiers>,
    has_points: bool,
) -> Option<Vec<Offer>> {
    let Some(list) = list else {
        return Some(Vec::new());
    };
    let mut offers = Vec::new();
    let mut ok = true;
    for (i, item) in list.get_ref().iter().enumerate() {
        let o_at = at.element("offers", i, item);
        let o = item.get_ref();
        let name = c
            .text(&o_at, "name", &o.name, "the offer's name")
            .or(format!("offer {}", i + 1));
        let target = only(c, &o_at, &o.only, tiers, true);
        let when = when(c, &o_at, &o.when);
        let share = c
            .number(
                &o_at,
                "basket_share",
                &o.basket_share,
                Bounds {
                    min_open: true,
                    ..Bounds::SHARE
                },
                "share of a member's basket the chosen items make, 1 = the whole basket",
            )
            .or(1.0);
        let bonus = c
            .number(
                &o_at,
                "bonus_points",
                &o.bonus_points,
                Bounds::closed(0.0, 1000.0),
                "extra points per currency unit spent on the chosen items",
            )
            .or(0.0);
        let discount = c
            .number(
                &o_at,
                "discount",
                &o.discount,
                Bounds {
                    max_open: true,
                    ..Bounds::SHARE
                },
                "extra discount on the chosen items, 0.1 = 10% off them",
            )
            .or(0.0);
        if let (Some(b), Some(d)) = (bonus, discount) {
            if b > 0.0 && !has_points {
                c.problem(
                    o.bonus_points.as_ref().map(toml::Spanned::span),
                    o_at.child("bonus_points"),
                    "bonus points need a [program.points] section to earn them in".into(),
                );
                ok = false;
            }
            if b == 0.0 && d == 0.0 {
                c.problem(
                    o_at.span.clone(),
                    o_at.path.clone(),
                    "an offer gives something: state bonus_points, discount or both".into(),
                );
                ok = false;
            }
        }
        match (name, target, share, bonus, discount, when) {
            (
                Some(name),
                Some(target),
                Some(basket_share),
                Some(bonus_points),
                Some(discount),
                Some(when),
            ) => offers.push(Offer {
                name,
                target,
                basket_share,
                bonus_points,
                discount,
                when,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(offers)
}

/// Validates an offer's `when = { … }` (absent: every purchase): one of `birthday = true`,
/// `months = [1–12, …]` or `share_of_purchases` in (0, 1].
fn when(c: &mut Checker, at: &At, table: &raw::Table<raw::RawWhen>) -> Option<Option<When>> {
    let Some(w) = table else {
        return Some(None);
    };
    let w_at = at.table("when", table);
    let raw = w.get_ref();
    rules::note_exclusive(
        &w_at.path,
        &[&["birthday"], &["months"], &["share_of_purchases"]],
        true,
    );
    let birthday = switch_on(
        c,
        &w_at,
        "birthday",
        &raw.birthday,
        "in each member's birthday month",
    );
    let months = month_list(c, &w_at, "months", &raw.months);
    let fixed = c
        .fixed_only
        .replace("the purchases an offer applies to are the same in every trial");
    let share = c
        .number(
            &w_at,
            "share_of_purchases",
            &raw.share_of_purchases,
            Bounds {
                min_open: true,
                ..Bounds::SHARE
            },
            "share of a member's purchases the offer applies to (happy hour), 0.15 = 15%",
        )
        .optional();
    c.fixed_only = fixed;
    let (birthday, months, share) = (birthday?, months?, share?);
    let stated: Vec<When> = [
        birthday.map(|()| When::Birthday),
        months.map(When::Months),
        share.map(When::ShareOfPurchases),
    ]
    .into_iter()
    .flatten()
    .collect();
    match stated.as_slice() {
        [one] => Some(Some(*one)),
        _ => {
            let said = if stated.is_empty() {
                "found none"
            } else {
                "found more than one"
            };
            c.problem(
                w_at.span.clone(),
                w_at.path.clone(),
                format!(
                    "expected one of `birthday = true`, `months = [...]` or `share_of_purchases = ...`, {said}"
                ),
            );
            None
        }
    }
}

/// A switch that is on when stated: only `true` is accepted (leave the key out for off).
fn switch_on(c: &mut Checker, at: &At, key: &str, leaf: &Leaf, what: &str) -> Option<Option<()>> {
    rules::note(|| at.child(key), || Kind::True, what, false);
    let Some(v) = leaf else {
        rules::note_absent();
        return Some(None);
    };
    match v.get_ref() {
        toml::Value::Boolean(true) => Some(Some(())),
        other => {
            c.problem(
                Some(v.span()),
                at.child(key),
                format!(
                    "expected true ({what}; leave it out otherwise), {}",
                    found(other)
                ),
            );
            None
        }
    }
}

/// A non-empty list of distinct calendar months, 1 (January) to 12.
fn month_list(c: &mut Checker, at: &At, key: &str, leaf: &Leaf) -> Option<Option<[bool; 12]>> {
    rules::note(
        || at.child(key),
        || Kind::WholeList { min: 1, max: 12 },
        "calendar months the offer applies in, 1 = January",
        false,
    );
    let Some(v) = leaf else {
        rules::note_absent();
        return Some(None);
    };
    let mut months = [false; 12];
    let bad = match v.get_ref() {
        toml::Value::Array(items) if items.is_empty() => Some("found an empty list".to_string()),
        toml::Value::Array(items) => items.iter().find_map(|item| {
            let slot = item
                .as_integer()
                .filter(|m| (1..=12).contains(m))
                .and_then(|m| months.get_mut(usize::try_from(m - 1).ok()?));
            match slot {
                Some(seen) if *seen => Some(format!("{} twice", found(item))),
                Some(seen) => {
                    *seen = true;
                    None
                }
                None => Some(found(item)),
            }
        }),
        other => Some(found(other)),
    };
    match bad {
        None => Some(Some(months)),
        Some(what) => {
            c.problem(
                Some(v.span()),
                at.child(key),
                format!(
                    "expected a list of one or more distinct calendar months, whole numbers from 1 (January) to 12 (December), {what}"
                ),
            );
            None
        }
    }
}
