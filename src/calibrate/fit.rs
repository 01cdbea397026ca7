//! Maximum likelihood for the customer-base models: Nelder-Mead (argmin) on the logarithms of
//! the parameters, so every parameter stays positive and the search sees a problem of similar
//! scale in each direction; then a check that the result is a maximum, and standard errors
//! from the curvature of the log-likelihood there.
//!
//! A fit is accepted only when (1) the likelihood is finite, (2) its Hessian in the
//! log-parameters is negative definite (a peak, not a ridge or a saddle), and (3) the Newton
//! decrement ½ gᵀ(−H)⁻¹g, the most the log-likelihood could still rise by a Newton step, is
//! below [`NEWTON_DECREMENT_TOLERANCE`]. Anything else is a [`FitError`], never a silent
//! number.

use argmin::core::{CostFunction, Executor, State, TerminationReason, TerminationStatus};
use argmin::solver::neldermead::NelderMead;
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// A fitted parameter with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The maximum likelihood estimate.
    pub value: f64,
    /// Its asymptotic standard error, from the inverse of the observed information matrix
    /// (the delta method carries it from the log-parameter to the parameter).
    pub standard_error: f64,
}

/// How a maximisation went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Convergence {
    /// The log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Nelder-Mead iterations over both passes.
    pub iterations: u64,
    /// The Newton decrement at the estimate (log-likelihood units): how much higher the
    /// likelihood could still be; below [`NEWTON_DECREMENT_TOLERANCE`] for an accepted fit.
    pub newton_decrement: f64,
    /// Largest absolute gradient component, with respect to the log-parameters.
    pub max_gradient: f64,
    /// Asymptotic covariance of the logarithms of the parameters (the inverse of the observed
    /// information in the log-parameters), row by row in the model's parameter order: what
    /// the data leave unknown about the parameters, correlations included.
    pub log_covariance: Vec<Vec<f64>>,
}

/// A model whose log-likelihood can be maximised over positive parameters.
pub trait Likelihood<const N: usize>: Sync {
    /// Parameter names, in order (for messages and reports).
    const NAMES: [&'static str; N];
    /// The log-likelihood of the data at `params` (all positive); may be −∞ or NaN where the
    /// model is undefined, which the search treats as infinitely bad.
    fn log_likelihood(&self, params: &[f64; N]) -> f64;
}

/// Why a fit was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// The likelihood is not finite at the starting values.
    #[error("the {model} likelihood cannot be evaluated at the starting values; {hint}")]
    BadStart {
        /// Model name.
        model: &'static str,
        /// What to try.
        hint: &'static str,
    },
    /// The search stopped without meeting the convergence tests.
    #[error("the {model} fit did not converge ({why}; estimates so far: {estimates}); {hint}")]
    NotConverged {
        /// Model name.
        model: &'static str,
        /// Which test failed.
        why: String,
        /// The parameters where it stopped, for the curious.
        estimates: String,
        /// What to try.
        hint: &'static str,
    },
}

/// Largest Newton decrement (log-likelihood units) of an accepted fit.
pub const NEWTON_DECREMENT_TOLERANCE: f64 = 1e-6;

/// Most Newton steps after Nelder-Mead.
const MAX_NEWTON_STEPS: usize = 10;

/// Most Nelder-Mead iterations in each pass.
const MAX_ITERATIONS: u64 = 20_000;

/// The negative log-likelihood in log-parameters, for argmin.
struct Cost<'a, L, const N: usize> {
    model: &'a L,
}

impl<L: Likelihood<N>, const N: usize> Cost<'_, L, N> {
    fn value(&self, theta: &[f64]) -> f64 {
        let mut params = [0.0; N];
        for (p, t) in params.iter_mut().zip(theta) {
            *p = t.exp();
        }
        let ll = self.model.log_likelihood(&params);
        if ll.is_finite() { -ll } else { f64::INFINITY }
    }
}

impl<L: Likelihood<N>, const N: usize> CostFunction for Cost<'_, L, N> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, theta: &Self::Param) -> Result<f64, argmin::core::Error> {
        Ok(self.value(theta))
    }
}

/// Maximises `model`'s likelihood from `start` (natural parameters, all positive). Returns the
/// estimates with standard errors and how the search went, or why the result cannot be trusted;
/// `hint` is added to any error, to say what the user can change.
pub fn maximise<L: Likelihood<N>, const N: usize>(
    model: &L,
    model_name: &'static str,
    start: [f64; N],
    hint: &'static str,
) -> Result<([Estimate; N], Convergence), FitError> {
    maximise_within(model, model_name, start, hint, MAX_ITERATIONS)
}

/// [`maximise`] with at most `max_iterations` Nelder-Mead iterations in each pass: for models
/// whose likelihood is costly where the data do not pin them down, so a search that wanders
/// ends (refused) in bounded time.
pub fn maximise_within<L: Likelihood<N>, const N: usize>(
    model: &L,
    model_name: &'static str,
    start: [f64; N],
    hint: &'static str,
    max_iterations: u64,
) -> Result<([Estimate; N], Convergence), FitError> {
    let cost = Cost { model };
    let theta0: Vec<f64> = start.iter().map(|p| p.ln()).collect();
    if !cost.value(&theta0).is_finite() {
        return Err(FitError::BadStart {
            model: model_name,
            hint,
        });
    }
    // Two passes: a wide simplex to find the peak, then a fresh, small one from the best point,
    // which undoes any collapse of the first simplex onto a line.
    let (theta1, iters1, _) = nelder_mead(&cost, &theta0, 0.5, max_iterations)?;
    let (theta, iters2, status) = nelder_mead(&cost, &theta1, 0.05, max_iterations)?;
    let iterations = iters1 + iters2;
    let names = |theta: &[f64]| {
        L::NAMES
            .iter()
            .zip(theta)
            .map(|(n, t)| format!("{n} = {:.4}", t.exp()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let refuse_at = |why: String, theta: &[f64]| FitError::NotConverged {
        model: model_name,
        why,
        estimates: names(theta),
        hint,
    };
    if let TerminationStatus::Terminated(TerminationReason::MaxItersReached) = status {
        return Err(refuse_at(
            format!("no settled peak after {max_iterations} iterations"),
            &theta,
        ));
    }
    let f = |t: &[f64]| cost.value(t);
    // Finish with damped Newton steps on the same log-parameters: Nelder-Mead stops once its
    // simplex is small, which on a large log can leave the last digits of the peak unclimbed.
    // theta has N entries (a vertex of the simplex built from `start`, and each Newton step
    // keeps its length), so `theta[i]` for i < N below is in range.
    let mut theta = theta;
    for _ in 0..MAX_NEWTON_STEPS {
        let at: [f64; N] = std::array::from_fn(|i| theta[i]);
        let Some((g, h)) = derivatives(&f, &at) else {
            break;
        };
        let Some(cholesky) = DMatrix::from_fn(N, N, |i, j| h[i][j]).cholesky() else {
            break;
        };
        let g = DVector::from_column_slice(&g);
        let step = cholesky.solve(&g);
        if 0.5 * g.dot(&step) < NEWTON_DECREMENT_TOLERANCE * 1e-3 {
            break;
        }
        let now = f(&theta);
        let mut scale = 1.0;
        let better = loop {
            let trial: Vec<f64> = theta
                .iter()
                .zip(step.iter())
                .map(|(t, s)| t - scale * s)
                .collect();
            if f(&trial) < now {
                break Some(trial);
            }
            scale *= 0.5;
            if scale < 1e-3 {
                break None;
            }
        };
        match better {
            Some(t) => theta = t,
            None => break,
        }
    }
    let refuse = |why: String| refuse_at(why, &theta);
    let at: [f64; N] = std::array::from_fn(|i| theta[i]);
    let Some((gradient, hessian)) = derivatives(&f, &at) else {
        return Err(refuse(
            "the likelihood's curvature could not be evaluated".into(),
        ));
    };
    // The Hessian of the negative log-likelihood must be positive definite at a peak.
    let h = DMatrix::from_fn(N, N, |i, j| hessian[i][j]);
    let Some(cholesky) = h.clone().cholesky() else {
        return Err(refuse(
            "the likelihood is flat or saddle-shaped there (Hessian not positive definite), so the parameters are not identified by these data".into(),
        ));
    };
    let g = DVector::from_column_slice(&gradient);
    let step = cholesky.solve(&g);
    let newton_decrement = 0.5 * g.dot(&step);
    let max_gradient = gradient.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    if !newton_decrement.is_finite() || newton_decrement > NEWTON_DECREMENT_TOLERANCE {
        return Err(refuse(format!(
            "the likelihood could still rise by {newton_decrement:.2e}"
        )));
    }
    let covariance = cholesky.inverse();
    let estimates = std::array::from_fn(|i| {
        let value = theta[i].exp();
        Estimate {
            value,
            standard_error: value * covariance[(i, i)].max(0.0).sqrt(),
        }
    });
    Ok((
        estimates,
        Convergence {
            log_likelihood: -cost.value(&theta),
            iterations,
            newton_decrement,
            max_gradient,
            log_covariance: (0..N)
                .map(|i| (0..N).map(|j| covariance[(i, j)]).collect())
                .collect(),
        },
    ))
}

/// One Nelder-Mead pass from `theta` with a simplex of `step` along each axis.
fn nelder_mead<L: Likelihood<N>, const N: usize>(
    cost: &Cost<'_, L, N>,
    theta: &[f64],
    step: f64,
    max_iterations: u64,
) -> Result<(Vec<f64>, u64, TerminationStatus), FitError> {
    let mut simplex = vec![theta.to_vec()];
    for i in 0..theta.len() {
        let mut vertex = theta.to_vec();
        vertex[i] += step;
        simplex.push(vertex);
    }
    let internal = |e: argmin::core::Error| FitError::NotConverged {
        model: "Nelder-Mead",
        why: e.to_string(),
        estimates: String::new(),
        hint: "this is a bug; please report it with the input",
    };
    // Stop when the simplex's costs agree to about 12 digits of the likelihood: below that
    // they differ by rounding only.
    let tolerance = 1e-12 * cost.value(theta).abs().max(1.0);
    let solver = NelderMead::new(simplex)
        .with_sd_tolerance(tolerance)
        .map_err(internal)?;
    let result = Executor::new(Cost { model: cost.model }, solver)
        .configure(|state| state.max_iters(max_iterations))
        .run()
        .map_err(internal)?;
    let state = result.state();
    let best = state
        .get_best_param()
        .cloned()
        .unwrap_or_else(|| theta.to_vec());
    Ok((
        best,
        state.get_iter(),
        state.get_termination_status().clone(),
    ))
}

/// The gradient and Hessian of `f` at `x` by central differences (finitediff; its steps
/// are absolute, about ∛ε ≈ 6·10⁻⁶, i.e. relative steps in the parameters here).
fn derivatives<const N: usize>(
    f: &impl Fn(&[f64]) -> f64,
    x: &[f64; N],
) -> Option<([f64; N], [[f64; N]; N])> {
    let cost = |p: &[f64; N]| -> Result<f64, argmin::core::Error> { Ok(f(p)) };
    let gradient = finitediff::array::central_diff(&cost);
    let hessian = finitediff::array::central_hessian(&gradient);
    Some((gradient(x).ok()?, hessian(x).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ln L = −(ln p − ln 3)²: a peak at p = 3, curvature 2 in ln p.
    struct Peak;
    impl Likelihood<1> for Peak {
        const NAMES: [&'static str; 1] = ["p"];
        fn log_likelihood(&self, p: &[f64; 1]) -> f64 {
            -(p[0].ln() - 3f64.ln()).powi(2)
        }
    }

    /// A likelihood that does not depend on its parameter: nothing to estimate.
    struct Flat;
    impl Likelihood<1> for Flat {
        const NAMES: [&'static str; 1] = ["p"];
        fn log_likelihood(&self, _: &[f64; 1]) -> f64 {
            -1.0
        }
    }

    #[test]
    fn a_peak_is_found_with_the_standard_error_of_its_curvature() {
        let ([p], c) = maximise(&Peak, "peak", [1.0], "").unwrap();
        assert!((p.value - 3.0).abs() < 1e-5, "{p:?}");
        // Var(ln p) = 1 / 2, so by the delta method SE(p) = 3 · √(1/2) = 2.1213.
        assert!(
            (p.standard_error - 3.0 * 0.5f64.sqrt()).abs() < 1e-4,
            "{p:?}"
        );
        assert!(c.newton_decrement < NEWTON_DECREMENT_TOLERANCE);
    }

    #[test]
    fn a_flat_likelihood_is_refused_not_reported() {
        let err = maximise(&Flat, "flat", [1.0], "try more data").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("the flat fit did not converge"), "{text}");
        assert!(
            text.contains("not identified") && text.contains("try more data"),
            "{text}"
        );
    }
}
