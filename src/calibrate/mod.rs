//! Calibration: from a transaction log to a population of loyalty types.
//!
//! The pipeline: [`transactions::read`] reads the log (CSV or the CDNOW layout) →
//! [`cohort::cohort`] turns it into customers of the calibration period (same-day purchases
//! merged; x, t_x, T; average repeat value; holdout purchases) → [`rfm`] groups them by
//! frequency and spend → [`bgnbd::fit`] and [`gamma_gamma::fit`] fit the purchase and spend
//! models by maximum likelihood ([`fit`]) → [`purchase::compare`] fits the other purchase
//! models ([`mbgnbd`], [`pareto_nbd`]), compares them and picks the one that feeds the rest →
//! [`checks`] compares the fit with the data →
//! [`types::population`] crosses patronage with the survey's attitude into the four loyalty
//! types and their behaviour → [`scenario_file::write`] puts that population into a
//! ready-to-run scenario. [`synthetic`] draws logs from known parameters, to test the fits.
//! [`log_formats`] reads the layouts besides CSV (space-separated columns, the CDNOW layouts,
//! `.xlsx`); [`bgbb`] is the discrete-time model, fitted on summarised histories, which
//! [`discrete`] reads from a summary file or cuts from a log by periods, and checks.
//! [`uncertainty`] carries what the fit leaves unknown into the scenario as uncertain inputs.
//! [`from_log::calibrate_log`] is the whole of it as the command line and the Python package
//! ask for it: a log's bytes and the command's choices in, the fit and the scenario's text out.

pub mod bgbb;
pub mod bgnbd;
pub mod breakage;
pub mod checks;
pub mod cohort;
pub mod currency;
pub mod discrete;
pub mod fit;
pub mod from_log;
pub mod gamma_gamma;
pub mod log_formats;
pub mod mbgnbd;
pub mod pareto_nbd;
pub mod purchase;
pub mod rfm;
pub mod scenario_file;
pub mod special;
pub mod synthetic;
pub mod transactions;
pub mod types;
pub mod uncertainty;

use bgnbd::{FittedBgNbd, Histories};
use checks::{FrequencyBin, Holdout};
use cohort::{Cohort, PeriodError, Periods};
use fit::FitError;
use gamma_gamma::{FittedGammaGamma, Spends};
use purchase::{Comparison, FittedPurchases, ModelChoice};
use rfm::{GroupSummary, Thresholds};
use transactions::TransactionLog;
use types::{Attitude, Population};

/// What a calibration is asked for, beyond the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Calibration and holdout periods, and the time unit.
    pub periods: Periods,
    /// Purchases from which a customer is frequent (and high-patronage); `None`: the median
    /// split.
    pub frequent_from: Option<u32>,
    /// Average spend from which a customer is large; `None`: the median.
    pub large_from: Option<f64>,
    /// Where attitude comes from.
    pub attitude: Attitude,
    /// Which purchase model feeds the population.
    pub model: ModelChoice,
}

/// Everything a calibration found.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// The customers of the calibration period.
    pub cohort: Cohort,
    /// The RFM thresholds used.
    pub thresholds: Thresholds,
    /// The four RFM groups.
    pub rfm: Vec<GroupSummary>,
    /// The BG/NBD purchase model (always fitted: the reference the others are compared with).
    pub bgnbd: FittedBgNbd,
    /// The purchase model chosen to feed the checks and the population.
    pub purchases: FittedPurchases,
    /// The purchase models compared, and why the chosen one was.
    pub comparison: Comparison,
    /// The spend model.
    pub gamma_gamma: FittedGammaGamma,
    /// Customers the spend model was fitted on (with a repeat purchase of positive value).
    pub gamma_gamma_customers: u64,
    /// The spend model's independence check: frequency against average spend.
    pub spend_independence: checks::SpendIndependence,
    /// Observed against expected repeat purchases.
    pub histogram: Vec<FrequencyBin>,
    /// The holdout check, when there is a holdout.
    pub holdout: Option<Holdout>,
    /// Cumulative repeat purchases per time unit, actual against expected, over the
    /// calibration and holdout periods.
    pub tracking: Vec<checks::TrackingPoint>,
    /// The population for a scenario.
    pub population: Population,
}

/// Why a calibration failed.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// The periods do not fit the log.
    #[error(transparent)]
    Periods(#[from] PeriodError),
    /// Too few customers buy again to fit the models.
    #[error(
        "only {repeaters} of the {customers} customers bought again in the calibration period; the models need at least {MIN_REPEATERS}: end the calibration period later"
    )]
    TooFewRepeaters {
        /// Customers with a repeat purchase.
        repeaters: u64,
        /// Customers in the cohort.
        customers: u64,
    },
    /// Too few repeat customers spent anything.
    #[error(
        "only {spenders} of the {repeaters} customers who bought again spent more than 0 on their repeat purchases; the spend model needs at least {MIN_REPEATERS}: check the amount column"
    )]
    TooFewSpends {
        /// Repeat customers with a positive average repeat value.
        spenders: u64,
        /// Customers with a repeat purchase.
        repeaters: u64,
    },
    /// The spend model fitted has no mean.
    #[error(
        "the spend model has no finite mean (Gamma-Gamma q = {q:.3}, at most 1): a few customers' very large amounts dominate; check the amount column for outliers or amounts in another unit"
    )]
    SpendWithoutMean {
        /// The fitted q.
        q: f64,
    },
    /// A model could not be fitted.
    #[error(transparent)]
    Fit(#[from] FitError),
    /// A log could not be cut into discrete opportunities.
    #[error(transparent)]
    Discrete(#[from] discrete::DiscreteError),
    /// The purchase model asked for could not be fitted.
    #[error("{0}; choose another model with --model")]
    Model(String),
    /// A forecast for the holdout could not be computed.
    #[error(
        "the holdout forecast did not converge (the hypergeometric series of the BG/NBD forecast); shorten the holdout"
    )]
    Forecast,
}

/// Fewest customers with repeat purchases the fits are attempted with.
pub const MIN_REPEATERS: u64 = 10;

/// Calibrates `log` as `options` say.
pub fn calibrate(log: &TransactionLog, options: &Options) -> Result<Calibration, CalibrationError> {
    let cohort = cohort::cohort(log, options.periods)?;
    let customers = &cohort.customers;
    let spends = Spends {
        customers: customers
            .iter()
            .filter_map(|c| c.repeat_mean.filter(|m| *m > 0.0).map(|m| (c.history.x, m)))
            .collect(),
    };
    let repeaters = customers.iter().filter(|c| c.history.x > 0).count() as u64;
    if repeaters < MIN_REPEATERS {
        return Err(CalibrationError::TooFewRepeaters {
            repeaters,
            customers: customers.len() as u64,
        });
    }
    if (spends.customers.len() as u64) < MIN_REPEATERS {
        return Err(CalibrationError::TooFewSpends {
            spenders: spends.customers.len() as u64,
            repeaters,
        });
    }
    let thresholds = Thresholds::new(customers, options.frequent_from, options.large_from);
    let rfm = rfm::summarise(customers, &thresholds);
    let histories = Histories::new(customers.iter().map(|c| c.history));
    let bgnbd = bgnbd::fit(&histories)?;
    let gamma_gamma = gamma_gamma::fit(&spends)?;
    if gamma_gamma.model.q <= 1.0 {
        return Err(CalibrationError::SpendWithoutMean {
            q: gamma_gamma.model.q,
        });
    }
    let (comparison, purchases) = purchase::compare(
        customers,
        &histories,
        &bgnbd,
        cohort.holdout_length,
        &thresholds,
        options.model,
    )
    .map_err(CalibrationError::Model)?;
    let histogram = checks::repeat_histogram(customers, &purchases.model);
    let holdout = match cohort.holdout_length {
        Some(length) => Some(
            checks::holdout(customers, &purchases.model, length, &thresholds)
                .ok_or(CalibrationError::Forecast)?,
        ),
        None => None,
    };
    let tracking = checks::tracking(&cohort, &purchases.model);
    let population = types::population(
        customers,
        &purchases.model,
        &gamma_gamma.model,
        options.periods.unit,
        thresholds.frequent_from,
        options.attitude,
    );
    Ok(Calibration {
        gamma_gamma_customers: spends.customers.len() as u64,
        spend_independence: checks::spend_independence(&spends.customers),
        cohort,
        thresholds,
        rfm,
        bgnbd,
        purchases,
        comparison,
        gamma_gamma,
        histogram,
        holdout,
        tracking,
        population,
    })
}
