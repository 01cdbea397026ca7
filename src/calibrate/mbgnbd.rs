//! The MBG/NBD purchase model (Batislam, Denizel & Filiztekin, "Empirical validation and
//! comparison of models for customer base analysis", International Journal of Research in
//! Marketing 24(3), 2007).
//!
//! The BG/NBD's story with one change: the customer may also drop out at time 0, right after
//! the first purchase, with the same probability p as after every repeat purchase. So a
//! customer who never bought again can be gone, which the BG/NBD rules out (every one-time
//! buyer is alive there). Across customers λ ~ Gamma(r, α) and p ~ Beta(a, b), as in the
//! BG/NBD; a customer with x repeat purchases has survived x + 1 coin tosses.
//!
//! The likelihood of (x, t_x, T) is
//! Γ(r+x) α^r / Γ(r) · [ B(a, b+x+1)/B(a, b) (α+T)^−(r+x) + B(a+1, b+x)/B(a, b) (α+t_x)^−(r+x) ]
//! (alive at T after x + 1 survivals, or dropped at the toss after the last purchase), kept on
//! the log scale with a log-sum-exp.

use super::bgnbd::{BgNbd, Histories, History, nbd_probability};
use super::fit::{Convergence, Estimate, FitError, Likelihood, maximise_within};
use super::pareto_nbd::log_add_exp;
use super::special::ln_beta;
use statrs::function::gamma::ln_gamma;

/// MBG/NBD parameters: λ ~ Gamma(shape r, rate α) per time unit, p ~ Beta(a, b).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MbgNbd {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Rate of the purchase-rate distribution, in time units.
    pub alpha: f64,
    /// First shape of the dropout-probability distribution.
    pub a: f64,
    /// Second shape of the dropout-probability distribution.
    pub b: f64,
}

impl MbgNbd {
    /// ln of the alive and dropped terms of the likelihood of `h`.
    fn ln_terms(&self, h: &History) -> (f64, f64) {
        let MbgNbd { r, alpha, a, b } = *self;
        let x = f64::from(h.x);
        let common = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() - ln_beta(a, b);
        let alive = common + ln_beta(a, b + x + 1.0) - (r + x) * (alpha + h.t).ln();
        let dropped = common + ln_beta(a + 1.0, b + x) - (r + x) * (alpha + h.t_x).ln();
        (alive, dropped)
    }

    /// The log-likelihood of one history.
    pub fn log_likelihood_of(&self, h: &History) -> f64 {
        let (alive, dropped) = self.ln_terms(h);
        log_add_exp(alive, dropped)
    }

    /// Probability that a customer with history `h` is still alive at T:
    /// 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)), below 1 even for x = 0.
    pub fn p_alive(&self, h: &History) -> f64 {
        let (alive, dropped) = self.ln_terms(h);
        1.0 / (1.0 + (dropped - alive).exp())
    }

    /// A customer alive at T with history `h` goes on as a BG/NBD customer whose λ ~
    /// Gamma(r+x, α+T) and p ~ Beta(a, b+x+1) (survived x + 1 tosses) and who is not tossed
    /// again at T.
    fn alive_as_bgnbd(&self, h: &History) -> BgNbd {
        BgNbd {
            r: self.r + f64::from(h.x),
            alpha: self.alpha + h.t,
            a: self.a,
            b: self.b + f64::from(h.x) + 1.0,
        }
    }

    /// Expected purchases in the next `horizon` time units of a customer with history `h`:
    /// P(alive) · (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x+1; a+b+x; t/(α+T+t))]
    /// (Batislam et al. 2007). `None` if ₂F₁ does not settle or a = 1.
    pub fn conditional_expected_purchases(&self, horizon: f64, h: &History) -> Option<f64> {
        Some(self.p_alive(h) * self.alive_as_bgnbd(h).expected_purchases(horizon)?)
    }

    /// Probability of exactly `x` repeat purchases in (0, t] for a new customer:
    /// B(a, b+x+1)/B(a,b) NBD(x; t) + B(a+1, b+x)/B(a,b) P(NBD(t) ≥ x): alive throughout
    /// after x + 1 survivals, or gone at the toss after the x-th purchase, which came by t.
    pub fn probability_of(&self, x: u32, t: f64) -> f64 {
        let MbgNbd { r, alpha, a, b } = *self;
        let xf = f64::from(x);
        let alive =
            (ln_beta(a, b + xf + 1.0) - ln_beta(a, b)).exp() * nbd_probability(r, alpha, x, t);
        let below: f64 = (0..x).map(|j| nbd_probability(r, alpha, j, t)).sum();
        let dropped = (ln_beta(a + 1.0, b + xf) - ln_beta(a, b)).exp() * (1.0 - below).max(0.0);
        alive + dropped
    }

    /// Expected purchases of a new customer in (0, t]: the customer survives the toss at 0
    /// with probability b/(a+b), then buys as a BG/NBD customer with p ~ Beta(a, b+1).
    pub fn expected_purchases(&self, t: f64) -> Option<f64> {
        let MbgNbd { r, alpha, a, b } = *self;
        let after = BgNbd {
            r,
            alpha,
            a,
            b: b + 1.0,
        };
        Some(b / (a + b) * after.expected_purchases(t)?)
    }

    /// Mean purchase rate of a customer alive at T with history `h` (per time unit), and its
    /// variance: λ | alive, h ~ Gamma(r + x, α + T).
    pub fn posterior_rate(&self, h: &History) -> (f64, f64) {
        self.alive_as_bgnbd(h).posterior_rate(&History {
            x: 0,
            t_x: 0.0,
            t: 0.0,
        })
    }

    /// Expected dropout hazard (per time unit) of a customer alive at T with history `h`:
    /// E[λ] E[p] with p | alive ~ Beta(a, b + x + 1).
    pub fn posterior_dropout_rate(&self, h: &History) -> f64 {
        let (rate, _) = self.posterior_rate(h);
        rate * self.a / (self.a + self.b + f64::from(h.x) + 1.0)
    }
}

/// Histories read as MBG/NBD data.
pub struct MbgNbdData<'a>(pub &'a Histories);

impl Likelihood<4> for MbgNbdData<'_> {
    const NAMES: [&'static str; 4] = ["r", "alpha", "a", "b"];
    fn log_likelihood(&self, p: &[f64; 4]) -> f64 {
        let model = MbgNbd {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
        };
        self.0.sum_by_history(|h| model.log_likelihood_of(h))
    }
}

/// A fitted MBG/NBD model.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedMbgNbd {
    /// The estimates as a model.
    pub model: MbgNbd,
    /// r, α, a, b with standard errors.
    pub estimates: [Estimate; 4],
    /// How the search went.
    pub convergence: Convergence,
}

/// Fits the MBG/NBD model to `histories` by maximum likelihood, from the BG/NBD's start.
pub fn fit(histories: &Histories) -> Result<FittedMbgNbd, FitError> {
    let (estimates, convergence) = maximise_within(
        &MbgNbdData(histories),
        "MBG/NBD",
        [1.0, histories.mean_time_per_purchase(), 1.0, 1.0],
        "the calibration period may hold too few repeat purchases: end it later, or choose \
         another model with --model",
        super::purchase::COMPARED_MODEL_ITERATIONS,
    )?;
    let [r, alpha, a, b] = estimates.map(|e| e.value);
    Ok(FittedMbgNbd {
        model: MbgNbd { r, alpha, a, b },
        estimates,
        convergence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: MbgNbd = MbgNbd {
        r: 0.525,
        alpha: 6.18,
        a: 0.89,
        b: 1.61,
    };

    #[test]
    fn likelihood_is_the_two_terms_without_logs() {
        let MbgNbd { r, alpha, a, b } = M;
        let beta = |p: f64, q: f64| ln_beta(p, q).exp();
        let g = |v: f64| ln_gamma(v).exp();
        for (x, t_x, t) in [(0_u32, 0.0_f64, 30.0_f64), (3, 20.0, 35.0)] {
            let xf = f64::from(x);
            let c = g(r + xf) * alpha.powf(r) / g(r) / beta(a, b);
            let want = c
                * (beta(a, b + xf + 1.0) * (alpha + t).powf(-(r + xf))
                    + beta(a + 1.0, b + xf) * (alpha + t_x).powf(-(r + xf)));
            let got = M.log_likelihood_of(&History { x, t_x, t });
            assert!((got - want.ln()).abs() < 1e-12, "{got} vs {}", want.ln());
        }
    }

    #[test]
    fn a_one_time_buyer_can_be_gone() {
        // P(alive | x = 0) = 1 / (1 + a/b · ((α+T)/α)^r): below 1, unlike the BG/NBD.
        let h = History {
            x: 0,
            t_x: 0.0,
            t: 30.0,
        };
        let want = 1.0 / (1.0 + M.a / M.b * ((M.alpha + 30.0) / M.alpha).powf(M.r));
        assert!((M.p_alive(&h) - want).abs() < 1e-12);
        assert!(want < 0.5);
    }

    #[test]
    fn the_conditional_expectation_is_batislams_closed_form() {
        // Batislam et al. (2007): (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x)
        // ₂F₁(r+x, b+x+1; a+b+x; t/(α+T+t))] / (1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)).
        let MbgNbd { r, alpha, a, b } = M;
        let (x, t_x, t, horizon) = (2.0, 30.43, 38.86, 39.0);
        let f = super::super::special::hyp2f1(
            r + x,
            b + x + 1.0,
            a + b + x,
            horizon / (alpha + t + horizon),
        )
        .unwrap();
        let want = (a + b + x) / (a - 1.0)
            * (1.0 - ((alpha + t) / (alpha + t + horizon)).powf(r + x) * f)
            / (1.0 + a / (b + x) * ((alpha + t) / (alpha + t_x)).powf(r + x));
        let got = M
            .conditional_expected_purchases(horizon, &History { x: 2, t_x, t })
            .unwrap();
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }

    #[test]
    fn probabilities_sum_to_one_and_their_mean_is_the_closed_form() {
        for t in [1.0, 38.86, 78.0] {
            let p: Vec<f64> = (0..2000).map(|x| M.probability_of(x, t)).collect();
            let total: f64 = p.iter().sum();
            assert!((total - 1.0).abs() < 1e-9, "t = {t}: {total}");
            let mean: f64 = p.iter().enumerate().map(|(x, p)| x as f64 * p).sum();
            // Batislam et al. (2007): E[X(t)] = b/(a−1) [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))].
            let MbgNbd { r, alpha, a, b } = M;
            let f = super::super::special::hyp2f1(r, b + 1.0, a + b, t / (alpha + t)).unwrap();
            let want = b / (a - 1.0) * (1.0 - (alpha / (alpha + t)).powf(r) * f);
            assert!(
                (mean - want).abs() < 1e-6 * want,
                "t = {t}: {mean} vs {want}"
            );
            assert!((M.expected_purchases(t).unwrap() - want).abs() < 1e-9 * want);
        }
    }
}
