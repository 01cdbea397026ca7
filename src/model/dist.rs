//! Random draws the kernel needs that `rand_distr` does not give in the form it needs:
//! Poisson counts by inversion of one uniform (so two worlds can share that uniform and stay
//! coupled), and sums of n Gamma purchases with the Gamma samplers built ahead of time.

use rand::Rng;
use rand_distr::{Distribution, Gamma};
use statrs::function::gamma::{gamma_ur, ln_gamma};

/// The Poisson(λ) count whose CDF first reaches `u` (inversion by sequential search).
///
/// Inversion makes the count a monotone function of `u` for each λ: two worlds that use the
/// same `u` with λ₁ ≤ λ₂ get counts n₁ ≤ n₂, and equal counts when λ₁ = λ₂ (up to the
/// rounding of the CDF in floating point). Small rates search up from 0; from
/// [`SEARCH_FROM_MODE`] on, the search starts at the mode, whose CDF is the regularised upper
/// incomplete gamma function Q(m + 1, λ), and takes O(√λ) steps: exact at any rate, where
/// e^-λ would underflow past λ ≈ 745.
pub fn poisson_inverse(u: f64, lambda: f64) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    if lambda >= SEARCH_FROM_MODE {
        return poisson_inverse_from_mode(u, lambda);
    }
    poisson_inverse_from_zero(u, lambda, (-lambda).exp())
}

/// [`poisson_inverse`] for a small rate, whose count is mostly 0: since e^-λ ≥ 1 − λ, any
/// `u` below 1 − λ gives 0 without working out e^-λ; above it the count is
/// [`poisson_inverse`]'s. The program world's purchases beyond its customer's own (see the
/// kernel) are such counts, one for each member-month.
pub fn poisson_small(u: f64, lambda: f64) -> u32 {
    if u < 1.0 - lambda {
        return 0;
    }
    poisson_inverse(u, lambda)
}

/// The Binomial(`n`, `p`) count whose CDF first reaches `u` (inversion by sequential search
/// from 0): how many of `n` purchases win a prize, or fall in a happy hour, from one uniform.
pub fn binomial_inverse(u: f64, n: u32, p: f64) -> u32 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let trials = f64::from(n);
    let ratio = p / (1.0 - p);
    // P(0) = (1 − p)ⁿ; P(k + 1) = P(k) × (n − k)/(k + 1) × p/(1 − p).
    let mut pmf = (trials * (-p).ln_1p()).exp();
    let mut cdf = pmf;
    let mut k = 0u32;
    while u >= cdf && k < n {
        pmf *= (trials - f64::from(k)) / f64::from(k + 1) * ratio;
        k += 1;
        cdf += pmf;
        if pmf == 0.0 && cdf < u {
            // The tail has underflowed: what is left is rounding.
            break;
        }
    }
    k
}

/// [`poisson_inverse`] for a rate that mostly repeats from one call to the next (a customer's
/// own rate, month after month). For a rate seen again, the CDF terms already summed are kept
/// in a table and extended only as far as a draw needs, so a repeated draw is a few
/// comparisons near the rate instead of a sum from 0. The table holds exactly the sums the
/// search from 0 makes, in the same order: the counts are [`poisson_inverse`]'s, bit for bit.
#[derive(Debug, Clone, Copy)]
pub struct PoissonInverse {
    lambda: f64,
    exp_neg: f64,
    /// `cdf[k]` = P(N ≤ k) as the search from 0 sums it, for k < `len`.
    cdf: [f64; CDF_TABLE],
    len: usize,
    /// The Poisson term of the last entry (`len − 1`), to extend the table.
    term: f64,
    /// The search stops at `len − 1` whatever `u` (the terms no longer add to the sum).
    complete: bool,
}

/// Entries kept of a repeated rate's CDF: past them (rates of dozens a month) the search goes
/// on from the last entry.
const CDF_TABLE: usize = 48;

/// Entries a repeated rate's draw counts through without a branch: up to rates of a few a
/// month, all a draw needs.
const SCAN: usize = 16;

impl Default for PoissonInverse {
    fn default() -> Self {
        PoissonInverse {
            lambda: f64::NAN,
            exp_neg: f64::NAN,
            cdf: [0.0; CDF_TABLE],
            len: 0,
            term: 0.0,
            complete: false,
        }
    }
}

impl PoissonInverse {
    /// The count for uniform `u` at rate `lambda` (see [`poisson_inverse`]).
    pub fn draw(&mut self, u: f64, lambda: f64) -> u32 {
        if lambda.is_nan() || lambda <= 0.0 {
            return 0;
        }
        if lambda >= SEARCH_FROM_MODE {
            return poisson_inverse_from_mode(u, lambda);
        }
        if lambda != self.lambda {
            // A new rate: searched from 0 as usual; the table starts when it comes again.
            self.lambda = lambda;
            self.exp_neg = (-lambda).exp();
            self.len = 0;
            return poisson_inverse_from_zero(u, lambda, self.exp_neg);
        }
        if self.len == 0 {
            self.cdf[0] = self.exp_neg;
            // Entries not yet summed are above any u, so the scan below never counts them.
            self.cdf[1..SCAN].fill(f64::INFINITY);
            self.term = self.exp_neg;
            self.len = 1;
            self.complete = false;
        }
        let last = self.len - 1;
        if u <= self.cdf[last] {
            if u <= self.cdf[SCAN - 1] {
                // The smallest k with u ≤ cdf[k] is the number of entries below u (the CDF
                // does not decrease): counted over the first entries without a branch, as a
                // search's exit would be mispredicted at random.
                return self.cdf[..SCAN].iter().map(|&c| u32::from(c < u)).sum();
            }
            // The smallest k with u ≤ cdf[k], from the entry nearest the rate.
            let mut k = (lambda as usize).min(last);
            if u <= self.cdf[k] {
                while k > 0 && u <= self.cdf[k - 1] {
                    k -= 1;
                }
            } else {
                while u > self.cdf[k] {
                    k += 1;
                }
            }
            return k as u32;
        }
        if self.complete {
            return last as u32;
        }
        self.extend(u, lambda)
    }

    /// Goes on from the table's last entry as the search from 0 would, keeping what it sums
    /// while there is room, until the sum reaches `u` or the terms stop adding to it.
    #[cold]
    fn extend(&mut self, u: f64, lambda: f64) -> u32 {
        let mut k = (self.len - 1) as u32;
        let mut term = self.term;
        let mut cdf = self.cdf[self.len - 1];
        while u > cdf {
            k += 1;
            term *= lambda / f64::from(k);
            cdf += term;
            let stop = term <= cdf * f64::EPSILON && f64::from(k) > lambda;
            if (k as usize) == self.len && self.len < CDF_TABLE {
                self.cdf[self.len] = cdf;
                self.term = term;
                self.len += 1;
                self.complete = stop;
            }
            if stop {
                break;
            }
        }
        k
    }
}

/// The search from 0 for 0 < `lambda` < [`SEARCH_FROM_MODE`], given `exp_neg` = e^-λ.
///
/// The terms are summed four at a time and the count within the four is the number of sums
/// below `u`: one branch per four terms instead of one per term, whose exit a processor
/// would mispredict at random. The sums are the term-by-term search's, in its order; where
/// its stop test could fire within the four, the four are walked term by term as it would.
fn poisson_inverse_from_zero(u: f64, lambda: f64, exp_neg: f64) -> u32 {
    let mut term = exp_neg;
    let mut cdf = term;
    let mut k = 0u32;
    // λ < SEARCH_FROM_MODE, so k stays far below u32::MAX.
    while u > cdf {
        let t1 = term * (lambda / f64::from(k + 1));
        let c1 = cdf + t1;
        let t2 = t1 * (lambda / f64::from(k + 2));
        let c2 = c1 + t2;
        let t3 = t2 * (lambda / f64::from(k + 3));
        let c3 = c2 + t3;
        let t4 = t3 * (lambda / f64::from(k + 4));
        let c4 = c3 + t4;
        // The terms rise to the mode and fall after it, so the least of the four is the first
        // or the last, and no sum exceeds the fourth: if none of them is negligible by that
        // bound, the stop test fires on none of the four.
        if t1.min(t4) <= c4 * f64::EPSILON {
            return search_on(u, lambda, k, term, cdf);
        }
        if u <= c4 {
            return k + 1 + u32::from(c1 < u) + u32::from(c2 < u) + u32::from(c3 < u);
        }
        (k, term, cdf) = (k + 4, t4, c4);
    }
    k
}

/// The search from 0 term by term, from the count `k` whose term and CDF are `term` and
/// `cdf` (u > cdf): it stops where the sum reaches `u`, or past the rate where the terms no
/// longer add to the sum.
#[cold]
fn search_on(u: f64, lambda: f64, mut k: u32, mut term: f64, mut cdf: f64) -> u32 {
    while u > cdf {
        k += 1;
        term *= lambda / f64::from(k);
        cdf += term;
        if term <= cdf * f64::EPSILON && f64::from(k) > lambda {
            break;
        }
    }
    k
}

/// Rate from which [`poisson_inverse`] searches from the mode rather than from 0.
pub const SEARCH_FROM_MODE: f64 = 150.0;

/// Largest rate searched for exactly: beyond a billion purchases a month the count is the
/// rate itself (relative spread below 0.003%).
const LARGEST_SEARCHED_RATE: f64 = 1e9;

fn poisson_inverse_from_mode(u: f64, lambda: f64) -> u32 {
    if lambda.is_nan() || lambda >= LARGEST_SEARCHED_RATE {
        return lambda.min(f64::from(u32::MAX)) as u32;
    }
    let mut k = lambda.floor();
    let mut term = (k * lambda.ln() - lambda - ln_gamma(k + 1.0)).exp();
    let mut cdf = gamma_ur(k + 1.0, lambda);
    if u <= cdf {
        // Walk down while the CDF one step below still reaches u.
        while k > 0.0 && u <= cdf - term {
            cdf -= term;
            term *= k / lambda;
            k -= 1.0;
        }
    } else {
        while u > cdf {
            k += 1.0;
            term *= lambda / k;
            cdf += term;
            if term <= cdf * f64::EPSILON {
                break;
            }
        }
    }
    k.min(f64::from(u32::MAX)) as u32
}

/// Draws of the sum of n independent Gamma(p, 1) variables, which is Gamma(n·p, 1).
///
/// The samplers for small n are built once; larger n (rare: many purchases in one month)
/// build theirs on the spot.
#[derive(Debug, Clone)]
pub struct GammaSums {
    shape: f64,
    table: Vec<Gamma<f64>>,
}

const PREBUILT_SUMS: u32 = 64;

impl GammaSums {
    /// Samplers for sums of Gamma(`shape`, 1); `shape` must be positive and finite.
    pub fn new(shape: f64) -> Self {
        let table = (1..=PREBUILT_SUMS)
            .filter_map(|n| Gamma::new(shape * f64::from(n), 1.0).ok())
            .collect();
        GammaSums { shape, table }
    }

    /// One draw of the sum of `n` ≥ 1 Gamma(shape, 1) variables.
    pub fn sample<R: Rng + ?Sized>(&self, n: u32, rng: &mut R) -> f64 {
        let index = n as usize - 1;
        match self.table.get(index) {
            Some(g) => g.sample(rng),
            None => Gamma::new(self.shape * f64::from(n), 1.0).map_or(0.0, |g| g.sample(rng)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binomial_count_steps_where_its_distribution_function_does() {
        // n = 4, s = 0.25: P(0) = 0.75⁴ = 0.316406; P(1) = 4 × 0.25 × 0.75³ = 0.421875.
        let p0 = 0.75f64.powi(4);
        let p1 = 4.0 * 0.25 * 0.75f64.powi(3);
        assert_eq!(binomial_inverse(p0 - 1e-9, 4, 0.25), 0);
        assert_eq!(binomial_inverse(p0 + 1e-9, 4, 0.25), 1);
        assert_eq!(binomial_inverse(p0 + p1 + 1e-9, 4, 0.25), 2);
        assert_eq!(binomial_inverse(0.9, 0, 0.25), 0);
        assert_eq!(binomial_inverse(0.1, 3, 1.0), 3);
        assert!(binomial_inverse(1.0 - 1e-16, 4, 0.25) <= 4);
    }
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn poisson_inverse_matches_the_cdf_at_its_steps() {
        // Poisson(2): P(0) = e^-2 = 0.135335, P(≤1) = 3e^-2 = 0.406006, P(≤2) = 5e^-2 = 0.676676.
        assert_eq!(poisson_inverse(0.135, 2.0), 0);
        assert_eq!(poisson_inverse(0.1354, 2.0), 1);
        assert_eq!(poisson_inverse(0.406, 2.0), 1);
        assert_eq!(poisson_inverse(0.4061, 2.0), 2);
        assert_eq!(poisson_inverse(0.6767, 2.0), 3);
        assert_eq!(poisson_inverse(0.5, 0.0), 0);
        // u just below 1 still ends, at a plausible count.
        let k = poisson_inverse(1.0 - f64::EPSILON, 500.0);
        assert!(k > 550 && k < 750, "{k}");
    }

    /// The search from 0 term by term, as the definition reads: the smallest k whose CDF
    /// reaches u, or past λ the k whose term no longer adds to the sum.
    fn term_by_term(u: f64, lambda: f64) -> u32 {
        let (mut k, mut term) = (0u32, (-lambda).exp());
        let mut cdf = term;
        while u > cdf {
            k += 1;
            term *= lambda / f64::from(k);
            cdf += term;
            if term <= cdf * f64::EPSILON && f64::from(k) > lambda {
                break;
            }
        }
        k
    }

    #[test]
    fn four_terms_at_a_time_give_the_term_by_term_counts_bit_for_bit() {
        // Tiny rates (the stop test fires within the first four terms), whole and fractional
        // rates, up to the switch to the search from the mode; u at the extremes, at the CDF's
        // own steps (ties) and at random.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
        let rates: [f64; 15] = [
            1e-300, 1e-12, 1e-5, 0.001, 0.01, 0.3, 1.0, 2.0, 3.999, 4.0, 6.5, 9.0, 17.25, 60.0,
            149.9,
        ];
        for &lambda in &rates {
            let mut us = vec![0.0, f64::EPSILON, 0.5, 1.0 - f64::EPSILON, 1.0];
            // The CDF's steps, exactly as summed, and their neighbours.
            let (mut term, mut cdf) = ((-lambda).exp(), (-lambda).exp());
            for k in 1..40 {
                us.extend([cdf, cdf.next_down(), cdf.next_up()]);
                term *= lambda / f64::from(k);
                cdf += term;
            }
            us.extend((0..5_000).map(|_| rng.random::<f64>()));
            for &u in &us {
                assert_eq!(
                    poisson_inverse(u, lambda),
                    term_by_term(u, lambda),
                    "λ={lambda} u={u}"
                );
            }
        }
    }

    #[test]
    fn a_small_rate_s_count_is_the_inverse_s_wherever_the_shortcut_is_not_taken() {
        // Below 1 − λ the shortcut says 0 without e^-λ; the inverse agrees there, since
        // P(N = 0) = e^-λ ≥ 1 − λ. Everywhere else the two are one function.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(23);
        for &lambda in &[1e-9_f64, 1e-4, 0.02, 0.3, 0.999, 1.0, 1.7, 6.0] {
            let edge = 1.0 - lambda;
            let mut us = vec![0.0, edge.next_down(), edge, edge.next_up(), 1.0];
            us.extend((0..20_000).map(|_| rng.random::<f64>()));
            for &u in &us {
                assert_eq!(
                    poisson_small(u, lambda),
                    poisson_inverse(u, lambda),
                    "λ={lambda} u={u}"
                );
            }
        }
        // Poisson(0.1): P(0) = e^-0.1 = 0.904837, P(≤ 1) = 1.1·e^-0.1 = 0.995321.
        assert_eq!(poisson_small(0.9048, 0.1), 0);
        assert_eq!(poisson_small(0.9049, 0.1), 1);
        assert_eq!(poisson_small(0.9953, 0.1), 1);
        assert_eq!(poisson_small(0.9954, 0.1), 2);
    }

    #[test]
    fn the_kept_exponential_and_table_give_the_search_s_counts_bit_for_bit() {
        // Rates repeat and change, small and large (60 outgrows the table), and u reaches the
        // extremes before and after the table has grown: every count equals the plain
        // search's.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let mut kept = PoissonInverse::default();
        let rates = [
            0.05, 0.05, 2.0, 2.0, 9.3, 9.3, 9.3, 20.0, 20.0, 40.0, 40.0, 60.0, 120.0, 120.0, 149.9,
            150.0, 0.0,
        ];
        for &lambda in &rates {
            for i in 0..2_000 {
                let u = match i {
                    0 | 700 => f64::EPSILON,
                    1 | 1_500 => 1.0 - f64::EPSILON,
                    _ => rng.random::<f64>(),
                };
                assert_eq!(
                    kept.draw(u, lambda),
                    poisson_inverse(u, lambda),
                    "λ={lambda} u={u}"
                );
            }
        }
    }

    #[test]
    fn poisson_inverse_has_the_poisson_mean_and_variance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for lambda in [0.3, 4.0, 37.5] {
            let n = 200_000;
            let draws: Vec<f64> = (0..n)
                .map(|_| f64::from(poisson_inverse(rng.random::<f64>(), lambda)))
                .collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            // Standard error of the mean is sqrt(λ/n); 5 of them is a generous band.
            let tol = 5.0 * (lambda / n as f64).sqrt();
            assert!((mean - lambda).abs() < tol, "λ={lambda}: mean {mean}");
            assert!((var / lambda - 1.0).abs() < 0.02, "λ={lambda}: var {var}");
        }
    }

    #[test]
    fn poisson_inverse_from_the_mode_matches_the_cdf_and_the_search_from_zero() {
        // Poisson(1000): P(X ≤ 1000) = Q(1001, 1000) = 0.508409 (R: ppois(1000, 1000)).
        let cdf = gamma_ur(1001.0, 1000.0);
        assert!((cdf - 0.508_409).abs() < 1e-6, "{cdf}");
        assert_eq!(poisson_inverse(cdf - 1e-9, 1000.0), 1000);
        assert_eq!(poisson_inverse(cdf + 1e-9, 1000.0), 1001);
        // Around the switch both searches agree.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        for _ in 0..20_000 {
            let u = rng.random::<f64>();
            let from_zero = {
                let (mut k, mut term) = (0u32, (-160.0f64).exp());
                let mut cdf = term;
                while u > cdf {
                    k += 1;
                    term *= 160.0 / f64::from(k);
                    cdf += term;
                }
                k
            };
            let from_mode = poisson_inverse(u, 160.0);
            assert!(
                from_zero.abs_diff(from_mode) <= 1,
                "u={u}: {from_zero} vs {from_mode}"
            );
        }
        // Rates far beyond e^-λ's range keep their spread: mean λ, variance λ.
        for lambda in [2_000.0, 1e6] {
            let n = 20_000;
            let draws: Vec<f64> = (0..n)
                .map(|_| f64::from(poisson_inverse(rng.random::<f64>(), lambda)))
                .collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
                "{lambda}: {mean}"
            );
            assert!((var / lambda - 1.0).abs() < 0.05, "{lambda}: var {var}");
        }
    }

    #[test]
    fn poisson_inverse_is_monotone_in_lambda_for_a_shared_uniform() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for _ in 0..10_000 {
            let u = rng.random::<f64>();
            let a = poisson_inverse(u, 3.0);
            let b = poisson_inverse(u, 3.3);
            assert!(a <= b);
            assert_eq!(a, poisson_inverse(u, 3.0));
        }
    }

    #[test]
    fn gamma_sums_have_mean_n_times_shape() {
        let sums = GammaSums::new(2.5);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        for n in [1u32, 7, 100] {
            let draws = 50_000;
            let mean = (0..draws).map(|_| sums.sample(n, &mut rng)).sum::<f64>() / draws as f64;
            let expected = 2.5 * f64::from(n);
            let tol = 5.0 * expected.sqrt() / (draws as f64).sqrt();
            assert!((mean - expected).abs() < tol, "n={n}: {mean}");
        }
    }
}
