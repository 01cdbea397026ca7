//! The scenario schema (`loyalty-sim schema`) and the starter scenario (`loyalty-sim init`):
//! the schema accepts every shipped scenario and lesson, refuses the type and range errors of
//! the bad-input corpus, and covers every field of the format; `init` writes a scenario that
//! the schema and the validator accept and that runs.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use loyalty_sim::scenario::schema::{json_schema, unruled_fields};

fn validator() -> jsonschema::Validator {
    jsonschema::draft7::new(&json_schema()).unwrap()
}

/// A TOML file as the JSON value an editor's schema check sees.
fn as_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let value: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::to_value(value).unwrap()
}

fn errors(v: &jsonschema::Validator, json: &serde_json::Value) -> Vec<String> {
    v.iter_errors(json)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_field_of_the_format_has_a_rule() {
    assert_eq!(unruled_fields(), Vec::<String>::new());
}

#[test]
fn schema_accepts_every_shipped_scenario_and_lesson() {
    let v = validator();
    let mut files = common::shipped_scenarios();
    files.extend(common::toml_files("scenarios/lessons"));
    assert!(files.len() >= 15, "{files:?}");
    for path in files {
        let errors = errors(&v, &as_json(&path));
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

/// Bad inputs whose problem is a type, a range, a missing field, an unknown key or fields that
/// exclude each other (either-or fields, as oneOf/anyOf): what a schema can say, so it must
/// refuse them.
const REFUSED_BY_SCHEMA: &[&str] = &[
    "absurd_customers",
    "balance_cap_and_bonus_out_of_range",
    "breakage_of_one",
    "catalogue_reward_without_cost",
    "certificate_rate_and_amount",
    "certificate_without_validity",
    "committed_out_of_range",
    "competitor_month_and_rate",
    "copycat_both_ways",
    "cv_too_small",
    "dated_offers_out_of_range",
    "discount_rate_of_one",
    "empty",
    "exit_in_the_first_month",
    "expiry_none_with_months",
    "expiry_without_months",
    "fractional_count",
    "infinite_value",
    "joining_per_visit_zero",
    "lift_below_minus_one",
    "missing_required_field",
    "missing_table",
    "negative_cost",
    "negative_investment",
    "negative_purchases",
    "negative_seed",
    "partner_out_of_range",
    "privileges_out_of_range",
    "prize_entries_out_of_range",
    "prizes_out_of_range",
    "probability_above_one",
    "reactions_out_of_range",
    "reference_price_out_of_range",
    "response_and_fixed_lift",
    "response_out_of_range",
    "response_unknown_field",
    "risk_sampling_and_loss_limit",
    "several_problems",
    "share_above_one",
    "targeting_out_of_range",
    "threshold_and_catalogue",
    "tier_discounts_only_unknown",
    "unknown_currency",
    "unknown_expiry_policy",
    "unknown_field_suggestion",
    "unknown_inline_field",
    "unknown_section",
    "unknown_type",
    "value_instead_of_table",
    "wrong_type_boolean",
    "wrong_type_table",
    "wrong_type_text",
    "zero_earn_rate",
    "zero_margin",
    "zero_months",
    "zero_spend",
    "zero_threshold",
    "zero_trials",
];

/// Bad inputs whose problem is a rule across fields (sums, order, months
/// within the horizon, growth that would not end) or a number too close to zero to compute
/// with: a schema cannot say these, so it accepts them and the validator refuses them.
const ONLY_THE_VALIDATOR: &[&str] = &[
    "acquisition_mix_not_summing",
    "arrivals_beyond_any_run",
    "breakage_revisions_out_of_order",
    "breakage_revisions_without_breakage",
    "cash_settlement_with_grace",
    "committed_not_in_population",
    "committed_without_true",
    "discounts_over_everything",
    "exit_after_horizon",
    "multiplier_without_points",
    "no_cost_at_all",
    "no_currency",
    "offer_rules",
    "only_committed_without_type",
    "partner_wind_down_without_exit",
    "privilege_tier_without_tiers",
    "privilege_unknown_tier",
    "privileges_without_items",
    "prize_entries_without_points",
    "promotion_range_reversed",
    "referral_runaway",
    "risk_correlation_of_a_fixed_input",
    "risk_matrix_asymmetric",
    "risk_matrix_not_positive_semidefinite",
    "shares_not_summing",
    "subnormal_margin",
    "tiers_out_of_order",
    "transition_rows_over_one",
    "word_of_mouth_runaway",
];

/// Bad inputs that are not TOML (or not TOML this parser reads: an integer beyond 64 bits):
/// no schema is reached.
const NOT_TOML: &[&str] = &[
    "integer_beyond_64_bits",
    "syntax_missing_value",
    "syntax_unclosed_table",
];

#[test]
fn schema_refuses_the_type_and_range_errors_of_the_bad_corpus() {
    let v = validator();
    let mut refused = Vec::new();
    let mut accepted = Vec::new();
    let mut syntax = Vec::new();
    for path in common::toml_files("tests/bad") {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        match toml::from_str::<toml::Table>(&text) {
            Err(_) => syntax.push(name),
            Ok(t) => {
                let json = serde_json::to_value(t).unwrap();
                if v.is_valid(&json) {
                    accepted.push(name);
                } else {
                    refused.push(name);
                }
            }
        }
    }
    assert_eq!(refused, REFUSED_BY_SCHEMA, "refused");
    assert_eq!(accepted, ONLY_THE_VALIDATOR, "accepted");
    assert_eq!(syntax, NOT_TOML, "syntax");
}

#[test]
fn either_or_fields_are_refused_by_the_schema_with_their_rule() {
    let v = validator();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Each either-or error of the bad corpus, and the table whose rule refuses it.
    for (name, table) in [
        ("threshold_and_catalogue", "/program/points"),
        ("competitor_month_and_rate", "/market/competitor"),
        ("copycat_both_ways", "/market/copycat"),
        ("response_and_fixed_lift", "/population/false"),
        ("expiry_none_with_months", "/program/points/expiry"),
        ("expiry_without_months", "/program/points/expiry"),
    ] {
        let json = as_json(&root.join(format!("tests/bad/{name}.toml")));
        let errors: Vec<String> = v
            .iter_errors(&json)
            .map(|e| e.instance_path().to_string())
            .collect();
        assert_eq!(errors, [table], "{name}");
    }
    // The rules as an editor reads them.
    let schema = json_schema();
    let points = &schema["properties"]["program"]["properties"]["points"];
    assert_eq!(
        points["oneOf"],
        serde_json::json!([{ "required": ["redemption_threshold"] }, { "required": ["rewards"] }])
    );
    let lifts = &schema["properties"]["population"]["properties"]["latent"]["not"]["allOf"];
    assert_eq!(lifts[0], serde_json::json!({ "required": ["response"] }));
    assert_eq!(lifts[1]["anyOf"].as_array().unwrap().len(), 4, "{lifts}");
}

#[test]
fn the_shipped_list_is_the_scenarios_folder() {
    let mut names: Vec<&str> = loyalty_sim::shipped::SCENARIOS
        .iter()
        .map(|s| s.name)
        .collect();
    names.sort_unstable();
    let files: Vec<String> = common::shipped_scenarios()
        .iter()
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(names, files);
}

#[test]
fn schema_command_prints_the_schema() {
    let out = cargo_bin_cmd!("loyalty-sim")
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, json_schema());
    assert_eq!(
        printed["$schema"],
        "http://json-schema.org/draft-07/schema#"
    );
    // One rule read back by hand: the validator's range for the instant discount's rate is
    // [0, 1) (validate_program.rs), and the schema says the same.
    let rate =
        &printed["properties"]["program"]["properties"]["instant_discount"]["properties"]["rate"];
    assert_eq!(rate["anyOf"][0]["minimum"], 0.0, "{rate}");
    assert_eq!(rate["anyOf"][0]["exclusiveMaximum"], 1.0, "{rate}");
    let customers = &printed["properties"]["simulation"]["properties"]["customers"];
    assert_eq!(
        customers["maximum"],
        loyalty_sim::scenario::validate::MAX_CUSTOMERS
    );
    // Defaults are the validator's: the purchase-rate cv defaults to 1 (validate.rs).
    let cv = &printed["properties"]["population"]["properties"]["latent"]["properties"]["purchases_per_month"]
        ["properties"]["cv"];
    assert_eq!(cv["default"], 1.0, "{cv}");
    // …and population.headroom defaults to 1 (DEFAULT_HEADROOM, model/response.rs).
    let headroom = &printed["properties"]["population"]["properties"]["headroom"];
    assert_eq!(headroom["default"], 1.0, "{headroom}");
}

#[test]
fn init_writes_a_starter_that_validates_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    cargo_bin_cmd!("loyalty-sim")
        .args([
            "init",
            path.to_str().unwrap(),
            "--template",
            "retail_instant_discount",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# Starter scenario"), "{text}");
    assert!(text.contains("loyalty-sim run"), "{text}");
    assert!(validator().is_valid(&as_json(&path)));
    cargo_bin_cmd!("loyalty-sim")
        .args(["validate", path.to_str().unwrap()])
        .assert()
        .success();
    let out = dir.path().join("out");
    cargo_bin_cmd!("loyalty-sim")
        .args([
            "run",
            path.to_str().unwrap(),
            "--trials",
            "4",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("summary.json").is_file() || out.read_dir().unwrap().count() > 0);

    // A second init over the same file is refused and leaves it as it was.
    cargo_bin_cmd!("loyalty-sim")
        .args(["init", path.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicates::str::contains("the file exists"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn init_refuses_an_unknown_template() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.toml");
    cargo_bin_cmd!("loyalty-sim")
        .args(["init", path.to_str().unwrap(), "--template", "nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("retail_points"));
    assert!(!path.exists());
}

#[test]
fn every_template_is_a_valid_starter() {
    for t in loyalty_sim::shipped::SCENARIOS {
        let text = loyalty_sim::shipped::starter(t, "x.toml");
        loyalty_sim::scenario::parse(&text, Path::new("x.toml"))
            .unwrap_or_else(|e| panic!("{}: {e}", t.name));
    }
}
