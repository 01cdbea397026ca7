//! The errors a command can end with, and the exit code of each.

use crate::calibrate::CalibrationError;
use crate::calibrate::breakage::BreakageError;
use crate::calibrate::scenario_file::ScenarioFileError;
use crate::calibrate::transactions::ReadError;
use crate::decide::breakeven::BreakEvenError;
use crate::decide::compare::CompareError;
use crate::decide::sweep::SweepError;
use crate::decide::tornado::TornadoError;
use crate::learn::LessonError;
use crate::output::OutputError;
use crate::report::ReportError;
use crate::scenario::LoadError;
use crate::shard::MergeError;
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
    /// A comparison could not be made.
    #[error(transparent)]
    Compare(#[from] CompareError),
    /// A sweep could not run.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A tornado could not be drawn.
    #[error(transparent)]
    Tornado(#[from] TornadoError),
    /// A break-even could not be solved.
    #[error(transparent)]
    BreakEven(#[from] BreakEvenError),
    /// A transaction log could not be read.
    #[error(transparent)]
    Transactions(#[from] ReadError),
    /// A redemption history could not be read or projected.
    #[error(transparent)]
    Breakage(#[from] BreakageError),
    /// A calibration could not be made from the log.
    #[error(transparent)]
    Calibration(#[from] CalibrationError),
    /// Parts of a sharded run could not be merged.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// The calibrated scenario could not be written.
    #[error(transparent)]
    ScenarioFile(#[from] ScenarioFileError),
    /// A lesson could not run.
    #[error(transparent)]
    Lesson(#[from] LessonError),
}

impl Error {
    /// 2 for invalid input (scenario or arguments), 1 for anything else.
    pub fn exit_code(&self) -> u8 {
        let run_code = |e: &RunError| match e {
            RunError::PointsOverflow { .. }
            | RunError::InvalidDraw { .. }
            | RunError::NotEnoughMemory { .. } => 2,
            _ => 1,
        };
        match self {
            Error::Compare(CompareError::Run(e))
            | Error::Sweep(SweepError::Run(e))
            | Error::Tornado(TornadoError::Run(e))
            | Error::BreakEven(BreakEvenError::Run(e)) => run_code(e),
            Error::Compare(_) | Error::Sweep(_) | Error::Tornado(_) | Error::BreakEven(_) => 2,
            Error::Scenario(_) | Error::Argument(_) => 2,
            // A log that cannot be read, or that cannot support the models, is the input's
            // fault; so is a template that cannot take a population.
            Error::Transactions(_)
            | Error::Calibration(_)
            | Error::ScenarioFile(_)
            | Error::Breakage(_) => 2,
            Error::Merge(MergeError::Run(e)) => run_code(e),
            Error::Merge(_) => 2,
            // The scenario is valid but asks for what cannot be computed exactly or drew an
            // invalid combination: still the input's fault.
            Error::Run(e) => run_code(e),
            Error::Report(_) | Error::Output(_) => 1,
            // A lesson's scenario is the program's own; only --customers, --trials or the
            // machine's memory can make it fail.
            Error::Lesson(LessonError::Run(e)) => run_code(e),
            Error::Lesson(LessonError::Scenario(_)) => 2,
            Error::Lesson(LessonError::Chart(_)) => 1,
        }
    }
}
