//! The conventions of a well-kept command-line tool: completions and a manual page, `-q`,
//! `--json` on standard output, `Wrote` lines on standard error, suggestions for a mistyped
//! subcommand, plain words for `--out` naming a file and for `--seed -1`, `bench` from any
//! folder, a short answer for a file that is not a scenario, the licence files and a changelog.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use common::listing;
use predicates::prelude::*;

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_loyalty-sim"))
}

/// Standard output of a successful command, parsed as JSON.
fn stdout_json(output: &std::process::Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn file_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn bash_completion_loads_and_completes_the_subcommands() {
    let script = cargo_bin_cmd!("loyalty-sim")
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(script.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("loyalty-sim.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    // What bash does on TAB after `loyalty-sim r` and after `loyalty-sim c`: call the function
    // registered for the command, then read COMPREPLY.
    let complete = |words: &str| {
        let program = format!(
            r#"source {}
spec=$(complete -p loyalty-sim) || exit 3
fn=$(sed -E 's/.*-F ([^ ]+).*/\1/' <<<"$spec")
COMP_WORDS=({words}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="{words}"; COMP_POINT=${{#COMP_LINE}}
"$fn" loyalty-sim "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}" | sort"#,
            path.display()
        );
        let out = Command::new("bash")
            .args(["--norc", "-c", &program])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("loyalty-sim r"), "run\n");
    assert_eq!(
        complete("loyalty-sim c"),
        "calibrate\ncompare\ncompletions\n"
    );
    assert!(complete("loyalty-sim run --j").contains("--json"));

    for shell in ["zsh", "fish", "powershell", "elvish"] {
        cargo_bin_cmd!("loyalty-sim")
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("tornado").and(predicate::str::contains("calibrate")));
    }
    cargo_bin_cmd!("loyalty-sim")
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "possible values: bash, elvish, fish, powershell, zsh",
        ));
}

#[test]
fn the_manual_page_renders_with_man() {
    let dir = tempfile::tempdir().unwrap();
    let page = cargo_bin_cmd!("loyalty-sim").arg("man").output().unwrap();
    assert!(page.status.success());
    let path = dir.path().join("loyalty-sim.1");
    std::fs::write(&path, &page.stdout).unwrap();
    let man = Command::new("man")
        .args(["-P", "cat", "-l"])
        .arg(&path)
        .env("MANWIDTH", "100")
        .output()
        .expect("man (man-db) is installed");
    assert!(
        man.status.success(),
        "{}",
        String::from_utf8_lossy(&man.stderr)
    );
    let text = String::from_utf8_lossy(&man.stdout);
    for expected in [
        "NAME",
        "SYNOPSIS",
        "SUBCOMMANDS",
        "loyalty-sim-run(1)",
        "--quiet",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    // One page per command, into a folder.
    let pages = dir.path().join("pages");
    cargo_bin_cmd!("loyalty-sim")
        .arg("man")
        .arg("--out")
        .arg(&pages)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("Wrote loyalty-sim.1"));
    let run = Command::new("man")
        .args(["-P", "cat", "-l"])
        .arg(pages.join("loyalty-sim-run.1"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(
        text.contains("--trials") && text.contains("--json"),
        "{text}"
    );
}

#[test]
fn run_json_prints_summary_json_and_the_file_list_goes_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--trials", "3", "--no-charts", "--json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(stdout_json(&output), file_json(&out.join("summary.json")));
    // Byte for byte, too.
    let written = std::fs::read(out.join("summary.json")).unwrap();
    assert_eq!(output.stdout.trim_ascii_end(), written.trim_ascii_end());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("Wrote summary.json"), "{stderr}");

    // Without --json: the summary on stdout, every `Wrote` line on stderr.
    let output = cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--trials", "3", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stdout.contains("NPV at 10.0% a year"));
    assert!(!stdout.contains("Wrote"), "{stdout}");
    assert!(stderr.contains("Wrote summary.json"), "{stderr}");
}

#[test]
fn quiet_prints_nothing_on_success_and_still_writes_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    cargo_bin_cmd!("loyalty-sim")
        .arg("-q")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--trials", "2", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout("")
        .stderr("");
    assert!(out.join("summary.json").is_file());
    // After the subcommand too, and errors still speak.
    cargo_bin_cmd!("loyalty-sim")
        .args(["validate", "--quiet"])
        .arg(common::data("small_points.toml"))
        .assert()
        .success()
        .stdout("")
        .stderr("");
    cargo_bin_cmd!("loyalty-sim")
        .args(["run", "-q", "no-such.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read scenario file no-such.toml",
        ));
    // -q with --json: the JSON alone.
    let output = cargo_bin_cmd!("loyalty-sim")
        .args(["-q", "run"])
        .arg(common::data("small_points.toml"))
        .args(["--trials", "2", "--no-charts", "--json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(stdout_json(&output), file_json(&out.join("summary.json")));
    assert!(output.stderr.is_empty());
}

#[test]
fn the_decision_commands_print_their_json_file_with_json() {
    let dir = tempfile::tempdir().unwrap();
    let points = common::data("small_points.toml");
    let uncertain = common::data("small_uncertain.toml");
    let check = |args: &[&str], file: &str| {
        let out = dir.path().join(file.trim_end_matches(".json"));
        let output = Command::new(bin())
            .args(args)
            .args(["--json", "--no-charts", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(stdout_json(&output), file_json(&out.join(file)), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(&format!("Wrote {file}")), "{stderr}");
    };
    let p = points.to_str().unwrap();
    let u = uncertain.to_str().unwrap();
    check(&["compare", p, u, "--trials", "2"], "compare.json");
    check(
        &[
            "sweep",
            p,
            "--vary",
            "program.points.redemption_threshold=100..400",
            "--steps",
            "2",
            "--trials",
            "2",
        ],
        "sweep.json",
    );
    check(&["tornado", u, "--trials", "2"], "tornado.json");
}

#[test]
fn calibrate_json_prints_calibration_json() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("cdnow");
    let output = cargo_bin_cmd!("loyalty-sim")
        .arg("calibrate")
        .arg(common::data("cdnow/CDNOW_sample.txt"))
        .args(["--calibration-end", "1997-09-30", "--no-charts", "--json"])
        .arg("--out")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        stdout_json(&output),
        file_json(&report.join("calibration.json"))
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("scenario.toml"), "{stderr}");
}

#[test]
fn a_mistyped_subcommand_suggests_the_closest() {
    cargo_bin_cmd!("loyalty-sim")
        .arg("rn")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "tip: a similar subcommand exists: 'run'",
        ));
    cargo_bin_cmd!("loyalty-sim")
        .arg("valdate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'validate'"));
}

#[test]
fn a_negative_seed_is_explained() {
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--seed", "-1"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("a seed cannot be negative")
                .and(predicate::str::contains("from 0 to 18446744073709551615")),
        );
    cargo_bin_cmd!("loyalty-sim")
        .args(["tornado", "x.toml", "--seed=-7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a seed cannot be negative"));
}

#[test]
fn out_naming_a_file_is_explained_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--out", "results.json"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--out results.json: --out names a folder")
                .and(predicate::str::contains("--json")),
        );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn bench_works_from_any_folder_on_its_built_in_scenario() {
    let dir = tempfile::tempdir().unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .args([
            "bench",
            "--trials",
            "1",
            "--repeat",
            "1",
            "--customers",
            "200",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("benchmark: reference.toml")
                .and(predicate::str::contains("200 customers × 36 months")),
        );
    // The built-in copy is the shipped file.
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reference.toml"),
    )
    .unwrap();
    assert_eq!(loyalty_sim::bench::REFERENCE, shipped);
}

#[test]
fn a_file_that_is_not_a_scenario_gets_a_short_answer() {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let output = cargo_bin_cmd!("loyalty-sim")
        .arg("validate")
        .arg(&readme)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let total = loyalty_sim::scenario::load(&readme)
        .err()
        .map(|e| match e {
            loyalty_sim::scenario::LoadError::Invalid(e) => e.problems.len(),
            other => panic!("{other}"),
        })
        .unwrap();
    let shown = loyalty_sim::scenario::diagnostic::PROBLEMS_SHOWN;
    assert!(total > shown);
    assert!(
        stderr.contains(&format!(
            "…and {} more problems; is this a scenario file?",
            total - shown
        )),
        "{stderr}"
    );
    // Ten problems of three or four lines each, not thousands.
    assert!(stderr.lines().count() <= 4 * shown + 4, "{stderr}");
    // A scenario with a few mistakes is still told every one, without the question.
    let text = std::fs::read_to_string(common::data("small_points.toml"))
        .unwrap()
        .replace("[simulation]", "[simulation]\nbogus = 1");
    let path = tempfile::tempdir().unwrap();
    let file = path.path().join("typo.toml");
    std::fs::write(&file, text).unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("`simulation.bogus`")
                .and(predicate::str::contains("is this a scenario file").not()),
        );
}

#[test]
fn the_declared_licences_and_a_changelog_are_in_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    let mit = std::fs::read_to_string(root.join("LICENSE-MIT")).unwrap();
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = std::fs::read_to_string(root.join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(
        changelog.contains(&format!("## [{}]", env!("CARGO_PKG_VERSION"))),
        "CHANGELOG.md has no section for version {}",
        env!("CARGO_PKG_VERSION")
    );
}

#[test]
fn help_and_errors_list_the_metric_names() {
    let names = loyalty_sim::metrics::finance::TrialMetrics::NAMES;
    for command in ["sweep", "tornado"] {
        let help = cargo_bin_cmd!("loyalty-sim")
            .args([command, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        for name in names {
            assert!(help.contains(name), "{command} --help lacks {name}");
        }
    }
    cargo_bin_cmd!("loyalty-sim")
        .arg("tornado")
        .arg(common::data("small_uncertain.toml"))
        .args(["--metric", "nvp"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("invalid value 'nvp' for '--metric <METRIC>'")
                .and(predicate::str::contains("[possible values: npv, roi,"))
                .and(predicate::str::contains("liability_end")),
        );
}

#[test]
fn merge_refuses_leftover_parts_of_an_earlier_split() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::data("small_points.toml"),
        dir.path().join("shop.toml"),
    )
    .unwrap();
    let shard = |index: u32, count: u32| {
        cargo_bin_cmd!("loyalty-sim")
            .current_dir(dir.path())
            .args(["-q", "run", "shop.toml", "--trials", "6", "--shard-index"])
            .arg(index.to_string())
            .arg("--shard-count")
            .arg(count.to_string())
            .assert()
            .success();
    };
    // An earlier split in two, then this one in three, into the same folder.
    shard(0, 2);
    shard(1, 2);
    for i in 0..3 {
        shard(i, 3);
    }
    let parts = dir.path().join("output/shop-parts");
    let mut all: Vec<_> = std::fs::read_dir(&parts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    all.sort();
    assert_eq!(all.len(), 5);
    cargo_bin_cmd!("loyalty-sim")
        .arg("merge")
        .args(&all)
        .args(["--no-charts", "--out"])
        .arg(dir.path().join("merged"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("part-0-of-2/part.json is one of 2 shards")
                .and(predicate::str::contains("part-0-of-3/part.json is one of 3"))
                .and(predicate::str::contains(
                    "two different splits (an earlier split's parts left beside this one's?); merge the parts of one split (part-*-of-2 or part-*-of-3)",
                )),
        );
    assert!(!dir.path().join("merged").exists());
    // The parts of one split merge, into what a single run writes.
    let three: Vec<_> = all
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("-of-3"))
        .collect();
    cargo_bin_cmd!("loyalty-sim")
        .arg("-q")
        .arg("merge")
        .args(&three)
        .args(["--no-charts", "--out"])
        .arg(dir.path().join("merged"))
        .assert()
        .success();
    cargo_bin_cmd!("loyalty-sim")
        .current_dir(dir.path())
        .args([
            "-q",
            "run",
            "shop.toml",
            "--trials",
            "6",
            "--no-charts",
            "--out",
            "single",
        ])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("merged/summary.json")).unwrap(),
        std::fs::read(dir.path().join("single/summary.json")).unwrap()
    );
}

#[test]
fn a_long_analysis_shows_that_it_works_on_a_terminal() {
    // `script` gives the command a terminal, as a person at a shell has; the spinner is drawn
    // on it (standard error) while the tornado runs, and cleared before the text.
    let dir = tempfile::tempdir().unwrap();
    let command = |quiet: &str| {
        format!(
            "{} {quiet} tornado {} --trials 4 --no-charts --out {}",
            bin().display(),
            common::data("small_uncertain.toml").display(),
            dir.path().join("t").display()
        )
    };
    let shown = Command::new("script")
        .args(["-qec", &command(""), "/dev/null"])
        .output()
        .expect("script (util-linux) is installed");
    assert!(shown.status.success());
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("tornado: working…"), "{text}");
    assert!(text.contains("What drives NPV"), "{text}");
    let quiet = Command::new("script")
        .args(["-qec", &command("-q"), "/dev/null"])
        .output()
        .unwrap();
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stdout), "");
}

#[test]
fn formats_chooses_the_kinds_of_file_a_run_writes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |out: &Path, extra: &[&str]| {
        cargo_bin_cmd!("loyalty-sim")
            .arg("-q")
            .arg("run")
            .arg(common::data("small_points.toml"))
            .args(["--trials", "3", "--out"])
            .arg(out)
            .args(extra)
            .assert()
            .success();
    };
    let all = dir.path().join("all");
    run(&all, &[]);
    let chosen = dir.path().join("chosen");
    run(&chosen, &["--formats", "html,csv"]);
    assert_eq!(
        listing(&chosen),
        [
            "manifest.json",
            "monthly.csv",
            "monthly_by_type.csv",
            "report.html",
            "rfm_groups.csv",
            "trials.csv"
        ]
    );
    // Each file chosen is the one a full run writes, byte for byte.
    for name in ["monthly.csv", "trials.csv", "report.html"] {
        assert_eq!(
            std::fs::read(chosen.join(name)).unwrap(),
            std::fs::read(all.join(name)).unwrap(),
            "{name}"
        );
    }
    let charts = dir.path().join("charts");
    run(&charts, &["--formats", "charts,xlsx"]);
    let names = listing(&charts);
    assert!(names.contains(&"cash_flow.png".to_string()), "{names:?}");
    assert!(names.contains(&"cash_flow.svg".to_string()), "{names:?}");
    assert!(names.contains(&"workbook.xlsx".to_string()), "{names:?}");
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".csv") || n == "summary.json" || n == "report.html"),
        "{names:?}"
    );

    // A name it does not know is refused with the valid ones; --json needs json.
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--formats", "csv,pdf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown format `pdf`; valid: csv, json, charts, html, xlsx",
        ));
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(common::data("small_points.toml"))
        .args(["--formats", "csv", "--json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add json to the list"));
}

#[test]
fn formats_chooses_the_kinds_of_file_each_analysis_writes() {
    let dir = tempfile::tempdir().unwrap();
    let points = common::data("small_points.toml");
    let uncertain = common::data("small_uncertain.toml");
    let points = points.to_str().unwrap();
    let uncertain = uncertain.to_str().unwrap();
    let threshold = "program.points.redemption_threshold=50..400";
    // Each analysis as cheap as it goes, and a list of kinds to keep.
    let analyses: [(&str, Vec<&str>, &str); 5] = [
        (
            "compare",
            vec![points, uncertain, "--trials", "2"],
            "csv,charts",
        ),
        (
            "sweep",
            vec![points, "--vary", threshold, "--steps", "2", "--trials", "2"],
            "json",
        ),
        (
            "optimise",
            vec![
                points, "--vary", threshold, "--step", "175", "--trials", "2",
            ],
            "charts,json",
        ),
        ("tornado", vec![uncertain, "--trials", "2"], "csv"),
        (
            "learn",
            vec!["types", "--trials", "2", "--customers", "500"],
            "html",
        ),
    ];
    for (command, args, kinds) in analyses {
        let run = |out: &Path, extra: &[&str]| {
            cargo_bin_cmd!("loyalty-sim")
                .args(["-q", command])
                .args(&args)
                .args(extra)
                .arg("--out")
                .arg(out)
                .assert()
                .success();
        };
        let all = dir.path().join(format!("{command}-all"));
        run(&all, &[]);
        let chosen = dir.path().join(format!("{command}-chosen"));
        run(&chosen, &["--formats", kinds]);
        let kept = |name: &str| {
            let kind = match name.rsplit_once('.').unwrap().1 {
                "png" | "svg" => "charts",
                other => other,
            };
            name == "manifest.json" || kinds.split(',').any(|k| k == kind)
        };
        let expected: Vec<String> = listing(&all).into_iter().filter(|n| kept(n)).collect();
        assert_eq!(listing(&chosen), expected, "{command} --formats {kinds}");
        assert!(
            expected.len() > 1,
            "{command} --formats {kinds}: {expected:?}"
        );
        // Each file chosen is the one the full command writes, byte for byte.
        for name in expected.iter().filter(|n| *n != "manifest.json") {
            assert_eq!(
                std::fs::read(chosen.join(name)).unwrap(),
                std::fs::read(all.join(name)).unwrap(),
                "{command}: {name}"
            );
        }
    }

    // A kind the command does not write is refused before any work, naming those it writes;
    // --json needs json.
    cargo_bin_cmd!("loyalty-sim")
        .args(["breakeven", points, "--formats", "csv,html"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--formats csv,html: breakeven writes no html files; it writes csv, json, charts",
        ));
    cargo_bin_cmd!("loyalty-sim")
        .args(["tornado", uncertain, "--formats", "csv", "--json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--json prints tornado.json, which --formats leaves out: add json to the list",
        ));
    cargo_bin_cmd!("loyalty-sim")
        .args(["learn", "types", "--formats", "xlsx"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("learn writes no xlsx files"));
}
