//! Lesson "rfm": the customers' first year without the program sorts them by recency,
//! frequency and monetary value into the four groups of DOMAIN §2; the points program then
//! shows what each group is worth to it, and the loyalty types show what RFM cannot see.

use super::{Facts, LessonError, Prepared, Section, Story, Table};
use crate::calibrate::rfm::Group;
use crate::model::population::LoyaltyType;
use crate::report::chart::{Scale, palette};

/// Months read to sort the customers: the first year.
const YEAR: usize = 12;

/// One customer of one trial.
struct Record {
    loyalty_type: usize,
    /// Purchases in year one, without the program.
    purchases: u64,
    /// Sales in year one, without the program.
    revenue: f64,
    /// Months since the last purchase at the end of year one.
    recency: f64,
    /// Margin the program adds less the rewards it pays this customer, over the horizon.
    net: f64,
    /// Rewards paid to this customer, over the horizon.
    rewards: f64,
}

pub(super) fn teach(lesson: &Prepared, facts: &mut Facts) -> Result<Story, LessonError> {
    let scenario = lesson.scenario();
    let c = scenario.finance.currency.clone();
    let months = scenario.simulation.months as usize;
    let margin = scenario.finance.gross_margin;
    let records = lesson.fold(
        Vec::new,
        |acc: &mut Vec<Record>, customer| {
            let mut record = Record {
                loyalty_type: customer.loyalty_type,
                purchases: 0,
                revenue: 0.0,
                recency: YEAR as f64,
                net: 0.0,
                rewards: 0.0,
            };
            for m in 0..months {
                let month = customer.month(m);
                if m < YEAR {
                    record.purchases += month.purchases[0];
                    record.revenue += month.revenue[0];
                    if month.purchases[0] > 0 {
                        record.recency = (YEAR - 1 - m) as f64;
                    }
                }
                record.net += margin * (month.revenue[1] - month.revenue[0]) - month.rewards;
                record.rewards += month.rewards;
            }
            acc.push(record);
        },
        |all, part| all.extend(part),
    )?;
    let records: Vec<&Record> = records.iter().collect();
    let buyers: Vec<&Record> = records
        .iter()
        .copied()
        .filter(|r| r.purchases > 0)
        .collect();
    // The thresholds the calibration uses: frequent means more purchases than the median
    // customer, large an average purchase at or above the median.
    let mut counts: Vec<u64> = buyers.iter().map(|r| r.purchases).collect();
    counts.sort_unstable();
    let frequent_from = counts.get(counts.len() / 2).copied().unwrap_or(0) + 1;
    let mut spends: Vec<f64> = buyers
        .iter()
        .map(|r| r.revenue / r.purchases as f64)
        .collect();
    spends.sort_by(f64::total_cmp);
    let large_from = spends.get(spends.len() / 2).copied().unwrap_or(0.0);
    let group_of = |r: &Record| match (
        r.purchases >= frequent_from,
        r.revenue / r.purchases as f64 >= large_from,
    ) {
        (false, false) => Group::RareSmall,
        (true, false) => Group::FrequentSmall,
        (false, true) => Group::RareLarge,
        (true, true) => Group::FrequentLarge,
    };
    let total_revenue: f64 = buyers.iter().map(|r| r.revenue).sum();
    let key = |g: Group| g.label().replace(", ", "_");
    let mut rows = Vec::new();
    let mut type_rows = Vec::new();
    let mut shares = (Vec::new(), Vec::new());
    let mut mix = [[0.0; 4]; 4];
    let mut nets = Vec::new();
    let mut strategies = Vec::new();
    for (gi, g) in Group::ALL.into_iter().enumerate() {
        let members: Vec<&Record> = buyers
            .iter()
            .copied()
            .filter(|r| group_of(r) == g)
            .collect();
        let n = members.len().max(1) as f64;
        let k = key(g);
        let customer_share = members.len() as f64 / buyers.len().max(1) as f64;
        let revenue_share =
            members.iter().map(|r| r.revenue).sum::<f64>() / total_revenue.max(f64::MIN_POSITIVE);
        let purchases = members.iter().map(|r| r.purchases as f64).sum::<f64>() / n;
        let spend = members.iter().map(|r| r.revenue).sum::<f64>()
            / members
                .iter()
                .map(|r| r.purchases as f64)
                .sum::<f64>()
                .max(1.0);
        let recency = members.iter().map(|r| r.recency).sum::<f64>() / n;
        let net = members.iter().map(|r| r.net).sum::<f64>() / n;
        let rewards = members.iter().map(|r| r.rewards).sum::<f64>() / n;
        facts.money(format!("rewards_per_customer_{k}"), &c, rewards);
        strategies.push(format!("{}: {}.", g.label(), g.strategy()));
        shares.0.push(customer_share);
        shares.1.push(revenue_share);
        nets.push(net);
        rows.push(vec![
            g.label().to_string(),
            facts.percent(format!("customer_share_{k}"), customer_share, 0),
            facts.percent(format!("revenue_share_{k}"), revenue_share, 0),
            facts.number(format!("purchases_{k}"), purchases, 1),
            facts.money(format!("spend_per_purchase_{k}"), &c, spend),
            facts.number(format!("recency_months_{k}"), recency, 1),
            facts.money(format!("program_net_per_customer_{k}"), &c, net),
        ]);
        let mut row = vec![g.label().to_string()];
        for (t, (share, ty)) in mix[gi].iter_mut().zip(LoyaltyType::FOUR).enumerate() {
            *share = members.iter().filter(|r| r.loyalty_type == t).count() as f64 / n;
            row.push(facts.percent(format!("type_{}_in_{k}", ty.key()), *share, 0));
        }
        type_rows.push(row);
    }
    let silent = records.len() - buyers.len();
    let silent_shown = facts.percent(
        "no_purchase_in_year_one",
        silent as f64 / records.len().max(1) as f64,
        0,
    );
    let shown = |k: &str| facts.shown(k);
    let best = (0..4)
        .max_by(|&a, &b| nets[a].total_cmp(&nets[b]))
        .unwrap_or(3);
    let worst = (0..4)
        .min_by(|&a, &b| nets[a].total_cmp(&nets[b]))
        .unwrap_or(0);
    let (best, worst) = (Group::ALL[best], Group::ALL[worst]);
    let sections = vec![
        Section {
            heading: "Three numbers per customer".into(),
            paragraphs: vec![
                format!(
                    "Recency: how long since the last purchase. Frequency: how many purchases in \
                     a period. Monetary value: how much a purchase is worth. Here they are read \
                     from each customer's first {YEAR} months without the program. A customer is \
                     frequent from {frequent_from} purchases a year (more than the median \
                     customer) and large from {} a purchase (the median); {} of the customers \
                     bought nothing in the year and are left out.",
                    c.format(large_from),
                    silent_shown,
                ),
                format!(
                    "Frequent customers with large purchases are {} of the buyers but bring {} \
                     of the revenue; rare customers with small purchases are {} and bring {}. \
                     Each group has its own strategy: {}",
                    shown("customer_share_frequent_large"),
                    shown("revenue_share_frequent_large"),
                    shown("customer_share_rare_small"),
                    shown("revenue_share_rare_small"),
                    strategies.join(" "),
                ),
            ],
            table: Some(Table {
                header: vec![
                    "group".into(),
                    "customers".into(),
                    "revenue".into(),
                    "purchases a year".into(),
                    "spend a purchase".into(),
                    "recency (months)".into(),
                    "program's net".into(),
                ],
                rows,
            }),
        },
        Section {
            heading: "Which groups the program should target".into(),
            paragraphs: vec![
                format!(
                    "The program's net per customer is the margin it adds less the rewards it \
                     pays, over {months} months. It earns most on {} customers ({}) and least \
                     on {} customers ({}). The Pareto rule says: reward the top spenders. But \
                     the frequent, large group is {} truly loyal: they would buy anyway, so much \
                     of the {} the program pays each of them in rewards is a gift.",
                    best.label(),
                    shown(&format!("program_net_per_customer_{}", key(best))),
                    worst.label(),
                    shown(&format!("program_net_per_customer_{}", key(worst))),
                    shown("type_true_in_frequent_large"),
                    shown("rewards_per_customer_frequent_large"),
                ),
                format!(
                    "RFM sees behaviour, not attitude. Latent customers, who like the brand and \
                     are the ones a program can grow, hide among the rare buyers: {} of the \
                     rare, large group and {} of the rare, small group are latent. A survey of \
                     attitude tells them apart from customers who simply do not care.",
                    shown("type_latent_in_rare_large"),
                    shown("type_latent_in_rare_small"),
                ),
            ],
            table: Some(Table {
                header: std::iter::once("group".to_string())
                    .chain(LoyaltyType::FOUR.iter().map(|t| t.label().to_string()))
                    .collect(),
                rows: type_rows,
            }),
        },
    ];
    let conclusion = format!(
        "Frequent, large customers bring {} of the revenue from {} of the buyers: keep them, but \
         know that {} of them are truly loyal and would stay anyway. The program pays best on \
         {} customers ({} each) and worst on {} customers ({}).",
        shown("revenue_share_frequent_large"),
        shown("customer_share_frequent_large"),
        shown("type_true_in_frequent_large"),
        best.label(),
        shown(&format!("program_net_per_customer_{}", key(best))),
        worst.label(),
        shown(&format!("program_net_per_customer_{}", key(worst))),
    );
    let labels: Vec<String> = Group::ALL.iter().map(|g| g.label().to_string()).collect();
    let share_chart = super::bars(
        "rfm_groups",
        "The four RFM groups: customers and revenue",
        "share of buyers in year one".into(),
        Scale::Percent,
        labels.clone(),
        vec![
            ("share of customers".into(), palette::SKY, shares.0),
            ("share of revenue".into(), palette::BLUE, shares.1),
        ],
        format!(
            "Customers who bought in their first {YEAR} months without the program, sorted by \
             how often they bought (frequent from {frequent_from} purchases) and how much a \
             purchase was worth (large from {}).",
            c.format(large_from)
        ),
    );
    let mix_chart = super::bars(
        "rfm_types",
        "Loyalty types inside each RFM group",
        "share of the group".into(),
        Scale::Percent,
        labels.clone(),
        (0..4)
            .map(|t| {
                (
                    LoyaltyType::FOUR[t].label().to_string(),
                    palette::TYPES[t],
                    (0..4).map(|g| mix[g][t]).collect(),
                )
            })
            .collect(),
        "The same customers by the loyalty type they had at launch: RFM groups mix \
                  types, because behaviour does not show attitude."
            .into(),
    );
    let net_chart = super::bars(
        "rfm_program",
        "What the program earns on each group",
        format!("margin added less rewards, per customer ({})", c.symbol),
        Scale::Money(c.clone()),
        labels,
        vec![("program's net per customer".into(), palette::GREEN, nets)],
        format!(
            "The margin the points program adds less the rewards it pays, per customer of each \
             group, over {months} months, averaged over customers and trials."
        ),
    );
    Ok(Story {
        sections,
        conclusion,
        figures: vec![share_chart, mix_chart, net_chart],
    })
}
