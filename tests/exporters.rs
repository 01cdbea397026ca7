//! Snapshots of the exporters on a small fixed run: a change in any output shows up as a
//! reviewable diff (`cargo insta review`). Floats in the JSON are rounded to 6 significant
//! digits; the version is redacted so a release does not change every snapshot.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::io::Cursor;
use std::sync::OnceLock;

use calamine::{Data, Reader, Xlsx};
use loyalty_sim::metrics::finance::Series;
use loyalty_sim::report::console::summary_text;
use loyalty_sim::report::csv::{MonthlyByTypeCsv, MonthlyCsv, TrialInputsCsv, TrialsCsv};
use loyalty_sim::report::json::SummaryJson;
use loyalty_sim::report::{Exporter, render_all};
use loyalty_sim::{RunOptions, RunOutput, run, scenario};
use scraper::{Html, Selector};

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

/// A small run of a scenario with uncertain inputs, and every file it writes (charts, the
/// HTML report and the workbook included), rendered once for all the tests that read them.
type Files = Vec<(String, Vec<u8>)>;

fn uncertain_run() -> &'static (RunOutput, Files) {
    static RUN: OnceLock<(RunOutput, Files)> = OnceLock::new();
    RUN.get_or_init(|| {
        let mut file = common::reduced(&common::data("small_uncertain.toml"), 1_500, 6);
        file.path = "small_uncertain.toml".into();
        let out = common::run_trials(&file, 5);
        let files = render_all(&out, true).unwrap();
        (out, files)
    })
}

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} was not written"))
        .1
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

#[test]
fn per_type_and_drawn_input_csv_files_have_their_columns() {
    let (run, _) = uncertain_run();
    let by_type = String::from_utf8(MonthlyByTypeCsv.render(run).unwrap()).unwrap();
    insta::assert_snapshot!(
        "monthly_by_type_header",
        by_type.lines().next().unwrap().replace(',', "\n")
    );
    // One row per month and loyalty type.
    assert_eq!(by_type.lines().count(), 1 + 6 * 4);
    let inputs = String::from_utf8(TrialInputsCsv.render(run).unwrap()).unwrap();
    insta::assert_snapshot!(
        "trial_inputs_header",
        inputs.lines().next().unwrap().replace(',', "\n")
    );
    assert_eq!(inputs.lines().count(), 1 + 5);
}

#[test]
fn every_run_chart_renders_to_a_png_and_an_svg_of_the_stated_size() {
    let (_, files) = uncertain_run();
    let cumulative = {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/retail_cumulative_discount.toml");
        let out = common::run_trials(&common::reduced(&path, 1_500, 8), 3);
        render_all(&out, true).unwrap()
    };
    // The points design and the certificates design draw different reward charts.
    for files in [files, &cumulative] {
        for stem in [
            "cash_flow",
            "liability",
            "members_by_type",
            "active_by_type",
            "rewards",
            "payback",
        ] {
            let png = image::load_from_memory(file(files, &format!("{stem}.png"))).unwrap();
            assert_eq!((png.width(), png.height()), (1200, 700), "{stem}.png");
            let svg = std::str::from_utf8(file(files, &format!("{stem}.svg"))).unwrap();
            assert!(
                svg.starts_with(r#"<svg width="1200" height="700""#),
                "{stem}.svg"
            );
            assert!(svg.matches("<text").count() >= 5, "{stem}.svg has no text");
        }
    }
    let rewards = std::str::from_utf8(file(&cumulative, "rewards.svg")).unwrap();
    assert!(rewards.contains("Certificates issued and used"));
}

#[test]
fn without_documents_a_run_writes_only_its_data_files() {
    let (run, _) = uncertain_run();
    let names: Vec<String> = render_all(run, false)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "summary.json",
            "monthly.csv",
            "monthly_by_type.csv",
            "trials.csv",
            "rfm_groups.csv",
            "trial_inputs.csv"
        ]
    );
}

/// The outline of the report: headings, table columns and row labels, figures, and the
/// provenance list, without the numbers (which other snapshots cover).
#[test]
fn html_report_structure() {
    let (run, files) = uncertain_run();
    let text = std::str::from_utf8(file(files, "report.html")).unwrap();
    let doc = Html::parse_document(text);
    let sel = |s: &str| Selector::parse(s).unwrap();
    let words = |e: scraper::ElementRef<'_>| e.text().collect::<String>().trim().to_string();

    // Self-contained: no scripts, nothing fetched, every link points inside the page.
    assert!(
        doc.select(&sel("script, link, img, iframe"))
            .next()
            .is_none()
    );
    for a in doc.select(&sel("a[href]")) {
        let href = a.value().attr("href").unwrap();
        let target = href.strip_prefix('#').unwrap_or_else(|| panic!("{href}"));
        assert!(
            doc.select(&sel(&format!("[id='{target}']")))
                .next()
                .is_some(),
            "{href} goes nowhere"
        );
    }
    // Who produced it.
    let meta = words(doc.select(&sel("dl.meta")).next().unwrap());
    let md = &run.summary.metadata;
    assert!(meta.contains(&md.scenario_sha256) && meta.contains(&md.seed.to_string()));
    let generator = doc.select(&sel("meta[name=generator]")).next().unwrap();
    assert_eq!(
        generator.value().attr("content"),
        Some(format!("loyalty-sim {}", env!("CARGO_PKG_VERSION")).as_str())
    );

    let mut outline = Vec::new();
    for e in doc.select(&sel("h1, h2, h3, table, figure, dl.meta dt")) {
        match e.value().name() {
            "table" => {
                let head: Vec<String> = e.select(&sel("thead th")).map(words).collect();
                outline.push(format!("table: {}", head.join(" | ")));
                for row in e.select(&sel("tbody tr")) {
                    let first = row.select(&sel("td")).next().map(words).unwrap_or_default();
                    let cells = row.select(&sel("td")).count();
                    let distribution = if cells == 3 {
                        row.select(&sel("td")).nth(2).map(words).unwrap_or_default()
                    } else {
                        String::new()
                    };
                    outline.push(format!("  {first} {distribution}").trim_end().to_string());
                }
            }
            "figure" => {
                let svg = e.select(&sel("svg")).next().unwrap();
                outline.push(format!(
                    "figure #{}: svg {}×{}, {} texts",
                    e.value().attr("id").unwrap(),
                    svg.value().attr("width").unwrap(),
                    svg.value().attr("height").unwrap(),
                    if svg.select(&sel("text")).count() >= 5 {
                        "with"
                    } else {
                        "without"
                    }
                ));
            }
            "dt" => outline.push(format!("dt: {}", words(e))),
            tag => outline.push(format!("{tag}: {}", words(e))),
        }
    }
    insta::assert_snapshot!(outline.join("\n"));
}

/// Index of the column whose header (first row) is `title`.
fn column(sheet: &calamine::Range<Data>, title: &str) -> usize {
    sheet
        .rows()
        .next()
        .and_then(|header| header.iter().position(|c| *c == Data::String(title.into())))
        .unwrap_or_else(|| panic!("no column {title}"))
}

#[test]
fn the_workbook_reopens_with_its_sheets_and_the_run_s_values() {
    let (run, files) = uncertain_run();
    let mut book = Xlsx::new(Cursor::new(file(files, "workbook.xlsx").to_vec())).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Model",
            "Charts",
            "Monthly",
            "Roll-forward",
            "Trials",
            "Assumptions"
        ]
    );
    let m = &run.summary.metrics;

    // The data sheets are Excel tables (with filters), named for structured references.
    book.load_tables().unwrap();
    let mut tables = book.table_names();
    tables.sort();
    assert_eq!(tables, ["Monthly", "RollForward", "Trials"]);

    // The Model sheet's NPV formula carries its result: the mean NPV of the trials (NPV is
    // linear in the cash flows, so the NPV of the mean monthly cash flow is their mean).
    let model = book.worksheet_range("Model").unwrap();
    let (r, c) = loyalty_sim::report::workbook::NPV_CELL;
    match model.get_value((r, u32::from(c))) {
        Some(Data::Float(v)) => assert!((v - m.npv.mean).abs() < 0.005, "{v} vs {}", m.npv.mean),
        other => panic!("NPV cell: {other:?}"),
    }

    // Roll-forward: one row per year, the summary's means, adding up.
    let roll = book.worksheet_range("Roll-forward").unwrap();
    let years = &run.summary.contract_liability_rollforward;
    assert_eq!(roll.rows().count(), years.len() + 1);
    for (row, y) in roll.rows().skip(1).zip(years) {
        let at = |title: &str| match row[column(&roll, title)] {
            Data::Float(v) => v,
            ref other => panic!("{title}: {other:?}"),
        };
        assert_eq!(at("Closing contract liability"), y.closing.mean);
        let sum = at("Opening contract liability") + at("Deferred")
            - at("Recognised on redemption")
            - at("Recognised on breakage");
        assert!((sum - y.closing.mean).abs() < 0.5, "{sum} against {y:?}");
    }

    // Summary: the rows of the printed summary, the run's numbers as numbers, money in
    // euros and shares as percentages.
    let summary = book.worksheet_range("Summary").unwrap();
    let styles = book.worksheet_style("Summary").unwrap();
    let row_of = |label: &str| {
        summary
            .rows()
            .position(|r| r[0] == Data::String(label.into()))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    let format_at = |r: usize, c: u32| {
        styles
            .get((r as u32, c))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.clone())
            .unwrap_or_default()
    };
    let npv = row_of("NPV at 10.0% a year");
    let s = &m.npv;
    let ci = s.ci95.unwrap();
    let expected = [
        s.mean,
        s.sd.unwrap(),
        s.sem.unwrap(),
        ci[0],
        ci[1],
        s.p5,
        s.p50,
        s.p95,
    ];
    for (col, v) in expected.into_iter().enumerate() {
        assert_eq!(
            summary.rows().nth(npv).unwrap()[col + 1],
            Data::Float(v),
            "column {col}"
        );
        assert!(format_at(npv, col as u32 + 1).contains('€'));
    }
    let roi = row_of("ROI");
    assert_eq!(summary.rows().nth(roi).unwrap()[7], Data::Float(m.roi.p50));
    assert_eq!(format_at(roi, 7), "0.0%");
    let chance = row_of("Chance of payback within 6 months");
    let p = &m.payback_month;
    let row = summary.rows().nth(chance).unwrap();
    assert_eq!(row[1], Data::Float(p.probability_within_horizon));
    assert_eq!(row[4], Data::Float(p.probability_ci95[0]));
    // A points-only design has no discount or certificate rows, as in the printed summary.
    assert!(
        !summary
            .rows()
            .any(|r| r[0].to_string().contains("certificates"))
    );
    let text = |r: usize| summary.rows().nth(r).unwrap()[1].to_string();
    assert!((0..9).any(|r| text(r) == run.summary.metadata.scenario_sha256));
    assert!((0..9).any(|r| text(r) == run.summary.metadata.seed.to_string()));
    assert_eq!(
        summary.rows().nth(row_of("Trials")).unwrap()[1],
        Data::Float(5.0)
    );

    // Assumptions: every value of the file as run, an uncertain one with its distribution.
    let assumptions = book.worksheet_range("Assumptions").unwrap();
    let find = |path: &str| {
        assumptions
            .rows()
            .find(|r| r[0] == Data::String(path.into()))
            .unwrap_or_else(|| panic!("{path} missing"))
            .to_vec()
    };
    assert_eq!(find("simulation.customers")[1], Data::Float(1_500.0));
    assert_eq!(
        find("program.points.redemption_threshold")[1],
        Data::Float(100.0)
    );
    let margin = find("finance.gross_margin");
    assert_eq!(
        margin[1],
        Data::Float(0.5),
        "the median of normal(0.5, 0.03)"
    );
    assert_eq!(margin[2], Data::String("normal, mean 0.5, sd 0.03".into()));

    // Monthly: month 0 (the investment), then one row per month; the run's bands, and means
    // that add up: net cash flow = incremental margin − reward cost − running costs.
    let monthly = book.worksheet_range("Monthly").unwrap();
    assert_eq!(monthly.height(), 1 + 1 + 6);
    let cell = |r: usize, title: &str| match monthly.rows().nth(r).unwrap()[column(&monthly, title)]
    {
        Data::Float(v) => v,
        ref other => panic!("{title} at row {r}: {other:?}"),
    };
    assert_eq!(cell(1, "Cumulative cash flow (mean)"), -m.investment.mean);
    for (r, month) in run.monthly.iter().enumerate() {
        let at = |s: Series| month.series[s as usize];
        assert_eq!(
            cell(r + 2, "Net cash flow (median)"),
            at(Series::NetCashFlow).p50
        );
        assert_eq!(cell(r + 2, "Liability (p95)"), at(Series::Liability).p95);
        let parts = cell(r + 2, "Incremental margin (mean)")
            - cell(r + 2, "Reward cost (mean)")
            - cell(r + 2, "Running costs (mean)");
        let net = cell(r + 2, "Net cash flow (mean)");
        assert!(
            (parts - net).abs() <= 1e-9 * net.abs().max(1.0),
            "month {}: {parts} vs {net}",
            r + 1
        );
    }

    // Trials: one row per trial, every cell a number.
    let trials = book.worksheet_range("Trials").unwrap();
    assert_eq!(trials.height(), 1 + run.trials.len());
    let npv = column(&trials, "npv");
    for (r, t) in run.trials.iter().enumerate() {
        let row = trials.rows().nth(r + 1).unwrap();
        assert_eq!(row[npv], Data::Float(t.npv));
        assert!(
            row.iter()
                .all(|c| matches!(c, Data::Float(_) | Data::Empty)),
            "trial {r}: {row:?}"
        );
    }
}

#[test]
fn text_from_the_scenario_file_is_escaped_in_the_report() {
    // A reward's name and a comment are the user's text: the report shows them, never runs them.
    let path = common::data("all_features.toml");
    let source = std::fs::read_to_string(&path).unwrap().replacen(
        "name = \"coffee\"",
        "name = \"<script>alert('x')</script> & <b>box</b>\"",
        1,
    ) + "\n# </pre><script>alert('comment')</script>\n";
    assert!(source.contains("<script>alert('x')"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile <name>.toml");
    std::fs::write(&file, &source).unwrap();
    let file = common::reduced(&file, 300, 24);
    let out = common::run_trials(&file, 2);
    let page = String::from_utf8(
        loyalty_sim::report::html::report(&out, &[])
            .unwrap()
            .into_bytes(),
    )
    .unwrap();
    let doc = Html::parse_document(&page);
    assert!(
        doc.select(&Selector::parse("script").unwrap())
            .next()
            .is_none()
    );
    assert!(
        doc.select(&Selector::parse("b").unwrap())
            .all(|b| !b.text().any(|t| t.contains("box")))
    );
    assert!(page.contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;box&lt;/b&gt;"));
    assert!(page.contains("hostile &lt;name&gt;"));
}

#[test]
fn the_report_and_the_workbook_are_the_same_bytes_every_time() {
    // Same run, rendered twice a moment apart: nothing in the documents depends on the clock.
    let (run, files) = uncertain_run();
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let again = render_all(run, true).unwrap();
    for name in ["report.html", "workbook.xlsx"] {
        assert!(file(files, name) == file(&again, name), "{name} differs");
    }
}

/// The year table and the NPV waterfall of the report add up, by their formulas, to the
/// headline means: sums are linear, so the years' totals are the means of the trials' totals,
/// and with one discount rate the NPV of the mean cash flow is the mean of the trials' NPVs.
#[test]
fn the_year_table_and_the_waterfall_add_up_to_the_headline_means() {
    use loyalty_sim::report::yearly::{ModelInputs, waterfall, years};
    let file = common::reduced(&common::data("small_points.toml"), 1_500, 30);
    let run = common::run_trials(&file, 5);
    let m = &run.summary.metrics;
    let table = years(&run, &ModelInputs::of(&run));
    // The start, then 12 + 12 + 6 months.
    assert_eq!(
        table.iter().map(|y| y.year).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    let close = |a: f64, b: f64, what: &str| {
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
            "{what}: {a} against {b}"
        )
    };
    let total =
        |g: &dyn Fn(&loyalty_sim::report::yearly::Year) -> f64| table.iter().map(g).sum::<f64>();
    close(
        total(&|y| y.incremental_revenue),
        m.incremental_revenue.mean,
        "revenue",
    );
    close(
        total(&|y| y.margin),
        m.incremental_gross_margin.mean,
        "margin",
    );
    close(total(&|y| y.rewards), m.reward_cost.mean, "rewards");
    close(
        total(&|y| y.costs),
        m.program_cost.mean,
        "investment and running costs",
    );
    close(total(&|y| y.partner), m.partner_revenue.mean, "partners");
    close(total(&|y| y.net), m.cumulative_cash_flow_end.mean, "net");
    close(
        table[3].cumulative,
        m.cumulative_cash_flow_end.mean,
        "cumulative",
    );
    close(total(&|y| y.present_value), m.npv.mean, "present values");
    close(table[0].costs, m.investment.mean, "investment at the start");
    // Each year's cumulative is the previous one plus its net.
    for w in table.windows(2) {
        close(w[1].cumulative, w[0].cumulative + w[1].net, "cumulative");
    }
    // The liability at a year end is the month's mean (year 3 ends at month 30).
    let liability = |month: usize| run.monthly[month - 1].series[Series::Liability as usize].mean;
    close(table[1].liability_end, liability(12), "liability, year 1");
    close(table[3].liability_end, liability(30), "liability, year 3");

    let w = waterfall(&run);
    close(
        w.margin - w.rewards - w.running + w.partner - w.investment,
        w.npv,
        "waterfall parts",
    );
    close(w.npv, m.npv.mean, "waterfall NPV");
    assert!(w.margin > 0.0 && w.rewards > 0.0 && w.investment > 0.0);
}

/// The first screen of the report: the year table with its start and total rows, the NPV
/// histogram and waterfall, the glossary, and the sentence on which liability is booked.
#[test]
fn the_report_opens_with_the_year_table_the_npv_charts_and_a_glossary() {
    let (run, files) = uncertain_run();
    let text = std::str::from_utf8(file(files, "report.html")).unwrap();
    let doc = Html::parse_document(text);
    let sel = |s: &str| Selector::parse(s).unwrap();
    let summary = doc.select(&sel("section#summary")).next().unwrap();
    let rows: Vec<String> = summary
        .select(&sel("table.years tr > :first-child"))
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(rows, ["", "Start (month 0)", "Year 1", "Total"]);
    for id in ["npv_histogram", "npv_waterfall"] {
        assert!(
            summary
                .select(&sel(&format!("figure#{id} svg")))
                .next()
                .is_some(),
            "{id}"
        );
        assert!(!file(files, &format!("{id}.png")).is_empty());
        assert!(!file(files, &format!("{id}.svg")).is_empty());
    }
    let glossary = summary.select(&sel(".glossary")).next().unwrap();
    let words: String = glossary.text().collect();
    for term in ["MC error", "pp", "band", "burn/earn"] {
        assert!(words.contains(term), "{term}");
    }
    let balance: String = doc
        .select(&sel("p.balance-sheet"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(balance.contains("IFRS 15 contract liability") && balance.contains("management view"));
    // The investment of the start row, rounded as the summary rounds it.
    let c = &run.scenario.finance.currency;
    assert!(
        summary
            .text()
            .any(|t| t == c.format_decimals(run.summary.metrics.investment.mean, 0))
    );
    // The appendix of assumptions comes after the method.
    let method = text.find("id=\"method\"").unwrap();
    let appendix = text.find("id=\"assumptions\"").unwrap();
    assert!(appendix > method);
}
