//! From simulated months to the business case: [`finance`] (cash flow, payback, break-even,
//! NPV, ROI), [`liability`] (points liability, breakage, IFRS 15), [`stats`] (distribution
//! summaries), [`summary`] (the run's headline and monthly results), [`risk`] (its
//! downside) and [`sobol`] (global sensitivity: which inputs' uncertainty the result's variance
//! comes from).

pub mod finance;
pub mod liability;
pub mod risk;
pub mod sobol;
pub mod stats;
pub mod summary;
