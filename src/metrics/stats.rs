//! Distribution summaries of a metric over trials: mean, standard deviation, Monte Carlo
//! standard error and percentiles.
//!
//! Percentiles use the Hyndman & Fan type 7 definition (linear interpolation between order
//! statistics at (n − 1)p), the default of Excel's `PERCENTILE.INC`, R and NumPy, so a reader
//! can reproduce every band from `trials.csv` in a spreadsheet. Sums run in trial order.

use serde::Serialize;

/// Summary of a metric over the trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// Mean over trials.
    pub mean: f64,
    /// Sample standard deviation over trials (n − 1); `null` with a single trial.
    pub sd: Option<f64>,
    /// Monte Carlo standard error of the mean, sd / √n; `null` with a single trial.
    pub sem: Option<f64>,
    /// 95% interval of the mean, mean ± 1.96 sem; `null` with a single trial.
    pub ci95: Option<[f64; 2]>,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Stats {
    /// Summarises `values` (finite, at least one).
    pub fn of(values: &[f64]) -> Stats {
        let n = values.len();
        let mean = mean(values);
        let sd = sample_sd(values, mean);
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let sem = sd.map(|s| s / (n as f64).sqrt());
        Stats {
            mean,
            sd,
            sem,
            ci95: sem.map(|e| [mean - 1.96 * e, mean + 1.96 * e]),
            p5: percentile_sorted(&sorted, 0.05),
            p50: percentile_sorted(&sorted, 0.50),
            p95: percentile_sorted(&sorted, 0.95),
        }
    }
}

/// Summary of a month that may not be reached within the horizon (payback, break-even).
///
/// Percentiles are over all trials, with "not reached" ranked after every month: a percentile
/// that falls among those trials is `null` (beyond the horizon). Mean, sd and sem are over the
/// trials that did reach it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthStats {
    /// Mean month over the trials that reached it; `null` if none did.
    pub mean: Option<f64>,
    /// Standard deviation over the trials that reached it.
    pub sd: Option<f64>,
    /// Standard error of that mean.
    pub sem: Option<f64>,
    /// 5th percentile over all trials; `null` = not within the horizon.
    pub p5: Option<f64>,
    /// Median over all trials; `null` = not within the horizon.
    pub p50: Option<f64>,
    /// 95th percentile over all trials; `null` = not within the horizon.
    pub p95: Option<f64>,
    /// Share of trials that reached it within the horizon.
    pub probability_within_horizon: f64,
    /// Monte Carlo standard error of that share, √(p(1 − p)/n).
    pub probability_sem: f64,
    /// Wilson score 95% interval of that share.
    pub probability_ci95: [f64; 2],
    /// Number of trials that reached it.
    pub trials_within_horizon: u64,
}

impl MonthStats {
    /// Summarises months that may be missing (`None` = not within the horizon).
    pub fn of(months: &[Option<u32>]) -> MonthStats {
        let n = months.len();
        let reached: Vec<f64> = months.iter().flatten().map(|&m| f64::from(m)).collect();
        let k = reached.len();
        let p = if n == 0 { 0.0 } else { k as f64 / n as f64 };
        let mean = (k > 0).then(|| mean(&reached));
        let sd = mean.and_then(|m| sample_sd(&reached, m));
        let mut ranked: Vec<f64> = months
            .iter()
            .map(|m| m.map_or(f64::INFINITY, f64::from))
            .collect();
        ranked.sort_by(f64::total_cmp);
        let pct = |q| Some(percentile_sorted(&ranked, q)).filter(|v: &f64| v.is_finite());
        let p_sem = if n == 0 {
            0.0
        } else {
            (p * (1.0 - p) / n as f64).sqrt()
        };
        MonthStats {
            mean,
            sd,
            sem: sd.map(|s| s / (k as f64).sqrt()),
            p5: pct(0.05),
            p50: pct(0.50),
            p95: pct(0.95),
            probability_within_horizon: p,
            probability_sem: p_sem,
            probability_ci95: wilson95(k as u64, n as u64),
            trials_within_horizon: k as u64,
        }
    }
}

/// The Wilson score 95% interval of a share of `k` in `n` (Wilson 1927): unlike p ± 1.96 × its
/// standard error, it does not collapse to a point at 0% or 100% (20 of 20 gives 83.9%–100%)
/// and stays within 0–1. `[0, 1]` for no trials.
pub fn wilson95(k: u64, n: u64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 1.0];
    }
    let (n, p, z) = (n as f64, k as f64 / n as f64, 1.96_f64);
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

/// Mean of `values`, summed in order; 0 for none.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation about `mean`; `None` for fewer than two values.
pub fn sample_sd(values: &[f64], mean: f64) -> Option<f64> {
    let n = values.len();
    (n >= 2).then(|| {
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        (ss / (n - 1) as f64).sqrt()
    })
}

/// Type-7 percentile `q` ∈ [0, 1] of ascending `sorted` (non-empty). Infinite neighbours are
/// interpolated only when the weight on them is non-zero, so a percentile landing exactly on a
/// finite order statistic stays finite.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let Some(&first) = sorted.first() else {
        return 0.0;
    };
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let frac = h - h.floor();
    let a = sorted.get(lo).copied().unwrap_or(first);
    match sorted.get(lo + 1) {
        Some(&b) if frac > 0.0 => a + frac * (b - a),
        _ => a,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_matches_the_formula_at_the_ends_and_inside() {
        // 20 of 20: lower bound n/(n + z²) = 20/23.8416 = 0.83887, upper 1.
        let [lo, hi] = wilson95(20, 20);
        assert!((lo - 20.0 / (20.0 + 1.96 * 1.96)).abs() < 1e-12);
        assert!((hi - 1.0).abs() < 1e-12);
        // 0 of 20 mirrors it.
        let [lo, hi] = wilson95(0, 20);
        assert!(lo.abs() < 1e-12 && (hi - (1.0 - 20.0 / (20.0 + 1.96 * 1.96))).abs() < 1e-12);
        // 30 of 60 is symmetric around 0.5: 0.5 ± 1.96·√(0.25/60 + 1.96²/14400)/(1 + 1.96²/60).
        let [lo, hi] = wilson95(30, 60);
        let half = 1.96 * (0.25 / 60.0 + 1.96f64.powi(2) / 14_400.0).sqrt()
            / (1.0 + 1.96f64.powi(2) / 60.0);
        assert!((lo - (0.5 - half)).abs() < 1e-12 && (hi - (0.5 + half)).abs() < 1e-12);
    }

    #[test]
    fn percentiles_match_excel_percentile_inc() {
        // Excel: PERCENTILE.INC({1,2,3,4,10}, 0.05) = 1.2, 0.5 → 3, 0.95 → 8.8.
        let s = Stats::of(&[10.0, 3.0, 1.0, 4.0, 2.0]);
        assert!((s.p5 - 1.2).abs() < 1e-12);
        assert_eq!(s.p50, 3.0);
        assert!((s.p95 - 8.8).abs() < 1e-12);
        // mean 4; deviations 6, −1, −3, 0, −2 → ss 50, sd √12.5, sem √12.5/√5 = √2.5.
        assert_eq!(s.mean, 4.0);
        assert!((s.sd.unwrap_or(0.0) - 12.5f64.sqrt()).abs() < 1e-12);
        assert!((s.sem.unwrap_or(0.0) - 2.5f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn one_trial_has_no_spread_to_report() {
        let s = Stats::of(&[7.0]);
        assert_eq!(
            (s.mean, s.sd, s.sem, s.p5, s.p95),
            (7.0, None, None, 7.0, 7.0)
        );
    }

    #[test]
    fn months_not_reached_rank_last_and_show_as_missing() {
        // 10 trials: months 3..=8 for six, four never. Ranked: 3 4 5 6 7 8 ∞ ∞ ∞ ∞.
        let months: Vec<Option<u32>> = (3..=8).map(Some).chain([None; 4]).collect();
        let s = MonthStats::of(&months);
        assert!((s.probability_within_horizon - 0.6).abs() < 1e-12);
        assert!((s.probability_sem - (0.24f64 / 10.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.trials_within_horizon, 6);
        // p5: h = 0.45 → 3 + 0.45 × 1 = 3.45; p50: h = 4.5 → between 7 and 8 = 7.5;
        // p95: h = 8.55 → among the never-reached → null.
        assert!((s.p5.unwrap_or(0.0) - 3.45).abs() < 1e-12);
        assert_eq!(s.p50, Some(7.5));
        assert_eq!(s.p95, None);
        assert_eq!(s.mean, Some(5.5));
        // A percentile exactly on the last finite value stays finite.
        let edge = MonthStats::of(&[Some(1), Some(2), None]);
        assert_eq!(edge.p50, Some(2.0));
    }
}
