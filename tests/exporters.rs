//! Snapshots of the exporters on a small fixed run: a change in any output shows up as a
//! reviewable diff (`cargo insta review`). Floats in the JSON are rounded to 6 significant
//! digits; the version is redacted so a release does not change every snapshot.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::report::Exporter;
use loyalty_sim::report::console::summary_text;
use loyalty_sim::report::csv::{MonthlyCsv, TrialsCsv};
use loyalty_sim::report::json::SummaryJson;
use loyalty_sim::{RunOptions, RunOutput, run, scenario};

fn small_run() -> RunOutput {
    let mut file = scenario::load(&common::data("small_points.toml")).unwrap();
    file.path = "small_points.toml".into();
    file.scenario.simulation.customers = 1_500;
    file.scenario.simulation.months = 6;
    run(
        &file,
        &RunOptions {
            trials: Some(5),
            ..RunOptions::default()
        },
        &|| {},
    )
    .unwrap()
}

fn round(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or(0.0);
            let r: f64 = format!("{x:.6e}").parse().unwrap_or(x);
            *v = serde_json::json!(r);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(round),
        serde_json::Value::Object(o) => o.values_mut().for_each(round),
        _ => {}
    }
}

#[test]
fn console_summary() {
    let text = summary_text(&small_run()).replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!(text);
}

#[test]
fn summary_json() {
    let bytes = SummaryJson.render(&small_run()).unwrap();
    let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    json["metadata"]["version"] = "[version]".into();
    round(&mut json);
    insta::assert_json_snapshot!(json);
}

#[test]
fn csv_files_have_their_columns_and_one_row_per_month_and_trial() {
    let run = small_run();
    let monthly = String::from_utf8(MonthlyCsv.render(&run).unwrap()).unwrap();
    let header = monthly.lines().next().unwrap();
    insta::assert_snapshot!("monthly_header", header.replace(',', "\n"));
    assert_eq!(monthly.lines().count(), 7);
    let trials = String::from_utf8(TrialsCsv.render(&run).unwrap()).unwrap();
    insta::assert_snapshot!(
        "trials_header",
        trials.lines().next().unwrap().replace(',', "\n")
    );
    assert_eq!(trials.lines().count(), 6);
}
