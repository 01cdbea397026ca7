//! Dated offers (issue: birthday, holidays, happy hour): an offer of `[[program.offers]]` that
//! applies only on some of a member's purchases — in their birthday month, in stated calendar
//! months, or on a stated share of their purchases (happy hour).
//!
//! **Calendar.** The scenario's `simulation.launch_month` is the calendar month of the first
//! simulated month (1 = January, the default); month `m` of the horizon is calendar month
//! `(launch_month − 1 + m − 1) mod 12 + 1`.
//!
//! **When it applies, and what it costs.** In a month the offer applies to a share `f` of the
//! member's spend: 1 in their birthday month or a stated month and 0 otherwise; for a share of
//! purchases `s`, the share of the month's purchases drawn to fall in it (binomial over the
//! purchases, one program-stream uniform), so `f = k/n`. The offer is folded into the month's
//! design like an undated offer, scaled by `f`: `bonus_points × basket_share × f` more points
//! per unit spent and `discount × basket_share × f` more off the basket. Its cost is thus booked
//! only in the months and on the purchases it applies to.
//!
//! **What it is worth to a member.** Its average: the undated offer's value scaled by the share
//! of the member's spend it applies to over a year ([`When::average_share`]): 1/12 for a
//! birthday, the months named / 12, `s` for a share of purchases. The member's worth is a
//! monthly share of their spend, the measure every component's value is given in and the
//! response curves read; a once-a-year offer counted at its full value every month would
//! overstate it twelvefold, and its value only in the birthday month would make the member's
//! response jump once a year, which the model's steady monthly effects do not describe (the
//! pull of purchases into the offer's month is not modelled). The average also keeps what a
//! member values and what the program pays equal in expectation, as for an undated offer.

use serde::Serialize;

/// Months in a year.
pub const MONTHS_IN_YEAR: u32 = 12;

/// When a dated offer applies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum When {
    /// In each member's birthday month (drawn once per member, uniformly over the year).
    Birthday,
    /// In the calendar months marked (January first).
    Months([bool; 12]),
    /// On this share of a member's purchases (happy hour).
    ShareOfPurchases(f64),
}

impl When {
    /// Share of a member's spend over a year the offer applies to, on average.
    pub fn average_share(&self) -> f64 {
        match self {
            When::Birthday => 1.0 / f64::from(MONTHS_IN_YEAR),
            When::Months(m) => m.iter().filter(|&&on| on).count() as f64 / 12.0,
            When::ShareOfPurchases(s) => *s,
        }
    }

    /// Share of this month's spend the offer applies to, for a member born in calendar month
    /// `birthday` (1–12) buying `purchases` times in calendar month `calendar` (1–12), of which
    /// `drawn` fell in a share of purchases (see [`crate::model::dist::binomial_inverse`]).
    pub fn share_this_month(
        &self,
        calendar: u32,
        birthday: u32,
        purchases: u32,
        drawn: u32,
    ) -> f64 {
        if purchases == 0 {
            return 0.0;
        }
        match self {
            When::Birthday => f64::from(u8::from(calendar == birthday)),
            When::Months(m) => {
                let i = calendar.saturating_sub(1) as usize;
                f64::from(u8::from(m.get(i).copied().unwrap_or(false)))
            }
            When::ShareOfPurchases(_) => f64::from(drawn.min(purchases)) / f64::from(purchases),
        }
    }
}

/// The calendar month (1–12) of month `month` (1-based) of a horizon launched in calendar
/// month `launch_month` (1–12).
pub fn calendar_month(launch_month: u32, month: u32) -> u32 {
    (launch_month.saturating_sub(1) + month.saturating_sub(1)) % MONTHS_IN_YEAR + 1
}

/// A birthday month (1–12) from a uniform `u` in [0, 1): each month equally likely.
pub fn birthday_month(u: f64) -> u32 {
    ((u * f64::from(MONTHS_IN_YEAR)) as u32).min(MONTHS_IN_YEAR - 1) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_wraps_from_the_launch_month() {
        // Launched in March: month 1 is March, 10 is December, 11 January, 36 February.
        assert_eq!(calendar_month(3, 1), 3);
        assert_eq!(calendar_month(3, 10), 12);
        assert_eq!(calendar_month(3, 11), 1);
        assert_eq!(calendar_month(3, 36), 2);
        // The default launch in January: month m is (m − 1) mod 12 + 1.
        assert_eq!(calendar_month(1, 13), 1);
        assert_eq!(calendar_month(1, 24), 12);
    }

    #[test]
    fn birthdays_split_the_unit_interval_in_twelve() {
        assert_eq!(birthday_month(0.0), 1);
        assert_eq!(birthday_month(1.0 / 12.0 - 1e-12), 1);
        assert_eq!(birthday_month(1.0 / 12.0 + 1e-12), 2);
        assert_eq!(birthday_month(0.5 + 1e-12), 7);
        assert_eq!(birthday_month(1.0 - 1e-16), 12);
    }

    #[test]
    fn an_offer_is_worth_its_share_of_the_year() {
        assert!((When::Birthday.average_share() - 1.0 / 12.0).abs() < 1e-15);
        let mut m = [false; 12];
        m[10] = true;
        m[11] = true;
        assert!((When::Months(m).average_share() - 2.0 / 12.0).abs() < 1e-15);
        assert_eq!(When::ShareOfPurchases(0.15).average_share(), 0.15);
        // It applies in November and December only, and in the birthday month only.
        assert_eq!(When::Months(m).share_this_month(11, 0, 2, 0), 1.0);
        assert_eq!(When::Months(m).share_this_month(10, 0, 2, 0), 0.0);
        assert_eq!(When::Birthday.share_this_month(4, 4, 1, 0), 1.0);
        assert_eq!(When::Birthday.share_this_month(5, 4, 1, 0), 0.0);
        assert_eq!(When::Birthday.share_this_month(4, 4, 0, 0), 0.0);
        assert_eq!(
            When::ShareOfPurchases(0.15).share_this_month(1, 0, 4, 1),
            0.25
        );
    }
}
