//! loyalty-sim: will a loyalty program pay, when, and what will it owe?
//!
//! The pipeline, in one paragraph: a scenario file is parsed and validated ([`scenario`])
//! into an immutable [`scenario::Scenario`]: a customer population of four loyalty types
//! ([`model::population`]), a points program ([`model::program`]) and the finance terms.
//! The engine ([`sim`]) simulates each trial's customers month by month in two worlds at once,
//! with the program and without it, on random numbers keyed by (seed, trial, customer) so
//! that results are bit-identical on any number of threads. Each trial's monthly totals become
//! its business case ([`metrics::finance`]: incremental cash flow, payback, break-even, NPV,
//! ROI, points and IFRS 15 liabilities), and the trials become distributions
//! ([`metrics::summary`]). Exporters ([`report`]) turn a run into bytes; [`output`] writes them
//! atomically. [`run::run`] ties it together; the `loyalty-sim` binary is a thin layer over it.

pub mod bench;
pub mod calibrate;
pub mod decide;
pub mod error;
pub mod input;
pub mod learn;
pub mod metrics;
pub mod model;
pub mod money;
pub mod output;
pub mod report;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod shard;
pub mod shipped;
pub mod sim;

pub use error::Error;
pub use run::{RunOptions, RunOutput, run};
pub use scenario::{Scenario, ScenarioFile};
