//! The Monte Carlo engine: keyed generators ([`rng`]), what a member holds ([`wallet`], [`ledger`],
//! [`certificates`], [`tiers`], [`member`]), the pure month-by-month kernel ([`kernel`]),
//! its totals ([`totals`]), dated offers' months and prize entries bought with points, the parallel runner ([`runner`]) and the draws of the uncertain
//! inputs over a batch of trials ([`plan`]).

pub mod certificates;
pub(crate) mod dated;
pub mod kernel;
pub mod ledger;
pub mod member;
pub mod plan;
pub(crate) mod prize_entries;
pub mod rng;
pub mod runner;
pub mod tiers;
pub mod totals;
pub mod wallet;
