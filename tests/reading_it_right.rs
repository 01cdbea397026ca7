//! What a new reader found hard to read right, one test per point: the payback chance's
//! interval, ROI's precision near zero and reachable `--precision` targets, how `compare`
//! counts ties, the sweep's payback axis and its end-of-range warning, money in the ± column,
//! the charts' font (carried in their SVGs), the glossary under the summary and the year table's rounding. Small
//! scenarios, few trials; every expected value is worked out by hand in a comment.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::decide::compare::compare;
use loyalty_sim::decide::sweep::{Axis, Sweep, SweepPoint};
use loyalty_sim::metrics::finance::{Goal, TrialMetrics};
use loyalty_sim::metrics::stats::Stats;
use loyalty_sim::metrics::summary::{Metrics, precision_diagnostics};
use loyalty_sim::money::Currency;
use loyalty_sim::report::console::{
    GLOSSARY, Row, Unit, chance_error, money_place, show_at, summary_text,
};
use loyalty_sim::report::decisions::{Provenance, sweep_files, sweep_text};
use loyalty_sim::{RunOptions, RunOutput, run, scenario};
use scraper::{Html, Selector};

fn eur() -> Currency {
    Currency {
        code: "EUR".into(),
        symbol: "€".into(),
    }
}

/// small_points at 1,500 customers over 6 months, 5 trials: no trial pays back.
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

/// Item 1 of the list: the payback chance shows its interval and no "± 0.0 pp" when no trial (or every trial)
/// pays back.
#[test]
fn a_payback_chance_of_none_shows_its_interval_and_no_zero_error() {
    assert_eq!(chance_error(0.0), "");
    // √(0.3 × 0.7 / 100) = 0.0458: 4.6 points.
    assert_eq!(chance_error((0.3f64 * 0.7 / 100.0).sqrt()), "± 4.6 pp");
    let run = small_run();
    assert_eq!(run.summary.metrics.payback_month.trials_within_horizon, 0);
    let text = summary_text(&run);
    let line = text
        .lines()
        .find(|l| l.contains("Chance of payback within 6 months"))
        .unwrap();
    // Wilson's upper bound for 0 of 5: z²/(n + z²) = 3.8416/8.8416 = 43.4%.
    assert!(line.ends_with("95% interval 0.0% … 43.4%"), "{line:?}");
    assert!(!text.contains("± 0.0 pp"), "{text}");
    // The sweep's table: a point where every trial pays back shows no error.
    let mut all = sweep_of(&[0.01, 0.02], 0, &[1.0, 0.5]);
    all.points[0].payback_probability_sem = 0.0;
    let table = sweep_text(&all, &eur(), &Provenance::of(&[], 1, 100));
    assert!(!table.contains("± 0.0 pp"), "{table}");
    assert!(table.contains("± 1.0 pp"), "{table}");
}

fn metrics_with(roi: &[f64], npv: &[f64]) -> Metrics {
    let trials: Vec<TrialMetrics> = roi
        .iter()
        .zip(npv)
        .enumerate()
        .map(|(i, (&roi, &npv))| TrialMetrics {
            trial: i as u64,
            npv,
            roi,
            incremental_revenue: 1_000.0,
            liability_end: 10.0,
            payback_month: Some(3),
            ..TrialMetrics::default()
        })
        .collect();
    Metrics::of(&trials)
}

/// The `--precision` target and the trials a diagnostic suggests: ("npv", "5%", 100).
fn suggestion(message: &str) -> (String, String, f64) {
    let rest = message.split("--precision ").nth(1).unwrap();
    let (target, rest) = rest.split_once(", about ").unwrap();
    let (key, value) = target.split_once('=').unwrap();
    let trials: f64 = rest.split(' ').next().unwrap().parse().unwrap();
    (key.to_string(), value.to_string(), trials)
}

/// Item 2 of the list: rOI's precision is judged in absolute terms near zero, and the target `--precision`
/// is suggested with can be met by the number of trials it names.
#[test]
fn roi_near_zero_is_judged_in_points_and_suggested_targets_can_be_met() {
    let flat_npv = [99.0, 100.0, 101.0];
    // ROI 0.2%, 0.4%, 0.6%: mean 0.4%, sd 0.2 pp, half-width 1.96 × 0.2/√3 = 0.23 pp — known
    // well enough, though it is 57% of a mean so near zero.
    let narrow = precision_diagnostics(&metrics_with(&[0.002, 0.004, 0.006], &flat_npv), 3);
    assert!(
        !narrow.iter().any(|d| d.message.contains("ROI")),
        "{narrow:?}"
    );
    // ROI −1%, 0%, 1%, 2%: sd √(0.0005/3) = 1.291 pp, half-width 1.96 × 1.291/2 = 1.27 pp,
    // above the ±1 pp allowed near zero. The target: half of it, one figure down, 0.006
    // (±0.6 pp), absolute since a share of a mean near zero may never be reached; trials
    // 4 × (1.265/0.6)² = 17.8, rounded up to a hundred.
    let wide = precision_diagnostics(
        &metrics_with(&[-0.01, 0.0, 0.01, 0.02], &[99.0, 100.0, 101.0, 100.0]),
        4,
    );
    let roi = wide.iter().find(|d| d.message.contains("ROI")).unwrap();
    assert!(roi.message.contains("±1.3 pp"), "{}", roi.message);
    assert_eq!(
        suggestion(&roi.message),
        ("roi".into(), "0.006".into(), 100.0)
    );
    // NPV −100, 50, 200: sd 150, half-width 1.96 × 150/√3 = 169.7 on both sides of zero; 5% of
    // a mean that may be zero can never be met, so the target is absolute: 80 (half of 169.7,
    // one figure down), in 3 × (169.7/80)² = 13.5 → 100 trials.
    let open = precision_diagnostics(&metrics_with(&[0.5; 3], &[-100.0, 50.0, 200.0]), 3);
    let npv = open.iter().find(|d| d.message.contains("NPV")).unwrap();
    assert_eq!(suggestion(&npv.message), ("npv".into(), "80".into(), 100.0));
    // NPV 90, 100, 110: half-width 11.3 away from zero: 5% of the mean (±5) in
    // 3 × (11.3/5)² = 15.4 → 100 trials.
    let away = precision_diagnostics(&metrics_with(&[0.5; 3], &[90.0, 100.0, 110.0]), 3);
    let npv = away.iter().find(|d| d.message.contains("NPV")).unwrap();
    assert_eq!(suggestion(&npv.message), ("npv".into(), "5%".into(), 100.0));
    // Each target is met at the trials named, the half-width shrinking as 1/√trials.
    for (half, n, target, trials) in [
        (
            1.96 * (0.0005f64 / 3.0).sqrt() / 2.0,
            4.0_f64,
            0.006,
            100.0_f64,
        ),
        (1.96 * 150.0 / 3f64.sqrt(), 3.0, 80.0, 100.0),
        (1.96 * 10.0 / 3f64.sqrt(), 3.0, 5.0, 100.0_f64),
    ] {
        assert!(half * (n / trials).sqrt() <= target);
    }
}

/// Item 3 of the list: `compare` says how ties count: a design compared with itself ties in every trial and is
/// best alone in none, as it beats the other in none.
#[test]
fn a_design_compared_with_itself_is_best_in_no_trial_and_tied_in_every_one() {
    let file = common::reduced(&common::data("small_points.toml"), 500, 12);
    let out = compare(
        &[file.clone(), file],
        &RunOptions {
            trials: Some(4),
            ..RunOptions::default()
        },
    )
    .unwrap();
    let cmp = &out.comparison;
    assert_eq!(cmp.beats_on_npv[0][1], 0.0);
    assert_eq!(cmp.best_alone_on_npv, [0.0, 0.0]);
    assert_eq!(cmp.tied_best_on_npv, [1.0, 1.0]);
    let text = loyalty_sim::report::decisions::compare_text(&out, &Provenance::of(&[], 1, 4));
    assert!(
        text.contains("a tie at the top is counted apart as tied"),
        "{text}"
    );
    assert!(
        text.contains("best on NPV in 0.0% of trials (tied in 100.0%)"),
        "{text}"
    );
}

fn stats(mean: f64) -> Stats {
    Stats {
        mean,
        sd: Some(1.0),
        sem: Some(0.1),
        ci95: Some([mean - 0.2, mean + 0.2]),
        p5: mean - 1.0,
        p50: mean,
        p95: mean + 1.0,
    }
}

/// A one-axis sweep over `values` whose best point is `best`, with payback chances `chance`.
fn sweep_of(values: &[f64], best: usize, chance: &[f64]) -> Sweep {
    Sweep {
        axes: vec![Axis {
            path: "program.points.earn_rate".into(),
            values: values.to_vec(),
        }],
        metric: "npv".into(),
        goal: Goal::Maximize,
        points: values
            .iter()
            .zip(chance)
            .enumerate()
            .map(|(i, (&v, &p))| SweepPoint {
                at: vec![v],
                metric: stats(if i == best { 1_000.0 } else { 0.0 }),
                npv: stats(if i == best { 1_000.0 } else { 0.0 }),
                payback_probability: p,
                payback_probability_sem: 0.01,
                payback_probability_ci95: [(p - 0.04).max(0.0), (p + 0.04).min(1.0)],
                liability_end: stats(500.0),
            })
            .collect(),
        best,
        as_good_as_best: vec![best],
        trials: 100,
    }
}

const AT_THE_END: &str = "is at the end of the range swept";

/// Item 5 of the list: the end-of-range warning: only when the best is the first or last value, and also
/// with two steps.
#[test]
fn the_end_of_range_warning_comes_only_when_the_best_is_at_an_end() {
    let p = Provenance::of(&[], 1, 100);
    let c = eur();
    let text = |values: &[f64], best: usize| {
        sweep_text(&sweep_of(values, best, &vec![0.5; values.len()]), &c, &p)
    };
    assert!(!text(&[0.01, 0.02, 0.03], 1).contains(AT_THE_END));
    assert!(text(&[0.01, 0.02, 0.03], 2).contains(AT_THE_END));
    assert!(text(&[0.01, 0.02, 0.03], 0).contains(AT_THE_END));
    // Two steps: the best is at an end whichever it is.
    assert!(text(&[0.01, 0.02], 0).contains(AT_THE_END));
    assert!(text(&[0.01, 0.02], 1).contains(AT_THE_END));
}

/// The texts of an SVG chart, trimmed.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .filter_map(|t| {
            Some(
                t.split_once('>')?
                    .1
                    .split_once("</text>")?
                    .0
                    .trim()
                    .to_string(),
            )
        })
        .collect()
}

/// The numbers of an SVG chart's labels that end in `%`.
fn percent_labels(svg: &str) -> Vec<String> {
    texts(svg)
        .into_iter()
        .filter_map(|t| t.strip_suffix('%').map(str::to_string))
        .filter(|n| n.parse::<f64>().is_ok())
        .collect()
}

/// Item 4 of the list: the sweep's payback axis stops at 100% and labels its steps with enough decimals.
#[test]
fn the_sweeps_payback_axis_stops_at_100_percent_and_its_labels_differ() {
    let p = Provenance::of(&[], 1, 100);
    let svg = |chance: &[f64]| {
        let files = sweep_files(&sweep_of(&[0.01, 0.02, 0.03], 1, chance), &eur(), &p).unwrap();
        let (_, bytes) = files
            .into_iter()
            .map(|f| f.into_pair())
            .find(|(n, _)| n == "sweep_payback.svg")
            .unwrap();
        String::from_utf8(bytes).unwrap()
    };
    // Chances up to 100% (intervals reach 100%): no label above 100%.
    let labels = percent_labels(&svg(&[0.9, 1.0, 1.0]));
    assert!(labels.len() >= 3, "{labels:?}");
    for l in &labels {
        assert!(l.parse::<f64>().unwrap() <= 100.0, "{labels:?}");
    }
    // Chances within a few points of each other (97.0% … 97.6%, intervals ±4 points): steps
    // of a point or less, each label different from the next.
    let labels = percent_labels(&svg(&[0.970, 0.973, 0.976]));
    let mut distinct = labels.clone();
    distinct.dedup();
    assert_eq!(distinct, labels, "{labels:?}");
    // And the sweep's axis of earn rates (0.01 … 0.03) reads as such, not 0, 0, 0.
    let all = svg(&[0.5, 0.5, 0.5]);
    let labels = texts(&all);
    assert!(labels.iter().any(|t| t == "0.02"), "{labels:?}");
}

/// Item 6 of the list: money in the ± column: whole currency units beside large amounts, the value to the
/// same place as its error (the expected shortfall's row as the others).
#[test]
fn the_expected_shortfall_and_its_error_are_rounded_as_the_other_rows() {
    let run = small_run();
    let d = &run.summary.downside;
    let sem = d.npv_expected_shortfall_5_sem.unwrap();
    let section = loyalty_sim::report::downside::section(&run);
    let Some(Row::Text { value, error, .. }) = section
        .rows
        .iter()
        .find(|r| matches!(r, Row::Text { label, .. } if label.starts_with("Expected shortfall")))
    else {
        panic!("no expected shortfall row");
    };
    // Whole euros beside an amount of thousands: no cents in the error.
    assert!(d.npv_expected_shortfall_5.abs() >= 100.0);
    assert!(!error.contains('.'), "{error}");
    let place = money_place(sem, d.npv_expected_shortfall_5.abs()).unwrap();
    assert_eq!(
        *error,
        format!("± {}", show_at(sem, Unit::Money, &eur(), place))
    );
    assert_eq!(
        *value,
        show_at(d.npv_expected_shortfall_5, Unit::Money, &eur(), place)
    );
    // The summary rows' rule, by hand: ±€22.18 beside €45,859 is ±€22, €679 is €700.
    assert_eq!(
        show_at(
            22.18,
            Unit::Money,
            &eur(),
            money_place(22.18, 45_859.0).unwrap()
        ),
        "€22"
    );
    assert_eq!(
        show_at(
            679.0,
            Unit::Money,
            &eur(),
            money_place(679.0, 18_660.0).unwrap()
        ),
        "€700"
    );
}

/// The fonts a chart SVG or a page declares in its `@font-face` rules: (family, weight, the
/// font's bytes decoded from the `data:` URL).
fn embedded_fonts(text: &str) -> Vec<(String, String, Vec<u8>)> {
    use base64::Engine as _;
    let value = |rule: &str, key: &str, end: char| {
        let start = rule.find(key).unwrap() + key.len();
        rule[start..][..rule[start..].find(end).unwrap()].to_string()
    };
    text.split("@font-face{")
        .skip(1)
        .map(|rule| {
            let data = value(rule, "base64,", ')');
            (
                value(rule, "font-family:'", '\''),
                value(rule, "font-weight:", ';'),
                base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .unwrap(),
            )
        })
        .collect()
}

/// The characters of the `<text>` elements of `svg` (all SVGs of a page together), by
/// weight: (regular, bold).
fn text_characters(svg: &str) -> (String, String) {
    let doc = Html::parse_fragment(svg);
    let (mut regular, mut bold) = (String::new(), String::new());
    for t in doc.select(&Selector::parse("text").unwrap()) {
        let chars: String = t.text().collect::<String>().trim().to_string();
        if t.value().attr("font-weight") == Some("bold") {
            bold.push_str(&chars);
        } else {
            regular.push_str(&chars);
        }
    }
    (regular, bold)
}

/// Every character of `text` has a glyph (other than .notdef) in `font`.
fn assert_covers(font: &[u8], text: &str, what: &str) {
    let face = ttf_parser::Face::parse(font, 0).unwrap();
    for c in text.chars() {
        let glyph = face.glyph_index(c);
        assert!(
            glyph.is_some_and(|g| g.0 != 0),
            "{what}: {c:?} has no glyph in the embedded font"
        );
    }
}

/// Item 7 of the list: each SVG chart carries its font, a subset of DejaVu Sans (the PNGs'
/// font, shipped with the program) holding a glyph for every character of its text, under a
/// family of the program's own named first, so a viewer without DejaVu Sans draws the labels
/// as the PNG shows them.
#[test]
fn the_svg_charts_carry_their_font() {
    let run = small_run();
    for figure in loyalty_sim::report::figures::run_figures(&run) {
        let svg = figure.svg().unwrap();
        let name = figure.name;
        assert!(!svg.contains("font-family=\"sans-serif\""), "{name}");
        let fonts = embedded_fonts(&svg);
        // The charts of a run draw their title in bold only where they have one; every chart
        // has regular text (axes, footer).
        let (regular, bold) = text_characters(&svg);
        assert!(regular.contains('0'), "{name}: {regular}");
        let font = |weight: &str| {
            fonts
                .iter()
                .find(|(_, w, _)| w == weight)
                .map(|(family, _, bytes)| (family.clone(), bytes.clone()))
        };
        let (family, bytes) = font("normal").unwrap();
        // Named first, before an installed DejaVu Sans and the generic family.
        assert!(family.starts_with("loyalty-sim DejaVu Sans "), "{family}");
        assert!(
            svg.contains(&format!(
                "font-family=\"'{family}', 'DejaVu Sans', sans-serif\""
            )),
            "{name}"
        );
        assert_covers(&bytes, &regular, name);
        // The full DejaVu Sans is 759,720 bytes; a chart's few dozen glyphs, far less.
        assert!(bytes.len() < 60_000, "{name}: {} bytes", bytes.len());
        if bold.is_empty() {
            assert!(font("bold").is_none(), "{name}");
        } else {
            let (bold_family, bytes) = font("bold").unwrap();
            assert_eq!(bold_family, family);
            assert_covers(&bytes, &bold, name);
            assert!(bytes.len() < 60_000, "{name}: {} bytes", bytes.len());
        }
    }
}

/// The report carries the charts' font once, for all of them: one subset per weight in its
/// head, covering every chart's text, and no chart inline repeats it.
#[test]
fn the_report_carries_the_charts_font_once() {
    let files = loyalty_sim::report::render_all(&small_run(), true).unwrap();
    let html = files
        .iter()
        .find(|(name, _)| name == "report.html")
        .map(|(_, bytes)| String::from_utf8(bytes.clone()).unwrap())
        .unwrap();
    let fonts = embedded_fonts(&html);
    let weights: Vec<&str> = fonts.iter().map(|(_, w, _)| w.as_str()).collect();
    assert!(
        weights == ["normal"] || weights == ["normal", "bold"],
        "{weights:?}"
    );
    assert_eq!(html.matches("@font-face").count(), fonts.len());
    for (family, _, _) in &fonts {
        assert_eq!(family, "loyalty-sim DejaVu Sans");
    }
    let (regular, bold) = text_characters(&html);
    assert_covers(&fonts[0].2, &regular, "report.html");
    if let Some((_, _, bytes)) = fonts.get(1) {
        assert_covers(bytes, &bold, "report.html");
    }
    // Each chart inline names the page's family first.
    let charts = html.matches("<svg").count();
    assert!(charts >= 5, "{charts} charts");
    let named = "font-family=\"'loyalty-sim DejaVu Sans', 'DejaVu Sans', sans-serif\"";
    assert_eq!(
        html.matches("<text").count(),
        html.matches(named).count(),
        "every text names the page's font"
    );
}

/// Item 8 of the list: a one-line glossary under the printed summary, naming MC error, pp, band and burn/earn.
#[test]
fn the_printed_summary_ends_with_a_one_line_glossary() {
    let text = summary_text(&small_run());
    let line = text
        .lines()
        .find(|l| l.starts_with("Glossary:"))
        .unwrap_or_else(|| panic!("no glossary in\n{text}"));
    assert_eq!(line, GLOSSARY);
    for term in ["MC error", "pp", "band", "burn/earn"] {
        assert!(line.contains(term), "{term}");
    }
    // Under the tables: after the last section's rows, before the warnings.
    let glossary = text.find("Glossary:").unwrap();
    assert!(glossary > text.find("What the program owes").unwrap());
    if let Some(warnings) = text.find("\nWarnings\n") {
        assert!(glossary < warnings);
    }
}

/// The year table's money columns share one rounding place: the coarsest any column's total's
/// Monte Carlo error supports, so the running costs (known almost exactly) are not shown to the
/// euro beside revenue rounded to the hundred.
#[test]
fn the_year_tables_money_columns_share_one_rounding_place() {
    let run = small_run();
    let m = &run.summary.metrics;
    let html = loyalty_sim::report::html::report(&run, &[]).unwrap();
    let doc = Html::parse_document(&html);
    let cell = Selector::parse("table.years td.num, table.years tfoot th.num").unwrap();
    let cells: Vec<String> = doc
        .select(&cell)
        .map(|e| e.text().collect::<String>())
        .filter(|t| !t.is_empty())
        .collect();
    assert!(cells.len() > 10, "{cells:?}");
    // The coarsest place: the incremental revenue's error (±€700 in the summary) rounds to
    // the hundred; the program cost's (±€3) would round to the euro.
    let place = |s: &Stats| money_place(s.sem.unwrap(), s.mean.abs().max(100.0)).unwrap();
    assert_eq!(place(&m.incremental_revenue), 2);
    assert_eq!(place(&m.program_cost), 0);
    for c in &cells {
        let euros: f64 = c.replace(['€', ','], "").parse().unwrap();
        assert_eq!(
            euros % 100.0,
            0.0,
            "{c} is not rounded to the hundred in {cells:?}"
        );
    }
}

/// Item 9 of the list: the report says which liability goes on the balance sheet and why the other is shown.
#[test]
fn the_report_says_which_liability_is_booked_and_why_the_other_is_shown() {
    let html = loyalty_sim::report::html::report(&small_run(), &[]).unwrap();
    let doc = Html::parse_document(&html);
    let sentence: String = doc
        .select(&Selector::parse("p.balance-sheet").unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(sentence.contains("On the balance sheet goes the IFRS 15 contract liability"));
    assert!(sentence.contains("is not booked") && sentence.contains("management view"));
}
