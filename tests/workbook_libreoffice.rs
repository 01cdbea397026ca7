//! The workbook's live NPV block, recalculated by a spreadsheet: `run` writes `workbook.xlsx`,
//! LibreOffice (when `soffice` is on the PATH) opens it headless with recalculation forced,
//! and its NPV formula must give `summary.json`'s mean NPV to the cent; with the discount-rate
//! cell edited (its cached results left stale), the recalculated NPV must be
//! −investment + Σ cf_t / (1 + r')^(t/12) computed here from the Monthly sheet's mean net cash
//! flows; with the investment and the running cost edited, it must move by what they cost
//! discounted. Without LibreOffice the spreadsheet half is skipped with a note; the cached results
//! are checked either way. `.ci/run` installs LibreOffice Calc so CI runs all of it.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use calamine::{Data, Reader, Xlsx, open_workbook};
use loyalty_sim::report::workbook::{
    EXTRA_RUNNING_CELL, INVESTMENT_CELL, NPV_CELL, PAYBACK_CELL, RATE_CELL,
};

/// The scenario's discount rate (tests/data/small_points.toml) and the one the test types in.
const RATE: f64 = 0.1;
const NEW_RATE: f64 = 0.25;

/// Writes summary.json and workbook.xlsx of a small run into `dir`.
fn write_run(dir: &Path) {
    cargo_bin_cmd!("loyalty-sim")
        .args([
            "run",
            "--trials",
            "8",
            "--formats",
            "json,xlsx",
            "--quiet",
            "--out",
        ])
        .arg(dir)
        .arg(common::data("small_points.toml"))
        .assert()
        .success();
}

fn number(range: &calamine::Range<Data>, (row, col): (u32, u16)) -> f64 {
    match range.get_value((row, u32::from(col))) {
        Some(Data::Float(v)) => *v,
        other => panic!("cell ({row}, {col}): {other:?}"),
    }
}

/// The column of the Monthly sheet titled `title`, from month 0 down.
fn monthly_column(path: &Path, title: &str) -> Vec<f64> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let monthly = book.worksheet_range("Monthly").unwrap();
    let header: Vec<String> = monthly
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = header.iter().position(|h| h == title).unwrap();
    monthly
        .rows()
        .skip(1)
        .map(|r| match r[col] {
            Data::Float(v) => v,
            ref other => panic!("{title}: {other:?}"),
        })
        .collect()
}

/// The mean NPV of `summary.json`.
fn summary_npv(dir: &Path) -> f64 {
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["metrics"]["npv"]["mean"].as_f64().unwrap()
}

/// A copy of the workbook at `from` with the Model sheet's cells `edits` set to new values,
/// every formula's cached result left as it was: only a recalculation can bring them in line.
fn with_inputs(from: &Path, to: &Path, edits: &[((u32, u16), f64)]) {
    let mut archive = zip::ZipArchive::new(Cursor::new(std::fs::read(from).unwrap())).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut edited = false;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        // The Model sheet is the workbook's second.
        if name == "xl/worksheets/sheet2.xml" {
            let mut xml = String::from_utf8(bytes).unwrap();
            for &((row, col), value) in edits {
                let cell = format!("<c r=\"{}\"", cell_name(row, col));
                let start = xml.find(&cell).unwrap();
                let end = start + xml[start..].find("</c>").unwrap();
                let old = &xml[start..end];
                let v = old.find("<v>").unwrap();
                let new = format!("{}<v>{value}</v>", &old[..v]);
                xml = format!("{}{new}{}", &xml[..start], &xml[end..]);
            }
            bytes = xml.into_bytes();
            edited = true;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    assert!(edited);
    std::fs::write(to, out.finish().unwrap().into_inner()).unwrap();
}

/// `B5` for (4, 1).
fn cell_name(row: u32, col: u16) -> String {
    let letter = char::from(b'A' + u8::try_from(col).unwrap());
    format!("{letter}{}", row + 1)
}

/// LibreOffice's command, if installed.
fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// `workbook` opened by LibreOffice with every formula recalculated on load, saved again as
/// xlsx in `dir`; returns the new file.
fn recalculated(soffice: &str, workbook: &Path, dir: &Path) -> PathBuf {
    // A private profile whose one setting is "recalculate Excel files always on load" (the
    // default trusts the cached results).
    let profile = dir.join("profile");
    std::fs::create_dir_all(profile.join("user")).unwrap();
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    let out = dir.join("recalculated");
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(&out)
        .arg(workbook)
        .output()
        .unwrap();
    let converted = out.join(workbook.file_name().unwrap());
    assert!(
        converted.exists(),
        "LibreOffice wrote nothing: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    converted
}

fn model(path: &Path) -> calamine::Range<Data> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    book.worksheet_range("Model").unwrap()
}

/// −investment + Σ cf_t / (1 + rate)^(t/12): the NPV definition of docs/model.md, by hand.
fn npv_by_hand(net: &[f64], rate: f64) -> f64 {
    // Month 0's net cash flow is −investment, undiscounted.
    net.iter()
        .enumerate()
        .map(|(t, cf)| cf / (1.0 + rate).powf(t as f64 / 12.0))
        .sum()
}

#[test]
fn the_npv_formula_gives_the_run_s_npv_and_follows_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("run");
    write_run(&run_dir);
    let workbook = run_dir.join("workbook.xlsx");
    let npv = summary_npv(&run_dir);
    let net = monthly_column(&workbook, "Net cash flow (mean)");
    assert_eq!(net.len(), 1 + 24);

    // The cached results, as a viewer that does not recalculate shows them.
    let cached = model(&workbook);
    assert!((number(&cached, NPV_CELL) - npv).abs() < 0.005);
    assert_eq!(number(&cached, RATE_CELL), RATE);
    // The NPV of the mean cash flow is the mean of the trials' NPVs (NPV is linear).
    assert!((npv_by_hand(&net, RATE) - npv).abs() < 0.005);

    let Some(soffice) = soffice() else {
        eprintln!(
            "note: LibreOffice (soffice) is not installed; the recalculation was not checked \
             (apt-get install libreoffice-calc-nogui)"
        );
        return;
    };
    let fresh = recalculated(soffice, &workbook, &dir.path().join("a"));
    let recalculated_npv = number(&model(&fresh), NPV_CELL);
    assert!(
        (recalculated_npv - npv).abs() < 0.005,
        "{recalculated_npv} against summary.json's {npv}"
    );

    let edited = dir.path().join("edited.xlsx");
    with_inputs(&workbook, &edited, &[(RATE_CELL, NEW_RATE)]);
    let fresh = model(&recalculated(soffice, &edited, &dir.path().join("b")));
    assert_eq!(number(&fresh, RATE_CELL), NEW_RATE);
    let expected = npv_by_hand(&net, NEW_RATE);
    let got = number(&fresh, NPV_CELL);
    assert!(
        (got - expected).abs() < 0.005,
        "at {NEW_RATE}: {got} against {expected} by hand"
    );
    // A higher rate shrinks what later months are worth: the NPV has moved.
    assert!((got - npv).abs() > 1.0, "{got} vs {npv}");
    // The payback month does not depend on the rate: the same as before.
    assert_eq!(
        fresh.get_value((PAYBACK_CELL.0, u32::from(PAYBACK_CELL.1))),
        cached.get_value((PAYBACK_CELL.0, u32::from(PAYBACK_CELL.1)))
    );

    // €1,000 more investment at month 0 costs €1,000 of NPV; €100 more running cost a month
    // costs €100 × Σ 1/(1 + r)^(t/12) over the 24 months (the program runs throughout).
    let investment = -net[0];
    let edited = dir.path().join("costs.xlsx");
    with_inputs(
        &workbook,
        &edited,
        &[
            (INVESTMENT_CELL, investment + 1_000.0),
            (EXTRA_RUNNING_CELL, 100.0),
        ],
    );
    let fresh = model(&recalculated(soffice, &edited, &dir.path().join("c")));
    let annuity: f64 = (1..=24)
        .map(|t| 1.0 / (1.0 + RATE).powf(f64::from(t) / 12.0))
        .sum();
    let expected = npv - 1_000.0 - 100.0 * annuity;
    let got = number(&fresh, NPV_CELL);
    assert!((got - expected).abs() < 0.005, "{got} against {expected}");
}

/// When the discount rate itself is uncertain, the mean of the trials' NPVs is not the NPV of the
/// mean cash flow at one rate: the Model sheet says so, and still computes its own NPV.
#[test]
fn an_uncertain_discount_rate_is_noted_on_the_model_sheet() {
    use loyalty_sim::report::Exporter;
    use loyalty_sim::report::workbook::{ModelInputs, WorkbookXlsx, model_npv};

    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::data("small_uncertain.toml")).unwrap();
    let changed = text.replace(
        "discount_rate = 0.1\n",
        "discount_rate = { dist = \"uniform\", min = 0.05, max = 0.15 }\n",
    );
    assert_ne!(changed, text);
    let path = dir.path().join("uncertain_rate.toml");
    std::fs::write(&path, changed).unwrap();
    let run = common::run_trials(&common::reduced(&path, 1_000, 12), 4);
    let bytes = WorkbookXlsx.render(&run).unwrap();
    let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
    let model = book.worksheet_range("Model").unwrap();
    let note = model.get_value((2, 0)).unwrap().to_string();
    assert!(note.contains("discount rate is uncertain"), "{note}");
    // The formula's NPV: the mean cash flow at the median rate (0.10), as model_npv computes.
    let inputs = ModelInputs::of(&run);
    assert_eq!(inputs.discount_rate, 0.1);
    assert!((number(&model, NPV_CELL) - model_npv(&run, &inputs)).abs() < 1e-6);
}
