//! Classroom lessons: each runs (with few trials and customers here), writes its page, charts
//! and numbers, and tells a story whose numbers are the run's: another seed changes them,
//! while each lesson's conclusion still holds.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use assert_cmd::cargo::cargo_bin_cmd;
use loyalty_sim::learn::{Lesson, LessonOptions, LessonOutput, run_lesson};
use predicates::prelude::*;

fn small(seed: u64) -> LessonOptions {
    LessonOptions {
        trials: Some(4),
        customers: Some(3000),
        seed: Some(seed),
        threads: None,
        lever: None,
    }
}

fn fact(out: &LessonOutput, key: &str) -> f64 {
    out.facts
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no fact {key}"))
        .value
}

/// The conclusion each lesson draws, as inequalities between the numbers it quotes.
fn conclusion_holds(out: &LessonOutput) {
    let f = |k: &str| fact(out, k);
    match out.lesson {
        Lesson::Types => {
            // False loyalty follows the best offer and falls below its habit after the end;
            // true loyalty holds; the program grows latent customers more than true ones.
            assert!(f("promotion_reaction_false") < f("promotion_reaction_true"));
            assert!(f("after_program_false") < f("after_program_true"));
            assert!(f("after_program_false") < 0.0);
            assert!(f("program_effect_latent") > f("program_effect_true"));
        }
        Lesson::DiscountTrap => {
            assert!(f("revenue_growth_discount") > 0.0);
            assert!(f("margin_after_rewards_discount") < 0.0);
            assert!(f("npv_discount") < f("npv_points"));
            assert!(f("discount_share_true") > f("customer_share_true"));
            assert!(f("discount_on_purchases_anyway") > 0.5);
        }
        Lesson::Threshold => {
            assert!(f("breakage_too_high") > f("breakage_middle"));
            assert!(f("breakage_middle") > f("breakage_low"));
            assert!(f("reached_none_too_high") < f("reached_none_low"));
            assert!(f("incremental_revenue_too_high") < f("incremental_revenue_middle"));
        }
        Lesson::Rfm => {
            assert!(f("revenue_share_frequent_large") > f("customer_share_frequent_large"));
            assert!(f("revenue_share_rare_small") < f("customer_share_rare_small"));
            assert!(f("type_true_in_frequent_large") > f("type_true_in_rare_small"));
        }
    }
}

#[test]
fn every_lesson_quotes_its_run_and_another_seed_changes_the_numbers_not_the_lesson() {
    for lesson in Lesson::ALL {
        let a = run_lesson(lesson, &small(1)).unwrap();
        let b = run_lesson(lesson, &small(2)).unwrap();
        for out in [&a, &b] {
            let text = out.text();
            assert!(
                out.facts.len() >= 8,
                "{}: {} facts",
                lesson.name(),
                out.facts.len()
            );
            for f in &out.facts {
                assert!(
                    f.value.is_finite(),
                    "{}: {} = {}",
                    lesson.name(),
                    f.key,
                    f.value
                );
            }
            // Every number the conclusion quotes is one of the run's facts.
            let quoted = out
                .facts
                .iter()
                .filter(|f| out.conclusion.contains(&f.shown))
                .count();
            assert!(quoted >= 4, "{}: {}", lesson.name(), out.conclusion);
            assert!(text.contains(&out.conclusion[..40]));
            conclusion_holds(out);
        }
        // Another seed, other numbers, other text.
        let changed = a
            .facts
            .iter()
            .zip(&b.facts)
            .filter(|(x, y)| x.key == y.key && x.value != y.value)
            .count();
        assert!(
            changed * 2 > a.facts.len(),
            "{}: only {changed} of {} numbers changed with the seed",
            lesson.name(),
            a.facts.len()
        );
        assert_ne!(a.text(), b.text());
        // The same seed, the same numbers.
        let again = run_lesson(lesson, &small(1)).unwrap();
        assert_eq!(a.text(), again.text());
    }
}

#[test]
fn learn_lists_the_lessons_and_refuses_an_unknown_one() {
    let listed = cargo_bin_cmd!("loyalty-sim")
        .arg("learn")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&listed.get_output().stdout).into_owned();
    for lesson in Lesson::ALL {
        assert!(
            stdout.contains(lesson.name()) && stdout.contains(lesson.title()),
            "{stdout}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .args(["learn", "loyalty-ladder"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no lesson called `loyalty-ladder`; the lessons are: types, discount-trap, threshold, rfm",
        ));
    assert!(!dir.path().join("output").exists());
}

#[test]
fn each_lesson_writes_its_page_charts_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    for lesson in Lesson::ALL {
        let out = dir.path().join(lesson.name());
        cargo_bin_cmd!("loyalty-sim")
            .args([
                "learn",
                lesson.name(),
                "--trials",
                "3",
                "--customers",
                "2000",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success()
            .stdout(
                predicate::str::contains(lesson.title()).and(predicate::str::contains("In short")),
            )
            .stderr(predicate::str::contains("Wrote lesson.html"));
        let html = std::fs::read_to_string(out.join("lesson.html")).unwrap();
        assert!(html.contains(lesson.title()));
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("lesson.json")).unwrap()).unwrap();
        assert_eq!(json["provenance"]["lesson"], lesson.name());
        assert_eq!(json["provenance"]["trials"], 3);
        assert_eq!(json["provenance"]["customers"], 2000);
        let charts: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".png"))
            .collect();
        assert!(charts.len() >= 2, "{}: {charts:?}", lesson.name());
        // The page carries every chart inline.
        assert_eq!(
            html.matches("<svg").count(),
            charts.len(),
            "{}",
            lesson.name()
        );
        for png in &charts {
            let svg = png.replace(".png", ".svg");
            assert!(out.join(&svg).exists());
            let bytes = std::fs::read(out.join(png)).unwrap();
            assert_eq!(&bytes[1..4], b"PNG");
        }
    }
}
