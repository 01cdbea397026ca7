//! The conventions people expect of a command-line tool: data on standard output, messages and
//! the list of files written on standard error, `-q` for silence, `--json` for the same content
//! as the JSON file, shell completions and a manual page generated from the clap definition,
//! the closest subcommand suggested for a mistyped one, and plain words for `--out` naming a file
//! or a negative `--seed`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, Parser};
use indicatif::ProgressDrawTarget;

use loyalty_sim::Error;

use super::Cli;

/// `-q`: nothing but errors (and what `--json` asks for).
static QUIET: AtomicBool = AtomicBool::new(false);
/// `--json`: standard output carries the JSON file, not the text.
static JSON: AtomicBool = AtomicBool::new(false);

/// Sets `-q` for the rest of the process.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Sets `--json` for the rest of the process.
pub fn set_json(json: bool) {
    JSON.store(json, Ordering::Relaxed);
}

/// Whether `-q` was given.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Whether the text meant for standard output is to be left out: under `-q`, and under `--json`,
/// where standard output carries the JSON alone so that it parses.
pub fn text_hidden() -> bool {
    quiet() || JSON.load(Ordering::Relaxed)
}

/// Where the progress bar draws: standard error, or nowhere under `-q`.
pub fn progress_target() -> ProgressDrawTarget {
    if quiet() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    }
}

/// A spinner with the elapsed time on standard error while a command that makes many runs
/// works (`tornado: working… 0:23`), so a long analysis is not silent; hidden under `-q` and
/// when standard error is not a terminal. Clear it with `finish_and_clear`.
pub fn working(what: &str) -> indicatif::ProgressBar {
    let spinner = indicatif::ProgressBar::with_draw_target(None, progress_target());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        spinner.set_style(style);
    }
    spinner.set_message(format!("{what}: working…"));
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    spinner
}

/// A spinner naming the phase a long command is in (`calibrate: fitting the models… 0:04`) on
/// standard error, hidden as [`working`]'s is; cleared when dropped, so an error leaves no
/// spinner line behind.
pub struct Phases {
    spinner: indicatif::ProgressBar,
    what: String,
}

impl Phases {
    /// Starts the spinner for the command `what`.
    pub fn start(what: &str) -> Phases {
        Phases {
            spinner: working(what),
            what: what.to_string(),
        }
    }

    /// Shows that the command is now `doing`.
    pub fn phase(&self, doing: &str) {
        self.spinner.set_message(format!("{}: {doing}…", self.what));
    }
}

impl Drop for Phases {
    fn drop(&mut self) {
        self.spinner.finish_and_clear();
    }
}

/// Prints the list of files written (the `Wrote …` lines) on standard error, where messages go,
/// so that standard output holds data alone; nothing under `-q`. A closed stderr is not an error.
pub fn wrote(text: &str) {
    if quiet() {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Prints `Wrote a, b, c to DIR` (the file names of `written`) and `more` on standard error,
/// as [`wrote`] does.
pub fn wrote_folder(written: &[PathBuf], dir: &Path, more: &str) {
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    wrote(&format!(
        "\nWrote {} to {}{more}\n",
        names.join(", "),
        dir.display()
    ));
}

/// Under `--json`, prints the command's JSON file among `files` (the one `.json` file that is
/// not the manifest) on standard output, byte for byte as written.
pub fn print_json(files: &[(String, Vec<u8>)]) {
    if !JSON.load(Ordering::Relaxed) {
        return;
    }
    if let Some((_, bytes)) = files
        .iter()
        .find(|(name, _)| name.ends_with(".json") && name != "manifest.json")
    {
        let mut out = std::io::stdout().lock();
        let newline: &[u8] = if bytes.ends_with(b"\n") { b"" } else { b"\n" };
        let _ = out
            .write_all(bytes)
            .and_then(|()| out.write_all(newline))
            .and_then(|()| out.flush());
    }
}

/// `--out` names a folder everywhere it is a folder: a path that is a file, or that has the name
/// of a file the commands write (`res.json`, `report.html`), is refused before any work, saying so.
pub fn out_folder(out: Option<PathBuf>) -> Result<Option<PathBuf>, Error> {
    let Some(path) = out else {
        return Ok(None);
    };
    let shown = path.display();
    if path.exists() && !path.is_dir() {
        return Err(Error::Argument(format!(
            "--out {shown}: that is a file; --out names a folder, which gets all the files of the result (e.g. --out output/{})",
            folder_suggestion(&path)
        )));
    }
    let looks_like_a_file = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FILE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
    if looks_like_a_file && !path.exists() {
        return Err(Error::Argument(format!(
            "--out {shown}: --out names a folder, which gets all the files of the result (summary.json, the CSV tables, the report, …), not one file; give a folder (e.g. --out output/{}), or use --json to get the JSON on standard output",
            folder_suggestion(&path)
        )));
    }
    Ok(Some(path))
}

/// Extensions of the files the commands write, and of the files people ask for.
const FILE_EXTENSIONS: [&str; 11] = [
    "json", "csv", "html", "htm", "xlsx", "xls", "toml", "png", "svg", "txt", "pdf",
];

/// A folder name for the message: the file's stem.
fn folder_suggestion(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "results".into(), |s| s.to_string_lossy().into_owned())
}

/// A seed as a whole number from 0 to 2⁶⁴ − 1, with a message a person understands for `-1`
/// (which clap would otherwise take for an option).
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let t = text.trim().replace('_', "");
    if let Ok(seed) = t.parse::<u64>() {
        return Ok(seed);
    }
    let why = if t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_digit()) && t.len() > 1 {
        "a seed cannot be negative"
    } else if t.parse::<f64>().is_ok() {
        "a seed is a whole number"
    } else {
        "not a number"
    };
    Err(format!(
        "{why}: expected a whole number from 0 to {} (any seed will do; the same seed gives the same results)",
        u64::MAX
    ))
}

/// The metrics `--metric` accepts, listed by `--help` and by the error for any other name.
pub fn metric_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(loyalty_sim::metrics::finance::TrialMetrics::NAMES)
}

/// Parses the command line, suggesting the closest subcommand for a mistyped one (`rn` → `run`)
/// where clap's own guess is a long way off; prints the error and exits on a bad command line.
pub fn parse() -> Cli {
    match Cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(mut e) => {
            let typed = match e.get(ContextKind::InvalidSubcommand) {
                Some(ContextValue::String(typed)) if e.kind() == ErrorKind::InvalidSubcommand => {
                    Some(typed.clone())
                }
                _ => None,
            };
            if let Some(typed) = typed {
                let names: Vec<String> = Cli::command()
                    .get_subcommands()
                    .map(|c| c.get_name().to_string())
                    .collect();
                if let Some(best) = closest(&typed, &names) {
                    e.insert(
                        ContextKind::SuggestedSubcommand,
                        ContextValue::Strings(vec![best]),
                    );
                }
            }
            e.exit()
        }
    }
}

/// The name `typed` most likely meant: the only name it begins, else the one fewest edits away
/// (a swap of two neighbouring letters counts as one edit), if that is at most two edits and
/// fewer than the letters typed.
pub fn closest(typed: &str, names: &[String]) -> Option<String> {
    let typed = typed.to_ascii_lowercase();
    let starting: Vec<&String> = names.iter().filter(|n| n.starts_with(&typed)).collect();
    if let [only] = starting.as_slice()
        && !typed.is_empty()
    {
        return Some((*only).clone());
    }
    names
        .iter()
        .map(|n| (strsim::osa_distance(&typed, n), n))
        .filter(|(d, _)| *d <= 2 && *d < typed.chars().count())
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.clone())
}

/// Prints `shell`'s completion script for the command on standard output.
pub fn completions(shell: clap_complete::Shell) {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "loyalty-sim", &mut script);
    if shell == clap_complete::Shell::Bash {
        script = bash_hyphen_fix(&String::from_utf8_lossy(&script)).into_bytes();
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&script).and_then(|()| out.flush());
}

/// clap_complete's bash script spells the state of a subcommand of a hyphenated program two
/// ways (`loyalty__sim__subcmd__run` where it is set, `loyalty__subcmd__sim__subcmd__run` where
/// it is matched), so no option after a subcommand would complete (clap-rs/clap#6421, open in
/// clap_complete 4.6.12): the matching arms get the spelling the loop sets.
fn bash_hyphen_fix(script: &str) -> String {
    script.replace("loyalty__subcmd__sim", "loyalty__sim")
}

/// The manual page on standard output, or, with a folder, one page per command written into it.
pub fn man(out: Option<PathBuf>) -> Result<(), Error> {
    let command = Cli::command();
    match out {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| Error::Argument(format!("cannot render the manual page: {e}")))?;
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(&page).and_then(|()| stdout.flush());
            Ok(())
        }
        Some(dir) => {
            let failed = |e: std::io::Error| {
                Error::Argument(format!(
                    "cannot write the manual pages to {}: {e}",
                    dir.display()
                ))
            };
            std::fs::create_dir_all(&dir).map_err(failed)?;
            clap_mangen::generate_to(command, &dir).map_err(failed)?;
            wrote(&format!(
                "Wrote loyalty-sim.1 and a page per command to {} (read one: man -l {}/loyalty-sim.1)\n",
                dir.display(),
                dir.display()
            ));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect()
    }

    #[test]
    fn a_mistyped_subcommand_finds_the_one_meant() {
        let names = names();
        for (typed, meant) in [
            ("rn", "run"),
            ("rnu", "run"),
            ("valdate", "validate"),
            ("comprae", "compare"),
            ("tornadoe", "tornado"),
            ("cal", "calibrate"),
            ("swep", "sweep"),
        ] {
            assert_eq!(closest(typed, &names).as_deref(), Some(meant), "{typed}");
        }
        // Nothing close: no guess (clap's own message stands).
        assert_eq!(closest("xyzzy", &names), None);
    }

    #[test]
    fn seeds_are_whole_numbers_from_zero() {
        assert_eq!(parse_seed("42"), Ok(42));
        assert_eq!(parse_seed("18446744073709551615"), Ok(u64::MAX));
        assert!(
            parse_seed("-1")
                .unwrap_err()
                .starts_with("a seed cannot be negative")
        );
        assert!(
            parse_seed("1.5")
                .unwrap_err()
                .starts_with("a seed is a whole number")
        );
        assert!(parse_seed("abc").unwrap_err().starts_with("not a number"));
    }

    #[test]
    fn out_refuses_a_file_name() {
        let e = out_folder(Some(PathBuf::from("no-such-dir/res.json"))).unwrap_err();
        assert!(e.to_string().contains("--out names a folder"), "{e}");
        assert_eq!(
            out_folder(Some(PathBuf::from("no-such-dir/v1.2"))).unwrap(),
            Some(PathBuf::from("no-such-dir/v1.2"))
        );
        assert_eq!(out_folder(None).unwrap(), None);
    }
}
