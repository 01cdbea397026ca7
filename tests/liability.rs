//! What the program owes, checked end to end: IFRS 15's own worked example through
//! `loyalty-sim run`, the points liability against the run-off's own fate of the outstanding
//! points, and the contract liability's roll-forward over every shipped scenario.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use loyalty_sim::scenario;

/// IFRS 15 Illustrative Example 52 (IE267–IE270): sales of 100,000 earning 10,000 points of 1,
/// 9,500 expected to be redeemed, revised to 9,700 at the end of year 2. The scenario
/// (`tests/data/ifrs15_ie52.toml`) makes the run redeem 4,500 points in year 1 and 4,000 in
/// year 2; the published figures must come out to the currency unit.
#[test]
fn ifrs15_illustrative_example_52_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .args(["run", "--no-charts", "--out"])
        .arg(dir.path())
        .arg(common::data("ifrs15_ie52.toml"))
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    let years = summary["contract_liability_rollforward"]
        .as_array()
        .unwrap();
    assert_eq!(years.len(), 2);
    let exact =
        |year: usize, field: &str| -> f64 { years[year - 1][field]["mean"].as_f64().unwrap() };
    let unit = |year: usize, field: &str| -> f64 { exact(year, field).round() };
    // Revenue on points in a year, rounded only once.
    let revenue = |year: usize| {
        (exact(year, "recognised_on_redemption") + exact(year, "recognised_on_breakage")).round()
    };
    // Allocation by relative stand-alone selling price: 100,000 × 100,000 / 109,500 and
    // 100,000 × 9,500 / 109,500.
    assert_eq!(unit(1, "points_sales_to_goods"), 91_324.0);
    assert_eq!(unit(1, "deferred"), 8_676.0);
    // Year 1: 4,500 / 9,500 × 8,676.
    assert_eq!(revenue(1), 4_110.0);
    assert_eq!(unit(1, "closing"), 4_566.0);
    // Year 2: 8,500 / 9,700 × 8,676 − 4,110, the estimate revised with a cumulative catch-up.
    assert_eq!(revenue(2), 3_493.0);
    assert_eq!(unit(2, "opening"), 4_566.0);
    assert_eq!(unit(2, "closing"), 1_073.0);
    assert_eq!(
        summary["metrics"]["ifrs15_contract_liability_end"]["mean"]
            .as_f64()
            .unwrap()
            .round(),
        1_073.0
    );
    // The points liability on a stated breakage: of the 1,500 points held, 9,700 − 8,500 =
    // 1,200 are expected to be redeemed, at a cost of 1 each.
    assert_eq!(
        summary["metrics"]["liability_end"]["mean"]
            .as_f64()
            .unwrap()
            .round(),
        1_200.0
    );
}

/// The contract liability's roll-forward adds up to the currency unit in every year of every
/// trial of every shipped scenario (at a reduced size), and each year opens where the last
/// closed.
#[test]
fn the_rollforward_adds_up_in_every_year_and_trial() {
    let mut files = common::shipped_scenarios();
    files.push(common::data("ifrs15_ie52.toml"));
    for path in files {
        let file = common::reduced(&path, 1_500, 30);
        let out = common::run_trials(&file, 2);
        assert_eq!(out.rollforward.len(), 2);
        for (trial, years) in out.rollforward.iter().enumerate() {
            let mut previous_close = 0.0;
            assert!(!years.is_empty());
            for y in years {
                let computed =
                    y.opening + y.deferred - y.recognised_on_redemption - y.recognised_on_breakage;
                assert!(
                    (computed - y.closing).abs() < 0.5 && (y.opening - previous_close).abs() < 0.5,
                    "{} trial {trial} year {}: {y:?}",
                    path.display(),
                    y.year
                );
                assert!(y.closing >= -0.5, "{}: {y:?}", path.display());
                previous_close = y.closing;
            }
            let t = &out.trials[trial];
            assert!(
                (previous_close - t.ifrs15_contract_liability_end).abs() < 0.5,
                "{}: the last closing is not the liability at the horizon",
                path.display()
            );
        }
    }
}

/// Points liability on the outstanding points' own fate: at the horizon it is the points the
/// run-off redeems of those held × the cost of a point; and at a month before the horizon it
/// agrees, within Monte Carlo error, with a run that ends at that month and follows its own
/// run-off. With fixed expiry and with inactivity expiry.
#[test]
fn points_liability_is_what_the_outstanding_points_will_cost() {
    for expiry in [
        r#"expiry = { policy = "fixed", months = 6 }"#,
        r#"expiry = { policy = "inactivity", months = 3 }"#,
    ] {
        let text = std::fs::read_to_string(common::data("small_points.toml"))
            .unwrap()
            .replace(r#"expiry = { policy = "fixed", months = 6 }"#, expiry);
        let run_for = |months: u32| {
            let mut s = text.replace("months = 24\n", &format!("months = {months}\n"));
            s = s.replace("trials = 16", "trials = 8");
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("s.toml");
            std::fs::write(&path, s).unwrap();
            let file = scenario::load(&path).unwrap();
            common::run_trials(&file, 8)
        };
        // Cost of a point: stated, 0.02.
        let full = run_for(24);
        for t in &full.trials {
            let from_runoff = t.points_redeemed_after_horizon as f64 * 0.02;
            assert!(
                (t.liability_end - from_runoff).abs() < 1e-6,
                "{expiry}: {} against {from_runoff}",
                t.liability_end
            );
        }
        // Month 12 of the 24-month run against the end of a 12-month run: the same
        // customers, whose points held at month 12 meet the same rules afterwards.
        let short = run_for(12);
        let at12 =
            &full.monthly[11].series[loyalty_sim::metrics::finance::Series::Liability as usize];
        let end12 = &short.summary.metrics.liability_end;
        let sem = (at12.sem.unwrap().powi(2) + end12.sem.unwrap().powi(2)).sqrt();
        assert!(
            (at12.mean - end12.mean).abs() < 4.0 * sem + 0.02 * end12.mean,
            "{expiry}: month 12 {} ± {:?}, 12-month run {} ± {:?}",
            at12.mean,
            at12.sem,
            end12.mean,
            end12.sem
        );
    }
}

/// A catalogue without a stated `point_cost`: a point costs what the points redeemed in the
/// trial cost (reward cost ÷ points redeemed), not the catalogue's unweighted mean cost per
/// point (retail_points: a 500-point voucher at 5.00 and a 1,000-point gift at 6.00, mean
/// 0.0080 a point), and the liability values the points the run-off redeems at that cost.
#[test]
fn a_catalogue_s_point_costs_what_redeemed_points_cost() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/retail_points.toml");
    let out = common::run_trials(&common::reduced(&path, 3_000, 24), 4);
    for t in &out.trials {
        assert!(t.points_redeemed > 0 && t.points_settled == 0);
        let per_point = t.points_reward_cost / t.points_redeemed as f64;
        // Between the cheapest and the dearest reward per point, and not the mean.
        assert!((0.006..=0.010).contains(&per_point), "{per_point}");
        assert!((per_point - 0.008).abs() > 0.0005, "{per_point}");
        let expected = t.points_redeemed_after_horizon as f64 * per_point;
        assert!(
            (t.liability_end - expected).abs() < 1e-6 * expected.max(1.0),
            "{} against {expected}",
            t.liability_end
        );
    }
}
