//! Every `loyalty-sim …` command shown in a code block of the README or of `docs/` is accepted
//! by the program: each is parsed by the program's own command-line definition (so a flag the
//! docs show and the program lacks fails here), and the cheap ones are run as written, in a
//! fresh folder holding the shipped scenarios and the test data, with 2 trials where they
//! simulate. The analyses that make many runs (compare, sweep, tornado, …), `serve`, `bench`
//! and `man --out` (which writes where it is told) are parsed only.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::path::Path;

mod common;

use assert_cmd::cargo_bin_cmd;
use clap::Parser;

/// The program's command-line definition, compiled from its own source (the binary's modules
/// are not part of the library, where clap does not belong).
#[path = "../src"]
#[allow(dead_code, unused_imports)]
mod program {
    pub mod cli;
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A command shown in the docs: where, and its words as the shell would pass them.
#[derive(Debug, Clone)]
struct Shown {
    /// `file:line` of its first line.
    place: String,
    /// `loyalty-sim` and its arguments.
    words: Vec<String>,
}

/// The `loyalty-sim …` lines of the fenced code blocks of `text` (a `$ ` prompt dropped, lines
/// continued with `\` joined), as shell words up to a comment, a pipe or a redirection.
fn commands(name: &str, text: &str) -> Vec<Shown> {
    let mut found = Vec::new();
    let mut in_block = false;
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let trimmed = trimmed.strip_prefix("$ ").unwrap_or(trimmed);
        if !in_block || !(trimmed == "loyalty-sim" || trimmed.starts_with("loyalty-sim ")) {
            continue;
        }
        let mut command = trimmed.to_string();
        while command.ends_with('\\') {
            command.pop();
            match lines.next() {
                Some((_, next)) => command.push_str(next.trim()),
                None => break,
            }
        }
        found.push(Shown {
            place: format!("{name}:{}", index + 1),
            words: shell_words(&command),
        });
    }
    found
}

/// `line` split into words as a shell does for these commands: quotes group and are removed,
/// a word starting with `#` ends the line, `|`, `>`, `<`, `&&` and `;` end the command, and a
/// variable is its default (`${TRIALS:-16000}` is 16000) or else 1.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '$') | (None, '$') => {
                let mut name = String::new();
                if chars.peek() == Some(&'{') {
                    chars.next();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        name.push(c);
                    }
                } else {
                    while let Some(&c) = chars.peek() {
                        if !(c.is_ascii_alphanumeric() || c == '_') {
                            break;
                        }
                        name.push(c);
                        chars.next();
                    }
                }
                word.push_str(name.split_once(":-").map_or("1", |(_, default)| default));
                started = true;
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, '#') if !started => break,
            (None, '|' | '>' | '<' | ';' | '&') if !started => break,
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// Every command shown in the docs.
fn shown() -> Vec<Shown> {
    common::doc_pages()
        .iter()
        .flat_map(|page| {
            let name = page.strip_prefix(repo()).unwrap().display().to_string();
            commands(&name, &std::fs::read_to_string(page).unwrap())
        })
        .collect()
}

/// Why the program's command-line definition refuses `words`, if it does (help and version
/// requests are accepted).
fn refused(words: &[String]) -> Option<String> {
    use clap::error::ErrorKind;
    match program::cli::Cli::try_parse_from(words) {
        Ok(_) => None,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => None,
        Err(e) => Some(e.to_string()),
    }
}

#[test]
fn every_command_in_the_docs_is_accepted_by_the_program() {
    let shown = shown();
    // The README's first steps, the command list, the cluster recipes, the deciding guide…
    assert!(shown.len() >= 40, "{} commands found", shown.len());
    let problems: Vec<String> = shown
        .iter()
        .filter_map(|s| refused(&s.words).map(|why| format!("{}: {:?}\n{why}", s.place, s.words)))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_flag_the_program_lacks_is_caught() {
    let page = "Text.\n\n```sh\n$ loyalty-sim run scenarios/coffee_points.toml --trails 20 \\\n    --seed 7   # a typo\nloyalty-sim validate x.toml | head\n```\n\nloyalty-sim run outside --a-block\n";
    let found = commands("made-up.md", page);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].place, "made-up.md:4");
    assert_eq!(
        found[0].words,
        [
            "loyalty-sim",
            "run",
            "scenarios/coffee_points.toml",
            "--trails",
            "20",
            "--seed",
            "7"
        ]
    );
    let why = refused(&found[0].words).expect("--trails is not a flag");
    assert!(why.contains("unexpected argument '--trails'"), "{why}");
    assert_eq!(found[1].words, ["loyalty-sim", "validate", "x.toml"]);
    assert_eq!(refused(&found[1].words), None);
    // A value the flag refuses is caught too, and a missing required argument.
    assert!(refused(&shell_words("loyalty-sim run x.toml --seed -1")).is_some());
    assert!(refused(&shell_words("loyalty-sim compare only_one.toml")).is_some());
}

#[test]
fn shell_words_are_split_as_the_shell_splits_them() {
    assert_eq!(
        shell_words(
            r#"loyalty-sim sweep a.toml --vary 'rewards[0].points=20..150' --trials "${TRIALS:-16000}" --threads "$CPUS" # comment"#
        ),
        [
            "loyalty-sim",
            "sweep",
            "a.toml",
            "--vary",
            "rewards[0].points=20..150",
            "--trials",
            "16000",
            "--threads",
            "1"
        ]
    );
    assert_eq!(
        shell_words("loyalty-sim schema > scenario.schema.json"),
        ["loyalty-sim", "schema"]
    );
}

/// A scratch folder that looks like the repository: the shipped scenarios and the test data.
fn fresh_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["scenarios", "tests"] {
        std::os::unix::fs::symlink(repo().join(name), dir.path().join(name)).unwrap();
    }
    dir
}

/// Subcommands that run in well under a second as written: they simulate nothing, or (`run`,
/// `learn`) simulate 2 trials; `calibrate` fits the CDNOW sample in a fraction of a second.
const CHEAP: [&str; 8] = [
    "validate",
    "schema",
    "init",
    "completions",
    "breakage",
    "calibrate",
    "run",
    "learn",
];

/// `words` with `flag`'s value set to `value` (replaced where given, added otherwise).
fn with(mut words: Vec<String>, flag: &str, value: &str) -> Vec<String> {
    match words.iter().position(|w| w == flag) {
        Some(at) if at + 1 < words.len() => words[at + 1] = value.to_string(),
        _ => words.extend([flag.to_string(), value.to_string()]),
    }
    words
}

/// The command made cheap: 2 trials (and 500 customers for a lesson), and for `run` only
/// summary.json unless the command chooses its files itself; the rest as written.
fn cheap(words: &[String], sub: &str) -> Vec<String> {
    let mut words = words.to_vec();
    let lesson = sub == "learn" && words.iter().skip(2).any(|w| !w.starts_with('-'));
    if sub == "run" || lesson {
        words = with(words, "--trials", "2");
    }
    if lesson {
        words = with(words, "--customers", "500");
    }
    let chooses = ["--formats", "--no-charts"];
    if sub == "run" && !words.iter().any(|w| chooses.contains(&w.as_str())) {
        words = with(words, "--formats", "json");
    }
    words
}

#[test]
fn the_cheap_commands_in_the_docs_run_as_written() {
    let mut ran = 0;
    // Page by page, in order, each in its own folder: a step may use what an earlier one wrote
    // (`init my_program.toml`, then `validate my_program.toml`).
    for page in common::doc_pages() {
        let name = page.strip_prefix(repo()).unwrap().display().to_string();
        let dir = fresh_folder();
        for s in commands(&name, &std::fs::read_to_string(&page).unwrap()) {
            let Some(sub) = s.words.iter().skip(1).find(|w| !w.starts_with('-')) else {
                continue;
            };
            // `breakage --write` edits a scenario of the reader's; that one is parsed only.
            if !CHEAP.contains(&sub.as_str()) || s.words.iter().any(|w| w == "--write") {
                continue;
            }
            let words = cheap(&s.words, sub);
            let output = cargo_bin_cmd!("loyalty-sim")
                .args(&words[1..])
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "{}: {:?} failed:\n{}",
                s.place,
                words,
                String::from_utf8_lossy(&output.stderr)
            );
            ran += 1;
        }
    }
    // init, validate, run and learn (README, commands.md), schema, completions ×2, breakage
    // ×2, calibrate and the run of what it wrote, the cluster's shards…
    assert!(ran >= 20, "{ran} commands ran");
}
