//! Discrete-time histories for the BG/BB ([`super::bgbb`]): from a summary file as the
//! donations data ship, or from a dated transaction log cut into periods (a year, a month or a
//! week), each period one opportunity to transact.
//!
//! From a log: periods are calendar years or months, or weeks of 7 days from the log's first
//! day; the first period is the one holding the log's first day. The cohort is the customers
//! whose first purchase falls in that first period (as the donations cohort is the people who
//! first gave in 1995); later arrivals are counted and left out. Each later period is an
//! opportunity, and a customer transacts in it or not, however many purchases they made in it.
//! Opportunities are the whole periods from the second to the last one ending by the
//! calibration end; a holdout's are the whole periods after, ending by its end. A period only
//! partly covered is not used, and the report says up to which day the periods reach.
//!
//! The fit is checked against the data as the paper does (Fader, Hardie & Shang 2010, their
//! figures 3 and 4): the customers by number of transactions, observed against the model's
//! P(X(n) = x); and, from a log, the cohort's transactions opportunity by opportunity,
//! actual against E[p] · E[(1 − θ)^t], through the holdout.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use super::bgbb::{self, BgBb, FittedBgBb, Opportunities, Summary};
use super::cohort::PeriodError;
use super::fit::FitError;
use super::special::ln_beta;
use super::transactions::TransactionLog;

/// The length of one opportunity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Calendar years.
    Year,
    /// Calendar months.
    Month,
    /// Weeks of 7 days from the log's first day.
    Week,
}

impl Period {
    /// Reads `year`, `month` or `week`.
    pub fn parse(text: &str) -> Option<Period> {
        match text {
            "year" => Some(Period::Year),
            "month" => Some(Period::Month),
            "week" => Some(Period::Week),
            _ => None,
        }
    }

    /// The name, singular.
    pub fn name(self) -> &'static str {
        match self {
            Period::Year => "year",
            Period::Month => "month",
            Period::Week => "week",
        }
    }

    /// First day of the period `k` periods after the one holding `origin`.
    fn start(self, origin: NaiveDate, k: u32) -> Option<NaiveDate> {
        match self {
            Period::Year => {
                NaiveDate::from_ymd_opt(origin.year().checked_add(i32::try_from(k).ok()?)?, 1, 1)
            }
            Period::Month => origin.with_day(1)?.checked_add_months(Months::new(k)),
            Period::Week => origin.checked_add_days(Days::new(7 * u64::from(k))),
        }
    }

    /// Index of the period holding `date`, counted from the one holding `origin`.
    fn index(self, origin: NaiveDate, date: NaiveDate) -> i64 {
        match self {
            Period::Year => i64::from(date.year() - origin.year()),
            Period::Month => {
                i64::from(date.year() - origin.year()) * 12 + i64::from(date.month())
                    - i64::from(origin.month())
            }
            Period::Week => (date - origin).num_days().div_euclid(7),
        }
    }
}

/// One period of a log's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeriodSpan {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
}

/// A cohort customer of a log cut into periods.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodCustomer {
    /// Index in the log's customer ids.
    pub customer: u32,
    /// Transactions in the calibration's opportunities.
    pub history: Opportunities,
    /// Opportunities of the holdout in which they transacted.
    pub holdout_transactions: u32,
    /// Mean amount per opportunity transacted in (the calibration's), if any.
    pub spend_per_transaction: Option<f64>,
}

/// A log cut into periods: the cohort's histories over the calibration's opportunities, and
/// what they did in the holdout's.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodHistories {
    /// The period.
    pub period: Period,
    /// Periods from the cohort's (index 0) to the holdout's last: 1..=opportunities are the
    /// calibration's opportunities, the rest the holdout's.
    pub spans: Vec<PeriodSpan>,
    /// Opportunities in the calibration period (n).
    pub opportunities: u32,
    /// Opportunities in the holdout (0 without one).
    pub holdout_opportunities: u32,
    /// The cohort, in the order of the log's customer ids.
    pub customers: Vec<PeriodCustomer>,
    /// Customers whose first purchase is after the cohort's period, left out.
    pub joined_later: u64,
    /// Cohort customers transacting in each period, index as in `spans` (index 0: all of them).
    pub transacting: Vec<u64>,
}

/// Why a log cannot be cut into opportunities.
#[derive(Debug, thiserror::Error)]
pub enum DiscreteError {
    /// The dates do not fit the log.
    #[error(transparent)]
    Periods(#[from] PeriodError),
    /// No whole period after the cohort's ends by the calibration end.
    #[error(
        "no whole {period} after the cohort's first ({first_start} to {first_end}) ends by --calibration-end {end}: the BG/BB needs at least one opportunity; end the calibration period later"
    )]
    NoOpportunity {
        /// The period.
        period: &'static str,
        /// The cohort's period.
        first_start: NaiveDate,
        /// Its last day.
        first_end: NaiveDate,
        /// The calibration end.
        end: NaiveDate,
    },
    /// No whole period of the holdout ends by its end.
    #[error(
        "no whole {period} after the calibration's last ({last_end}) ends by --holdout-end {end}: end the holdout at the end of a {period} or later"
    )]
    NoHoldoutOpportunity {
        /// The period.
        period: &'static str,
        /// The calibration's last period's last day.
        last_end: NaiveDate,
        /// The holdout end.
        end: NaiveDate,
    },
    /// A period starts after the log's last day: its silence would read as no transactions.
    #[error(
        "the {period} from {start} starts after the log's last day ({last}): the log would read as customers not transacting in it; end the {what} by {last}"
    )]
    PastLog {
        /// The period.
        period: &'static str,
        /// Its first day.
        start: NaiveDate,
        /// The log's last day.
        last: NaiveDate,
        /// Which period: "calibration" or "holdout".
        what: &'static str,
    },
    /// Too many periods for a history.
    #[error(
        "{opportunities} {period}s from the log's first day: more than the {max} opportunities a history may have; choose a longer --period"
    )]
    TooManyPeriods {
        /// The period.
        period: &'static str,
        /// Opportunities asked for.
        opportunities: u64,
        /// The most allowed.
        max: u32,
    },
}

/// Cuts `log` into `period`s: the cohort of the first period, its opportunities to
/// `calibration_end` and the holdout's to `holdout_end`.
pub fn from_log(
    log: &TransactionLog,
    period: Period,
    calibration_end: NaiveDate,
    holdout_end: Option<NaiveDate>,
) -> Result<PeriodHistories, DiscreteError> {
    let dates = || log.transactions.iter().map(|t| t.date);
    let first_day = dates().min().unwrap_or(calibration_end);
    let last_day = dates().max().unwrap_or(calibration_end);
    if calibration_end < first_day {
        return Err(PeriodError::NothingToCalibrate {
            end: calibration_end,
            first: first_day,
        }
        .into());
    }
    if let Some(holdout) = holdout_end
        && holdout <= calibration_end
    {
        return Err(PeriodError::HoldoutBeforeCalibration {
            holdout,
            calibration: calibration_end,
        }
        .into());
    }
    let span = |k: u32| -> Option<PeriodSpan> {
        let start = period.start(first_day, k)?;
        let end = period.start(first_day, k + 1)?.pred_opt()?;
        Some(PeriodSpan { start, end })
    };
    let too_many = |k: u64| DiscreteError::TooManyPeriods {
        period: period.name(),
        opportunities: k,
        max: bgbb::MAX_OPPORTUNITIES,
    };
    // Whole periods ending by `end`: the last index whose span ends on or before it.
    let last_whole = |end: NaiveDate| -> Result<u32, DiscreteError> {
        let k = period.index(first_day, end).max(0);
        let k = u32::try_from(k).map_err(|_| too_many(k as u64))?;
        if k > bgbb::MAX_OPPORTUNITIES + 1 {
            return Err(too_many(u64::from(k)));
        }
        match span(k) {
            Some(s) if s.end <= end => Ok(k),
            _ => Ok(k.saturating_sub(1)),
        }
    };
    let opportunities = last_whole(calibration_end)?;
    let first = span(0).ok_or_else(|| too_many(0))?;
    if opportunities == 0 {
        return Err(DiscreteError::NoOpportunity {
            period: period.name(),
            first_start: first.start,
            first_end: first.end,
            end: calibration_end,
        });
    }
    let last = match holdout_end {
        Some(end) => {
            let h = last_whole(end)?;
            if h <= opportunities {
                return Err(DiscreteError::NoHoldoutOpportunity {
                    period: period.name(),
                    last_end: span(opportunities).map_or(calibration_end, |s| s.end),
                    end,
                });
            }
            h
        }
        None => opportunities,
    };
    let spans: Vec<PeriodSpan> = (0..=last)
        .map(|k| span(k).ok_or_else(|| too_many(u64::from(k))))
        .collect::<Result<_, _>>()?;
    for (k, what) in [(opportunities, "calibration"), (last, "holdout")] {
        if let Some(s) = spans.get(k as usize)
            && s.start > last_day
        {
            return Err(DiscreteError::PastLog {
                period: period.name(),
                start: s.start,
                last: last_day,
                what,
            });
        }
    }

    // Per customer: the periods they transacted in (up to `last`) and the amounts of the
    // calibration's opportunities.
    let mut first_period: Vec<Option<i64>> = vec![None; log.customer_ids.len()];
    for t in &log.transactions {
        let k = period.index(first_day, t.date);
        let slot = &mut first_period[t.customer as usize];
        *slot = Some(slot.map_or(k, |f| f.min(k)));
    }
    let mut periods: Vec<BTreeMap<u32, f64>> = vec![BTreeMap::new(); log.customer_ids.len()];
    for t in &log.transactions {
        let k = period.index(first_day, t.date);
        if first_period[t.customer as usize] == Some(0) && (0..=i64::from(last)).contains(&k) {
            *periods[t.customer as usize].entry(k as u32).or_insert(0.0) += t.amount;
        }
    }
    let mut transacting = vec![0u64; spans.len()];
    let mut customers = Vec::new();
    let mut joined_later = 0;
    for (i, first) in first_period.iter().enumerate() {
        match first {
            Some(0) => {}
            Some(_) => {
                joined_later += 1;
                continue;
            }
            None => continue,
        }
        let mine = &periods[i];
        for k in mine.keys() {
            transacting[*k as usize] += 1;
        }
        let calibration: Vec<(&u32, &f64)> = mine.range(1..=opportunities).collect::<Vec<_>>();
        let x = calibration.len() as u32;
        let t_x = calibration.last().map_or(0, |(k, _)| **k);
        let spend =
            (x > 0).then(|| calibration.iter().map(|(_, a)| **a).sum::<f64>() / f64::from(x));
        customers.push(PeriodCustomer {
            customer: i as u32,
            history: Opportunities {
                x,
                t_x,
                n: opportunities,
            },
            holdout_transactions: mine.range(opportunities + 1..).count() as u32,
            spend_per_transaction: spend,
        });
    }
    Ok(PeriodHistories {
        period,
        spans,
        opportunities,
        holdout_opportunities: last - opportunities,
        customers,
        joined_later,
        transacting,
    })
}

impl PeriodHistories {
    /// The cohort's histories, one row per distinct (x, t_x, n) with its customers, in order.
    pub fn summary(&self) -> Summary {
        let mut counts: BTreeMap<(u32, u32, u32), f64> = BTreeMap::new();
        for c in &self.customers {
            *counts
                .entry((c.history.x, c.history.t_x, c.history.n))
                .or_insert(0.0) += 1.0;
        }
        Summary {
            rows: counts
                .into_iter()
                .map(|((x, t_x, n), w)| (Opportunities { x, t_x, n }, w))
                .collect(),
        }
    }
}

impl BgBb {
    /// Expected transactions of one cohort member at opportunity `t` (1-based):
    /// E[p] · E[(1 − θ)^t], alive through t tosses and transacting.
    pub fn expected_at(&self, t: u32) -> f64 {
        let t = f64::from(t);
        self.alpha / (self.alpha + self.beta)
            * (ln_beta(self.gamma, self.delta + t) - ln_beta(self.gamma, self.delta)).exp()
    }

    /// P(X(n) = x): the chance a cohort member transacts x times in n opportunities (the
    /// paper's eq. 7): alive throughout and x of n, or dead after opportunity i ≥ x and x of i.
    pub fn p_transactions(&self, x: u32, n: u32) -> f64 {
        if x > n {
            return 0.0;
        }
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let xf = f64::from(x);
        let ln_choose = |n: u32, k: u32| {
            let (n, k) = (f64::from(n), f64::from(k));
            -(n + 1.0).ln() - ln_beta(n - k + 1.0, k + 1.0)
        };
        let base = ln_beta(alpha, beta) + ln_beta(gamma, delta);
        let nf = f64::from(n);
        let mut total =
            (ln_choose(n, x) + ln_beta(alpha + xf, beta + nf - xf) + ln_beta(gamma, delta + nf)
                - base)
                .exp();
        for i in x..n {
            let i_f = f64::from(i);
            total += (ln_choose(i, x)
                + ln_beta(alpha + xf, beta + i_f - xf)
                + ln_beta(gamma + 1.0, delta + i_f)
                - base)
                .exp();
        }
        total
    }
}

/// Customers with x transactions, observed against expected.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TransactionsBin {
    /// Transactions in the calibration's opportunities.
    pub transactions: u32,
    /// Customers with that many.
    pub observed: f64,
    /// Customers the model expects with that many.
    pub expected: f64,
}

/// One opportunity of the cohort: its transactions, actual against expected.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OpportunityRow {
    /// Opportunity (1 = the period after the cohort's).
    pub opportunity: u32,
    /// The period's first day.
    pub start: NaiveDate,
    /// Its last day.
    pub end: NaiveDate,
    /// Whether it is in the holdout.
    pub holdout: bool,
    /// Cohort customers transacting in it.
    pub actual: u64,
    /// Those the model fitted on the calibration period expects.
    pub expected: f64,
}

/// A BG/BB calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscreteCalibration {
    /// The histories fitted.
    pub summary: Summary,
    /// The fit.
    pub fit: FittedBgBb,
    /// Customers by transactions in their opportunities, observed against expected.
    pub histogram: Vec<TransactionsBin>,
    /// From a log: the cohort's transactions per opportunity, actual against expected,
    /// through the holdout.
    pub tracking: Vec<OpportunityRow>,
    /// Customers expected alive at the next opportunity.
    pub alive: f64,
}

impl DiscreteCalibration {
    /// Mean absolute error of the holdout's transactions per opportunity, as a share of the
    /// actual (`None` without a holdout).
    pub fn holdout_error(&self) -> Option<f64> {
        let rows: Vec<&OpportunityRow> = self.tracking.iter().filter(|r| r.holdout).collect();
        let actual: f64 = rows.iter().map(|r| r.actual as f64).sum();
        if rows.is_empty() || actual <= 0.0 {
            return None;
        }
        Some(
            rows.iter()
                .map(|r| (r.actual as f64 - r.expected).abs())
                .sum::<f64>()
                / actual,
        )
    }
}

/// Fits the BG/BB to `summary` and checks it; with `histories` (from a log) also tracks the
/// cohort opportunity by opportunity through the holdout.
pub fn calibrate(
    summary: Summary,
    histories: Option<&PeriodHistories>,
) -> Result<DiscreteCalibration, FitError> {
    let fit = bgbb::fit(&summary)?;
    let model = fit.model;
    let max_n = summary.rows.iter().map(|(h, _)| h.n).max().unwrap_or(0);
    let histogram = (0..=max_n)
        .map(|x| TransactionsBin {
            transactions: x,
            observed: summary
                .rows
                .iter()
                .filter(|(h, _)| h.x == x)
                .map(|(_, w)| w)
                .sum(),
            expected: summary
                .rows
                .iter()
                .map(|(h, w)| w * model.p_transactions(x, h.n))
                .sum(),
        })
        .collect();
    let tracking = histories.map_or_else(Vec::new, |h| {
        let cohort = h.customers.len() as f64;
        h.spans
            .iter()
            .enumerate()
            .skip(1)
            .map(|(k, s)| OpportunityRow {
                opportunity: k as u32,
                start: s.start,
                end: s.end,
                holdout: k as u32 > h.opportunities,
                actual: h.transacting[k],
                expected: cohort * model.expected_at(k as u32),
            })
            .collect()
    });
    let alive = summary.rows.iter().map(|(h, w)| w * model.p_alive(h)).sum();
    Ok(DiscreteCalibration {
        summary,
        fit,
        histogram,
        tracking,
        alive,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::bgbb::tests::M;
    use crate::calibrate::transactions::Transaction;

    #[test]
    fn the_chances_of_each_number_of_transactions_sum_to_one() {
        for n in [1, 6, 11] {
            let total: f64 = (0..=n).map(|x| M.p_transactions(x, n)).sum();
            assert!((total - 1.0).abs() < 1e-12, "n = {n}: {total}");
        }
        // n = 1: transact at the one opportunity = alive (E[1 − θ] = δ/(γ+δ)) × E[p].
        let want = 1.204 / (1.204 + 0.750) * (2.783 / (0.657 + 2.783));
        assert!((M.p_transactions(1, 1) - want).abs() < 1e-12);
        assert!((M.expected_at(1) - want).abs() < 1e-12);
    }

    fn log(rows: &[(u32, &str, f64)]) -> TransactionLog {
        let customers = rows.iter().map(|r| r.0).max().unwrap_or(0) + 1;
        TransactionLog {
            transactions: rows
                .iter()
                .map(|&(customer, date, amount)| Transaction {
                    customer,
                    date: date.parse().unwrap(),
                    amount,
                    quantity: None,
                })
                .collect(),
            customer_ids: (0..customers).map(|i| format!("c{i}")).collect(),
            ..TransactionLog::default()
        }
    }

    #[test]
    fn a_log_cut_into_years_gives_the_histories_counted_by_hand() {
        // Cohort 2019 (customers 0, 1, 2); customer 3 first buys in 2020 and is left out.
        // 0: 2019, 2020 (twice: one opportunity), 2022 → x = 2, t_x = 3; holdout 2023: yes.
        // 1: 2019 only → x = 0, t_x = 0; holdout: no.
        // 2: 2019, 2021 → x = 1, t_x = 2; holdout: no.
        let log = log(&[
            (0, "2019-03-01", 10.0),
            (0, "2020-02-01", 5.0),
            (0, "2020-09-01", 7.0),
            (0, "2022-05-05", 20.0),
            (0, "2023-01-10", 1.0),
            (1, "2019-12-31", 3.0),
            (2, "2019-06-01", 4.0),
            (2, "2021-07-01", 8.0),
            (3, "2020-01-01", 9.0),
            (3, "2023-12-30", 9.0),
        ]);
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // The calibration ends with 2022; the holdout's 2023 ends by 2023-12-31 only, so
        // --holdout-end 2023-12-30 leaves it partial and is refused.
        let h = from_log(&log, Period::Year, d("2022-12-31"), Some(d("2023-12-31"))).unwrap();
        assert_eq!((h.opportunities, h.holdout_opportunities), (3, 1));
        assert_eq!(h.joined_later, 1);
        let got: Vec<(u32, u32, u32, u32)> = h
            .customers
            .iter()
            .map(|c| {
                (
                    c.history.x,
                    c.history.t_x,
                    c.history.n,
                    c.holdout_transactions,
                )
            })
            .collect();
        assert_eq!(got, [(2, 3, 3, 1), (0, 0, 3, 0), (1, 2, 3, 0)]);
        // Customer 0 spent 12 in 2020 and 20 in 2022: 16 per opportunity transacted in.
        assert_eq!(h.customers[0].spend_per_transaction, Some(16.0));
        // Transacting per year 2019..2023: 3, 1, 1, 1, 1.
        assert_eq!(h.transacting, [3, 1, 1, 1, 1]);
        assert!(matches!(
            from_log(&log, Period::Year, d("2022-12-31"), Some(d("2023-12-30"))),
            Err(DiscreteError::NoHoldoutOpportunity { .. })
        ));
        // A calibration end inside 2019 leaves no opportunity.
        assert!(matches!(
            from_log(&log, Period::Year, d("2019-12-30"), None),
            Err(DiscreteError::NoOpportunity { .. })
        ));
    }
}
