//! Command line: clap definitions, and each subcommand mapped to library calls. The library
//! knows nothing of clap.

use std::path::{Path, PathBuf};

mod calibrate;
mod workbench;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use loyalty_sim::bench::{self, BenchOptions};
use loyalty_sim::decide::breakeven::{Lever, break_even};
use loyalty_sim::decide::compare::compare;
use loyalty_sim::decide::optimise::{self as optimising, Constraints, optimise};
use loyalty_sim::decide::sobol::sobol_with_payback;
use loyalty_sim::decide::sweep::{Axis, sweep};
use loyalty_sim::decide::tornado::tornado;
use loyalty_sim::metrics::finance::{Goal, TrialMetrics};
use loyalty_sim::money::format_number;
use loyalty_sim::report::decisions::{self, Provenance};
use loyalty_sim::report::{Formats, console, render_formats};
use loyalty_sim::run::{HalfWidth, Precision};
use loyalty_sim::{Error, RunOptions, output, scenario};

mod conventions;
pub use conventions::parse;
use conventions::{metric_names, parse_seed, wrote};

/// Will a loyalty program pay, when, and what will it owe? A Monte Carlo business case.
#[derive(Debug, Parser)]
#[command(name = "loyalty-sim", version, about, long_about = None)]
pub struct Cli {
    /// Print nothing but errors (and what --json asks for).
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and write its results: tables, charts, an HTML report and a workbook.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Number of trials (overrides [simulation] trials).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        trials: Option<u64>,
        /// Seed of the random numbers (overrides [simulation] seed).
        #[arg(long, allow_negative_numbers = true, value_parser = parse_seed)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Output directory (default: output/<scenario file stem>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Skip the charts (PNG and SVG), report.html and workbook.xlsx.
        #[arg(long)]
        no_charts: bool,
        /// Write only these kinds of file, comma-separated: csv, json, charts, html, xlsx
        /// (default: all; --no-charts is csv,json).
        #[arg(long, value_name = "LIST", value_parser = parse_formats, conflicts_with = "no_charts")]
        formats: Option<Formats>,
        /// Print summary.json on standard output instead of the text summary.
        #[arg(long)]
        json: bool,
        /// Stop once a metric's 95% interval is this narrow: METRIC=HALF_WIDTH, the half-width
        /// in the metric's unit (npv=5000) or as a share of its mean (npv=2%). Checked at 50,
        /// 100, 200, … trials, up to --trials.
        #[arg(long, value_name = "METRIC=HALF_WIDTH")]
        precision: Option<String>,
        /// Run only this shard of the trials (0-based) and write a part for `merge`; without
        /// it, SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX say.
        #[arg(long, requires = "shard_count")]
        shard_index: Option<u64>,
        /// Number of shards; without it, SLURM_ARRAY_TASK_COUNT, AWS_BATCH_JOB_ARRAY_SIZE or
        /// LOYALTY_SIM_SHARD_COUNT say (the latter for a Kubernetes Indexed Job).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        shard_count: Option<u64>,
    },
    /// Merge the parts written by sharded runs into the outputs of one run.
    Merge {
        /// Part folders (or their part.json files), e.g. output/reference/part-*.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Output directory (default: output/<scenario file stem>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Skip the charts (PNG and SVG), report.html and workbook.xlsx.
        #[arg(long)]
        no_charts: bool,
        /// Write only these kinds of file, comma-separated: csv, json, charts, html, xlsx
        /// (default: all; --no-charts is csv,json).
        #[arg(long, value_name = "LIST", value_parser = parse_formats, conflicts_with = "no_charts")]
        formats: Option<Formats>,
    },
    /// Run several designs on the same customers and compare them trial by trial.
    Compare {
        /// Scenario files of the designs (at least two); the first is the reference.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Vary one or two inputs over a range and find the best value.
    Sweep {
        /// Scenario file.
        scenario: PathBuf,
        /// An input and its range, PATH=FROM..TO (e.g. program.points.redemption_threshold=100..1000);
        /// give it twice for a grid of two inputs.
        #[arg(
            long = "vary",
            value_name = "PATH=FROM..TO",
            required = true,
            num_args = 1
        )]
        vary: Vec<String>,
        /// Values per input, evenly spaced.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=100))]
        steps: u32,
        /// Metric whose mean picks the best value.
        #[arg(long, default_value = "npv", value_parser = metric_names())]
        metric: String,
        /// Whether the best value has the highest (max) or lowest (min) mean of the metric
        /// (default: the metric's own way: highest NPV, lowest reward cost or liability).
        #[arg(long, value_parser = ["max", "min"])]
        goal: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Find the best design over one to four levers (e.g. threshold × earn rate × expiry) by
    /// grid refinement on common random numbers, under constraints on the chance of payback
    /// and the liability.
    Optimise {
        /// Scenario file.
        scenario: PathBuf,
        /// A lever and its range, PATH=FROM..TO (e.g. program.points.redemption_threshold=100..1000);
        /// give it up to four times for several levers.
        #[arg(
            long = "vary",
            value_name = "PATH=FROM..TO",
            required = true,
            num_args = 1
        )]
        vary: Vec<String>,
        /// How close each lever's values end up (the search stops at this spacing): once for
        /// every lever, or once per --vary in the same order (default: a hundredth of the range
        /// for one lever, a sixteenth for several; at least 1 for whole numbers).
        #[arg(long, num_args = 1)]
        step: Vec<f64>,
        /// Metric whose mean picks the best design.
        #[arg(long, default_value = "npv", value_parser = metric_names())]
        metric: String,
        /// Whether the best design has the highest (max) or lowest (min) mean of the metric
        /// (default: the metric's own way).
        #[arg(long, value_parser = ["max", "min"])]
        goal: Option<String>,
        /// Only designs whose chance of payback within the horizon is at least this share of
        /// the trials (0 to 1, e.g. 0.8).
        #[arg(long, value_name = "SHARE")]
        min_payback_chance: Option<f64>,
        /// Only designs whose liability at the horizon is at most this amount in the 95th
        /// percentile of the trials.
        #[arg(long, value_name = "AMOUNT")]
        max_liability_p95: Option<f64>,
        #[command(flatten)]
        common: Common,
    },
    /// Rank the uncertain inputs by their effect on a metric (a tornado).
    Tornado {
        /// Scenario file with inputs given as distributions.
        scenario: PathBuf,
        /// Metric to rank by.
        #[arg(long, default_value = "npv", value_parser = metric_names())]
        metric: String,
        /// Also share out the metric's variance among the inputs (Sobol first-order and total
        /// indices with bootstrap intervals), shown beside the swings.
        #[arg(long)]
        sobol: bool,
        /// Rows (base samples) of the Sobol design: it simulates rows × (inputs + 2) trials.
        #[arg(long, value_name = "ROWS", requires = "sobol",
              default_value_t = loyalty_sim::decide::sobol::DEFAULT_SAMPLES as u32,
              value_parser = clap::value_parser!(u32).range(8..=1_000_000))]
        sobol_rows: u32,
        #[command(flatten)]
        common: Common,
    },
    /// Find the members' response (lift) or membership at which the median NPV is zero.
    Breakeven {
        /// Scenario file.
        scenario: PathBuf,
        /// What to scale: lift or membership.
        #[arg(long, value_parser = ["lift", "membership"], default_value = "lift")]
        lever: String,
        #[command(flatten)]
        common: Common,
    },
    /// Fit a population to a transaction log (RFM groups, BG/NBD purchases, Gamma-Gamma spend,
    /// loyalty types) and write a ready-to-run scenario; or fit the BG/BB to discrete
    /// opportunities (--model bgbb).
    Calibrate(Box<calibrate::CalibrateArgs>),
    /// Breakage from redemption history: the issue-month × development-month triangle,
    /// projected by chain ladder (with Mack's standard error) and by an exponential decay of
    /// redemptions by age, with a check that the development is stable. Writes breakage.json.
    ///
    /// HISTORY is a CSV file with a header row and one row per issue month and development
    /// month: issue_month (YYYY-MM), development_month (or months_since_issue: months since
    /// the issue month, 0 for the month of issue), points_issued (the issue month's points
    /// issued, the same on each of its rows) and points_redeemed (points of that issue month
    /// redeemed in that development month). Each issue month runs from development month 0
    /// without a gap. A bad row stops the command (exit 2) naming its line and column.
    Breakage {
        /// Redemption history (CSV).
        history: PathBuf,
        /// Tail factor applied after the last development month observed (≥ 1; 1 when no
        /// redemptions follow it).
        #[arg(long, default_value_t = 1.0)]
        tail: f64,
        /// Output directory (default: output/<history file stem>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Scenario file to set program.points.breakage in (to the chain ladder's breakage),
        /// edited in place; the rest of the file is kept.
        #[arg(long, value_name = "SCENARIO")]
        write: Option<PathBuf>,
        /// With --write: write the breakage as an uncertain input, { dist = "normal", mean,
        /// sd } with Mack's standard error as sd, instead of a fixed share.
        #[arg(long, requires = "write")]
        uncertain: bool,
    },
    /// Check a scenario file and report every problem; runs nothing.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Classroom lessons: without a name, list them; with one, run it, tell its story and
    /// write its HTML page and charts.
    Learn {
        /// The lesson (types, discount-trap, threshold, rfm).
        lesson: Option<String>,
        /// Output directory (default: output/lessons/<lesson>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Trials (default: the lesson's, 20).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        trials: Option<u64>,
        /// Customers at launch (default: the lesson's, 10,000).
        #[arg(long, value_parser = clap::value_parser!(u64).range(100..=10_000_000))]
        customers: Option<u64>,
        /// Seed of the random numbers (default: the lesson's).
        #[arg(long, allow_negative_numbers = true, value_parser = parse_seed)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). The numbers do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Write only these kinds of file, comma-separated: json, charts, html (default: all;
        /// lesson.html holds its charts inline either way).
        #[arg(long, value_name = "LIST", value_parser = parse_formats)]
        formats: Option<Formats>,
    },
    /// Measure simulation throughput in customer-months per second.
    Bench {
        /// Scenario to time (default: the reference scenario built into the program).
        scenario: Option<PathBuf>,
        /// Trials per measurement (default: the scenario's).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        trials: Option<u64>,
        /// Worker threads (default: all cores).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Measurements to take; the report gives the best and the median.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
        repeat: u32,
        /// Customers instead of the scenario's (e.g. 10000000 for a national retailer).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        customers: Option<u64>,
    },
    /// Print a shell's completion script: e.g. `loyalty-sim completions bash >
    /// ~/.local/share/bash-completion/completions/loyalty-sim`.
    Completions {
        /// The shell (bash, zsh, fish, powershell, elvish).
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on standard output, or write one page per command into a
    /// folder: `loyalty-sim man | man -l -`.
    Man {
        /// Folder to write loyalty-sim.1 and a page per command (loyalty-sim-run.1, …) into.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    #[command(flatten)]
    Workbench(workbench::WorkbenchCommand),
}

/// Options shared by the decision commands.
#[derive(Debug, clap::Args)]
struct Common {
    /// Trials per run (default: the scenario's, at most 200 for sweeps, tornadoes and
    /// break-even searches, which make many runs).
    #[arg(long, value_parser = clap::value_parser!(u64).range(2..=10_000_000))]
    trials: Option<u64>,
    /// Seed of the random numbers (overrides [simulation] seed).
    #[arg(long, allow_negative_numbers = true, value_parser = parse_seed)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Output directory (default: output/<name of the analysis>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Skip the charts (PNG and SVG), report.html and workbook.xlsx.
    #[arg(long)]
    no_charts: bool,
    /// Write only these kinds of file, comma-separated: csv, json, charts, html, xlsx
    /// (default: all; --no-charts is csv,json; breakeven writes csv, json, charts).
    #[arg(long, value_name = "LIST", value_parser = parse_formats, conflicts_with = "no_charts")]
    formats: Option<Formats>,
    /// Print the analysis's JSON file on standard output instead of the text.
    #[arg(long)]
    json: bool,
}

impl Common {
    /// The kinds of file `command` is to write: `--formats`, checked against the kinds a
    /// decision command writes, or all but the charts with `--no-charts`. Called before any
    /// work, it also refuses an `--out` that names a file then rather than after the analysis.
    fn formats(&self, command: &str) -> Result<Formats, Error> {
        conventions::out_folder(self.out.clone())?;
        let file = format!("{command}.json");
        let writes = if command == "breakeven" {
            DATA_AND_CHART_FORMATS
        } else {
            DECISION_FORMATS
        };
        let formats = chosen_formats(
            self.formats,
            self.no_charts,
            writes,
            self.json.then_some(&file),
        )?;
        formats.within(command, writes).map_err(Error::Argument)?;
        Ok(formats)
    }

    /// Options for a tool that runs `file` many times: the scenario's trials, at most 200,
    /// unless --trials says otherwise.
    fn many_runs(&self, file: &loyalty_sim::ScenarioFile) -> RunOptions {
        self.options(Some(file.scenario.simulation.trials.min(200)))
    }

    fn options(&self, default_trials: Option<u64>) -> RunOptions {
        RunOptions {
            trials: self.trials.or(default_trials),
            seed: self.seed,
            threads: self.threads.map(usize::from),
            precision: None,
        }
    }
}

/// Prints `text` on stdout. A reader that has gone away (`| head`) is not an error: the files
/// are written regardless, and the command ends normally.
fn say(text: &str) {
    use std::io::Write;
    if conventions::text_hidden() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Prints a line on stderr; a closed stderr is not an error either.
fn note(text: &str) {
    use std::io::Write;
    if conventions::quiet() {
        return;
    }
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// `--goal` as clap has checked it: `min` or `max`.
fn goal_of(goal: &str) -> Goal {
    match goal {
        "min" => Goal::Minimize,
        _ => Goal::Maximize,
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// Who produced a decision on one scenario file, with `options` and `trials`.
fn provenance(file: &loyalty_sim::ScenarioFile, options: &RunOptions, trials: u64) -> Provenance {
    Provenance::of(
        &[file],
        options.seed.unwrap_or(file.scenario.simulation.seed),
        trials,
    )
}

/// The kinds of file a decision command (compare, sweep, optimise, tornado) writes: its tables,
/// its JSON, its charts, and its report and workbook.
const DECISION_FORMATS: Formats = Formats::ALL;

/// The kinds of file `breakeven` and `calibrate` write: no report or workbook of their own.
const DATA_AND_CHART_FORMATS: Formats = Formats {
    csv: true,
    json: true,
    charts: true,
    html: false,
    xlsx: false,
};

/// Prints a decision's `text` and writes the files of the kinds chosen (`--formats`, or all but
/// the charts with `--no-charts`) to --out or `output/<name>`.
fn publish(
    common: &Common,
    formats: Formats,
    name: String,
    text: &str,
    files: Vec<loyalty_sim::report::decisions::Rendered>,
) -> Result<(), Error> {
    conventions::set_json(common.json);
    let dir = conventions::out_folder(common.out.clone())?
        .unwrap_or_else(|| Path::new("output").join(name));
    let dir = dir.as_path();
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|f| f.into_pair())
        .filter(|(name, _)| formats.includes(name))
        .collect();
    let written = output::write_atomically(dir, &files)?;
    say(text);
    conventions::print_json(&files);
    conventions::wrote_folder(&written, dir, "");
    Ok(())
}

/// `path=from..to` as an axis of `steps` values, whole when the field holds whole numbers. The
/// field is checked up front, by the scenario's own rules, over the whole range.
fn parse_axis(text: &str, steps: u32, file: &loyalty_sim::ScenarioFile) -> Result<Axis, Error> {
    let bad = |why: &str| Error::Argument(format!("--vary {text}: {why}"));
    let (path, range) = text.split_once('=').ok_or_else(|| {
        bad("expected PATH=FROM..TO, e.g. program.points.redemption_threshold=100..1000")
    })?;
    let path = path.trim();
    let (from, to) = range
        .split_once("..")
        .ok_or_else(|| bad("expected FROM..TO"))?;
    let number = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let (Some(a), Some(b)) = (number(from), number(to)) else {
        return Err(bad("FROM and TO must be numbers"));
    };
    let axis = Axis::probed(file, path, a, b, steps as usize).map_err(|why| bad(&why))?;
    if axis.values.len() < steps as usize {
        note(&format!(
            "note: {path} holds whole numbers: {} distinct values from {a} to {b}, not {steps}",
            axis.values.len()
        ));
    }
    Ok(axis)
}

/// The levers of `optimise`: each `--vary` checked against the scenario's rules over its
/// range, one to four of them, none twice, each with its `--step` (one for all, or one each).
fn levers(
    vary: &[String],
    step: &[f64],
    file: &loyalty_sim::ScenarioFile,
) -> Result<Vec<optimising::Lever>, Error> {
    if vary.len() > 4 {
        return Err(Error::Argument(
            "--vary: at most four levers at once".into(),
        ));
    }
    if step.len() > 1 && step.len() != vary.len() {
        return Err(Error::Argument(format!(
            "--step is given {} times for {} levers: give it once for all, or once per --vary",
            step.len(),
            vary.len()
        )));
    }
    if let Some(s) = step.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        return Err(Error::Argument(format!(
            "--step {s}: expected a positive number"
        )));
    }
    let mut levers: Vec<optimising::Lever> = Vec::with_capacity(vary.len());
    for (i, text) in vary.iter().enumerate() {
        let axis = parse_axis(text, 2, file)?;
        if levers.iter().any(|l| l.path == axis.path) {
            return Err(Error::Argument(format!(
                "--vary: {} is given twice; vary different inputs",
                axis.path
            )));
        }
        let (from, to) = (axis.values[0], axis.values[axis.values.len() - 1]);
        // parse_axis has checked the field against both ends already.
        let whole = file.probe(&axis.path, from, to).unwrap_or(false);
        let share = if vary.len() == 1 { 100.0 } else { 16.0 };
        let step = step
            .get(i)
            .or(step.first())
            .copied()
            .unwrap_or((to - from).abs() / share);
        levers.push(optimising::Lever {
            path: axis.path,
            from,
            to,
            step,
            whole,
        });
    }
    Ok(levers)
}

/// The constraints of `optimise`, checked: a chance from 0 to 1, a finite amount.
fn constraints(
    min_payback_chance: Option<f64>,
    max_liability_p95: Option<f64>,
) -> Result<Constraints, Error> {
    if let Some(p) = min_payback_chance
        && !(0.0..=1.0).contains(&p)
    {
        return Err(Error::Argument(format!(
            "--min-payback-chance {p}: expected a share of the trials from 0 to 1 (0.8 for 80%)"
        )));
    }
    if let Some(a) = max_liability_p95
        && !a.is_finite()
    {
        return Err(Error::Argument(format!(
            "--max-liability-p95 {a}: expected an amount"
        )));
    }
    Ok(Constraints {
        min_payback_chance,
        max_liability_p95,
    })
}

/// Runs the parsed command.
pub fn execute(cli: Cli) -> Result<(), Error> {
    conventions::set_quiet(cli.quiet);
    match cli.command {
        Command::Run {
            scenario,
            trials,
            seed,
            threads,
            out,
            no_charts,
            formats,
            json,
            precision,
            shard_index,
            shard_count,
        } => {
            conventions::set_json(json);
            let formats = chosen_formats(
                formats,
                no_charts,
                Formats::ALL,
                json.then_some("summary.json"),
            )?;
            let out = conventions::out_folder(out)?;
            let options = RunOptions {
                trials,
                seed,
                threads: threads.map(usize::from),
                precision: precision.as_deref().map(parse_precision).transpose()?,
            };
            match shard(shard_index, shard_count, &|name| std::env::var(name).ok())? {
                Some(shard) => run_shard(&scenario, &options, shard, out),
                None => run(&scenario, options, out, formats),
            }
        }
        Command::Merge {
            parts,
            out,
            no_charts,
            formats,
        } => merge(
            &parts,
            conventions::out_folder(out)?,
            chosen_formats(formats, no_charts, Formats::ALL, None)?,
        ),
        Command::Validate { scenario } => validate(&scenario),
        Command::Workbench(command) => workbench::execute(command),
        Command::Calibrate(args) => calibrate::calibrate(&args),
        Command::Breakage {
            history,
            tail,
            out,
            write,
            uncertain,
        } => breakage(
            &history,
            tail,
            conventions::out_folder(out)?,
            write.as_deref(),
            uncertain,
        ),
        Command::Compare { scenarios, common } => {
            let formats = common.formats("compare")?;
            let files = scenarios
                .iter()
                .map(|p| scenario::load(p))
                .collect::<Result<Vec<_>, _>>()?;
            let options = common.options(None);
            let spinner = conventions::working("compare");
            let out = compare(&files, &options);
            spinner.finish_and_clear();
            let out = out?;
            // `compare` refuses fewer than two files (and clap requires two).
            let first = &files[0].scenario.simulation;
            let refs: Vec<&loyalty_sim::ScenarioFile> = files.iter().collect();
            let provenance = Provenance::of(
                &refs,
                options.seed.unwrap_or(first.seed),
                options.trials.unwrap_or(first.trials),
            );
            let name = format!(
                "compare-{}",
                scenarios
                    .iter()
                    .map(|p| stem(p))
                    .collect::<Vec<_>>()
                    .join("-vs-")
            );
            publish(
                &common,
                formats,
                name,
                &decisions::compare_text(&out, &provenance),
                decisions::compare_files(&out, &provenance)?,
            )
        }
        Command::Sweep {
            scenario: path,
            vary,
            steps,
            metric,
            goal,
            common,
        } => {
            let formats = common.formats("sweep")?;
            let file = scenario::load(&path)?;
            let goal = goal.as_deref().map(goal_of);
            if vary.len() > 2 {
                return Err(Error::Argument("--vary: at most two inputs at once".into()));
            }
            let axes = vary
                .iter()
                .map(|v| parse_axis(v, steps, &file))
                .collect::<Result<Vec<_>, _>>()?;
            if let [a, b] = axes.as_slice()
                && a.path == b.path
            {
                return Err(Error::Argument(format!(
                    "--vary: {} is given twice; vary two different inputs",
                    a.path
                )));
            }
            let options = common.many_runs(&file);
            let spinner = conventions::working("sweep");
            let s = sweep(&file, &axes, &metric, goal, &options);
            spinner.finish_and_clear();
            let s = s?;
            let provenance = provenance(&file, &options, s.trials);
            let currency = &file.scenario.finance.currency;
            publish(
                &common,
                formats,
                format!("{}-sweep", stem(&path)),
                &decisions::sweep_text(&s, currency, &provenance),
                decisions::sweep_files(&s, currency, &provenance)?,
            )
        }
        Command::Optimise {
            scenario: path,
            vary,
            step,
            metric,
            goal,
            min_payback_chance,
            max_liability_p95,
            common,
        } => {
            let formats = common.formats("optimise")?;
            let file = scenario::load(&path)?;
            let goal = goal.as_deref().map(goal_of);
            let levers = levers(&vary, &step, &file)?;
            let constraints = constraints(min_payback_chance, max_liability_p95)?;
            let options = common.many_runs(&file);
            let spinner = conventions::working("optimise");
            let o = optimise(&file, &levers, &metric, goal, constraints, &options);
            spinner.finish_and_clear();
            let o = o?;
            let provenance = provenance(&file, &options, o.trials);
            let currency = &file.scenario.finance.currency;
            publish(
                &common,
                formats,
                format!("{}-optimise", stem(&path)),
                &decisions::optimise_text(&o, currency, &provenance),
                decisions::optimise_files(&o, currency, &provenance)?,
            )
        }
        Command::Tornado {
            scenario: path,
            metric,
            sobol,
            sobol_rows,
            common,
        } => {
            let formats = common.formats("tornado")?;
            let file = scenario::load(&path)?;
            let options = common.many_runs(&file);
            let spinner = conventions::working("tornado");
            let t = tornado(&file, &metric, &options).and_then(|t| {
                let s = if sobol {
                    Some(sobol_with_payback(
                        &file,
                        &metric,
                        &options,
                        sobol_rows as usize,
                    )?)
                } else {
                    None
                };
                Ok((t, s))
            });
            spinner.finish_and_clear();
            let (t, s) = t?;
            let provenance = provenance(&file, &options, t.trials);
            let currency = &file.scenario.finance.currency;
            if let Some((s, payback)) = s {
                let payback = payback.as_ref();
                let mut files =
                    decisions::tornado_files_with(&t, Some(&s), payback, currency, &provenance)?;
                files.extend(decisions::sensitivity_files(&t, &s, payback, &provenance)?);
                return publish(
                    &common,
                    formats,
                    format!("{}-tornado", stem(&path)),
                    &decisions::sensitivity_text(&t, &s, payback, currency, &provenance),
                    files,
                );
            }
            publish(
                &common,
                formats,
                format!("{}-tornado", stem(&path)),
                &decisions::tornado_text(&t, currency, &provenance),
                decisions::tornado_files(&t, currency, &provenance)?,
            )
        }
        Command::Breakeven {
            scenario: path,
            lever,
            common,
        } => {
            let formats = common.formats("breakeven")?;
            let file = scenario::load(&path)?;
            let lever = if lever == "membership" {
                Lever::Membership
            } else {
                Lever::Lift
            };
            let options = common.many_runs(&file);
            let spinner = conventions::working("breakeven");
            let b = break_even(&file, lever, &options);
            spinner.finish_and_clear();
            let b = b?;
            let provenance = provenance(&file, &options, b.trials);
            publish(
                &common,
                formats,
                format!("{}-breakeven", stem(&path)),
                &decisions::breakeven_text(&b, &file.scenario.finance.currency, &provenance),
                decisions::breakeven_files(&b, &provenance)?,
            )
        }
        Command::Learn {
            lesson,
            out,
            trials,
            customers,
            seed,
            threads,
            formats,
        } => learn(
            lesson.as_deref(),
            conventions::out_folder(out)?,
            formats.unwrap_or(LESSON_FORMATS),
            &loyalty_sim::learn::LessonOptions {
                trials,
                customers,
                seed,
                threads: threads.map(usize::from),
                lever: None,
            },
        ),
        Command::Bench {
            scenario,
            trials,
            threads,
            repeat,
            customers,
        } => {
            let file = match scenario {
                Some(path) => scenario::load(&path)?,
                None => bench::reference_scenario().map_err(scenario::LoadError::from)?,
            };
            // A few seconds to a minute: a spinner on standard error (a tick every 200 ms,
            // hidden when standard error is not a terminal) says it is measuring.
            let spinner = conventions::working("bench");
            let report = bench::bench(
                &file,
                &BenchOptions {
                    trials,
                    threads: threads.map(usize::from),
                    repeat,
                    customers,
                },
            );
            spinner.finish_and_clear();
            say(&report?.text());
            Ok(())
        }
        Command::Completions { shell } => {
            conventions::completions(shell);
            Ok(())
        }
        Command::Man { out } => conventions::man(conventions::out_folder(out)?),
    }
}

/// `npv=5000` or `npv=2%`.
fn parse_precision(text: &str) -> Result<Precision, Error> {
    let bad = |why: String| Error::Argument(format!("--precision {text}: {why}"));
    let (metric, target) = text
        .split_once('=')
        .ok_or_else(|| bad("expected METRIC=HALF_WIDTH, e.g. npv=5000 or npv=2%".into()))?;
    if !TrialMetrics::NAMES.contains(&metric) {
        return Err(bad(format!(
            "unknown metric `{metric}` (known: {})",
            TrialMetrics::NAMES.join(", ")
        )));
    }
    let (number, relative) = match target.strip_suffix('%') {
        Some(n) => (n, true),
        None => (target, false),
    };
    let value: f64 = number
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
        .ok_or_else(|| {
            bad(format!(
                "expected a positive number or percentage, found `{target}`"
            ))
        })?;
    Ok(Precision {
        metric: metric.to_string(),
        half_width: if relative {
            HalfWidth::Relative(value / 100.0)
        } else {
            HalfWidth::Absolute(value)
        },
    })
}

fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or_else(|| "run".into(), |s| s.to_string_lossy().into_owned());
    Path::new("output").join(stem)
}

/// `--formats` as clap reads it: the library's parser, its message as clap's error.
fn parse_formats(list: &str) -> Result<Formats, String> {
    Formats::parse(list)
}

/// The kinds of file to write: `--formats`, or all but the documents with `--no-charts`, or
/// else all the command writes (`all`). `--json` prints a JSON file (`json_file`: `summary.json` for `run`), so a list without
/// `json` is refused with it.
fn chosen_formats(
    formats: Option<Formats>,
    no_charts: bool,
    all: Formats,
    json_file: Option<&str>,
) -> Result<Formats, Error> {
    let formats = match formats {
        Some(formats) => formats,
        None if no_charts => Formats::DATA,
        None => all,
    };
    if let Some(file) = json_file
        && !formats.json
    {
        return Err(Error::Argument(format!(
            "--json prints {file}, which --formats leaves out: add json to the list"
        )));
    }
    Ok(formats)
}

fn run(
    scenario_path: &Path,
    options: RunOptions,
    out: Option<PathBuf>,
    formats: Formats,
) -> Result<(), Error> {
    let file = scenario::load(scenario_path)?;
    if let Some(w) = file.scenario.fixed_costs_beyond_margin() {
        let c = &file.scenario.finance.currency;
        note(&format!(
            "warning: the fixed costs ({}: investment and running costs a month over {} months) exceed the gross margin of the whole base over the horizon ({}, every customer buying at their type's rate and never leaving): no effect of the program can pay them back; scale [finance] to this base",
            c.format(w.fixed_costs),
            w.months,
            c.format(w.base_margin)
        ));
    }
    let trials = options.trials.unwrap_or(file.scenario.simulation.trials);
    // Hidden automatically when stderr is not a terminal.
    let bar = ProgressBar::with_draw_target(Some(trials), conventions::progress_target());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} trials  {elapsed} (about {eta} left)")
    {
        bar.set_style(style);
    }
    let result = loyalty_sim::run(&file, &options, &|| bar.inc(1));
    bar.finish_and_clear();
    let result = result?;
    let files = render_formats(&result, formats)?;
    let dir = out.unwrap_or_else(|| default_out(scenario_path));
    let written = output::write_atomically(&dir, &files)?;
    say(&console::summary_text(&result));
    conventions::print_json(&files);
    conventions::wrote_folder(&written, &dir, "");
    Ok(())
}

fn validate(scenario_path: &Path) -> Result<(), Error> {
    let file = scenario::load(scenario_path)?;
    let s = &file.scenario;
    let sim = &s.simulation;
    say(&format!(
        "{} is valid: {} customers × {} months × {} trials, seed {}\n",
        scenario_path.display(),
        format_number(sim.customers as f64, 0),
        sim.months,
        format_number(sim.trials as f64, 0),
        sim.seed
    ));
    let referrals = s
        .program
        .points
        .as_ref()
        .and_then(|p| p.referral)
        .map_or(0.0, |r| r.per_member_per_month);
    let (_, ever) =
        scenario::validate::projected_customers(sim, &s.population, &s.market, referrals);
    if ever >= sim.customers as f64 + 1.0 {
        say(&format!(
            "with arrivals: about {} customers over the horizon (projected)\n",
            format_number(ever, 0)
        ));
    }
    let mix: Vec<String> = s
        .population
        .types
        .iter()
        .filter(|t| t.share > 0.0)
        .map(|t| {
            format!(
                "{} {}%",
                t.loyalty_type.key(),
                format_number(t.share * 100.0, 1)
            )
        })
        .collect();
    say(&format!("loyalty types: {}\n", mix.join(", ")));
    say(&format!(
        "investment {} · currency {} · sha256 {}\n",
        s.finance.currency.format(s.finance.investment_total()),
        s.finance.currency.code,
        file.sha256
    ));
    Ok(())
}

/// `breakage`: reads the history, projects it, and writes breakage.json (and the edited
/// scenario, when asked) in one step.
fn breakage(
    history: &Path,
    tail: f64,
    out: Option<PathBuf>,
    write: Option<&Path>,
    uncertain: bool,
) -> Result<(), Error> {
    use loyalty_sim::calibrate::breakage;
    let read = breakage::read(history)?;
    let projection = breakage::project(&read, tail, history)?;
    let input = history
        .file_name()
        .map_or_else(|| stem(history), |n| n.to_string_lossy().into_owned());
    // The scenario is edited and checked before anything is written.
    let edited = match write {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| breakage::BreakageError::Scenario {
                    path: path.to_path_buf(),
                    why: e.to_string(),
                })?;
            let edited = breakage::write_into(&text, path, &projection, uncertain, &input)?;
            // The edited file must still load; say why not, naming the field.
            if let Err(e) = scenario::parse(&edited, path) {
                let problems: Vec<String> = e
                    .problems
                    .iter()
                    .map(|p| format!("`{}`: {}", p.field, p.message))
                    .collect();
                return Err(breakage::BreakageError::Scenario {
                    path: path.to_path_buf(),
                    why: format!(
                        "with the breakage set it is not valid: {}",
                        problems.join("; ")
                    ),
                }
                .into());
            }
            Some((path, edited))
        }
        None => None,
    };
    let bytes = serde_json::to_vec_pretty(&projection).map_err(|source| {
        loyalty_sim::report::ReportError::Json {
            file: "breakage.json",
            source,
        }
    })?;
    let dir = out.unwrap_or_else(|| Path::new("output").join(stem(history)));
    // The edited scenario is written beside the folder, in the same all-or-nothing step.
    let beside: Vec<(PathBuf, Vec<u8>)> = edited
        .iter()
        .map(|(path, text)| (path.to_path_buf(), text.clone().into_bytes()))
        .collect();
    output::write_folder(&dir, &[("breakage.json".to_string(), bytes)], &beside)?;
    say(&projection.text(&input));
    wrote(&format!("\nWrote breakage.json to {}\n", dir.display()));
    if let Some((path, _)) = &edited {
        wrote(&format!(
            "Set program.points.breakage in {} ({})\n",
            path.display(),
            if uncertain {
                "normal, sd = Mack's standard error"
            } else {
                "fixed"
            }
        ));
    }
    Ok(())
}

/// The shard this process runs: from the flags, else from the array-job variables of Slurm,
/// a Kubernetes Indexed Job or AWS Batch; `None` for a whole run.
fn shard(
    index: Option<u64>,
    count: Option<u64>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<loyalty_sim::shard::Shard>, Error> {
    let number = |name: &str| -> Result<Option<u64>, Error> {
        env(name)
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| Error::Argument(format!("{name}={v}: expected a whole number")))
            })
            .transpose()
    };
    let (index, count, source) = match index {
        Some(i) => (Some(i), count, "--shard-index"),
        None => {
            if let Some(i) = number("SLURM_ARRAY_TASK_ID")? {
                // Slurm numbers tasks from the array's minimum (usually 0).
                let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
                let index = i.checked_sub(min).ok_or_else(|| {
                    Error::Argument(format!(
                        "SLURM_ARRAY_TASK_ID={i} is below SLURM_ARRAY_TASK_MIN={min}"
                    ))
                })?;
                (
                    Some(index),
                    count.or(number("SLURM_ARRAY_TASK_COUNT")?),
                    "SLURM_ARRAY_TASK_ID",
                )
            } else if let Some(i) = number("JOB_COMPLETION_INDEX")? {
                (
                    Some(i),
                    count.or(number("LOYALTY_SIM_SHARD_COUNT")?),
                    "JOB_COMPLETION_INDEX",
                )
            } else if let Some(i) = number("AWS_BATCH_JOB_ARRAY_INDEX")? {
                (
                    Some(i),
                    count.or(number("AWS_BATCH_JOB_ARRAY_SIZE")?),
                    "AWS_BATCH_JOB_ARRAY_INDEX",
                )
            } else {
                (None, count, "")
            }
        }
    };
    match (index, count) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(Error::Argument(
            "--shard-count needs --shard-index (or an array job's index variable)".into(),
        )),
        (Some(_), None) => Err(Error::Argument(format!(
            "{source} gives the shard but nothing gives the number of shards: pass --shard-count (or set LOYALTY_SIM_SHARD_COUNT)"
        ))),
        (Some(index), Some(count)) if index >= count => Err(Error::Argument(format!(
            "shard {index} (from {source}) of {count}: the index must be below the count"
        ))),
        (Some(index), Some(count)) => Ok(Some(loyalty_sim::shard::Shard { index, count })),
    }
}

/// `run` of one shard: writes its part to --out or output/<stem>/part-<i>-of-<n>.
fn run_shard(
    scenario_path: &Path,
    options: &RunOptions,
    shard: loyalty_sim::shard::Shard,
    out: Option<PathBuf>,
) -> Result<(), Error> {
    if options.precision.is_some() {
        return Err(Error::Argument(
            "--precision decides when to stop from all the trials, so it cannot run in shards"
                .into(),
        ));
    }
    let file = scenario::load(scenario_path)?;
    let part = loyalty_sim::shard::run_shard(&file, options, shard, &|| {})?;
    let bytes =
        serde_json::to_vec(&part).map_err(|source| loyalty_sim::report::ReportError::Json {
            file: loyalty_sim::shard::PART_FILE,
            source,
        })?;
    let dir = out.unwrap_or_else(|| {
        // Beside, not inside, the merged run's folder, which the merge replaces whole.
        let mut parts = default_out(scenario_path).into_os_string();
        parts.push("-parts");
        PathBuf::from(parts).join(format!("part-{}-of-{}", shard.index, shard.count))
    });
    output::write_atomically(&dir, &[(loyalty_sim::shard::PART_FILE.to_string(), bytes)])?;
    let m = &part.manifest;
    wrote(&format!(
        "shard {} of {}: trials {} to {} of {} written to {}\nmerge the parts with: loyalty-sim merge {}\n",
        shard.index,
        shard.count,
        m.first_trial,
        m.end_trial.saturating_sub(1),
        m.trials,
        dir.display(),
        dir.parent().map_or_else(
            || "<part folders>".into(),
            |p| format!("{}/part-*", p.display())
        )
    ));
    Ok(())
}

/// `merge`: the outputs of one run from its parts.
fn merge(parts: &[PathBuf], out: Option<PathBuf>, formats: Formats) -> Result<(), Error> {
    let read = parts
        .iter()
        .map(|p| loyalty_sim::shard::read_part(p))
        .collect::<Result<Vec<_>, _>>()?;
    let result = loyalty_sim::shard::merge(read)?;
    let files = render_formats(&result, formats)?;
    let dir = out.unwrap_or_else(|| default_out(Path::new(&result.summary.metadata.scenario)));
    let written = output::write_atomically(&dir, &files)?;
    say(&console::summary_text(&result));
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    wrote(&format!(
        "\nMerged {} parts. Wrote {} to {}\n",
        parts.len(),
        names.join(", "),
        dir.display()
    ));
    Ok(())
}

/// `learn`: the catalogue, or one lesson run, told and written.
/// The kinds of file `learn` writes.
const LESSON_FORMATS: Formats = Formats {
    csv: false,
    json: true,
    charts: true,
    html: true,
    xlsx: false,
};

fn learn(
    name: Option<&str>,
    out: Option<PathBuf>,
    formats: Formats,
    options: &loyalty_sim::learn::LessonOptions,
) -> Result<(), Error> {
    use loyalty_sim::learn::{Lesson, catalogue, run_lesson};
    formats
        .within("learn", LESSON_FORMATS)
        .map_err(Error::Argument)?;
    let Some(name) = name else {
        say(&catalogue());
        return Ok(());
    };
    let lesson = Lesson::named(name).ok_or_else(|| {
        let names: Vec<&str> = Lesson::ALL.iter().map(|l| l.name()).collect();
        Error::Argument(format!(
            "no lesson called `{name}`; the lessons are: {}",
            names.join(", ")
        ))
    })?;
    let output = run_lesson(lesson, options)?;
    let files: Vec<(String, Vec<u8>)> = output
        .files()?
        .into_iter()
        .filter(|(name, _)| formats.includes(name))
        .collect();
    say(&output.text());
    let dir = out.unwrap_or_else(|| output.default_dir());
    output::write_atomically(&dir, &files)?;
    let mut written: Vec<String> = ["lesson.html", "lesson.json"]
        .into_iter()
        .filter(|name| formats.includes(name))
        .map(String::from)
        .collect();
    if formats.charts {
        written.push(format!("{} charts (PNG and SVG)", output.figures.len()));
    }
    let last = written.pop().unwrap_or_default();
    let listed = if written.is_empty() {
        last
    } else {
        format!("{} and {last}", written.join(", "))
    };
    wrote(&format!("\nWrote {listed} to {}\n", dir.display()));
    Ok(())
}
