//! RFM: recency, frequency and monetary value per customer, and the four groups the sources
//! read a customer base by (DOMAIN §2), each with its strategy.
//!
//! Frequency is the number of purchase days in the calibration period; monetary value is the
//! average spend per purchase day; recency is the time from the last purchase to the
//! calibration end. A customer is *frequent* from [`Thresholds::frequent_from`] purchases on
//! and *large* from [`Thresholds::large_from`] average spend on. By default the thresholds
//! split the cohort at its medians: frequent means more purchases than the median customer,
//! large means an average spend at or above the median.

use serde::Serialize;

use super::cohort::Customer;

pub use crate::model::rfm::Group;

impl Group {
    /// The group of a customer.
    pub fn of(customer: &Customer, thresholds: &Thresholds) -> Group {
        Group::classify(
            customer.purchases() >= thresholds.frequent_from,
            customer.average_spend() >= thresholds.large_from,
        )
    }
}

/// Where frequent and large begin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// Purchase days in the calibration period from which a customer is frequent.
    pub frequent_from: u32,
    /// Average spend per purchase day from which a customer is large.
    pub large_from: f64,
    /// Whether the thresholds are the medians (true) or were given.
    pub from_medians: bool,
}

impl Thresholds {
    /// The median split of `customers`: frequent = above the median purchase count, large =
    /// at or above the median average spend. `given` values replace either.
    pub fn new(customers: &[Customer], frequent: Option<u32>, large: Option<f64>) -> Self {
        let mut purchases: Vec<u32> = customers.iter().map(Customer::purchases).collect();
        purchases.sort_unstable();
        let mut spend: Vec<f64> = customers.iter().map(Customer::average_spend).collect();
        spend.sort_by(f64::total_cmp);
        let median_purchases = purchases.get(purchases.len() / 2).copied().unwrap_or(1);
        let median_spend = if spend.is_empty() {
            0.0
        } else if spend.len() % 2 == 1 {
            spend[spend.len() / 2]
        } else {
            0.5 * (spend[spend.len() / 2 - 1] + spend[spend.len() / 2])
        };
        Thresholds {
            frequent_from: frequent.unwrap_or(median_purchases + 1),
            large_from: large.unwrap_or(median_spend),
            from_medians: frequent.is_none() && large.is_none(),
        }
    }
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    /// The group.
    pub group: Group,
    /// Customers in it.
    pub customers: u64,
    /// Its share of the cohort's customers.
    pub customer_share: f64,
    /// Its share of the calibration period's revenue.
    pub revenue_share: f64,
    /// Mean purchase days in the calibration period.
    pub mean_purchases: f64,
    /// Mean of the customers' average spend per purchase.
    pub mean_average_spend: f64,
    /// Mean time since the last purchase at the calibration end (model time unit).
    pub mean_recency: f64,
    /// The recommended strategy.
    pub strategy: &'static str,
}

/// The four groups' figures, in [`Group::ALL`] order.
pub fn summarise(customers: &[Customer], thresholds: &Thresholds) -> Vec<GroupSummary> {
    let total_revenue: f64 = customers.iter().map(|c| c.revenue).sum();
    let n = customers.len().max(1) as f64;
    Group::ALL
        .iter()
        .map(|&group| {
            let members: Vec<&Customer> = customers
                .iter()
                .filter(|c| Group::of(c, thresholds) == group)
                .collect();
            let k = members.len();
            let mean = |f: &dyn Fn(&Customer) -> f64| {
                if k == 0 {
                    0.0
                } else {
                    members.iter().map(|c| f(c)).sum::<f64>() / k as f64
                }
            };
            let revenue: f64 = members.iter().map(|c| c.revenue).sum();
            GroupSummary {
                group,
                customers: k as u64,
                customer_share: k as f64 / n,
                revenue_share: if total_revenue > 0.0 {
                    revenue / total_revenue
                } else {
                    0.0
                },
                mean_purchases: mean(&|c| f64::from(c.purchases())),
                mean_average_spend: mean(&Customer::average_spend),
                mean_recency: mean(&Customer::recency),
                strategy: group.strategy(),
            }
        })
        .collect()
}
