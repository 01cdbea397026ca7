//! Break-even solving: how much of the members' response (or how much membership) the program
//! needs for its median NPV to be zero. The lever is a multiplier k of the scenario's values,
//! found by bisection on common random numbers (so the median NPV is a smooth, rising function
//! of k and the search is stable).

use serde::Serialize;

use crate::model::population::LoyaltyType;
use crate::model::response::Form;
use crate::run::{RunOptions, run};
use crate::scenario::validate::MAX_LIFT;
use crate::scenario::{ScenarioError, ScenarioFile};
use crate::sim::runner::RunError;

/// What is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lever {
    /// Every type's response maxima (frequency, basket, retention, insulation), by k.
    Lift,
    /// Every type's most enrolment, by k (at most 1).
    Membership,
}

/// The break-even point.
#[derive(Debug, Clone, Serialize)]
pub struct BreakEven {
    /// What was scaled.
    pub lever: Lever,
    /// The multiplier at which the median NPV is zero, if one exists in the range searched.
    pub multiplier: Option<f64>,
    /// Largest multiplier searched.
    pub searched_up_to: f64,
    /// Median NPV with the scenario as it is (k = 1).
    pub npv_as_is: f64,
    /// The scaled values at the break-even point: (field path, value).
    pub values: Vec<(String, f64)>,
    /// Most membership share of the whole base at the break-even point (launch shares × each
    /// type's most enrolment; what joins depends on what the design shows each customer).
    pub membership_share: Option<f64>,
    /// Trials per evaluation.
    pub trials: u64,
    /// Scaled fields that the scenario gives as distributions: they are held at their
    /// medians and scaled, not drawn per trial.
    pub held_at_median: Vec<String>,
}

/// Why the break-even could not be solved.
#[derive(Debug, thiserror::Error)]
pub enum BreakEvenError {
    /// A scaled value makes an invalid scenario.
    #[error("with the {lever:?} multiplied by {k}: {error}")]
    Invalid {
        /// The lever.
        lever: Lever,
        /// The multiplier.
        k: f64,
        /// What validation said.
        error: ScenarioError,
    },
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Solves for the multiplier of `lever` at which the median NPV of `file` is zero.
pub fn break_even(
    file: &ScenarioFile,
    lever: Lever,
    options: &RunOptions,
) -> Result<BreakEven, BreakEvenError> {
    let scenario = &file.scenario;
    // A validated population has one type per `LoyaltyType::ALL`, so `types[i]` for these
    // i (and the `present` indices below) is in range.
    let present: Vec<(usize, LoyaltyType)> = LoyaltyType::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| scenario.population.types[*i].share > 0.0)
        .map(|(i, t)| (i, *t))
        .collect();
    let values_at = |k: f64| -> Vec<(String, f64)> {
        let mut v = Vec::new();
        for &(i, t) in &present {
            let b = &scenario.population.types[i];
            let key = format!("population.{}", t.key());
            let r = &b.response;
            let fixed = r.form == Form::FixedLift;
            let name = |curve: &str, lift: &str| {
                if fixed {
                    format!("{key}.{lift}")
                } else {
                    format!("{key}.response.{curve}")
                }
            };
            match lever {
                Lever::Lift => {
                    v.push((
                        name("frequency", "frequency_lift"),
                        (r.frequency * k).min(MAX_LIFT),
                    ));
                    v.push((name("basket", "basket_lift"), (r.basket * k).min(MAX_LIFT)));
                    v.push((
                        name("retention", "attrition_reduction"),
                        (r.retention * k).min(1.0),
                    ));
                    if !fixed {
                        v.push((name("insulation", ""), (r.insulation * k).min(1.0)));
                    }
                }
                Lever::Membership => {
                    v.push((name("enrolment", "enrolment"), (r.enrolment * k).min(1.0)))
                }
            }
        }
        v
    };
    let options = RunOptions {
        precision: None,
        ..options.clone()
    };
    let median_npv = |k: f64| -> Result<f64, BreakEvenError> {
        let values = values_at(k);
        let refs: Vec<(&str, f64)> = values.iter().map(|(p, v)| (p.as_str(), *v)).collect();
        let variant = file
            .variant(&refs)
            .map_err(|error| BreakEvenError::Invalid { lever, k, error })?;
        Ok(run(&variant, &options, &|| {})?.summary.metrics.npv.p50)
    };
    let max_enrolment = present
        .iter()
        .map(|&(i, _)| scenario.population.types[i].response.enrolment)
        .fold(0.0, f64::max);
    let ceiling = match lever {
        Lever::Lift => MAX_LIFT,
        Lever::Membership if max_enrolment > 0.0 => 1.0 / max_enrolment,
        Lever::Membership => 1.0,
    };
    let npv_as_is = median_npv(1.0)?;
    // Bracket the root: from [0, 1] or [1, 2, 4, …] up to the ceiling.
    let (mut lo, mut hi) = if npv_as_is >= 0.0 {
        (0.0, 1.0)
    } else {
        (1.0, 1.0)
    };
    let mut found = npv_as_is >= 0.0;
    while !found && hi < ceiling {
        lo = hi;
        hi = (hi * 2.0).min(ceiling);
        found = median_npv(hi)? >= 0.0;
    }
    let multiplier = if found {
        if median_npv(lo)? >= 0.0 {
            Some(lo)
        } else {
            for _ in 0..14 {
                let mid = (lo + hi) / 2.0;
                if median_npv(mid)? >= 0.0 {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            Some((lo + hi) / 2.0)
        }
    } else {
        None
    };
    let values = multiplier.map(values_at).unwrap_or_default();
    let membership_share = multiplier.map(|k| {
        present
            .iter()
            .map(|&(i, _)| {
                let b = &scenario.population.types[i];
                let enrolment = if lever == Lever::Membership {
                    (b.response.enrolment * k).min(1.0)
                } else {
                    b.response.enrolment
                };
                b.share * enrolment
            })
            .sum()
    });
    let held_at_median = values_at(1.0)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| scenario.uncertain.iter().any(|u| &u.path == p))
        .collect();
    Ok(BreakEven {
        held_at_median,
        lever,
        multiplier,
        searched_up_to: ceiling,
        npv_as_is,
        values,
        membership_share,
        trials: options.trials.unwrap_or(scenario.simulation.trials),
    })
}
