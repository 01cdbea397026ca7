//! The Pareto/NBD purchase model (Schmittlein, Morrison & Colombo, "Counting your customers:
//! who are they and what will they do next?", Management Science 33(1), 1987), by maximum
//! likelihood as in Fader, Hardie & Lee (2005) and Fader & Hardie's note "A note on deriving
//! the Pareto/NBD model and related expressions" (2005).
//!
//! While alive, a customer buys as a Poisson process with rate λ; their lifetime is
//! exponential with rate μ, in continuous time (unlike the BG/NBD, a customer can be gone
//! without ever buying again). Across customers λ ~ Gamma(r, α) and μ ~ Gamma(s, β),
//! independent.
//!
//! The likelihood of (x, t_x, T) is
//! Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ ],
//! the first term for a customer still alive at T, the second for one who left at some τ
//! after their last purchase. The integral is s/(r+s+x) · A₀ with A₀ a difference of two
//! Gauss hypergeometric functions, each ₂F₁(r+s+x, b; r+s+x+1; z) / (m+u)^(r+s+x) at u = t_x
//! and u = T, where m = max(α, β), z = |α−β| / (m+u) and b = s+1 when α ≥ β, r+x otherwise:
//! taking the larger of α and β keeps z in [0, 1), where the series converges, and Euler's
//! transformation makes its terms fall from the first even when r+x is large. Everything is
//! kept on the log scale: the two ₂F₁ terms are subtracted as ln(e^l₁ − e^l₂) = l₁ +
//! ln(1 − e^(l₂−l₁)), and the alive and dropped terms added by a log-sum-exp, so neither large
//! x nor long T overflows or underflows.

use super::bgnbd::{History, nbd_probability};
use super::fit::{Convergence, Estimate, FitError, Likelihood, maximise_within};
use super::special::hyp2f1;
use statrs::function::gamma::ln_gamma;

/// Pareto/NBD parameters: λ ~ Gamma(shape r, rate α), μ ~ Gamma(shape s, rate β), per time
/// unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParetoNbd {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Rate of the purchase-rate distribution, in time units.
    pub alpha: f64,
    /// Shape of the dropout-rate distribution.
    pub s: f64,
    /// Rate of the dropout-rate distribution, in time units.
    pub beta: f64,
}

/// Largest argument of the hypergeometric series the likelihood sums (about 7,000 terms at
/// most for 16 digits).
const MAX_Z: f64 = 0.995;

/// Panels of the quadrature in [`ParetoNbd::probability_of`] (Simpson's rule, even).
const PANELS: usize = 512;

impl ParetoNbd {
    /// The log of the two terms of the likelihood of `h`: alive at T, and gone between t_x and
    /// T. `None` if a hypergeometric series does not settle.
    fn ln_terms(&self, h: &History) -> Option<(f64, f64)> {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let x = f64::from(h.x);
        let common = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let alive = common - (r + x) * (alpha + h.t).ln() - s * (beta + h.t).ln();
        let rsx = r + s + x;
        let (m, b) = if alpha >= beta {
            (alpha, s + 1.0)
        } else {
            (beta, r + x)
        };
        let d = (alpha - beta).abs();
        let term = |u: f64| -> Option<f64> {
            let z = d / (m + u);
            // The series' terms shrink like zᵏ: beyond MAX_Z it would take thousands of terms
            // per customer and likelihood, so the search treats such parameters as outside the
            // model's range (α and β more than 200 times apart) instead of stalling.
            if z > MAX_Z {
                return None;
            }
            // Euler's transformation, ₂F₁(a, b; a+1; z) = (1−z)^(1−b) ₂F₁(1, a+1−b; a+1; z):
            // the new series' terms fall from the first (their ratio is below z), where the
            // original's rise first by a factor of about (1−z)^−b, b = r+x being large for a
            // frequent buyer.
            let f = hyp2f1(1.0, rsx + 1.0 - b, rsx + 1.0, z)?;
            Some((1.0 - b) * (-z).ln_1p() + f.ln() - rsx * (m + u).ln())
        };
        let l1 = term(h.t_x)?;
        let l2 = term(h.t)?;
        // A₀ = e^l₁ − e^l₂ ≥ 0 (the integral over [t_x, T]); 0 when t_x = T.
        let ln_a0 = if l2 < l1 {
            l1 + (-(l2 - l1).exp()).ln_1p()
        } else {
            f64::NEG_INFINITY
        };
        let dropped = common + s.ln() - rsx.ln() + ln_a0;
        Some((alive, dropped))
    }

    /// The log-likelihood of one history; NaN where a series does not settle.
    pub fn log_likelihood_of(&self, h: &History) -> f64 {
        match self.ln_terms(h) {
            Some((alive, dropped)) => log_add_exp(alive, dropped),
            None => f64::NAN,
        }
    }

    /// Probability that a customer with history `h` is still alive at T: the alive term's
    /// share of the likelihood.
    pub fn p_alive(&self, h: &History) -> f64 {
        match self.ln_terms(h) {
            Some((alive, dropped)) => 1.0 / (1.0 + (dropped - alive).exp()),
            None => f64::NAN,
        }
    }

    /// Expected purchases of a new customer in (0, t]: rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)]
    /// (ln(1 + t/β) · rβ/α when s = 1).
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        if (s - 1.0).abs() < 1e-12 {
            return r * beta / alpha * (t / beta).ln_1p();
        }
        r * beta / (alpha * (s - 1.0)) * (1.0 - (beta / (beta + t)).powf(s - 1.0))
    }

    /// Probability of exactly `x` repeat purchases in (0, t] for a new customer. A customer's
    /// lifetime τ has survival S(τ) = (β/(β+τ))^s across customers, independent of λ, and
    /// given τ the purchases in (0, min(τ, t)] are NBD(r, α); so
    /// P(X(t) = x) = S(t) NBD(x; t) + ∫_{S(t)}^{1} NBD(x; τ(u)) du with τ(u) = β(u^(−1/s) − 1),
    /// integrated by Simpson's rule on [`PANELS`] panels (a smooth integrand on a bounded
    /// interval).
    pub fn probability_of(&self, x: u32, t: f64) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *self;
        let survive = (beta / (beta + t)).powf(s);
        let nbd = |tau: f64| nbd_probability(r, alpha, x, tau);
        let lifetime = |u: f64| beta * (u.powf(-1.0 / s) - 1.0);
        let h = (1.0 - survive) / PANELS as f64;
        let mut sum = nbd(lifetime(survive)) + nbd(0.0);
        for i in 1..PANELS {
            let u = survive + h * i as f64;
            sum += if i % 2 == 1 { 4.0 } else { 2.0 } * nbd(lifetime(u));
        }
        survive * nbd(t) + sum * h / 3.0
    }

    /// Expected purchases in the next `horizon` time units of a customer with history `h`:
    /// P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+horizon))^(s−1)] (the note's
    /// eq. 23). `None` if the probability of being alive cannot be computed.
    pub fn conditional_expected_purchases(&self, horizon: f64, h: &History) -> Option<f64> {
        let p = self.p_alive(h);
        if !p.is_finite() {
            return None;
        }
        // Given alive at T: λ ~ Gamma(r+x, α+T), μ ~ Gamma(s, β+T), so the expectation is that
        // of a new customer of those parameters.
        let alive = ParetoNbd {
            r: self.r + f64::from(h.x),
            alpha: self.alpha + h.t,
            s: self.s,
            beta: self.beta + h.t,
        };
        Some(p * alive.expected_purchases(horizon))
    }

    /// Mean purchase rate of a customer alive at T with history `h` (per time unit), and its
    /// variance: λ | alive, h ~ Gamma(r + x, α + T).
    pub fn posterior_rate(&self, h: &History) -> (f64, f64) {
        let shape = self.r + f64::from(h.x);
        let rate = self.alpha + h.t;
        (shape / rate, shape / (rate * rate))
    }

    /// Expected dropout rate (per time unit) of a customer alive at T: μ | alive ~ Gamma(s, β+T).
    pub fn posterior_dropout_rate(&self, h: &History) -> f64 {
        self.s / (self.beta + h.t)
    }
}

/// ln(e^a + e^b), exact when either is −∞.
pub(crate) fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// Histories read as Pareto/NBD data.
pub struct ParetoNbdData<'a>(pub &'a super::bgnbd::Histories);

impl Likelihood<4> for ParetoNbdData<'_> {
    const NAMES: [&'static str; 4] = ["r", "alpha", "s", "beta"];
    fn log_likelihood(&self, p: &[f64; 4]) -> f64 {
        let model = ParetoNbd {
            r: p[0],
            alpha: p[1],
            s: p[2],
            beta: p[3],
        };
        self.0.sum_by_history(|h| model.log_likelihood_of(h))
    }
}

/// A fitted Pareto/NBD model.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedParetoNbd {
    /// The estimates as a model.
    pub model: ParetoNbd,
    /// r, α, s, β with standard errors.
    pub estimates: [Estimate; 4],
    /// How the search went.
    pub convergence: Convergence,
}

/// Fits the Pareto/NBD model to `histories` by maximum likelihood, from r = s = 1 and α, β
/// at the mean time observed over the mean purchases (scale-free, as the BG/NBD's start).
pub fn fit(histories: &super::bgnbd::Histories) -> Result<FittedParetoNbd, FitError> {
    let alpha = histories.mean_time_per_purchase();
    let (estimates, convergence) = maximise_within(
        &ParetoNbdData(histories),
        "Pareto/NBD",
        [1.0, alpha, 1.0, alpha],
        "the calibration period may hold too few repeat purchases: end it later, or choose \
         another model with --model",
        super::purchase::COMPARED_MODEL_ITERATIONS,
    )?;
    let [r, alpha, s, beta] = estimates.map(|e| e.value);
    Ok(FittedParetoNbd {
        model: ParetoNbd { r, alpha, s, beta },
        estimates,
        convergence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fader, Hardie & Lee (2005), Pareto/NBD estimates on the CDNOW sample (weeks).
    const PUBLISHED: ParetoNbd = ParetoNbd {
        r: 0.553,
        alpha: 10.58,
        s: 0.606,
        beta: 11.67,
    };

    /// The likelihood of one history by brute force: Simpson's rule on the integral over the
    /// dropout time, no hypergeometric function.
    fn by_quadrature(m: &ParetoNbd, h: &History) -> f64 {
        let ParetoNbd { r, alpha, s, beta } = *m;
        let x = f64::from(h.x);
        let c = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + s * beta.ln();
        let f = |tau: f64| (-(r + x) * (alpha + tau).ln() - (s + 1.0) * (beta + tau).ln()).exp();
        let n = 20_000;
        let step = (h.t - h.t_x) / n as f64;
        let mut sum = f(h.t_x) + f(h.t);
        for i in 1..n {
            sum += if i % 2 == 1 { 4.0 } else { 2.0 } * f(h.t_x + step * i as f64);
        }
        let integral = sum * step / 3.0;
        c.exp() * ((-(r + x) * (alpha + h.t).ln() - s * (beta + h.t).ln()).exp() + s * integral)
    }

    #[test]
    fn the_likelihood_is_the_integral_over_the_dropout_time() {
        // Both orderings of α and β (each takes its own branch of the hypergeometric form).
        let swapped = ParetoNbd {
            alpha: 30.0,
            beta: 2.0,
            ..PUBLISHED
        };
        for m in [PUBLISHED, swapped] {
            for (x, t_x, t) in [
                (0, 0.0, 38.0),
                (1, 3.0, 30.0),
                (4, 20.0, 36.5),
                (12, 1.0, 39.0),
            ] {
                let h = History { x, t_x, t };
                let want = by_quadrature(&m, &h).ln();
                let got = m.log_likelihood_of(&h);
                assert!((got - want).abs() < 1e-9, "{m:?} {h:?}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn a_purchase_on_the_last_day_leaves_no_room_to_have_left() {
        let h = History {
            x: 3,
            t_x: 20.0,
            t: 20.0,
        };
        assert_eq!(PUBLISHED.p_alive(&h), 1.0);
        assert!(PUBLISHED.log_likelihood_of(&h).is_finite());
    }

    #[test]
    fn probabilities_sum_to_one_and_their_mean_is_the_closed_form() {
        for t in [1.0, 38.86, 78.0] {
            let p: Vec<f64> = (0..400).map(|x| PUBLISHED.probability_of(x, t)).collect();
            let total: f64 = p.iter().sum();
            assert!((total - 1.0).abs() < 1e-8, "t = {t}: {total}");
            let mean: f64 = p.iter().enumerate().map(|(x, p)| x as f64 * p).sum();
            let want = PUBLISHED.expected_purchases(t);
            assert!(
                (mean - want).abs() < 1e-6 * want,
                "t = {t}: {mean} vs {want}"
            );
        }
    }

    #[test]
    fn one_time_buyers_long_silent_are_probably_gone() {
        // Unlike the BG/NBD, a customer without repeat purchases can have left.
        let new = History {
            x: 0,
            t_x: 0.0,
            t: 1.0,
        };
        let old = History {
            x: 0,
            t_x: 0.0,
            t: 39.0,
        };
        assert!(PUBLISHED.p_alive(&new) > 0.9);
        assert!(PUBLISHED.p_alive(&old) < PUBLISHED.p_alive(&new));
    }

    #[test]
    fn the_conditional_expectation_of_a_customer_seen_today_is_a_new_customers_with_updated_parameters()
     {
        // x = 0, T → 0: nothing learned, so the forecast is E[X(t)] of a new customer.
        let h = History {
            x: 0,
            t_x: 0.0,
            t: 0.0,
        };
        let e = PUBLISHED.conditional_expected_purchases(39.0, &h).unwrap();
        assert!((e - PUBLISHED.expected_purchases(39.0)).abs() < 1e-12);
    }
}
