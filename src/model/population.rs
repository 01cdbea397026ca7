//! The customer population: four loyalty types (five with the optional committed type), each with its own purchasing, spending,
//! attrition and response to the program (DOMAIN §1, Dick & Basu 1994).
//!
//! Purchase rates are Gamma-distributed across customers, so monthly purchase counts are
//! negative binomial across the base (Ehrenberg's NBD). Spend per purchase follows the
//! Gamma-Gamma model of Fader & Hardie: a customer's purchases are Gamma around their own mean,
//! and the scale of that Gamma is itself Gamma-distributed across customers.

use rand::Rng;
use rand_distr::{Distribution, Gamma};
use serde::Serialize;

use super::dist::GammaSums;
use super::response::ResponseCurves;

/// The loyalty types, from the attitude × patronage matrix: the four every scenario has and
/// the optional fifth, committed loyalty (last, so the first four keep their positions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoyaltyType {
    /// High attitude, high patronage.
    True,
    /// High attitude, low patronage: the type a program can most grow.
    Latent,
    /// Low attitude, high patronage: buys from habit or for the discounts.
    False,
    /// Low attitude, low patronage.
    NoLoyalty,
    /// Very high attitude, high patronage: the extreme of true loyalty, fully insensitive to
    /// competitors (DOMAIN §1; Oliver 1999's "ultimate" loyalty). Optional: present only when
    /// a scenario states `[population.committed]`.
    Committed,
}

/// Number of loyalty types, the length of every per-type array.
pub const TYPES: usize = 5;

/// Index of the committed type in per-type arrays.
pub const COMMITTED: usize = 4;

impl LoyaltyType {
    /// All five, in the order used everywhere (tables, arrays, outputs).
    pub const ALL: [LoyaltyType; TYPES] = [
        LoyaltyType::True,
        LoyaltyType::Latent,
        LoyaltyType::False,
        LoyaltyType::NoLoyalty,
        LoyaltyType::Committed,
    ];

    /// The four types every scenario has (outputs of a scenario without committed loyalty).
    pub const FOUR: [LoyaltyType; 4] = [
        LoyaltyType::True,
        LoyaltyType::Latent,
        LoyaltyType::False,
        LoyaltyType::NoLoyalty,
    ];

    /// The key of the type in a scenario file (`[population.<key>]`).
    pub fn key(self) -> &'static str {
        match self {
            LoyaltyType::True => "true",
            LoyaltyType::Latent => "latent",
            LoyaltyType::False => "false",
            LoyaltyType::NoLoyalty => "none",
            LoyaltyType::Committed => "committed",
        }
    }

    /// The type's name for people, e.g. "true loyalty", "no loyalty".
    pub fn label(self) -> &'static str {
        match self {
            LoyaltyType::True => "true loyalty",
            LoyaltyType::Latent => "latent loyalty",
            LoyaltyType::False => "false loyalty",
            LoyaltyType::NoLoyalty => "no loyalty",
            LoyaltyType::Committed => "committed loyalty",
        }
    }

    /// Position in [`LoyaltyType::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How a customer's purchases fall within months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timing {
    /// Poisson counts around the customer's rate: purchases at random moments.
    Random,
    /// As even as the rate allows: ⌊rate⌋ purchases, plus one with probability equal to the
    /// fraction (a weekly shopper buys 4 or 5 times a month, never 0 or 9).
    Regular,
}

/// Purchases per month across the customers of one type.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PurchaseRate {
    /// Mean purchases per customer per month.
    pub mean: f64,
    /// Coefficient of variation of the rate across customers (0 = all alike).
    pub cv: f64,
    /// How purchases fall within a month.
    pub timing: Timing,
}

/// Spend per purchase (Gamma-Gamma), in currency units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SpendPerPurchase {
    /// Mean spend per purchase across the type.
    pub mean: f64,
    /// Coefficient of variation of one customer's purchases around their own mean (0 = fixed).
    pub cv_within: f64,
    /// Coefficient of variation of customers' own means across the type (0 = all alike).
    pub cv_between: f64,
}

/// Everything the model needs about one loyalty type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeBehaviour {
    /// Which type.
    pub loyalty_type: LoyaltyType,
    /// Share of the customers.
    pub share: f64,
    /// Purchase frequency.
    pub purchases_per_month: PurchaseRate,
    /// Basket size.
    pub spend_per_purchase: SpendPerPurchase,
    /// Probability per month of lapsing for good, without the program.
    pub attrition_per_month: f64,
    /// How members of this type respond to what a design is worth to them.
    pub response: ResponseCurves,
    /// How strongly this type speeds up near a reward, as a multiple of the program's
    /// goal-gradient strength (1 = as measured by Kivetz et al.; 0 = not at all, e.g. regulars
    /// who already buy everything here).
    pub goal_gradient_response: f64,
    /// Probability per month that a member who can afford a reward redeems (and that an
    /// outstanding certificate is used in a month with a purchase).
    pub redemption_per_month: f64,
    /// How strongly a competitor promotion pulls this type away (0 = immune, 1 = fully).
    pub competitor_sensitivity: f64,
    /// New customers each customer of this type brings per month by word of mouth.
    pub word_of_mouth: f64,
    /// Change of a former member's purchase rate after the program ends, relative to the
    /// rate without the program (−0.1 = 10% below; 0 = back to baseline).
    pub exit_reaction: f64,
}

/// Default competitor sensitivity by type, in [`LoyaltyType::ALL`] order: true loyalty is
/// "least sensitive to competitors' actions", false loyalty "leaves at the first good
/// opportunity" (DOMAIN §1). The numbers are a stated assumption, except committed loyalty's
/// 0: "fully insensitive to competitors" (DOMAIN §1), Oliver's (1999) ultimate loyalty that
/// holds "despite situational influences and marketing efforts having the potential to cause
/// switching behavior".
pub const DEFAULT_COMPETITOR_SENSITIVITY: [f64; TYPES] = [0.05, 0.2, 0.8, 0.5, 0.0];

/// Committed loyalty's default monthly attrition as a share of true loyalty's: half (a stated
/// assumption; DOMAIN §1 has it loyal "for an indefinite time", Oliver 1999 loyal "despite
/// situational influences and marketing efforts having the potential to cause switching").
pub const COMMITTED_ATTRITION: f64 = 0.5;

/// Monthly probabilities of changing loyalty type: `rows[from][to]`, the diagonal holding
/// the probability of staying.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TransitionMatrix {
    /// Rows by type of origin, columns by type of destination, each row summing to 1.
    pub rows: [[f64; TYPES]; TYPES],
}

impl TransitionMatrix {
    /// The type a customer of type `from` moves to, given a uniform `u` (inversion of the
    /// row's distribution: staying takes the first slice, so small changes of the matrix
    /// move few customers).
    pub fn next(&self, from: usize, u: f64) -> usize {
        // `from` is a loyalty-type index (< TYPES: the kernel's type indices, see `sim::kernel`).
        let row = &self.rows[from];
        if u < row[from] {
            return from;
        }
        let mut cumulative = row[from];
        for (to, &p) in row.iter().enumerate() {
            if to == from {
                continue;
            }
            cumulative += p;
            if u < cumulative {
                return to;
            }
        }
        from
    }
}

/// How types change over time: without the program, and for members (the program's pull,
/// e.g. from false towards true loyalty through non-material privileges).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Transitions {
    /// For everyone not in the program.
    pub base: TransitionMatrix,
    /// For members while the program runs.
    pub members: TransitionMatrix,
}

impl Transitions {
    /// The type a member of type `from` moves to, given a uniform `u`, when the design
    /// delivers `attachment` (0–1) of the members' extra type changes: each row blends
    /// everyone's and the members' rows.
    pub fn member_next(&self, from: usize, attachment: f64, u: f64) -> usize {
        if attachment <= 0.0 {
            return self.base.next(from, u);
        }
        if attachment >= 1.0 {
            return self.members.next(from, u);
        }
        // `from` is a loyalty-type index (< TYPES, see `TransitionMatrix::next`).
        let (b, m) = (&self.base.rows[from], &self.members.rows[from]);
        let blend = TransitionMatrix {
            rows: std::array::from_fn(|i| {
                if i == from {
                    std::array::from_fn(|j| b[j] + attachment * (m[j] - b[j]))
                } else {
                    [0.0; TYPES]
                }
            }),
        };
        blend.next(from, u)
    }
}

/// The population: the behaviour of each type present (share > 0 or not).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Population {
    /// One entry per loyalty type, in [`LoyaltyType::ALL`] order.
    pub types: Vec<TypeBehaviour>,
    /// Type changes over time, if modelled.
    pub transitions: Option<Transitions>,
    /// How much more light buyers rise than heavy ones ([`super::response::headroom`]).
    pub headroom: f64,
    /// Where frequent and large begin, for the RFM groups ([`super::rfm`]).
    pub rfm: super::rfm::RfmThresholds,
    /// Whether the scenario states the committed type (`[population.committed]`): only then
    /// can a customer be committed, and only then do outputs show the type.
    pub committed: bool,
}

impl Population {
    /// The types the outputs show: all five with committed loyalty, else the four.
    pub fn shown_types(&self) -> &'static [LoyaltyType] {
        if self.committed {
            &LoyaltyType::ALL
        } else {
            &LoyaltyType::FOUR
        }
    }

    /// Mean purchases per month across the whole base, by the types' shares.
    pub fn mean_rate(&self) -> f64 {
        let total: f64 = self.types.iter().map(|t| t.share).sum();
        if total <= 0.0 {
            return 0.0;
        }
        self.types
            .iter()
            .map(|t| t.share * t.purchases_per_month.mean)
            .sum::<f64>()
            / total
    }

    /// How many of `customers` belong to each type, in [`LoyaltyType::ALL`] order: the shares
    /// rounded by largest remainder, so the counts add up to `customers` exactly and the
    /// composition of the base is the scenario's, not a random draw around it.
    pub fn type_counts(&self, customers: u64) -> [u64; TYPES] {
        let mut counts = [0u64; TYPES];
        let mut remainders = [(0.0f64, 0usize); TYPES];
        let mut assigned = 0u64;
        // Validation lets the shares miss 1 by up to 10⁻⁶; normalised, they split every
        // customer, and the floors leave at most one customer per type to hand out.
        let total: f64 = self.types.iter().map(|t| t.share).sum();
        for (i, ty) in self.types.iter().enumerate().take(TYPES) {
            let exact = if total > 0.0 {
                ty.share / total * customers as f64
            } else {
                0.0
            };
            counts[i] = exact.floor() as u64;
            assigned += counts[i];
            remainders[i] = (exact - exact.floor(), i);
        }
        // Largest remainder first; ties go to the earlier type, so the rule is deterministic.
        remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut left = customers.saturating_sub(assigned);
        let receivers: Vec<usize> = remainders
            .iter()
            .map(|&(_, i)| i)
            .filter(|&i| self.types.get(i).is_some_and(|t| t.share > 0.0))
            .collect();
        for &i in receivers.iter().cycle() {
            if left == 0 {
                break;
            }
            // i is 0 or was set above from `enumerate().take(TYPES)`: < TYPES.
            counts[i] += 1;
            left -= 1;
        }
        counts
    }
}

/// Samplers for one type, built once per run so nothing is constructed per draw.
#[derive(Debug, Clone)]
pub struct TypeSampler {
    rate_mean: f64,
    /// Gamma(shape = 1/cv², scale = cv²·mean) for the purchase rate; `None` when cv = 0.
    rate: Option<Gamma<f64>>,
    spend_mean: f64,
    /// Gamma(q, 1) for the customer-level scale; `None` when cv_between = 0.
    spend_between: Option<(f64, Gamma<f64>)>,
    /// Sums of n purchases of a Gamma(p, 1); `None` when cv_within = 0.
    spend_within: Option<(f64, GammaSums)>,
}

impl TypeSampler {
    /// Builds the samplers for `b`. `b` must be validated (cv ≥ 0, means ≥ 0).
    pub fn new(b: &TypeBehaviour) -> Self {
        let rate_cv = b.purchases_per_month.cv;
        let rate = (rate_cv > 0.0)
            .then(|| {
                let shape = 1.0 / (rate_cv * rate_cv);
                Gamma::new(shape, b.purchases_per_month.mean / shape).ok()
            })
            .flatten();
        let s = b.spend_per_purchase;
        // Gamma-Gamma: the customer's mean is p/ν with ν ~ Gamma(q, γ); its coefficient of
        // variation is 1/sqrt(q − 2), so q = 2 + 1/cv_between²; γ then sets the type's mean.
        let spend_between = (s.cv_between > 0.0)
            .then(|| {
                let q = 2.0 + 1.0 / (s.cv_between * s.cv_between);
                Gamma::new(q, 1.0).ok().map(|g| (q, g))
            })
            .flatten();
        let spend_within = (s.cv_within > 0.0).then(|| {
            let p = 1.0 / (s.cv_within * s.cv_within);
            (p, GammaSums::new(p))
        });
        TypeSampler {
            rate_mean: b.purchases_per_month.mean,
            rate,
            spend_mean: s.mean,
            spend_between,
            spend_within,
        }
    }

    /// A customer's own purchase rate per month.
    pub fn draw_rate<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.rate {
            Some(g) => g.sample(rng),
            None => self.rate_mean,
        }
    }

    /// A customer's own mean spend per purchase.
    pub fn draw_spend_mean<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.spend_between {
            // E[(q − 1)/G] = 1 for G ~ Gamma(q, 1), so the type's mean is kept.
            Some((q, g)) => self.spend_mean * (q - 1.0) / g.sample(rng),
            None => self.spend_mean,
        }
    }

    /// Total spend of `n` purchases of a customer whose mean spend is `mean`.
    pub fn draw_spend<R: Rng + ?Sized>(&self, n: u32, mean: f64, rng: &mut R) -> f64 {
        if n == 0 {
            return 0.0;
        }
        match &self.spend_within {
            Some((p, sums)) => mean / p * sums.sample(n, rng),
            None => f64::from(n) * mean,
        }
    }

    /// Mean purchases per month of the type.
    pub fn rate_mean(&self) -> f64 {
        self.rate_mean
    }

    /// Mean spend per purchase of the type.
    pub fn spend_mean(&self) -> f64 {
        self.spend_mean
    }

    /// Splits a month's spend `total` of `n` purchases into the purchases' baskets: given
    /// their sum, Gamma purchases are Dirichlet-distributed, so the split is exact. Writes into
    /// `baskets` (cleared first).
    pub fn split_baskets<R: Rng + ?Sized>(
        &self,
        total: f64,
        n: u32,
        rng: &mut R,
        baskets: &mut Vec<f64>,
    ) {
        baskets.clear();
        match &self.spend_within {
            Some((_, sums)) if n > 1 => {
                baskets.extend((0..n).map(|_| sums.sample(1, rng)));
                let sum: f64 = baskets.iter().sum();
                if sum > 0.0 {
                    baskets.iter_mut().for_each(|b| *b *= total / sum);
                } else {
                    baskets.iter_mut().for_each(|b| *b = total / f64::from(n));
                }
            }
            _ => baskets.extend((0..n).map(|_| total / f64::from(n))),
        }
    }

    /// Spend of the first `k` of `n` purchases whose total is `total` (thinning a Gamma sum:
    /// the share of the first k is Beta(k·p, (n − k)·p)); used when the program world has fewer
    /// purchases than the baseline, so the two worlds still share the purchases they have in
    /// common.
    pub fn thin_spend<R: Rng + ?Sized>(&self, total: f64, k: u32, n: u32, rng: &mut R) -> f64 {
        if k == 0 {
            return 0.0;
        }
        if k >= n {
            return total;
        }
        match &self.spend_within {
            Some((p, _)) => {
                let share = rand_distr::Beta::new(f64::from(k) * p, f64::from(n - k) * p)
                    .map_or(f64::from(k) / f64::from(n), |b| b.sample(rng));
                total * share
            }
            None => total * f64::from(k) / f64::from(n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn behaviour(share: f64, cv: f64, cv_within: f64, cv_between: f64) -> TypeBehaviour {
        TypeBehaviour {
            loyalty_type: LoyaltyType::True,
            share,
            purchases_per_month: PurchaseRate {
                mean: 4.0,
                cv,
                timing: Timing::Random,
            },
            spend_per_purchase: SpendPerPurchase {
                mean: 10.0,
                cv_within,
                cv_between,
            },
            attrition_per_month: 0.0,
            response: ResponseCurves::fixed_lift(1.0, 0.0, 0.0, 0.0),
            goal_gradient_response: 1.0,
            redemption_per_month: 1.0,
            competitor_sensitivity: 0.0,
            word_of_mouth: 0.0,
            exit_reaction: 0.0,
        }
    }

    fn population(shares: [f64; TYPES]) -> Population {
        Population {
            types: shares
                .iter()
                .zip(LoyaltyType::ALL)
                .map(|(&s, t)| TypeBehaviour {
                    loyalty_type: t,
                    ..behaviour(s, 0.0, 0.0, 0.0)
                })
                .collect(),
            transitions: None,
            headroom: 0.0,
            rfm: crate::model::rfm::RfmThresholds {
                frequent_from: 1.0,
                large_from: 10.0,
            },
            committed: shares[COMMITTED] > 0.0,
        }
    }

    #[test]
    fn type_counts_add_up_and_follow_largest_remainder() {
        let pop = population([0.333, 0.333, 0.334, 0.0, 0.0]);
        // 10 × shares = 3.33, 3.33, 3.34, 0 → floors 3, 3, 3 and the one left goes to the
        // largest remainder (0.34, the false-loyal share).
        assert_eq!(pop.type_counts(10), [3, 3, 4, 0, 0]);
        // Three thirds of 100 million: every customer has a type.
        let thirds = population([1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0, 0.0, 0.0]);
        let c = thirds.type_counts(100_000_000);
        assert_eq!(c.iter().sum::<u64>(), 100_000_000);
        assert_eq!(c[3], 0);
        assert_eq!(pop.type_counts(1000), [333, 333, 334, 0, 0]);
        assert_eq!(pop.type_counts(0), [0, 0, 0, 0, 0]);
        // Committed loyalty counts like any type: a quarter of 8 customers is 2.
        let with = population([0.25, 0.25, 0.25, 0.0, 0.25]);
        assert_eq!(with.type_counts(8), [2, 2, 2, 0, 2]);
        assert_eq!(with.shown_types().len(), 5);
        assert_eq!(pop.shown_types(), &LoyaltyType::FOUR);
    }

    #[test]
    fn no_heterogeneity_gives_the_means_exactly() {
        let s = TypeSampler::new(&behaviour(1.0, 0.0, 0.0, 0.0));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(s.draw_rate(&mut rng), 4.0);
        assert_eq!(s.draw_spend_mean(&mut rng), 10.0);
        assert_eq!(s.draw_spend(3, 10.0, &mut rng), 30.0);
        assert_eq!(s.thin_spend(30.0, 1, 3, &mut rng), 10.0);
    }

    #[test]
    fn gamma_gamma_keeps_the_type_mean_and_the_stated_spreads() {
        // cv_within 0.4 and cv_between 0.5: mean spend 10, customers' means have cv 0.5, and a
        // single purchase has variance E[m²]·cv_w² + Var(m) around the type mean.
        let s = TypeSampler::new(&behaviour(1.0, 0.5, 0.4, 0.5));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        let means: Vec<f64> = (0..n).map(|_| s.draw_spend_mean(&mut rng)).collect();
        let avg = means.iter().sum::<f64>() / n as f64;
        let var = means.iter().map(|m| (m - avg).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((avg - 10.0).abs() < 0.05, "mean of customer means {avg}");
        assert!(
            (var.sqrt() / avg - 0.5).abs() < 0.03,
            "cv between {}",
            var.sqrt() / avg
        );
        let rates: Vec<f64> = (0..n).map(|_| s.draw_rate(&mut rng)).collect();
        let r_avg = rates.iter().sum::<f64>() / n as f64;
        let r_sd = (rates.iter().map(|r| (r - r_avg).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        assert!((r_avg - 4.0).abs() < 0.03, "mean rate {r_avg}");
        assert!(
            (r_sd / r_avg - 0.5).abs() < 0.01,
            "cv of rate {}",
            r_sd / r_avg
        );
        // Purchases of one customer with mean 10: sum of 5 has mean 50 and cv 0.4/sqrt(5).
        let sums: Vec<f64> = (0..n).map(|_| s.draw_spend(5, 10.0, &mut rng)).collect();
        let s_avg = sums.iter().sum::<f64>() / n as f64;
        let s_sd = (sums.iter().map(|x| (x - s_avg).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        assert!((s_avg - 50.0).abs() < 0.1, "mean of 5 purchases {s_avg}");
        assert!((s_sd / s_avg - 0.4 / 5f64.sqrt()).abs() < 0.003);
    }

    #[test]
    fn transitions_invert_each_row_with_staying_first() {
        let m = TransitionMatrix {
            rows: [
                [0.9, 0.0, 0.0, 0.1, 0.0],
                [0.05, 0.9, 0.0, 0.05, 0.0],
                [0.02, 0.0, 0.95, 0.03, 0.0],
                [0.0, 0.0, 0.0, 1.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, 1.0],
            ],
        };
        assert_eq!(m.next(0, 0.5), 0);
        assert_eq!(m.next(0, 0.95), 3);
        assert_eq!(m.next(1, 0.92), 0);
        assert_eq!(m.next(1, 0.97), 3);
        assert_eq!(m.next(2, 0.96), 0);
        assert_eq!(m.next(2, 0.99), 3);
        assert_eq!(m.next(3, 0.999), 3);
    }

    #[test]
    fn baskets_split_the_month_exactly_and_keep_a_purchase_mean() {
        let s = TypeSampler::new(&behaviour(1.0, 0.0, 0.5, 0.0));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let mut baskets = Vec::new();
        let (mut first, n) = (0.0, 50_000);
        for _ in 0..n {
            s.split_baskets(40.0, 4, &mut rng, &mut baskets);
            assert_eq!(baskets.len(), 4);
            assert!((baskets.iter().sum::<f64>() - 40.0).abs() < 1e-9);
            first += baskets[0];
        }
        assert!((first / n as f64 - 10.0).abs() < 0.05);
    }

    #[test]
    fn thinning_keeps_the_mean_share() {
        let s = TypeSampler::new(&behaviour(1.0, 0.0, 0.4, 0.0));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 100_000;
        let avg = (0..n)
            .map(|_| s.thin_spend(100.0, 2, 5, &mut rng))
            .sum::<f64>()
            / n as f64;
        assert!((avg - 40.0).abs() < 0.2, "{avg}");
    }
}
