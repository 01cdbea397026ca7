//! Prize entries bought with points (see [`crate::model::prizes::PrizeEntries`]): a running
//! member's month at the draw, before the month's earning and redemption.

use rand::RngExt;

use super::member::MemberState;
use super::rng::SimRng;
use super::totals::{MonthTotals, add};
use crate::model::prizes::PrizeEntries;

/// A member holding at least the entry's price and less than the first reward's (`first_goal`)
/// buys one entry with the entry's monthly chance (or, unstated, their type's
/// `redemption_per_month`): one program-stream uniform when the balance is in that window, and
/// one more for the draw when they buy. The points spent are redeemed (burnt); a win costs
/// `prize_cost` and is a reward for the member's interest, like the entry itself.
#[allow(clippy::too_many_arguments)]
pub(crate) fn month(
    entries: &PrizeEntries,
    prize_cost: f64,
    first_goal: u64,
    redemption_per_month: f64,
    month_no: u32,
    state: &mut MemberState,
    own: &mut SimRng,
    totals: &mut MonthTotals,
    overflow: &mut bool,
) {
    let balance = state.wallet.balance();
    if balance < entries.points || balance >= first_goal {
        return;
    }
    let chance = entries.chance_per_month.unwrap_or(redemption_per_month);
    if own.random::<f64>() >= chance {
        return;
    }
    state.wallet.spend(month_no, entries.points);
    add(&mut totals.points_redeemed, entries.points, overflow);
    totals.prize_entries += 1;
    state.last_reward = month_no;
    if own.random::<f64>() < entries.chance_per_entry {
        totals.prizes_won += 1;
        totals.prize_cost += prize_cost;
    }
}
