//! Special functions the customer-base models need beyond `statrs`: the log of the beta
//! function and Gauss's hypergeometric function ₂F₁, which the BG/NBD forecasts are written in.

use statrs::function::gamma::ln_gamma;

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Gauss's hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1 and c ≠ 0, −1, −2, …, by its power
/// series Σ (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ, summed until a term no longer changes the sum.
///
/// The BG/NBD forecasts call it with z = t / (α + T + t) < 1, where the series converges
/// geometrically (ratio of terms → z). `None` when z is outside [0, 1) or the series has not
/// settled after [`MAX_TERMS`] terms (z very close to 1), so a forecast never returns a
/// half-summed value.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    // c = 0, −1, −2, … makes a term's denominator zero; any other c, negative ones included
    // (the BG/NBD gives c = a + b − 1 < 0 when a + b < 1), is a convergent series.
    let pole = c <= 0.0 && c.fract() == 0.0;
    if !(0.0..1.0).contains(&z) || pole || !(a.is_finite() && b.is_finite() && c.is_finite()) {
        return None;
    }
    let mut term = 1.0_f64;
    let mut sum = 1.0_f64;
    for k in 0..MAX_TERMS {
        let k = k as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        // Once past every sign change (c + k > 0) the ratio of terms tends to z from either
        // side; bounding the tail by a geometric series with the larger of the two, a
        // negligible term means a negligible tail.
        let ratio = ((a + k + 1.0) * (b + k + 1.0) / ((c + k + 1.0) * (k + 2.0)) * z)
            .abs()
            .max(z);
        if c + k + 1.0 > 0.0 && ratio < 1.0 && term.abs() <= sum.abs() * 1e-16 * (1.0 - ratio) {
            return sum.is_finite().then_some(sum);
        }
        if !sum.is_finite() {
            return None;
        }
    }
    None
}

/// Most terms [`hyp2f1`] sums before giving up.
pub const MAX_TERMS: usize = 100_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn close(x: f64, y: f64, tol: f64) -> bool {
        (x - y).abs() <= tol * y.abs().max(1.0)
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // Abramowitz & Stegun 15.1.3: ₂F₁(1, 1; 2; z) = −ln(1 − z) / z.
        for z in [0.01_f64, 0.3, 0.5, 0.9, 0.99] {
            let want = -(1.0 - z).ln() / z;
            assert!(
                close(hyp2f1(1.0, 1.0, 2.0, z).unwrap(), want, 1e-12),
                "z = {z}"
            );
        }
        // A&S 15.1.8: ₂F₁(a, b; b; z) = (1 − z)^−a.
        for (a, b, z) in [
            (0.243_f64, 2.426, 0.47_f64),
            (3.5, 0.8, 0.8),
            (12.0, 5.0, 0.2),
        ] {
            let want = (1.0 - z).powf(-a);
            assert!(
                close(hyp2f1(a, b, b, z).unwrap(), want, 1e-12),
                "{a} {b} {z}"
            );
        }
        // A&S 15.1.4: ₂F₁(1/2, 1; 3/2; z²) = atanh(z) / z.
        let z: f64 = 0.7;
        assert!(close(
            hyp2f1(0.5, 1.0, 1.5, z * z).unwrap(),
            z.atanh() / z,
            1e-12
        ));
        assert_eq!(hyp2f1(2.0, 3.0, 4.0, 0.0), Some(1.0));
        // A negative, non-integer c (a + b < 1 in the BG/NBD): A&S 15.1.8 again,
        // ₂F₁(a, c; c; z) = (1 − z)^−a with c = −0.327.
        let (a, c, z) = (0.6_f64, -0.327_f64, 0.4_f64);
        assert!(close(
            hyp2f1(a, c, c, z).unwrap(),
            (1.0 - z).powf(-a),
            1e-12
        ));
    }

    #[test]
    fn hyp2f1_refuses_outside_its_domain() {
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 1.0), None);
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, -0.1), None);
        assert_eq!(hyp2f1(1.0, 1.0, 0.0, 0.5), None);
        assert_eq!(hyp2f1(1.0, 1.0, -2.0, 0.5), None);
        assert_eq!(hyp2f1(f64::NAN, 1.0, 2.0, 0.5), None);
    }

    #[test]
    fn ln_beta_matches_factorials() {
        // B(3, 4) = 2! 3! / 6! = 1/60.
        assert!(close(ln_beta(3.0, 4.0), (1.0_f64 / 60.0).ln(), 1e-12));
    }
}
