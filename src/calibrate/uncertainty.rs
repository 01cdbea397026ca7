//! What the transaction log leaves unknown about the calibrated population, carried into the
//! business case as uncertain inputs.
//!
//! **Method: the parameters' asymptotic distribution**, not a customer bootstrap. Every fit
//! already yields the covariance of its log-parameters (the inverse of the observed
//! information, [`super::fit`]); [`DRAWS`] parameter sets are drawn from the multivariate
//! normal on the log scale (so every parameter stays positive) for the purchase model that
//! feeds the scenario and, independently (the models are fitted apart and the Gamma-Gamma
//! assumes spend independent of the purchase process), for the Gamma-Gamma; each set is
//! turned into the population exactly as the point estimate is ([`super::types::population`],
//! on the same customers). A bootstrap would refit every model [`DRAWS`] times — minutes on a
//! large log where this takes well under a second — and, for logs of thousands of customers,
//! gives the same spread to within its own Monte Carlo error (the likelihood is close to
//! normal in the log-parameters there; Fader, Hardie & Lee 2005 report the same standard
//! errors either way for CDNOW).
//!
//! For each loyalty type the mean purchases a month, the mean spend per purchase and the
//! attrition a month become lognormal inputs: the point estimate as mean, the spread of the
//! draws as standard deviation; their rank correlations across the draws go into
//! `[risk.correlation]`, so that the Iman–Conover pairing keeps them moving together as the
//! parameters make them (a lower churn comes with a lower rate, both from the same a and b).
//! True and false loyal customers share the high-patronage behaviour, latent and none the
//! low, so their inputs are perfectly correlated; off the diagonal the matrix is multiplied by
//! [`SHRINK`] so that it is positive definite, as the Cholesky factor of Iman–Conover needs.
//! Types' shares are kept fixed: shares must sum to 1 and cannot be uncertain inputs.

use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::Calibration;
use super::bgnbd::BgNbd;
use super::gamma_gamma::GammaGamma;
use super::mbgnbd::MbgNbd;
use super::pareto_nbd::ParetoNbd;
use super::purchase::{ModelKind, PurchaseModel};
use super::types::{self, Behaviour, Population};
use crate::model::sampling::spearman;

/// Parameter sets drawn: the standard deviations then carry a relative Monte Carlo error of
/// about 1/√(2 · 200) = 5%.
pub const DRAWS: usize = 200;

/// Seed of the draws: the same log always gives the same inputs.
pub const SEED: u64 = 0x5EED_CA11_B8A7_E000;

/// Multiplier of the correlations off the diagonal, which keeps the matrix positive definite
/// where two types share one behaviour (a correlation of exactly 1).
pub const SHRINK: f64 = 0.98;

/// One scenario input the data leave uncertain.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertainInput {
    /// The field's path, e.g. `population.true.attrition_per_month`.
    pub path: String,
    /// The point estimate (the value written without the uncertainty).
    pub mean: f64,
    /// The standard deviation across the drawn parameter sets.
    pub sd: f64,
}

/// The uncertain inputs and how they move together.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    /// The inputs, by type (true, latent, false, none) and field.
    pub inputs: Vec<UncertainInput>,
    /// Rank correlations between the inputs (shrunk by [`SHRINK`] off the diagonal), rounded
    /// to three decimals.
    pub correlation: Vec<Vec<f64>>,
    /// Parameter sets that gave a population (a set whose spend model has no mean is left
    /// out).
    pub draws: usize,
}

/// A field of a type's table and the behaviour value it takes.
type Field = (&'static str, fn(&Behaviour) -> f64);

/// The three fields per type.
const FIELDS: [Field; 3] = [
    ("purchases_per_month.mean", |b| b.purchases_per_month),
    ("spend_per_purchase.mean", |b| b.spend_mean),
    ("attrition_per_month", |b| b.attrition_per_month),
];

/// Lower Cholesky factor of a covariance matrix given row by row; `None` if it is not
/// positive definite.
fn cholesky(covariance: &[Vec<f64>]) -> Option<DMatrix<f64>> {
    let n = covariance.len();
    let m = DMatrix::from_fn(n, n, |i, j| covariance[i][j]);
    m.cholesky().map(|c| c.l())
}

/// `estimate` moved by the correlated normal deviate `factor · z` on the log scale.
fn draw_parameters<R: rand::Rng>(
    estimates: &[f64],
    factor: &DMatrix<f64>,
    rng: &mut R,
) -> Vec<f64> {
    let z = DVector::from_fn(estimates.len(), |_, _| StandardNormal.sample(rng));
    let shift = factor * z;
    estimates
        .iter()
        .zip(shift.iter())
        .map(|(e, s)| (e.ln() + s).exp())
        .collect()
}

fn purchase_model(kind: ModelKind, p: &[f64]) -> Option<PurchaseModel> {
    let &[w, x, y, z] = p else {
        return None;
    };
    Some(match kind {
        ModelKind::BgNbd => PurchaseModel::BgNbd(BgNbd {
            r: w,
            alpha: x,
            a: y,
            b: z,
        }),
        ModelKind::MbgNbd => PurchaseModel::MbgNbd(MbgNbd {
            r: w,
            alpha: x,
            a: y,
            b: z,
        }),
        ModelKind::ParetoNbd => PurchaseModel::ParetoNbd(ParetoNbd {
            r: w,
            alpha: x,
            s: y,
            beta: z,
        }),
    })
}

/// The four types' values of every field, in the order of [`Uncertainty::inputs`].
fn values(population: &Population) -> Vec<f64> {
    population
        .types
        .iter()
        .flat_map(|t| {
            let b = match t.loyalty_type {
                crate::model::population::LoyaltyType::True
                | crate::model::population::LoyaltyType::False => &population.high_patronage,
                _ => &population.low_patronage,
            };
            FIELDS.iter().map(move |(_, f)| f(b))
        })
        .collect()
}

/// Why the uncertainty could not be worked out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UncertaintyError {
    /// A fit's covariance is missing or not positive definite.
    #[error(
        "the {model} fit's covariance is not positive definite, so its uncertainty cannot be drawn"
    )]
    Covariance {
        /// The model.
        model: &'static str,
    },
    /// Too few parameter sets gave a population.
    #[error(
        "only {usable} of {DRAWS} parameter sets drawn from the fit give a spend model with a mean; the spend data do not pin the model down"
    )]
    TooFewDraws {
        /// Sets that did.
        usable: usize,
    },
}

/// Draws the calibration's parameter sets and turns them into uncertain inputs.
pub fn uncertainty(calibration: &Calibration) -> Result<Uncertainty, UncertaintyError> {
    let purchases = &calibration.purchases;
    let kind = purchases.model.kind();
    let purchase_estimates: Vec<f64> = purchases.estimates.iter().map(|(_, e)| e.value).collect();
    let purchase_factor = cholesky(&purchases.convergence.log_covariance)
        .ok_or(UncertaintyError::Covariance { model: kind.name() })?;
    let gg = &calibration.gamma_gamma;
    let spend_estimates: Vec<f64> = gg.estimates.iter().map(|e| e.value).collect();
    let spend_factor =
        cholesky(&gg.convergence.log_covariance).ok_or(UncertaintyError::Covariance {
            model: "Gamma-Gamma",
        })?;
    let point = &calibration.population;
    let customers = &calibration.cohort.customers;
    let unit = calibration.cohort.periods.unit;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(DRAWS); 4 * FIELDS.len()];
    for _ in 0..DRAWS {
        // Both sets are drawn every time, so each draw's place in the stream is fixed.
        let p = draw_parameters(&purchase_estimates, &purchase_factor, &mut rng);
        let s = draw_parameters(&spend_estimates, &spend_factor, &mut rng);
        let Some(model) = purchase_model(kind, &p) else {
            continue;
        };
        let spend = GammaGamma {
            p: s[0],
            q: s[1],
            gamma: s[2],
        };
        if spend.q <= 1.0 {
            continue;
        }
        let population = types::population(
            customers,
            &model,
            &spend,
            unit,
            point.high_patronage_from,
            point.attitude,
        );
        for (column, v) in columns.iter_mut().zip(values(&population)) {
            column.push(v);
        }
    }
    let usable = columns.first().map_or(0, Vec::len);
    if usable < DRAWS / 2 {
        return Err(UncertaintyError::TooFewDraws { usable });
    }
    let means = values(point);
    let inputs = point
        .types
        .iter()
        .flat_map(|t| {
            FIELDS
                .iter()
                .map(move |(field, _)| format!("population.{}.{field}", t.loyalty_type.key()))
        })
        .zip(means)
        .zip(&columns)
        .map(|((path, mean), draws)| {
            let n = draws.len() as f64;
            let m = draws.iter().sum::<f64>() / n;
            let sd = (draws.iter().map(|d| (d - m) * (d - m)).sum::<f64>() / (n - 1.0)).sqrt();
            UncertainInput { path, mean, sd }
        })
        .collect();
    let k = columns.len();
    let correlation = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    if i == j {
                        1.0
                    } else {
                        // A column that does not vary moves with nothing.
                        let rho = spearman(&columns[i], &columns[j]);
                        let rho = if rho.is_finite() { rho } else { 0.0 };
                        (rho * SHRINK * 1e3).round() / 1e3
                    }
                })
                .collect()
        })
        .collect();
    Ok(Uncertainty {
        inputs,
        correlation,
        draws: usable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_the_covariance_on_the_log_scale() {
        // One parameter with log-variance 0.04: the logs of the draws have sd 0.2.
        let factor = cholesky(&[vec![0.04]]).expect("positive");
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let logs: Vec<f64> = (0..20_000)
            .map(|_| draw_parameters(&[2.0], &factor, &mut rng)[0].ln())
            .collect();
        let n = logs.len() as f64;
        let m = logs.iter().sum::<f64>() / n;
        let sd = (logs.iter().map(|l| (l - m) * (l - m)).sum::<f64>() / (n - 1.0)).sqrt();
        // ln 2 = 0.6931; the standard error of the mean is 0.2/√20000 = 0.0014.
        assert!((m - 2f64.ln()).abs() < 0.006, "{m}");
        assert!((sd - 0.2).abs() < 0.005, "{sd}");
    }
}
