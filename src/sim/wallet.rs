//! A member's points: the balance and, under fixed-life expiry, the exact first-in-first-out
//! buckets of points by the month they were earned.

use crate::model::program::Expiry;

/// One member's points. Reused from customer to customer to avoid allocation.
#[derive(Debug, Clone)]
pub struct Wallet {
    balance: u64,
    /// Under fixed life L: points earned in month m sit in `buckets[m % L]` until they are
    /// spent or expire at the start of month m + L. Empty for the other policies.
    buckets: Vec<u64>,
    /// Month of the last purchase (0 = enrolment at launch), for inactivity expiry.
    last_purchase: u32,
    expiry: Expiry,
}

impl Wallet {
    /// An empty wallet for `expiry`.
    pub fn new(expiry: Expiry) -> Self {
        let buckets = match expiry {
            Expiry::Fixed { months } => vec![0; months as usize],
            Expiry::Never | Expiry::Inactivity { .. } => Vec::new(),
        };
        Wallet {
            balance: 0,
            buckets,
            last_purchase: 0,
            expiry,
        }
    }

    /// Empties the wallet for a new member.
    pub fn reset(&mut self) {
        self.balance = 0;
        self.buckets.iter_mut().for_each(|b| *b = 0);
        self.last_purchase = 0;
    }

    /// Points held.
    pub fn balance(&self) -> u64 {
        self.balance
    }

    /// Expires what is due at the start of `month` (1-based) and returns how many points.
    pub fn expire(&mut self, month: u32) -> u64 {
        let expired = match self.expiry {
            Expiry::Never => 0,
            Expiry::Fixed { months } => {
                // Points earned in month − L live in this slot; month ≥ 1 and L ≥ 1 (validated),
                // and `buckets` has L entries (`new`; the expiry never changes), so slot < L.
                let slot = (month % months) as usize;
                std::mem::take(&mut self.buckets[slot])
            }
            Expiry::Inactivity { months } => {
                if month - self.last_purchase > months {
                    self.buckets.iter_mut().for_each(|b| *b = 0);
                    std::mem::take(&mut self.balance)
                } else {
                    0
                }
            }
        };
        if matches!(self.expiry, Expiry::Fixed { .. }) {
            self.balance -= expired;
        }
        expired
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
        if let Expiry::Fixed { months } = self.expiry {
            // A bucket holds part of the balance, so it cannot overflow when the balance did not.
            // `buckets` has L ≥ 1 entries (see `expire`), so the slot is in range.
            self.buckets[(month % months) as usize] += points;
        }
        true
    }

    /// Spends `points` (≤ balance) oldest first, in `month`.
    pub fn spend(&mut self, month: u32, points: u64) {
        debug_assert!(points <= self.balance);
        self.balance -= points;
        if let Expiry::Fixed { months } = self.expiry {
            let mut left = points;
            // Oldest live month is month − L + 1, whose slot is (month + 1) % L.
            for age in 0..months {
                if left == 0 {
                    break;
                }
                // < L = buckets.len() (see `expire`).
                let slot = ((month + 1 + age) % months) as usize;
                let take = left.min(self.buckets[slot]);
                self.buckets[slot] -= take;
                left -= take;
            }
        }
    }

    /// Removes every point (a member who lapses forfeits them) and returns how many.
    pub fn forfeit(&mut self) -> u64 {
        self.buckets.iter_mut().for_each(|b| *b = 0);
        std::mem::take(&mut self.balance)
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
        assert_eq!(w.forfeit(), 5);
    }

    #[test]
    fn an_overflowing_credit_is_refused() {
        let mut w = Wallet::new(Expiry::Fixed { months: 2 });
        assert!(w.earn(1, u64::MAX - 1));
        assert!(!w.earn(1, 2));
        assert_eq!(w.balance(), u64::MAX - 1);
    }

    #[test]
    fn never_keeps_points_until_spent_or_forfeited() {
        let mut w = Wallet::new(Expiry::Never);
        assert!(w.earn(1, 7));
        assert_eq!(w.expire(100), 0);
        w.spend(100, 4);
        assert_eq!(w.forfeit(), 3);
    }
}
