//! From simulated months to the business case: [`finance`] (cash flow, payback, break-even,
//! NPV, ROI), [`liability`] (points liability, breakage, IFRS 15), [`stats`] (distribution
//! summaries) and [`summary`] (the run's headline and monthly results).

pub mod finance;
pub mod liability;
pub mod stats;
pub mod summary;
