//! Changing one field of a scenario's TOML text in place, keeping its comments and layout
//! (toml_edit): what the page's form does to the file it came from, so the TOML it downloads
//! is still the user's file, comments and all.

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

/// Sets the field at `path` (dotted, `[i]` for list entries, e.g.
/// `program.points.rewards[0].cost`) to `value` in `text`, or removes it when `value` is
/// `None`. Missing tables on the way are created.
pub(crate) fn set_field(text: &str, path: &str, value: Option<Value>) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!("the scenario is not valid TOML: {}", e.message())
    })?;
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("`{path}` is not a field path"));
    }
    set_in(doc.as_table_mut(), &parts, value, true)?;
    Ok(doc.to_string())
}

/// `rewards[2]` → ("rewards", Some(2)).
fn split_index(part: &str) -> Result<(&str, Option<usize>), String> {
    match part.split_once('[') {
        None => Ok((part, None)),
        Some((key, rest)) => rest
            .strip_suffix(']')
            .and_then(|i| i.parse().ok())
            .map(|i| (key, Some(i)))
            .ok_or_else(|| format!("`{part}` is not `name[index]`")),
    }
}

fn set_in(
    table: &mut dyn TableLike,
    parts: &[&str],
    value: Option<Value>,
    standard: bool,
) -> Result<(), String> {
    let Some((first, rest)) = parts.split_first() else {
        return Err("empty field path".into());
    };
    let (key, index) = split_index(first)?;
    if rest.is_empty() {
        if index.is_some() {
            return Err(format!("`{first}` is a list entry, not a field"));
        }
        match value {
            None => {
                table.remove(key);
            }
            Some(mut new) => match table.get_mut(key) {
                Some(Item::Value(old)) => {
                    // Keep the comment after the value and the spacing around it.
                    *new.decor_mut() = old.decor().clone();
                    *old = new;
                }
                Some(_) => return Err(format!("`{key}` is a table, not a value")),
                None => {
                    table.insert(key, Item::Value(new));
                }
            },
        }
        return Ok(());
    }
    match index {
        None => {
            if table.get(key).is_none() {
                if value.is_none() {
                    return Ok(());
                }
                let item = if standard {
                    Item::Table(Table::new())
                } else {
                    Item::Value(Value::InlineTable(InlineTable::new()))
                };
                table.insert(key, item);
            }
            let item = table
                .get_mut(key)
                .ok_or_else(|| format!("`{key}` cannot be created"))?;
            let standard = item.is_table();
            let child = item
                .as_table_like_mut()
                .ok_or_else(|| format!("`{key}` is a value, not a table"))?;
            set_in(child, rest, value, standard)
        }
        Some(i) => match table.get_mut(key) {
            Some(Item::ArrayOfTables(list)) => {
                let len = list.len();
                let t = list
                    .get_mut(i)
                    .ok_or_else(|| format!("`{key}` has {len} entries, counted from 0"))?;
                set_in(t, rest, value, true)
            }
            Some(Item::Value(Value::Array(list))) => {
                let len = list.len();
                match list.get_mut(i) {
                    Some(Value::InlineTable(t)) => set_in(t, rest, value, false),
                    Some(_) => Err(format!("`{first}` is not a table")),
                    None => Err(format!("`{key}` has {len} entries, counted from 0")),
                }
            }
            _ => Err(format!("there is no list of tables `{key}`")),
        },
    }
}

/// A JSON value from the page as a TOML value: numbers (whole numbers as integers), texts,
/// booleans, and tables of them (a distribution). `null` means "remove the field".
pub(crate) fn toml_value(json: &serde_json::Value) -> Result<Option<Value>, String> {
    Ok(match json {
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) => Some(Value::from(*b)),
        serde_json::Value::Number(n) => Some(match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64().ok_or("a number too large")?),
        }),
        serde_json::Value::String(s) => Some(Value::from(s.as_str())),
        serde_json::Value::Object(map) => {
            let mut t = InlineTable::new();
            for (k, v) in map {
                match toml_value(v)? {
                    Some(v) => {
                        t.insert(k, v);
                    }
                    None => return Err(format!("`{k}`: a table's entry cannot be empty")),
                }
            }
            Some(Value::InlineTable(t))
        }
        serde_json::Value::Array(_) => return Err("a list cannot be set from the form".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# head\n[program.instant_discount]\nrate = 0.05   # five percent\nmin_basket = 20\n\n[population.true]\npurchases_per_month = { mean = 2.5, cv = 0.5 }\n";

    #[test]
    fn a_value_is_replaced_with_its_comment_kept() {
        let out = set_field(
            TEXT,
            "program.instant_discount.rate",
            Some(Value::from(0.08)),
        )
        .unwrap();
        assert!(out.contains("rate = 0.08   # five percent\n"), "{out}");
        assert!(out.starts_with("# head\n"), "{out}");
    }

    #[test]
    fn inline_tables_and_new_tables_are_reached() {
        let out = set_field(
            TEXT,
            "population.true.purchases_per_month.cv",
            Some(Value::from(1)),
        )
        .unwrap();
        assert!(out.contains("{ mean = 2.5, cv = 1 }"), "{out}");
        let out = set_field(TEXT, "program.exit.month", Some(Value::from(24))).unwrap();
        let doc: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(doc["program"]["exit"]["month"].as_integer(), Some(24));
        let out = set_field(TEXT, "program.instant_discount.min_basket", None).unwrap();
        assert!(!out.contains("min_basket"), "{out}");
    }

    #[test]
    fn wrong_paths_are_refused_not_panicked() {
        for path in [
            "",
            "a..b",
            "program.instant_discount.rate.x",
            "x[3].y",
            "a[b]",
        ] {
            assert!(
                set_field(TEXT, path, Some(Value::from(1))).is_err(),
                "{path}"
            );
        }
        assert!(set_field("[a", "a.b", Some(Value::from(1))).is_err());
    }
}
