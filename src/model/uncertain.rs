//! Uncertain inputs: a scenario value given as a distribution instead of a number, drawn once
//! per trial. Every distribution is sampled by inverting its CDF, so a draw is a function of one
//! uniform (keyed by seed, trial and the input's path: two designs that share an uncertain
//! input draw the same value in the same trial), and unbounded distributions are truncated to
//! the field's valid range exactly, without rejection.

use serde::Serialize;
use statrs::distribution::{Beta, ContinuousCDF, Normal};

/// A distribution of an input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
pub enum InputDist {
    /// Always `value` (the same as writing the number).
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform between `min` and `max`.
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
    },
    /// Triangular from `min` through `mode` to `max`.
    Triangular {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
    /// PERT (a Beta scaled to `min`–`max` with mean (min + 4 mode + max)/6), the planner's
    /// three-point estimate with less weight in the tails than a triangle.
    Pert {
        /// Lower end.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        max: f64,
    },
    /// Normal with `mean` and standard deviation `sd`, truncated to the field's valid range.
    Normal {
        /// Mean (before truncation).
        mean: f64,
        /// Standard deviation (before truncation).
        sd: f64,
    },
    /// Lognormal whose value has `mean` and standard deviation `sd`, truncated to the field's
    /// valid range.
    Lognormal {
        /// Mean of the value (before truncation).
        mean: f64,
        /// Standard deviation of the value (before truncation).
        sd: f64,
    },
}

impl std::fmt::Display for InputDist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            InputDist::Fixed { value } => write!(f, "fixed {value}"),
            InputDist::Uniform { min, max } => write!(f, "uniform {min} to {max}"),
            InputDist::Triangular { min, mode, max } => {
                write!(f, "triangular {min} / {mode} / {max} (min / mode / max)")
            }
            InputDist::Pert { min, mode, max } => {
                write!(f, "PERT {min} / {mode} / {max} (min / mode / max)")
            }
            InputDist::Normal { mean, sd } => write!(f, "normal, mean {mean}, sd {sd}"),
            InputDist::Lognormal { mean, sd } => write!(f, "lognormal, mean {mean}, sd {sd}"),
        }
    }
}

/// Why a distribution's parameters are not usable.
pub type ParamError = String;

impl InputDist {
    /// Checks the parameters, and that the distribution has values in `[lo, hi]` (the field's
    /// range): bounded ones must lie inside it, unbounded ones must put at least 1% of their
    /// probability in it (less would make the truncated draw meaningless).
    pub fn check(&self, lo: f64, hi: f64) -> Result<(), ParamError> {
        let inside = |name: &str, x: f64| {
            if x.is_finite() && x >= lo && x <= hi {
                Ok(())
            } else {
                Err(format!(
                    "{name} = {x} is outside the field's range {lo} to {hi}"
                ))
            }
        };
        match *self {
            InputDist::Fixed { value } => inside("value", value),
            InputDist::Uniform { min, max } => {
                inside("min", min)?;
                inside("max", max)?;
                if min < max {
                    Ok(())
                } else {
                    Err(format!("min ({min}) must be below max ({max})"))
                }
            }
            InputDist::Triangular { min, mode, max } | InputDist::Pert { min, mode, max } => {
                inside("min", min)?;
                inside("mode", mode)?;
                inside("max", max)?;
                if min < max && min <= mode && mode <= max {
                    Ok(())
                } else {
                    Err(format!(
                        "expected min ≤ mode ≤ max with min < max, found {min}, {mode}, {max}"
                    ))
                }
            }
            InputDist::Normal { mean, sd } | InputDist::Lognormal { mean, sd } => {
                if !(sd.is_finite() && sd > 0.0 && mean.is_finite()) {
                    return Err(format!(
                        "expected a finite mean and sd > 0, found mean {mean}, sd {sd}"
                    ));
                }
                if matches!(self, InputDist::Lognormal { .. }) && mean <= 0.0 {
                    return Err(format!(
                        "a lognormal value is positive: its mean must be > 0, found {mean}"
                    ));
                }
                let mass = self.cdf(hi) - self.cdf(lo);
                if mass >= 0.01 {
                    Ok(())
                } else {
                    Err(format!(
                        "only {:.2}% of this distribution lies in the field's range {lo} to {hi}",
                        mass * 100.0
                    ))
                }
            }
        }
    }

    /// CDF of the untruncated distribution at `x` (for normal and lognormal; others are not
    /// truncated).
    fn cdf(&self, x: f64) -> f64 {
        match *self {
            InputDist::Normal { mean, sd } => Normal::new(mean, sd).map_or(0.5, |n| n.cdf(x)),
            InputDist::Lognormal { mean, sd } => {
                if x <= 0.0 {
                    return 0.0;
                }
                let (mu, sigma) = lognormal_params(mean, sd);
                Normal::new(mu, sigma).map_or(0.5, |n| n.cdf(x.ln()))
            }
            _ => 0.0,
        }
    }

    /// The value at probability `p` ∈ (0, 1): the `p`-quantile, truncated to `[lo, hi]` for
    /// the unbounded distributions.
    pub fn quantile(&self, p: f64, lo: f64, hi: f64) -> f64 {
        let p = p.clamp(1e-12, 1.0 - 1e-12);
        let x = match *self {
            InputDist::Fixed { value } => value,
            InputDist::Uniform { min, max } => min + p * (max - min),
            InputDist::Triangular { min, mode, max } => {
                let split = (mode - min) / (max - min);
                if p < split {
                    min + (p * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
                }
            }
            InputDist::Pert { min, mode, max } => {
                let alpha = 1.0 + 4.0 * (mode - min) / (max - min);
                let beta = 1.0 + 4.0 * (max - mode) / (max - min);
                let b = Beta::new(alpha, beta).map_or(0.5, |b| b.inverse_cdf(p));
                min + b * (max - min)
            }
            InputDist::Normal { mean, sd } => {
                let q = self.cdf(lo) + p * (self.cdf(hi) - self.cdf(lo));
                Normal::new(mean, sd).map_or(mean, |n| n.inverse_cdf(q))
            }
            InputDist::Lognormal { mean, sd } => {
                let q = self.cdf(lo) + p * (self.cdf(hi) - self.cdf(lo));
                let (mu, sigma) = lognormal_params(mean, sd);
                Normal::new(mu, sigma).map_or(mean, |n| n.inverse_cdf(q).exp())
            }
        };
        x.clamp(lo, hi)
    }
}

/// μ and σ of the logarithm of a lognormal value with `mean` and `sd`.
fn lognormal_params(mean: f64, sd: f64) -> (f64, f64) {
    let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
    (mean.ln() - sigma2 / 2.0, sigma2.sqrt())
}

/// An input of the scenario given as a distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncertainInput {
    /// Dotted path of the field, e.g. `population.latent.frequency_lift`.
    pub path: String,
    /// Its distribution.
    pub dist: InputDist,
    /// The field's valid range.
    pub range: (f64, f64),
    /// Whether the field takes whole numbers (draws are rounded).
    pub whole: bool,
}

impl UncertainInput {
    /// The value at probability `p`.
    pub fn value_at(&self, p: f64) -> f64 {
        let x = self.dist.quantile(p, self.range.0, self.range.1);
        if self.whole { x.round() } else { x }
    }

    /// A stable 64-bit key of the input's path (FNV-1a), keying its draws.
    pub fn key(&self) -> u64 {
        self.path.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_the_bounded_distributions_by_hand() {
        let u = InputDist::Uniform { min: 2.0, max: 6.0 };
        assert_eq!(u.quantile(0.25, 0.0, 10.0), 3.0);
        // Triangle 0–1–4: P(X ≤ 1) = 1/4; its median solves 1 − (4 − x)²/12 = 0.5, x = 4 − √6.
        let t = InputDist::Triangular {
            min: 0.0,
            mode: 1.0,
            max: 4.0,
        };
        assert!((t.quantile(0.25, 0.0, 10.0) - 1.0).abs() < 1e-12);
        assert!((t.quantile(0.5, 0.0, 10.0) - (4.0 - 6f64.sqrt())).abs() < 1e-12);
        // A symmetric PERT has its median at the mode.
        let p = InputDist::Pert {
            min: 0.0,
            mode: 5.0,
            max: 10.0,
        };
        assert!((p.quantile(0.5, 0.0, 10.0) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn normal_and_lognormal_quantiles_and_truncation() {
        // Standard normal: the 97.5% quantile is 1.959964.
        let n = InputDist::Normal { mean: 0.0, sd: 1.0 };
        assert!((n.quantile(0.975, -100.0, 100.0) - 1.959_964).abs() < 1e-5);
        // Truncated at 0: the median of the upper half is the 75% quantile, 0.674490.
        assert!((n.quantile(0.5, 0.0, 100.0) - 0.674_490).abs() < 1e-5);
        // Lognormal with mean 1 and sd 0.5: σ² = ln 1.25, median = e^(−σ²/2) = 1/√1.25.
        let l = InputDist::Lognormal { mean: 1.0, sd: 0.5 };
        assert!((l.quantile(0.5, 0.0, 100.0) - 1.0 / 1.25f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn parameters_are_checked_against_the_field() {
        assert!(
            InputDist::Uniform { min: 0.2, max: 0.1 }
                .check(0.0, 1.0)
                .is_err()
        );
        assert!(
            InputDist::Triangular {
                min: 0.0,
                mode: 2.0,
                max: 1.0
            }
            .check(0.0, 5.0)
            .is_err()
        );
        assert!(
            InputDist::Uniform { min: 0.5, max: 1.5 }
                .check(0.0, 1.0)
                .is_err()
        );
        assert!(
            InputDist::Normal { mean: 0.5, sd: 0.1 }
                .check(0.0, 1.0)
                .is_ok()
        );
        // Almost all of N(5, 0.1) lies above a field range of 0 to 1.
        assert!(
            InputDist::Normal { mean: 5.0, sd: 0.1 }
                .check(0.0, 1.0)
                .is_err()
        );
        assert!(
            InputDist::Lognormal {
                mean: -1.0,
                sd: 0.1
            }
            .check(0.0, 10.0)
            .is_err()
        );
    }
}
