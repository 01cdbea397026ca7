//! A calibration as a front end asks for it: a transaction log's bytes and the choices of the
//! `calibrate` command (template, currency, survey, model, …) in, the fit and the ready-to-run
//! scenario's text out, checked to load before anyone writes it. The command line and the
//! Python package both call [`calibrate_log`], so neither holds a rule of its own.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::cohort::{Periods, TimeUnit};
use super::currency::Conversion;
use super::purchase::ModelChoice;
use super::scenario_file::{self, Source};
use super::transactions::{self, ReadOptions, TransactionLog};
use super::types::{Attitude, Survey};
use super::{Calibration, Options};
use crate::Error;
use crate::model::population::LoyaltyType;
use crate::money::Currency;
use crate::report::calibration::CalibrationReport;
use crate::scenario;

/// What to calibrate, and how: the log and the `calibrate` command's choices.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The log's name in messages and in the scenario's header (`-` for standard input).
    pub log_path: &'a Path,
    /// The log's bytes: CSV with a header row, or the CDNOW layout.
    pub log: &'a [u8],
    /// How to read the log.
    pub read: ReadOptions,
    /// Last day of the calibration period (inclusive).
    pub calibration_end: NaiveDate,
    /// Last day of the holdout period (inclusive), if any.
    pub holdout_end: Option<NaiveDate>,
    /// Time unit of the models.
    pub unit: TimeUnit,
    /// Purchases from which a customer is frequent; `None`: the median split.
    pub frequent_from: Option<u32>,
    /// Average spend from which a customer is large; `None`: the median.
    pub large_from: Option<f64>,
    /// The attitude survey; `None`: the template's split of its loyalty types.
    pub survey: Option<Survey>,
    /// The purchase model feeding the scenario.
    pub model: ModelChoice,
    /// Scenario whose program, market and finance the written scenario takes; `None`: the
    /// built-in template.
    pub template: Option<PathBuf>,
    /// ISO 4217 code of the log's amounts; `None`: the template's currency.
    pub currency: Option<String>,
    /// Units of the log's currency one unit of the template's buys.
    pub exchange_rate: Option<f64>,
    /// Customers of the written scenario; `None`: those expected alive at the calibration end.
    pub customers: Option<u64>,
    /// Whether the fit's uncertainty becomes uncertain inputs of the scenario.
    pub uncertain: bool,
    /// Where the scenario is to be written: named in messages and in `calibration.json`.
    pub scenario_path: PathBuf,
}

/// A calibration done: the fit, the log it came from and the scenario written from it.
#[derive(Debug, Clone)]
pub struct Calibrated {
    /// The fit.
    pub calibration: Calibration,
    /// The log as read (customer ids, rows skipped, the decimal mark settled).
    pub log: TransactionLog,
    /// Currency of the log's amounts.
    pub currency: Currency,
    /// The log's file name, as the report and the scenario's header give it.
    pub input: String,
    /// SHA-256 of the log's bytes.
    pub input_sha256: String,
    /// The ready-to-run scenario's TOML text; it loads as it is.
    pub scenario_text: String,
    /// Where the scenario is to be written.
    pub scenario_path: PathBuf,
}

impl Calibrated {
    /// The report of the calibration: `calibration.json`, `customers.csv`, the charts and the
    /// text the command prints.
    pub fn report(&self) -> CalibrationReport<'_> {
        CalibrationReport {
            calibration: &self.calibration,
            input: self.input.clone(),
            input_sha256: self.input_sha256.clone(),
            rows_skipped: self.log.skipped,
            decimal: self.log.decimal.clone(),
            customer_ids: &self.log.customer_ids,
            currency: self.currency.clone(),
            scenario: Some(self.scenario_path.display().to_string()),
        }
    }
}

/// A log's stem (`stdin` for `-`: the default output folder's name) and its file name (as the
/// report and the scenario's header give it).
pub fn log_names(path: &Path) -> (String, String) {
    let stem = if path.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        path.file_stem()
            .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
    };
    let input = path
        .file_name()
        .map_or_else(|| stem.clone(), |n| n.to_string_lossy().into_owned());
    (stem, input)
}

/// A day as YYYY-MM-DD; the error names `what` (the flag or argument) and the text.
pub fn parse_day(what: &str, text: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| Error::Argument(format!("{what} {text}: expected a date as YYYY-MM-DD")))
}

/// Reads the log, fits it and writes the scenario's text, checking that the scenario loads;
/// nothing is written to disk.
pub fn calibrate_log(request: &Request<'_>) -> Result<Calibrated, Error> {
    if let Some(x) = request.large_from
        && !(x.is_finite() && x >= 0.0)
    {
        return Err(Error::Argument(format!(
            "--large-from {x}: expected an amount ≥ 0"
        )));
    }
    // The template: its program, market and finance, and its attitude split if no survey.
    let (template_source, template_name, template) = match &request.template {
        Some(path) => {
            let file = scenario::load(path)?;
            (file.source, path.display().to_string(), file.scenario)
        }
        None => {
            let name = scenario_file::DEFAULT_TEMPLATE_NAME;
            let parsed = scenario::parse(scenario_file::DEFAULT_TEMPLATE, Path::new(name))
                .map_err(scenario::LoadError::from)?;
            (
                scenario_file::DEFAULT_TEMPLATE.to_string(),
                name.to_string(),
                parsed,
            )
        }
    };
    let currency = match &request.currency {
        Some(code) => Currency::from_code(code).ok_or_else(|| {
            Error::Argument(format!(
                "--currency {code}: not an ISO 4217 currency code (e.g. EUR, USD, GBP)"
            ))
        })?,
        None => template.finance.currency.clone(),
    };
    // Amounts are never relabelled: a change of currency converts them at a stated rate.
    let conversion =
        Conversion::between(&template.finance.currency, &currency, request.exchange_rate)
            .map_err(|e| Error::Argument(e.to_string()))?;
    let attitude = request.survey.map_or_else(
        || {
            let share = |t: LoyaltyType| {
                template
                    .population
                    .types
                    .iter()
                    .find(|x| x.loyalty_type == t)
                    .map_or(0.0, |x| x.share)
            };
            let split = |a: f64, b: f64| if a + b > 0.0 { a / (a + b) } else { 0.5 };
            Attitude::Template {
                high_patronage: split(share(LoyaltyType::True), share(LoyaltyType::False)),
                low_patronage: split(share(LoyaltyType::Latent), share(LoyaltyType::NoLoyalty)),
            }
        },
        Attitude::Survey,
    );

    let log = transactions::parse(request.log_path, request.log, &request.read)?;
    let calibration = super::calibrate(
        &log,
        &Options {
            periods: Periods {
                calibration_end: request.calibration_end,
                holdout_end: request.holdout_end,
                unit: request.unit,
            },
            frequent_from: request.frequent_from,
            large_from: request.large_from,
            attitude,
            model: request.model,
        },
    )?;

    let (_, input) = log_names(request.log_path);
    let input_sha256 = scenario::sha256_hex(request.log);
    let uncertainty = if request.uncertain {
        Some(
            super::uncertainty::uncertainty(&calibration)
                .map_err(|e| Error::Argument(e.to_string()))?,
        )
    } else {
        None
    };
    let scenario_text = scenario_file::write(
        &template_source,
        &calibration,
        &Source {
            log: input.clone(),
            log_sha256: input_sha256.clone(),
            template: template_name,
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        request.customers,
        conversion.as_ref(),
        uncertainty.as_ref(),
    )?;
    // The written scenario must load as it is; if the fit gives values no scenario accepts,
    // say so (nothing is written), not as the problems of a file that does not exist.
    if let Err(e) = scenario::parse(&scenario_text, &request.scenario_path) {
        let problems: Vec<String> = e
            .problems
            .iter()
            .map(|p| format!("`{}`: {}", p.field, p.message))
            .collect();
        return Err(Error::Argument(format!(
            "the calibrated population does not make a valid scenario, so nothing was written: {}",
            problems.join("; ")
        )));
    }
    Ok(Calibrated {
        calibration,
        log,
        currency,
        input,
        input_sha256,
        scenario_text,
        scenario_path: request.scenario_path.clone(),
    })
}
