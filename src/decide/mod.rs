//! Decision tools built on runs: compare designs on the same customers ([`compare`]), sweep
//! inputs over a range ([`sweep`]), rank uncertain inputs by their effect ([`tornado`]) and
//! solve for the break-even response or membership ([`breakeven`]).

pub mod breakeven;
pub mod compare;
pub mod sweep;
pub mod tornado;
