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

/// The holdout check: by calibration-period repeat purchases (the paper's conditional
/// expectations) and by RFM group, plus the whole cohort. `None` if a forecast failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holdout {
    /// Length of the holdout, in the model's time unit.
    pub length: f64,
    /// By repeat purchases in the calibration period.
    pub by_frequency: Vec<HoldoutRow>,
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
    Some(Holdout {
        length,
        by_frequency: rows(&|c| c.history.x.min(LAST_BIN) as usize, &frequency_labels),
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
