//! Command line: clap definitions, and each subcommand mapped to library calls. The library
//! knows nothing of clap.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use loyalty_sim::bench::{self, BenchOptions};
use loyalty_sim::money::format_number;
use loyalty_sim::report::{console, render_all};
use loyalty_sim::{Error, RunOptions, output, scenario};

/// Will a loyalty program pay, when, and what will it owe? A Monte Carlo business case.
#[derive(Debug, Parser)]
#[command(name = "loyalty-sim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and write its results, tables and charts.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Number of trials (overrides [simulation] trials).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        trials: Option<u64>,
        /// Seed of the random numbers (overrides [simulation] seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Output directory (default: output/<scenario file stem>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Skip the charts (PNG and SVG).
        #[arg(long)]
        no_charts: bool,
    },
    /// Check a scenario file and report every problem; runs nothing.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Measure simulation throughput in customer-months per second.
    Bench {
        /// Scenario to time.
        #[arg(default_value = "scenarios/reference.toml")]
        scenario: PathBuf,
        /// Trials per measurement (default: the scenario's).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        trials: Option<u64>,
        /// Worker threads (default: all cores).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Measurements to take; the report gives the best and the median.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
        repeat: u32,
    },
}

/// Runs the parsed command.
pub fn execute(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run {
            scenario,
            trials,
            seed,
            threads,
            out,
            no_charts,
        } => run(
            &scenario,
            RunOptions {
                trials,
                seed,
                threads: threads.map(usize::from),
            },
            out,
            !no_charts,
        ),
        Command::Validate { scenario } => validate(&scenario),
        Command::Bench {
            scenario,
            trials,
            threads,
            repeat,
        } => {
            let file = scenario::load(&scenario)?;
            let report = bench::bench(
                &file,
                &BenchOptions {
                    trials,
                    threads: threads.map(usize::from),
                    repeat,
                },
            )?;
            print!("{}", report.text());
            Ok(())
        }
    }
}

fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or_else(|| "run".into(), |s| s.to_string_lossy().into_owned());
    Path::new("output").join(stem)
}

fn run(
    scenario_path: &Path,
    options: RunOptions,
    out: Option<PathBuf>,
    charts: bool,
) -> Result<(), Error> {
    let file = scenario::load(scenario_path)?;
    let trials = options.trials.unwrap_or(file.scenario.simulation.trials);
    // Hidden automatically when stderr is not a terminal.
    let bar = ProgressBar::with_draw_target(Some(trials), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} trials  {elapsed} (about {eta} left)")
    {
        bar.set_style(style);
    }
    let result = loyalty_sim::run(&file, &options, &|| bar.inc(1));
    bar.finish_and_clear();
    let result = result?;
    let files = render_all(&result, charts)?;
    let dir = out.unwrap_or_else(|| default_out(scenario_path));
    let written = output::write_atomically(&dir, &files)?;
    print!("{}", console::summary_text(&result));
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    println!("\nWrote {} to {}", names.join(", "), dir.display());
    Ok(())
}

fn validate(scenario_path: &Path) -> Result<(), Error> {
    let file = scenario::load(scenario_path)?;
    let s = &file.scenario;
    let sim = &s.simulation;
    println!(
        "{} is valid: {} customers × {} months × {} trials, seed {}",
        scenario_path.display(),
        format_number(sim.customers as f64, 0),
        sim.months,
        format_number(sim.trials as f64, 0),
        sim.seed
    );
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
    println!("loyalty types: {}", mix.join(", "));
    println!(
        "investment {} · currency {} · sha256 {}",
        s.finance.currency.format(s.finance.investment_total()),
        s.finance.currency.code,
        file.sha256
    );
    Ok(())
}
