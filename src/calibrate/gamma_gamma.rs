//! The Gamma-Gamma spend model (Fader & Hardie, "The Gamma-Gamma model of monetary value",
//! 2013; after Colombo & Jiang 1999).
//!
//! A customer's transaction values are Gamma(p, ν) around their own mean p/ν, and ν is
//! Gamma(q, γ) across customers. Fitted on the customers with at least one repeat purchase,
//! from x (repeat purchases) and m̄ (their average value); spend is assumed independent of
//! the purchase process. This is the same spend model the simulator draws from, so a fit
//! carries straight into a scenario (`cv_within = 1/√p`, `cv_between = 1/√(q − 2)`).

use super::fit::{Convergence, Estimate, FitError, Likelihood, maximise};
use statrs::function::gamma::ln_gamma;

/// Gamma-Gamma parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGamma {
    /// Shape of one customer's transaction values.
    pub p: f64,
    /// Shape of ν across customers.
    pub q: f64,
    /// Rate of ν across customers, in currency units.
    pub gamma: f64,
}

/// Repeat spend of the customers with repeat purchases.
#[derive(Debug, Clone, Default)]
pub struct Spends {
    /// (repeat purchases x ≥ 1, average repeat value m̄ > 0).
    pub customers: Vec<(u32, f64)>,
}

impl GammaGamma {
    /// The log-likelihood of one customer's x and m̄ (the note's eq. 1, on the log scale).
    pub fn log_likelihood_of(&self, x: u32, mean: f64) -> f64 {
        let GammaGamma { p, q, gamma } = *self;
        let x = f64::from(x);
        ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
            + q * gamma.ln()
            + (p * x - 1.0) * mean.ln()
            + p * x * x.ln()
            - (p * x + q) * (gamma + mean * x).ln()
    }

    /// The mean transaction value across customers, pγ/(q − 1); `None` when q ≤ 1 (no mean).
    pub fn population_mean(&self) -> Option<f64> {
        (self.q > 1.0).then(|| self.p * self.gamma / (self.q - 1.0))
    }

    /// A customer's own mean transaction value, given x repeat purchases averaging `mean`:
    /// its posterior mean and variance (p/ν with ν | data ~ Gamma(q + px, γ + m̄x), an inverse
    /// Gamma; the variance needs q + px > 2). With x = 0 these are the population's.
    pub fn posterior_mean_spend(&self, x: u32, mean: f64) -> (f64, f64) {
        let shape = self.q + self.p * f64::from(x);
        let rate = self.gamma + mean * f64::from(x);
        let m = self.p * rate / (shape - 1.0);
        let var = if shape > 2.0 {
            m * m / (shape - 2.0)
        } else {
            f64::INFINITY
        };
        (m, var)
    }
}

impl Spends {
    /// The customers' (x, m̄) sorted by x, with ln m̄ and x m̄ worked out once.
    fn prepared(&self) -> Vec<(u32, f64, f64)> {
        let mut v: Vec<(u32, f64, f64)> = self
            .customers
            .iter()
            .map(|&(x, m)| (x, m.ln(), m * f64::from(x)))
            .collect();
        v.sort_by(|p, q| p.0.cmp(&q.0).then(p.1.total_cmp(&q.1)));
        v
    }
}

/// The spend data as the likelihood reads it: per customer (x, ln m̄, x m̄), sorted by x.
#[derive(Debug, Clone)]
pub struct PreparedSpends(Vec<(u32, f64, f64)>);

impl Likelihood<3> for PreparedSpends {
    const NAMES: [&'static str; 3] = ["p", "q", "gamma"];
    fn log_likelihood(&self, v: &[f64; 3]) -> f64 {
        use rayon::prelude::*;
        let (p, q, gamma) = (v[0], v[1], v[2]);
        let max_x = self.0.last().map_or(0, |c| c.0);
        // Terms of x alone: ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + px ln x.
        let base = q * gamma.ln() - ln_gamma(q);
        let by_x: Vec<f64> = (0..=max_x)
            .map(|x| {
                let px = p * f64::from(x);
                if x == 0 {
                    0.0
                } else {
                    base + ln_gamma(px + q) - ln_gamma(px) + px * f64::from(x).ln()
                }
            })
            .collect();
        let partial: Vec<f64> = self
            .0
            .par_chunks(4096)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|&(x, ln_m, xm)| {
                        let px = p * f64::from(x);
                        // Sorted by x (`prepared`): x ≤ max_x < by_x.len().
                        by_x[x as usize] + (px - 1.0) * ln_m - (px + q) * (gamma + xm).ln()
                    })
                    .sum()
            })
            .collect();
        partial.iter().sum()
    }
}

/// A fitted Gamma-Gamma model.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedGammaGamma {
    /// The estimates as a model.
    pub model: GammaGamma,
    /// p, q, γ with standard errors.
    pub estimates: [Estimate; 3],
    /// How the search went.
    pub convergence: Convergence,
}

/// Fits the Gamma-Gamma model to `spends` by maximum likelihood.
pub fn fit(spends: &Spends) -> Result<FittedGammaGamma, FitError> {
    // Start from p = 1, q = 2 and γ matching the mean value (then pγ/(q − 1) = mean).
    let n = spends.customers.len().max(1) as f64;
    let mean = spends.customers.iter().map(|c| c.1).sum::<f64>() / n;
    let (estimates, convergence) = maximise(
        &PreparedSpends(spends.prepared()),
        "Gamma-Gamma",
        [1.0, 2.0, mean.max(1e-6)],
        "it needs customers with repeat purchases whose average values differ: end the \
         calibration period later, or check the amount column",
    )?;
    Ok(FittedGammaGamma {
        model: GammaGamma {
            p: estimates[0].value,
            q: estimates[1].value,
            gamma: estimates[2].value,
        },
        estimates,
        convergence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likelihood_of_one_customer_is_the_density_of_the_average() {
        // For x = 1 the average is one Gamma(p, ν) value with ν ~ Gamma(q, γ): the density is
        // Γ(p+q)/(Γ(p)Γ(q)) γ^q z^(p−1) / (γ + z)^(p+q) (a beta-prime shape), by hand.
        let m = GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let z: f64 = 35.0;
        let g = |v: f64| ln_gamma(v);
        let want = g(m.p + m.q) - g(m.p) - g(m.q) + m.q * m.gamma.ln() + (m.p - 1.0) * z.ln()
            - (m.p + m.q) * (m.gamma + z).ln();
        assert!((m.log_likelihood_of(1, z) - want).abs() < 1e-12);
    }

    #[test]
    fn the_grouped_likelihood_is_the_sum_over_customers() {
        let spends = Spends {
            customers: vec![(1, 35.0), (3, 12.5), (3, 80.0), (10, 22.0)],
        };
        let m = GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let by_customer: f64 = spends
            .customers
            .iter()
            .map(|&(x, v)| m.log_likelihood_of(x, v))
            .sum();
        let grouped = PreparedSpends(spends.prepared()).log_likelihood(&[m.p, m.q, m.gamma]);
        assert!((grouped - by_customer).abs() < 1e-9 * by_customer.abs());
    }

    #[test]
    fn posterior_mean_moves_from_the_population_towards_the_customer() {
        let m = GammaGamma {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let population = m.population_mean().unwrap();
        // pγ/(q − 1) = 6.25 × 15.44 / 2.74 = 35.22.
        assert!((population - 35.2190).abs() < 1e-3);
        assert_eq!(m.posterior_mean_spend(0, 0.0).0, population);
        let (few, _) = m.posterior_mean_spend(1, 100.0);
        let (many, _) = m.posterior_mean_spend(20, 100.0);
        assert!(population < few && few < many && many < 100.0);
    }
}
