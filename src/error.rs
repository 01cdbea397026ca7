//! The errors a command can end with, and the exit code of each.

use crate::output::OutputError;
use crate::report::ReportError;
use crate::scenario::LoadError;
use crate::sim::runner::RunError;

/// Anything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario could not be read or has problems.
    #[error(transparent)]
    Scenario(#[from] LoadError),
    /// A command-line value is out of range.
    #[error("{0}")]
    Argument(String),
    /// The simulation could not run.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A report could not be rendered.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl Error {
    /// 2 for invalid input (scenario or arguments), 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_) | Error::Argument(_) => 2,
            // The scenario is valid but asks for more points than can be counted exactly.
            Error::Run(RunError::PointsOverflow { .. }) => 2,
            Error::Run(_) | Error::Report(_) | Error::Output(_) => 1,
        }
    }
}
