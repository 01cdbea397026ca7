//! `calibrate`: its options, and the log (or a summary of discrete-time histories) mapped to
//! the library's calibration, its report files and the written scenario.

use std::path::{Path, PathBuf};

use loyalty_sim::money::format_number;
use loyalty_sim::report::Formats;
use loyalty_sim::{Error, output, scenario};

use super::conventions;
use super::{note, say, stem};

/// The options of `calibrate`.
#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    /// Transaction log: CSV with a header row, or the whitespace-separated CDNOW layout; `-`
    /// reads standard input. With --model bgbb, also a summary file (frequency, recency,
    /// periods, weights).
    transactions: PathBuf,
    /// Last day of the calibration period (YYYY-MM-DD, inclusive); it starts with the log.
    /// Needed for a log; a summary file for --model bgbb has none.
    #[arg(long, value_name = "DATE")]
    calibration_end: Option<String>,
    /// Last day of the holdout period (YYYY-MM-DD, inclusive), to check the forecast against.
    #[arg(long, value_name = "DATE")]
    holdout_end: Option<String>,
    /// Output folder: calibration.json, customers.csv, the charts and the written
    /// scenario.toml (default: output/<log file stem>).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Gone: --out names the folder now (kept hidden only to say so).
    #[arg(long, value_name = "DIR", hide = true)]
    report_dir: Option<PathBuf>,
    /// Layout of the log (auto: CDNOW if the first line looks like it, else CSV).
    #[arg(long, value_parser = ["auto", "csv", "cdnow"], default_value = "auto")]
    format: String,
    /// CSV column with the customer id.
    #[arg(long, default_value = "customer_id")]
    customer_column: String,
    /// CSV column with the purchase date.
    #[arg(long, default_value = "date")]
    date_column: String,
    /// CSV column with the amount spent.
    #[arg(long, default_value = "amount")]
    amount_column: String,
    /// CSV column with the number of items (optional).
    #[arg(long)]
    quantity_column: Option<String>,
    /// Date format, chrono style (e.g. %d/%m/%Y); default: YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD or
    /// DD.MM.YYYY, told from the first row.
    #[arg(long)]
    date_format: Option<String>,
    /// Skip rows that cannot be read (and count them) instead of stopping at the first.
    #[arg(long)]
    skip_bad_rows: bool,
    /// Decimal mark of the amounts: auto (told from the amounts and stated; an amount such as
    /// 1,234 that reads either way, with no other amount to tell, is refused), `.` (1234.50,
    /// 1,234.50) or `,` (1234,50, 1.234,50, in a file separated by semicolons or tabs, or
    /// quoted).
    #[arg(long, value_parser = ["auto", ".", ","], default_value = "auto")]
    decimal: String,
    /// Time unit of the models.
    #[arg(long, value_parser = ["days", "weeks", "months"], default_value = "weeks")]
    time_unit: String,
    /// Purchases in the calibration period from which a customer is frequent (RFM) and
    /// high-patronage (default: more than the median customer's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    frequent_from: Option<u32>,
    /// Average spend per purchase from which a customer is large (default: the median).
    #[arg(long)]
    large_from: Option<f64>,
    /// Survey: share of high-attitude respondents among high-patronage customers.
    #[arg(long, value_name = "SHARE")]
    attitude_high_patronage: Option<f64>,
    /// Survey: share of high-attitude respondents among low-patronage customers.
    #[arg(long, value_name = "SHARE")]
    attitude_low_patronage: Option<f64>,
    /// Survey: respondents who are high-patronage customers.
    #[arg(long, value_name = "N")]
    respondents_high_patronage: Option<u64>,
    /// Survey: respondents who are low-patronage customers.
    #[arg(long, value_name = "N")]
    respondents_low_patronage: Option<u64>,
    /// Scenario whose program, market and finance the written scenario takes (default: the
    /// built-in retail_points.toml).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// ISO 4217 currency of the log's amounts (default: the template's). If it is not the
    /// template's, --exchange-rate is needed to convert the template's amounts.
    #[arg(long)]
    currency: Option<String>,
    /// Units of the log's currency one unit of the template's buys (e.g. 1.08 for USD logs
    /// and the EUR template): the template's investment, costs, rewards and other amounts are
    /// converted at it, and its texts rewritten.
    #[arg(long, value_name = "RATE")]
    exchange_rate: Option<f64>,
    /// Customers of the written scenario (default: those expected alive at the calibration
    /// end; e.g. scale a sample up to the whole base).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    customers: Option<u64>,
    /// Skip the charts.
    #[arg(long)]
    no_charts: bool,
    /// Write only these kinds of file, comma-separated: csv (customers.csv), json
    /// (calibration.json), charts (PNG and SVG); the scenario is always written (default: all;
    /// --no-charts is csv,json).
    #[arg(long, value_name = "LIST", value_parser = super::parse_formats, conflicts_with = "no_charts")]
    formats: Option<Formats>,
    /// Print calibration.json on standard output instead of the text report.
    #[arg(long)]
    json: bool,
    /// Purchase model feeding the scenario: bgnbd (default: fitted alone), mbgnbd or
    /// pareto-nbd (fitted besides the BG/NBD and compared with it), or auto (all three fitted
    /// and compared; the smallest holdout error by repeat-purchase group, or without a holdout
    /// the lowest BIC, feeds the scenario), or bgbb (the BG/BB for discrete opportunities: a
    /// summary file with frequency, recency and periods columns, or a log cut by --period; it
    /// writes no scenario).
    #[arg(long, value_parser = ["bgnbd", "mbgnbd", "pareto-nbd", "auto", "bgbb"], default_value = "bgnbd")]
    model: String,
    /// With --model bgbb on a transaction log: the opportunity, a calendar year or month, or a
    /// week from the log's first day; the cohort is the customers whose first purchase is in
    /// the first period.
    #[arg(long, value_parser = ["year", "month", "week"])]
    period: Option<String>,
    /// Carry the fit's uncertainty into the scenario: each type's purchase rate, spend and
    /// attrition become lognormal inputs (spread and rank correlations from parameter sets
    /// drawn from the fit), so the bands of `run` include what the log cannot pin down.
    #[arg(long)]
    uncertain: bool,
}

/// `calibrate`: reads the log, fits, and writes the report files and the scenario, all checked
/// before anything is written.
pub fn calibrate(args: &CalibrateArgs) -> Result<(), Error> {
    use loyalty_sim::calibrate::bgbb;
    use loyalty_sim::calibrate::cohort::TimeUnit;
    use loyalty_sim::calibrate::from_log::{Request, calibrate_log};
    use loyalty_sim::calibrate::purchase::ModelChoice;

    conventions::set_json(args.json);
    if let Some(dir) = &args.report_dir {
        return Err(Error::Argument(format!(
            "--report-dir is gone: --out names the folder now, and it gets calibration.json, customers.csv, the charts and scenario.toml (use --out {})",
            dir.display()
        )));
    }
    let formats = formats(args)?;
    if let Some(out) = &args.out
        && out
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        && !out.is_dir()
    {
        return Err(Error::Argument(format!(
            "--out {}: --out names the output folder, which gets the scenario as scenario.toml beside calibration.json, customers.csv and the charts (e.g. --out output/{})",
            out.display(),
            stem(out)
        )));
    }
    let out = conventions::out_folder(args.out.clone())?;
    if args.model == "bgbb" {
        return discrete(args, formats, out);
    }
    if args.period.is_some() {
        return Err(Error::Argument(
            "--period cuts a log into opportunities for the BG/BB: give it with --model bgbb"
                .into(),
        ));
    }
    let calibration_end = calibration_end(args)?;
    let holdout_end = holdout_end(args)?;
    let unit = match args.time_unit.as_str() {
        "days" => TimeUnit::Days,
        "months" => TimeUnit::Months,
        _ => TimeUnit::Weeks,
    };
    let survey = survey(args)?;

    let progress = conventions::Phases::start("calibrate");
    progress.phase("reading the log");
    let bytes = read_input(args)?;
    if bgbb::looks_like_summary(&bytes) {
        return Err(Error::Argument(format!(
            "{} is a summary of discrete-time histories (frequency, recency, periods), not a transaction log: fit it with --model bgbb",
            args.transactions.display()
        )));
    }
    let (name, _) = loyalty_sim::calibrate::from_log::log_names(&args.transactions);
    let dir = out.unwrap_or_else(|| Path::new("output").join(&name));
    progress.phase("reading the log, fitting the models and checking the fit");
    // The library's one calibration, which the Python package calls too.
    let calibrated = calibrate_log(&Request {
        log_path: &args.transactions,
        log: &bytes,
        read: read_options(args),
        calibration_end,
        holdout_end,
        unit,
        frequent_from: args.frequent_from,
        large_from: args.large_from,
        survey,
        model: if args.model == "bgnbd" {
            ModelChoice::Default
        } else {
            ModelChoice::parse(&args.model).unwrap_or_default()
        },
        template: args.template.clone(),
        currency: args.currency.clone(),
        exchange_rate: args.exchange_rate,
        customers: args.customers,
        uncertain: args.uncertain,
        scenario_path: dir.join(SCENARIO_FILE),
    })?;
    let log = &calibrated.log;
    let report = calibrated.report();
    let mut files = report_files(
        formats,
        &progress,
        || report.json(),
        || report.customers_csv(),
        || report.chart_files(),
    )?;
    files.push((
        SCENARIO_FILE.to_string(),
        calibrated.scenario_text.clone().into_bytes(),
    ));
    progress.phase("writing");
    let written = output::write_atomically(&dir, &files)?;
    drop(progress);

    say(&report.text());
    conventions::print_json(&files);
    if log.skipped > 0 {
        let examples: Vec<String> = log
            .skipped_examples
            .iter()
            .map(|r| format!("  {r}"))
            .collect();
        say(&format!(
            "\nSkipped {} bad rows (--skip-bad-rows); the first:\n{}\n",
            format_number(log.skipped as f64, 0),
            examples.join("\n")
        ));
    }
    conventions::wrote_folder(
        &written,
        &dir,
        &format!(
            " (run the scenario: loyalty-sim run {})",
            dir.join(SCENARIO_FILE).display()
        ),
    );
    if args.currency.is_none() {
        note(&format!(
            "note: amounts are taken to be in {} (the template's currency); give --currency if they are not",
            report.currency.code
        ));
    }
    Ok(())
}

/// `--calibration-end`, which a log needs.
fn calibration_end(args: &CalibrateArgs) -> Result<chrono::NaiveDate, Error> {
    let text = args.calibration_end.as_deref().ok_or_else(|| {
        Error::Argument(
            "--calibration-end DATE is needed for a transaction log: the last day of the period the models are fitted on".into(),
        )
    })?;
    loyalty_sim::calibrate::from_log::parse_day("--calibration-end", text)
}

/// `--holdout-end`, if given.
fn holdout_end(args: &CalibrateArgs) -> Result<Option<chrono::NaiveDate>, Error> {
    args.holdout_end
        .as_deref()
        .map(|t| loyalty_sim::calibrate::from_log::parse_day("--holdout-end", t))
        .transpose()
}

/// The input's bytes (a file, or standard input for `-`), up to the log size limit.
fn read_input(args: &CalibrateArgs) -> Result<Vec<u8>, Error> {
    loyalty_sim::input::read_limited(&args.transactions, loyalty_sim::input::LOG_LIMIT, true)
        .map_err(|source| {
            loyalty_sim::calibrate::transactions::ReadError::Io {
                path: args.transactions.clone(),
                source,
            }
            .into()
        })
}

/// How the flags say the log is to be read.
fn read_options(args: &CalibrateArgs) -> loyalty_sim::calibrate::transactions::ReadOptions {
    use loyalty_sim::calibrate::transactions::{Columns, DecimalMark, Format, ReadOptions};
    ReadOptions {
        format: match args.format.as_str() {
            "cdnow" => Some(Format::Cdnow),
            "csv" => Some(Format::Csv),
            _ => None,
        },
        columns: Columns {
            customer: args.customer_column.clone(),
            date: args.date_column.clone(),
            amount: args.amount_column.clone(),
            quantity: args.quantity_column.clone(),
        },
        date_format: args.date_format.clone(),
        skip_bad_rows: args.skip_bad_rows,
        decimal: match args.decimal.as_str() {
            "." => DecimalMark::Point,
            "," => DecimalMark::Comma,
            _ => DecimalMark::Auto,
        },
    }
}

/// `calibrate --model bgbb`: the BG/BB fitted on a summary file, or on a log cut into
/// periods, with its checks; the report files are written, and no scenario (the simulation's
/// customers buy by a monthly rate with a spend per purchase, which opportunities without
/// amounts, or of another length, do not give; see docs/calibrate.md).
fn discrete(args: &CalibrateArgs, formats: Formats, out: Option<PathBuf>) -> Result<(), Error> {
    use loyalty_sim::calibrate::discrete::{self, Period};
    use loyalty_sim::calibrate::{CalibrationError, bgbb, transactions};
    use loyalty_sim::report::discrete::{DiscreteInput, DiscreteReport};

    for (given, flag) in [
        (args.template.is_some(), "--template"),
        (args.customers.is_some(), "--customers"),
        (args.uncertain, "--uncertain"),
        (args.currency.is_some(), "--currency"),
        (args.exchange_rate.is_some(), "--exchange-rate"),
    ] {
        if given {
            return Err(Error::Argument(format!(
                "{flag} shapes the written scenario, and a BG/BB calibration writes none (its opportunities give no monthly purchase rate and spend to simulate): leave it out, or calibrate a log with a continuous-time model"
            )));
        }
    }
    let progress = conventions::Phases::start("calibrate");
    progress.phase("reading the input");
    let bytes = read_input(args)?;
    let (name, input) = loyalty_sim::calibrate::from_log::log_names(&args.transactions);
    let dir = out.unwrap_or_else(|| Path::new("output").join(&name));
    let no_scenario: String;
    let log;
    let histories;
    let calibration = if bgbb::looks_like_summary(&bytes) {
        if let Some(period) = &args.period {
            return Err(Error::Argument(format!(
                "--period {period} cuts a transaction log into opportunities; {input} is a summary of histories (frequency, recency, periods) already: leave --period out"
            )));
        }
        if args.holdout_end.is_some() {
            return Err(Error::Argument(format!(
                "{input} is a summary of histories, which holds no holdout to check against: --holdout-end needs a transaction log (with --period)"
            )));
        }
        let summary = bgbb::parse_summary(&args.transactions, &bytes)?;
        progress.phase("fitting the BG/BB");
        no_scenario = "a summary file has no amounts to price the transactions with, nor a calendar length for its opportunities, so it cannot set the simulation's monthly purchases and spend".to_string();
        log = None;
        histories = None;
        discrete::calibrate(summary, None).map_err(CalibrationError::from)?
    } else {
        let period = args
            .period
            .as_deref()
            .and_then(Period::parse)
            .ok_or_else(|| {
                Error::Argument(format!(
                    "--model bgbb on a transaction log needs --period year, month or week: an opportunity is one period, in which a customer transacts or not ({input} has no frequency, recency and periods columns of a summary file)"
                ))
            })?;
        let calibration_end = calibration_end(args)?;
        let read = transactions::parse(&args.transactions, &bytes, &read_options(args))?;
        let cut = discrete::from_log(&read, period, calibration_end, holdout_end(args)?)
            .map_err(CalibrationError::from)?;
        progress.phase("fitting the BG/BB and checking the fit");
        no_scenario = format!(
            "a BG/BB fit gives each customer a chance to transact per {}, and the simulation's customers buy at a monthly rate with a spend per purchase; the mapping is not written yet, so no scenario is",
            period.name()
        );
        let fitted =
            discrete::calibrate(cut.summary(), Some(&cut)).map_err(CalibrationError::from)?;
        log = Some(read);
        histories = Some(cut);
        fitted
    };
    let source = match (&log, &histories) {
        (Some(log), Some(histories)) => DiscreteInput::Log {
            histories,
            customer_ids: &log.customer_ids,
            transactions: log.transactions.len() as u64,
            rows_skipped: log.skipped,
        },
        _ => DiscreteInput::Summary,
    };
    let report = DiscreteReport {
        calibration: &calibration,
        source,
        input,
        input_sha256: scenario::sha256_hex(&bytes),
        scenario: Err(no_scenario),
    };
    let files = report_files(
        formats,
        &progress,
        || report.json(),
        || report.customers_csv(),
        || report.chart_files(),
    )?;
    progress.phase("writing");
    let written = output::write_atomically(&dir, &files)?;
    drop(progress);
    say(&report.text());
    conventions::print_json(&files);
    conventions::wrote_folder(&written, &dir, "");
    Ok(())
}

/// A rendered file: (name, bytes).
type File = (String, Vec<u8>);

/// The report files `formats` asks for: `calibration.json`, `customers.csv` and the charts,
/// each rendered only when asked for.
fn report_files(
    formats: Formats,
    progress: &conventions::Phases,
    json: impl FnOnce() -> Result<Vec<u8>, loyalty_sim::report::ReportError>,
    csv: impl FnOnce() -> Result<Vec<u8>, loyalty_sim::report::ReportError>,
    charts: impl FnOnce() -> Result<Vec<File>, loyalty_sim::report::ReportError>,
) -> Result<Vec<File>, Error> {
    let mut files = Vec::new();
    if formats.json {
        files.push(("calibration.json".to_string(), json()?));
    }
    if formats.csv {
        files.push(("customers.csv".to_string(), csv()?));
    }
    if formats.charts {
        progress.phase("drawing the charts");
        files.extend(charts()?);
    }
    Ok(files)
}

/// The name of the written scenario in the output folder.
const SCENARIO_FILE: &str = "scenario.toml";

/// The report files `--formats` (or `--no-charts`) asks for: csv, json and charts are the
/// kinds `calibrate` writes; the scenario is written whatever the list.
fn formats(args: &CalibrateArgs) -> Result<Formats, Error> {
    let formats = super::chosen_formats(
        args.formats,
        args.no_charts,
        super::DATA_AND_CHART_FORMATS,
        args.json.then_some("calibration.json"),
    )?;
    formats
        .within("calibrate", super::DATA_AND_CHART_FORMATS)
        .map_err(Error::Argument)?;
    Ok(formats)
}

/// The survey the flags describe: all four or none.
fn survey(args: &CalibrateArgs) -> Result<Option<loyalty_sim::calibrate::types::Survey>, Error> {
    use loyalty_sim::calibrate::types::{Survey, SurveyShare};
    match (
        args.attitude_high_patronage,
        args.attitude_low_patronage,
        args.respondents_high_patronage,
        args.respondents_low_patronage,
    ) {
        (None, None, None, None) => Ok(None),
        (Some(high), Some(low), Some(n_high), Some(n_low)) => {
            for (flag, v) in [
                ("--attitude-high-patronage", high),
                ("--attitude-low-patronage", low),
            ] {
                if !(0.0..=1.0).contains(&v) {
                    return Err(Error::Argument(format!(
                        "{flag} {v}: expected a share from 0 to 1"
                    )));
                }
            }
            for (flag, n) in [
                ("--respondents-high-patronage", n_high),
                ("--respondents-low-patronage", n_low),
            ] {
                if n == 0 {
                    return Err(Error::Argument(format!(
                        "{flag} 0: a surveyed share needs at least one respondent"
                    )));
                }
            }
            Ok(Some(Survey {
                high_patronage: SurveyShare {
                    share: high,
                    respondents: n_high,
                },
                low_patronage: SurveyShare {
                    share: low,
                    respondents: n_low,
                },
            }))
        }
        _ => Err(Error::Argument(
            "a survey needs all four of --attitude-high-patronage, --attitude-low-patronage, --respondents-high-patronage and --respondents-low-patronage".into(),
        )),
    }
}
