//! What the program owes: the points liability for management, and the IFRS 15 / ASC 606
//! contract liability for the accounts, both by cohort (the points issued in a month).
//!
//! Management view: the points of each cohort still expected to be redeemed × the cost of a
//! redeemed point — the fate of *these* points, not the breakage of all points issued.
//! Certificates are kept the same way, by value in cents (a "point" worth 0.01).
//!
//! IFRS 15 view (IFRS 15 B39–B43, Illustrative Example 52): points are a material right and a
//! separate performance obligation. Each month's member sales are split between goods and the
//! points they earned by relative stand-alone selling price (the points' SSP being their value
//! to the customer times the share of the cohort expected to be redeemed at the time of sale);
//! the points' part (and what partners pay for their points) is deferred as a contract
//! liability of the cohort, and recognised as revenue in proportion to the cohort's
//! redemptions to date over its total expected redemptions. That expectation is re-estimated
//! at every month end and its change caught up cumulatively (IE52: 9,500 then 9,700).
//!
//! The estimate of a cohort's total redemptions at a month end is, with a breakage stated by
//! the scenario, the points issued × (1 − the breakage in force that month), but never more
//! than what has been redeemed plus what is still held; with a simulated breakage, the
//! cohort's own simulated ultimate redemptions (over the horizon and the run-off after it):
//! the model's expectation, known from the start, so it needs no revision.

use crate::sim::ledger::{CohortLedger, Fate};

/// Breakage of `issued` points of which `ever_redeemed` are redeemed in the end (during the
/// horizon or in the run-off after it): the share never redeemed. No points issued, no
/// breakage.
pub fn breakage_estimate(issued: u128, ever_redeemed: u128) -> f64 {
    if issued == 0 {
        return 0.0;
    }
    1.0 - ever_redeemed.min(issued) as f64 / issued as f64
}

/// What a month's sales give a cohort of points.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CohortSales {
    /// What members paid for the purchases that earned the cohort's points.
    pub member_paid: f64,
    /// Points earned on those purchases.
    pub purchase_points: u64,
    /// Stand-alone selling price of a point if redeemed (its value to the customer).
    pub point_value: f64,
    /// What partners paid for the points they gave (deferred whole).
    pub partner_payment: f64,
}

/// One month of the points' accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PointsMonth {
    /// Transaction price allocated to the points issued this month.
    pub deferred: f64,
    /// Revenue recognised this month for points redeemed: each at its cohort's deferred
    /// revenue per point issued.
    pub recognised_on_redemption: f64,
    /// Revenue recognised this month for expected breakage, in proportion to redemptions,
    /// with the cumulative catch-up of revised estimates (negative when expected redemptions
    /// rose).
    pub recognised_on_breakage: f64,
    /// Contract liability at the month end.
    pub contract_liability: f64,
    /// Points held at the month end that are expected to be redeemed.
    pub points_expected_to_redeem: f64,
}

/// The IFRS 15 contract liability and the points expected to be redeemed, month by month, by
/// cohort. `sales[t]` are month t + 1's; `stated_breakage[t]`, if given, is the breakage of
/// points issued in force at the end of month t + 1 (else each cohort's simulated fate, from
/// `ledger`, is its estimate). The slices have one entry per month of the ledger's horizon.
pub fn points_accounts(
    ledger: &CohortLedger,
    sales: &[CohortSales],
    stated_breakage: Option<&[f64]>,
) -> Vec<PointsMonth> {
    let h = ledger.horizon().min(sales.len());
    let issued: Vec<f64> = (1..=h).map(|c| ledger.issued(c) as f64).collect();
    let ultimate: Vec<f64> = (1..=h).map(|c| ledger.ever_redeemed(c) as f64).collect();
    let breakage_at = |t: usize| stated_breakage.and_then(|b| b.get(t - 1).copied());
    // The cohort's consideration, allocated at the time of sale with the estimate then.
    let deferred: Vec<f64> = (1..=h)
        .map(|c| {
            let s = &sales[c - 1];
            let share = match breakage_at(c) {
                Some(b) => 1.0 - b,
                None if issued[c - 1] > 0.0 => ultimate[c - 1] / issued[c - 1],
                None => 0.0,
            };
            let ssp = s.purchase_points as f64 * s.point_value * share;
            let total = s.member_paid + ssp;
            let to_points = if total > 0.0 {
                s.member_paid * ssp / total
            } else {
                0.0
            };
            to_points + s.partner_payment
        })
        .collect();
    let (mut redeemed, mut broken) = (vec![0.0; h], vec![0.0; h]);
    let (mut recognised, mut on_redemption) = (vec![0.0; h], vec![0.0; h]);
    let mut out = Vec::with_capacity(h);
    for t in 1..=h {
        let mut month = PointsMonth {
            deferred: deferred[t - 1],
            ..PointsMonth::default()
        };
        let mut liability = 0.0;
        for c in 1..=t {
            let i = c - 1;
            redeemed[i] += ledger.in_month(c, t, Fate::Redeemed) as f64;
            broken[i] += ledger.in_month(c, t, Fate::Broken) as f64;
            let held = (issued[i] - redeemed[i] - broken[i]).max(0.0);
            let expected_total = match breakage_at(t) {
                Some(b) => redeemed[i] + held.min((issued[i] * (1.0 - b) - redeemed[i]).max(0.0)),
                None => ultimate[i],
            };
            let share = if expected_total > 0.0 {
                (redeemed[i] / expected_total).min(1.0)
            } else {
                1.0
            };
            let now = deferred[i] * share;
            let now_on_redemption = if issued[i] > 0.0 {
                deferred[i] * redeemed[i] / issued[i]
            } else {
                0.0
            };
            month.recognised_on_redemption += now_on_redemption - on_redemption[i];
            month.recognised_on_breakage +=
                (now - recognised[i]) - (now_on_redemption - on_redemption[i]);
            recognised[i] = now;
            on_redemption[i] = now_on_redemption;
            liability += deferred[i] - now;
            month.points_expected_to_redeem += (expected_total - redeemed[i]).max(0.0);
        }
        month.contract_liability = liability;
        out.push(month);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IE52 as one cohort in a ledger: 10,000 points issued in month 1 for sales of 100,000,
    /// 4,500 redeemed by month 12 and 8,500 by month 24; breakage 5% revised to 3% at month 24.
    #[test]
    fn ie52_by_cohort_with_a_revised_estimate() {
        let mut ledger = CohortLedger::new(24);
        ledger.issue(1, 10_000);
        ledger.record(1, 12, Fate::Redeemed, 4_500);
        ledger.record(1, 20, Fate::Redeemed, 4_000);
        let mut sales = vec![CohortSales::default(); 24];
        sales[0] = CohortSales {
            member_paid: 100_000.0,
            purchase_points: 10_000,
            point_value: 1.0,
            partner_payment: 0.0,
        };
        let breakage: Vec<f64> = (1..=24).map(|t| if t < 24 { 0.05 } else { 0.03 }).collect();
        let months = points_accounts(&ledger, &sales, Some(&breakage));
        assert_eq!(months[0].deferred.round(), 8_676.0);
        let revenue = |from: usize, to: usize| -> f64 {
            months[from - 1..to]
                .iter()
                .map(|m| m.recognised_on_redemption + m.recognised_on_breakage)
                .sum()
        };
        assert_eq!(revenue(1, 12).round(), 4_110.0);
        assert_eq!(months[11].contract_liability.round(), 4_566.0);
        assert_eq!(revenue(13, 24).round(), 3_493.0);
        assert_eq!(months[23].contract_liability.round(), 1_073.0);
        // On redemption: 4,500 × 8,675.80 / 10,000 = 3,904.11; the rest of 4,109.59 is
        // breakage recognised with the redemptions.
        let on_redemption: f64 = months[..12]
            .iter()
            .map(|m| m.recognised_on_redemption)
            .sum();
        assert!((on_redemption - 3_904.11).abs() < 0.01, "{on_redemption}");
        // Expected to be redeemed of what is held: 9,500 − 4,500, then 9,700 − 8,500.
        assert_eq!(months[11].points_expected_to_redeem.round(), 5_000.0);
        assert_eq!(months[23].points_expected_to_redeem.round(), 1_200.0);
    }

    /// A simulated cohort's estimate is its own fate: the points redeemed after the horizon
    /// are what is expected of what is held, and a cohort whose points all expired is
    /// recognised in full.
    #[test]
    fn simulated_fate_by_cohort() {
        let mut ledger = CohortLedger::new(2);
        ledger.issue(1, 100);
        ledger.record(1, 2, Fate::Broken, 100);
        ledger.issue(2, 200);
        ledger.record(2, 2, Fate::Redeemed, 50);
        ledger.record(2, 5, Fate::Redeemed, 100); // after the horizon
        let sale = |points| CohortSales {
            member_paid: 1_000.0,
            purchase_points: points,
            point_value: 1.0,
            partner_payment: 0.0,
        };
        let months = points_accounts(&ledger, &[sale(100), sale(200)], None);
        // Cohort 1 is never redeemed: its SSP is 0, nothing deferred.
        assert_eq!(months[0].deferred, 0.0);
        // Cohort 2: 150 of 200 expected, SSP 150; 1,000 × 150 / 1,150 deferred; a third of
        // it recognised (50 of 150); 100 points expected to be redeemed.
        let d2 = 1_000.0 * 150.0 / 1_150.0;
        assert!((months[1].deferred - d2).abs() < 1e-9);
        assert!((months[1].contract_liability - d2 * 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(months[1].points_expected_to_redeem, 100.0);
        // 50 × d2 / 200 on redemption, the rest of d2 / 3 on breakage.
        assert!((months[1].recognised_on_redemption - d2 / 4.0).abs() < 1e-9);
        assert!((months[1].recognised_on_breakage - d2 / 12.0).abs() < 1e-9);
    }

    #[test]
    fn breakage_by_hand() {
        // 1,000 points issued, 600 redeemed in the end: 40% broke.
        assert!((breakage_estimate(1_000, 600) - 0.4).abs() < 1e-15);
        assert_eq!(breakage_estimate(0, 0), 0.0);
    }
}
