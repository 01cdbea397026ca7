//! Serde mirror of the scenario file, before any checking.
//!
//! Every leaf is kept as a raw TOML value with its byte span, so that a wrong type is not a
//! deserialisation failure but a problem the validator reports with its line, next to all the
//! others. Unknown keys are not rejected here: [`parse`] collects every one of them (with
//! `serde_ignored`) so the validator can report them all, each with the closest valid name.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

/// A leaf value as written in the file, with its span; `None` when the key is absent.
pub type Leaf = Option<Spanned<toml::Value>>;

/// A table as written in the file, with the span of its header (or inline table).
pub type Table<T> = Option<Spanned<T>>;

/// The whole scenario file.
#[derive(Debug, Default, Deserialize)]
pub struct RawScenario {
    /// `[simulation]`: sizes and seed.
    pub simulation: Table<RawSimulation>,
    /// `[population]`: one sub-table per loyalty type.
    pub population: Table<RawPopulation>,
    /// `[program]`: the points rules.
    pub program: Table<RawProgram>,
    /// `[finance]`: money, margin, costs.
    pub finance: Table<RawFinance>,
}

/// `[simulation]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawSimulation {
    /// Number of customers simulated in each trial.
    pub customers: Leaf,
    /// Horizon in months.
    pub months: Leaf,
    /// Number of Monte Carlo trials.
    pub trials: Leaf,
    /// Seed of the random numbers.
    pub seed: Leaf,
}

/// `[population]`: the four loyalty types; an absent type has a share of zero.
#[derive(Debug, Default, Deserialize)]
pub struct RawPopulation {
    /// `[population.true]`.
    #[serde(rename = "true")]
    pub true_loyal: Table<RawType>,
    /// `[population.latent]`.
    pub latent: Table<RawType>,
    /// `[population.false]`.
    #[serde(rename = "false")]
    pub false_loyal: Table<RawType>,
    /// `[population.none]`.
    pub none: Table<RawType>,
}

/// One loyalty type's share and behaviour.
#[derive(Debug, Default, Deserialize)]
pub struct RawType {
    /// Share of the customers of this type.
    pub share: Leaf,
    /// Purchases per month across customers of this type.
    pub purchases_per_month: Table<RawRate>,
    /// Spend per purchase (Gamma-Gamma).
    pub spend_per_purchase: Table<RawSpend>,
    /// Probability per month that a customer lapses for good.
    pub attrition_per_month: Leaf,
    /// Share of the type that joins the program at launch.
    pub enrolment: Leaf,
    /// Relative rise of a member's purchase rate.
    pub frequency_lift: Leaf,
    /// Relative rise of a member's spend per purchase.
    pub basket_lift: Leaf,
    /// Relative fall of a member's monthly attrition.
    pub attrition_reduction: Leaf,
    /// Multiple of the program's goal-gradient strength for this type.
    pub goal_gradient_response: Leaf,
    /// Probability per month that a member who can afford a reward redeems.
    pub redemption_per_month: Leaf,
}

/// `purchases_per_month = { mean = …, cv = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawRate {
    /// Mean purchases per month.
    pub mean: Leaf,
    /// Coefficient of variation across customers.
    pub cv: Leaf,
}

/// `spend_per_purchase = { mean = …, cv_within = …, cv_between = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawSpend {
    /// Mean spend per purchase.
    pub mean: Leaf,
    /// Coefficient of variation of one customer's purchases around their own mean.
    pub cv_within: Leaf,
    /// Coefficient of variation of customers' means.
    pub cv_between: Leaf,
}

/// `[program]`: the points rules.
#[derive(Debug, Default, Deserialize)]
pub struct RawProgram {
    /// Points per currency unit spent.
    pub earn_rate: Leaf,
    /// Cost to the company of one redeemed point.
    pub point_cost: Leaf,
    /// Stand-alone selling price of one point (IFRS 15).
    pub point_value: Leaf,
    /// Points a reward costs.
    pub redemption_threshold: Leaf,
    /// Most points a member can earn in one month.
    pub earn_cap_per_month: Leaf,
    /// Expiry policy.
    pub expiry: Table<RawExpiry>,
    /// Strength of the goal-gradient effect.
    pub goal_gradient: Leaf,
    /// Expected breakage fixed by the user instead of estimated.
    pub breakage: Leaf,
}

/// `expiry = { policy = …, months = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawExpiry {
    /// `"none"`, `"fixed"` or `"inactivity"`.
    pub policy: Leaf,
    /// Months of life or of inactivity.
    pub months: Leaf,
}

/// `[finance]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawFinance {
    /// ISO 4217 code.
    pub currency: Leaf,
    /// Gross margin on sales, as a share.
    pub gross_margin: Leaf,
    /// Annual discount rate for the NPV.
    pub discount_rate: Leaf,
    /// One-time investment items at month 0, name = amount, in file order.
    pub investment: Table<IndexMap<String, Spanned<toml::Value>>>,
    /// Running costs.
    pub running_costs: Table<RawRunningCosts>,
}

/// `[finance.running_costs]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawRunningCosts {
    /// Fixed cost per month.
    pub per_month: Leaf,
    /// Cost per member per month.
    pub per_member: Leaf,
    /// Cost per member transaction.
    pub per_transaction: Leaf,
}

/// The valid keys of the table at `path` (a list of keys from the root), for suggestions.
pub fn known_keys(path: &[String]) -> &'static [&'static str] {
    use serde_aux::serde_introspection::serde_introspect as keys;
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    match parts.as_slice() {
        [] => keys::<RawScenario>(),
        ["simulation"] => keys::<RawSimulation>(),
        ["population"] => keys::<RawPopulation>(),
        ["population", _] => keys::<RawType>(),
        ["population", _, "purchases_per_month"] => keys::<RawRate>(),
        ["population", _, "spend_per_purchase"] => keys::<RawSpend>(),
        ["program"] => keys::<RawProgram>(),
        ["program", "expiry"] => keys::<RawExpiry>(),
        ["finance"] => keys::<RawFinance>(),
        ["finance", "running_costs"] => keys::<RawRunningCosts>(),
        _ => &[],
    }
}
