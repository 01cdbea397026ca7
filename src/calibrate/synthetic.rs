//! Transaction logs drawn from known BG/NBD and Gamma-Gamma parameters: the ground truth the
//! fits are tested against (parameter recovery), and large logs to time calibration on.
//!
//! Each customer makes a first purchase on a day spread evenly over the joining window; then,
//! while alive, buys as a Poisson process with rate λ ~ Gamma(r, α) per time unit, and after
//! each repeat purchase drops out with probability p ~ Beta(a, b) (the BG/NBD story, §2 of
//! Fader, Hardie & Lee 2005). Each purchase's value is Gamma(p_s, ν) with ν ~ Gamma(q, γ)
//! (Gamma-Gamma). Purchase times are rounded down to days, as a till records them.

use std::fmt::Write as _;

use chrono::{Days, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_distr::{Beta, Distribution, Exp, Gamma};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::bgnbd::BgNbd;
use super::cohort::TimeUnit;
use super::gamma_gamma::GammaGamma;
use super::transactions::{Transaction, TransactionLog};

/// What to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Design {
    /// Purchase model.
    pub purchases: BgNbd,
    /// Spend model.
    pub spend: GammaGamma,
    /// Time unit the purchase parameters are in.
    pub unit: TimeUnit,
    /// Customers.
    pub customers: u32,
    /// First day of the log.
    pub start: NaiveDate,
    /// Days over which customers make their first purchase.
    pub joining_days: u32,
    /// Last day of the log (inclusive).
    pub end: NaiveDate,
    /// Seed of the generator (Xoshiro256++).
    pub seed: u64,
}

/// Draws a log as `design` says. `None` if a parameter is not a valid distribution parameter.
pub fn generate(design: &Design) -> Option<TransactionLog> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(design.seed);
    let BgNbd { r, alpha, a, b } = design.purchases;
    let rate = Gamma::new(r, 1.0 / alpha).ok()?;
    let dropout = Beta::new(a, b).ok()?;
    let nu = Gamma::new(design.spend.q, 1.0 / design.spend.gamma).ok()?;
    let horizon = (design.end - design.start).num_days() as f64 + 1.0;
    let unit_days = design.unit.days();
    let mut log = TransactionLog::default();
    for id in 0..design.customers {
        log.customer_ids.push(format!("C{id:07}"));
        let joined = (f64::from(id) + 0.5) / f64::from(design.customers)
            * f64::from(design.joining_days.max(1));
        let lambda = rate.sample(&mut rng).max(1e-300);
        let p = dropout.sample(&mut rng);
        let value = Gamma::new(design.spend.p, 1.0 / nu.sample(&mut rng).max(1e-300)).ok()?;
        let gap = Exp::new(lambda / unit_days).ok()?;
        let mut time = joined;
        let mut buy = |time: f64, rng: &mut Xoshiro256PlusPlus| -> Option<()> {
            log.transactions.push(Transaction {
                customer: id,
                date: design.start.checked_add_days(Days::new(time as u64))?,
                amount: (value.sample(rng) * 100.0).round() / 100.0,
                quantity: None,
            });
            Some(())
        };
        buy(time, &mut rng)?;
        loop {
            time += gap.sample(&mut rng);
            if time >= horizon {
                break;
            }
            buy(time, &mut rng)?;
            // Each repeat purchase is a chance to drop out after it.
            if rng.random::<f64>() < p {
                break;
            }
        }
    }
    Some(log)
}

/// The log as CSV text with columns `customer_id,date,amount`.
pub fn to_csv(log: &TransactionLog) -> String {
    let mut out = String::with_capacity(log.transactions.len() * 28);
    out.push_str("customer_id,date,amount\n");
    for t in &log.transactions {
        let id = log
            .customer_ids
            .get(t.customer as usize)
            .map_or("", String::as_str);
        let _ = writeln!(out, "{id},{},{:.2}", t.date.format("%Y-%m-%d"), t.amount);
    }
    out
}
