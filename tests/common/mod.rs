//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use loyalty_sim::Scenario;

/// Path of a file in `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The names of the entries of `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.unwrap_or_else(|e| panic!("{e}"))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The README and every page of `docs/`, in that order, the pages sorted.
pub fn doc_pages() -> Vec<PathBuf> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![repo.join("README.md")];
    let docs = repo.join("docs");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&docs)
        .unwrap_or_else(|e| panic!("{}: {e}", docs.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    found.sort();
    pages.extend(found);
    pages
}

/// The shipped scenario files (`scenarios/*.toml`), sorted.
pub fn shipped_scenarios() -> Vec<PathBuf> {
    toml_files("scenarios")
}

/// The `*.toml` files of `dir` (relative to the crate), sorted.
pub fn toml_files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Parses and validates scenario text, panicking with the problems if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match loyalty_sim::scenario::parse(text, Path::new("test.toml")) {
        Ok(s) => s,
        Err(e) => panic!("test scenario is invalid:\n{e}"),
    }
}

/// A one-type scenario in which every customer buys `purchases` times a month on average
/// (Poisson), each purchase exactly `spend`, nobody lapses, everybody joins, the program
/// changes no behaviour, and rewards are redeemed as soon as they are affordable.
/// `program_extra` is appended to `[program.points]` (e.g. an expiry).
pub fn plain_scenario(customers: u64, months: u32, trials: u64, program_extra: &str) -> String {
    format!(
        r#"
[simulation]
customers = {customers}
months = {months}
trials = {trials}
seed = 11

[population.true]
share = 1.0
purchases_per_month = {{ mean = 2.0, cv = 0.0 }}
spend_per_purchase = {{ mean = 5.0, cv_within = 0.0, cv_between = 0.0 }}
attrition_per_month = 0.0
enrolment = 1.0
redemption_per_month = 1.0

[program]
goal_gradient = 0.0

[program.points]
earn_rate = 2.0
point_cost = 0.01
redemption_threshold = 10
{program_extra}

[finance]
currency = "EUR"
gross_margin = 0.5
discount_rate = 0.1

[finance.investment]
platform = 1000
"#
    )
}

/// The scenario file at `path` with fewer customers and months: a variant of the file, so its
/// uncertain inputs are drawn as usual and sweeps and tornadoes keep the reduced size.
pub fn reduced(path: &Path, customers: u64, months: u32) -> loyalty_sim::ScenarioFile {
    let file = loyalty_sim::scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    file.variant(&[
        ("simulation.customers", customers as f64),
        ("simulation.months", f64::from(months)),
    ])
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `file` for `trials` trials, panicking on an error.
pub fn run_trials(file: &loyalty_sim::ScenarioFile, trials: u64) -> loyalty_sim::RunOutput {
    let options = loyalty_sim::RunOptions {
        trials: Some(trials),
        ..loyalty_sim::RunOptions::default()
    };
    loyalty_sim::run(file, &options, &|| {}).unwrap_or_else(|e| panic!("{e}"))
}
