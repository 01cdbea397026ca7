//! The behaviour model: who the customers are and how they buy ([`population`]), the market
//! around them ([`market`]), what the program promises ([`program`]), how members respond to what it is worth to them
//! ([`response`]), and the random draws
//! they need ([`dist`]), and inputs given as distributions ([`uncertain`]), drawn together by [`sampling`].
//! Customers fall into the four RFM groups ([`rfm`]), which with their type and tier let a design
//! target its components ([`targeting`]). Customers react to what the program shows others or
//! takes from them ([`reactions`]).

pub mod dated;
pub mod dist;
pub mod market;
pub mod population;
pub mod privileges;
pub mod prizes;
pub mod program;
pub mod reactions;
pub mod response;
pub mod rfm;
pub mod sampling;
pub mod targeting;
pub mod uncertain;
