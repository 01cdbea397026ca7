//! The scenarios shipped with the program (`scenarios/`, compiled in): the templates of
//! `loyalty-sim init` and the designs the workbench opens without a file.

/// One shipped scenario.
#[derive(Debug, Clone, Copy)]
pub struct Shipped {
    /// Its name: the file's stem, e.g. `retail_points`.
    pub name: &'static str,
    /// Its path in the source tree, e.g. `scenarios/retail_points.toml`.
    pub path: &'static str,
    /// The file's text, comments included.
    pub text: &'static str,
}

macro_rules! shipped {
    ($($name:literal),* $(,)?) => {
        &[$(Shipped {
            name: $name,
            path: concat!("scenarios/", $name, ".toml"),
            text: include_str!(concat!("../scenarios/", $name, ".toml")),
        }),*]
    };
}

/// Every scenario in `scenarios/` (a test keeps the list equal to the folder).
pub const SCENARIOS: &[Shipped] = shipped![
    "retail_points",
    "retail_instant_discount",
    "retail_cumulative_discount",
    "retail_tiers",
    "retail_hybrid",
    "retail_points_uncertain",
    "retail_points_ended",
    "retail_status",
    "retail_prizes",
    "retail_dated_offers",
    "retail_discount_no_downsides",
    "retail_rfm_targeted",
    "retail_coalition",
    "retail_committed",
    "coffee_points",
    "grocery_points",
    "discount_trap",
    "reference",
];

/// The template `init` writes when none is named.
pub const DEFAULT_TEMPLATE: &str = "retail_points";

/// The shipped scenario called `name`.
pub fn find(name: &str) -> Option<&'static Shipped> {
    SCENARIOS.iter().find(|s| s.name == name)
}

/// The text `loyalty-sim init` writes: the template, headed by how to run it and how to get
/// an editor to check it.
pub fn starter(template: &Shipped, file_name: &str) -> String {
    let body: String = template
        .text
        .lines()
        // The template's own "Run it" line names the source tree; the header says it instead.
        .filter(|line| !line.trim_start().starts_with("# Run it:"))
        .map(|line| format!("{line}\n"))
        .collect();
    format!(
        "# Starter scenario written by `loyalty-sim init` from the template {name:?}.\n\
         #\n\
         # Check it:  loyalty-sim validate {file_name}\n\
         # Run it:    loyalty-sim run {file_name}\n\
         # Editors:   `loyalty-sim schema > scenario.schema.json`, then make the first line of this\n\
         #            file `#:schema ./scenario.schema.json` (Taplo / Even Better TOML check and\n\
         #            complete every field).\n\
         #\n\
         {body}",
        name = template.name,
    )
}
