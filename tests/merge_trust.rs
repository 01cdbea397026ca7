//! `merge` trusts nothing: a part whose results or manifest were edited, parts all claiming
//! another seed, a part of another version, a trial with a month too many or too few, and
//! values too large to summarise are refused with exit code 2 and the part's path, never
//! merged and never a panic; randomly tampered parts likewise (a property test).

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use loyalty_sim::shard::{Part, Shard, merge, read_part, run_shard};
use predicates::prelude::*;
use proptest::prelude::*;
use serde_json::Value;

/// Three sealed parts of a small run, as JSON.
fn parts() -> Vec<Value> {
    let file = loyalty_sim::ScenarioFile::from_text(
        PathBuf::from("tiny.toml"),
        &common::plain_scenario(100, 4, 6, ""),
    )
    .unwrap();
    let options = loyalty_sim::RunOptions::default();
    (0..3)
        .map(|index| {
            let part = run_shard(&file, &options, Shard { index, count: 3 }, &|| {}).unwrap();
            serde_json::to_value(&part).unwrap()
        })
        .collect()
}

/// Writes `parts` as `part-<i>.json` files in `dir`.
fn write(dir: &Path, parts: &[Value]) -> Vec<PathBuf> {
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let path = dir.join(format!("part-{i}.json"));
            std::fs::write(&path, serde_json::to_vec(p).unwrap()).unwrap();
            path
        })
        .collect()
}

/// Merges the files through the library: `Err` with the message, or `Ok`.
fn merge_files(paths: &[PathBuf]) -> Result<(), String> {
    let read = paths
        .iter()
        .map(|p| read_part(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    merge(read).map(|_| ()).map_err(|e| e.to_string())
}

/// `part` edited by `edit` and sealed again, as one who knows the format would.
fn resealed(part: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = part.clone();
    edit(&mut v);
    let mut p: Part = serde_json::from_value(v).unwrap();
    p.seal();
    serde_json::to_value(&p).unwrap()
}

fn merge_cli(paths: &[PathBuf], out: &Path) -> assert_cmd::assert::Assert {
    cargo_bin_cmd!("loyalty-sim")
        .arg("merge")
        .args(paths)
        .args(["--no-charts", "--out"])
        .arg(out)
        .assert()
}

#[test]
fn edited_forged_and_misshapen_parts_are_refused_with_the_part_named() {
    let good = parts();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("merged");
    let cases: Vec<(&str, Vec<Value>, &str)> = vec![
        (
            "an edited NPV",
            {
                let mut p = good.clone();
                let npv = p[1]["results"][0]["metrics"]["npv"].as_f64().unwrap();
                p[1]["results"][0]["metrics"]["npv"] = (npv + 1.0).into();
                p
            },
            "its results were changed after it was written",
        ),
        (
            "an edited monthly value",
            {
                let mut p = good.clone();
                p[2]["results"][1]["months"][3][0] = 123.0.into();
                p
            },
            "its results were changed after it was written",
        ),
        (
            "every manifest claiming another seed",
            good.iter()
                .map(|p| {
                    let mut p = p.clone();
                    p["manifest"]["seed"] = 12345.into();
                    p
                })
                .collect(),
            "its manifest was changed after it was written",
        ),
        (
            "every part sealed by another version",
            good.iter()
                .map(|p| resealed(p, |v| v["manifest"]["version"] = "9.9.9".into()))
                .collect(),
            "was written by loyalty-sim 9.9.9",
        ),
        (
            "a trial with a month too many",
            {
                let mut p = good.clone();
                p[0] = resealed(&p[0], |v| {
                    let months = v["results"][0]["months"].as_array_mut().unwrap();
                    months.push(months[0].clone());
                });
                p
            },
            "trial 0: 5 monthly and 4 monthly-by-type records, where the scenario has 4 months",
        ),
        (
            "a trial with a month too few",
            {
                let mut p = good.clone();
                p[1] = resealed(&p[1], |v| {
                    v["results"][0]["months"].as_array_mut().unwrap().pop();
                });
                p
            },
            "trial 2: 3 monthly and 4 monthly-by-type records",
        ),
        (
            "one type's months short",
            {
                let mut p = good.clone();
                p[2] = resealed(&p[2], |v| {
                    v["results"][1]["types"].as_array_mut().unwrap().pop();
                });
                p
            },
            "trial 5: 4 monthly and 3 monthly-by-type records",
        ),
        (
            "a value too large to summarise",
            {
                let mut p = good.clone();
                p[0] = resealed(&p[0], |v| {
                    v["results"][0]["metrics"]["npv"] = 1.7e308.into();
                });
                p
            },
            "npv is 1.7e308: expected a finite number of magnitude at most 1e100",
        ),
    ];
    for (what, parts, message) in cases {
        let case = dir.path().join(what.replace(' ', "_"));
        std::fs::create_dir(&case).unwrap();
        let paths = write(&case, &parts);
        merge_cli(&paths, &out)
            .code(2)
            .stderr(predicate::str::contains(message).and(predicate::str::contains("part-")))
            .stderr(predicate::str::contains("panicked").not());
        assert!(!out.exists(), "{what}: merged");
    }
    // The untouched parts merge.
    let paths = write(dir.path(), &good);
    merge_cli(&paths, &out).success();
}

#[test]
fn a_part_folder_whose_files_differ_from_its_manifest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = common::data("small_points.toml");
    let part = dir.path().join("part");
    cargo_bin_cmd!("loyalty-sim")
        .arg("run")
        .arg(&scenario)
        .args([
            "--trials",
            "4",
            "--shard-index",
            "0",
            "--shard-count",
            "2",
            "--out",
        ])
        .arg(&part)
        .assert()
        .success();
    std::fs::write(part.join("stray.txt"), "x").unwrap();
    let err = read_part(&part).unwrap_err().to_string();
    assert!(err.contains("does not match its manifest.json"), "{err}");
    assert!(err.contains("stray.txt"), "{err}");
}

/// A tampering: which part, and what is done to it.
#[derive(Debug, Clone)]
enum Tamper {
    /// The n-th number (counted over the whole part) set to a value.
    Number(usize, f64),
    /// The n-th array loses an element.
    Shorten(usize),
    /// The n-th array's first element doubled.
    Lengthen(usize),
    /// The n-th string gains a character.
    Text(usize),
}

/// Applies `tamper` to the first matching place (counting leaves in document order); false
/// if there was no such place.
fn apply(v: &mut Value, tamper: &Tamper, count: &mut usize) -> bool {
    let hit = |count: &mut usize, n: usize| {
        let hit = *count == n;
        *count += 1;
        hit
    };
    match (&mut *v, tamper) {
        (Value::Number(_), Tamper::Number(n, x)) if hit(count, *n) => {
            return match serde_json::Number::from_f64(*x) {
                Some(x) => {
                    *v = Value::Number(x);
                    true
                }
                None => false,
            };
        }
        (Value::String(s), Tamper::Text(n)) if hit(count, *n) => {
            s.push('x');
            return true;
        }
        (Value::Array(a), Tamper::Shorten(n)) if !a.is_empty() && hit(count, *n) => {
            a.pop();
            return true;
        }
        (Value::Array(a), Tamper::Lengthen(n)) if !a.is_empty() && hit(count, *n) => {
            a.push(a[0].clone());
            return true;
        }
        _ => {}
    }
    match v {
        Value::Array(a) => a.iter_mut().any(|x| apply(x, tamper, count)),
        Value::Object(o) => o.values_mut().any(|x| apply(x, tamper, count)),
        _ => false,
    }
}

fn tamper() -> impl Strategy<Value = Tamper> {
    let value = prop_oneof![
        any::<f64>(),
        Just(1.7e308),
        Just(-1.0),
        Just(0.0),
        (0u32..100).prop_map(f64::from)
    ];
    prop_oneof![
        (0usize..3000, value).prop_map(|(n, x)| Tamper::Number(n, x)),
        (0usize..200).prop_map(Tamper::Shorten),
        (0usize..200).prop_map(Tamper::Lengthen),
        (0usize..12).prop_map(Tamper::Text),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn randomly_tampered_parts_are_refused_never_merged_never_a_panic(
        which in 0usize..3,
        tamper in tamper(),
        reseal in any::<bool>(),
    ) {
        static GOOD: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
        let good = GOOD.get_or_init(parts);
        let mut parts = good.clone();
        let changed = apply(&mut parts[which], &tamper, &mut 0);
        prop_assume!(changed && parts[which] != good[which]);
        if reseal {
            // Sealed again, as a careful forger would: the shape and value checks must hold.
            // Some edits leave a part that is no longer a part at all; those the reader refuses.
            if let Ok(mut p) = serde_json::from_value::<Part>(parts[which].clone()) {
                p.seal();
                parts[which] = serde_json::to_value(&p).unwrap();
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let paths = write(dir.path(), &parts);
        let outcome = std::panic::catch_unwind(|| merge_files(&paths));
        let Ok(result) = outcome else {
            panic!("merge panicked on {tamper:?} of part {which}");
        };
        if !reseal {
            prop_assert!(result.is_err(), "{tamper:?} of part {which} was merged");
        } else if let Ok(()) = result {
            // A sealed part whose new values are all plausible (e.g. a cost changed within
            // range, the path renamed) merges: the seal is not a secret. It must still be
            // one that differs from the original only in values, with every shape intact.
            let p: Part = serde_json::from_value(parts[which].clone()).unwrap();
            let q: Part = serde_json::from_value(good[which].clone()).unwrap();
            prop_assert_eq!(p.results.len(), q.results.len());
            for (a, b) in p.results.iter().zip(&q.results) {
                prop_assert_eq!(a.months.len(), b.months.len());
                prop_assert_eq!(a.types.len(), b.types.len());
                prop_assert_eq!(a.inputs.len(), b.inputs.len());
            }
        }
    }
}
