//! The README's opening command and its "First steps", run as written there (read from the
//! README itself, so an edited step is the step tested) in a fresh folder holding only the
//! shipped scenarios, with fewer trials and customers so that the suite stays fast. Each step
//! checks the files and text the README promises.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo_bin_cmd;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).unwrap()
}

/// The commands of the README's "First steps" block: each line's words, comment removed.
fn first_steps() -> Vec<Vec<String>> {
    let readme = readme();
    let section = &readme[readme
        .find("\n## First steps\n")
        .expect("a First steps section")..];
    let block = &section[section.find("```sh\n").expect("a sh block") + 6..];
    let block = &block[..block.find("```").unwrap()];
    block
        .lines()
        .map(|line| line.split(" #").next().unwrap())
        .map(|line| {
            line.split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|words| !words.is_empty())
        .collect()
}

/// The step whose subcommand is `name`.
fn step(name: &str) -> Vec<String> {
    first_steps()
        .into_iter()
        .find(|words| words.get(1).map(String::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no `loyalty-sim {name}` step in the README's First steps"))
}

/// A scratch folder that looks like the repository to a newcomer: the shipped scenarios
/// under `scenarios/`.
fn fresh_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repo().join("scenarios"), dir.path().join("scenarios")).unwrap();
    dir
}

/// The command with `flag`'s value set to `value` (replaced where the README gives one,
/// added otherwise).
fn with(mut words: Vec<String>, flag: &str, value: &str) -> Vec<String> {
    match words.iter().position(|w| w == flag) {
        Some(at) => words[at + 1] = value.to_string(),
        None => words.extend([flag.to_string(), value.to_string()]),
    }
    words
}

/// Runs a step (`loyalty-sim …` as the built program) in `dir`; it must succeed.
fn run(dir: &Path, words: &[String]) -> Output {
    assert_eq!(words[0], "loyalty-sim", "{words:?}");
    let output = cargo_bin_cmd!("loyalty-sim")
        .args(&words[1..])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{words:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn files(dir: &Path, names: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|name| dir.join(name))
        .inspect(|path| assert!(path.is_file(), "{} was not written", path.display()))
        .collect()
}

fn summary(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_first_steps_are_the_ones_tested_here() {
    let names: Vec<String> = first_steps().iter().map(|w| w[1].clone()).collect();
    assert_eq!(names, ["init", "validate", "run", "compare", "learn"]);
}

#[test]
fn the_opening_command_runs_the_coffee_card_and_writes_its_report() {
    let readme = readme();
    let line = readme.lines().nth(3).unwrap();
    let command = line.split(" #").next().unwrap().trim();
    assert_eq!(
        command,
        "cargo run --release -- run scenarios/coffee_points.toml"
    );
    // `cargo run --release --` is the program itself; the same arguments, with 3 trials.
    let words: Vec<String> = ["loyalty-sim", "run", "scenarios/coffee_points.toml"]
        .map(String::from)
        .to_vec();
    let dir = fresh_folder();
    let output = run(dir.path(), &with(words, "--trials", "3"));
    let text = stdout(&output);
    assert!(
        text.starts_with("loyalty-sim 0.1.0 · scenarios/coffee_points.toml · seed 2024 · 3 trials"),
        "{text}"
    );
    // The README's picture: the coffee card pays back, its median in month 19.
    assert!(
        text.contains(
            "In short: the program pays back within 36 months in every trial (median: month 19)"
        ),
        "{text}"
    );
    let out = dir.path().join("output/coffee_points");
    let written = files(
        &out,
        &[
            "summary.json",
            "monthly.csv",
            "monthly_by_type.csv",
            "trials.csv",
            "report.html",
            "workbook.xlsx",
            "cash_flow.svg",
            "cash_flow.png",
        ],
    );
    let summary = summary(&written[0]);
    assert_eq!(summary["metadata"]["trials"], 3);
    assert_eq!(summary["metadata"]["currency"], "EUR");
    // trials.csv: a header and one row per trial.
    let trials = std::fs::read_to_string(&written[3]).unwrap();
    assert_eq!(trials.lines().count(), 1 + 3);
}

#[test]
fn step_1_init_writes_a_commented_starter_from_the_template() {
    let dir = fresh_folder();
    let output = run(dir.path(), &step("init"));
    let starter = std::fs::read_to_string(dir.path().join("my_program.toml")).unwrap();
    assert!(
        starter.starts_with(
            "# Starter scenario written by `loyalty-sim init` from the template \"retail_tiers\"."
        ),
        "{starter}"
    );
    // The template's own comments and tables come with it.
    assert!(starter.contains("[[program.tiers.levels]]"), "{starter}");
    assert!(starter.contains("# Every retail_*.toml file runs the same customers"));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("loyalty-sim validate my_program.toml")
    );
}

#[test]
fn step_2_validate_checks_the_starter_and_says_what_it_holds() {
    let dir = fresh_folder();
    run(dir.path(), &step("init"));
    let text = stdout(&run(dir.path(), &step("validate")));
    // retail_tiers.toml: 40,000 customers, 36 months, 400 trials, seed 11.
    assert!(
        text.starts_with(
            "my_program.toml is valid: 40,000 customers × 36 months × 400 trials, seed 11"
        ),
        "{text}"
    );
    // And a mistake is reported with its line, as the README says.
    let path = dir.path().join("my_program.toml");
    let broken = std::fs::read_to_string(&path)
        .unwrap()
        .replacen("months = 36", "months = 0", 1);
    std::fs::write(&path, broken).unwrap();
    let output = cargo_bin_cmd!("loyalty-sim")
        .args(&step("validate")[1..])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("my_program.toml:"), "{stderr}");
    assert!(stderr.contains("`simulation.months`"), "{stderr}");
}

#[test]
fn step_3_run_writes_the_business_case_to_output_my_program() {
    let dir = fresh_folder();
    run(dir.path(), &step("init"));
    let words = step("run");
    assert_eq!(words[2], "my_program.toml");
    let output = run(dir.path(), &with(words, "--trials", "2"));
    let text = stdout(&output);
    assert!(text.contains("\nIn short: "), "{text}");
    let written = files(
        &dir.path().join("output/my_program"),
        &[
            "report.html",
            "workbook.xlsx",
            "summary.json",
            "monthly.csv",
            "cash_flow.svg",
        ],
    );
    let summary = summary(&written[2]);
    assert_eq!(summary["metadata"]["trials"], 2);
    assert_eq!(summary["metadata"]["customers"], 40_000);
    assert!(summary["metrics"]["npv"]["p50"].is_number(), "{summary}");
}

#[test]
fn step_4_compare_runs_two_designs_on_the_same_customers() {
    let dir = fresh_folder();
    let output = run(dir.path(), &with(step("compare"), "--trials", "2"));
    let text = stdout(&output);
    assert!(
        text.contains("Chance that the row beats the column"),
        "{text}"
    );
    assert!(text.contains("Ranking by median NPV"), "{text}");
    let out = dir
        .path()
        .join("output/compare-retail_points-vs-retail_tiers");
    let written = files(&out, &["compare.json", "compare.csv"]);
    // compare.csv: one row per trial.
    let rows = std::fs::read_to_string(&written[1]).unwrap();
    assert_eq!(rows.lines().count(), 1 + 2, "{rows}");
}

#[test]
fn step_5_learn_runs_the_discount_trap_lesson() {
    let dir = fresh_folder();
    let words = with(with(step("learn"), "--trials", "2"), "--customers", "500");
    let text = stdout(&run(dir.path(), &words));
    assert!(text.starts_with("Lesson: The discount trap"), "{text}");
    let out = dir.path().join("output/lessons/discount-trap");
    let written = files(&out, &["lesson.html", "lesson.json"]);
    let lesson = summary(&written[1]);
    assert!(lesson.is_object(), "{lesson}");
}
