//! The four RFM groups of DOMAIN §2 for simulated customers: each customer is frequent or
//! rare, large or small, by their own purchase rate and mean spend per purchase (as drawn when
//! they arrive), against thresholds that default to the base's medians — the split `calibrate`
//! makes of a real cohort (see [`crate::calibrate::rfm`]).
//!
//! A simulated customer's purchase rate and mean spend are what a long history of their
//! purchases would show: their frequency and monetary value. Recency follows from the rate (a
//! customer who buys often has bought recently) and, as in `calibrate`, does not enter the
//! split. The group is read once, when the customer arrives, and kept for life, so that the
//! same customer is in the same group in the world with the program and the one without, and
//! what the program adds and costs can be read group by group.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Gamma};

use super::population::TypeBehaviour;

/// The four RFM groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Rare, small purchases.
    RareSmall,
    /// Frequent, small purchases.
    FrequentSmall,
    /// Rare, large purchases.
    RareLarge,
    /// Frequent, large purchases.
    FrequentLarge,
}

impl Group {
    /// All groups, in the sources' order.
    pub const ALL: [Group; 4] = [
        Group::RareSmall,
        Group::FrequentSmall,
        Group::RareLarge,
        Group::FrequentLarge,
    ];

    /// The key in a scenario file and in the output tables.
    pub fn key(self) -> &'static str {
        match self {
            Group::RareSmall => "rare_small",
            Group::FrequentSmall => "frequent_small",
            Group::RareLarge => "rare_large",
            Group::FrequentLarge => "frequent_large",
        }
    }

    /// The group for people.
    pub fn label(self) -> &'static str {
        match self {
            Group::RareSmall => "rare, small",
            Group::FrequentSmall => "frequent, small",
            Group::RareLarge => "rare, large",
            Group::FrequentLarge => "frequent, large",
        }
    }

    /// What the sources recommend for the group (DOMAIN §2).
    pub fn strategy(self) -> &'static str {
        match self {
            Group::RareSmall => "unprofitable: the program does not target them",
            Group::FrequentSmall => {
                "the most potential: work to raise their profitability (bigger baskets)"
            }
            Group::RareLarge => "moderately profitable: try to raise their visit frequency",
            Group::FrequentLarge => "very profitable: keep them at any cost",
        }
    }

    /// The group of a customer who is (or is not) frequent and large.
    pub fn classify(frequent: bool, large: bool) -> Group {
        match (frequent, large) {
            (false, false) => Group::RareSmall,
            (true, false) => Group::FrequentSmall,
            (false, true) => Group::RareLarge,
            (true, true) => Group::FrequentLarge,
        }
    }

    /// Position in [`Group::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The group with key `key`, if any.
    pub fn from_key(key: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.key() == key)
    }
}

/// Where frequent and large begin, for simulated customers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RfmThresholds {
    /// Purchases per month from which a customer is frequent.
    pub frequent_from: f64,
    /// Mean spend per purchase from which a customer is large, in currency.
    pub large_from: f64,
}

impl RfmThresholds {
    /// The group of a customer buying `rate` times a month for `spend` on average.
    pub fn group(&self, rate: f64, spend: f64) -> Group {
        Group::classify(rate >= self.frequent_from, spend >= self.large_from)
    }

    /// The medians of the customers' own purchase rates and mean spends over `types` weighted
    /// by their shares (the launch base), with `frequent_from` or `large_from` replacing either.
    pub fn medians(
        types: &[TypeBehaviour],
        frequent_from: Option<f64>,
        large_from: Option<f64>,
    ) -> RfmThresholds {
        RfmThresholds {
            frequent_from: frequent_from.unwrap_or_else(|| {
                median(types, |t| {
                    let r = t.purchases_per_month;
                    Spread::gamma(r.mean, r.cv)
                })
            }),
            large_from: large_from.unwrap_or_else(|| {
                median(types, |t| {
                    let s = t.spend_per_purchase;
                    Spread::inverse_gamma(s.mean, s.cv_between)
                })
            }),
        }
    }
}

/// How one type's customers spread a quantity: all alike, Gamma (purchase rates) or the
/// Gamma-Gamma customer mean `mean × (q − 1) / G` with `G ~ Gamma(q, 1)` (spend per purchase).
enum Spread {
    Point(f64),
    Gamma(Gamma),
    InverseGamma { scale: f64, g: Gamma },
}

impl Spread {
    fn gamma(mean: f64, cv: f64) -> Spread {
        if cv <= 0.0 || mean <= 0.0 {
            return Spread::Point(mean);
        }
        let shape = 1.0 / (cv * cv);
        Gamma::new(shape, shape / mean).map_or(Spread::Point(mean), Spread::Gamma)
    }

    fn inverse_gamma(mean: f64, cv_between: f64) -> Spread {
        if cv_between <= 0.0 || mean <= 0.0 {
            return Spread::Point(mean);
        }
        let q = 2.0 + 1.0 / (cv_between * cv_between);
        Gamma::new(q, 1.0).map_or(Spread::Point(mean), |g| Spread::InverseGamma {
            scale: mean * (q - 1.0),
            g,
        })
    }

    /// P(X ≤ x).
    fn cdf(&self, x: f64) -> f64 {
        match self {
            Spread::Point(p) => f64::from(u8::from(x >= *p)),
            Spread::Gamma(g) => g.cdf(x),
            // X = scale / G ≤ x ⇔ G ≥ scale / x.
            Spread::InverseGamma { scale, g } => {
                if x <= 0.0 {
                    0.0
                } else {
                    1.0 - g.cdf(scale / x)
                }
            }
        }
    }

    fn mean(&self) -> f64 {
        match self {
            Spread::Point(p) => *p,
            Spread::Gamma(g) => statrs::statistics::Distribution::mean(g).unwrap_or(0.0),
            Spread::InverseGamma { scale, g } => {
                let q = g.shape();
                scale / (q - 1.0)
            }
        }
    }
}

/// The median of the mixture of the types' spreads, weighted by share: the smallest x with
/// P(X ≤ x) ≥ ½, by bisection to a relative 10⁻¹⁰.
fn median(types: &[TypeBehaviour], spread: impl Fn(&TypeBehaviour) -> Spread) -> f64 {
    let parts: Vec<(f64, Spread)> = types
        .iter()
        .filter(|t| t.share > 0.0)
        .map(|t| (t.share, spread(t)))
        .collect();
    let total: f64 = parts.iter().map(|(w, _)| w).sum();
    if parts.is_empty() || total <= 0.0 {
        return 0.0;
    }
    let cdf = |x: f64| parts.iter().map(|(w, s)| w * s.cdf(x)).sum::<f64>() / total;
    let mut hi = parts
        .iter()
        .map(|(_, s)| s.mean())
        .fold(0.0, f64::max)
        .max(1e-9);
    while cdf(hi) < 0.5 && hi < 1e15 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) >= 0.5 {
            hi = mid;
        } else {
            lo = mid;
        }
        if hi - lo <= 1e-10 * hi {
            break;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::population::{LoyaltyType, PurchaseRate, SpendPerPurchase, Timing};
    use crate::model::response::ResponseCurves;

    fn ty(share: f64, rate: f64, rate_cv: f64, spend: f64, cv_between: f64) -> TypeBehaviour {
        TypeBehaviour {
            loyalty_type: LoyaltyType::True,
            share,
            purchases_per_month: PurchaseRate {
                mean: rate,
                cv: rate_cv,
                timing: Timing::Random,
            },
            spend_per_purchase: SpendPerPurchase {
                mean: spend,
                cv_within: 0.5,
                cv_between,
            },
            attrition_per_month: 0.01,
            response: ResponseCurves::fixed_lift(0.5, 0.0, 0.0, 0.0),
            goal_gradient_response: 1.0,
            redemption_per_month: 0.5,
            competitor_sensitivity: 0.1,
            word_of_mouth: 0.0,
            exit_reaction: 0.0,
        }
    }

    #[test]
    fn groups_split_at_the_thresholds() {
        let t = RfmThresholds {
            frequent_from: 2.0,
            large_from: 40.0,
        };
        assert_eq!(t.group(1.9, 39.9), Group::RareSmall);
        assert_eq!(t.group(2.0, 39.9), Group::FrequentSmall);
        assert_eq!(t.group(1.0, 40.0), Group::RareLarge);
        assert_eq!(t.group(5.0, 80.0), Group::FrequentLarge);
        assert_eq!(Group::from_key("rare_large"), Some(Group::RareLarge));
        assert_eq!(Group::from_key("rare"), None);
        assert_eq!(Group::FrequentLarge.index(), 3);
    }

    #[test]
    fn medians_of_known_spreads() {
        // cv = 1: the rate is exponential with mean 2, whose median is 2 ln 2 = 1.386294.
        let one = [ty(1.0, 2.0, 1.0, 30.0, 0.0)];
        let t = RfmThresholds::medians(&one, None, None);
        assert!((t.frequent_from - 2.0 * std::f64::consts::LN_2).abs() < 1e-8);
        // All alike in spend: the median is the mean.
        assert!((t.large_from - 30.0).abs() < 1e-8);
        // Two types alike within, 60% at 1 a month for €20 and 40% at 4 for €50: the median
        // customer is of the first type.
        let two = [ty(0.6, 1.0, 0.0, 20.0, 0.0), ty(0.4, 4.0, 0.0, 50.0, 0.0)];
        let t = RfmThresholds::medians(&two, None, None);
        assert!((t.frequent_from - 1.0).abs() < 1e-8);
        assert!((t.large_from - 20.0).abs() < 1e-8);
        // Given values replace the medians.
        let t = RfmThresholds::medians(&two, Some(3.0), Some(45.0));
        assert_eq!((t.frequent_from, t.large_from), (3.0, 45.0));
        // Spend between customers, cv 0.5: q = 6, the mean's median is 30 × 5 / median of
        // Gamma(6, 1) (5.670156, Abramowitz & Stegun 26.4 via the χ² table, 12 d.f. median
        // 11.340 / 2), so 26.4543.
        let spread = [ty(1.0, 2.0, 0.0, 30.0, 0.5)];
        let t = RfmThresholds::medians(&spread, None, None);
        assert!(
            (t.large_from - 150.0 / 5.670_156).abs() < 1e-3,
            "{}",
            t.large_from
        );
    }
}
