//! Points by the month they were issued (their cohort): how many were issued, and in which
//! month each was redeemed or broken (expired, forfeited). Events after the horizon (the
//! run-off) share one last column, so a cohort's row tells its whole fate. The IFRS 15
//! contract liability by cohort and the points liability on the outstanding points' own fate
//! are computed from it ([`crate::metrics::liability`]).

/// What became of a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Spent on a reward, or paid out in cash when the program ended: honoured.
    Redeemed,
    /// Expired or forfeited: never honoured.
    Broken,
}

/// Points of cohorts 1..=horizon: issued, and redeemed or broken by month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CohortLedger {
    horizon: usize,
    /// `issued[c]`: points issued in month c + 1.
    issued: Vec<u64>,
    /// `redeemed[c × (horizon + 1) + e]`: of cohort c + 1, redeemed in month e + 1 (e <
    /// horizon) or after the horizon (e = horizon).
    redeemed: Vec<u64>,
    /// Likewise for points broken.
    broken: Vec<u64>,
    /// Set when a count would have exceeded 2⁶⁴ − 1 (the count then stays at the maximum).
    pub overflow: bool,
}

impl CohortLedger {
    /// An empty ledger for a horizon of `horizon` months.
    pub fn new(horizon: usize) -> Self {
        let cells = horizon * (horizon + 1);
        CohortLedger {
            horizon,
            issued: vec![0; horizon],
            redeemed: vec![0; cells],
            broken: vec![0; cells],
            overflow: false,
        }
    }

    /// Months of the horizon.
    pub fn horizon(&self) -> usize {
        self.horizon
    }

    fn bump(overflow: &mut bool, cell: &mut u64, points: u64) {
        match cell.checked_add(points) {
            Some(v) => *cell = v,
            None => {
                *cell = u64::MAX;
                *overflow = true;
            }
        }
    }

    /// Records `points` issued in `month` (1-based); months after the horizon are not kept.
    pub fn issue(&mut self, month: u32, points: u64) {
        if let Some(cell) = (month as usize)
            .checked_sub(1)
            .and_then(|c| self.issued.get_mut(c))
        {
            Self::bump(&mut self.overflow, cell, points);
        }
    }

    /// Records `points` of cohort `cohort` (their issue month) meeting `fate` in `month`;
    /// cohorts after the horizon are not kept.
    pub fn record(&mut self, cohort: u32, month: u32, fate: Fate, points: u64) {
        let h = self.horizon;
        let Some(c) = (cohort as usize).checked_sub(1).filter(|&c| c < h) else {
            return;
        };
        let e = (month as usize).saturating_sub(1).min(h);
        let cells = match fate {
            Fate::Redeemed => &mut self.redeemed,
            Fate::Broken => &mut self.broken,
        };
        // c < h and e ≤ h: the index is below h × (h + 1), the vectors' length.
        Self::bump(&mut self.overflow, &mut cells[c * (h + 1) + e], points);
    }

    /// Adds `other` (same horizon) cell by cell.
    pub fn add(&mut self, other: &CohortLedger) {
        if self.horizon != other.horizon {
            // A ledger made for no horizon (`Default`) adds nothing, or takes the other's shape.
            if other.redeemed.is_empty() {
                return;
            }
            if self.redeemed.is_empty() {
                *self = CohortLedger::new(other.horizon);
            } else {
                self.overflow = true;
                return;
            }
        }
        let mut overflow = self.overflow || other.overflow;
        for (mine, theirs) in [
            (&mut self.issued, &other.issued),
            (&mut self.redeemed, &other.redeemed),
            (&mut self.broken, &other.broken),
        ] {
            for (m, t) in mine.iter_mut().zip(theirs) {
                Self::bump(&mut overflow, m, *t);
            }
        }
        self.overflow = overflow;
    }

    /// Points issued in month `cohort` (1-based).
    pub fn issued(&self, cohort: usize) -> u64 {
        cohort
            .checked_sub(1)
            .and_then(|c| self.issued.get(c))
            .copied()
            .unwrap_or(0)
    }

    /// Points of cohort `cohort` meeting `fate` in month `month` (1-based; `horizon + 1` and
    /// later: after the horizon).
    pub fn in_month(&self, cohort: usize, month: usize, fate: Fate) -> u64 {
        let h = self.horizon;
        let (Some(c), Some(e)) = (cohort.checked_sub(1), month.checked_sub(1)) else {
            return 0;
        };
        if c >= h {
            return 0;
        }
        let cells = match fate {
            Fate::Redeemed => &self.redeemed,
            Fate::Broken => &self.broken,
        };
        cells[c * (h + 1) + e.min(h)]
    }

    /// Points of cohort `cohort` ever redeemed: in the horizon and after it.
    pub fn ever_redeemed(&self, cohort: usize) -> u64 {
        (cohort..=self.horizon + 1)
            .map(|e| self.in_month(cohort, e, Fate::Redeemed))
            .fold(0u64, u64::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_add_up_by_cohort_and_month() {
        let mut l = CohortLedger::new(3);
        l.issue(1, 100);
        l.issue(4, 7); // after the horizon: not kept
        l.record(1, 2, Fate::Redeemed, 30);
        l.record(1, 3, Fate::Broken, 10);
        l.record(1, 9, Fate::Redeemed, 50); // run-off
        l.record(5, 9, Fate::Redeemed, 50); // a run-off cohort: not kept
        assert_eq!(l.issued(1), 100);
        assert_eq!(l.issued(4), 0);
        assert_eq!(l.in_month(1, 2, Fate::Redeemed), 30);
        assert_eq!(l.in_month(1, 4, Fate::Redeemed), 50);
        assert_eq!(l.ever_redeemed(1), 80);
        let mut sum = CohortLedger::default();
        sum.add(&l);
        sum.add(&l);
        assert_eq!(sum.ever_redeemed(1), 160);
        assert_eq!(sum.in_month(1, 3, Fate::Broken), 20);
        assert!(!sum.overflow);
        l.issue(1, u64::MAX);
        assert!(l.overflow);
    }
}
