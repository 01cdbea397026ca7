//! A member's points: the balance and the exact first-in-first-out lots of points by the
//! month they were earned, so that expiry, spending and forfeits take the oldest points first
//! and every point's fate is written to its cohort in the block's [`CohortLedger`].

use std::collections::VecDeque;

use super::ledger::{CohortLedger, Fate};
use crate::model::program::Expiry;

/// One member's points. Reused from customer to customer to avoid allocation; the ledger
/// accumulates over every member of a block.
#[derive(Debug, Clone)]
pub struct Wallet {
    balance: u64,
    /// (month earned, points left of it), oldest first; the points sum to `balance`.
    lots: VecDeque<(u32, u64)>,
    /// Month of the last purchase (0 = enrolment at launch), for inactivity expiry.
    last_purchase: u32,
    expiry: Expiry,
    /// The fate of the points of every member of the block, by cohort.
    pub ledger: CohortLedger,
}

impl Wallet {
    /// An empty wallet for `expiry`.
    pub fn new(expiry: Expiry) -> Self {
        Wallet {
            balance: 0,
            lots: VecDeque::new(),
            last_purchase: 0,
            expiry,
            ledger: CohortLedger::default(),
        }
    }

    /// Empties the wallet for a new member (the ledger is kept).
    pub fn reset(&mut self) {
        self.balance = 0;
        self.lots.clear();
        self.last_purchase = 0;
    }

    /// Points held.
    pub fn balance(&self) -> u64 {
        self.balance
    }

    /// Takes `points` (≤ balance) oldest first, recording their `fate` in `month`.
    fn take(&mut self, month: u32, points: u64, fate: Fate) {
        debug_assert!(points <= self.balance);
        self.balance -= points;
        let mut left = points;
        while left > 0 {
            let Some(front) = self.lots.front_mut() else {
                break;
            };
            let n = left.min(front.1);
            self.ledger.record(front.0, month, fate, n);
            front.1 -= n;
            left -= n;
            if front.1 == 0 {
                self.lots.pop_front();
            }
        }
    }

    /// Expires what is due at the start of `month` (1-based) and returns how many points.
    pub fn expire(&mut self, month: u32) -> u64 {
        match self.expiry {
            Expiry::Never => 0,
            Expiry::Fixed { months } => {
                // Points earned in month m live through month m + L − 1; lots are oldest
                // first, so most months the first lot says nothing is due.
                if self
                    .lots
                    .front()
                    .is_none_or(|&(earned, _)| earned + months > month)
                {
                    return 0;
                }
                let due: u64 = self
                    .lots
                    .iter()
                    .take_while(|(earned, _)| earned + months <= month)
                    .map(|&(_, n)| n)
                    .sum();
                self.take(month, due, Fate::Broken);
                due
            }
            Expiry::Inactivity { months } => {
                if month - self.last_purchase > months {
                    self.forfeit(month)
                } else {
                    0
                }
            }
        }
    }

    /// Records a purchase month (for inactivity) and credits `points` earned in `month`.
    /// Returns false, crediting nothing, if the balance would exceed 2⁶⁴ − 1.
    #[must_use]
    pub fn earn(&mut self, month: u32, points: u64) -> bool {
        self.last_purchase = month;
        let Some(balance) = self.balance.checked_add(points) else {
            return false;
        };
        self.balance = balance;
        if points > 0 {
            // (What is issued is in the month totals; the runner copies it to the ledger.)
            match self.lots.back_mut() {
                // A lot holds part of the balance, so it cannot overflow when the balance did not.
                Some(last) if last.0 == month => last.1 += points,
                _ => self.lots.push_back((month, points)),
            }
        }
        true
    }

    /// Spends `points` (≤ balance) oldest first, in `month`.
    pub fn spend(&mut self, month: u32, points: u64) {
        self.take(month, points, Fate::Redeemed);
    }

    /// Removes every point in `month` (a member who lapses forfeits them; expiry at the close
    /// of a program) and returns how many.
    pub fn forfeit(&mut self, month: u32) -> u64 {
        let all = self.balance;
        self.take(month, all, Fate::Broken);
        all
    }

    /// Pays out every point in cash in `month` (honoured, like a redemption) and returns how
    /// many.
    pub fn settle(&mut self, month: u32) -> u64 {
        let all = self.balance;
        self.take(month, all, Fate::Redeemed);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_life_expires_each_month_s_points_at_month_s_plus_life() {
        let mut w = Wallet::new(Expiry::Fixed { months: 3 });
        assert!(w.earn(1, 10));
        assert!(w.earn(2, 20));
        assert_eq!(w.expire(3), 0);
        assert!(w.earn(3, 30));
        assert_eq!(w.expire(4), 10); // month-1 points live through month 3
        assert_eq!(w.expire(5), 20);
        assert_eq!(w.balance(), 30);
    }

    #[test]
    fn spending_takes_the_oldest_points_first() {
        let mut w = Wallet::new(Expiry::Fixed { months: 3 });
        assert!(w.earn(1, 10));
        assert!(w.earn(2, 20));
        assert!(w.earn(3, 30));
        w.spend(3, 25); // all of month 1, 15 of month 2
        assert_eq!(w.balance(), 35);
        assert_eq!(w.expire(4), 0);
        assert_eq!(w.expire(5), 5);
        assert_eq!(w.expire(6), 30);
        assert_eq!(w.balance(), 0);
    }

    #[test]
    fn inactivity_wipes_the_balance_after_the_stated_months_without_purchase() {
        let mut w = Wallet::new(Expiry::Inactivity { months: 2 });
        assert!(w.earn(1, 10));
        assert_eq!(w.expire(2), 0);
        assert_eq!(w.expire(3), 0); // only month 2 has passed without a purchase
        assert_eq!(w.expire(4), 10); // months 2 and 3 passed without a purchase
        assert!(w.earn(4, 5));
        assert_eq!(w.expire(6), 0);
        assert_eq!(w.forfeit(7), 5);
    }

    #[test]
    fn an_overflowing_credit_is_refused() {
        let mut w = Wallet::new(Expiry::Fixed { months: 2 });
        assert!(w.earn(1, u64::MAX - 1));
        assert!(!w.earn(1, 2));
        assert_eq!(w.balance(), u64::MAX - 1);
    }

    #[test]
    fn every_point_s_fate_is_written_to_its_cohort() {
        let mut w = Wallet::new(Expiry::Fixed { months: 3 });
        w.ledger = CohortLedger::new(4);
        assert!(w.earn(1, 10));
        assert!(w.earn(2, 20));
        w.spend(2, 15); // all 10 of month 1, 5 of month 2
        assert_eq!(w.expire(5), 15); // the rest of month 2 expires at the start of month 5
        assert!(w.earn(4, 8));
        assert_eq!(w.settle(9), 8); // paid out after the horizon
        let l = &w.ledger;
        assert_eq!(l.in_month(1, 2, Fate::Redeemed), 10);
        assert_eq!(l.in_month(2, 2, Fate::Redeemed), 5);
        assert_eq!(l.in_month(2, 5, Fate::Broken), 15);
        assert_eq!(l.ever_redeemed(4), 8);
    }

    #[test]
    fn never_keeps_points_until_spent_or_forfeited() {
        let mut w = Wallet::new(Expiry::Never);
        assert!(w.earn(1, 7));
        assert_eq!(w.expire(100), 0);
        w.spend(100, 4);
        assert_eq!(w.forfeit(100), 3);
    }
}
