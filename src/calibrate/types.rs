//! From fitted customers to the four loyalty types (DOMAIN §1: attitude × patronage).
//!
//! *Patronage* comes from behaviour: a customer is high-patronage when frequent by the RFM
//! threshold. *Attitude* cannot be read from transactions; it comes from a survey: the share
//! of high attitude among high- and among low-patronage customers. Crossing the two gives the
//! mix: true = high patronage × high attitude, false = high × low, latent = low × high,
//! none = low × low.
//!
//! The scenario starts with the customers alive at the calibration end, so each customer
//! counts with the chosen purchase model's probability of being alive, and each patronage
//! group's behaviour is that of its living customers (posterior means of the purchase model —
//! shown here for the BG/NBD — and of the Gamma-Gamma):
//! - purchases per month: λ | alive ~ Gamma(r + x, α + T) per customer; the group's mean and
//!   its spread across customers (the mixture's variance: mean of variances + variance of means);
//! - attrition per month: 1 − exp(−mean E[λp]) over a month, the hazard of dropping out after
//!   a purchase (p | alive ~ Beta(a, b + x));
//! - spend per purchase: each customer's posterior mean spend (Gamma-Gamma) and its spread
//!   across the group; the spread of one customer's baskets is 1/√p.
//!
//! Transactions cannot tell true from false loyalty (or latent from none): the two types of a
//! patronage group share its behaviour; what sets them apart (their response to the program,
//! to competitors, to its end) comes from the template scenario.

use serde::Serialize;

use super::cohort::{Customer, TimeUnit};
use super::gamma_gamma::GammaGamma;
use super::purchase::PurchaseModel;
use crate::metrics::stats::wilson95;
use crate::model::population::LoyaltyType;

/// Respondents the sources recommend at least, for a consumer program's attitude survey.
pub const RECOMMENDED_RESPONDENTS: u64 = 250;

/// The survey's answer for one patronage group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SurveyShare {
    /// Share of respondents with a high attitude to the brand.
    pub share: f64,
    /// Respondents in the group.
    pub respondents: u64,
}

/// Survey input: the share of high attitude among high- and low-patronage customers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Survey {
    /// Among high-patronage customers.
    pub high_patronage: SurveyShare,
    /// Among low-patronage customers.
    pub low_patronage: SurveyShare,
}

/// Where the attitude shares came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum Attitude {
    /// A survey, with sample sizes.
    Survey(Survey),
    /// No survey: the template scenario's split (true : false, latent : none).
    Template {
        /// High-attitude share among high-patronage customers (true / (true + false)).
        high_patronage: f64,
        /// High-attitude share among low-patronage customers (latent / (latent + none)).
        low_patronage: f64,
    },
}

impl Attitude {
    /// High-attitude shares among high- and low-patronage customers.
    pub fn shares(&self) -> (f64, f64) {
        match self {
            Attitude::Survey(s) => (s.high_patronage.share, s.low_patronage.share),
            Attitude::Template {
                high_patronage,
                low_patronage,
            } => (*high_patronage, *low_patronage),
        }
    }
}

/// One patronage group's behaviour, per month.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Behaviour {
    /// Customers of the cohort in the group.
    pub customers: u64,
    /// Of them, expected alive at the calibration end.
    pub alive: f64,
    /// Mean purchases per month of a living customer.
    pub purchases_per_month: f64,
    /// Coefficient of variation of the purchase rate across the group's customers.
    pub purchases_cv: f64,
    /// Mean spend per purchase.
    pub spend_mean: f64,
    /// Spread of one customer's baskets (1/√p).
    pub spend_cv_within: f64,
    /// Spread of customers' own mean spend across the group.
    pub spend_cv_between: f64,
    /// Probability per month that a living customer drops out.
    pub attrition_per_month: f64,
}

/// A loyalty type as the scenario will hold it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TypeMix {
    /// The type.
    #[serde(serialize_with = "type_key")]
    pub loyalty_type: LoyaltyType,
    /// Share of the living customers.
    pub share: f64,
    /// 95% interval of the share, from the survey's sampling error (Wilson), when surveyed.
    pub share_ci95: Option<[f64; 2]>,
}

fn type_key<S: serde::Serializer>(t: &LoyaltyType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.key())
}

/// The population the fit implies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Population {
    /// Purchases in the calibration period from which a customer is high-patronage.
    pub high_patronage_from: u32,
    /// High-patronage customers' behaviour (true and false loyalty).
    pub high_patronage: Behaviour,
    /// Low-patronage customers' behaviour (latent and none).
    pub low_patronage: Behaviour,
    /// Where attitude came from.
    pub attitude: Attitude,
    /// 95% intervals of the two surveyed shares (high, low patronage), when surveyed.
    pub attitude_ci95: Option<[[f64; 2]; 2]>,
    /// The four types, in [`LoyaltyType::ALL`] order.
    pub types: [TypeMix; 4],
    /// Customers expected alive at the calibration end: the scenario's starting base.
    pub alive: f64,
    /// Things the reader should know (a small survey, an empty group, a clamped spread).
    pub warnings: Vec<String>,
}

/// Coefficients of variation the scenario accepts (see the scenario checker).
const CV_RANGE: (f64, f64) = (0.001, 10.0);

/// Derives the population from the fitted models.
pub fn population(
    customers: &[Customer],
    purchases: &PurchaseModel,
    spend: &GammaGamma,
    unit: TimeUnit,
    high_patronage_from: u32,
    attitude: Attitude,
) -> Population {
    let mut warnings = Vec::new();
    let (high, low): (Vec<&Customer>, Vec<&Customer>) = customers
        .iter()
        .partition(|c| c.purchases() >= high_patronage_from);
    let all: Vec<&Customer> = customers.iter().collect();
    let mut group = |members: &[&Customer], name: &str| {
        if members.is_empty() {
            warnings.push(format!(
                "no {name}-patronage customers: that group takes the whole cohort's behaviour"
            ));
            behaviour(&all, purchases, spend, unit, &mut warnings)
        } else {
            behaviour(members, purchases, spend, unit, &mut warnings)
        }
    };
    let high_b = group(&high, "high");
    let low_b = group(&low, "low");
    let (s_high, s_low) = attitude.shares();
    // Empty groups count for nothing in the mix.
    let w_high = if high.is_empty() { 0.0 } else { high_b.alive };
    let w_low = if low.is_empty() { 0.0 } else { low_b.alive };
    let alive = w_high + w_low;
    let share = |w: f64, s: f64| if alive > 0.0 { w * s / alive } else { 0.25 };
    let attitude_ci95 = match attitude {
        Attitude::Survey(survey) => {
            let total = survey.high_patronage.respondents + survey.low_patronage.respondents;
            if total < RECOMMENDED_RESPONDENTS {
                warnings.push(format!(
                    "the survey has {total} respondents, fewer than the {RECOMMENDED_RESPONDENTS} the sources recommend for a consumer program: the type shares are uncertain (see their intervals)"
                ));
            }
            let ci = |s: SurveyShare| {
                let k = (s.share * s.respondents as f64).round() as u64;
                wilson95(k, s.respondents)
            };
            Some([ci(survey.high_patronage), ci(survey.low_patronage)])
        }
        Attitude::Template { .. } => {
            warnings.push(
                "no survey given: the split of each patronage group by attitude is the template scenario's, not measured; give --attitude-high-patronage and --attitude-low-patronage with their respondents"
                    .into(),
            );
            None
        }
    };
    let mix = |t: LoyaltyType, w: f64, s: f64, ci: Option<[f64; 2]>| TypeMix {
        loyalty_type: t,
        share: share(w, s),
        share_ci95: ci.map(|[lo, hi]| [share(w, lo), share(w, hi)]),
    };
    let flip = |ci: Option<[f64; 2]>| ci.map(|[lo, hi]| [1.0 - hi, 1.0 - lo]);
    let ci_high = attitude_ci95.map(|c| c[0]);
    let ci_low = attitude_ci95.map(|c| c[1]);
    let types = [
        mix(LoyaltyType::True, w_high, s_high, ci_high),
        mix(LoyaltyType::Latent, w_low, s_low, ci_low),
        mix(LoyaltyType::False, w_high, 1.0 - s_high, flip(ci_high)),
        mix(LoyaltyType::NoLoyalty, w_low, 1.0 - s_low, flip(ci_low)),
    ];
    Population {
        high_patronage_from,
        high_patronage: high_b,
        low_patronage: low_b,
        attitude,
        attitude_ci95,
        types,
        alive,
        warnings,
    }
}

/// A group's behaviour, each customer weighted by the probability of being alive.
fn behaviour(
    members: &[&Customer],
    purchases: &PurchaseModel,
    spend: &GammaGamma,
    unit: TimeUnit,
    warnings: &mut Vec<String>,
) -> Behaviour {
    let per_month = unit.per_month();
    // Each customer weighs as much as they are likely alive; if none of the group is (all
    // long silent), every customer weighs the same, so the group still has a behaviour.
    let alive: Vec<f64> = members
        .iter()
        .map(|c| purchases.p_alive(&c.history))
        .collect();
    let all_gone = alive.iter().sum::<f64>() <= 0.0;
    let mut w_sum = 0.0;
    let (mut rate, mut rate_sq, mut hazard) = (0.0, 0.0, 0.0);
    let (mut money, mut money_sq) = (0.0, 0.0);
    for (c, &p_alive) in members.iter().zip(&alive) {
        let w = if all_gone { 1.0 } else { p_alive };
        let (m, v) = purchases.posterior_rate(&c.history);
        let (x, mean) = match c.repeat_mean {
            Some(mean) if mean > 0.0 => (c.history.x, mean),
            _ => (0, 0.0),
        };
        let (s, sv) = spend.posterior_mean_spend(x, mean);
        w_sum += w;
        rate += w * m;
        rate_sq += w * (v + m * m);
        hazard += w * purchases.posterior_dropout_rate(&c.history);
        money += w * s;
        money_sq += w * (sv + s * s);
    }
    if all_gone && !members.is_empty() {
        warnings.push(
            "no customer of a patronage group is likely still alive: its behaviour is the plain average of its customers".into(),
        );
    }
    let w = w_sum.max(f64::MIN_POSITIVE);
    let rate_mean = rate / w;
    let rate_cv = ((rate_sq / w - rate_mean * rate_mean).max(0.0)).sqrt() / rate_mean;
    let money_mean = money / w;
    let money_cv = ((money_sq / w - money_mean * money_mean).max(0.0)).sqrt() / money_mean;
    let mut clamp = |cv: f64, what: &str| {
        if !cv.is_finite() || cv > CV_RANGE.1 {
            warnings.push(format!(
                "the spread of {what} is beyond what a scenario holds; set to {}",
                CV_RANGE.1
            ));
            CV_RANGE.1
        } else {
            cv.max(CV_RANGE.0)
        }
    };
    Behaviour {
        customers: members.len() as u64,
        alive: if all_gone { 0.0 } else { w_sum },
        purchases_per_month: rate_mean * per_month,
        purchases_cv: clamp(rate_cv, "purchase rates"),
        spend_mean: money_mean,
        spend_cv_within: clamp(1.0 / spend.p.sqrt(), "one customer's baskets"),
        spend_cv_between: clamp(money_cv, "customers' mean spend"),
        attrition_per_month: 1.0 - (-hazard / w * per_month).exp(),
    }
}
