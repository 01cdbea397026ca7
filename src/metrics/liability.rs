//! What the program owes: the points liability for management, and the IFRS 15 / ASC 606
//! contract liability for the accounts.
//!
//! Management view: outstanding points × cost of a point × (1 − expected breakage).
//!
//! IFRS 15 view (IFRS 15 B39–B43, Illustrative Example 52): points are a material right and a
//! separate performance obligation. Part of each sale's price is allocated to the points by
//! relative stand-alone selling price (the points' SSP being their value to the customer
//! times the share expected to be redeemed) and deferred as a contract liability; it is
//! recognised as revenue as points are redeemed, in proportion to the total redemptions
//! expected, with changes of that expectation caught up cumulatively.

/// Breakage of `issued` points of which `ever_redeemed` are redeemed in the end (during the
/// horizon or in the run-off after it): the share never redeemed. No points issued, no
/// breakage.
pub fn breakage_estimate(issued: u128, ever_redeemed: u128) -> f64 {
    if issued == 0 {
        return 0.0;
    }
    1.0 - ever_redeemed.min(issued) as f64 / issued as f64
}

/// Management liability: `outstanding` points × `point_cost` × (1 − `breakage`).
pub fn points_liability(outstanding: u64, point_cost: f64, breakage: f64) -> f64 {
    outstanding as f64 * point_cost * (1.0 - breakage)
}

/// The IFRS 15 contract liability of a points program, kept cumulatively.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ContractLiability {
    /// Transaction price allocated to points so far.
    deferred: f64,
    /// Of it, recognised as revenue so far.
    recognised: f64,
}

impl ContractLiability {
    /// Allocates `sales` between goods and points whose stand-alone selling price is
    /// `points_ssp`; defers the points' part and returns it.
    pub fn defer(&mut self, sales: f64, points_ssp: f64) -> f64 {
        let total_ssp = sales + points_ssp;
        let to_points = if total_ssp > 0.0 {
            sales * points_ssp / total_ssp
        } else {
            0.0
        };
        self.deferred += to_points;
        to_points
    }

    /// Defers `amount` received for points as a whole (a partner's payment for the points it
    /// gives its customers).
    pub fn add_deferred(&mut self, amount: f64) {
        self.deferred += amount;
    }

    /// Brings recognised revenue to `redeemed_to_date / expected_total_redemptions` of
    /// everything deferred (all of it when no redemption is expected any more) and returns
    /// the revenue recognised by this step (negative if expectations rose).
    pub fn recognise(&mut self, redeemed_to_date: f64, expected_total_redemptions: f64) -> f64 {
        let share = if expected_total_redemptions > 0.0 {
            (redeemed_to_date / expected_total_redemptions).min(1.0)
        } else {
            1.0
        };
        let target = self.deferred * share;
        let revenue = target - self.recognised;
        self.recognised = target;
        revenue
    }

    /// The contract liability: deferred and not yet recognised.
    pub fn balance(&self) -> f64 {
        self.deferred - self.recognised
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ifrs15_illustrative_example_52() {
        // IFRS 15 IE267–IE270: sales of 100,000 earn 10,000 points; each point's stand-alone
        // selling price is 0.95 (a 1-unit discount, 95% expected to be redeemed).
        let mut liability = ContractLiability::default();
        let to_points = liability.defer(100_000.0, 10_000.0 * 0.95);
        assert_eq!(to_points.round(), 8_676.0);
        assert_eq!((100_000.0 - to_points).round(), 91_324.0);

        // Year 1: 4,500 points redeemed of 9,500 expected.
        let year1 = liability.recognise(4_500.0, 9_500.0);
        assert_eq!(year1.round(), 4_110.0);
        assert_eq!(liability.balance().round(), 4_566.0);

        // Year 2: 8,500 redeemed in total; 9,700 now expected.
        let year2 = liability.recognise(8_500.0, 9_700.0);
        assert_eq!(year2.round(), 3_493.0);
        assert_eq!(liability.balance().round(), 1_073.0);
    }

    #[test]
    fn nothing_left_to_redeem_recognises_everything() {
        let mut l = ContractLiability::default();
        l.defer(1_000.0, 100.0);
        l.recognise(0.0, 0.0);
        assert_eq!(l.balance(), 0.0);
    }

    #[test]
    fn breakage_and_management_liability_by_hand() {
        // 1,000 points issued, 600 redeemed in the end: 40% broke.
        assert!((breakage_estimate(1_000, 600) - 0.4).abs() < 1e-15);
        assert_eq!(breakage_estimate(0, 0), 0.0);
        // 5,000 points at 0.02 with 40% breakage: 5,000 × 0.02 × 0.6 = 60.
        assert!((points_liability(5_000, 0.02, 0.4) - 60.0).abs() < 1e-9);
    }
}
