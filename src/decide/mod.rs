//! Decision tools built on runs: compare designs on the same customers ([`compare`]), sweep
//! inputs over a range ([`sweep`]), rank uncertain inputs by their effect ([`tornado`]), share
//! out the result's variance among them ([`sobol`]), find an input's best value
//! ([`optimise`]) and solve for the break-even response or membership ([`breakeven`]).

pub mod breakeven;
pub mod compare;
pub mod optimise;
pub mod sobol;
pub mod sweep;
pub mod tornado;

use crate::scenario::{ScenarioError, ScenarioFile};

/// Values set by a decision tool that the scenario's rules refuse.
#[derive(Debug, thiserror::Error)]
#[error("with {setting}: {error}")]
pub struct InvalidSetting {
    /// The values set, `path = value, …`.
    pub setting: String,
    /// What validation said.
    pub error: ScenarioError,
}

/// `file` with `values` set (see [`ScenarioFile::variant`]), or why the rules refuse them.
pub fn variant(
    file: &ScenarioFile,
    values: &[(&str, f64)],
) -> Result<ScenarioFile, InvalidSetting> {
    file.variant(values).map_err(|error| InvalidSetting {
        setting: values
            .iter()
            .map(|(p, v)| format!("{p} = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        error,
    })
}
