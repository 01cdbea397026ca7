//! `[program]` → [`Program`]: each currency's section, the rules they share, and the rules
//! across them (at least one currency; a points multiplier needs points; one way of pricing
//! rewards).
//!
//! Defaults: `goal_gradient = 0.25` (Kivetz et al. 2006); `response`: 1 for every maximum;
//! `joining_per_visit`: 0.08, or 1 for a population stated in fixed lifts; `enrolment_ramp_months = 1`; no
//! reward cap; points: `point_value = point_cost`, `expiry = none`, `choice =
//! "most_valuable"`, for a catalogue `point_cost` and `point_value` = the catalogue's mean
//! cost and value per point here, replaced in a trial's accounts by the cost and value per
//! point of the rewards as redeemed in it (see [`crate::metrics::finance`]); no breakage
//! revisions; `instant_discount.min_basket = 0`; `cumulative_discount`:
//! monthly periods on spend; `tiers`: spend over a 12-month window reviewed every 3 months,
//! each level with no discount and a points multiplier of 1; `exit`: no grace, honour, no cost.

use super::checker::{At, Bounds, Checker, Got};
use super::raw::{self, RawScenario};
use super::rules;
use crate::model::program::{
    CumulativeDiscount, DEFAULT_GOAL_GRADIENT, Disengagement, Engagement, Exit, Expiry,
    InstantDiscount, PartnerEarning, PointsRules, Program, Qualify, Referral, Response, Reward,
    RewardChoice, Settlement, TierLevel, Tiers,
};
use crate::model::targeting::{Target, Targeting};

/// Longest expiry accepted, in months (20 years).
pub const MAX_EXPIRY_MONTHS: u64 = 240;

const MONEY: Bounds = Bounds {
    min: 0.0,
    min_open: false,
    max: 1e9,
    max_open: false,
};
const RATE: Bounds = Bounds {
    min: 0.0,
    min_open: false,
    max: 1.0,
    max_open: true,
};

/// Validates `[program]`; `months` is the horizon, when it could be read.
pub(crate) fn program(c: &mut Checker, raw: &RawScenario, months: Option<u32>) -> Option<Program> {
    let root = At::root();
    let p = c.require_table(&root, "program", &raw.program)?;
    let at = root.table("program", &raw.program);
    let horizon = u64::from(months.unwrap_or(u32::MAX));

    let goal_gradient = c
        .number(
            &at,
            "goal_gradient",
            &p.goal_gradient,
            Bounds::closed(0.0, 5.0),
            "extra purchase rate at a goal, 0.2 = +20%",
        )
        .or(DEFAULT_GOAL_GRADIENT);
    let cap = c
        .number(
            &at,
            "reward_cap_per_member_per_month",
            &p.reward_cap_per_member_per_month,
            Bounds {
                min_open: true,
                ..MONEY
            },
            "most reward value a member may receive in a month, in currency",
        )
        .optional();
    let ramp = c
        .months(
            &at,
            "enrolment_ramp_months",
            &p.enrolment_ramp_months,
            1,
            horizon,
            "months over which launch members join",
        )
        .or(1);

    let points = p
        .points
        .as_ref()
        .map(|t| points(c, &at.table("points", &p.points), t.get_ref(), horizon));
    let instant = p.instant_discount.as_ref().map(|t| {
        instant_discount(
            c,
            &at.table("instant_discount", &p.instant_discount),
            t.get_ref(),
        )
    });
    let cumulative = p.cumulative_discount.as_ref().map(|t| {
        cumulative_discount(
            c,
            &at.table("cumulative_discount", &p.cumulative_discount),
            t.get_ref(),
        )
    });
    let tiers = p
        .tiers
        .as_ref()
        .map(|t| tiers(c, &at.table("tiers", &p.tiers), t.get_ref()));
    let exit = p
        .exit
        .as_ref()
        .map(|t| exit(c, &at.table("exit", &p.exit), t.get_ref(), horizon));
    // Privileges name tiers: read them once the tiers could be read.
    let privileges = match (&p.privileges, &tiers) {
        (None, _) | (_, Some(None)) => None,
        (Some(t), tiers) => Some(super::validate_privileges::privileges(
            c,
            &at.table("privileges", &p.privileges),
            t.get_ref(),
            tiers.as_ref().and_then(Option::as_ref),
        )),
    };

    // The partners' wind-down is booked at the exit: without one it would never be.
    if let (Some(Some(points)), None) = (&points, &p.exit)
        && points.partner.is_some_and(|pe| pe.wind_down_cost > 0.0)
    {
        let span = p
            .points
            .as_ref()
            .and_then(|t| t.get_ref().partner.as_ref())
            .and_then(|t| t.get_ref().wind_down_cost.as_ref())
            .map(toml::Spanned::span);
        c.problem(
            span,
            "program.points.partner.wind_down_cost".into(),
            "a wind-down cost is booked when the program ends: it needs a [program.exit] section with the month".into(),
        );
        return None;
    }

    let prizes = p.prizes.as_ref().map(|t| {
        super::validate_privileges::prizes(
            c,
            &at.table("prizes", &p.prizes),
            t.get_ref(),
            p.points.is_some(),
        )
    });
    let targeting = targeting(c, &at, p, tiers.as_ref().and_then(Option::as_ref));

    if points.is_none()
        && instant.is_none()
        && cumulative.is_none()
        && tiers.is_none()
        && p.privileges.is_none()
        && prizes.is_none()
    {
        c.problem(
            at.span.clone(),
            "program".into(),
            "a program needs at least one component: [program.points], [program.instant_discount], [program.cumulative_discount], [program.tiers], [program.privileges] or [program.prizes]".into(),
        );
        return None;
    }
    let top_tier = match &tiers {
        Some(Some(t)) => t.levels.iter().map(|l| l.discount).fold(0.0, f64::max),
        _ => 0.0,
    };
    // Offers' discounts add to the instant discount of the members they cover: at most all
    // of them together.
    let offered = match &targeting {
        Some(Some(t)) => t
            .offers
            .iter()
            .map(|o| o.discount * o.basket_share)
            .sum::<f64>(),
        _ => 0.0,
    };
    let top_instant = offered
        + match &instant {
            Some(Some(d)) => d.bands.iter().map(|b| b.1).fold(d.rate, f64::max),
            _ => 0.0,
        };
    if top_tier + top_instant >= 1.0 {
        c.problem(
            at.span.clone(),
            "program".into(),
            format!(
                "the instant discount ({:.0}%) and the top tier's discount ({:.0}%) together take {:.0}% off a basket; they must stay below 100%",
                top_instant * 100.0,
                top_tier * 100.0,
                (top_instant + top_tier) * 100.0
            ),
        );
        return None;
    }
    if let (Some(Some(t)), None) = (&tiers, &points)
        && t.levels.iter().any(|l| l.points_multiplier != 1.0)
    {
        c.problem(
            at.span.clone(),
            "program.tiers".into(),
            "a tier's points_multiplier needs a [program.points] section to multiply".into(),
        );
        return None;
    }
    let response = match &p.response {
        None => Some(Response::FULL),
        Some(r) => {
            let r_at = at.table("response", &p.response);
            let r = r.get_ref();
            let scale = Bounds::closed(0.0, 2.0);
            let unit = "scaling of the response curves' maximum for this design, 1 = as stated";
            let frequency = c
                .number(&r_at, "frequency", &r.frequency, scale, unit)
                .or(1.0);
            let basket = c.number(&r_at, "basket", &r.basket, scale, unit).or(1.0);
            let retention = c
                .number(&r_at, "retention", &r.retention, scale, unit)
                .or(1.0);
            let attachment = c
                .number(&r_at, "attachment", &r.attachment, Bounds::SHARE, unit)
                .or(1.0);
            Some(Response {
                frequency: frequency?,
                basket: basket?,
                retention: retention?,
                attachment: attachment?,
            })
        }
    };
    let joining = c
        .number(
            &at,
            "joining_per_visit",
            &p.joining_per_visit,
            Bounds {
                min: 0.0,
                min_open: true,
                max: 1.0,
                max_open: false,
            },
            "chance that a customer who would join signs up at a given visit, 1 = at once",
        )
        .optional();
    let disengagement = match &p.disengagement {
        None => Some(Disengagement::DEFAULT),
        Some(d) => {
            let d_at = at.table("disengagement", &p.disengagement);
            let d = d.get_ref();
            let patience = c
                .months(
                    &d_at,
                    "patience_months",
                    &d.patience_months,
                    0,
                    120,
                    "months a member stays engaged without a reward",
                )
                .or(Disengagement::DEFAULT.patience_months);
            let decay = c
                .number(
                    &d_at,
                    "decay_per_month",
                    &d.decay_per_month,
                    Bounds::SHARE,
                    "share of the program's effect lost each month after that",
                )
                .or(Disengagement::DEFAULT.decay_per_month);
            Some(Disengagement {
                patience_months: patience?,
                decay_per_month: decay?,
            })
        }
    };
    let bystanders = super::validate_reactions::bystanders(c, &at, &p.bystanders);
    let disappointment = super::validate_reactions::disappointment(c, &at, &p.disappointment);
    Some(Program {
        bystanders: bystanders?,
        disappointment: disappointment?,
        response: response?,
        // 0 = not stated: the population decides (see `validate`).
        joining_per_visit: joining?.unwrap_or(0.0),
        disengagement: disengagement?,
        points: points.map_or(Some(None), |p| p.map(Some))?,
        instant_discount: instant.map_or(Some(None), |p| p.map(Some))?,
        cumulative_discount: cumulative.map_or(Some(None), |p| p.map(Some))?,
        tiers: tiers.map_or(Some(None), |p| p.map(Some))?,
        goal_gradient: goal_gradient?,
        reward_cap_per_member_per_month: cap?,
        enrolment_ramp_months: ramp?,
        exit: exit.map_or(Some(None), |p| p.map(Some))?,
        privileges: privileges.map_or(Some(None), |p| p.map(Some))?,
        prizes: prizes.map_or(Some(None), |p| p.map(Some))?,
        targeting: targeting?,
    })
}

/// Each component's `only = { … }` and the `[[program.offers]]`: `Some(None)` when the design
/// targets no one in particular (no `only`, no offer).
fn targeting(
    c: &mut Checker,
    at: &At,
    p: &raw::RawProgram,
    tiers: Option<&Tiers>,
) -> Option<Option<Targeting>> {
    use super::validate_targeting::{offers, only};
    let mut stated = false;
    let mut component =
        |c: &mut Checker, at: At, table: Option<&raw::Table<raw::RawOnly>>| match table {
            None => Some(Target::ALL),
            Some(t) => {
                stated |= t.is_some();
                only(c, &at, t, tiers, true)
            }
        };
    let points = component(
        c,
        at.table("points", &p.points),
        p.points.as_ref().map(|t| &t.get_ref().only),
    );
    let instant = component(
        c,
        at.table("instant_discount", &p.instant_discount),
        p.instant_discount.as_ref().map(|t| &t.get_ref().only),
    );
    let cumulative = component(
        c,
        at.table("cumulative_discount", &p.cumulative_discount),
        p.cumulative_discount.as_ref().map(|t| &t.get_ref().only),
    );
    let prizes = component(
        c,
        at.table("prizes", &p.prizes),
        p.prizes.as_ref().map(|t| &t.get_ref().only),
    );
    let tier_discounts = component(
        c,
        at.table("tiers", &p.tiers),
        p.tiers.as_ref().map(|t| &t.get_ref().only),
    );
    let mut privileges = Vec::new();
    let mut ok = true;
    if let Some(t) = &p.privileges
        && let Some(items) = &t.get_ref().items
    {
        let p_at = at.table("privileges", &p.privileges);
        for (i, item) in items.get_ref().iter().enumerate() {
            let only_table = &item.get_ref().only;
            stated |= only_table.is_some();
            match only(c, &p_at.element("items", i, item), only_table, tiers, false) {
                Some(t) => privileges.push(t),
                None => ok = false,
            }
        }
    }
    let offers = offers(c, at, &p.offers, tiers, p.points.is_some());
    let (points, instant, cumulative, prizes, tier_discounts, offers) = (
        points?,
        instant?,
        cumulative?,
        prizes?,
        tier_discounts?,
        offers?,
    );
    if !ok {
        return None;
    }
    if !stated && offers.is_empty() {
        return Some(None);
    }
    Some(Some(Targeting {
        points,
        instant_discount: instant,
        cumulative_discount: cumulative,
        prizes,
        tier_discounts,
        privileges,
        offers,
    }))
}

fn points(c: &mut Checker, at: &At, p: &raw::RawPoints, horizon: u64) -> Option<PointsRules> {
    let earn_rate = c.required_number(
        at,
        "earn_rate",
        &p.earn_rate,
        Bounds {
            max: 1000.0,
            ..Bounds::POSITIVE
        },
        "points per currency unit spent",
    );
    let cap = c
        .whole(
            at,
            "earn_cap_per_month",
            &p.earn_cap_per_month,
            1,
            1_000_000_000,
            "most points a member can earn from purchases in a month",
        )
        .optional();
    let expiry = expiry(c, at, p);
    let choice = match c.choice(
        at,
        "choice",
        &p.choice,
        &["most_valuable", "cheapest", "appeal"],
    ) {
        Got::Valid(s) if s == "cheapest" => Some(RewardChoice::Cheapest),
        Got::Valid(s) if s == "appeal" => Some(RewardChoice::Appeal),
        Got::Invalid => None,
        _ => Some(RewardChoice::MostValuable),
    };
    let point_cost = c.number(
        at,
        "point_cost",
        &p.point_cost,
        MONEY,
        "cost to the company of one point, in currency",
    );
    let point_value = c.number(
        at,
        "point_value",
        &p.point_value,
        MONEY,
        "stand-alone selling price of one point, in currency",
    );
    let threshold = c.whole(
        at,
        "redemption_threshold",
        &p.redemption_threshold,
        1,
        1_000_000_000,
        "points a reward costs",
    );
    let breakage = c
        .number(
            at,
            "breakage",
            &p.breakage,
            Bounds {
                max_open: true,
                ..Bounds::SHARE
            },
            "expected share of points never redeemed",
        )
        .optional();
    let revisions = breakage_revisions(c, at, p, horizon, matches!(breakage, Some(Some(_))));
    let supplier = c
        .number(
            at,
            "supplier_funded_share",
            &p.supplier_funded_share,
            Bounds::SHARE,
            "share of the reward cost paid by suppliers",
        )
        .or(0.0);
    let balance_cap = c
        .whole(
            at,
            "balance_cap",
            &p.balance_cap,
            1,
            1_000_000_000_000,
            "most points a member may hold; points beyond it are not credited",
        )
        .optional();
    let signup_bonus = c
        .whole(
            at,
            "signup_bonus",
            &p.signup_bonus,
            0,
            1_000_000_000,
            "points credited when a member joins",
        )
        .or(0);
    let partner = p.partner.as_ref().map(|t| {
        let a = at.table("partner", &p.partner);
        let t = t.get_ref();
        let points = c.required_number(
            &a,
            "points_per_member_per_month",
            &t.points_per_member_per_month,
            Bounds::closed(0.0, 1e6),
            "mean points a member earns at partners per month",
        );
        let price = c.required_number(
            &a,
            "price_per_point",
            &t.price_per_point,
            MONEY,
            "what a partner pays per point issued, in currency",
        );
        let redeemed_share = c
            .number(
                &a,
                "redeemed_share",
                &t.redeemed_share,
                Bounds::SHARE,
                "share of the points redeemed that are redeemed at partners",
            )
            .or(0.0);
        // Absent: the partners buy and sell points at one price (a stated assumption).
        let settlement = c
            .number(
                &a,
                "settlement_per_point",
                &t.settlement_per_point,
                MONEY,
                "what the program pays a partner per point redeemed there, in currency",
            )
            .optional();
        let cost_share = c
            .number(
                &a,
                "running_cost_share",
                &t.running_cost_share,
                Bounds::SHARE,
                "share of the running costs borne by partners",
            )
            .or(0.0);
        let wind_down = c
            .number(
                &a,
                "wind_down_cost",
                &t.wind_down_cost,
                MONEY,
                "one-time cost of ending the partner agreements at the exit, in currency",
            )
            .or(0.0);
        let price = price?;
        Some(PartnerEarning {
            points_per_member_per_month: points?,
            price_per_point: price,
            redeemed_share: redeemed_share?,
            settlement_per_point: settlement?.unwrap_or(price),
            running_cost_share: cost_share?,
            wind_down_cost: wind_down?,
        })
    });
    let engagement = p.engagement.as_ref().map(|t| {
        let a = at.table("engagement", &p.engagement);
        let t = t.get_ref();
        let actions = c.required_number(
            &a,
            "actions_per_member_per_month",
            &t.actions_per_member_per_month,
            Bounds::closed(0.0, 100.0),
            "mean rewarded actions per member per month",
        );
        let points = c.required_whole(
            &a,
            "points_per_action",
            &t.points_per_action,
            1,
            1_000_000,
            "points per action",
        );
        Some(Engagement {
            actions_per_member_per_month: actions?,
            points_per_action: points?,
        })
    });
    let referral = p.referral.as_ref().map(|t| {
        let a = at.table("referral", &p.referral);
        let t = t.get_ref();
        let rate = c.required_number(
            &a,
            "per_member_per_month",
            &t.per_member_per_month,
            Bounds::closed(0.0, 1.0),
            "mean referrals per member per month",
        );
        let points = c.required_whole(&a, "points", &t.points, 0, 1_000_000, "points per referral");
        Some(Referral {
            per_member_per_month: rate?,
            points: points?,
        })
    });

    // Rewards: a single threshold priced per point, or a catalogue; not both, not neither.
    rules::note_exclusive(&at.path, &[&["redemption_threshold"], &["rewards"]], true);
    let rewards = match (&threshold, &p.rewards) {
        (Got::Invalid, _) => None,
        (Got::Valid(_), Some(list)) => {
            c.problem(
                Some(list.span()),
                at.child("rewards"),
                "give either redemption_threshold (one reward) or [[program.points.rewards]] (a catalogue), not both".into(),
            );
            None
        }
        (Got::Absent, None) => {
            c.missing::<()>(
                at,
                "redemption_threshold",
                "a whole number of points per reward, or a [[program.points.rewards]] catalogue",
            );
            None
        }
        (Got::Valid(points), None) => match point_cost {
            Got::Valid(cost) => {
                let value = match point_value {
                    Got::Valid(v) => v,
                    _ => cost,
                };
                Some(vec![Reward {
                    name: "reward".into(),
                    points: *points,
                    cost: cost * *points as f64,
                    value: value * *points as f64,
                    appeal: 1.0,
                }])
            }
            Got::Absent => c.missing(
                at,
                "point_cost",
                "the cost to the company of one redeemed point, in currency",
            ),
            Got::Invalid => None,
        },
        (Got::Absent, Some(list)) => catalogue(c, at, list),
    };
    let rewards = rewards?;
    let mean_per_point = |f: fn(&Reward) -> f64| {
        rewards.iter().map(|r| f(r) / r.points as f64).sum::<f64>() / rewards.len() as f64
    };
    let point_cost_stated = matches!(point_cost, Got::Valid(_));
    let point_value_stated = matches!(point_value, Got::Valid(_));
    let point_cost = match point_cost {
        Got::Valid(v) => v,
        _ => mean_per_point(|r| r.cost),
    };
    let point_value = match point_value {
        Got::Valid(v) => v,
        Got::Absent if p.redemption_threshold.is_some() => point_cost,
        _ => mean_per_point(|r| r.value),
    };
    Some(PointsRules {
        earn_rate: earn_rate?,
        earn_cap_per_month: cap?,
        expiry: expiry?,
        rewards,
        choice: choice?,
        point_cost,
        point_value,
        breakage: breakage?,
        breakage_revisions: revisions?,
        point_cost_stated,
        point_value_stated,
        partner: partner.map_or(Some(None), |p| p.map(Some))?,
        engagement: engagement.map_or(Some(None), |p| p.map(Some))?,
        referral: referral.map_or(Some(None), |p| p.map(Some))?,
        supplier_funded_share: supplier?,
        balance_cap: balance_cap?,
        signup_bonus: signup_bonus?,
    })
}

/// `[[program.points.rewards]]`, sorted cheapest first.
/// `[[program.points.breakage_revisions]]`: months within the horizon, ascending, each with a
/// breakage; only with a stated `breakage`.
fn breakage_revisions(
    c: &mut Checker,
    at: &At,
    p: &raw::RawPoints,
    horizon: u64,
    stated: bool,
) -> Option<Vec<(u32, f64)>> {
    let Some(list) = &p.breakage_revisions else {
        return Some(Vec::new());
    };
    if !stated {
        c.problem(
            Some(list.span()),
            at.child("breakage_revisions"),
            "revisions of the breakage need a stated `breakage` to revise; give one, or remove the revisions to simulate breakage".into(),
        );
        return None;
    }
    let fixed = c
        .fixed_only
        .replace("a revision of the estimate is a stated number");
    let mut revisions = Vec::new();
    let mut ok = true;
    let mut previous = 1;
    for (i, r) in list.get_ref().iter().enumerate() {
        let r_at = at.element("breakage_revisions", i, r);
        let rr = r.get_ref();
        let month = c.required_whole(
            &r_at,
            "month",
            &rr.month,
            2,
            horizon.max(2),
            "the month at whose end the estimate is revised, within the horizon",
        );
        let breakage = c.required_number(
            &r_at,
            "breakage",
            &rr.breakage,
            Bounds {
                max_open: true,
                ..Bounds::SHARE
            },
            "expected share of points never redeemed",
        );
        match (month, breakage) {
            (Some(m), Some(b)) if m > previous => {
                previous = m;
                revisions.push((m as u32, b));
            }
            (Some(m), Some(_)) => {
                c.problem(
                    rr.month.as_ref().map(toml::Spanned::span),
                    format!("{}.month", r_at.path),
                    format!("expected a month after {previous} (revisions in order, one per month), found {m}"),
                );
                ok = false;
            }
            _ => ok = false,
        }
    }
    c.fixed_only = fixed;
    ok.then_some(revisions)
}

fn catalogue(
    c: &mut Checker,
    at: &At,
    list: &toml::Spanned<Vec<toml::Spanned<raw::RawReward>>>,
) -> Option<Vec<Reward>> {
    if list.get_ref().is_empty() {
        c.problem(
            Some(list.span()),
            at.child("rewards"),
            "the reward catalogue is empty; give at least one reward".into(),
        );
        return None;
    }
    let mut rewards = Vec::new();
    let mut ok = true;
    for (i, r) in list.get_ref().iter().enumerate() {
        let r_at = at.element("rewards", i, r);
        let rr = r.get_ref();
        let name = c
            .text(&r_at, "name", &rr.name, "the reward's name")
            .or(format!("reward {}", i + 1));
        let points = c.required_whole(
            &r_at,
            "points",
            &rr.points,
            1,
            1_000_000_000,
            "price in points",
        );
        let cost = c.required_number(
            &r_at,
            "cost",
            &rr.cost,
            MONEY,
            "cost to the company of one reward, in currency",
        );
        let value = c
            .number(
                &r_at,
                "value",
                &rr.value,
                MONEY,
                "value of the reward to the member, in currency",
            )
            .optional();
        let appeal = c
            .number(
                &r_at,
                "appeal",
                &rr.appeal,
                Bounds {
                    max: 1e6,
                    ..Bounds::POSITIVE
                },
                "relative attractiveness",
            )
            .or(1.0);
        match (name, points, cost, value, appeal) {
            (Some(name), Some(points), Some(cost), Some(value), Some(appeal)) => {
                rewards.push(Reward {
                    name,
                    points,
                    cost,
                    value: value.unwrap_or(cost),
                    appeal,
                })
            }
            _ => ok = false,
        }
    }
    rewards.sort_by(|a, b| a.points.cmp(&b.points).then(a.cost.total_cmp(&b.cost)));
    ok.then_some(rewards)
}

fn expiry(c: &mut Checker, at: &At, p: &raw::RawPoints) -> Option<Expiry> {
    let Some(e) = &p.expiry else {
        return Some(Expiry::Never);
    };
    let e_at = at.table("expiry", &p.expiry);
    let e = e.get_ref();
    rules::note_depends(
        &e_at.path,
        "policy",
        &["none"],
        &["fixed", "inactivity"],
        "months",
    );
    let policy = match c.choice(&e_at, "policy", &e.policy, &["none", "fixed", "inactivity"]) {
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
    let months = match c.months(&e_at, "months", &e.months, 1, MAX_EXPIRY_MONTHS, unit) {
        Got::Valid(m) => m,
        Got::Absent => {
            return c.missing(
                &e_at,
                "months",
                &format!("a whole number from 1 to {MAX_EXPIRY_MONTHS} ({unit})"),
            );
        }
        Got::Invalid => return None,
    };
    Some(if policy == "fixed" {
        Expiry::Fixed { months }
    } else {
        Expiry::Inactivity { months }
    })
}

fn instant_discount(
    c: &mut Checker,
    at: &At,
    d: &raw::RawInstantDiscount,
) -> Option<InstantDiscount> {
    let rate = c.required_number(
        at,
        "rate",
        &d.rate,
        RATE,
        "share taken off a basket, 0.05 = 5%",
    );
    let min_basket = c
        .number(
            at,
            "min_basket",
            &d.min_basket,
            MONEY,
            "smallest basket discounted, in currency",
        )
        .or(0.0);
    let mut bands = Vec::new();
    let mut ok = true;
    if let Some(list) = &d.bands {
        for (i, b) in list.get_ref().iter().enumerate() {
            let b_at = at.element("bands", i, b);
            let from = c.required_number(
                &b_at,
                "from",
                &b.get_ref().from,
                Bounds {
                    min_open: true,
                    ..MONEY
                },
                "basket size from which the rate applies, in currency",
            );
            let band_rate = c.required_number(
                &b_at,
                "rate",
                &b.get_ref().rate,
                RATE,
                "share taken off baskets of this size",
            );
            match (from, band_rate) {
                (Some(f), Some(r)) => {
                    if bands.last().is_some_and(|&(prev, _)| f <= prev) {
                        c.problem(b_at.span.clone(), b_at.child("from"), format!("bands must go up in basket size; {f} does not follow the band before it"));
                        ok = false;
                    }
                    bands.push((f, r));
                }
                _ => ok = false,
            }
        }
    }
    let reference_price = super::validate_privileges::reference_price(c, at, &d.reference_price);
    let insulation = super::validate_reactions::insulation(c, at, &d.insulation);
    let (rate, min_basket, reference_price, insulation) =
        (rate?, min_basket?, reference_price?, insulation?);
    ok.then_some(InstantDiscount {
        rate,
        min_basket,
        bands,
        reference_price,
        insulation,
    })
}

fn qualify(c: &mut Checker, at: &At, leaf: &raw::Leaf) -> Option<Qualify> {
    match c.choice(at, "qualify", leaf, &["spend", "purchases"]) {
        Got::Valid(s) if s == "purchases" => Some(Qualify::Purchases),
        Got::Invalid => None,
        _ => Some(Qualify::Spend),
    }
}

fn cumulative_discount(
    c: &mut Checker,
    at: &At,
    d: &raw::RawCumulativeDiscount,
) -> Option<CumulativeDiscount> {
    let period = c
        .months(
            at,
            "period_months",
            &d.period_months,
            1,
            12,
            "length of a period in months, 1 = month, 3 = quarter",
        )
        .or(1);
    let qualify = qualify(c, at, &d.qualify);
    let threshold = c.required_number(
        at,
        "threshold",
        &d.threshold,
        Bounds {
            max: 1e9,
            ..Bounds::POSITIVE
        },
        "spend (currency) or purchases needed in a period",
    );
    let rate = c.number(
        at,
        "rate",
        &d.rate,
        Bounds {
            min_open: true,
            ..RATE
        },
        "certificate value as a share of the period's spend",
    );
    let amount = c.number(
        at,
        "amount",
        &d.amount,
        Bounds {
            min_open: true,
            ..MONEY
        },
        "a certificate of a fixed value instead of a rate, in currency",
    );
    // A rate or a fixed amount: one of them, not both.
    rules::note_exclusive(&at.path, &[&["rate"], &["amount"]], true);
    let (rate, amount) = match (rate, amount) {
        (Got::Valid(r), Got::Absent) => (Some(r), Some(None)),
        (Got::Absent, Got::Valid(a)) => (Some(0.0), Some(Some(a))),
        (Got::Valid(_), Got::Valid(_)) => {
            let span = d.amount.as_ref().map(toml::Spanned::span);
            c.problem(
                span,
                at.child("amount"),
                "give either rate (a share of the period's spend) or amount (a fixed certificate), not both".into(),
            );
            (None, None)
        }
        (Got::Absent, Got::Absent) => {
            // Not `missing`: neither field is required on its own (the schema says so).
            c.problem(
                at.span.clone(),
                at.child("rate"),
                "missing; expected a number > 0 and < 1 (certificate value as a share of the period's spend), or amount (a fixed certificate, in currency)".into(),
            );
            (None, None)
        }
        _ => (None, None),
    };
    let validity = c.months(
        at,
        "validity_months",
        &d.validity_months,
        1,
        60,
        "months a certificate can be used",
    );
    let validity = match validity {
        Got::Valid(v) => Some(v),
        Got::Absent => c.missing(
            at,
            "validity_months",
            "a whole number from 1 to 60 (months a certificate can be used)",
        ),
        Got::Invalid => None,
    };
    let breakage = c
        .number(
            at,
            "breakage",
            &d.breakage,
            Bounds {
                max_open: true,
                ..Bounds::SHARE
            },
            "expected share of certificate value never redeemed",
        )
        .optional();
    Some(CumulativeDiscount {
        period_months: period?,
        qualify: qualify?,
        threshold: threshold?,
        rate: rate?,
        amount: amount?,
        validity_months: validity?,
        breakage: breakage?,
    })
}

fn tiers(c: &mut Checker, at: &At, t: &raw::RawTiers) -> Option<Tiers> {
    let qualify = qualify(c, at, &t.qualify);
    let window = c
        .months(
            at,
            "window_months",
            &t.window_months,
            1,
            36,
            "months of the rolling window",
        )
        .or(12);
    let review = c
        .months(
            at,
            "review_every_months",
            &t.review_every_months,
            1,
            12,
            "months between tier reviews",
        )
        .or(3);
    let Some(list) = &t.levels else {
        return c.missing(
            at,
            "levels",
            "[[program.tiers.levels]] tables, each with name and threshold",
        );
    };
    if list.get_ref().is_empty() {
        c.problem(
            Some(list.span()),
            at.child("levels"),
            "give at least one tier level".into(),
        );
        return None;
    }
    let mut levels: Vec<TierLevel> = Vec::new();
    let mut ok = true;
    for (i, l) in list.get_ref().iter().enumerate() {
        let l_at = at.element("levels", i, l);
        let lr = l.get_ref();
        let name = c
            .text(&l_at, "name", &lr.name, "the tier's name")
            .or(format!("tier {}", i + 1));
        let threshold = c.required_number(
            &l_at,
            "threshold",
            &lr.threshold,
            Bounds {
                max: 1e12,
                ..Bounds::POSITIVE
            },
            "rolling spend (currency) or purchases that qualify",
        );
        let discount = c
            .number(
                &l_at,
                "discount",
                &lr.discount,
                RATE,
                "discount on every purchase in this tier",
            )
            .or(0.0);
        let multiplier = c
            .number(
                &l_at,
                "points_multiplier",
                &lr.points_multiplier,
                Bounds {
                    max: 10.0,
                    ..Bounds::POSITIVE
                },
                "multiplier of points earned in this tier",
            )
            .or(1.0);
        match (name, threshold, discount, multiplier) {
            (Some(name), Some(threshold), Some(discount), Some(points_multiplier)) => {
                if levels
                    .last()
                    .is_some_and(|prev| threshold <= prev.threshold)
                {
                    c.problem(l_at.span.clone(), l_at.child("threshold"), format!("tiers must go up in threshold; {threshold} does not follow the tier before it"));
                    ok = false;
                }
                levels.push(TierLevel {
                    name,
                    threshold,
                    discount,
                    points_multiplier,
                });
            }
            _ => ok = false,
        }
    }
    let (qualify, window, review) = (qualify?, window?, review?);
    let insulation = super::validate_reactions::insulation(c, at, &t.insulation)?;
    ok.then_some(Tiers {
        qualify,
        window_months: window,
        review_every_months: review,
        levels,
        insulation,
    })
}

fn exit(c: &mut Checker, at: &At, e: &raw::RawExit, horizon: u64) -> Option<Exit> {
    let month = match c.months(
        at,
        "month",
        &e.month,
        2,
        horizon,
        "first month without the program; the program runs at least month 1",
    ) {
        Got::Valid(m) => Some(m),
        Got::Absent => c.missing(
            at,
            "month",
            "the first month without the program, within the horizon",
        ),
        Got::Invalid => None,
    };
    let grace = c
        .months(
            at,
            "grace_months",
            &e.grace_months,
            0,
            120,
            "months in which outstanding rewards can still be redeemed",
        )
        .or(0);
    let settlement = match c.choice(at, "settlement", &e.settlement, &["honour", "cash"]) {
        Got::Valid(s) if s == "cash" => Some(Settlement::Cash),
        Got::Invalid => None,
        _ => Some(Settlement::Honour),
    };
    let cost = c
        .number(
            at,
            "cost",
            &e.cost,
            MONEY,
            "one-time cost of closing the program, in currency",
        )
        .or(0.0);
    if let (Some(Settlement::Cash), Some(g)) = (settlement, grace)
        && g > 0
        && let Some(leaf) = &e.grace_months
    {
        c.problem(
            Some(leaf.span()),
            at.child("grace_months"),
            "with settlement = \"cash\" everything is paid out in the exit month, so there is nothing left to redeem in grace months; remove grace_months or choose \"honour\"".into(),
        );
        return None;
    }
    Some(Exit {
        month: month?,
        grace_months: grace?,
        settlement: settlement?,
        cost: cost?,
    })
}
