//! `[program.privileges]` → [`Privileges`], `[program.prizes]` → [`Prizes`], and an instant
//! discount's `reference_price` → [`ReferencePrice`].
//!
//! Defaults: `attachment = { false = 0.02, none = 0.01 }` (latent and committed 0; true 0, or
//! 0.005 — true → committed — when the scenario has the committed type),
//! `attachment_half = 0.01`; each privilege reaches `"all"` members, `weight = { true = 1,
//! latent = 0.8, false = 0.3, none = 0.2, committed = 1 }` (a type left out of a stated `weight` keeps its
//! default), and costs nothing per member, per use or to set up unless stated;
//! `reference_price = { loss = 2.62, memory = 0.7 }`; prizes: `prize_value = prize_cost`,
//! `emotional_premium = 0.5`.

use super::checker::{At, Bounds, Checker, Got};
use super::raw::{self, Leaf, RawTypeValues};
use crate::model::population::TYPES;
use crate::model::privileges::{
    DEFAULT_ATTACHMENT, DEFAULT_ATTACHMENT_HALF, DEFAULT_COMMITMENT, DEFAULT_WEIGHTS, Privilege,
    Privileges,
};
use crate::model::prizes::{DEFAULT_EMOTIONAL_PREMIUM, PrizeEntries, Prizes};
use crate::model::program::{ReferencePrice, Tiers};

const COST: Bounds = Bounds::closed(0.0, 1e9);

/// A value per loyalty type where a type left out keeps its `default` (see
/// [`Checker::by_type`]).
fn by_type(
    c: &mut Checker,
    at: &At,
    values: Option<&RawTypeValues>,
    default: [f64; TYPES],
    bounds: Bounds,
    unit: &str,
) -> Option<[f64; TYPES]> {
    match values {
        None => Some(default),
        Some(v) => c.by_type(at, v, default, bounds, unit),
    }
}

/// The default attachment: with the committed type, truly loyal members move on to it at
/// [`DEFAULT_COMMITMENT`]; without it, nowhere.
fn default_attachment(committed: bool) -> [f64; TYPES] {
    let mut a = DEFAULT_ATTACHMENT;
    if committed {
        a[0] = DEFAULT_COMMITMENT;
    }
    a
}

/// Validates `[program.privileges]`; `tiers` are the program's, to resolve `reach`.
pub(crate) fn privileges(
    c: &mut Checker,
    at: &At,
    p: &raw::RawPrivileges,
    tiers: Option<&Tiers>,
) -> Option<Privileges> {
    let attachment = by_type(
        c,
        &at.table("attachment", &p.attachment),
        p.attachment.as_ref().map(|t| t.get_ref()),
        default_attachment(c.committed),
        Bounds::SHARE,
        "most monthly chance of moving up in attitude at full value",
    );
    let half = c
        .number(
            at,
            "attachment_half",
            &p.attachment_half,
            Bounds::SHARE,
            "value (share of spend) giving half the most attachment",
        )
        .or(DEFAULT_ATTACHMENT_HALF);
    let Some(list) = &p.items else {
        return c.missing(
            at,
            "items",
            "[[program.privileges.items]] tables, each with name and value",
        );
    };
    if list.get_ref().is_empty() {
        c.problem(
            Some(list.span()),
            at.child("items"),
            "give at least one privilege".into(),
        );
        return None;
    }
    let mut items = Vec::new();
    let mut ok = true;
    for (i, item) in list.get_ref().iter().enumerate() {
        let i_at = at.element("items", i, item);
        match privilege(c, &i_at, item.get_ref(), tiers, i) {
            Some(p) => items.push(p),
            None => ok = false,
        }
    }
    let (attachment, attachment_half) = (attachment?, half?);
    ok.then_some(Privileges {
        items,
        attachment,
        attachment_half,
    })
}

fn privilege(
    c: &mut Checker,
    at: &At,
    p: &raw::RawPrivilege,
    tiers: Option<&Tiers>,
    index: usize,
) -> Option<Privilege> {
    let name = c
        .text(at, "name", &p.name, "the privilege's name")
        .or(format!("privilege {}", index + 1));
    let from_tier = match c.text(at, "reach", &p.reach, "\"all\" or a tier's name") {
        Got::Absent => Some(None),
        Got::Invalid => None,
        Got::Valid(s) if s == "all" => Some(None),
        Got::Valid(s) => tier_named(c, at, "reach", &p.reach, tiers, &s, "\"all\"").map(Some),
    };
    let value = c.required_number(
        at,
        "value",
        &p.value,
        Bounds::SHARE,
        "value to a member who weighs it fully, as a share of their spend, 0.02 = 2%",
    );
    let weights = by_type(
        c,
        &at.table("weight", &p.weight),
        p.weight.as_ref().map(|t| t.get_ref()),
        DEFAULT_WEIGHTS,
        Bounds::closed(0.0, 2.0),
        "weight of non-material value for this type, 1 = fully",
    );
    let per_member = c
        .number(
            at,
            "cost_per_member_per_month",
            &p.cost_per_member_per_month,
            COST,
            "cost per member reached per month, in currency",
        )
        .or(0.0);
    let uses = c
        .number(
            at,
            "uses_per_member_per_month",
            &p.uses_per_member_per_month,
            Bounds::closed(0.0, 100.0),
            "mean uses per member reached per month",
        )
        .or(0.0);
    let per_use = c
        .number(
            at,
            "cost_per_use",
            &p.cost_per_use,
            COST,
            "cost per use, in currency",
        )
        .or(0.0);
    let set_up = c
        .number(
            at,
            "set_up",
            &p.set_up,
            Bounds::closed(0.0, 1e12),
            "one-time set-up cost, in currency",
        )
        .or(0.0);
    Some(Privilege {
        name: name?,
        from_tier: from_tier?,
        value: value?,
        weights: weights?,
        cost_per_member_per_month: per_member?,
        uses_per_member_per_month: uses?,
        cost_per_use: per_use?,
        set_up: set_up?,
    })
}

/// Validates an instant discount's `reference_price` table (absent: the defaults).
pub(crate) fn reference_price(
    c: &mut Checker,
    at: &At,
    table: &raw::Table<raw::RawReferencePrice>,
) -> Option<ReferencePrice> {
    let Some(r) = table else {
        return Some(ReferencePrice::DEFAULT);
    };
    let r_at = at.table("reference_price", table);
    let r = r.get_ref();
    let loss = c
        .number(
            &r_at,
            "loss",
            &r.loss,
            Bounds::closed(0.0, 20.0),
            "fall of the purchase rate per unit of price rise over the reference, 0 = none",
        )
        .or(ReferencePrice::DEFAULT.loss);
    let memory = c
        .number(
            &r_at,
            "memory",
            &r.memory,
            Bounds {
                max_open: true,
                ..Bounds::SHARE
            },
            "share of the gap still remembered a month later",
        )
        .or(ReferencePrice::DEFAULT.memory);
    Some(ReferencePrice {
        loss: loss?,
        memory: memory?,
    })
}

/// Validates `[program.prizes]`; `has_points` says whether entries have points to be bought
/// with.
pub(crate) fn prizes(
    c: &mut Checker,
    at: &At,
    p: &raw::RawPrizes,
    has_points: bool,
) -> Option<Prizes> {
    let chance = c.required_number(
        at,
        "chance_per_purchase",
        &p.chance_per_purchase,
        Bounds {
            min_open: true,
            ..Bounds::SHARE
        },
        "chance that a member purchase wins a prize, 0.01 = 1 in 100",
    );
    let cost = c.required_number(
        at,
        "prize_cost",
        &p.prize_cost,
        COST,
        "cost of one prize to the company, in currency",
    );
    let value = c
        .number(
            at,
            "prize_value",
            &p.prize_value,
            COST,
            "money value of one prize to the member, in currency",
        )
        .optional();
    let premium = c
        .number(
            at,
            "emotional_premium",
            &p.emotional_premium,
            Bounds::closed(0.0, 10.0),
            "extra value of a chance of a prize over its expected money value, 0.5 = +50%",
        )
        .or(DEFAULT_EMOTIONAL_PREMIUM);
    let entries = prize_entries(c, at, p, has_points, chance);
    let (chance, cost, value, premium, entries) = (chance?, cost?, value?, premium?, entries?);
    Some(Prizes {
        chance_per_purchase: chance,
        prize_cost: cost,
        prize_value: value.unwrap_or(cost),
        emotional_premium: premium,
        entries,
    })
}

/// Validates the entries bought with points of `[program.prizes]`: `entry_points` (absent: no
/// entries), `chance_per_entry` (default: `chance_per_purchase`, `per_purchase` here) and
/// `entry_chance_per_month` (default: each type's `redemption_per_month`).
fn prize_entries(
    c: &mut Checker,
    at: &At,
    p: &raw::RawPrizes,
    has_points: bool,
    per_purchase: Option<f64>,
) -> Option<Option<PrizeEntries>> {
    let fixed = c
        .fixed_only
        .replace("an entry's price in points is the same in every trial");
    let points = c.whole(
        at,
        "entry_points",
        &p.entry_points,
        1,
        1_000_000_000,
        "points a member spends on one entry to the draw",
    );
    c.fixed_only = fixed;
    let chance = c
        .number(
            at,
            "chance_per_entry",
            &p.chance_per_entry,
            Bounds {
                min_open: true,
                ..Bounds::SHARE
            },
            "chance that an entry bought with points wins a prize, 0.05 = 1 in 20",
        )
        .optional();
    let per_month = c
        .number(
            at,
            "entry_chance_per_month",
            &p.entry_chance_per_month,
            Bounds::SHARE,
            "chance a month that a member who holds an entry's price but cannot afford the first reward buys an entry",
        )
        .optional();
    let (chance, per_month) = (chance?, per_month?);
    let points = match points {
        Got::Invalid => return None,
        Got::Valid(n) => n,
        Got::Absent => {
            for (key, leaf) in [
                ("chance_per_entry", &p.chance_per_entry),
                ("entry_chance_per_month", &p.entry_chance_per_month),
            ] {
                if let Some(v) = leaf {
                    c.problem(
                        Some(v.span()),
                        at.child(key),
                        "entries bought with points need `entry_points`, the points one entry costs".into(),
                    );
                    return None;
                }
            }
            return Some(None);
        }
    };
    if !has_points {
        let span = p.entry_points.as_ref().map(toml::Spanned::span);
        c.problem(
            span,
            at.child("entry_points"),
            "entries bought with points need a [program.points] section to hold the points".into(),
        );
        return None;
    }
    Some(Some(PrizeEntries {
        points,
        chance_per_entry: chance.or(per_purchase)?,
        chance_per_month: per_month,
    }))
}

/// The position of the tier named `name` among `tiers`' levels, or a problem at `at.key` that
/// lists the tiers there are, after `other` (another accepted value, e.g. `"all"`) when given.
pub(crate) fn tier_named(
    c: &mut Checker,
    at: &At,
    key: &str,
    leaf: &Leaf,
    tiers: Option<&Tiers>,
    name: &str,
    other: &str,
) -> Option<usize> {
    let levels = tiers.map(|t| t.levels.as_slice()).unwrap_or_default();
    if let Some(i) = levels.iter().position(|l| l.name == name) {
        return Some(i);
    }
    let names: Vec<String> = levels.iter().map(|l| format!("\"{}\"", l.name)).collect();
    let valid = match (names.is_empty(), other.is_empty()) {
        (true, true) => "no tier (the program has no [program.tiers])".to_string(),
        (true, false) => format!("{other} (the program has no [program.tiers])"),
        (false, true) => format!("one of the tiers: {}", names.join(", ")),
        (false, false) => format!("{other} or one of the tiers: {}", names.join(", ")),
    };
    let span = leaf.as_ref().map(toml::Spanned::span);
    c.problem(
        span,
        at.child(key),
        format!("expected {valid}, found \"{name}\""),
    );
    None
}
