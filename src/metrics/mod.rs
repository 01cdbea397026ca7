//! From simulated months to the business case: [`finance`] (cash flow, payback, break-even,
//! NPV, ROI), [`liability`] (points liability, breakage, IFRS 15), [`stats`] (distribution
//! summaries), [`summary`] (the run's headline and monthly results) and [`risk`] (its
//! downside).

pub mod finance;
pub mod liability;
pub mod risk;
pub mod stats;
pub mod summary;
