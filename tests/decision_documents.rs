//! The documents of the decision commands: `compare`, `sweep`, `optimise` and `tornado` (with
//! its Sobol indices) each write `report.html` and `workbook.xlsx` beside their CSV and JSON,
//! naming the designs, with the key figure of the JSON rounded by the Particle Data Group's
//! rule, worked out here by hand.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::io::Read;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// The decimal place a mean known to `sem` is shown to (Review of Particle Physics,
/// Introduction, "Rounding"): the error's three leading digits 100–354 keep two figures,
/// 355–999 one; amounts of a hundred euros and more to the whole euro at most.
fn place(sem: f64) -> i32 {
    let e = sem.log10().floor() as i32;
    let leading = (sem / 10f64.powi(e - 2)).floor();
    let p = if leading <= 354.0 { e - 1 } else { e };
    p.max(0)
}

/// `x` euros (of a hundred and more) rounded to `place`, with thousands separators.
fn euros(x: f64, place: i32) -> String {
    let step = 10f64.powi(place);
    let whole = ((x / step).round() * step).abs() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(d);
    }
    format!("{}€{grouped}", if x < 0.0 { "-" } else { "" })
}

#[test]
fn the_rule_rounds_as_the_particle_data_group_shows() {
    // Their examples: 0.827 ± 0.119 → 0.83 ± 0.12; 0.827 ± 0.367 → 0.8 ± 0.4 (places −2, −1),
    // here scaled to euros.
    assert_eq!(place(119_000.0), 4);
    assert_eq!(place(367_000.0), 5);
    assert_eq!(euros(827_000.0, 4), "€830,000");
    assert_eq!(euros(-96_449.0, 2), "-€96,400");
    assert_eq!(place(12.0), 0);
}

/// Runs `loyalty-sim ARGS --out DIR` and returns DIR's listing.
fn analyse(args: &[&str], dir: &Path) -> Vec<String> {
    Command::cargo_bin("loyalty-sim")
        .unwrap()
        .arg("-q")
        .args(args)
        .arg("--out")
        .arg(dir)
        .assert()
        .success();
    common::listing(dir)
}

fn json(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

/// The workbook's sheet names and shared strings, read from the zip.
fn workbook_text(dir: &Path) -> String {
    let file = std::fs::File::open(dir.join("workbook.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    for name in ["xl/workbook.xml", "xl/sharedStrings.xml"] {
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
    }
    text
}

/// Checks both documents are there, that both name each of `names`, the workbook has each of
/// `sheets`, and the report holds each of `figures`.
fn assert_documents(
    dir: &Path,
    listing: &[String],
    names: &[&str],
    sheets: &[&str],
    figures: &[String],
) {
    for doc in ["report.html", "workbook.xlsx"] {
        assert!(
            listing.iter().any(|n| n == doc),
            "{doc} missing: {listing:?}"
        );
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let book = workbook_text(dir);
    for name in names {
        assert!(html.contains(name), "report.html lacks {name}");
        assert!(book.contains(name), "workbook.xlsx lacks {name}");
    }
    for sheet in sheets {
        assert!(
            book.contains(&format!("name=\"{sheet}\"")),
            "no sheet {sheet}"
        );
    }
    for figure in figures {
        assert!(html.contains(figure.as_str()), "report.html lacks {figure}");
    }
    // The run report's print and phone styles, and no script or fetched resource.
    assert!(html.contains("@media print") && html.contains("@media (max-width: 700px)"));
    for fetched in ["<script", "src=\"http", "href=\"http", "url(http"] {
        assert!(!html.contains(fetched), "report.html has {fetched}");
    }
}

#[test]
fn compare_names_each_design_and_shows_its_median_npv_rounded_by_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let points = common::data("small_points.toml");
    let uncertain = common::data("small_uncertain.toml");
    let listing = analyse(
        &[
            "compare",
            points.to_str().unwrap(),
            uncertain.to_str().unwrap(),
            "--trials",
            "6",
        ],
        dir.path(),
    );
    assert_eq!(
        listing,
        [
            "compare.csv",
            "compare.json",
            "compare_cash_flow.png",
            "compare_cash_flow.svg",
            "manifest.json",
            "report.html",
            "workbook.xlsx"
        ]
    );
    let cmp = &json(dir.path(), "compare.json")["comparison"];
    let npv = &cmp["metrics"][0];
    assert_eq!(npv["metric"], "npv");
    let figures: Vec<String> = npv["designs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            euros(
                s["p50"].as_f64().unwrap(),
                place(s["sem"].as_f64().unwrap()),
            )
        })
        .collect();
    assert_documents(
        dir.path(),
        &listing,
        &["small_points", "small_uncertain"],
        &[
            "Summary",
            "Designs",
            "Metrics",
            "Differences",
            "Beats on NPV",
        ],
        &figures,
    );
    // The chart is inline, as in the run's report.
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("<figure id=\"compare_cash_flow\"><svg"));
    // The chart file carries its font under a family of its own; the report carries the
    // font once for its charts, and the chart inline names it first.
    let svg = std::fs::read_to_string(dir.path().join("compare_cash_flow.svg")).unwrap();
    let faces = svg.matches("@font-face").count();
    assert!(faces >= 1);
    assert_eq!(
        svg.matches("@font-face{font-family:'loyalty-sim DejaVu Sans ")
            .count(),
        faces
    );
    assert_eq!(html.matches("@font-face").count(), faces);
    assert!(html.contains("@font-face{font-family:'loyalty-sim DejaVu Sans';font-weight:normal"));
    assert!(html.contains("font-family=\"'loyalty-sim DejaVu Sans', 'DejaVu Sans', sans-serif\""));
}

#[test]
fn sweep_shows_the_best_points_mean_and_its_error_rounded_by_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let listing = analyse(
        &[
            "sweep",
            common::data("small_points.toml").to_str().unwrap(),
            "--vary",
            "program.points.redemption_threshold=50..400",
            "--steps",
            "3",
            "--trials",
            "4",
        ],
        dir.path(),
    );
    let s = &json(dir.path(), "sweep.json")["sweep"];
    let best = &s["points"][s["best"].as_u64().unwrap() as usize]["metric"];
    let p = place(best["sem"].as_f64().unwrap());
    let figure = format!(
        "{} ± {}",
        euros(best["mean"].as_f64().unwrap(), p),
        euros(best["sem"].as_f64().unwrap(), p)
    );
    assert_documents(
        dir.path(),
        &listing,
        &["points: redemption threshold"],
        &["Summary", "Points"],
        &[figure],
    );
}

#[test]
fn optimise_shows_the_best_values_mean_and_its_error_rounded_by_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let listing = analyse(
        &[
            "optimise",
            common::data("small_points.toml").to_str().unwrap(),
            "--vary",
            "program.points.redemption_threshold=50..400",
            "--step",
            "100",
            "--trials",
            "4",
        ],
        dir.path(),
    );
    let o = &json(dir.path(), "optimise.json")["optimise"];
    let best = o["tried"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["values"] == o["best"])
        .unwrap();
    let p = place(best["sem"].as_f64().unwrap());
    let figure = format!(
        "{} ± {}",
        euros(best["mean"].as_f64().unwrap(), p),
        euros(best["sem"].as_f64().unwrap(), p)
    );
    assert_documents(
        dir.path(),
        &listing,
        &["points: redemption threshold"],
        &["Summary", "Designs tried"],
        &[figure],
    );
}

#[test]
fn tornado_shows_its_base_and_the_sobol_indices_of_each_input() {
    let dir = tempfile::tempdir().unwrap();
    let listing = analyse(
        &[
            "tornado",
            common::data("small_uncertain.toml").to_str().unwrap(),
            "--trials",
            "4",
            "--sobol",
            "--sobol-rows",
            "8",
        ],
        dir.path(),
    );
    let t = &json(dir.path(), "tornado.json")["tornado"];
    let p = place(t["base_sem"].as_f64().unwrap());
    let base = format!(
        "{} ± {}",
        euros(t["base"].as_f64().unwrap(), p),
        euros(t["base_sem"].as_f64().unwrap(), p)
    );
    assert_documents(
        dir.path(),
        &listing,
        &["gross margin", "latent loyalty: frequency lift"],
        &["Summary", "Tornado", "Sobol npv"],
        &[base],
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("<figure id=\"tornado\"><svg"));
    assert!(html.contains("Share of the variance of NPV (Sobol indices)"));
}
