//! The downside of a run: the chance the NPV is positive, the chance of a loss beyond a stated
//! amount, the expected shortfall (CVaR) of the NPV at 5%, and the 95th percentile of the
//! liability month by month.
//!
//! Each figure is defined as a spreadsheet computes it from `trials.csv`'s `npv` column, so a
//! reader can check it (`npv` the column's range):
//! - P(NPV > 0) = `COUNTIF(npv, ">0") / COUNT(npv)`;
//! - P(loss > L) = `COUNTIF(npv, "<" & -L) / COUNT(npv)`;
//! - VaR 5% = `PERCENTILE.INC(npv, 0.05)` (Hyndman–Fan type 7, as every band of the run);
//! - ES 5% = `AVERAGEIF(npv, "<=" & PERCENTILE.INC(npv, 0.05))`: the mean NPV of the trials at
//!   or below the 5th percentile (for n trials with distinct values, the ⌊0.05 (n − 1)⌋ + 1
//!   worst).

use serde::Serialize;

use super::stats::{percentile_sorted, wilson95};

/// A share of trials with its Monte Carlo precision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// Share of the trials.
    pub probability: f64,
    /// Trials counted.
    pub trials: u64,
    /// Monte Carlo standard error, √(p(1 − p)/n).
    pub sem: f64,
    /// Wilson score 95% interval.
    pub ci95: [f64; 2],
}

impl Share {
    /// The share of `k` trials among `n`.
    pub fn of(k: u64, n: u64) -> Share {
        let p = if n == 0 { 0.0 } else { k as f64 / n as f64 };
        Share {
            probability: p,
            trials: k,
            sem: if n == 0 {
                0.0
            } else {
                (p * (1.0 - p) / n as f64).sqrt()
            },
            ci95: wilson95(k, n),
        }
    }
}

/// Tail level of the value at risk and the expected shortfall.
pub const TAIL: f64 = 0.05;

/// The downside figures of `summary.json`. Money in the run's currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Downside {
    /// Share of trials whose NPV is above zero.
    pub npv_positive: Share,
    /// The stated loss (`[risk] loss_limit`), if any.
    pub loss_limit: Option<f64>,
    /// Share of trials whose NPV is below minus the stated loss.
    pub loss_beyond_limit: Option<Share>,
    /// The 5th percentile of the NPV (value at risk at 5%, as an NPV, not as a loss).
    pub npv_value_at_risk_5: f64,
    /// Expected shortfall (CVaR) of the NPV at 5%: the mean NPV of the trials at or below its
    /// 5th percentile.
    pub npv_expected_shortfall_5: f64,
    /// Its Monte Carlo standard error: the asymptotic sd of the estimator,
    /// sd((VaR − NPV)⁺) / (0.05 √n) (the central limit theorem of the CVaR estimator; Hong,
    /// Hu & Liu 2014, "Monte Carlo methods for value-at-risk and conditional value-at-risk: a
    /// review"); `null` with fewer than two trials.
    pub npv_expected_shortfall_5_sem: Option<f64>,
    /// Trials averaged in the expected shortfall.
    pub npv_expected_shortfall_trials: u64,
    /// The 95th percentile of the liability at each month end, months 1, 2, …
    pub liability_p95_by_month: Vec<f64>,
}

impl Downside {
    /// The downside of the trials' `npv` values, with the liability's monthly 95th percentiles
    /// computed elsewhere (from the monthly bands).
    pub fn of(npv: &[f64], loss_limit: Option<f64>, liability_p95_by_month: Vec<f64>) -> Downside {
        let n = npv.len() as u64;
        let count = |f: &dyn Fn(f64) -> bool| npv.iter().filter(|&&v| f(v)).count() as u64;
        let mut sorted = npv.to_vec();
        sorted.sort_by(f64::total_cmp);
        let var = percentile_sorted(&sorted, TAIL);
        let tail: Vec<f64> = sorted.iter().copied().take_while(|&v| v <= var).collect();
        let es = if tail.is_empty() {
            var
        } else {
            tail.iter().sum::<f64>() / tail.len() as f64
        };
        // Summed in trial order, as every statistic of the run.
        let excess: Vec<f64> = npv.iter().map(|&v| (var - v).max(0.0)).collect();
        let mean_excess = super::stats::mean(&excess);
        let sem =
            super::stats::sample_sd(&excess, mean_excess).map(|sd| sd / (TAIL * (n as f64).sqrt()));
        Downside {
            npv_positive: Share::of(count(&|v| v > 0.0), n),
            loss_limit,
            loss_beyond_limit: loss_limit.map(|l| Share::of(count(&|v| v < -l), n)),
            npv_value_at_risk_5: var,
            npv_expected_shortfall_5: es,
            npv_expected_shortfall_5_sem: sem,
            npv_expected_shortfall_trials: tail.len() as u64,
            liability_p95_by_month,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downside_of_twenty_values_by_hand() {
        // NPVs −10, −9, …, 9 (20 trials). P(NPV > 0) = 9/20. P(NPV < −5) = 5/20 (−10 … −6).
        // PERCENTILE.INC at 5%: h = 19 × 0.05 = 0.95, −10 + 0.95 × 1 = −9.05; at or below it
        // only −10, so ES = −10.
        let npv: Vec<f64> = (-10..10).map(f64::from).rev().collect();
        let d = Downside::of(&npv, Some(5.0), vec![1.0, 2.0]);
        assert_eq!(d.npv_positive.probability, 0.45);
        assert_eq!(d.npv_positive.trials, 9);
        assert_eq!(d.loss_beyond_limit.map(|s| s.probability), Some(0.25));
        assert!((d.npv_value_at_risk_5 + 9.05).abs() < 1e-12);
        assert_eq!(d.npv_expected_shortfall_5, -10.0);
        assert_eq!(d.npv_expected_shortfall_trials, 1);
        // (VaR − NPV)⁺ is 0.95 once and 0 nineteen times: mean 0.0475, sd
        // √((0.95² − 20 × 0.0475²)/19) = 0.2124; / (0.05 √20) = 0.9500.
        let sem = d.npv_expected_shortfall_5_sem.unwrap_or(0.0);
        assert!((sem - 0.95).abs() < 1e-3, "{sem}");
    }

    #[test]
    fn ties_at_the_percentile_are_all_in_the_tail() {
        // 5% of 41 values: h = 2, exactly the third value; all three zeros are at or below it.
        let mut npv = vec![0.0, 0.0, 0.0];
        npv.extend((1..=38).map(f64::from));
        let d = Downside::of(&npv, None, Vec::new());
        assert_eq!(d.npv_value_at_risk_5, 0.0);
        assert_eq!(d.npv_expected_shortfall_trials, 3);
        assert_eq!(d.npv_positive.trials, 38);
        assert!(d.loss_beyond_limit.is_none());
    }
}
