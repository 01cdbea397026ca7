//! The documentation kept true: the scenario reference lists exactly the fields the validator
//! reads (compared with the schema recorded from the validator, both ways), every relative link
//! of the README and of `docs/` leads to a file and heading that exist, and the README opens
//! with the two commands a newcomer needs, the second of which is what CI runs.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README and every page of `docs/`.
fn pages() -> Vec<PathBuf> {
    common::doc_pages()
}

/// The lines of a Markdown page outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            inside = !inside;
            continue;
        }
        if !inside {
            out.push(line);
        }
    }
    out
}

const TYPES: [&str; 5] = ["true", "latent", "false", "none", "committed"];

/// Every field path of the scenario schema, written as the reference writes them: a loyalty
/// type's key as `<type>`, the elements of an array of tables as `[]`, a key the user names
/// as `<name>`. Tables are returned too (second set), since a reference line may describe one.
fn schema_paths() -> (BTreeSet<String>, BTreeSet<String>) {
    fn walk(
        node: &Value,
        path: &str,
        fields: &mut BTreeSet<String>,
        tables: &mut BTreeSet<String>,
    ) {
        let join = |key: &str| {
            let key = if TYPES.contains(&key) { "<type>" } else { key };
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        let properties = node.get("properties").and_then(Value::as_object);
        let named = node.get("additionalProperties").filter(|v| v.is_object());
        let rows = node
            .get("items")
            .filter(|_| node.get("type") == Some(&Value::from("array")))
            .filter(|items| items.get("properties").is_some());
        if properties.is_none() && named.is_none() && rows.is_none() {
            fields.insert(path.to_string());
            return;
        }
        if !path.is_empty() {
            tables.insert(path.to_string());
        }
        for (key, child) in properties.into_iter().flatten() {
            walk(child, &join(key), fields, tables);
        }
        if let Some(child) = named {
            walk(child, &join("<name>"), fields, tables);
        }
        if let Some(child) = rows {
            walk(child, &format!("{path}[]"), fields, tables);
        }
    }
    let schema = loyalty_sim::scenario::schema::json_schema();
    let (mut fields, mut tables) = (BTreeSet::new(), BTreeSet::new());
    walk(&schema, "", &mut fields, &mut tables);
    (fields, tables)
}

/// The paths the reference documents: the first cell of every table row, when it is one
/// backticked path.
fn documented_paths(text: &str) -> Vec<String> {
    prose_lines(text)
        .into_iter()
        .filter_map(|line| {
            let cell = line.strip_prefix("| `")?;
            let end = cell.find("` |")?;
            Some(cell[..end].to_string())
        })
        .collect()
}

#[test]
fn the_scenario_reference_documents_every_field_and_no_other() {
    let (fields, tables) = schema_paths();
    // The schema reaches the whole format (checked against the serde mirror in the library's
    // tests), so a short list here would mean the walk above went wrong.
    assert!(fields.len() > 100, "{fields:?}");
    assert!(fields.contains("population.<type>.response.half"));
    assert!(fields.contains("program.points.rewards[].points"));
    assert!(fields.contains("finance.investment.<name>"));

    let reference = read(&repo().join("docs/scenario-reference.md"));
    let documented = documented_paths(&reference);
    let mut seen = BTreeSet::new();
    let twice: Vec<&String> = documented.iter().filter(|p| !seen.insert(*p)).collect();
    let documented: BTreeSet<String> = documented.iter().cloned().collect();

    let missing: Vec<&String> = fields.difference(&documented).collect();
    let unknown: Vec<&String> = documented
        .iter()
        .filter(|p| !fields.contains(*p) && !tables.contains(*p))
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty() && twice.is_empty(),
        "docs/scenario-reference.md has drifted from the scenario format:\n\
         fields the validator reads that the reference does not document ({}):\n  {}\n\
         lines of the reference for fields the validator does not know ({}):\n  {}\n\
         fields documented twice ({}):\n  {}\n\
         (a reference line is a table row whose first cell is the field's full path in \
         backticks, `<type>` for a loyalty type, `[]` for an array of tables)",
        missing.len(),
        join(&missing),
        unknown.len(),
        join(&unknown),
        twice.len(),
        join(&twice),
    );
}

fn join(paths: &[&String]) -> String {
    if paths.is_empty() {
        "(none)".into()
    } else {
        paths
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    }
}

#[test]
fn the_drift_check_sees_a_missing_and_an_unknown_field() {
    // The reference with one line taken out and one field made up: both must be seen.
    let reference = read(&repo().join("docs/scenario-reference.md"))
        .replace("| `simulation.seed` |", "| `simulation.random_seed` |");
    let documented: BTreeSet<String> = documented_paths(&reference).into_iter().collect();
    let (fields, _) = schema_paths();
    assert!(!documented.contains("simulation.seed"));
    assert!(fields.contains("simulation.seed"));
    assert!(documented.contains("simulation.random_seed"));
    assert!(!fields.contains("simulation.random_seed"));
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    prose_lines(text)
        .into_iter()
        .filter(|line| line.starts_with('#'))
        .map(|line| anchor(line.trim_start_matches('#')))
        .collect()
}

/// The targets of the inline links `[text](target)` of a page, outside code.
fn link_targets(text: &str) -> Vec<String> {
    let prose = prose_lines(text).join("\n");
    let mut out = Vec::new();
    let mut rest = prose.as_str();
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_leads_to_a_file_and_heading_that_exist() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (file, fragment) = match target.split_once('#') {
                Some((file, fragment)) => (file, Some(fragment)),
                None => (target.as_str(), None),
            };
            let file = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            let name = page.strip_prefix(repo()).unwrap().display().to_string();
            if !file.exists() {
                broken.push(format!("{name}: ({target}): no such file"));
                continue;
            }
            if let Some(fragment) = fragment
                && !anchors(&read(&file)).contains(fragment)
            {
                broken.push(format!("{name}: ({target}): no such heading"));
            }
        }
    }
    assert!(checked > 40, "only {checked} links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_opens_with_the_two_commands_and_ci_runs_the_second() {
    let readme = read(&repo().join("README.md"));
    let opening: Vec<&str> = readme.lines().take(6).collect();
    assert_eq!(opening[0], "# loyalty-sim");
    assert_eq!(opening[2], "```sh");
    assert!(
        opening[3].starts_with("cargo run --release -- run scenarios/coffee_points.toml "),
        "{}",
        opening[3]
    );
    assert!(opening[4].starts_with("cargo test "), "{}", opening[4]);
    assert_eq!(opening[5], "```");
    let ci = read(&repo().join(".ci/run"));
    assert!(ci.lines().any(|l| l == "cargo test"), "{ci}");
    assert!(repo().join("scenarios/coffee_points.toml").exists());
}

#[test]
fn the_reference_table_of_defaults_is_linked_from_the_readme() {
    let readme = read(&repo().join("README.md"));
    let target = "docs/model.md#reference-table-where-the-behavioural-defaults-come-from";
    assert!(
        readme.contains(&format!("]({target})")),
        "README.md lost the link"
    );
    let model = read(&repo().join("docs/model.md"));
    // The table itself: one row per behavioural default, each with a source or the words
    // "stated assumption".
    let rows: Vec<&str> = model
        .lines()
        .skip_while(|l| !l.starts_with("## Reference table"))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| default |"))
        .collect();
    assert!(rows.len() >= 20, "{rows:?}");
}
