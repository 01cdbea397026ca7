//! The command line as a user meets it: run, validate, bench; where files go; exit codes.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

#[test]
fn run_writes_its_files_to_output_scenario_stem_and_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::data("small_points.toml"),
        dir.path().join("shop.toml"),
    )
    .unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .args(["run", "shop.toml", "--trials", "4"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("NPV at 10.0% a year")
                .and(predicate::str::contains(
                    "Chance of payback within 24 months",
                ))
                .and(predicate::str::contains("Points liability"))
                .and(predicate::str::contains("Breakage"))
                .and(predicate::str::contains("€"))
                .and(predicate::str::contains(
                    "4 trials × 5,000 customers × 24 months",
                )),
        );
    let out = dir.path().join("output/shop");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let charts = [
        "active_by_type",
        "cash_flow",
        "liability",
        "members_by_type",
        "npv_histogram",
        "npv_waterfall",
        "payback",
        "rewards",
    ];
    let mut expected: Vec<String> = [
        "manifest.json",
        "monthly.csv",
        "monthly_by_type.csv",
        "report.html",
        "rfm_groups.csv",
        "summary.json",
        "trials.csv",
        "workbook.xlsx",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for c in charts {
        expected.push(format!("{c}.png"));
        expected.push(format!("{c}.svg"));
    }
    expected.sort();
    assert_eq!(names, expected);
    // What each chart, the report and the workbook hold is tested in tests/exporters.rs.
    let trials = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    assert_eq!(trials.lines().count(), 1 + 4);
    assert!(trials.starts_with("trial,investment,npv,roi,payback_month,"));
    let monthly = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
    assert_eq!(monthly.lines().count(), 1 + 24);
    let by_type = std::fs::read_to_string(out.join("monthly_by_type.csv")).unwrap();
    assert_eq!(by_type.lines().count(), 1 + 24 * 4);
}

#[test]
fn summary_json_has_every_required_metric_and_the_run_metadata() {
    let dir = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--trials", "3", "--seed", "5", "--no-charts", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let md = &json["metadata"];
    assert_eq!(md["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(md["seed"], 5);
    assert_eq!(md["trials"], 3);
    assert_eq!(md["customers"], 5000);
    assert_eq!(md["months"], 24);
    let bytes = std::fs::read(common::data("small_points.toml")).unwrap();
    assert_eq!(
        md["scenario_sha256"],
        loyalty_sim::scenario::sha256_hex(&bytes)
    );
    for name in [
        "investment",
        "npv",
        "roi",
        "payback_month",
        "incremental_revenue",
        "incremental_gross_margin",
        "reward_cost",
        "program_cost",
        "liability_end",
        "points_outstanding_end",
        "breakage_rate",
        "ifrs15_contract_liability_end",
    ] {
        let m = &json["metrics"][name];
        for field in ["mean", "sd", "sem", "p5", "p50", "p95"] {
            assert!(m.get(field).is_some(), "metrics.{name}.{field} missing");
        }
    }
    assert!(json["metrics"]["payback_month"]["probability_within_horizon"].is_number());
    // The CSV files carry the same provenance on every row.
    let sha = loyalty_sim::scenario::sha256_hex(&bytes);
    let tail = format!(",{},5,{sha}", env!("CARGO_PKG_VERSION"));
    for file in ["trials.csv", "monthly.csv", "monthly_by_type.csv"] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(text.lines().skip(1).all(|l| l.ends_with(&tail)), "{file}");
    }
}

#[test]
fn an_unwritable_output_path_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"keep me").unwrap();
    // A file given as --out is a mistake in the command line (exit 2), said before any work.
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--trials", "2", "--no-charts", "--out"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("that is a file; --out names a folder")
                .and(predicate::str::contains("not-a-directory")),
        );
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    let inside = file.join("run");
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--trials", "2", "--no-charts", "--out"])
        .arg(&inside)
        .assert()
        .code(1);
}

#[test]
fn validate_reports_a_valid_scenario_without_running_it() {
    cargo_bin_cmd!("loyalty-sim")
        .arg("validate")
        .arg(common::data("small_points.toml"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "is valid: 5,000 customers × 24 months × 16 trials",
        ));
}

#[test]
fn bench_reports_customer_months_per_second() {
    cargo_bin_cmd!("loyalty-sim")
        .arg("bench")
        .arg(common::data("small_points.toml"))
        .args(["--trials", "1", "--repeat", "1", "--customers", "2000"])
        .assert()
        .success()
        .stdout(
            // 2 worlds × 2,000 customers × 24 months × 1 trial.
            predicate::str::contains("customer-months per measurement: 96,000")
                .and(predicate::str::contains("M customer-months/s"))
                .and(predicate::str::contains("peak memory: ")),
        );
}

#[test]
fn a_scenario_earning_more_points_than_can_be_counted_is_refused() {
    // 100 purchases of €10⁹ a month at 1,000 points per euro, never redeemed: 10¹⁴ points per
    // member per month, so 1,000 members hold more than 2⁶⁴ − 1 points between them after
    // about 185 months.
    let text = common::plain_scenario(1000, 360, 1, "")
        .replace(
            "mean = 5.0, cv_within = 0.0",
            "mean = 1000000000.0, cv_within = 0.0",
        )
        .replace("earn_rate = 2.0", "earn_rate = 1000.0")
        .replace("{ mean = 2.0, cv = 0.0 }", "{ mean = 100.0, cv = 0.0 }")
        .replace("redemption_per_month = 1.0", "redemption_per_month = 0.0");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be kept exact"));
    assert!(!out.exists());
}

#[test]
fn a_reader_that_goes_away_does_not_break_a_run() {
    // `loyalty-sim run … | head -1`: the summary's reader is gone before it is printed. The run
    // still writes its files and ends normally, instead of panicking on the closed pipe.
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("loyalty-sim"))
        .args(["run", "--trials", "2", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .arg(common::data("small_points.toml"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(dir.path().join("out/summary.json").exists());
}

/// The shipped history was drawn with an ultimate redemption rate of 78% (breakage 22%) and
/// redemptions decaying by e^{−0.18} a month (docs/breakage.md's worked example says how). With the
/// tail that decay implies after 24 months, 1 / (1 − e^{−0.18 × 24}) = 1.0135, the chain
/// ladder finds 22% within three standard errors (plus the draw's own binomial noise,
/// √(0.78 × 0.22 / 1,200,000) = 0.04%), the curve finds the decay, and the triangle is stable.
#[test]
fn breakage_projects_the_shipped_history() {
    let dir = tempfile::tempdir().unwrap();
    let history = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/history/points_history.csv");
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .args(["breakage", history.to_str().unwrap(), "--tail", "1.0135"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("24 issue months (2023-01 to 2024-12)")
                .and(predicate::str::contains(
                    "chain ladder (tail 1.0135): 22.0%",
                ))
                .and(predicate::str::contains("Stable")),
        );
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("output/points_history/breakage.json")).unwrap(),
    )
    .unwrap();
    let breakage = json["chain_ladder_breakage"].as_f64().unwrap();
    let se = json["chain_ladder_se"].as_f64().unwrap();
    let total = (se * se + 0.78 * 0.22 / 1.2e6).sqrt();
    assert!((breakage - 0.22).abs() < 3.0 * total, "{breakage} ± {se}");
    assert!((json["curve"]["decay"].as_f64().unwrap() - 0.18).abs() < 0.01);
    assert_eq!(json["stability"]["stable"], true);
    assert_eq!(json["cohorts"].as_array().unwrap().len(), 24);
}

#[test]
fn a_bad_history_row_names_file_line_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("h.csv"),
        "issue_month,development_month,points_issued,points_redeemed\n\
         2024-01,0,1000,100\n2024-01,1,1000,abc\n",
    )
    .unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .args(["breakage", "h.csv"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("h.csv, line 3, column `points_redeemed`")
                .and(predicate::str::contains("not a number of points redeemed")),
        );
    assert!(!dir.path().join("output").exists());
}

/// `--write` sets program.points.breakage in the scenario, here as an uncertain input whose sd
/// is Mack's standard error, keeps the rest of the file, and the scenario still loads; a
/// scenario without points is refused with exit 2 and left as it was.
#[test]
fn breakage_writes_itself_into_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("shop.toml");
    std::fs::copy(common::data("small_points.toml"), &scenario).unwrap();
    let before = std::fs::read_to_string(&scenario).unwrap();
    let history = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/history/points_history.csv");
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .args(["breakage", history.to_str().unwrap(), "--tail", "1.0135"])
        .args(["--write", "shop.toml", "--uncertain"])
        .assert()
        .success();
    let after = std::fs::read_to_string(&scenario).unwrap();
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("output/points_history/breakage.json")).unwrap(),
    )
    .unwrap();
    let mean = (json["chain_ladder_breakage"].as_f64().unwrap() * 1e4).round() / 1e4;
    let line = after
        .lines()
        .find(|l| l.starts_with("breakage = "))
        .unwrap();
    assert!(
        line.starts_with(&format!(
            "breakage = {{ dist = \"normal\", mean = {mean}, sd = 0.0007 }}"
        )),
        "{line}"
    );
    assert_eq!(after.lines().count(), before.lines().count() + 1);
    loyalty_sim::scenario::load(&scenario).unwrap();

    let discount = dir.path().join("discount.toml");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/retail_instant_discount.toml"),
        &discount,
    )
    .unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .args([
            "breakage",
            history.to_str().unwrap(),
            "--write",
            "discount.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no [program.points] table"));
}
