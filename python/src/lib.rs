//! The native part of the `loyalty_sim` Python package: the library's own functions, called with
//! Python's arguments, returning the bytes the command line would write (summary.json, the CSV
//! tables, the text summary). No rule is implemented twice: loading, validation, simulation and
//! the exporters are the library's. The GIL is released while simulating, so other Python
//! threads run meanwhile.

use std::collections::HashMap;
use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use loyalty_sim::calibrate::cohort::TimeUnit;
use loyalty_sim::calibrate::from_log::{Request, calibrate_log, parse_day};
use loyalty_sim::calibrate::purchase::ModelChoice;
use loyalty_sim::calibrate::transactions::{Columns, DecimalMark, Format, ReadError, ReadOptions};
use loyalty_sim::decide::compare::compare as compare_designs;
use loyalty_sim::decide::sweep::{Axis, sweep as sweep_inputs};
use loyalty_sim::decide::tornado::tornado as rank_inputs;
use loyalty_sim::metrics::finance::{Goal, TrialMetrics};
use loyalty_sim::report::decisions::{self, Provenance, Rendered};
use loyalty_sim::report::{console, data_exporters};
use loyalty_sim::scenario::{self, LoadError};
use loyalty_sim::{Error, RunOptions, ScenarioFile};

create_exception!(
    _native,
    ValidationError,
    PyValueError,
    "Input that cannot be used: a scenario or a transaction log with problems; the message names file:line:column (or line and column) and what was expected, as the command line does."
);
create_exception!(
    _native,
    ScenarioError,
    ValidationError,
    "A scenario that cannot be read or has problems; the message names file:line:column, the field and what was expected, as the command line does."
);
create_exception!(
    _native,
    TransactionLogError,
    ValidationError,
    "A transaction log that cannot be read: the message names the log, the line and the column at fault, as the command line does."
);
create_exception!(
    _native,
    LoyaltySimError,
    PyRuntimeError,
    "A run that could not be made (too little memory, an exporter that failed, …)."
);

/// The Python exception for a library error: scenario problems as `ScenarioError`, with the
/// same message the command line prints; a bad argument as `ValueError`.
fn to_py(e: Error) -> PyErr {
    match e {
        Error::Scenario(_) => ScenarioError::new_err(e.to_string()),
        Error::Transactions(_) => TransactionLogError::new_err(e.to_string()),
        Error::Argument(why) => PyValueError::new_err(why),
        other => LoyaltySimError::new_err(other.to_string()),
    }
}

/// Loads a scenario from `path`, or from `text` (named `name` in messages).
fn load(path: Option<PathBuf>, text: Option<String>, name: &str) -> Result<ScenarioFile, Error> {
    match (path, text) {
        (Some(path), None) => Ok(scenario::load(&path)?),
        (None, Some(text)) => {
            Ok(ScenarioFile::from_text(PathBuf::from(name), &text).map_err(LoadError::from)?)
        }
        _ => Err(Error::Argument(
            "give the scenario as a path or as TOML text, not both".into(),
        )),
    }
}

fn options(
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> Result<RunOptions, Error> {
    if trials == Some(0) {
        return Err(Error::Argument("trials: expected at least 1".into()));
    }
    if threads == Some(0) {
        return Err(Error::Argument("threads: expected at least 1".into()));
    }
    Ok(RunOptions {
        trials,
        seed,
        threads,
        precision: None,
    })
}

/// Runs a scenario; returns the files the command line's `run --no-charts` writes
/// (summary.json, monthly.csv, monthly_by_type.csv, trials.csv and, with uncertain inputs,
/// trial_inputs.csv) as text, and its text summary under `text`.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, name="<string>", trials=None, seed=None, threads=None))]
fn run(
    py: Python<'_>,
    path: Option<PathBuf>,
    text: Option<String>,
    name: &str,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<HashMap<String, String>> {
    let name = name.to_string();
    py.detach(move || -> Result<HashMap<String, String>, Error> {
        let file = load(path, text, &name)?;
        let options = options(trials, seed, threads)?;
        let result = loyalty_sim::run(&file, &options, &|| {})?;
        let mut files = HashMap::new();
        for exporter in data_exporters(&result) {
            let bytes = exporter.render(&result)?;
            files.insert(exporter.file_name(), utf8(bytes));
        }
        files.insert("text".into(), console::summary_text(&result));
        Ok(files)
    })
    .map_err(to_py)
}

/// Runs several designs on the same customers and compares them trial by trial; returns
/// compare.json (as `compare --no-charts` writes it) under `json`, and the text.
#[pyfunction]
#[pyo3(signature = (scenarios, trials=None, seed=None, threads=None))]
fn compare(
    py: Python<'_>,
    scenarios: Vec<(Option<PathBuf>, Option<String>, String)>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<HashMap<String, String>> {
    py.detach(move || -> Result<HashMap<String, String>, Error> {
        let files = scenarios
            .into_iter()
            .map(|(path, text, name)| load(path, text, &name))
            .collect::<Result<Vec<_>, _>>()?;
        if files.len() < 2 {
            return Err(Error::Argument(
                "compare needs at least two scenarios; the first is the reference".into(),
            ));
        }
        let options = options(trials, seed, threads)?;
        let out = compare_designs(&files, &options)?;
        let first = &files[0].scenario.simulation;
        let refs: Vec<&ScenarioFile> = files.iter().collect();
        let provenance = Provenance::of(
            &refs,
            options.seed.unwrap_or(first.seed),
            options.trials.unwrap_or(first.trials),
        );
        Ok(decision(
            decisions::compare_files(&out, &provenance)?,
            decisions::compare_text(&out, &provenance),
        ))
    })
    .map_err(to_py)
}

/// Varies one or two inputs over ranges, as `sweep` does: each `(path, from, to)` of `vary`
/// gets `steps` evenly spaced values (whole where the field holds whole numbers, checked by the
/// scenario's own rules over the whole range); returns sweep.json under `json`, and the text.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, name="<string>", vary=Vec::new(), steps=10, metric="npv".to_string(), goal=None, trials=None, seed=None, threads=None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    path: Option<PathBuf>,
    text: Option<String>,
    name: &str,
    vary: Vec<(String, f64, f64)>,
    steps: usize,
    metric: String,
    goal: Option<String>,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<HashMap<String, String>> {
    let name = name.to_string();
    py.detach(move || -> Result<HashMap<String, String>, Error> {
        let file = load(path, text, &name)?;
        known_metric(&metric)?;
        if vary.is_empty() || vary.len() > 2 {
            return Err(Error::Argument(
                "vary: give one or two inputs, {path: (from, to)}".into(),
            ));
        }
        if !(2..=100).contains(&steps) {
            return Err(Error::Argument(format!(
                "steps {steps}: expected 2 to 100 values per input"
            )));
        }
        let goal = match goal.as_deref() {
            None => None,
            Some("max") => Some(Goal::Maximize),
            Some("min") => Some(Goal::Minimize),
            Some(other) => {
                return Err(Error::Argument(format!(
                    "goal {other:?}: expected \"max\" or \"min\""
                )));
            }
        };
        let axes = vary
            .iter()
            .map(|(path, from, to)| {
                Axis::probed(&file, path, *from, *to, steps)
                    .map_err(|why| Error::Argument(format!("vary {path}: {why}")))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let options = many_runs(&file, trials, seed, threads)?;
        let s = sweep_inputs(&file, &axes, &metric, goal, &options)?;
        let provenance = one_file(&file, &options, s.trials);
        let currency = &file.scenario.finance.currency;
        Ok(decision(
            decisions::sweep_files(&s, currency, &provenance)?,
            decisions::sweep_text(&s, currency, &provenance),
        ))
    })
    .map_err(to_py)
}

/// Ranks the uncertain inputs by their effect on `metric`, as `tornado` does; returns
/// tornado.json under `json`, and the text.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, name="<string>", metric="npv".to_string(), trials=None, seed=None, threads=None))]
#[allow(clippy::too_many_arguments)]
fn tornado(
    py: Python<'_>,
    path: Option<PathBuf>,
    text: Option<String>,
    name: &str,
    metric: String,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> PyResult<HashMap<String, String>> {
    let name = name.to_string();
    py.detach(move || -> Result<HashMap<String, String>, Error> {
        let file = load(path, text, &name)?;
        known_metric(&metric)?;
        let options = many_runs(&file, trials, seed, threads)?;
        let t = rank_inputs(&file, &metric, &options)?;
        let provenance = one_file(&file, &options, t.trials);
        let currency = &file.scenario.finance.currency;
        Ok(decision(
            decisions::tornado_files(&t, currency, &provenance)?,
            decisions::tornado_text(&t, currency, &provenance),
        ))
    })
    .map_err(to_py)
}

/// Fits a population to a transaction log as `calibrate` does, by the same library function
/// ([`calibrate_log`]); the log is the file at `path` or the CSV text `log` (named `name` in
/// messages). Returns calibration.json, customers.csv, the scenario's TOML text and the text
/// report; writes nothing.
#[pyfunction]
#[pyo3(signature = (
    calibration_end, path=None, log=None, name="<log>", holdout_end=None, format="auto",
    customer_column="customer_id".to_string(), date_column="date".to_string(),
    amount_column="amount".to_string(),
    quantity_column=None, date_format=None, skip_bad_rows=false, decimal="auto",
    time_unit="weeks", frequent_from=None, large_from=None, template=None, currency=None,
    exchange_rate=None, customers=None, model="bgnbd", uncertain=false
))]
#[allow(clippy::too_many_arguments)]
fn calibrate(
    py: Python<'_>,
    calibration_end: String,
    path: Option<PathBuf>,
    log: Option<Vec<u8>>,
    name: &str,
    holdout_end: Option<String>,
    format: &str,
    customer_column: String,
    date_column: String,
    amount_column: String,
    quantity_column: Option<String>,
    date_format: Option<String>,
    skip_bad_rows: bool,
    decimal: &str,
    time_unit: &str,
    frequent_from: Option<u32>,
    large_from: Option<f64>,
    template: Option<PathBuf>,
    currency: Option<String>,
    exchange_rate: Option<f64>,
    customers: Option<u64>,
    model: &str,
    uncertain: bool,
) -> PyResult<HashMap<String, String>> {
    let choice = |what: &str, value: &str, valid: &[&str]| -> Result<(), Error> {
        if valid.contains(&value) {
            Ok(())
        } else {
            Err(Error::Argument(format!(
                "{what} {value:?}: expected one of {}",
                valid.join(", ")
            )))
        }
    };
    let read = (|| -> Result<ReadOptions, Error> {
        choice("format", format, &["auto", "csv", "cdnow"])?;
        choice("decimal", decimal, &["auto", ".", ","])?;
        Ok(ReadOptions {
            format: match format {
                "cdnow" => Some(Format::Cdnow),
                "csv" => Some(Format::Csv),
                _ => None,
            },
            columns: Columns {
                customer: customer_column,
                date: date_column,
                amount: amount_column,
                quantity: quantity_column,
            },
            date_format,
            skip_bad_rows,
            decimal: match decimal {
                "." => DecimalMark::Point,
                "," => DecimalMark::Comma,
                _ => DecimalMark::Auto,
            },
        })
    })()
    .map_err(to_py)?;
    let unit = match time_unit {
        "days" => TimeUnit::Days,
        "weeks" => TimeUnit::Weeks,
        "months" => TimeUnit::Months,
        other => {
            return Err(PyValueError::new_err(format!(
                "time_unit {other:?}: expected \"days\", \"weeks\" or \"months\""
            )));
        }
    };
    let model = match model {
        "bgnbd" => ModelChoice::Default,
        other => ModelChoice::parse(other).ok_or_else(|| {
            PyValueError::new_err(format!(
                "model {other:?}: expected \"bgnbd\", \"mbgnbd\", \"pareto-nbd\" or \"auto\""
            ))
        })?,
    };
    let name = name.to_string();
    py.detach(move || -> Result<HashMap<String, String>, Error> {
        let calibration_end = parse_day("calibration_end", &calibration_end)?;
        let holdout_end = holdout_end
            .as_deref()
            .map(|t| parse_day("holdout_end", t))
            .transpose()?;
        let (log_path, bytes) = match (path, log) {
            (Some(path), None) => {
                let bytes =
                    loyalty_sim::input::read_limited(&path, loyalty_sim::input::LOG_LIMIT, false)
                        .map_err(|source| ReadError::Io {
                        path: path.clone(),
                        source,
                    })?;
                (path, bytes)
            }
            (None, Some(bytes)) => (PathBuf::from(&name), bytes),
            _ => {
                return Err(Error::Argument(
                    "give the transactions as a path or as CSV text, not both".into(),
                ));
            }
        };
        let calibrated = calibrate_log(&Request {
            log_path: &log_path,
            log: &bytes,
            read,
            calibration_end,
            holdout_end,
            unit,
            frequent_from,
            large_from,
            survey: None,
            model,
            template,
            currency,
            exchange_rate,
            customers,
            uncertain,
            scenario_path: PathBuf::from("scenario.toml"),
        })?;
        let report = calibrated.report();
        let mut files = HashMap::new();
        files.insert("calibration.json".into(), utf8(report.json()?));
        files.insert("customers.csv".into(), utf8(report.customers_csv()?));
        files.insert("text".into(), report.text());
        files.insert("scenario".into(), calibrated.scenario_text.clone());
        Ok(files)
    })
    .map_err(to_py)
}

/// `metric` if it is one of the trial metrics, else an error listing them.
fn known_metric(metric: &str) -> Result<(), Error> {
    if TrialMetrics::NAMES.contains(&metric) {
        Ok(())
    } else {
        Err(Error::Argument(format!(
            "metric {metric:?}: unknown; expected one of {}",
            TrialMetrics::NAMES.join(", ")
        )))
    }
}

/// Options of a tool that runs the scenario many times: its trials, at most 200, unless given
/// (as the command line's sweep and tornado).
fn many_runs(
    file: &ScenarioFile,
    trials: Option<u64>,
    seed: Option<u64>,
    threads: Option<usize>,
) -> Result<RunOptions, Error> {
    options(
        Some(trials.unwrap_or(file.scenario.simulation.trials.min(200))),
        seed,
        threads,
    )
}

/// Who produced a decision on one file.
fn one_file(file: &ScenarioFile, options: &RunOptions, trials: u64) -> Provenance {
    Provenance::of(
        &[file],
        options.seed.unwrap_or(file.scenario.simulation.seed),
        trials,
    )
}

/// A decision's JSON file (the one `.json` of its files) under `json`, and its text.
fn decision(files: Vec<Rendered>, text: String) -> HashMap<String, String> {
    let mut result = HashMap::new();
    for (name, bytes) in files.into_iter().map(Rendered::into_pair) {
        if name.ends_with(".json") && name != "manifest.json" {
            result.insert("json".to_string(), utf8(bytes));
        }
    }
    result.insert("text".to_string(), text);
    result
}

/// A dict (given as JSON) as TOML text, for the library's parser: the scenario's messages then
/// name fields the same way as for a file.
#[pyfunction]
fn json_to_toml(json: &str) -> PyResult<String> {
    let value: toml::Table = serde_json::from_str(json).map_err(|e| {
        ScenarioError::new_err(format!(
            "the scenario dict cannot be written as TOML: {e} (TOML has no null: leave the key out)"
        ))
    })?;
    toml::to_string(&value).map_err(|e| {
        ScenarioError::new_err(format!("the scenario dict cannot be written as TOML: {e}"))
    })
}

/// The library's exporters write UTF-8 (CSV with a byte-order mark for Excel, which Python's
/// readers are told to skip).
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(tornado, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(json_to_toml, m)?)?;
    m.add("ValidationError", m.py().get_type::<ValidationError>())?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add(
        "TransactionLogError",
        m.py().get_type::<TransactionLogError>(),
    )?;
    m.add("LoyaltySimError", m.py().get_type::<LoyaltySimError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
