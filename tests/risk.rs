//! Downside figures and inputs drawn together: the downside of `summary.json` is what a
//! spreadsheet computes from `trials.csv`; Latin hypercube draws put one draw in each stratum;
//! Iman–Conover reaches the rank correlation asked for; both are the same on any number of
//! threads and across shards; and variants of a correlated scenario (a sweep's step, a
//! tornado's swing) drop the inputs they fix from the correlation.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use loyalty_sim::model::sampling::spearman;

/// Runs `run` on `scenario` with `extra` arguments into `out`, returning its stdout.
fn cli_run(scenario: &Path, extra: &[&str], out: &Path) -> String {
    let output = cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A column of a CSV file written by the program, by its header.
fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').nth(i).unwrap().parse().unwrap())
        .collect()
}

/// Excel's PERCENTILE.INC(values, q), written from its definition: rank h = (n − 1) q, linear
/// between the order statistics around it.
fn percentile_inc(values: &[f64], q: f64) -> f64 {
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    let h = (s.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    match s.get(lo + 1) {
        Some(next) => s[lo] + (h - lo as f64) * (next - s[lo]),
        None => s[lo],
    }
}

#[test]
fn downside_figures_are_what_a_spreadsheet_computes_from_trials_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let stdout = cli_run(
        &common::data("small_correlated.toml"),
        &["--trials", "400"],
        &out,
    );
    let npv = column(
        &std::fs::read_to_string(out.join("trials.csv")).unwrap(),
        "npv",
    );
    assert_eq!(npv.len(), 400);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let d = &summary["downside"];
    let n = npv.len() as f64;
    // =COUNTIF(npv, ">0") / COUNT(npv)
    let positive = npv.iter().filter(|v| **v > 0.0).count() as f64 / n;
    // =COUNTIF(npv, "<" & -200) / COUNT(npv), the scenario's loss_limit being 200
    let loss = npv.iter().filter(|v| **v < -200.0).count() as f64 / n;
    // =PERCENTILE.INC(npv, 0.05) and =AVERAGEIF(npv, "<=" & PERCENTILE.INC(npv, 0.05))
    let var = percentile_inc(&npv, 0.05);
    let tail: Vec<f64> = npv.iter().copied().filter(|v| *v <= var).collect();
    let es = tail.iter().sum::<f64>() / tail.len() as f64;
    // The run is neither all gain nor all loss, so the figures say something.
    assert!(positive > 0.1 && positive < 0.9, "{positive}");
    assert_eq!(d["npv_positive"]["probability"].as_f64().unwrap(), positive);
    assert_eq!(d["loss_limit"].as_f64().unwrap(), 200.0);
    assert_eq!(
        d["loss_beyond_limit"]["probability"].as_f64().unwrap(),
        loss
    );
    assert_eq!(d["npv_value_at_risk_5"].as_f64().unwrap(), var);
    // 400 trials: h = 399 × 0.05 = 19.95, so the 20 worst are at or below the percentile.
    assert_eq!(tail.len(), 20);
    assert_eq!(d["npv_expected_shortfall_trials"].as_u64().unwrap(), 20);
    let es_run = d["npv_expected_shortfall_5"].as_f64().unwrap();
    assert!((es_run - es).abs() <= 1e-9 * es.abs(), "{es_run} vs {es}");
    // The 95th percentile of the liability by month is monthly.csv's liability_p95 column.
    let monthly = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
    let p95: Vec<f64> = d["liability_p95_by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(p95, column(&monthly, "liability_p95"));
    // The console and the report say them.
    let percent = |p: f64| format!("{:.1}%", p * 100.0);
    for text in [
        stdout.clone(),
        std::fs::read_to_string(out.join("report.html")).unwrap(),
    ] {
        assert!(text.contains("Chance the NPV is positive"));
        assert!(text.contains(&percent(positive)), "{}", percent(positive));
        assert!(text.contains("Chance of losing more than €200"));
        assert!(text.contains(&percent(loss)));
        assert!(text.contains("Expected shortfall (mean of the worst 5%)"));
    }
    assert!(stdout.contains(&format!("(positive in {:.0}% of trials)", positive * 100.0)));
}

/// The uniforms behind a uniform input's draws: (value − min) / (max − min).
fn probabilities(values: &[f64], min: f64, max: f64) -> Vec<f64> {
    values.iter().map(|v| (v - min) / (max - min)).collect()
}

/// Whether `u` has exactly one value in each of the `u.len()` strata of [0, 1).
fn one_per_stratum(u: &[f64]) -> bool {
    let n = u.len();
    let mut strata: Vec<usize> = u
        .iter()
        .map(|p| ((p * n as f64) as usize).min(n - 1))
        .collect();
    strata.sort_unstable();
    strata == (0..n).collect::<Vec<_>>()
}

#[test]
fn latin_hypercube_with_a_rank_correlation_of_0_7_over_2000_trials() {
    let file = loyalty_sim::scenario::load(&common::data("small_correlated.toml")).unwrap();
    let out = common::run_trials(&file, 2000);
    let inputs: Vec<String> = file
        .scenario
        .uncertain
        .iter()
        .map(|u| u.path.clone())
        .collect();
    let col = |path: &str| -> Vec<f64> {
        let j = inputs.iter().position(|p| p == path).unwrap();
        out.inputs.iter().map(|row| row[j]).collect()
    };
    let lift = col("population.latent.frequency_lift");
    let margin = col("finance.gross_margin");
    let value = col("program.points.point_value");
    let r = spearman(&lift, &margin);
    assert!((r - 0.7).abs() <= 0.03, "rank correlation {r}");
    // The uncorrelated input stays uncorrelated (|ρ| within 3 standard errors, 3/√1999).
    assert!(spearman(&lift, &value).abs() < 0.067);
    // Every input, correlated or not, has one draw in each of the 2,000 strata (a uniform
    // input's value maps back to its probability, up to the rounding of the quantile).
    for (values, min, max) in [
        (&lift, 0.05, 0.25),
        (&margin, 0.4, 0.6),
        (&value, 0.03, 0.07),
    ] {
        let u = probabilities(values, min, max);
        let nudged: Vec<f64> = u.iter().map(|p| p + 1e-9).collect();
        assert!(
            one_per_stratum(&u) || one_per_stratum(&nudged),
            "not stratified"
        );
    }
    // Plain random draws are not stratified: the same scenario without the [risk] table.
    let plain = file
        .variant(&[])
        .map(|f| {
            let text = f.source.replace("latin_hypercube", "random");
            loyalty_sim::ScenarioFile::from_text(f.path.clone(), &text).unwrap()
        })
        .unwrap();
    let random = common::run_trials(&plain, 2000);
    let j = inputs
        .iter()
        .position(|p| p == "program.points.point_value")
        .unwrap();
    let u: Vec<f64> = random.inputs.iter().map(|row| row[j]).collect();
    assert!(!one_per_stratum(&probabilities(&u, 0.03, 0.07)));
}

#[test]
fn correlated_latin_hypercube_draws_are_the_same_on_1_and_2_threads() {
    let file = loyalty_sim::scenario::load(&common::data("small_correlated.toml")).unwrap();
    let run = |threads| {
        let options = loyalty_sim::RunOptions {
            trials: Some(60),
            threads: Some(threads),
            ..loyalty_sim::RunOptions::default()
        };
        loyalty_sim::run(&file, &options, &|| {}).unwrap()
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.inputs, two.inputs);
    assert_eq!(one.trials, two.trials);
    assert_eq!(one.summary, two.summary);
}

#[test]
fn correlated_latin_hypercube_runs_split_into_shards_merge_into_the_single_run() {
    let scenario = common::data("small_correlated.toml");
    let dir = tempfile::tempdir().unwrap();
    let single = dir.path().join("single");
    cli_run(&scenario, &["--trials", "30", "--no-charts"], &single);
    let parts: Vec<_> = (0..3)
        .map(|i| {
            let part = dir.path().join(format!("part-{i}"));
            cli_run(
                &scenario,
                &[
                    "--trials",
                    "30",
                    "--no-charts",
                    "--shard-index",
                    &i.to_string(),
                    "--shard-count",
                    "3",
                ],
                &part,
            );
            part
        })
        .collect();
    let merged = dir.path().join("merged");
    cargo_bin_cmd!("loyalty-sim")
        .arg("merge")
        .args(&parts)
        .args(["--no-charts", "--out"])
        .arg(&merged)
        .assert()
        .success();
    for file in ["summary.json", "trials.csv", "trial_inputs.csv"] {
        assert_eq!(
            std::fs::read(single.join(file)).unwrap(),
            std::fs::read(merged.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn variants_drop_the_inputs_they_fix_from_the_correlation() {
    let file = loyalty_sim::scenario::load(&common::data("small_correlated.toml")).unwrap();
    let correlation = file.scenario.risk.correlation.clone().unwrap();
    assert_eq!(correlation.inputs.len(), 2);
    // Fixing one of two correlated inputs leaves nothing to correlate.
    let swing = file.variant(&[("finance.gross_margin", 0.45)]).unwrap();
    assert!(swing.scenario.risk.correlation.is_none());
    // Fixing an input outside the correlation keeps it.
    let step = file
        .variant(&[("program.points.point_value", 0.05)])
        .unwrap();
    assert_eq!(step.scenario.risk.correlation, Some(correlation));
    // Tornado fixes every input at a time: it runs.
    cargo_bin_cmd!("loyalty-sim")
        .arg("tornado")
        .arg(common::data("small_correlated.toml"))
        .args(["--trials", "4", "--no-charts", "--out"])
        .arg(tempfile::tempdir().unwrap().path().join("t"))
        .assert()
        .success();
}
