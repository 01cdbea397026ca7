//! Bad input: every file in `tests/bad/` states in `# expect:` lines what its message must
//! contain. Each must be refused by `validate` and by `run` with exit code 2, a message that
//! names the file (with line and column where the problem has one), and no output written.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

mod common;

fn bad_files() -> Vec<PathBuf> {
    common::toml_files("tests/bad")
}

fn expectations(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: ").map(str::to_string))
        .collect()
}

/// Runs `args` and checks the refusal: exit 2, the file named, each expected text present.
fn assert_refused(args: &[&str], file: &Path, expected: &[String]) -> String {
    let output = cargo_bin_cmd!("loyalty-sim")
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}: {stderr}",
        file.display()
    );
    assert!(
        output.stdout.is_empty(),
        "{}: printed a result",
        file.display()
    );
    let name = file.file_name().unwrap().to_string_lossy();
    for e in expected {
        assert!(
            stderr.contains(e.as_str()),
            "{name}: expected {e:?} in\n{stderr}"
        );
    }
    stderr
}

#[test]
fn every_bad_scenario_is_refused_with_its_message_and_no_output() {
    let files = bad_files();
    assert!(
        files.len() >= 30,
        "the corpus should cover at least 30 kinds of bad input"
    );
    for file in files {
        let expected = expectations(&file);
        assert!(
            !expected.is_empty(),
            "{} states no expectation",
            file.display()
        );
        let stderr = assert_refused(&["validate"], &file, &expected);
        // Every problem line is `file:line:column: ...`.
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let located = stderr
            .lines()
            .filter(|l| l.contains(&format!("{name}:")))
            .all(|l| {
                let rest = &l[l.find(&format!("{name}:")).unwrap() + name.len() + 1..];
                let mut parts = rest.splitn(3, ':');
                let line = parts.next().unwrap_or("");
                let col = parts.next().unwrap_or("");
                line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok()
            });
        assert!(
            located,
            "{name}: a problem without line and column:\n{stderr}"
        );

        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("run");
        let target_s = target.to_string_lossy().into_owned();
        assert_refused(
            &["run", "--no-charts", "--out", &target_s],
            &file,
            &expected,
        );
        assert!(
            !target.exists(),
            "{name}: output written for a bad scenario"
        );
    }
}

#[test]
fn a_binary_file_a_directory_and_a_missing_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, [0x7f, b'E', b'L', b'F', 0xff, 0xfe, 0x00, 0x01]).unwrap();
    assert_refused(
        &["validate"],
        &binary,
        &["not a text file".into(), "binary.toml".into()],
    );
    assert_refused(
        &["validate"],
        dir.path(),
        &["cannot read scenario file".into()],
    );
    let missing = dir.path().join("missing.toml");
    assert_refused(
        &["run"],
        &missing,
        &["cannot read scenario file".into(), "missing.toml".into()],
    );
}

#[test]
fn bad_arguments_exit_with_code_2() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/small_points.toml");
    for args in [
        vec!["run", "--threads", "0"],
        vec!["run", "--trials", "0"],
        vec!["run", "--seed", "minus-one"],
        vec!["run", "--no-such-flag"],
    ] {
        let output = cargo_bin_cmd!("loyalty-sim")
            .args(&args)
            .arg(&scenario)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

/// A valid scenario's text with `line` replaced by `with`.
fn small_with(line: &str, with: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/small_points.toml"),
    )
    .unwrap();
    assert!(text.contains(line), "{line}");
    text.replacen(line, with, 1)
}

fn validate_text(text: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    cargo_bin_cmd!("loyalty-sim")
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap()
}

#[test]
fn the_share_tolerance_is_the_same_either_way() {
    // small_points.toml's shares are 0.2, 0.25, … summing to 1; the true share moves by
    // 10⁻⁶ either way (accepted) or 2·10⁻⁶ (refused).
    for (share, accepted) in [
        ("0.199999", true),
        ("0.200001", true),
        ("0.199998", false),
        ("0.200002", false),
    ] {
        let out = validate_text(&small_with("share = 0.2\n", &format!("share = {share}\n")));
        assert_eq!(
            out.status.success(),
            accepted,
            "{share}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_huge_value_gives_a_short_message_and_deep_nesting_its_line() {
    // A 10 MB string where a number belongs: quoted short, its line cut.
    let huge = "x".repeat(10_000_000);
    let out = validate_text(&small_with(
        "gross_margin = 0.5",
        &format!("gross_margin = \"{huge}\""),
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.len() < 1_000, "{} bytes of message", stderr.len());
    assert!(stderr.contains("`finance.gross_margin`"), "{stderr}");
    assert!(stderr.contains("… (10000000 characters)"), "{stderr}");
    // A dotted key 5,000 levels deep on the last line: the parser gives up there.
    let mut text = small_with("seed = 99", "seed = 99");
    let line = text.lines().count() + 1;
    text.push_str(&"a.".repeat(5_000));
    text.push_str("b = 1\n");
    let out = validate_text(&text);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains(&format!("s.toml:{line}:1: TOML syntax")),
        "{stderr}"
    );
    assert!(stderr.len() < 1_000, "{} bytes of message", stderr.len());
}
