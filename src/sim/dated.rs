//! A member's month with the dated offers that apply to it (see [`crate::model::dated`]).

use rand::RngExt;

use super::rng::SimRng;
use crate::model::dated::When;
use crate::model::dist::binomial_inverse;
use crate::model::program::Program;
use crate::model::targeting::Targeting;

/// The design `segment` of a member of (type, RFM group, tier) `who` for a month in calendar
/// month `calendar`, with the dated offers that cover them and apply this month folded in
/// (see [`Targeting::dated_month`]); `None` when none applies. A member born in calendar month
/// `birthday` buys `purchases` times; each offer on a share of purchases draws how many of
/// them it applies to from one program-stream uniform, in the offers' order.
pub(crate) fn month_program(
    targeting: &Targeting,
    segment: &Program,
    (ty, group, tier): (usize, usize, Option<usize>),
    calendar: u32,
    birthday: u32,
    purchases: u32,
    own: &mut SimRng,
) -> Option<Program> {
    targeting.dated_month(segment, ty, group, tier, |when| {
        let drawn = match when {
            When::ShareOfPurchases(s) => binomial_inverse(own.random::<f64>(), purchases, *s),
            _ => 0,
        };
        when.share_this_month(calendar, birthday, purchases, drawn)
    })
}
