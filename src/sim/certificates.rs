//! A member's certificates (cumulative discount): each worth a whole number of cents, valid
//! from the month after it is issued for a stated number of months.

use super::ledger::{CohortLedger, Fate};

/// One member's outstanding certificates, oldest first. Reused from member to member; the
/// ledger accumulates over every member of a block.
#[derive(Debug, Clone, Default)]
pub struct Certificates {
    /// (last month it can be used, value in cents, month issued), in order of issue.
    held: Vec<(u32, u64, u32)>,
    /// The fate of the certificate value of every member of the block, by issue month.
    pub ledger: CohortLedger,
}

impl Certificates {
    /// Empties the holder for a new member (the ledger is kept).
    pub fn clear(&mut self) {
        self.held.clear();
    }

    /// Issues a certificate of `cents` at the end of `month`, usable in the `validity` months
    /// after it.
    pub fn issue(&mut self, month: u32, validity: u32, cents: u64) {
        if cents > 0 {
            self.held.push((month + validity, cents, month));
        }
    }

    /// Removes the certificates that can no longer be used in `month` and returns their value.
    pub fn expire(&mut self, month: u32) -> u64 {
        if self.held.is_empty() {
            return 0;
        }
        let mut expired = 0;
        let ledger = &mut self.ledger;
        self.held.retain(|&(last, cents, issued)| {
            let keep = last >= month;
            if !keep {
                expired += cents;
                ledger.record(issued, month, Fate::Broken, cents);
            }
            keep
        });
        expired
    }

    /// Removes every certificate in `month` (lapse, close) and returns their value.
    pub fn take_all(&mut self, month: u32) -> u64 {
        self.remove_all(month, Fate::Broken)
    }

    /// Pays out every certificate in cash in `month` (honoured) and returns their value.
    pub fn settle(&mut self, month: u32) -> u64 {
        self.remove_all(month, Fate::Redeemed)
    }

    fn remove_all(&mut self, month: u32, fate: Fate) -> u64 {
        let ledger = &mut self.ledger;
        self.held
            .drain(..)
            .map(|(_, cents, issued)| {
                ledger.record(issued, month, fate, cents);
                cents
            })
            .sum()
    }

    /// Value held, in cents.
    pub fn outstanding(&self) -> u64 {
        self.held.iter().map(|&(_, c, _)| c).sum()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Uses certificates oldest first in `month`: `redeem(cents)` says whether a certificate of
    /// that value is used now. Returns the value used.
    pub fn redeem_with(&mut self, month: u32, mut redeem: impl FnMut(u64) -> bool) -> u64 {
        let mut used = 0;
        let ledger = &mut self.ledger;
        self.held.retain(|&(_, cents, issued)| {
            let use_it = redeem(cents);
            if use_it {
                used += cents;
                ledger.record(issued, month, Fate::Redeemed, cents);
            }
            !use_it
        });
        used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_usable_for_its_validity_then_expires() {
        let mut c = Certificates::default();
        c.issue(3, 2, 500); // usable in months 4 and 5
        assert_eq!(c.expire(4), 0);
        assert_eq!(c.expire(5), 0);
        assert_eq!(c.outstanding(), 500);
        assert_eq!(c.expire(6), 500);
        assert!(c.is_empty());
    }

    #[test]
    fn redemption_goes_oldest_first_and_can_skip() {
        let mut c = Certificates::default();
        c.issue(1, 6, 100);
        c.issue(2, 6, 200);
        c.issue(3, 6, 300);
        let mut calls = Vec::new();
        let used = c.redeem_with(4, |cents| {
            calls.push(cents);
            cents != 200
        });
        assert_eq!(calls, [100, 200, 300]);
        assert_eq!(used, 400);
        assert_eq!(c.outstanding(), 200);
        assert_eq!(c.take_all(5), 200);
        c.issue(5, 1, 0); // a certificate worth nothing is not issued
        assert!(c.is_empty());
    }
}
