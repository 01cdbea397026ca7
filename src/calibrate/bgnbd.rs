//! The BG/NBD purchase model (Fader, Hardie & Lee, "Counting your customers the easy way: an
//! alternative to the Pareto/NBD model", Marketing Science 24(2), 2005).
//!
//! While alive, a customer buys as a Poisson process with rate λ; after each purchase they
//! drop out for good with probability p. Across customers λ ~ Gamma(r, α) and p ~ Beta(a, b).
//! A customer's data are x repeat purchases, the time t_x of the last one and the time T they
//! have been observed, all measured from their first purchase. Equation numbers below are the
//! paper's.

use super::fit::{Convergence, Estimate, FitError, Likelihood, maximise};
use super::special::{hyp2f1, ln_beta};
use statrs::function::gamma::ln_gamma;

/// BG/NBD parameters: λ ~ Gamma(shape r, rate α) per time unit, p ~ Beta(a, b).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgNbd {
    /// Shape of the purchase-rate distribution.
    pub r: f64,
    /// Rate (inverse scale) of the purchase-rate distribution, in time units.
    pub alpha: f64,
    /// First shape of the dropout-probability distribution.
    pub a: f64,
    /// Second shape of the dropout-probability distribution.
    pub b: f64,
}

/// One customer's purchase history in the calibration period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct History {
    /// Repeat purchases (purchase days after the first).
    pub x: u32,
    /// Time of the last purchase since the first.
    pub t_x: f64,
    /// Time observed since the first purchase.
    pub t: f64,
}

/// Histories with how many customers share each, so the likelihood is summed once per
/// distinct history; sorted by (x, t_x, T), so every sum runs in one fixed order.
#[derive(Debug, Clone, Default)]
pub struct Histories {
    /// (history, customers with it).
    pub distinct: Vec<(History, f64)>,
    /// Largest x.
    max_x: u32,
}

impl Histories {
    /// Groups `histories` by equal (x, t_x, T).
    pub fn new(histories: impl IntoIterator<Item = History>) -> Self {
        let mut all: Vec<History> = histories.into_iter().collect();
        all.sort_by(|p, q| {
            p.x.cmp(&q.x)
                .then(p.t_x.total_cmp(&q.t_x))
                .then(p.t.total_cmp(&q.t))
        });
        let mut distinct: Vec<(History, f64)> = Vec::new();
        for h in all {
            match distinct.last_mut() {
                Some((last, n)) if *last == h => *n += 1.0,
                _ => distinct.push((h, 1.0)),
            }
        }
        let max_x = distinct.last().map_or(0, |d| d.0.x);
        Histories { distinct, max_x }
    }

    /// Number of customers.
    pub fn customers(&self) -> f64 {
        self.distinct.iter().map(|d| d.1).sum()
    }

    /// Time observed per repeat purchase, over all customers (1 if there are none): the scale
    /// of the purchase rate, where the fits start.
    pub fn mean_time_per_purchase(&self) -> f64 {
        let (purchases, time) = self.distinct.iter().fold((0.0, 0.0), |(x, t), (h, n)| {
            (x + n * f64::from(h.x), t + n * h.t)
        });
        if time > 0.0 && purchases > 0.0 {
            time / purchases
        } else {
            1.0
        }
    }

    /// Σ over customers of `ll(history)`: once per distinct history, weighted by its
    /// customers, in parallel chunks of fixed size summed in order, so the result does not
    /// depend on the number of threads.
    pub fn sum_by_history(&self, ll: impl Fn(&History) -> f64 + Sync) -> f64 {
        use rayon::prelude::*;
        let partial: Vec<f64> = self
            .distinct
            .par_chunks(CHUNK)
            .map(|chunk| chunk.iter().map(|(h, n)| n * ll(h)).sum())
            .collect();
        partial.iter().sum()
    }

    /// The largest number of repeat purchases.
    pub fn max_x(&self) -> u32 {
        self.max_x
    }
}

/// The NBD probability of `x` purchases in (0, t] at Gamma(r, α)-distributed Poisson rates:
/// Γ(r+x) / (Γ(r) x!) · (α/(α+t))^r · (t/(α+t))^x (1 for x = 0 at t = 0).
pub fn nbd_probability(r: f64, alpha: f64, x: u32, t: f64) -> f64 {
    if t <= 0.0 {
        return if x == 0 { 1.0 } else { 0.0 };
    }
    let xf = f64::from(x);
    (ln_gamma(r + xf) - ln_gamma(r) - ln_gamma(xf + 1.0)
        + r * (alpha / (alpha + t)).ln()
        + xf * (t / (alpha + t)).ln())
    .exp()
}

impl BgNbd {
    /// The log-likelihood of one history (eq. 6, on the log scale with a log-sum-exp).
    pub fn log_likelihood_of(&self, h: &History) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(h.x);
        let common =
            ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln() + ln_beta(a, b + x) - ln_beta(a, b);
        let alive = -(r + x) * (alpha + h.t).ln();
        if h.x == 0 {
            return common + alive;
        }
        let dropped = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + h.t_x).ln();
        let m = alive.max(dropped);
        common + m + ((alive - m).exp() + (dropped - m).exp()).ln()
    }

    /// Probability that a customer with history `h` is still alive at T.
    pub fn p_alive(&self, h: &History) -> f64 {
        if h.x == 0 {
            return 1.0;
        }
        let BgNbd { r, alpha, a, b } = *self;
        let x = f64::from(h.x);
        let odds = (a / (b + x - 1.0)) * ((r + x) * ((alpha + h.t) / (alpha + h.t_x)).ln()).exp();
        1.0 / (1.0 + odds)
    }

    /// Expected purchases of a new customer in (0, t] (eq. 9). `None` if ₂F₁ does not settle.
    pub fn expected_purchases(&self, t: f64) -> Option<f64> {
        let BgNbd { r, alpha, a, b } = *self;
        if a == 1.0 {
            return None; // the closed form divides by a − 1
        }
        let f = hyp2f1(r, b, a + b - 1.0, t / (alpha + t))?;
        Some((a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)).powf(r) * f))
    }

    /// Probability of exactly `x` repeat purchases in (0, t] for a new customer (eq. 8).
    pub fn probability_of(&self, x: u32, t: f64) -> f64 {
        let BgNbd { r, alpha, a, b } = *self;
        let xf = f64::from(x);
        let ln_q = (alpha / (alpha + t)).ln();
        let ln_z = (t / (alpha + t)).ln();
        // NBD probability of j purchases: Γ(r+j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j.
        let nbd = |j: f64| {
            (ln_gamma(r + j) - ln_gamma(r) - ln_gamma(j + 1.0) + r * ln_q + j * ln_z).exp()
        };
        let alive = (ln_beta(a, b + xf) - ln_beta(a, b)).exp() * nbd(xf);
        if x == 0 {
            return alive;
        }
        // 1 − P(NBD ≤ x − 1).
        let below: f64 = (0..x).map(|j| nbd(f64::from(j))).sum();
        let dropped = (ln_beta(a + 1.0, b + xf - 1.0) - ln_beta(a, b)).exp() * (1.0 - below);
        alive + dropped.max(0.0)
    }

    /// Expected purchases in the next `horizon` time units of a customer with history `h`
    /// (eq. 10). `None` if ₂F₁ does not settle.
    pub fn conditional_expected_purchases(&self, horizon: f64, h: &History) -> Option<f64> {
        let BgNbd { r, alpha, a, b } = *self;
        if a == 1.0 {
            return None; // the closed form divides by a − 1
        }
        let x = f64::from(h.x);
        let z = horizon / (alpha + h.t + horizon);
        let f = hyp2f1(r + x, b + x, a + b + x - 1.0, z)?;
        let decay = ((r + x) * ((alpha + h.t) / (alpha + h.t + horizon)).ln()).exp();
        let numerator = (a + b + x - 1.0) / (a - 1.0) * (1.0 - decay * f);
        Some(numerator * self.p_alive(h))
    }

    /// Mean purchase rate of a customer alive at T with history `h` (per time unit), and its
    /// variance: λ | alive, h ~ Gamma(r + x, α + T).
    pub fn posterior_rate(&self, h: &History) -> (f64, f64) {
        let shape = self.r + f64::from(h.x);
        let rate = self.alpha + h.t;
        (shape / rate, shape / (rate * rate))
    }

    /// Expected dropout hazard (per time unit) of a customer alive at T with history `h`:
    /// E[λ p | alive, h] = E[λ] E[p], with p | alive, h ~ Beta(a, b + x) independent of λ.
    pub fn posterior_dropout_rate(&self, h: &History) -> f64 {
        let (rate, _) = self.posterior_rate(h);
        rate * self.a / (self.a + self.b + f64::from(h.x))
    }
}

/// Histories per chunk of the parallel likelihood sum: fixed, so the sum's order (chunk by
/// chunk, each in order) is the same on any number of threads.
const CHUNK: usize = 4096;

impl Likelihood<4> for Histories {
    const NAMES: [&'static str; 4] = ["r", "alpha", "a", "b"];
    fn log_likelihood(&self, p: &[f64; 4]) -> f64 {
        use rayon::prelude::*;
        let (r, alpha, a, b) = (p[0], p[1], p[2], p[3]);
        // The terms that depend on x only, once per x rather than once per history:
        // ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b), and ln a − ln(b+x−1).
        let base = r * alpha.ln() - ln_gamma(r) - ln_beta(a, b);
        let by_x: Vec<(f64, f64)> = (0..=self.max_x)
            .map(|x| {
                let x = f64::from(x);
                let common = base + ln_gamma(r + x) + ln_beta(a, b + x);
                let dropped = if x > 0.0 {
                    a.ln() - (b + x - 1.0).ln()
                } else {
                    f64::NEG_INFINITY
                };
                (common, dropped)
            })
            .collect();
        let partial: Vec<f64> = self
            .distinct
            .par_chunks(CHUNK)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(|(h, n)| {
                        // `new` sorts `distinct` by x and takes max_x from the last, so
                        // h.x ≤ max_x < by_x.len().
                        let (common, dropped) = by_x[h.x as usize];
                        let rx = r + f64::from(h.x);
                        let alive = -rx * (alpha + h.t).ln();
                        let ll = if h.x == 0 {
                            common + alive
                        } else {
                            let dropped = dropped - rx * (alpha + h.t_x).ln();
                            let m = alive.max(dropped);
                            common + m + ((alive - m).exp() + (dropped - m).exp()).ln()
                        };
                        n * ll
                    })
                    .sum()
            })
            .collect();
        partial.iter().sum()
    }
}

/// A fitted BG/NBD model.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedBgNbd {
    /// The estimates as a model.
    pub model: BgNbd,
    /// r, α, a, b with standard errors.
    pub estimates: [Estimate; 4],
    /// How the search went.
    pub convergence: Convergence,
}

/// Fits the BG/NBD model to `histories` by maximum likelihood.
pub fn fit(histories: &Histories) -> Result<FittedBgNbd, FitError> {
    // Start from r = 1 with α matching the mean purchase rate, and a = b = 1 (uniform dropout
    // probability): scale-free, so the same start serves days, weeks or months.
    let (estimates, convergence) = maximise(
        histories,
        "BG/NBD",
        [1.0, histories.mean_time_per_purchase(), 1.0, 1.0],
        "the calibration period may hold too few repeat purchases: end it later, or check that \
         the customer and date columns are the right ones",
    )?;
    Ok(FittedBgNbd {
        model: BgNbd {
            r: estimates[0].value,
            alpha: estimates[1].value,
            a: estimates[2].value,
            b: estimates[3].value,
        },
        estimates,
        convergence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fader, Hardie & Lee (2005), estimates on the CDNOW sample (weeks).
    const PUBLISHED: BgNbd = BgNbd {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    #[test]
    fn probabilities_sum_to_one_and_their_mean_is_eq_9() {
        for t in [1.0, 38.86, 78.0] {
            let p: Vec<f64> = (0..2000).map(|x| PUBLISHED.probability_of(x, t)).collect();
            let total: f64 = p.iter().sum();
            assert!((total - 1.0).abs() < 1e-9, "t = {t}: {total}");
            let mean: f64 = p.iter().enumerate().map(|(x, p)| x as f64 * p).sum();
            let want = PUBLISHED.expected_purchases(t).unwrap();
            assert!(
                (mean - want).abs() < 1e-6 * want,
                "t = {t}: {mean} vs {want}"
            );
        }
    }

    #[test]
    fn conditional_expectation_matches_the_published_example() {
        // Fader, Hardie & Lee (2005), §4 and the note "Implementing the BG/NBD model": a
        // customer with x = 2, t_x = 30.43, T = 38.86 is expected to make 1.226 purchases in
        // the next 39 weeks.
        let h = History {
            x: 2,
            t_x: 30.43,
            t: 38.86,
        };
        let e = PUBLISHED.conditional_expected_purchases(39.0, &h).unwrap();
        assert!((e - 1.226).abs() < 0.0005, "{e}");
    }

    #[test]
    fn a_customer_without_repeat_purchases_is_alive_and_one_long_silent_is_probably_not() {
        let none = History {
            x: 0,
            t_x: 0.0,
            t: 30.0,
        };
        assert_eq!(PUBLISHED.p_alive(&none), 1.0);
        let recent = History {
            x: 5,
            t_x: 37.0,
            t: 38.0,
        };
        let silent = History {
            x: 5,
            t_x: 5.0,
            t: 38.0,
        };
        // 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) = 1 / (1 + 0.1234 · 1.1333) = 0.877.
        assert!((PUBLISHED.p_alive(&recent) - 0.877).abs() < 0.0005);
        assert!(PUBLISHED.p_alive(&silent) < 0.1);
    }

    #[test]
    fn the_grouped_likelihood_is_the_sum_over_customers() {
        let all = [
            History {
                x: 0,
                t_x: 0.0,
                t: 30.0,
            },
            History {
                x: 0,
                t_x: 0.0,
                t: 30.0,
            },
            History {
                x: 2,
                t_x: 12.5,
                t: 38.0,
            },
            History {
                x: 7,
                t_x: 35.0,
                t: 36.0,
            },
        ];
        let by_customer: f64 = all.iter().map(|h| PUBLISHED.log_likelihood_of(h)).sum();
        let histories = Histories::new(all);
        assert_eq!(histories.distinct.len(), 3);
        let BgNbd { r, alpha, a, b } = PUBLISHED;
        let grouped = histories.log_likelihood(&[r, alpha, a, b]);
        assert!((grouped - by_customer).abs() < 1e-9 * by_customer.abs());
    }

    #[test]
    fn likelihood_of_one_history_is_eq_6_without_logs() {
        let BgNbd { r, alpha, a, b } = PUBLISHED;
        let (x, t_x, t) = (3.0_f64, 20.0_f64, 35.0_f64);
        let beta = |p: f64, q: f64| ln_beta(p, q).exp();
        let g = |v: f64| ln_gamma(v).exp();
        let want = beta(a, b + x) / beta(a, b) * g(r + x) * alpha.powf(r)
            / (g(r) * (alpha + t).powf(r + x))
            + beta(a + 1.0, b + x - 1.0) / beta(a, b) * g(r + x) * alpha.powf(r)
                / (g(r) * (alpha + t_x).powf(r + x));
        let got = PUBLISHED.log_likelihood_of(&History { x: 3, t_x, t });
        assert!((got - want.ln()).abs() < 1e-12);
    }
}
