//! The decision tools: compare, sweep, tornado, break-even and `--precision`, on shipped
//! scenarios (at a reduced size) and on small test scenarios. Each result is checked against
//! something worked out without the tool: a count over the trials, an independent run, a
//! formula.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use loyalty_sim::decide::breakeven::{Lever, break_even};
use loyalty_sim::decide::compare::compare;
use loyalty_sim::decide::optimise::{self as optimising, Constraints, optimise};
use loyalty_sim::decide::sobol::sobol;
use loyalty_sim::decide::sweep::{Axis, sweep};
use loyalty_sim::decide::tornado::tornado;
use loyalty_sim::metrics::finance::Series;
use loyalty_sim::metrics::sobol::SobolDesign;
use loyalty_sim::report::decisions::{Provenance, sweep_files, sweep_text, tornado_files};
use loyalty_sim::run::{HalfWidth, Precision};
use loyalty_sim::scenario::ScenarioFile;
use loyalty_sim::{RunOptions, run};

fn shipped_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// A shipped scenario with fewer customers and months, so a test runs in seconds.
fn shipped(name: &str, customers: u64, months: u32) -> ScenarioFile {
    common::reduced(&shipped_path(name), customers, months)
}

fn trials(n: u64) -> RunOptions {
    RunOptions {
        trials: Some(n),
        ..RunOptions::default()
    }
}

/// Decodes a PNG and reads an SVG's size: every chart is 1200 × 700 and holds text.
fn assert_chart_sizes(files: &[(String, Vec<u8>)], expected: &[&str]) {
    for stem in expected {
        let png = &files
            .iter()
            .find(|(n, _)| *n == format!("{stem}.png"))
            .unwrap_or_else(|| panic!("{stem}.png missing"))
            .1;
        let img = image::load_from_memory(png).unwrap();
        assert_eq!((img.width(), img.height()), (1200, 700), "{stem}.png");
        let svg = String::from_utf8(
            files
                .iter()
                .find(|(n, _)| *n == format!("{stem}.svg"))
                .unwrap_or_else(|| panic!("{stem}.svg missing"))
                .1
                .clone(),
        )
        .unwrap();
        assert!(
            svg.starts_with(r#"<svg width="1200" height="700""#),
            "{stem}.svg"
        );
        assert!(svg.matches("<text").count() >= 5, "{stem}.svg has no text");
    }
}

#[test]
fn a_compare_of_two_shipped_designs_prints_the_chance_that_one_beats_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("loyalty-sim")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "compare",
            "scenarios/retail_points.toml",
            "scenarios/retail_instant_discount.toml",
            "--trials",
            "4",
            "--no-charts",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("Chance that the row beats the column"),
        "{text}"
    );

    // The share printed is the share of trials, counted from compare.csv, in which the
    // points program's NPV is higher than the discount's.
    let csv = std::fs::read_to_string(dir.path().join("compare.csv")).unwrap();
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let a = header
        .iter()
        .position(|h| *h == "npv_retail_points")
        .unwrap();
    let b = header
        .iter()
        .position(|h| *h == "npv_retail_instant_discount")
        .unwrap();
    let (mut wins, mut n) = (0, 0);
    for row in rows {
        let cells: Vec<&str> = row.split(',').collect();
        let (x, y): (f64, f64) = (cells[a].parse().unwrap(), cells[b].parse().unwrap());
        wins += usize::from(x > y);
        n += 1;
    }
    assert_eq!(n, 4);
    let share = format!("{:.1}%", 100.0 * wins as f64 / n as f64);
    let line = text
        .lines()
        .skip_while(|l| !l.contains("on NPV"))
        .find(|l| l.trim_start().starts_with("retail_points") && l.contains('—'))
        .unwrap();
    assert!(line.ends_with(&format!("{share}  ")), "{line:?} vs {share}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("compare.json")).unwrap()).unwrap();
    let p = json["comparison"]["beats_on_npv"][0][1].as_f64().unwrap();
    assert_eq!(p, wins as f64 / n as f64);
}

#[test]
fn a_design_compared_with_itself_differs_by_exactly_zero() {
    let file = shipped("retail_points.toml", 2_000, 12);
    let out = compare(&[file.clone(), file], &trials(6)).unwrap();
    let cmp = &out.comparison;
    for m in &cmp.metrics {
        let d = &m.difference_from_first[1];
        for v in [d.mean, d.p5, d.p50, d.p95] {
            assert_eq!(v, 0.0, "{}", m.metric);
        }
        assert_eq!(m.designs[0], m.designs[1], "{}", m.metric);
    }
    // Every trial is a tie: neither beats the other, and each is best in half of them.
    assert_eq!(cmp.beats_on_npv[0][1], 0.0);
    assert_eq!(cmp.beats_on_npv[1][0], 0.0);
    assert_eq!(cmp.best_on_npv, vec![0.5, 0.5]);
}

#[test]
fn a_sweep_of_the_reward_price_on_a_shipped_scenario_names_the_best() {
    let file = shipped("coffee_points.toml", 1_500, 18);
    let options = trials(6);
    let axis = Axis::even("program.points.rewards[0].points", 20.0, 150.0, 4, true);
    assert_eq!(axis.values, [20.0, 63.0, 107.0, 150.0]);
    let s = sweep(&file, std::slice::from_ref(&axis), "npv", None, &options).unwrap();
    assert_eq!(s.points.len(), 4);

    // Each point is the run of the scenario with that threshold, nothing else.
    let direct = run(
        &file
            .variant(&[("program.points.rewards[0].points", 63.0)])
            .unwrap(),
        &options,
        &|| {},
    )
    .unwrap();
    assert_eq!(s.points[1].npv, direct.summary.metrics.npv);
    assert_eq!(
        s.points[1].liability_end,
        direct.summary.metrics.liability_end
    );

    // The best is the point with the highest mean NPV, and it is named.
    let argmax = (0..4)
        .max_by(|&i, &j| s.points[i].metric.mean.total_cmp(&s.points[j].metric.mean))
        .unwrap();
    assert_eq!(s.best, argmax);
    assert!(s.as_good_as_best.contains(&s.best));
    let currency = &file.scenario.finance.currency;
    let provenance = Provenance::of(&[&file], file.scenario.simulation.seed, 6);
    let text = sweep_text(&s, currency, &provenance);
    let best = s.points[s.best].at[0];
    assert!(
        text.contains(&format!("Best points (highest mean NPV): {best:.0},")),
        "{text}"
    );

    // For a cost, the best is the lowest: the same points, ranked the other way.
    let cost = sweep(
        &file,
        std::slice::from_ref(&axis),
        "reward_cost",
        None,
        &options,
    )
    .unwrap();
    let argmin = (0..4)
        .min_by(|&i, &j| {
            cost.points[i]
                .metric
                .mean
                .total_cmp(&cost.points[j].metric.mean)
        })
        .unwrap();
    assert_eq!(cost.best, argmin);

    let files: Vec<(String, Vec<u8>)> = sweep_files(&s, currency, &provenance)
        .unwrap()
        .into_iter()
        .map(|f| f.into_pair())
        .collect();
    assert_chart_sizes(&files, &["sweep_npv", "sweep_payback", "sweep_liability"]);
    let csv = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "sweep.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert_eq!(csv.lines().count(), 5, "a header and one row per point");
}

#[test]
fn the_tornado_ranks_inputs_by_their_effect_as_worked_out_by_hand() {
    let file = common::reduced(&common::data("small_uncertain.toml"), 1_500, 24);
    let options = trials(6);
    let tor = tornado(&file, "npv", &options).unwrap();
    let paths: Vec<&str> = tor.swings.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "finance.gross_margin",
            "population.latent.frequency_lift",
            "program.points.point_value"
        ]
    );
    for pair in tor.swings.windows(2) {
        assert!(pair[0].width() >= pair[1].width());
    }

    // The members' value of a point only splits revenue for IFRS 15: no effect on cash.
    let point_value = &tor.swings[2];
    assert_eq!(point_value.metric_at_low, point_value.metric_at_high);

    // NPV = gross margin × PV(incremental revenue) − what does not depend on the margin, and
    // nothing the customers do depends on it: the swing is Δmargin × PV(incremental revenue),
    // with PV taken from a run at the medians at (1 + r)^(t/12).
    let medians: Vec<(&str, f64)> = file
        .scenario
        .uncertain
        .iter()
        .map(|u| (u.path.as_str(), u.value_at(0.5)))
        .collect();
    let at_medians = run(&file.variant(&medians).unwrap(), &options, &|| {}).unwrap();
    let r = file.scenario.finance.discount_rate;
    let pv: f64 = at_medians
        .monthly
        .iter()
        .map(|m| {
            m.series[Series::IncrementalRevenue as usize].mean
                / (1.0 + r).powf(f64::from(m.month) / 12.0)
        })
        .sum();
    let margin = &tor.swings[0];
    let expected = (margin.high - margin.low) * pv;
    let got = margin.metric_at_high - margin.metric_at_low;
    assert!(
        (got - expected).abs() <= 1e-6 * expected.abs(),
        "swing {got} vs Δmargin × PV {expected}"
    );
    assert_eq!(
        tor.base,
        at_medians.trials.iter().map(|t| t.npv).sum::<f64>() / 6.0
    );

    let provenance = Provenance::of(&[&file], file.scenario.simulation.seed, 6);
    let files: Vec<(String, Vec<u8>)> =
        tornado_files(&tor, &file.scenario.finance.currency, &provenance)
            .unwrap()
            .into_iter()
            .map(|f| f.into_pair())
            .collect();
    assert_chart_sizes(&files, &["tornado"]);
}

#[test]
fn the_tornado_of_the_shipped_uncertain_scenario_swings_the_investment_one_for_one() {
    let file = shipped("retail_points_uncertain.toml", 1_500, 12);
    let tor = tornado(&file, "npv", &trials(3)).unwrap();
    assert_eq!(tor.swings.len(), 5);
    for pair in tor.swings.windows(2) {
        assert!(pair[0].width() >= pair[1].width());
    }
    // The investment is spent at month 0, undiscounted: NPV falls by exactly what it rises.
    let it = tor
        .swings
        .iter()
        .find(|s| s.path == "finance.investment.it_platform_and_app")
        .unwrap();
    let fall = it.metric_at_low - it.metric_at_high;
    assert!(
        (fall - (it.high - it.low)).abs() < 1e-6,
        "{fall} vs {}",
        it.high - it.low
    );
}

#[test]
fn sobol_on_the_shipped_uncertain_scenario_is_bit_identical_on_one_and_two_threads() {
    let file = shipped("retail_points_uncertain.toml", 1_500, 12);
    let on = |threads: usize| {
        let options = RunOptions {
            threads: Some(threads),
            ..RunOptions::default()
        };
        sobol(&file, "npv", &options, 16).unwrap()
    };
    let (one, two) = (on(1), on(2));
    assert_eq!(one.evaluations, 16 * 7);
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&two).unwrap()
    );
    for ix in &one.inputs {
        assert!(ix.total.value >= 0.0, "{ix:?}");
    }

    // The IT platform's cost is paid at month 0, undiscounted, and changes nothing the
    // customers do: between A and A_B^i of a row (same customers), NPV moves by exactly the
    // difference of the two draws. Jansen's total index is then, by hand,
    // mean over rows of (cost in A − cost in B)² / 2, over the variance of NPV.
    let scenario = &file.scenario;
    let i = scenario
        .uncertain
        .iter()
        .position(|u| u.path == "finance.investment.it_platform_and_app")
        .unwrap();
    let input = &scenario.uncertain[i];
    let design =
        SobolDesign::latin_hypercube(16, scenario.uncertain.len(), scenario.simulation.seed);
    let squares: f64 = (0..16)
        .map(|row| {
            let a = input.value_at(design.point(row).probabilities[i]);
            let b = input.value_at(design.point(16 + row).probabilities[i]);
            (a - b).powi(2)
        })
        .sum();
    let by_hand = squares / 16.0 / 2.0 / one.sd.powi(2);
    let got = one.of(&input.path).unwrap().total.value;
    assert!(
        (got - by_hand).abs() <= 1e-9 * by_hand,
        "ST {got} vs by hand {by_hand}"
    );
}

#[test]
fn sobol_says_it_leaves_out_the_scenarios_correlations() {
    let correlated = common::reduced(&common::data("small_correlated.toml"), 500, 12);
    let s = sobol(&correlated, "npv", &RunOptions::default(), 8).unwrap();
    assert!(s.correlations_left_out);
    let plain = common::reduced(&common::data("small_uncertain.toml"), 500, 12);
    assert!(
        !sobol(&plain, "npv", &RunOptions::default(), 8)
            .unwrap()
            .correlations_left_out
    );
    // A metric the tools do not know is refused by name.
    assert!(
        sobol(&plain, "nvp", &RunOptions::default(), 8)
            .unwrap_err()
            .to_string()
            .contains("unknown metric `nvp`")
    );
}

#[test]
fn tornado_with_sobol_prints_the_indices_beside_the_swings_and_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("loyalty-sim")
        .unwrap()
        .arg("tornado")
        .arg(common::data("small_uncertain.toml"))
        .args([
            "--trials",
            "2",
            "--sobol",
            "--sobol-rows",
            "8",
            "--no-charts",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("first order S"), "{text}");
    assert!(text.contains("8 rows × 5 = 40 trials"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sobol.json")).unwrap())
            .unwrap();
    assert_eq!(json["sobol"]["samples"], 8);
    assert_eq!(json["sobol"]["evaluations"], 40);
    assert_eq!(json["provenance"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["provenance"]["seed"], 99);
    assert_eq!(
        json["provenance"]["scenarios"][0][1]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    // The members' value of a point changes no cash (see the tornado's test above): A and
    // A_B^i give the same NPV in every row, so both its indices are exactly zero.
    let point_value = json["sobol"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == "program.points.point_value")
        .unwrap();
    assert_eq!(point_value["first"]["value"], 0.0);
    assert_eq!(point_value["total"]["value"], 0.0);
    let csv = std::fs::read_to_string(dir.path().join("sobol.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "a header and one row per input");
    // The tornado's files are written with them, in one folder with one manifest.
    let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    for name in ["tornado.json", "tornado.csv", "sobol.json", "sobol.csv"] {
        assert!(manifest.contains(name), "{manifest}");
    }
}

#[test]
fn sobol_shares_out_the_payback_months_variance_from_the_same_trials() {
    use loyalty_sim::decide::sobol::{PAYBACK, sobol_with_payback};
    let file = loyalty_sim::scenario::load(&common::data("small_uncertain.toml")).unwrap();
    let at = |threads: usize| {
        let options = RunOptions {
            threads: Some(threads),
            ..RunOptions::default()
        };
        sobol_with_payback(&file, "npv", &options, 16).unwrap()
    };
    let (npv, payback) = at(1);
    let payback = payback.expect("the payback month varies over the design");
    assert_eq!(payback.metric, PAYBACK);
    assert_eq!(payback.evaluations, npv.evaluations);
    // Months from 1 to the horizon + 1 (a trial that does not pay back counts as 25 here).
    assert!(
        payback.mean >= 1.0 && payback.mean <= 25.0,
        "{}",
        payback.mean
    );
    // The members' value of a point changes no cash, so no trial's payback month: its
    // indices are exactly zero, as its NPV's are.
    let point_value = payback.of("program.points.point_value").unwrap();
    assert_eq!(
        (point_value.first.value, point_value.total.value),
        (0.0, 0.0)
    );
    // The same on two threads, bit for bit.
    let (npv2, payback2) = at(2);
    assert_eq!(
        serde_json::to_string(&(&npv, &payback)).unwrap(),
        serde_json::to_string(&(&npv2, payback2.as_ref().unwrap())).unwrap()
    );
    // And the metric's indices are those `sobol` alone gives.
    let alone = sobol(&file, "npv", &RunOptions::default(), 16).unwrap();
    assert_eq!(
        serde_json::to_string(&alone).unwrap(),
        serde_json::to_string(&npv).unwrap()
    );
}

#[test]
fn optimise_finds_the_best_reward_price_of_a_fine_sweep_within_one_step() {
    let file = shipped("coffee_points.toml", 1_500, 18);
    let options = trials(6);
    let path = "program.points.rewards[0].points";
    // The fine sweep: every fifth point from 20 to 150 (27 values).
    let axis = Axis::even(path, 20.0, 150.0, 27, true);
    let s = sweep(&file, std::slice::from_ref(&axis), "npv", None, &options).unwrap();
    let swept_best = s.points[s.best].at[0];

    let o = optimise(
        &file,
        &[lever(path, 20.0, 150.0, 5.0, true)],
        "npv",
        None,
        Constraints::default(),
        &options,
    )
    .unwrap();
    let best = o.best[0];
    assert!(
        (best - swept_best).abs() <= 5.0,
        "optimise {best} vs sweep {swept_best}"
    );
    assert!(o.levers[0].spacing <= 5.0);
    // Fewer runs than the sweep's 27.
    assert!(o.tried.len() < 27, "{}", o.tried.len());
    // The mean at the optimum is that of a plain run there (the same customers and numbers).
    let direct = run(&file.variant(&[(path, best)]).unwrap(), &options, &|| {}).unwrap();
    assert_eq!(o.best_mean, direct.summary.metrics.npv.mean);
    // No value run beats it, and it is among those as good as the best.
    assert!(o.tried.iter().all(|t| t.mean <= o.best_mean));
    assert!(o.is_as_good(&o.best));
}

fn lever(path: &str, from: f64, to: f64, step: f64, whole: bool) -> optimising::Lever {
    optimising::Lever {
        path: path.into(),
        from,
        to,
        step,
        whole,
    }
}

#[test]
fn optimise_finds_the_best_of_two_levers_of_a_fine_grid_sweep_within_one_step() {
    let file = shipped("coffee_points.toml", 1_500, 18);
    let options = trials(6);
    let (points, cost) = (
        "program.points.rewards[0].points",
        "program.points.rewards[0].cost",
    );
    // The fine grid: every tenth point from 20 to 150 × the drink's cost from €0.80 to €2.00
    // every 20 cents (14 × 7 = 98 designs).
    let axes = [
        Axis::even(points, 20.0, 150.0, 14, true),
        Axis::even(cost, 0.8, 2.0, 7, false),
    ];
    let s = sweep(&file, &axes, "npv", None, &options).unwrap();
    let swept = &s.points[s.best].at;
    let o = optimise(
        &file,
        &[
            lever(points, 20.0, 150.0, 10.0, true),
            lever(cost, 0.8, 2.0, 0.2, false),
        ],
        "npv",
        None,
        Constraints::default(),
        &options,
    )
    .unwrap();
    assert!(
        (o.best[0] - swept[0]).abs() <= 10.0 && (o.best[1] - swept[1]).abs() <= 0.2 + 1e-9,
        "optimise {:?} vs sweep {swept:?}",
        o.best
    );
    assert!(o.levers[0].spacing <= 10.0 && o.levers[1].spacing <= 0.2 + 1e-9);
    assert!(o.tried.len() < 98, "{} designs", o.tried.len());
    // Its mean is that of a plain run at the optimum, with its Monte Carlo error.
    let direct = run(
        &file
            .variant(&[(points, o.best[0]), (cost, o.best[1])])
            .unwrap(),
        &options,
        &|| {},
    )
    .unwrap();
    let npv = direct.summary.metrics.npv;
    assert_eq!(o.best_mean, npv.mean);
    assert!((o.best_sem - npv.sem.unwrap()).abs() < 1e-6 * npv.sem.unwrap());
    assert!(o.is_as_good(&o.best) && o.meets_constraints);
}

#[test]
fn a_constraint_on_the_liability_excludes_the_unconstrained_optimum() {
    let file = shipped("coffee_points.toml", 1_500, 18);
    let options = trials(6);
    let path = "program.points.rewards[0].points";
    let levers = [lever(path, 20.0, 150.0, 20.0, true)];
    let free = optimise(
        &file,
        &levers,
        "npv",
        None,
        Constraints::default(),
        &options,
    )
    .unwrap();
    let at_best = free.tried.iter().find(|t| t.values == free.best).unwrap();
    // A ceiling on the liability just under the optimum's 95th percentile.
    let limit = at_best.liability_p95 - 1.0;
    let bound = Constraints {
        max_liability_p95: Some(limit),
        ..Constraints::default()
    };
    let o = optimise(&file, &levers, "npv", None, bound, &options).unwrap();
    assert!(o.meets_constraints);
    assert_ne!(o.best, free.best);
    let chosen = o.tried.iter().find(|t| t.values == o.best).unwrap();
    assert!(chosen.liability_p95 <= limit && chosen.feasible);
    assert!(o.best_mean <= free.best_mean);
    // No design tried that meets the ceiling has a better mean; the old optimum is marked out.
    assert!(
        o.tried
            .iter()
            .filter(|t| t.feasible)
            .all(|t| t.mean <= o.best_mean)
    );
    assert!(
        !o.tried
            .iter()
            .find(|t| t.values == free.best)
            .unwrap()
            .feasible
    );
    // A chance of payback no design can reach: the nearest is reported, not as meeting it.
    let impossible = Constraints {
        min_payback_chance: Some(1.0),
        max_liability_p95: Some(0.0),
    };
    let none = optimise(&file, &levers, "npv", None, impossible, &options).unwrap();
    assert!(!none.meets_constraints && none.tried.iter().all(|t| !t.feasible));
    assert_eq!(none.as_good_as_best, std::slice::from_ref(&none.best));
}

#[test]
fn the_optimise_command_names_the_best_value_and_writes_every_value_tried() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("loyalty-sim")
        .unwrap()
        .arg("optimise")
        .arg(common::data("small_points.toml"))
        .args([
            "--vary",
            "program.points.redemption_threshold=50..400",
            "--step",
            "25",
            "--trials",
            "2",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("← best"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("optimise.json")).unwrap())
            .unwrap();
    let o = &json["optimise"];
    assert!(o["levers"][0]["spacing"].as_f64().unwrap() <= 25.0);
    assert_eq!(json["provenance"]["seed"], 99);
    // Every value tried is a row of the CSV, and the best is the highest mean among them.
    let csv = std::fs::read_to_string(dir.path().join("optimise.csv")).unwrap();
    let tried = o["tried"].as_array().unwrap();
    assert_eq!(csv.lines().count(), tried.len() + 1);
    let top = tried
        .iter()
        .map(|t| t["mean"].as_f64().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(o["best_mean"].as_f64().unwrap(), top);
}

#[test]
fn the_break_even_lift_brings_the_median_npv_to_zero() {
    let file = common::reduced(&common::data("small_points.toml"), 2_000, 24);
    let options = trials(8);
    let be = break_even(&file, Lever::Lift, &options).unwrap();
    let k = be.multiplier.unwrap();
    // The median NPV changes sign across the multiplier found: below it the program loses,
    // above it it pays (median NPV rises with the members' response).
    let npv_at = |k: f64| {
        let scaled: Vec<(String, f64)> = file
            .scenario
            .population
            .types
            .iter()
            .zip(["true", "latent", "false", "none"])
            .filter(|(t, _)| t.share > 0.0)
            .flat_map(|(t, key)| {
                [
                    (
                        format!("population.{key}.frequency_lift"),
                        t.response.frequency * k,
                    ),
                    (
                        format!("population.{key}.basket_lift"),
                        t.response.basket * k,
                    ),
                    (
                        format!("population.{key}.attrition_reduction"),
                        (t.response.retention * k).min(1.0),
                    ),
                ]
            })
            .collect();
        let refs: Vec<(&str, f64)> = scaled.iter().map(|(p, v)| (p.as_str(), *v)).collect();
        run(&file.variant(&refs).unwrap(), &options, &|| {})
            .unwrap()
            .summary
            .metrics
            .npv
            .p50
    };
    assert!(npv_at(k * 0.95) < 0.0, "k = {k}");
    assert!(npv_at(k * 1.05) > 0.0, "k = {k}");
    assert_eq!(be.values.len(), 12);
}

#[test]
fn a_precision_run_stops_at_the_same_trial_count_on_one_thread_and_two() {
    let file = common::reduced(&common::data("small_points.toml"), 800, 12);
    let precision = Precision {
        metric: "npv".into(),
        half_width: HalfWidth::Relative(0.01),
    };
    let at = |threads| {
        run(
            &file,
            &RunOptions {
                trials: Some(1_600),
                threads: Some(threads),
                precision: Some(precision.clone()),
                ..RunOptions::default()
            },
            &|| {},
        )
        .unwrap()
    };
    let (one, two) = (at(1), at(2));
    let n = one.trials.len();
    assert_eq!(n, two.trials.len());
    assert_eq!(one.summary, two.summary);
    // Stops past the first checkpoint, so the rule is seen both failing and holding.
    assert!([100, 200, 400, 800].contains(&n), "stopped at {n}");
    let outcome = one.summary.metadata.precision.as_ref().unwrap();
    assert!(outcome.met);

    // The rule, by hand: 1.96 × sd/√n within 1% of the mean at n, not at the checkpoint before.
    let met = |k: usize| {
        let v: Vec<f64> = one.trials[..k].iter().map(|t| t.npv).collect();
        let mean = v.iter().sum::<f64>() / k as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k - 1) as f64;
        1.96 * (var / k as f64).sqrt() <= 0.01 * mean.abs()
    };
    assert!(met(n));
    assert!(!met(n / 2));
}

#[test]
fn a_precision_run_that_reaches_its_cap_says_the_target_was_not_met() {
    let file = common::reduced(&common::data("small_points.toml"), 800, 12);
    let out = run(
        &file,
        &RunOptions {
            trials: Some(30),
            precision: Some(Precision {
                metric: "npv".into(),
                half_width: HalfWidth::Relative(0.001),
            }),
            ..RunOptions::default()
        },
        &|| {},
    )
    .unwrap();
    assert_eq!(out.trials.len(), 30);
    let outcome = out.summary.metadata.precision.as_ref().unwrap();
    assert!(!outcome.met);
    // The half-width reported is 1.96 × sd/√n of the trials' NPV.
    let sd = out.summary.metrics.npv.sd.unwrap();
    assert!((outcome.half_width - 1.96 * sd / 30f64.sqrt()).abs() < 1e-9 * sd);
    assert!(loyalty_sim::report::console::summary_text(&out).contains("was NOT met"));
}

#[test]
fn compare_counts_the_trials_each_design_wins_not_its_medians() {
    // Two close designs: a threshold of 100 points and of 110. Neither wins every trial, so a
    // share computed from medians (0% or 100%) would differ from the count.
    let a = common::reduced(&common::data("small_points.toml"), 2_000, 24);
    let b = a
        .variant(&[("program.points.redemption_threshold", 110.0)])
        .unwrap();
    let out = compare(&[a, b], &trials(16)).unwrap();
    let npv = |d: usize| -> Vec<f64> { out.runs[d].trials.iter().map(|t| t.npv).collect() };
    let (x, y) = (npv(0), npv(1));
    let wins = x.iter().zip(&y).filter(|(a, b)| a > b).count() as f64 / 16.0;
    let losses = x.iter().zip(&y).filter(|(a, b)| a < b).count() as f64 / 16.0;
    let cmp = &out.comparison;
    assert_eq!(cmp.beats_on_npv[0][1], wins);
    assert_eq!(cmp.beats_on_npv[1][0], losses);
    assert!(wins > 0.0 && wins < 1.0, "{wins}");
    // Both designs are named apart even though their files share a name.
    assert_ne!(cmp.names[0], cmp.names[1]);
}

#[test]
fn when_no_design_pays_back_none_pays_back_first() {
    let a = common::reduced(&shipped_path("retail_instant_discount.toml"), 1_500, 12);
    let b = common::reduced(&shipped_path("discount_trap.toml"), 1_500, 12);
    let out = compare(&[a, b], &trials(3)).unwrap();
    let cmp = &out.comparison;
    assert_eq!(cmp.payback_probability, [0.0, 0.0]);
    assert_eq!(cmp.best_on_payback, [0.0, 0.0]);
    assert!(cmp.payback_difference_from_first[1].is_none());
}

#[test]
fn designs_in_different_currencies_are_not_compared() {
    let a = common::reduced(&common::data("small_points.toml"), 500, 6);
    let mut source = a.source.replace("currency = \"EUR\"", "currency = \"USD\"");
    assert_ne!(source, a.source);
    source.push('\n');
    let b = loyalty_sim::ScenarioFile {
        scenario: loyalty_sim::scenario::parse(&source, &a.path).unwrap(),
        source,
        ..a.clone()
    };
    let err = compare(&[a, b], &trials(2)).unwrap_err().to_string();
    assert!(err.contains("EUR") && err.contains("USD"), "{err}");
}
