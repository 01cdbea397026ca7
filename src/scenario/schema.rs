//! The scenario format as a JSON Schema (draft-07), for editors (Taplo / Even Better TOML read
//! it from a `#:schema` first-line comment) and the workbench's form.
//!
//! Nothing here states a range: the validator is run on a few probe scenarios with recording
//! on ([`super::rules`]), and every field's kind, bounds, unit and default are what it noted.
//! The probes only need to reach every field: a full one (every field given, so every branch
//! is read), a bare one (every table, no field, so required fields and defaults show) and one
//! with the response of each type written as fixed lifts. Which keys a table has comes from
//! the serde mirror ([`super::raw::known_keys`]), as for the validator's unknown-key messages.
//! A test checks that every known key has a rule, so a new field without one fails the build.
//!
//! Rules across fields (shares summing to one, one currency at least, months within the
//! horizon) are the validator's alone: a schema cannot say them, so a file the schema accepts
//! may still be refused, with the validator's message.

use std::collections::BTreeSet;
use std::path::Path;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::checker::{Bounds, DISTRIBUTIONS};
use super::raw::known_keys;
use super::rules::{self, FieldRule, Kind};

/// Every field and table, every branch taken: the probe that reads each rule.
const PROBE_FULL: &str = r#"
name = "Probe"
description = "Every field."
[simulation]
customers = 1000
months = 360
trials = 10
seed = 1
launch_month = 3
[population]
headroom = 1
[population.rfm]
frequent_from = 2
large_from = 30
[population.true]
share = 0.2
purchases_per_month = { mean = 1, cv = 1, timing = "random" }
spend_per_purchase = { mean = 10, cv_within = 0.4, cv_between = 0.7 }
attrition_per_month = 0.01
goal_gradient_response = 1
redemption_per_month = 0.5
competitor_sensitivity = 0.1
word_of_mouth = 0.001
exit_reaction = 0
response = { frequency = 0.1, basket = 0.1, retention = 0.1, insulation = 0.1, enrolment = 0.5, half = 0.1, shape = 1, enrolment_half = 0.1, delay_discount = 0.9, horizon_months = 6, stake_half = 1 }
[population.transitions]
true = { latent = 0.01, false = 0.01, none = 0.01, committed = 0.01 }
latent = { true = 0.01, false = 0.01, none = 0.01, committed = 0.01 }
false = { true = 0.01, latent = 0.01, none = 0.01, committed = 0.01 }
none = { true = 0.01, latent = 0.01, false = 0.01, committed = 0.01 }
committed = { true = 0.01, latent = 0.01, false = 0.01, none = 0.01 }
[population.member_transitions]
true = { latent = 0.01, false = 0.01, none = 0.01, committed = 0.01 }
latent = { true = 0.01, false = 0.01, none = 0.01, committed = 0.01 }
false = { true = 0.01, latent = 0.01, none = 0.01, committed = 0.01 }
none = { true = 0.01, latent = 0.01, false = 0.01, committed = 0.01 }
committed = { true = 0.01, latent = 0.01, false = 0.01, none = 0.01 }
[program]
goal_gradient = 0.2
reward_cap_per_member_per_month = 10
enrolment_ramp_months = 3
joining_per_visit = 0.5
response = { frequency = 1, basket = 1, retention = 1, attachment = 1 }
disengagement = { patience_months = 6, decay_per_month = 0.1 }
[program.points]
earn_rate = 1
earn_cap_per_month = 1000
expiry = { policy = "fixed", months = 12 }
point_cost = 0.01
point_value = 0.01
choice = "most_valuable"
breakage = 0.2
breakage_revisions = [{ month = 12, breakage = 0.3 }]
partner = { points_per_member_per_month = 10, price_per_point = 0.01, redeemed_share = 0.2, settlement_per_point = 0.008, running_cost_share = 0.3, wind_down_cost = 500 }
engagement = { actions_per_member_per_month = 1, points_per_action = 10 }
referral = { per_member_per_month = 0.001, points = 100 }
supplier_funded_share = 0.1
only = { types = ["true"], groups = ["rare_small"], tier = "gold" }
balance_cap = 100000
signup_bonus = 100
[[program.points.rewards]]
name = "voucher"
points = 500
cost = 5
value = 5
appeal = 1
[program.instant_discount]
rate = 0.05
min_basket = 10
bands = [{ from = 50, rate = 0.07 }]
reference_price = { loss = 2, memory = 0.5 }
insulation = 0.5
only = { types = ["true"], groups = ["rare_small"], tier = "gold" }
[program.bystanders]
rate_cut = 1
attrition_rise = 2
certificate_visibility = 0.5
[program.disappointment]
rate_cut = 0.1
attrition_rise = 0.5
months = 3
near = 0.5
[program.cumulative_discount]
period_months = 3
qualify = "spend"
threshold = 100
rate = 0.05
amount = 10
validity_months = 3
breakage = 0.1
only = { types = ["true"], groups = ["rare_small"], tier = "gold" }
[program.tiers]
qualify = "spend"
window_months = 12
review_every_months = 3
insulation = 0.5
only = { types = ["true"], groups = ["rare_small"], tier = "gold" }
[[program.tiers.levels]]
name = "gold"
threshold = 100
discount = 0.05
points_multiplier = 1.5
[program.exit]
month = 24
grace_months = 3
settlement = "honour"
cost = 1000
[program.privileges]
attachment = { true = 0.01, latent = 0.01, false = 0.02, none = 0.01, committed = 0 }
attachment_half = 0.01
[[program.privileges.items]]
name = "service"
reach = "gold"
value = 0.01
weight = { true = 1, latent = 0.8, false = 0.3, none = 0.2, committed = 1 }
cost_per_member_per_month = 0.1
uses_per_member_per_month = 0.5
cost_per_use = 2
set_up = 100
only = { types = ["true", "committed"], groups = ["rare_small"] }
[program.prizes]
chance_per_purchase = 0.01
prize_cost = 10
prize_value = 20
emotional_premium = 0.5
entry_points = 100
chance_per_entry = 0.02
entry_chance_per_month = 0.3
only = { types = ["true"], groups = ["rare_small"], tier = "gold" }
[[program.offers]]
name = "chosen items"
only = { types = ["true"], groups = ["rare_small"], tier = "gold" }
basket_share = 0.3
bonus_points = 2
discount = 0.01
when = { months = [11, 12] }
[market.competitor]
promotions_per_year = 2
duration_months = { min = 1, max = 2 }
strength = { min = 0.2, max = 0.5 }
defection = 0.05
[market.copycat]
month = 12
erosion = 0.5
[market.dissatisfaction]
per_month = 0.002
silent_share = 0.96
deterred_prospects = 1
[acquisition]
per_month = 10
mix = { true = 0.2, latent = 0.2, false = 0.2, none = 0.2, committed = 0.2 }
[finance]
currency = "EUR"
gross_margin = 0.4
discount_rate = 0.1
[finance.investment]
"*" = 1000
[finance.running_costs]
per_month = 100
per_member = 0.1
per_transaction = 0.01
[risk]
sampling = "latin_hypercube"
loss_limit = 100
[risk.correlation]
inputs = ["finance.gross_margin", "finance.discount_rate"]
matrix = [[1, 0.5], [0.5, 1]]
"#;

/// Every table and no field: the probe that shows which fields are required and which
/// defaults the validator takes.
const PROBE_BARE: &str = r#"
[simulation]
[population.transitions]
[population.member_transitions]
[program]
response = {}
disengagement = {}
[program.points]
only = {}
expiry = {}
partner = {}
engagement = {}
referral = {}
breakage_revisions = [{}]
[[program.points.rewards]]
[program.instant_discount]
bands = [{}]
reference_price = {}
only = {}
[program.cumulative_discount]
only = {}
[program.tiers]
only = {}
[[program.tiers.levels]]
[program.exit]
[program.privileges]
attachment = {}
[[program.privileges.items]]
weight = {}
only = {}
[program.prizes]
only = {}
[[program.offers]]
only = {}
when = {}
[program.bystanders]
[program.disappointment]
[population.rfm]
[market.competitor]
duration_months = {}
strength = {}
[market.copycat]
[market.dissatisfaction]
[acquisition]
mix = {}
[finance]
[finance.investment]
[finance.running_costs]
[risk]
[risk.correlation]
"#;

/// The other way of stating a response: fixed lifts at the type's level, and the other
/// branches of fields that exclude each other.
const PROBE_FIXED_LIFTS: &str = r#"
[simulation]
months = 360
[program.points]
redemption_threshold = 500
[market.competitor]
month = 6
[market.copycat]
probability_per_year = 0.1
"#;

/// `[population.<type>]` for each of `types`, with `body`.
fn type_tables(types: &[&str], body: &str) -> String {
    types
        .iter()
        .map(|t| format!("[population.{t}]\n{body}"))
        .collect()
}

/// Every table of a loyalty type, no field in it: the readers note each field all the same.
const TYPE_SKELETON: &str = "purchases_per_month = {}\nspend_per_purchase = {}\nresponse = {}\n";

/// The probes, in the order read (the full one first, so ranges that depend on the horizon
/// are noted at the longest horizon).
fn probes() -> [String; 3] {
    let all = ["true", "latent", "false", "none", "committed"];
    let fixed =
        "enrolment = 0.5\nfrequency_lift = 0.1\nbasket_lift = 0.1\nattrition_reduction = 0.1\n";
    // Shares that sum to 1, so the population's later fields are read too (a share is noted
    // as required whether given or not).
    let skeleton = format!("share = 0.2\n{TYPE_SKELETON}");
    [
        format!("{PROBE_FULL}{}", type_tables(&all[1..], &skeleton)),
        format!("{PROBE_BARE}{}", type_tables(&all, &skeleton)),
        format!("{PROBE_FIXED_LIFTS}{}", type_tables(&all, fixed)),
    ]
}

/// The validator's rules, recorded on the probes: each field once, in the order first read.
#[derive(Debug)]
pub(crate) struct Rules {
    /// Every field read, by path.
    pub(crate) fields: IndexMap<String, FieldRule>,
    /// Paths of the fields and tables that must be present whenever their table is.
    pub(crate) required: BTreeSet<String>,
    /// Fields of a table that exclude each other.
    pub(crate) exclusive: Vec<rules::Exclusive>,
    /// Fields allowed or required by another's value.
    pub(crate) depends: Vec<rules::Depends>,
}

/// Runs the validator on the probes and collects what it read.
pub(crate) fn rules() -> Rules {
    let mut fields = IndexMap::new();
    let mut required = BTreeSet::new();
    let mut exclusive: Vec<rules::Exclusive> = Vec::new();
    let mut depends: Vec<rules::Depends> = Vec::new();
    for (i, probe) in probes().iter().enumerate() {
        let recording = rules::record(|| {
            // The probes are not meant to be valid scenarios: only what was read counts.
            let _ = super::parse(probe, Path::new("probe.toml"));
        });
        for (path, rule) in recording.rules {
            match fields.get_mut(&path) {
                None => {
                    fields.insert(path, rule);
                }
                Some(known) => {
                    let known: &mut FieldRule = known;
                    if known.default.is_none() {
                        known.default = rule.default;
                    }
                }
            }
        }
        // Only the bare probe leaves every field absent, so only there does the validator
        // ask for each required one.
        if i == 1 {
            required.extend(recording.required);
        }
        for rule in recording.exclusive {
            if !exclusive.contains(&rule) {
                exclusive.push(rule);
            }
        }
        for rule in recording.depends {
            if !depends.contains(&rule) {
                depends.push(rule);
            }
        }
    }
    Rules {
        fields,
        required,
        exclusive,
        depends,
    }
}

/// The JSON Schema of the scenario format.
pub fn json_schema() -> Value {
    let rules = rules();
    let mut root = object_schema(&rules, &[], "");
    if let Value::Object(map) = &mut root {
        map.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        map.insert(
            "$id".into(),
            json!("https://loyalty-sim.local/scenario.schema.json"),
        );
        map.insert("title".into(), json!("loyalty-sim scenario"));
        map.insert(
            "description".into(),
            json!("A loyalty program's business case: the customers by loyalty type, the program, the market and the money. Types and ranges as the validator enforces them; rules across fields (shares summing to 1, at least one currency, months within the horizon) are checked by `loyalty-sim check`."),
        );
        map.insert(
            "definitions".into(),
            json!({ "distribution": distribution_schema() }),
        );
    }
    root
}

/// Known keys that have no recorded rule: fields the probes fail to reach. Empty when the
/// schema covers the whole format.
pub fn unruled_fields() -> Vec<String> {
    let rules = rules();
    let mut out = Vec::new();
    collect_unruled(&rules, &[], "", &mut out);
    out
}

fn collect_unruled(rules: &Rules, keys: &[String], prefix: &str, out: &mut Vec<String>) {
    for key in keys_of(rules, keys, prefix) {
        let key = key.as_str();
        let path = join(prefix, key);
        match child(rules, &path) {
            Child::Leaf(_) => {}
            Child::Table => collect_unruled(rules, &push(keys, key), &path, out),
            Child::Array => {
                let element = format!("{path}[0]");
                collect_unruled(rules, &push(&push(keys, key), "0"), &element, out);
            }
            Child::Named => {}
            Child::Unknown => out.push(path),
        }
    }
}

enum Child<'a> {
    Leaf(&'a FieldRule),
    Table,
    Array,
    /// A table whose keys the user names (investment items).
    Named,
    Unknown,
}

fn child<'a>(rules: &'a Rules, path: &str) -> Child<'a> {
    if let Some(rule) = rules.fields.get(path) {
        return Child::Leaf(rule);
    }
    let table = format!("{path}.");
    let array = format!("{path}[0].");
    if rules.fields.contains_key(&format!("{path}.*")) {
        Child::Named
    } else if rules.fields.keys().any(|p| p.starts_with(&array)) {
        Child::Array
    } else if rules.fields.keys().any(|p| p.starts_with(&table)) {
        Child::Table
    } else {
        Child::Unknown
    }
}

/// The keys of the table at `keys`: those of its serde mirror, and any the validator read in
/// it (a table that refuses unknown keys by itself has no list in [`known_keys`]).
fn keys_of(rules: &Rules, keys: &[String], prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = known_keys(keys).iter().map(|k| (*k).to_string()).collect();
    let start = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}.")
    };
    for path in rules.fields.keys() {
        if let Some(rest) = path.strip_prefix(&start) {
            let key = rest.split(['.', '[']).next().unwrap_or_default();
            if !key.is_empty() && key != "*" && !out.iter().any(|k| k == key) {
                out.push(key.to_string());
            }
        }
    }
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn push(keys: &[String], key: &str) -> Vec<String> {
    let mut v = keys.to_vec();
    v.push(key.to_string());
    v
}

/// The schema of the table at `keys` (its dotted path `prefix`).
fn object_schema(rules: &Rules, keys: &[String], prefix: &str) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    // The keys in the order of the format (a JSON object's keys have none): for forms.
    let mut order = Vec::new();
    for key in keys_of(rules, keys, prefix) {
        let key = key.as_str();
        order.push(json!(key));
        let path = join(prefix, key);
        let schema = match child(rules, &path) {
            Child::Leaf(rule) => leaf_schema(rule),
            Child::Table => object_schema(rules, &push(keys, key), &path),
            Child::Array => json!({
                "type": "array",
                "items": object_schema(rules, &push(&push(keys, key), "0"), &format!("{path}[0]")),
            }),
            Child::Named => {
                let item = rules.fields.get(&format!("{path}.*"));
                json!({
                    "type": "object",
                    "additionalProperties": item.map_or(json!({}), leaf_schema),
                })
            }
            // Reached by no probe (a test keeps this list empty): accept anything rather than
            // refuse a valid file.
            Child::Unknown => json!({}),
        };
        if rules.required.contains(&path) {
            required.push(json!(key));
        }
        properties.insert((*key).to_string(), schema);
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("x-order".into(), Value::Array(order));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("additionalProperties".into(), json!(false));
    let either = either_or(rules, prefix);
    match either.len() {
        0 => {}
        1 => {
            if let Some(Value::Object(keywords)) = either.into_iter().next() {
                schema.extend(keywords);
            }
        }
        _ => {
            schema.insert("allOf".into(), Value::Array(either));
        }
    }
    Value::Object(schema)
}

/// The either-or rules of the table at `prefix`, each as a schema the table must also meet:
/// fields that exclude each other as `oneOf` (one alternative, not two) or `not` both, and a
/// field that depends on another's value as a `oneOf` over its values.
fn either_or(rules: &Rules, prefix: &str) -> Vec<Value> {
    // An alternative is stated when any of its fields is.
    let stated = |fields: &[String]| -> Value {
        match fields {
            [one] => json!({ "required": [one] }),
            _ => {
                json!({ "anyOf": fields.iter().map(|f| json!({ "required": [f] })).collect::<Vec<_>>() })
            }
        }
    };
    let mut out = Vec::new();
    for rule in rules.exclusive.iter().filter(|r| r.table == prefix) {
        let alternatives: Vec<Value> = rule.alternatives.iter().map(|a| stated(a)).collect();
        let names: Vec<String> = rule.alternatives.iter().map(|a| a.join(" / ")).collect();
        out.push(if rule.one_needed {
            json!({
                "description": format!("give one of: {}", names.join("; or ")),
                "oneOf": alternatives,
            })
        } else {
            json!({
                "description": format!("not both: {}", names.join("; and ")),
                "not": { "allOf": alternatives },
            })
        });
    }
    for rule in rules.depends.iter().filter(|r| r.table == prefix) {
        out.push(json!({
            "description": format!(
                "{} only when {} is {}",
                rule.field,
                rule.on,
                rule.with.join(" or ")
            ),
            "oneOf": [
                {
                    "properties": { &rule.on: { "enum": rule.without } },
                    "not": { "required": [&rule.field] },
                },
                {
                    "properties": { &rule.on: { "enum": rule.with } },
                    "required": [&rule.field],
                },
            ],
        }));
    }
    out
}

/// A number's bounds as JSON Schema keywords (infinite ends left out).
fn bounds_keywords(map: &mut Map<String, Value>, b: Bounds) {
    if b.min.is_finite() {
        let key = if b.min_open {
            "exclusiveMinimum"
        } else {
            "minimum"
        };
        map.insert(key.into(), json!(b.min));
    }
    if b.max.is_finite() {
        let key = if b.max_open {
            "exclusiveMaximum"
        } else {
            "maximum"
        };
        map.insert(key.into(), json!(b.max));
    }
}

fn leaf_schema(rule: &FieldRule) -> Value {
    let mut map = Map::new();
    let value = match &rule.kind {
        Kind::Number(b) => {
            let mut m = Map::new();
            m.insert("type".into(), json!("number"));
            bounds_keywords(&mut m, *b);
            Value::Object(m)
        }
        Kind::Cv { min, max } => json!({
            "anyOf": [
                { "type": "number", "minimum": 0, "maximum": 0 },
                { "type": "number", "minimum": min, "maximum": max },
            ]
        }),
        Kind::Whole { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        Kind::Choice(options) => json!({ "type": "string", "enum": options }),
        Kind::Text => json!({ "type": "string", "pattern": "\\S" }),
        Kind::Currency => json!({ "type": "string", "pattern": "^[A-Za-z]{3}$" }),
        Kind::TextList => json!({ "type": "array", "items": { "type": "string" } }),
        Kind::ChoiceList(options) => json!({
            "type": "array",
            "minItems": 1,
            "items": { "type": "string", "enum": options }
        }),
        Kind::True => json!({ "type": "boolean", "enum": [true] }),
        Kind::WholeList { min, max } => json!({
            "type": "array",
            "minItems": 1,
            "uniqueItems": true,
            "items": { "type": "integer", "minimum": min, "maximum": max }
        }),
        Kind::Rows(b) => {
            let mut m = Map::new();
            m.insert("type".into(), json!("number"));
            bounds_keywords(&mut m, *b);
            json!({ "type": "array", "items": { "type": "array", "items": Value::Object(m) } })
        }
    };
    if rule.may_vary {
        map.insert(
            "anyOf".into(),
            json!([value, { "$ref": "#/definitions/distribution" }]),
        );
    } else if let Value::Object(m) = value {
        map.extend(m);
    }
    let mut description = rule.unit.clone();
    if rule.may_vary {
        description.push_str("; a number, or a distribution such as { dist = \"triangular\", min = …, mode = …, max = … }");
    }
    if !description.is_empty() {
        map.insert("description".into(), json!(description));
    }
    if let Some(default) = &rule.default {
        map.insert("default".into(), default.clone());
    }
    Value::Object(map)
}

/// An uncertain input: one of the distributions the checker accepts, with its parameters.
fn distribution_schema() -> Value {
    let kinds: Vec<Value> = DISTRIBUTIONS
        .iter()
        .map(|(name, params)| {
            let mut properties = Map::new();
            properties.insert("dist".into(), json!({ "const": name }));
            for p in *params {
                properties.insert((*p).to_string(), json!({ "type": "number" }));
            }
            let mut required = vec![json!("dist")];
            required.extend(params.iter().map(|p| json!(p)));
            json!({
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            })
        })
        .collect();
    json!({
        "description": "an uncertain input: its distribution and parameters",
        "oneOf": kinds,
    })
}
