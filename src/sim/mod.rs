//! The Monte Carlo engine: keyed generators ([`rng`]), a member's points ([`wallet`]), the
//! pure month-by-month kernel ([`kernel`]) and the parallel runner ([`runner`]).

pub mod kernel;
pub mod rng;
pub mod runner;
pub mod wallet;
