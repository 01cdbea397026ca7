//! A template scenario moved to the log's currency: every money amount of the template
//! (investment, running costs, reward costs and values, point costs and prices, thresholds in
//! spend, fees, caps, losses) multiplied by the exchange rate, every rate per unit of money
//! (points earned per unit spent) divided by it, and the texts that name amounts (`"€5
//! voucher"`, comments) rewritten; so the program is the same program, priced in the log's
//! currency. Which fields are money is the validator's own record of each field's unit
//! ([`crate::scenario::schema`]): a field described "in currency" (or "currency per …") is
//! money, "points per currency unit" is per money, and a threshold in "spend (currency) or
//! purchases" is money when its `qualify` is spend.

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::money::Currency;

/// A change of currency: amounts in `from` become amounts in `to` at `rate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// The template's currency.
    pub from: Currency,
    /// The log's currency.
    pub to: Currency,
    /// Units of `to` per one unit of `from`.
    pub rate: f64,
}

/// Why the currencies cannot be reconciled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CurrencyError {
    /// The log's currency differs from the template's and no rate was given.
    #[error(
        "the log's amounts are in {to} (--currency {to}) but the template's (investment, running costs, rewards, …) are in {from}: give --exchange-rate R, the {to} one {from} buys, to convert the template's amounts, or a template in {to} with --template"
    )]
    RateMissing {
        /// The template's currency code.
        from: String,
        /// The log's currency code.
        to: String,
    },
    /// The rate is not a positive number.
    #[error("--exchange-rate {rate}: expected a positive number, the {to} one {from} buys")]
    BadRate {
        /// The rate given.
        rate: f64,
        /// The template's currency code.
        from: String,
        /// The log's currency code.
        to: String,
    },
    /// A rate was given for no change of currency.
    #[error(
        "--exchange-rate is for a log in another currency than the template's, and both are in {currency}: leave it out, or name the log's currency with --currency"
    )]
    RateWithoutChange {
        /// The one currency.
        currency: String,
    },
}

impl Conversion {
    /// The conversion from the template's currency to the log's: `None` when they are the
    /// same; an error when they differ and no `rate` is given (amounts are never relabelled),
    /// or a rate is given for no change.
    pub fn between(
        template: &Currency,
        log: &Currency,
        rate: Option<f64>,
    ) -> Result<Option<Conversion>, CurrencyError> {
        match rate {
            _ if template.code == log.code => match rate {
                None => Ok(None),
                Some(_) => Err(CurrencyError::RateWithoutChange {
                    currency: log.code.clone(),
                }),
            },
            None => Err(CurrencyError::RateMissing {
                from: template.code.clone(),
                to: log.code.clone(),
            }),
            Some(r) if !(r.is_finite() && r > 0.0) => Err(CurrencyError::BadRate {
                rate: r,
                from: template.code.clone(),
                to: log.code.clone(),
            }),
            Some(r) => Ok(Some(Conversion {
                from: template.clone(),
                to: log.clone(),
                rate: r,
            })),
        }
    }

    /// "1.08 USD per EUR".
    pub fn describe(&self) -> String {
        format!("{} {} per {}", self.rate, self.to.code, self.from.code)
    }

    /// `text` with each amount written with the template's symbol (`€5`, `€1,000`) converted
    /// and written with the log's (`$5.40`), and the template currency's name (`euro`) and
    /// code replaced by the log's code.
    pub fn rewrite_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let symbol = self.from.symbol.as_str();
        while let Some(at) = rest.find(symbol).filter(|_| !symbol.is_empty()) {
            out.push_str(&rest[..at]);
            let after = &rest[at + symbol.len()..];
            let digits = after
                .char_indices()
                .take_while(|(_, c)| c.is_ascii_digit() || *c == ',' || *c == '.')
                .map(|(i, c)| i + c.len_utf8())
                .last()
                .unwrap_or(0);
            // A trailing `.` or `,` ends the sentence, not the number.
            let number = after[..digits].trim_end_matches([',', '.']);
            match number.replace(',', "").parse::<f64>() {
                Ok(v) if !number.is_empty() => {
                    out.push_str(&self.to.format(v * self.rate));
                    rest = &after[number.len()..];
                }
                _ => {
                    out.push_str(&self.to.symbol);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        let mut out = replace_word(&out, &self.from.code, &self.to.code);
        if let Some(name) =
            iso_currency::Currency::from_code(&self.from.code).map(|c| c.name().to_string())
        {
            let name = name.to_lowercase();
            out = replace_word(&out, &format!("{name}s"), &self.to.code);
            out = replace_word(&out, &name, &self.to.code);
        }
        out
    }
}

/// `text` with `word` replaced by `by` wherever it stands as a word (case-insensitive).
fn replace_word(text: &str, word: &str, by: &str) -> String {
    if word.is_empty() {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let word = word.to_lowercase();
    // Lower-casing may change byte lengths outside ASCII; only replace when it did not.
    if lower.len() != text.len() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    for (at, _) in lower.match_indices(&word) {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if at < last || is_word(before) || is_word(after) {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str(by);
        last = at + word.len();
    }
    out.push_str(&text[last..]);
    out
}

/// How a field follows a change of currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follows {
    /// An amount of money: multiplied by the rate.
    Money,
    /// A quantity per unit of money (points per unit spent): divided by the rate.
    PerMoney,
    /// Spend or purchases, as the table's `qualify` says: money when it is spend (the
    /// default).
    MoneyIfSpend,
}

/// Every field of the scenario format that follows the currency, by the path the validator
/// records (`program.points.rewards[0].cost`, `finance.investment.*`), told from the unit the
/// validator describes it with.
pub fn money_fields() -> Vec<(String, Follows)> {
    crate::scenario::schema::rules()
        .fields
        .into_iter()
        .filter_map(|(path, rule)| follows(&rule.unit).map(|f| (path, f)))
        .collect()
}

/// How a field with the unit `unit` (the validator's description) follows the currency.
fn follows(unit: &str) -> Option<Follows> {
    if unit.contains("spend (currency) or purchases") {
        Some(Follows::MoneyIfSpend)
    } else if unit.contains("per currency unit") {
        Some(Follows::PerMoney)
    } else if unit.contains("in currency")
        || unit.starts_with("currency per")
        || unit.contains("scenario's currency")
    {
        Some(Follows::Money)
    } else {
        None
    }
}

/// Converts every money field of `doc` (a scenario's TOML) and rewrites its texts; sets
/// `[finance] currency` to the log's. Returns the paths converted, as written in the file.
pub fn convert(doc: &mut DocumentMut, conversion: &Conversion) -> Vec<String> {
    let fields: std::collections::HashMap<String, Follows> = money_fields().into_iter().collect();
    let mut converted = Vec::new();
    let root = doc.as_table_mut();
    walk_table(root, "", None, &fields, conversion, &mut converted);
    if let Some(finance) = doc.get_mut("finance").and_then(Item::as_table_mut) {
        let mut code = Value::from(conversion.to.code.as_str());
        code.decor_mut().set_suffix(format!(
            "    # the log's currency; the template's {} amounts converted at {}",
            conversion.from.code,
            conversion.describe()
        ));
        // On a toml_edit `Table`, `t["key"] =` inserts a missing key: it cannot panic.
        finance["currency"] = Item::Value(code);
    }
    converted
}

/// [`convert`] on a scenario's text: the text in the log's currency.
pub fn convert_text(text: &str, conversion: &Conversion) -> Result<String, toml_edit::TomlError> {
    let mut doc: DocumentMut = text.parse()?;
    convert(&mut doc, conversion);
    Ok(doc.to_string())
}

/// The validator's name for the field at `path`: array elements as `[0]`.
fn rule_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[0");
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// How the field at `path` follows, with `qualify` the table's (`None`: spend).
fn follows_at(
    path: &str,
    qualify: Option<&str>,
    fields: &std::collections::HashMap<String, Follows>,
) -> Option<Follows> {
    let rule = rule_path(path);
    let found = fields.get(&rule).copied().or_else(|| {
        // A key the user names (an investment item) is recorded as `*`.
        let (table, _) = rule.rsplit_once('.')?;
        fields.get(&format!("{table}.*")).copied()
    })?;
    match found {
        Follows::MoneyIfSpend if qualify.is_some_and(|q| q != "spend") => None,
        Follows::MoneyIfSpend => Some(Follows::Money),
        other => Some(other),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn walk_table(
    table: &mut Table,
    prefix: &str,
    qualify: Option<String>,
    fields: &std::collections::HashMap<String, Follows>,
    conversion: &Conversion,
    converted: &mut Vec<String>,
) {
    let qualify = table
        .get("qualify")
        .and_then(Item::as_str)
        .map(str::to_string)
        .or(qualify);
    rewrite_decor(table.decor_mut(), conversion);
    for (mut key, item) in table.iter_mut() {
        rewrite_decor(key.leaf_decor_mut(), conversion);
        let path = join(prefix, key.get());
        walk_item(item, &path, qualify.clone(), fields, conversion, converted);
    }
}

fn walk_item(
    item: &mut Item,
    path: &str,
    qualify: Option<String>,
    fields: &std::collections::HashMap<String, Follows>,
    conversion: &Conversion,
    converted: &mut Vec<String>,
) {
    match item {
        Item::Table(t) => walk_table(t, path, qualify, fields, conversion, converted),
        Item::ArrayOfTables(a) => {
            for (i, t) in a.iter_mut().enumerate() {
                walk_table(
                    t,
                    &format!("{path}[{i}]"),
                    qualify.clone(),
                    fields,
                    conversion,
                    converted,
                );
            }
        }
        Item::Value(v) => walk_value(v, path, false, qualify, fields, conversion, converted),
        Item::None => {}
    }
}

fn walk_value(
    value: &mut Value,
    path: &str,
    inline: bool,
    qualify: Option<String>,
    fields: &std::collections::HashMap<String, Follows>,
    conversion: &Conversion,
    converted: &mut Vec<String>,
) {
    if let Value::String(s) = value {
        let text = conversion.rewrite_text(s.value());
        if text != *s.value() {
            let decor = s.decor().clone();
            *value = Value::from(text);
            *value.decor_mut() = decor;
        }
        rewrite_decor(value.decor_mut(), conversion);
        return;
    }
    let follows = follows_at(path, qualify.as_deref(), fields);
    match value {
        Value::InlineTable(t) if follows.is_some() && t.contains_key("dist") => {
            // A distribution of money: every parameter is in money.
            let factor = factor(follows, conversion);
            for (k, v) in t.iter_mut() {
                if k != "dist" {
                    scale(v, factor);
                }
            }
            if !inline {
                note(value, conversion);
            }
            converted.push(path.to_string());
        }
        Value::InlineTable(t) => {
            let qualify = t
                .get("qualify")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or(qualify);
            for (k, v) in t.iter_mut() {
                let inner = join(path, &k);
                walk_value(
                    v,
                    &inner,
                    true,
                    qualify.clone(),
                    fields,
                    conversion,
                    converted,
                );
            }
            rewrite_decor(value.decor_mut(), conversion);
        }
        Value::Array(a) => {
            for (i, v) in a.iter_mut().enumerate() {
                let inner = format!("{path}[{i}]");
                walk_value(
                    v,
                    &inner,
                    true,
                    qualify.clone(),
                    fields,
                    conversion,
                    converted,
                );
            }
            rewrite_decor(value.decor_mut(), conversion);
        }
        Value::Integer(_) | Value::Float(_) if follows.is_some() => {
            let was = value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64));
            scale(value, factor(follows, conversion));
            // A value inside an inline table cannot carry a comment.
            if inline {
            } else if follows == Some(Follows::PerMoney) {
                // Its old comment speaks of the template's currency unit, which it no longer
                // counts in.
                let said = format!(
                    "per {}: the template's {} per {}, converted at {}",
                    conversion.to.code,
                    was.unwrap_or(f64::NAN),
                    conversion.from.code,
                    conversion.describe()
                );
                value.decor_mut().set_suffix(format!("    # {said}"));
            } else {
                note(value, conversion);
            }
            converted.push(path.to_string());
        }
        _ => rewrite_decor(value.decor_mut(), conversion),
    }
}

fn factor(follows: Option<Follows>, conversion: &Conversion) -> f64 {
    match follows {
        Some(Follows::PerMoney) => 1.0 / conversion.rate,
        Some(_) => conversion.rate,
        None => 1.0,
    }
}

/// `value` (a number) times `factor`, to nine significant digits (so `1553.04`, not
/// `1553.0400000000002`), decor kept.
fn scale(value: &mut Value, factor: f64) {
    let number = value
        .as_float()
        .or_else(|| value.as_integer().map(|i| i as f64));
    if let Some(v) = number {
        let x = v * factor;
        let x = format!("{x:.8e}").parse().unwrap_or(x);
        let decor = value.decor().clone();
        *value = Value::from(x);
        *value.decor_mut() = decor;
    }
}

/// Rewrites the comment after a converted value, and says it was converted.
fn note(value: &mut Value, conversion: &Conversion) {
    let old = value
        .decor()
        .suffix()
        .and_then(|s| s.as_str())
        .map(|s| s.trim().trim_start_matches('#').trim().to_string())
        .unwrap_or_default();
    let old = conversion.rewrite_text(&old);
    let said = format!(
        "in {}: converted at {}",
        conversion.to.code,
        conversion.describe()
    );
    let comment = if old.is_empty() {
        said
    } else {
        format!("{old}; {said}")
    };
    value.decor_mut().set_suffix(format!("    # {comment}"));
}

/// Rewrites the amounts named in a comment.
fn rewrite_decor(decor: &mut toml_edit::Decor, conversion: &Conversion) {
    for part in [0, 1] {
        let text = if part == 0 {
            decor.prefix()
        } else {
            decor.suffix()
        }
        .and_then(|s| s.as_str())
        .map(str::to_string);
        if let Some(text) = text {
            let new = conversion.rewrite_text(&text);
            if new != text {
                if part == 0 {
                    decor.set_prefix(new);
                } else {
                    decor.set_suffix(new);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur_to_usd(rate: f64) -> Conversion {
        Conversion {
            from: Currency::from_code("EUR").unwrap_or_else(|| unreachable!()),
            to: Currency::from_code("USD").unwrap_or_else(|| unreachable!()),
            rate,
        }
    }

    #[test]
    fn texts_naming_amounts_are_rewritten() {
        let c = eur_to_usd(1.08);
        // 5 × 1.08 = 5.40; 30 × 1.08 = 32.40; 1,000 × 1.08 = 1,080.
        assert_eq!(c.rewrite_text("€5 voucher"), "$5.40 voucher");
        assert_eq!(
            c.rewrite_text("baskets around €30, boxes at €1,000."),
            "baskets around $32.40, boxes at $1,080."
        );
        assert_eq!(
            c.rewrite_text("a point per euro, 2 euros, EUR 3; Europe"),
            "a point per USD, 2 USD, USD 3; Europe"
        );
    }

    #[test]
    fn a_change_of_currency_needs_a_rate_and_the_same_currency_none() {
        let eur = Currency::from_code("EUR").unwrap_or_else(|| unreachable!());
        let usd = Currency::from_code("USD").unwrap_or_else(|| unreachable!());
        assert_eq!(Conversion::between(&eur, &eur, None), Ok(None));
        let missing = Conversion::between(&eur, &usd, None)
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("in USD") && missing.contains("in EUR"),
            "{missing}"
        );
        assert!(missing.contains("--exchange-rate"), "{missing}");
        assert!(Conversion::between(&eur, &usd, Some(0.0)).is_err());
        assert!(Conversion::between(&eur, &eur, Some(1.1)).is_err());
        assert_eq!(
            Conversion::between(&eur, &usd, Some(1.08)),
            Ok(Some(eur_to_usd(1.08)))
        );
    }

    #[test]
    fn money_is_multiplied_rates_per_money_divided_and_purchases_kept() {
        let text = "[program.points]\nearn_rate = 1.0\npoint_cost = { dist = \"uniform\", min = 0.01, max = 0.02 }\n[program.cumulative_discount]\nqualify = \"purchases\"\nthreshold = 4\n[finance]\ncurrency = \"EUR\"\ngross_margin = 0.45\n[finance.investment]\nplatform = 1000\n";
        let out: DocumentMut = convert_text(text, &eur_to_usd(2.0))
            .unwrap_or_default()
            .parse()
            .unwrap_or_default();
        let p = &out["program"]["points"];
        assert_eq!(p["earn_rate"].as_float(), Some(0.5));
        assert_eq!(p["point_cost"]["min"].as_float(), Some(0.02));
        assert_eq!(p["point_cost"]["max"].as_float(), Some(0.04));
        // A threshold in purchases is no money.
        assert_eq!(
            out["program"]["cumulative_discount"]["threshold"].as_integer(),
            Some(4)
        );
        assert_eq!(out["finance"]["gross_margin"].as_float(), Some(0.45));
        assert_eq!(
            out["finance"]["investment"]["platform"].as_float(),
            Some(2000.0)
        );
        assert_eq!(out["finance"]["currency"].as_str(), Some("USD"));
    }
}
