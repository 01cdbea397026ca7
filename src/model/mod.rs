//! The behaviour model: who the customers are and how they buy ([`population`]), what the
//! program promises ([`program`]), and the random draws both need ([`dist`]).

pub mod dist;
pub mod population;
pub mod program;
