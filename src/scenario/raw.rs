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

/// An array of tables (`[[…]]`), each kept with its span.
pub type TableArray<T> = Option<Spanned<Vec<Spanned<T>>>>;

/// The whole scenario file.
#[derive(Debug, Default, Deserialize)]
pub struct RawScenario {
    /// The scenario's name: the title of its reports, and a design's name in comparisons.
    pub name: Leaf,
    /// What the scenario is, in a sentence or two, under the title of its reports.
    pub description: Leaf,
    /// `[simulation]`: sizes and seed.
    pub simulation: Table<RawSimulation>,
    /// `[population]`: one sub-table per loyalty type, and type transitions.
    pub population: Table<RawPopulation>,
    /// `[program]`: the design.
    pub program: Table<RawProgram>,
    /// `[market]`: competitors and dissatisfaction.
    pub market: Table<RawMarket>,
    /// `[acquisition]`: new customers.
    pub acquisition: Table<RawAcquisition>,
    /// `[finance]`: money, margin, costs.
    pub finance: Table<RawFinance>,
    /// `[risk]`: how the uncertain inputs are drawn together, and the loss to report.
    pub risk: Table<RawRisk>,
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
    /// Calendar month of the first simulated month (1 = January).
    pub launch_month: Leaf,
}

/// `[population]`: the four loyalty types and the optional committed type; an absent type has
/// a share of zero.
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
    /// `[population.committed]`: optional; without it no customer is ever committed.
    pub committed: Table<RawType>,
    /// `[population.transitions]`: monthly type changes without the program.
    pub transitions: Table<RawTransitions>,
    /// `[population.member_transitions]`: monthly type changes of members.
    pub member_transitions: Table<RawTransitions>,
    /// How much more light buyers rise than heavy ones.
    pub headroom: Leaf,
    /// `[population.rfm]`: where frequent and large begin.
    pub rfm: Table<RawRfm>,
}

/// `[population.rfm]`: the thresholds of the four RFM groups.
#[derive(Debug, Default, Deserialize)]
pub struct RawRfm {
    /// Purchases per month from which a customer is frequent.
    pub frequent_from: Leaf,
    /// Mean spend per purchase from which a customer is large.
    pub large_from: Leaf,
}

/// `only = { types = […], groups = […], tier = … }`: the members a component or offer is for.
#[derive(Debug, Default, Deserialize)]
pub struct RawOnly {
    /// Loyalty types covered.
    pub types: Leaf,
    /// RFM groups covered.
    pub groups: Leaf,
    /// Lowest tier covered.
    pub tier: Leaf,
}

/// `[[program.offers]]`: bonus points and a discount on chosen items for some members.
#[derive(Debug, Default, Deserialize)]
pub struct RawOffer {
    /// Name.
    pub name: Leaf,
    /// Who gets it.
    pub only: Table<RawOnly>,
    /// Share of the basket the chosen items make.
    pub basket_share: Leaf,
    /// Extra points per currency unit spent on the chosen items.
    pub bonus_points: Leaf,
    /// Extra discount on the chosen items.
    pub discount: Leaf,
    /// `when = { … }`: the purchases it applies to (absent: all).
    pub when: Table<RawWhen>,
}

/// `when = { birthday = true }`, `{ months = […] }` or `{ share_of_purchases = … }`: when a
/// dated offer applies.
#[derive(Debug, Default, Deserialize)]
pub struct RawWhen {
    /// In each member's birthday month.
    pub birthday: Leaf,
    /// In these calendar months (1 = January).
    pub months: Leaf,
    /// On this share of a member's purchases.
    pub share_of_purchases: Leaf,
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
    /// `response = { … }`: how the type responds to what a design is worth to them.
    pub response: Table<RawResponseCurves>,
    /// Fixed-lift form: share of the type that joins (the enrolment curve's maximum, a step).
    pub enrolment: Leaf,
    /// Fixed-lift form: relative rise of a member's purchase rate.
    pub frequency_lift: Leaf,
    /// Fixed-lift form: relative rise of a member's spend per purchase.
    pub basket_lift: Leaf,
    /// Fixed-lift form: relative fall of a member's monthly attrition.
    pub attrition_reduction: Leaf,
    /// Multiple of the program's goal-gradient strength for this type.
    pub goal_gradient_response: Leaf,
    /// Probability per month that a member who can afford a reward redeems.
    pub redemption_per_month: Leaf,
    /// Pull of competitor promotions on this type.
    pub competitor_sensitivity: Leaf,
    /// New customers brought per customer per month.
    pub word_of_mouth: Leaf,
    /// Change of former members' purchase rate after the program ends.
    pub exit_reaction: Leaf,
}

/// `[population.<type>.response]`: the type's response curves.
#[derive(Debug, Default, Deserialize)]
pub struct RawResponseCurves {
    /// Most relative rise of the purchase rate.
    pub frequency: Leaf,
    /// Most relative rise of the spend per purchase.
    pub basket: Leaf,
    /// Most relative fall of monthly attrition.
    pub retention: Leaf,
    /// Most share of a competitor promotion's pull taken away.
    pub insulation: Leaf,
    /// Most share of the type that joins.
    pub enrolment: Leaf,
    /// Value giving half of each maximum.
    pub half: Leaf,
    /// Shape of the curves.
    pub shape: Leaf,
    /// Value giving half the most enrolment.
    pub enrolment_half: Leaf,
    /// Monthly delay discount.
    pub delay_discount: Leaf,
    /// Months a member looks ahead.
    pub horizon_months: Leaf,
    /// Balance (in months of spend) giving half the most protection.
    pub stake_half: Leaf,
}

/// `purchases_per_month = { mean = …, cv = …, timing = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawRate {
    /// Mean purchases per month.
    pub mean: Leaf,
    /// Coefficient of variation across customers.
    pub cv: Leaf,
    /// `"random"` or `"regular"`.
    pub timing: Leaf,
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

/// A value per loyalty type, e.g. `{ true = 0.1, none = 0.9 }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawTypeValues {
    /// For true loyalty.
    #[serde(rename = "true")]
    pub true_loyal: Leaf,
    /// For latent loyalty.
    pub latent: Leaf,
    /// For false loyalty.
    #[serde(rename = "false")]
    pub false_loyal: Leaf,
    /// For no loyalty.
    pub none: Leaf,
    /// For committed loyalty (only with `[population.committed]`).
    pub committed: Leaf,
}

/// Rows of a transition matrix: for each type of origin, the monthly probabilities of
/// moving to each other type.
#[derive(Debug, Default, Deserialize)]
pub struct RawTransitions {
    /// From true loyalty.
    #[serde(rename = "true")]
    pub true_loyal: Table<RawTypeValues>,
    /// From latent loyalty.
    pub latent: Table<RawTypeValues>,
    /// From false loyalty.
    #[serde(rename = "false")]
    pub false_loyal: Table<RawTypeValues>,
    /// From no loyalty.
    pub none: Table<RawTypeValues>,
    /// From committed loyalty (only with `[population.committed]`).
    pub committed: Table<RawTypeValues>,
}

/// `[program]`: the design and the rules its components share.
#[derive(Debug, Default, Deserialize)]
pub struct RawProgram {
    /// Strength of the goal-gradient effect.
    pub goal_gradient: Leaf,
    /// Most reward value per member per month.
    pub reward_cap_per_member_per_month: Leaf,
    /// Months over which launch members join.
    pub enrolment_ramp_months: Leaf,
    /// Chance that a customer who would join signs up at a given visit.
    pub joining_per_visit: Leaf,
    /// The design's scaling of the response curves' maxima.
    pub response: Table<RawResponse>,
    /// How members lose interest without rewards.
    pub disengagement: Table<RawDisengagement>,
    /// `[program.points]`.
    pub points: Table<RawPoints>,
    /// `[program.instant_discount]`.
    pub instant_discount: Table<RawInstantDiscount>,
    /// `[program.cumulative_discount]`.
    pub cumulative_discount: Table<RawCumulativeDiscount>,
    /// `[program.tiers]`.
    pub tiers: Table<RawTiers>,
    /// `[program.exit]`.
    pub exit: Table<RawExit>,
    /// `[program.privileges]`.
    pub privileges: Table<RawPrivileges>,
    /// `[program.prizes]`.
    pub prizes: Table<RawPrizes>,
    /// `[[program.offers]]`.
    pub offers: TableArray<RawOffer>,
    /// `[program.bystanders]`: how customers who are not members react.
    pub bystanders: Table<RawBystanders>,
    /// `[program.disappointment]`: how members react to a threshold they missed.
    pub disappointment: Table<RawDisappointment>,
}

/// `[program.bystanders]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawBystanders {
    /// Fall of a bystander's purchase rate per unit of the members' visible advantage.
    pub rate_cut: Leaf,
    /// Rise of a bystander's attrition per unit of that advantage.
    pub attrition_rise: Leaf,
    /// Weight of a cumulative discount's rate in the visible advantage.
    pub certificate_visibility: Leaf,
}

/// `[program.disappointment]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawDisappointment {
    /// Fall of the purchase rate in the months after a miss.
    pub rate_cut: Leaf,
    /// Rise of attrition in the months after a miss.
    pub attrition_rise: Leaf,
    /// Months the reaction lasts.
    pub months: Leaf,
    /// Share of a cumulative discount's threshold from which falling short is a miss.
    pub near: Leaf,
}

/// `[program.prizes]`: a prize draw on member purchases.
#[derive(Debug, Default, Deserialize)]
pub struct RawPrizes {
    /// Chance that a member purchase wins.
    pub chance_per_purchase: Leaf,
    /// Cost of one prize.
    pub prize_cost: Leaf,
    /// Money value of one prize to the member.
    pub prize_value: Leaf,
    /// Extra value of a chance of a prize over its expected money value.
    pub emotional_premium: Leaf,
    /// Points a member spends on one entry to the draw.
    pub entry_points: Leaf,
    /// Chance that an entry bought with points wins.
    pub chance_per_entry: Leaf,
    /// Chance a month that a member who can buy an entry and no reward buys one.
    pub entry_chance_per_month: Leaf,
    /// Who takes part.
    pub only: Table<RawOnly>,
}

/// `[program.privileges]`: non-material privileges and how they attach members.
#[derive(Debug, Default, Deserialize)]
pub struct RawPrivileges {
    /// Most monthly chance of moving up in attitude at full value, by type.
    pub attachment: Table<RawTypeValues>,
    /// Value giving half the most attachment.
    pub attachment_half: Leaf,
    /// `[[program.privileges.items]]`.
    pub items: TableArray<RawPrivilege>,
}

/// `[[program.privileges.items]]`: one privilege.
#[derive(Debug, Default, Deserialize)]
pub struct RawPrivilege {
    /// Name.
    pub name: Leaf,
    /// `"all"` or the name of the lowest tier that gets it.
    pub reach: Leaf,
    /// Value to a member who weighs it fully, as a share of their spend.
    pub value: Leaf,
    /// Weight of that value by type.
    pub weight: Table<RawTypeValues>,
    /// Cost per member reached per month.
    pub cost_per_member_per_month: Leaf,
    /// Mean uses per member reached per month.
    pub uses_per_member_per_month: Leaf,
    /// Cost per use.
    pub cost_per_use: Leaf,
    /// One-time set-up cost.
    pub set_up: Leaf,
    /// Which types and RFM groups get it.
    pub only: Table<RawOnly>,
}

/// `response = { frequency = …, basket = …, retention = …, attachment = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawResponse {
    /// Share of the frequency lift.
    pub frequency: Leaf,
    /// Share of the basket lift.
    pub basket: Leaf,
    /// Share of the attrition reduction.
    pub retention: Leaf,
    /// Share of the members' extra type changes.
    pub attachment: Leaf,
}

/// `disengagement = { patience_months = …, decay_per_month = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawDisengagement {
    /// Months engaged without a reward.
    pub patience_months: Leaf,
    /// Share of the effect lost per month after that.
    pub decay_per_month: Leaf,
}

/// `[program.points]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawPoints {
    /// Points per currency unit spent.
    pub earn_rate: Leaf,
    /// Most points a member can earn from purchases in a month.
    pub earn_cap_per_month: Leaf,
    /// Expiry policy.
    pub expiry: Table<RawExpiry>,
    /// Points one reward costs (a single reward; or give `rewards`).
    pub redemption_threshold: Leaf,
    /// Cost to the company of one point.
    pub point_cost: Leaf,
    /// Stand-alone selling price of one point (IFRS 15).
    pub point_value: Leaf,
    /// The reward catalogue.
    pub rewards: TableArray<RawReward>,
    /// Rule for choosing among affordable rewards.
    pub choice: Leaf,
    /// Expected breakage fixed by the user.
    pub breakage: Leaf,
    /// Later estimates of the stated breakage, each from a month end on.
    pub breakage_revisions: TableArray<RawBreakageRevision>,
    /// Earning at partners.
    pub partner: Table<RawPartner>,
    /// Points for engagement.
    pub engagement: Table<RawEngagement>,
    /// Points for referrals.
    pub referral: Table<RawReferral>,
    /// Share of reward cost paid by suppliers.
    pub supplier_funded_share: Leaf,
    /// Who earns points.
    pub only: Table<RawOnly>,
    /// Most points a member may hold.
    pub balance_cap: Leaf,
    /// Points credited when a member joins.
    pub signup_bonus: Leaf,
}

/// `[[program.points.rewards]]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawReward {
    /// Name.
    pub name: Leaf,
    /// Price in points.
    pub points: Leaf,
    /// Cost to the company.
    pub cost: Leaf,
    /// Value to the member.
    pub value: Leaf,
    /// Relative appeal.
    pub appeal: Leaf,
}

/// `[[program.points.breakage_revisions]]`: a revised estimate of the stated breakage.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBreakageRevision {
    /// Month at whose end the estimate is revised.
    pub month: Leaf,
    /// The breakage expected from then on.
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

/// `partner = { points_per_member_per_month = …, price_per_point = …, … }`: partners and a
/// coalition.
#[derive(Debug, Default, Deserialize)]
pub struct RawPartner {
    /// Mean partner points per member per month.
    pub points_per_member_per_month: Leaf,
    /// Price the partner pays per point.
    pub price_per_point: Leaf,
    /// Share of the points redeemed that are redeemed at partners.
    pub redeemed_share: Leaf,
    /// Price the program pays a partner per point redeemed there.
    pub settlement_per_point: Leaf,
    /// Share of the running costs borne by the partners.
    pub running_cost_share: Leaf,
    /// One-time cost of winding down the partner agreements when the program ends.
    pub wind_down_cost: Leaf,
}

/// `engagement = { actions_per_member_per_month = …, points_per_action = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawEngagement {
    /// Mean rewarded actions per member per month.
    pub actions_per_member_per_month: Leaf,
    /// Points per action.
    pub points_per_action: Leaf,
}

/// `referral = { per_member_per_month = …, points = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawReferral {
    /// Mean referrals per member per month.
    pub per_member_per_month: Leaf,
    /// Points per referral.
    pub points: Leaf,
}

/// `[program.instant_discount]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawInstantDiscount {
    /// Discount rate.
    pub rate: Leaf,
    /// Smallest basket discounted.
    pub min_basket: Leaf,
    /// Higher rates for larger baskets.
    pub bands: TableArray<RawBand>,
    /// The reference-price effect when the discount ends.
    pub reference_price: Table<RawReferencePrice>,
    /// Share of the discount's value that shields a member from a competitor promotion.
    pub insulation: Leaf,
    /// Who gets the discount.
    pub only: Table<RawOnly>,
}

/// `reference_price = { loss = …, memory = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawReferencePrice {
    /// Fall of the purchase rate per unit of relative price rise over the reference.
    pub loss: Leaf,
    /// Share of the gap remembered a month later.
    pub memory: Leaf,
}

/// `bands = [{ from = …, rate = … }]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawBand {
    /// Basket size from which the rate applies.
    pub from: Leaf,
    /// The rate.
    pub rate: Leaf,
}

/// `[program.cumulative_discount]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawCumulativeDiscount {
    /// Period length in months.
    pub period_months: Leaf,
    /// `"spend"` or `"purchases"`.
    pub qualify: Leaf,
    /// Threshold in the period.
    pub threshold: Leaf,
    /// Certificate value as a share of the period's spend.
    pub rate: Leaf,
    /// Or a fixed certificate value, in currency.
    pub amount: Leaf,
    /// Months a certificate is valid.
    pub validity_months: Leaf,
    /// Expected breakage fixed by the user.
    pub breakage: Leaf,
    /// Who earns certificates.
    pub only: Table<RawOnly>,
}

/// `[program.tiers]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawTiers {
    /// `"spend"` or `"purchases"`.
    pub qualify: Leaf,
    /// Rolling window in months.
    pub window_months: Leaf,
    /// Months between reviews.
    pub review_every_months: Leaf,
    /// The tiers.
    pub levels: TableArray<RawLevel>,
    /// Who gets the tiers' discounts.
    pub only: Table<RawOnly>,
    /// Share of a tier discount's value that shields a member from a competitor.
    pub insulation: Leaf,
}

/// `[[program.tiers.levels]]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawLevel {
    /// Name.
    pub name: Leaf,
    /// Qualifying rolling total.
    pub threshold: Leaf,
    /// Discount rate in the tier.
    pub discount: Leaf,
    /// Points multiplier in the tier.
    pub points_multiplier: Leaf,
}

/// `[program.exit]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawExit {
    /// First month without the program.
    pub month: Leaf,
    /// Months of grace for redemption.
    pub grace_months: Leaf,
    /// `"honour"` or `"cash"`.
    pub settlement: Leaf,
    /// Closing cost.
    pub cost: Leaf,
}

/// `[market]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawMarket {
    /// `[market.competitor]`.
    pub competitor: Table<RawCompetitor>,
    /// `[market.copycat]`.
    pub copycat: Table<RawCopycat>,
    /// `[market.dissatisfaction]`.
    pub dissatisfaction: Table<RawDissatisfaction>,
}

/// `[market.competitor]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawCompetitor {
    /// Promotions per year.
    pub promotions_per_year: Leaf,
    /// Or the month of one planned promotion.
    pub month: Leaf,
    /// Duration range in months.
    pub duration_months: Table<RawRange>,
    /// Strength range.
    pub strength: Table<RawRange>,
    /// Monthly defection probability of a fully sensitive customer at full strength.
    pub defection: Leaf,
}

/// `{ min = …, max = … }`.
#[derive(Debug, Default, Deserialize)]
pub struct RawRange {
    /// Lower end.
    pub min: Leaf,
    /// Upper end.
    pub max: Leaf,
}

/// `[market.copycat]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawCopycat {
    /// Fixed month of the copy.
    pub month: Leaf,
    /// Or its probability per year.
    pub probability_per_year: Leaf,
    /// Share of the program's effect it takes away.
    pub erosion: Leaf,
}

/// `[market.dissatisfaction]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawDissatisfaction {
    /// Probability of a bad experience per customer per month.
    pub per_month: Leaf,
    /// Share who leave silently.
    pub silent_share: Leaf,
    /// Prospects deterred per dissatisfied customer.
    pub deterred_prospects: Leaf,
}

/// `[acquisition]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawAcquisition {
    /// Base arrivals per month.
    pub per_month: Leaf,
    /// Type mix of new customers.
    pub mix: Table<RawTypeValues>,
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
        ["population", "transitions" | "member_transitions"] => keys::<RawTransitions>(),
        ["population", "rfm"] => keys::<RawRfm>(),
        ["population", "transitions" | "member_transitions", _] => keys::<RawTypeValues>(),
        ["population", _] => keys::<RawType>(),
        ["population", _, "purchases_per_month"] => keys::<RawRate>(),
        ["population", _, "spend_per_purchase"] => keys::<RawSpend>(),
        ["population", _, "response"] => keys::<RawResponseCurves>(),
        ["program"] => keys::<RawProgram>(),
        ["program", "response"] => keys::<RawResponse>(),
        ["program", "disengagement"] => keys::<RawDisengagement>(),
        ["program", "points"] => keys::<RawPoints>(),
        ["program", "points", "expiry"] => keys::<RawExpiry>(),
        ["program", "points", "rewards", _] => keys::<RawReward>(),
        ["program", "points", "partner"] => keys::<RawPartner>(),
        ["program", "points", "engagement"] => keys::<RawEngagement>(),
        ["program", "points", "referral"] => keys::<RawReferral>(),
        ["program", "instant_discount"] => keys::<RawInstantDiscount>(),
        ["program", "instant_discount", "bands", _] => keys::<RawBand>(),
        ["program", "cumulative_discount"] => keys::<RawCumulativeDiscount>(),
        ["program", "tiers"] => keys::<RawTiers>(),
        ["program", "tiers", "levels", _] => keys::<RawLevel>(),
        ["program", "exit"] => keys::<RawExit>(),
        ["program", "privileges"] => keys::<RawPrivileges>(),
        ["program", "prizes"] => keys::<RawPrizes>(),
        ["program", "bystanders"] => keys::<RawBystanders>(),
        ["program", "disappointment"] => keys::<RawDisappointment>(),
        ["program", "offers", _] => keys::<RawOffer>(),
        ["program", "offers", _, "when"] => keys::<RawWhen>(),
        [
            "program",
            "points" | "instant_discount" | "cumulative_discount" | "prizes" | "tiers",
            "only",
        ]
        | ["program", "privileges", "items", _, "only"]
        | ["program", "offers", _, "only"] => keys::<RawOnly>(),
        ["program", "privileges", "attachment"] => keys::<RawTypeValues>(),
        ["program", "privileges", "items", _] => keys::<RawPrivilege>(),
        ["program", "privileges", "items", _, "weight"] => keys::<RawTypeValues>(),
        ["program", "instant_discount", "reference_price"] => keys::<RawReferencePrice>(),
        ["market"] => keys::<RawMarket>(),
        ["market", "competitor"] => keys::<RawCompetitor>(),
        ["market", "competitor", "duration_months" | "strength"] => keys::<RawRange>(),
        ["market", "copycat"] => keys::<RawCopycat>(),
        ["market", "dissatisfaction"] => keys::<RawDissatisfaction>(),
        ["acquisition"] => keys::<RawAcquisition>(),
        ["acquisition", "mix"] => keys::<RawTypeValues>(),
        ["finance"] => keys::<RawFinance>(),
        ["finance", "running_costs"] => keys::<RawRunningCosts>(),
        ["risk"] => keys::<RawRisk>(),
        ["risk", "correlation"] => keys::<RawCorrelation>(),
        _ => &[],
    }
}

/// `[risk]`.
#[derive(Debug, Default, Deserialize)]
pub struct RawRisk {
    /// `"random"` or `"latin_hypercube"`.
    pub sampling: Leaf,
    /// The loss whose probability is reported (a positive amount).
    pub loss_limit: Leaf,
    /// `[risk.correlation]`.
    pub correlation: Table<RawCorrelation>,
}

/// `[risk.correlation]`: rank correlations between uncertain inputs.
#[derive(Debug, Default, Deserialize)]
pub struct RawCorrelation {
    /// Paths of the uncertain inputs, in the matrix's order.
    pub inputs: Option<Spanned<RawList>>,
    /// The matrix, one list per row.
    pub matrix: Option<Spanned<RawList>>,
}

/// A value that should be a list, each entry kept with its span (so a problem in one entry or
/// one row of a matrix points at it); anything else is kept as what was found.
#[derive(Debug)]
pub enum RawList {
    /// A list, entry by entry.
    List(Vec<Spanned<toml::Value>>),
    /// Not a list: what was found, as a message says it (e.g. "found 5").
    Other(String),
}

impl<'de> Deserialize<'de> for RawList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawList;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<RawList, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = a.next_element::<Spanned<toml::Value>>()? {
                    items.push(item);
                }
                Ok(RawList::List(items))
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawList, E> {
                Ok(RawList::Other(format!("found the boolean {v}")))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawList, E> {
                Ok(RawList::Other(format!("found {v}")))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawList, E> {
                Ok(RawList::Other(format!("found {v}")))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawList, E> {
                Ok(RawList::Other(format!("found {v}")))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawList, E> {
                Ok(RawList::Other(format!("found the text {v:?}")))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<RawList, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(RawList::Other("found a table".into()))
            }
        }
        d.deserialize_any(Visitor)
    }
}
