//! How well the fit describes the data (Fader, Hardie & Lee 2005, §4): the number of customers
//! with 0, 1, 2, … repeat purchases in the calibration period, observed against expected; and,
//! with a holdout, the purchases each group of customers made after the calibration end
//! against what the model predicted for them from the calibration period alone.

use serde::Serialize;

use super::cohort::Customer;
use super::purchase::PurchaseModel;
use super::rfm::{Group, Thresholds};

/// Repeat purchases are counted 0, 1, …, `LAST_BIN − 1` and `LAST_BIN` or more (the paper's
/// Figure 3 uses 7+).
pub const LAST_BIN: u32 = 7;

/// Bins of the holdout check by recency.
pub const RECENCY_BINS: usize = 8;

/// One bin of the repeat-purchase histogram.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrequencyBin {
    /// "0", "1", …, "7+".
    pub label: String,
    /// Customers observed with that many repeat purchases.
    pub observed: u64,
    /// Customers the model expects, given each customer's time observed.
    pub expected: f64,
}

/// Observed against expected repeat purchases in the calibration period.
pub fn repeat_histogram(customers: &[Customer], model: &PurchaseModel) -> Vec<FrequencyBin> {
    let mut observed = [0u64; LAST_BIN as usize + 1];
    let mut by_t: std::collections::HashMap<u64, (f64, f64)> = Default::default();
    for c in customers {
        observed[c.history.x.min(LAST_BIN) as usize] += 1;
        by_t.entry(c.history.t.to_bits())
            .or_insert((c.history.t, 0.0))
            .1 += 1.0;
    }
    let mut times: Vec<(f64, f64)> = by_t.into_values().collect();
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut expected = [0.0; LAST_BIN as usize + 1];
    for (t, n) in times {
        let mut below = 0.0;
        for x in 0..LAST_BIN {
            let p = model.probability_of(x, t);
            expected[x as usize] += n * p;
            below += p;
        }
        expected[LAST_BIN as usize] += n * (1.0 - below).max(0.0);
    }
    (0..=LAST_BIN)
        .map(|x| FrequencyBin {
            label: if x == LAST_BIN {
                format!("{LAST_BIN}+")
            } else {
                x.to_string()
            },
            observed: observed[x as usize],
            expected: expected[x as usize],
        })
        .collect()
}

/// Holdout purchases of one group of customers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutRow {
    /// The group: "0" … "7+" repeat purchases in the calibration period, or an RFM group.
    pub group: String,
    /// Customers in the group.
    pub customers: u64,
    /// Mean purchases per customer in the holdout, actual.
    pub actual: f64,
    /// Mean purchases per customer in the holdout, predicted from the calibration period.
    pub predicted: f64,
}

/// One time unit of the tracking check: cumulative repeat purchases of the cohort from the
/// log's first day to the end of the unit, as the log has them and as the model expects them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrackingPoint {
    /// Time units from the log's first day (1 = the first unit's end).
    pub period: u32,
    /// Repeat purchases (same-day merged) up to the unit's end.
    pub actual: f64,
    /// The model's expectation: Σ over customers of E[X(t − sᵢ)], customer i's expected repeat
    /// purchases in the time since their first purchase sᵢ (Fader, Hardie & Lee 2005, fig. 2).
    pub expected: f64,
}

/// Expected repeat purchases E[X(t)] of a new customer in (0, t]: the model's conditional
/// expectation for a history that says nothing yet (x = 0, tₓ = 0, T = 0), which is the
/// unconditional one (for the BG/NBD, Fader, Hardie & Lee 2005, eq. 7); `None` where its series
/// does not settle.
fn expected_repeats(model: &PurchaseModel, t: f64) -> Option<f64> {
    if t <= 0.0 {
        return Some(0.0);
    }
    let new = super::bgnbd::History {
        x: 0,
        t_x: 0.0,
        t: 0.0,
    };
    model
        .conditional_expected_purchases(t, &new)
        .filter(|e| e.is_finite())
}

/// Longest span the tracking check covers, in days (twenty years): the work grows with the
/// square of the days, and a longer log is tracked by its holdout check instead.
pub const TRACKING_DAYS: i64 = 7_320;

/// The tracking check over the calibration and holdout periods: for each time unit from the
/// log's first day, the cohort's cumulative repeat purchases, actual and expected under
/// `model` fitted on the calibration period alone (customers join on their first purchase
/// day; E[X] is worked out once per day of the span). Empty if the span is longer than
/// [`TRACKING_DAYS`] or the model's expectation does not settle.
pub fn tracking(cohort: &super::cohort::Cohort, model: &PurchaseModel) -> Vec<TrackingPoint> {
    let unit = cohort.periods.unit.days();
    let end = cohort
        .periods
        .holdout_end
        .unwrap_or(cohort.periods.calibration_end);
    let span = (end - cohort.first_day).num_days() + 1;
    if !(1..=TRACKING_DAYS).contains(&span) {
        return Vec::new();
    }
    let span = span as usize;
    // E[X] of a customer d days after their first purchase day (by the end of day d).
    let Some(by_day) = (0..span)
        .map(|d| expected_repeats(model, d as f64 / unit))
        .collect::<Option<Vec<f64>>>()
    else {
        return Vec::new();
    };
    // Customers by first-purchase day (days from the log's first day).
    let mut starts = vec![0u32; span];
    for c in &cohort.customers {
        if let Some(n) = usize::try_from((c.first - cohort.first_day).num_days())
            .ok()
            .and_then(|d| starts.get_mut(d))
        {
            *n += 1;
        }
    }
    let mut days: Vec<u32> = cohort.repeat_days.clone();
    days.sort_unstable();
    let periods = (span as f64 / unit).ceil() as u32;
    (1..=periods)
        .map(|k| {
            // Whole days covered by the end of unit k (the last unit may be short).
            let covered = ((f64::from(k) * unit).floor() as usize).clamp(1, span);
            let last_day = covered - 1;
            let actual = days.partition_point(|&d| (d as usize) <= last_day) as f64;
            let expected = starts[..covered]
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(start, &n)| f64::from(n) * by_day[last_day - start])
                .sum();
            TrackingPoint {
                period: k,
                actual,
                expected,
            }
        })
        .collect()
}

/// The holdout check: by calibration-period repeat purchases (the paper's conditional
/// expectations) and by RFM group, plus the whole cohort. `None` if a forecast failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holdout {
    /// Length of the holdout, in the model's time unit.
    pub length: f64,
    /// By repeat purchases in the calibration period.
    pub by_frequency: Vec<HoldoutRow>,
    /// By time from the last purchase to the calibration end (T − tₓ; the first purchase for
    /// customers who did not buy again), in [`RECENCY_BINS`] bins of equal width in the model's
    /// time unit, labelled `lo–hi`: the conditional expectations by recency.
    pub by_recency: Vec<HoldoutRow>,
    /// By RFM group.
    pub by_rfm_group: Vec<HoldoutRow>,
    /// All customers: total purchases in the holdout, actual and predicted.
    pub total_actual: f64,
    /// Predicted total.
    pub total_predicted: f64,
}

/// Compares each customer's holdout purchases with the model's conditional expectation.
pub fn holdout(
    customers: &[Customer],
    model: &PurchaseModel,
    length: f64,
    thresholds: &Thresholds,
) -> Option<Holdout> {
    // Once per distinct history: the series behind each forecast can be long.
    let mut cache: std::collections::HashMap<(u32, u64, u64), f64> = Default::default();
    let mut predicted = Vec::with_capacity(customers.len());
    for c in customers {
        let h = c.history;
        let key = (h.x, h.t_x.to_bits(), h.t.to_bits());
        let p = match cache.get(&key) {
            Some(&p) => p,
            None => {
                let p = model.conditional_expected_purchases(length, &h)?;
                cache.insert(key, p);
                p
            }
        };
        predicted.push(p);
    }
    let rows = |key: &dyn Fn(&Customer) -> usize, labels: &[String]| -> Vec<HoldoutRow> {
        let mut sums = vec![(0u64, 0.0, 0.0); labels.len()];
        for (c, p) in customers.iter().zip(&predicted) {
            // Both keys below stay within their labels: x.min(LAST_BIN) ≤ LAST_BIN, and a
            // position in Group::ALL.
            let s = &mut sums[key(c)];
            s.0 += 1;
            s.1 += f64::from(c.holdout_purchases);
            s.2 += p;
        }
        labels
            .iter()
            .zip(sums)
            .map(|(label, (n, a, p))| {
                let per = |v: f64| if n > 0 { v / n as f64 } else { 0.0 };
                HoldoutRow {
                    group: label.clone(),
                    customers: n,
                    actual: per(a),
                    predicted: per(p),
                }
            })
            .collect()
    };
    let frequency_labels: Vec<String> = (0..=LAST_BIN)
        .map(|x| {
            if x == LAST_BIN {
                format!("{LAST_BIN}+")
            } else {
                x.to_string()
            }
        })
        .collect();
    let group_labels: Vec<String> = Group::ALL.iter().map(|g| g.label().to_string()).collect();
    // Equal widths over the longest time observed, in whole time units.
    let longest = customers.iter().map(|c| c.history.t).fold(0.0, f64::max);
    let width = (longest / RECENCY_BINS as f64).ceil().max(1.0);
    let recency_labels: Vec<String> = (0..RECENCY_BINS)
        .map(|i| format!("{}–{}", i as f64 * width, (i + 1) as f64 * width))
        .collect();
    let recency_bin = |c: &Customer| {
        let since = (c.history.t - c.history.t_x).max(0.0);
        ((since / width) as usize).min(RECENCY_BINS - 1)
    };
    Some(Holdout {
        length,
        by_frequency: rows(&|c| c.history.x.min(LAST_BIN) as usize, &frequency_labels),
        by_recency: rows(&recency_bin, &recency_labels),
        by_rfm_group: rows(
            &|c| {
                let g = Group::of(c, thresholds);
                Group::ALL.iter().position(|&h| h == g).unwrap_or(0)
            },
            &group_labels,
        ),
        total_actual: customers
            .iter()
            .map(|c| f64::from(c.holdout_purchases))
            .sum(),
        total_predicted: predicted.iter().sum(),
    })
}

/// |Pearson correlation| of frequency and mean spend from which the Gamma-Gamma's
/// independence assumption is warned about: 0.3, a "medium" correlation by Cohen's (1988)
/// conventions (0.1 small, 0.3 medium, 0.5 large). The assumption is the model's own (Fader,
/// Hardie & Lee 2005, "RFM and CLV", §3.2, who find no material correlation on CDNOW); the
/// lifetimes documentation checks it with this correlation and gives no number, so the
/// threshold is stated here.
pub const MATERIAL_SPEND_CORRELATION: f64 = 0.3;

/// The Gamma-Gamma independence check: does a customer's average spend move with how often
/// they buy? The model assumes not.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpendIndependence {
    /// Pearson correlation of repeat purchases x and average repeat value m̄, over the
    /// customers the spend model was fitted on; `None` when either does not vary.
    pub correlation: Option<f64>,
    /// Customers it is computed on.
    pub customers: u64,
    /// |correlation| from which it is material ([`MATERIAL_SPEND_CORRELATION`]).
    pub threshold: f64,
    /// Whether |correlation| reaches the threshold: the spend forecasts of frequent and
    /// occasional customers are then biased, and the scenario's spend per type with them.
    pub material: bool,
}

/// The independence check on `(x, m̄)` pairs.
pub fn spend_independence(spends: &[(u32, f64)]) -> SpendIndependence {
    let n = spends.len() as f64;
    let correlation = if spends.len() < 2 {
        None
    } else {
        let mean_x = spends.iter().map(|s| f64::from(s.0)).sum::<f64>() / n;
        let mean_m = spends.iter().map(|s| s.1).sum::<f64>() / n;
        let (mut sxx, mut smm, mut sxm) = (0.0, 0.0, 0.0);
        for &(x, m) in spends {
            let (dx, dm) = (f64::from(x) - mean_x, m - mean_m);
            sxx += dx * dx;
            smm += dm * dm;
            sxm += dx * dm;
        }
        (sxx > 0.0 && smm > 0.0).then(|| sxm / (sxx * smm).sqrt())
    };
    SpendIndependence {
        correlation,
        customers: spends.len() as u64,
        threshold: MATERIAL_SPEND_CORRELATION,
        material: correlation.is_some_and(|r| r.abs() >= MATERIAL_SPEND_CORRELATION),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_correlation_is_pearsons() {
        // x = 1, 2, 3 against m̄ = 10, 30, 20: means 2 and 20; Σdx·dm = (−1)(−10) + 0 + (1)(0)
        // = 10; Σdx² = 2; Σdm² = 100 + 100 + 0 = 200; r = 10/√400 = 0.5.
        let c = spend_independence(&[(1, 10.0), (2, 30.0), (3, 20.0)]);
        assert!(
            (c.correlation.unwrap_or(f64::NAN) - 0.5).abs() < 1e-12,
            "{c:?}"
        );
        assert!(c.material);
        assert_eq!(c.customers, 3);
        // Perfectly opposite, and a spend that does not vary (no correlation defined).
        let c = spend_independence(&[(1, 30.0), (2, 20.0), (3, 10.0)]);
        assert!((c.correlation.unwrap_or(f64::NAN) + 1.0).abs() < 1e-12);
        let c = spend_independence(&[(1, 10.0), (2, 10.0)]);
        assert_eq!(c.correlation, None);
        assert!(!c.material);
        // Small: x = 1, 2, 3, 4 against 10, 12, 10, 11: Σdx·dm = 0.5, Σdx² = 5, Σdm² = 2.75,
        // r = 0.5/√13.75 = 0.1348, below the 0.3 that is material.
        let c = spend_independence(&[(1, 10.0), (2, 12.0), (3, 10.0), (4, 11.0)]);
        assert!((c.correlation.unwrap_or(f64::NAN) - 0.5 / 13.75f64.sqrt()).abs() < 1e-12);
        assert!(!c.material, "{c:?}");
    }
}
