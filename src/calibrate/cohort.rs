//! From transactions to customers: each customer's purchase days in the calibration period
//! (same-day purchases merged into one), summarised as the models read them: x repeat
//! purchases, the time t_x of the last, the time T observed, the average repeat value, and the
//! purchases they then made in the holdout period.

use chrono::NaiveDate;
use serde::Serialize;

use super::bgnbd::History;
use super::transactions::TransactionLog;

/// The unit time is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Days.
    Days,
    /// Weeks of 7 days (the literature's unit, and the default).
    Weeks,
    /// Months of 30.436875 days (a 365.2425-day year over 12).
    Months,
}

/// Days in an average month (365.2425 / 12).
pub const DAYS_PER_MONTH: f64 = 30.436_875;

impl TimeUnit {
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
            TimeUnit::Months => DAYS_PER_MONTH,
        }
    }

    /// Units in one month.
    pub fn per_month(self) -> f64 {
        DAYS_PER_MONTH / self.days()
    }

    /// The unit's name, plural.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Days => "days",
            TimeUnit::Weeks => "weeks",
            TimeUnit::Months => "months",
        }
    }
}

/// The calibration period and the optional holdout after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    /// Last day of the calibration period (inclusive); it starts with the log.
    pub calibration_end: NaiveDate,
    /// Last day of the holdout period (inclusive), which starts the day after.
    pub holdout_end: Option<NaiveDate>,
    /// Time unit of the models.
    pub unit: TimeUnit,
}

/// One customer of the calibration cohort (first purchase on or before the calibration end).
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    /// Index into the log's customer ids.
    pub id: u32,
    /// Day of the first purchase.
    pub first: NaiveDate,
    /// Repeat purchases, time of the last and time observed, in the model's unit.
    pub history: History,
    /// Money spent in the calibration period (first purchase included).
    pub revenue: f64,
    /// Average value of the repeat purchase days, when there are any.
    pub repeat_mean: Option<f64>,
    /// Items bought in the calibration period, when the log has quantities.
    pub items: Option<f64>,
    /// Purchase days in the holdout period.
    pub holdout_purchases: u32,
}

impl Customer {
    /// Purchase days in the calibration period (x + 1).
    pub fn purchases(&self) -> u32 {
        self.history.x + 1
    }

    /// Average spend per purchase day in the calibration period.
    pub fn average_spend(&self) -> f64 {
        self.revenue / f64::from(self.purchases())
    }

    /// Time since the last purchase at the calibration end (T − t_x).
    pub fn recency(&self) -> f64 {
        self.history.t - self.history.t_x
    }
}

/// The customers of the calibration period, with what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// The customers, in order of their ids.
    pub customers: Vec<Customer>,
    /// The periods.
    pub periods: Periods,
    /// Length of the holdout, in the model's unit.
    pub holdout_length: Option<f64>,
    /// First day in the log.
    pub first_day: NaiveDate,
    /// Last day in the log.
    pub last_day: NaiveDate,
    /// Transactions read.
    pub transactions: u64,
    /// Transactions merged into another of the same customer and day.
    pub merged_same_day: u64,
    /// Customers whose first purchase is after the calibration end (not in the cohort).
    pub joined_later: u64,
    /// Transactions after the last period, not used.
    pub after_periods: u64,
    /// Every repeat purchase day of the cohort's customers (calibration and holdout, same-day
    /// purchases merged), as days from the log's first day, in no particular order: what the
    /// tracking check counts week by week.
    pub repeat_days: Vec<u32>,
}

/// Why the periods do not fit the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// No purchase on or before the calibration end.
    #[error(
        "--calibration-end {end} is before the log's first purchase ({first}); the calibration period must hold purchases"
    )]
    NothingToCalibrate {
        /// The calibration end.
        end: NaiveDate,
        /// The log's first day.
        first: NaiveDate,
    },
    /// The calibration period runs past the log: its silent days would read as customers
    /// who stopped buying.
    #[error(
        "--calibration-end {end} is after the log's last day ({last}): the days after it would count as days without purchases; end the calibration period on or before {last}"
    )]
    CalibrationPastLog {
        /// The calibration end.
        end: NaiveDate,
        /// The log's last day.
        last: NaiveDate,
    },
    /// The holdout ends before it starts.
    #[error("--holdout-end {holdout} must be after --calibration-end {calibration}")]
    HoldoutBeforeCalibration {
        /// The holdout end.
        holdout: NaiveDate,
        /// The calibration end.
        calibration: NaiveDate,
    },
    /// The holdout runs past the log, so its actual purchases would be short.
    #[error(
        "--holdout-end {holdout} is after the log's last day ({last}): the holdout would compare a forecast with purchases not yet in the file; end it on or before {last}"
    )]
    HoldoutPastLog {
        /// The holdout end.
        holdout: NaiveDate,
        /// The log's last day.
        last: NaiveDate,
    },
}

/// Summarises `log` over `periods`.
pub fn cohort(log: &TransactionLog, periods: Periods) -> Result<Cohort, PeriodError> {
    let first_day = log
        .transactions
        .iter()
        .map(|t| t.date)
        .min()
        .unwrap_or(periods.calibration_end);
    let last_day = log
        .transactions
        .iter()
        .map(|t| t.date)
        .max()
        .unwrap_or(periods.calibration_end);
    if periods.calibration_end < first_day {
        return Err(PeriodError::NothingToCalibrate {
            end: periods.calibration_end,
            first: first_day,
        });
    }
    if periods.calibration_end > last_day {
        return Err(PeriodError::CalibrationPastLog {
            end: periods.calibration_end,
            last: last_day,
        });
    }
    if let Some(holdout) = periods.holdout_end {
        if holdout <= periods.calibration_end {
            return Err(PeriodError::HoldoutBeforeCalibration {
                holdout,
                calibration: periods.calibration_end,
            });
        }
        if holdout > last_day {
            return Err(PeriodError::HoldoutPastLog {
                holdout,
                last: last_day,
            });
        }
    }
    let unit = periods.unit.days();
    let days = |from: NaiveDate, to: NaiveDate| (to - from).num_days() as f64;
    let end = periods.holdout_end.unwrap_or(periods.calibration_end);

    let mut order: Vec<usize> = (0..log.transactions.len()).collect();
    order.sort_by_key(|&i| (log.transactions[i].customer, log.transactions[i].date));

    let mut cohort = Cohort {
        customers: Vec::new(),
        periods,
        holdout_length: periods
            .holdout_end
            .map(|h| days(periods.calibration_end, h) / unit),
        first_day,
        last_day,
        transactions: log.transactions.len() as u64,
        merged_same_day: 0,
        joined_later: 0,
        after_periods: 0,
        repeat_days: Vec::new(),
    };
    let mut i = 0;
    while i < order.len() {
        let id = log.transactions[order[i]].customer;
        let mut j = i;
        while j < order.len() && log.transactions[order[j]].customer == id {
            j += 1;
        }
        // This customer's purchase days: (date, amount, items), same-day merged.
        let mut purchase_days: Vec<(NaiveDate, f64, Option<f64>)> = Vec::new();
        for &k in &order[i..j] {
            let t = &log.transactions[k];
            if t.date > end {
                cohort.after_periods += 1;
                continue;
            }
            match purchase_days.last_mut() {
                Some(last) if last.0 == t.date => {
                    last.1 += t.amount;
                    last.2 = last.2.zip(t.quantity).map(|(a, b)| a + b);
                    cohort.merged_same_day += 1;
                }
                _ => purchase_days.push((t.date, t.amount, t.quantity)),
            }
        }
        i = j;
        let Some(&(first, _, _)) = purchase_days.first() else {
            continue;
        };
        if first > periods.calibration_end {
            cohort.joined_later += 1;
            continue;
        }
        cohort.repeat_days.extend(
            purchase_days[1..]
                .iter()
                .map(|d| u32::try_from((d.0 - first_day).num_days()).unwrap_or(u32::MAX)),
        );
        let calibration: Vec<_> = purchase_days
            .iter()
            .filter(|d| d.0 <= periods.calibration_end)
            .collect();
        // Not empty: purchase days are in date order and the first is ≤ calibration_end.
        let x = calibration.len() - 1;
        let last = calibration[x].0;
        let repeat_total: f64 = calibration[1..].iter().map(|d| d.1).sum();
        cohort.customers.push(Customer {
            id,
            first,
            history: History {
                x: u32::try_from(x).unwrap_or(u32::MAX),
                t_x: days(first, last) / unit,
                t: days(first, periods.calibration_end) / unit,
            },
            revenue: calibration.iter().map(|d| d.1).sum(),
            repeat_mean: (x > 0).then(|| repeat_total / x as f64),
            items: if log.has_quantity {
                calibration.iter().map(|d| d.2).sum()
            } else {
                None
            },
            holdout_purchases: (purchase_days.len() - calibration.len()) as u32,
        });
    }
    Ok(cohort)
}
