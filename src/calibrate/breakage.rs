//! Breakage from redemption history: the issue-month × development-month triangle of points
//! redeemed, projected to each cohort's ultimate redemption by chain ladder (with Mack's
//! standard error) and by an exponential decay of redemptions by age, with a check that the
//! triangle's development is stable across issue months.
//!
//! The history is a CSV file with a header row and one row per issue month and development
//! month: `issue_month` (`YYYY-MM`), `development_month` (months since the issue month, 0 for
//! the month of issue; `months_since_issue` is accepted as its name too), `points_issued`
//! (points issued in that issue month, the same on each of its rows) and `points_redeemed`
//! (points of that issue month redeemed in that development month). Each issue month's rows
//! run from development month 0 without a gap.
//!
//! Sources: T. Mack (1993), "Distribution-free calculation of the standard error of chain
//! ladder reserve estimates", ASTIN Bulletin 23(2), 213–225 (the factors, σ², the standard
//! error of each cohort and of the total); T. A. Gault, L. Llaguno and M. Ménard, "Loyalty
//! Rewards and Gift Card Programs: Basic Actuarial Estimation Techniques" (Casualty Actuarial
//! Society E-Forum): breakage from issue-cohort triangles and fitted redemption curves.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rand::SeedableRng;
use rand_distr::{Binomial, Distribution};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::transactions::{BadRow, ReadError, csv_header, csv_reader, line_at};

/// Column names of a history file.
pub const ISSUE_MONTH: &str = "issue_month";
/// Development month column (or [`DEVELOPMENT_ALIAS`]).
pub const DEVELOPMENT_MONTH: &str = "development_month";
/// Another accepted name of the development month column.
pub const DEVELOPMENT_ALIAS: &str = "months_since_issue";
/// Points issued column.
pub const POINTS_ISSUED: &str = "points_issued";
/// Points redeemed column.
pub const POINTS_REDEEMED: &str = "points_redeemed";

/// Largest development month accepted (50 years).
pub const MAX_DEVELOPMENT: u32 = 600;

/// Significance level under which the triangle is said not to be stable.
pub const STABILITY_LEVEL: f64 = 0.01;

/// One issue month's history.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// First day of the issue month.
    pub issue_month: NaiveDate,
    /// Points issued.
    pub issued: f64,
    /// Points redeemed in each development month, from 0.
    pub redeemed: Vec<f64>,
}

/// A history read into memory: cohorts in issue-month order.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The cohorts.
    pub cohorts: Vec<Cohort>,
}

/// Why a history could not be read or projected.
#[derive(Debug, thiserror::Error)]
pub enum BreakageError {
    /// The file could not be read, or a row is bad.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A required column is not in the header.
    #[error("{}, line 1: no column `{column}` (the header has: {found}); a history needs the columns issue_month, development_month, points_issued, points_redeemed", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The name looked for.
        column: String,
        /// The header's column names.
        found: String,
    },
    /// The file holds no rows.
    #[error("{} holds no history{}", path.display(), if *header_only { " (only a header row)" } else { " (it is empty)" })]
    Empty {
        /// The file.
        path: PathBuf,
        /// Whether there was a header.
        header_only: bool,
    },
    /// The history cannot support a projection.
    #[error("{}: {message}", path.display())]
    TooShort {
        /// The file.
        path: PathBuf,
        /// What is missing.
        message: String,
    },
    /// The scenario to write the breakage into cannot take it.
    #[error("{}: cannot write the breakage into it: {why}; nothing was written", path.display())]
    Scenario {
        /// The scenario file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A tail factor below 1 or not finite.
    #[error(
        "--tail {0}: expected a factor ≥ 1 (1 when no redemptions follow the last development month)"
    )]
    Tail(f64),
}

/// Reads the history at `path`.
pub fn read(path: &Path) -> Result<History, BreakageError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &bytes)
}

/// A row's value, kept with its line for later checks.
struct Row {
    line: u64,
    development: u32,
    issued: f64,
    redeemed: f64,
}

/// Reads a history from its `bytes`; `path` names it in messages.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<History, BreakageError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bad = |line: u64, column: &str, message: String| {
        BreakageError::Read(ReadError::BadRow {
            path: path.to_path_buf(),
            row: BadRow {
                line,
                column: column.to_string(),
                message,
            },
            skippable: false,
        })
    };
    let mut reader = csv_reader(bytes);
    let header = csv_header(&mut reader, path)?;
    if header.iter().all(String::is_empty) {
        return Err(BreakageError::Empty {
            path: path.to_path_buf(),
            header_only: false,
        });
    }
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
            .ok_or_else(|| BreakageError::MissingColumn {
                path: path.to_path_buf(),
                column: names[0].to_string(),
                found: header
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    };
    let columns = [
        find(&[ISSUE_MONTH])?,
        find(&[DEVELOPMENT_MONTH, DEVELOPMENT_ALIAS])?,
        find(&[POINTS_ISSUED])?,
        find(&[POINTS_REDEEMED])?,
    ];
    let names: Vec<String> = columns.iter().map(|&i| header[i].clone()).collect();
    let mut by_month: BTreeMap<NaiveDate, Vec<Row>> = BTreeMap::new();
    let mut lines = Lines {
        bytes,
        end: 0,
        newlines: 0,
    };
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| line_at(bytes, p.byte() as usize));
                return Err(bad(
                    line,
                    &names[0],
                    format!("the row cannot be read as CSV: {e}"),
                ));
            }
        };
        let line = record.position().map_or(0, |p| lines.at(p.byte() as usize));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if let Some(k) = (0..4).find(|&k| record.get(columns[k]).is_none()) {
            return Err(bad(
                line,
                &names[k],
                format!(
                    "the row has {} fields; this column is field {}",
                    record.len(),
                    columns[k] + 1
                ),
            ));
        }
        let field = |k: usize| record.get(columns[k]).unwrap_or("").trim();
        let month_text = field(0);
        let month = NaiveDate::parse_from_str(&format!("{month_text}-01"), "%Y-%m-%d")
            .ok()
            .filter(|_| month_text.len() == 7)
            .ok_or_else(|| {
                bad(
                    line,
                    &names[0],
                    format!("`{month_text}` is not a month; expected YYYY-MM (e.g. 2024-03)"),
                )
            })?;
        let development = field(1)
            .parse::<u32>()
            .ok()
            .filter(|&d| d <= MAX_DEVELOPMENT)
            .ok_or_else(|| {
                bad(
                    line,
                    &names[1],
                    format!(
                        "`{}` is not a development month; expected a whole number of months since the issue month, from 0 (the month of issue) to {MAX_DEVELOPMENT}",
                        field(1)
                    ),
                )
            })?;
        let points = |k: usize, what: &str| {
            let text = field(k);
            text.parse::<f64>()
                .ok()
                .filter(|p| p.is_finite() && *p >= 0.0 && *p <= 1e15)
                .ok_or_else(|| {
                    bad(
                        line,
                        &names[k],
                        format!(
                            "`{text}` is not a number of points {what}; expected a number from 0 to 10^15, with `.` as the decimal point"
                        ),
                    )
                })
        };
        let issued = points(2, "issued")?;
        if issued == 0.0 {
            return Err(bad(
                line,
                &names[2],
                "no points issued; expected the issue month's points issued (> 0), or leave the issue month out".into(),
            ));
        }
        let redeemed = points(3, "redeemed")?;
        by_month.entry(month).or_default().push(Row {
            line,
            development,
            issued,
            redeemed,
        });
    }
    if by_month.is_empty() {
        return Err(BreakageError::Empty {
            path: path.to_path_buf(),
            header_only: true,
        });
    }
    let mut cohorts = Vec::with_capacity(by_month.len());
    for (month, mut rows) in by_month {
        let label = month.format("%Y-%m");
        rows.sort_by_key(|r| (r.development, r.line));
        let issued = rows[0].issued;
        let mut redeemed = Vec::with_capacity(rows.len());
        let mut cumulative = 0.0;
        for (expected, row) in rows.iter().enumerate() {
            if row.issued != issued {
                return Err(bad(
                    row.line,
                    &names[2],
                    format!(
                        "{} points issued in {label}, but line {} says {}; expected the same on every row of an issue month",
                        row.issued, rows[0].line, issued
                    ),
                ));
            }
            let expected = expected as u32;
            if row.development < expected {
                return Err(bad(
                    row.line,
                    &names[1],
                    format!(
                        "development month {} of {label} is also on line {}; expected each once",
                        row.development,
                        rows[expected as usize - 1].line
                    ),
                ));
            }
            if row.development > expected {
                return Err(bad(
                    row.line,
                    &names[1],
                    format!(
                        "development month {} of {label} follows a gap: month {expected} is missing; expected every month from 0",
                        row.development
                    ),
                ));
            }
            cumulative += row.redeemed;
            if cumulative > issued * (1.0 + 1e-9) {
                return Err(bad(
                    row.line,
                    &names[3],
                    format!(
                        "{label} has redeemed {cumulative} points by development month {}, more than the {issued} issued; expected at most the points issued",
                        row.development
                    ),
                ));
            }
            redeemed.push(row.redeemed);
        }
        cohorts.push(Cohort {
            issue_month: month,
            issued,
            redeemed,
        });
    }
    Ok(History { cohorts })
}

/// Lines of records met in file order, counted from the last one (as [`line_at`] counts them,
/// without scanning the file from its start for each record).
struct Lines<'a> {
    bytes: &'a [u8],
    end: usize,
    newlines: u64,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        let mut end = offset.min(self.bytes.len());
        while end < self.bytes.len() && matches!(self.bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        if end < self.end {
            return line_at(self.bytes, offset);
        }
        self.newlines += self.bytes[self.end..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.end = end;
        self.newlines + 1
    }
}

/// The chain ladder's age-to-age factor from one development month to the next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Factor {
    /// The development month the factor starts from.
    pub from: u32,
    /// Volume-weighted factor Σ C(k+1) / Σ C(k).
    pub factor: f64,
    /// Mack's σ²: the variance of the individual factors per point redeemed.
    pub sigma2: f64,
    /// Issue months the factor is computed from.
    pub cohorts: usize,
}

/// One issue month's projection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortProjection {
    /// Issue month, YYYY-MM.
    pub issue_month: String,
    /// Points issued.
    pub points_issued: f64,
    /// Last development month observed.
    pub developed_to: u32,
    /// Share of the points issued redeemed so far.
    pub redeemed_rate: f64,
    /// Chain ladder's ultimate redemption rate (tail included).
    pub chain_ladder_ultimate_rate: f64,
    /// Mack's standard error of that rate.
    pub chain_ladder_se: f64,
    /// The decay curve's ultimate redemption rate.
    pub curve_ultimate_rate: f64,
}

/// The fitted exponential decay: a cohort's points redeemed in development month k are
/// `issued × U × (1 − e^{−λ}) × e^{−λk}`, so its cumulative redemption by month k is
/// `U × (1 − e^{−λ(k+1)})`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// U: the ultimate redemption rate of all points issued.
    pub ultimate_rate: f64,
    /// λ: the monthly decay of redemptions.
    pub decay: f64,
    /// Months in which half the redemptions are made, ln 2 / λ.
    pub half_life_months: f64,
    /// The tail factor the curve implies after the last development month observed.
    pub implied_tail: f64,
    /// Root mean square residual of the incremental rates, weighted by points issued.
    pub rms_residual: f64,
}

/// The check that the development does not change across issue months.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    /// Whether no change is found at the [`STABILITY_LEVEL`].
    pub stable: bool,
    /// χ² statistic: Σ z², z comparing the factors of the older and newer half of the issue
    /// months at each development month.
    pub chi2: f64,
    /// Degrees of freedom (development months compared).
    pub df: usize,
    /// P-value of the statistic.
    pub p_value: f64,
    /// z at each compared development month (from, z).
    pub z: Vec<(u32, f64)>,
}

/// Everything the projection found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// Tail factor applied after the last development month.
    pub tail: f64,
    /// Points issued over all issue months.
    pub points_issued: f64,
    /// Points redeemed so far.
    pub points_redeemed: f64,
    /// Chain ladder ultimate redemption rate of all points issued.
    pub chain_ladder_ultimate_rate: f64,
    /// Chain ladder ultimate breakage, 1 − that rate.
    pub chain_ladder_breakage: f64,
    /// Mack's standard error of the breakage (and of the redemption rate).
    pub chain_ladder_se: f64,
    /// The decay curve's ultimate breakage, from each cohort's projection by the curve.
    pub curve_breakage: f64,
    /// The age-to-age factors.
    pub factors: Vec<Factor>,
    /// The fitted curve.
    pub curve: Curve,
    /// By issue month.
    pub cohorts: Vec<CohortProjection>,
    /// The stability check.
    pub stability: Stability,
}

/// Projects the history's ultimate redemption with a `tail` factor (≥ 1).
pub fn project(history: &History, tail: f64, path: &Path) -> Result<Projection, BreakageError> {
    if !(tail.is_finite() && tail >= 1.0) {
        return Err(BreakageError::Tail(tail));
    }
    let too_short = |message: String| BreakageError::TooShort {
        path: path.to_path_buf(),
        message,
    };
    let cohorts = &history.cohorts;
    // Cumulative redemptions.
    let c: Vec<Vec<f64>> = cohorts
        .iter()
        .map(|h| {
            h.redeemed
                .iter()
                .scan(0.0, |s, r| {
                    *s += r;
                    Some(*s)
                })
                .collect()
        })
        .collect();
    let ages = c.iter().map(Vec::len).max().unwrap_or(0);
    if cohorts.len() < 3 || ages < 3 {
        return Err(too_short(format!(
            "{} issue months developed to at most {} months; a projection needs at least 3 issue months and 3 development months",
            cohorts.len(),
            ages
        )));
    }
    let last: Vec<usize> = c.iter().map(|v| v.len() - 1).collect();
    // Factors k → k+1 for k in 0..ages-1.
    let mut factors = Vec::with_capacity(ages - 1);
    let mut sums = Vec::with_capacity(ages - 1);
    for k in 0..ages - 1 {
        let used: Vec<usize> = (0..c.len()).filter(|&i| last[i] > k).collect();
        let s: f64 = used.iter().map(|&i| c[i][k]).sum();
        let s_next: f64 = used.iter().map(|&i| c[i][k + 1]).sum();
        if s <= 0.0 {
            return Err(too_short(format!(
                "no points redeemed by development month {k} in the issue months developed beyond it; the chain ladder cannot project from nothing"
            )));
        }
        let f = s_next / s;
        let positive: Vec<usize> = used.iter().copied().filter(|&i| c[i][k] > 0.0).collect();
        let sigma2 = if positive.len() > 1 {
            positive
                .iter()
                .map(|&i| c[i][k] * (c[i][k + 1] / c[i][k] - f).powi(2))
                .sum::<f64>()
                / (positive.len() - 1) as f64
        } else {
            f64::NAN
        };
        factors.push(Factor {
            from: k as u32,
            factor: f,
            sigma2,
            cohorts: used.len(),
        });
        sums.push(s);
    }
    // Mack's extrapolation of σ² where one issue month is all there is.
    for k in 0..factors.len() {
        if factors[k].sigma2.is_nan() {
            factors[k].sigma2 = if k >= 2 {
                let (a, b) = (factors[k - 1].sigma2, factors[k - 2].sigma2);
                let r = if b > 0.0 { a * a / b } else { 0.0 };
                r.min(a).min(b)
            } else {
                0.0
            };
        }
    }
    // Projections and Mack's mean square errors.
    let mut ultimate = vec![0.0; c.len()];
    let mut projected: Vec<Vec<f64>> = Vec::with_capacity(c.len());
    for i in 0..c.len() {
        let mut row = c[i].clone();
        for f in &factors[last[i]..] {
            let next = row[row.len() - 1] * f.factor;
            row.push(next);
        }
        ultimate[i] = row[ages - 1] * tail;
        projected.push(row);
    }
    // Σ_k σ²_k / f_k² × (1/Ĉ_ik + 1/S_k) for k from the cohort's last month.
    let term = |k: usize| factors[k].sigma2 / factors[k].factor.powi(2);
    let mut mse = vec![0.0; c.len()];
    for i in 0..c.len() {
        let s: f64 = (last[i]..ages - 1)
            .map(|k| term(k) * (1.0 / projected[i][k] + 1.0 / sums[k]))
            .sum();
        mse[i] = ultimate[i].powi(2) * s;
    }
    // Mack's covariance of two issue months: 2 Û_i Û_j Σ_{k ≥ the later of their last
    // months} σ²_k / (f_k² S_k). With g(m) that sum from m, taken in order of the last month
    // each pair is counted once with the g of the more developed: O(n log n), not O(n²).
    let mut g = vec![0.0; ages];
    for k in (0..ages - 1).rev() {
        g[k] = g[k + 1] + 2.0 * term(k) / sums[k];
    }
    let mut order: Vec<usize> = (0..c.len()).collect();
    order.sort_by_key(|&i| (last[i], i));
    let mut total_mse: f64 = mse.iter().sum();
    let mut before = 0.0;
    for &i in &order {
        total_mse += ultimate[i] * g[last[i]] * before;
        before += ultimate[i];
    }
    let issued: f64 = cohorts.iter().map(|h| h.issued).sum();
    let redeemed: f64 = c.iter().map(|v| v[v.len() - 1]).sum();
    let cl_rate = ultimate.iter().sum::<f64>() / issued;

    let curve = fit_curve(history, ages);
    let curve_rates: Vec<f64> = c
        .iter()
        .zip(cohorts)
        .map(|(v, h)| {
            let developed = 1.0 - (-curve.decay * v.len() as f64).exp();
            (v[v.len() - 1] / h.issued / developed).min(1.0)
        })
        .collect();
    let curve_breakage = 1.0
        - curve_rates
            .iter()
            .zip(cohorts)
            .map(|(r, h)| r * h.issued)
            .sum::<f64>()
            / issued;
    let projections = cohorts
        .iter()
        .enumerate()
        .map(|(i, h)| CohortProjection {
            issue_month: h.issue_month.format("%Y-%m").to_string(),
            points_issued: h.issued,
            developed_to: last[i] as u32,
            redeemed_rate: c[i][last[i]] / h.issued,
            chain_ladder_ultimate_rate: ultimate[i] / h.issued,
            chain_ladder_se: mse[i].sqrt() / h.issued,
            curve_ultimate_rate: curve_rates[i],
        })
        .collect();
    let stability = stability(&c, &last, &factors);
    Ok(Projection {
        tail,
        points_issued: issued,
        points_redeemed: redeemed,
        chain_ladder_ultimate_rate: cl_rate,
        chain_ladder_breakage: 1.0 - cl_rate,
        chain_ladder_se: total_mse.sqrt() / issued,
        curve_breakage,
        factors,
        curve,
        cohorts: projections,
        stability,
    })
}

/// Least squares fit of the incremental redemption rates r_ik = redeemed_ik / issued_i to
/// `U (1 − e^{−λ}) e^{−λk}`, each weighted by the points issued: U is solved in closed form
/// for each λ and λ by golden-section search on the profile sum of squares.
fn fit_curve(history: &History, ages: usize) -> Curve {
    // The sums the fit needs, by age: Σ w r = points redeemed, Σ w = points issued of the
    // issue months observed at that age; Σ w r² over all rows.
    let mut redeemed = vec![0.0; ages];
    let mut issued = vec![0.0; ages];
    let mut rr = 0.0;
    for h in &history.cohorts {
        for (k, r) in h.redeemed.iter().enumerate() {
            redeemed[k] += r;
            issued[k] += h.issued;
            rr += r * r / h.issued;
        }
    }
    let sse_and_u = |lambda: f64| {
        let (mut rp, mut pp) = (0.0, 0.0);
        let shape = 1.0 - (-lambda).exp();
        for k in 0..ages {
            let p = shape * (-lambda * k as f64).exp();
            rp += redeemed[k] * p;
            pp += issued[k] * p * p;
        }
        let u = if pp > 0.0 {
            (rp / pp).clamp(0.0, 1.0)
        } else {
            0.0
        };
        // Σ w (r − u p)² = rr − 2u rp + u² pp.
        (rr - 2.0 * u * rp + u * u * pp, u)
    };
    // λ from 10⁻⁴ to 5 per month, searched on its logarithm: first a grid, then golden
    // sections around the best grid point.
    let (lo, hi) = (1e-4f64.ln(), 5f64.ln());
    let steps = 200;
    let at = |i: usize| lo + (hi - lo) * i as f64 / steps as f64;
    let best = (0..=steps)
        .min_by(|&a, &b| {
            sse_and_u(at(a).exp())
                .0
                .total_cmp(&sse_and_u(at(b).exp()).0)
        })
        .unwrap_or(0);
    let (mut a, mut b) = (at(best.saturating_sub(1)), at((best + 1).min(steps)));
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let (x1, x2) = (b - g * (b - a), a + g * (b - a));
        if sse_and_u(x1.exp()).0 < sse_and_u(x2.exp()).0 {
            b = x2;
        } else {
            a = x1;
        }
    }
    let decay = ((a + b) / 2.0).exp();
    let (sse, u) = sse_and_u(decay);
    let weight: f64 = history
        .cohorts
        .iter()
        .map(|h| h.issued * h.redeemed.len() as f64)
        .sum();
    Curve {
        ultimate_rate: u,
        decay,
        half_life_months: std::f64::consts::LN_2 / decay,
        implied_tail: 1.0 / (1.0 - (-decay * ages as f64).exp()),
        rms_residual: (sse.max(0.0) / weight).sqrt(),
    }
}

/// Compares, at each development month, the factor of the older half of the issue months
/// developed beyond it with the newer half's: under the chain ladder's model (Mack 1993) each
/// is unbiased with variance σ²_k / ΣC, so z = (f_old − f_new) / (σ_k √(1/S_old + 1/S_new)),
/// and Σ z² is χ² with as many degrees of freedom as months compared. Months with fewer than
/// 4 issue months, or no variance, are left out.
fn stability(c: &[Vec<f64>], last: &[usize], factors: &[Factor]) -> Stability {
    let mut z = Vec::new();
    for (k, f) in factors.iter().enumerate() {
        let used: Vec<usize> = (0..c.len())
            .filter(|&i| last[i] > k && c[i][k] > 0.0)
            .collect();
        if used.len() < 4 || f.sigma2 <= 0.0 {
            continue;
        }
        let (old, new) = used.split_at(used.len() / 2);
        let part = |set: &[usize]| {
            let s: f64 = set.iter().map(|&i| c[i][k]).sum();
            let s1: f64 = set.iter().map(|&i| c[i][k + 1]).sum();
            (s1 / s, s)
        };
        let ((f_old, s_old), (f_new, s_new)) = (part(old), part(new));
        let sd = (f.sigma2 * (1.0 / s_old + 1.0 / s_new)).sqrt();
        z.push((k as u32, (f_old - f_new) / sd));
    }
    let chi2: f64 = z.iter().map(|(_, z)| z * z).sum();
    let df = z.len();
    let p_value = ChiSquared::new(df.max(1) as f64)
        .map(|d| 1.0 - d.cdf(chi2))
        .unwrap_or(1.0);
    Stability {
        stable: df == 0 || p_value >= STABILITY_LEVEL,
        chi2,
        df,
        p_value: if df == 0 { 1.0 } else { p_value },
        z,
    }
}

/// `scenario` (a scenario's TOML text) with `program.points.breakage` set to the chain
/// ladder's breakage: fixed, or when `uncertain` as `{ dist = "normal", mean, sd }` with Mack's
/// standard error as the sd; a comment names `source`. Everything else in the file is kept.
pub fn write_into(
    scenario: &str,
    path: &Path,
    projection: &Projection,
    uncertain: bool,
    source: &str,
) -> Result<String, BreakageError> {
    use toml_edit::{DocumentMut, InlineTable, Item, Value};
    let bad = |why: String| BreakageError::Scenario {
        path: path.to_path_buf(),
        why,
    };
    let mut doc: DocumentMut = scenario.parse().map_err(|e| bad(format!("{e}")))?;
    let points = doc
        .get_mut("program")
        .and_then(|p| p.get_mut("points"))
        .and_then(Item::as_table_mut)
        .ok_or_else(|| bad("it has no [program.points] table (breakage is of points)".into()))?;
    // Four decimals of a share: a hundredth of a percentage point, below any standard error a
    // history of realistic size supports.
    let round = |x: f64| (x * 1e4).round() / 1e4;
    let mean = round(projection.chain_ladder_breakage);
    let sd = round(projection.chain_ladder_se).max(1e-4);
    let mut value = if uncertain {
        let mut t = InlineTable::new();
        t.insert("dist", "normal".into());
        t.insert("mean", mean.into());
        t.insert("sd", sd.into());
        Value::InlineTable(t)
    } else {
        Value::from(mean)
    };
    value.decor_mut().set_suffix(format!(
        "    # chain ladder on {source}, tail {}; Mack's standard error {sd}",
        projection.tail
    ));
    points["breakage"] = Item::Value(value);
    Ok(doc.to_string())
}

/// What to draw in a synthetic history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Synthetic {
    /// First issue month.
    pub start: NaiveDate,
    /// Issue months; the last is developed to month 0, the first to `months − 1`.
    pub months: u32,
    /// Points issued each month.
    pub issued: u64,
    /// Ultimate redemption rate of the first `change_after` issue months.
    pub ultimate_rate: f64,
    /// Monthly decay of redemptions by age (the share of a still-unredeemed, to-be-redeemed
    /// point redeemed each month is 1 − e^{−decay}).
    pub decay: f64,
    /// From this issue month on, redemptions decay at `changed_decay` instead.
    pub change_after: u32,
    /// The decay after the change.
    pub changed_decay: f64,
    /// Seed (Xoshiro256++).
    pub seed: u64,
}

/// Draws a triangle: each point issued is to be redeemed with probability `ultimate_rate`, in
/// development month k with probability (1 − e^{−λ}) e^{−λk}; each month's redemptions are a
/// binomial draw from the points still to be redeemed. Returns the CSV text and, per issue
/// month, the points that will ultimately be redeemed (the truth, including months after the
/// triangle's edge).
pub fn synthetic(design: &Synthetic) -> (String, Vec<u64>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(design.seed);
    let mut text = format!("{ISSUE_MONTH},{DEVELOPMENT_MONTH},{POINTS_ISSUED},{POINTS_REDEEMED}\n");
    let mut truth = Vec::new();
    let draw = |n: u64, p: f64, rng: &mut Xoshiro256PlusPlus| {
        Binomial::new(n, p.clamp(0.0, 1.0)).map_or(0, |b| b.sample(rng))
    };
    for m in 0..design.months {
        let month = design
            .start
            .checked_add_months(chrono::Months::new(m))
            .unwrap_or(design.start);
        let decay = if m >= design.change_after {
            design.changed_decay
        } else {
            design.decay
        };
        let to_redeem = draw(design.issued, design.ultimate_rate, &mut rng);
        truth.push(to_redeem);
        let mut left = to_redeem;
        let hazard = 1.0 - (-decay).exp();
        for k in 0..design.months - m {
            let r = draw(left, hazard, &mut rng);
            left -= r;
            let _ = writeln!(text, "{},{k},{},{r}", month.format("%Y-%m"), design.issued);
        }
    }
    (text, truth)
}

impl Projection {
    /// The readable summary.
    pub fn text(&self, input: &str) -> String {
        let pct = |x: f64| format!("{:.1}%", 100.0 * x);
        // The breakage is shown to the tenth of a point of percentage when its standard error
        // supports it, else to the point.
        let digits = if self.chain_ladder_se < 0.005 { 1 } else { 0 };
        let pctd = |x: f64| format!("{:.*}%", digits, 100.0 * x);
        let mut s = String::new();
        let first = self.cohorts.first().map_or("", |c| c.issue_month.as_str());
        let last = self.cohorts.last().map_or("", |c| c.issue_month.as_str());
        let _ = writeln!(
            s,
            "Breakage from {input}: {} issue months ({first} to {last}), {} points issued, {} redeemed so far",
            self.cohorts.len(),
            crate::money::format_number(self.points_issued, 0),
            pct(self.points_redeemed / self.points_issued)
        );
        let _ = writeln!(
            s,
            "\nUltimate breakage (share of points issued never redeemed):\n  chain ladder (tail {}): {} ± {} (Mack's standard error)\n  exponential decay:      {} (redemptions halve every {:.1} months; the curve implies a tail of {:.3})",
            self.tail,
            pctd(self.chain_ladder_breakage),
            pct(self.chain_ladder_se),
            pctd(self.curve_breakage),
            self.curve.half_life_months,
            self.curve.implied_tail
        );
        let _ = writeln!(s, "\nAge-to-age factors (first months):");
        for f in self.factors.iter().take(12) {
            let _ = writeln!(
                s,
                "  {:>3} → {:<3} {:.4}  ({} issue months)",
                f.from,
                f.from + 1,
                f.factor,
                f.cohorts
            );
        }
        let st = &self.stability;
        if st.stable {
            let _ = writeln!(
                s,
                "\nStable: the older and newer issue months develop alike (χ² {:.1} on {} months, p = {:.2}).",
                st.chi2, st.df, st.p_value
            );
        } else {
            let worst =
                st.z.iter()
                    .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                    .map_or(0, |z| z.0);
            let _ = writeln!(
                s,
                "\nNOT STABLE: the newer issue months redeem differently from the older ones (χ² {:.1} on {} months, p = {:.1e}; the largest difference is in the factor from month {worst}). The chain ladder assumes one development pattern: project the newer issue months on their own, or find what changed.",
                st.chi2, st.df, st.p_value
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(text: &str) -> Result<History, BreakageError> {
        parse(Path::new("h.csv"), text.as_bytes())
    }

    /// Mack (1993), Table 1 is in money; here a triangle small enough to check by hand: three
    /// issue months of 100 points, cumulative redemptions (10, 20, 25), (20, 40), (10).
    /// Factors: 0→1 (20+40)/(10+20) = 2, 1→2 25/20 = 1.25. Ultimates: 25, 40 × 1.25 = 50,
    /// 10 × 2 × 1.25 = 25; ultimate rate 100 / 300, breakage 2/3.
    #[test]
    fn chain_ladder_by_hand() {
        let h = history(
            "issue_month,development_month,points_issued,points_redeemed\n\
             2024-01,0,100,10\n2024-01,1,100,10\n2024-01,2,100,5\n\
             2024-02,0,100,20\n2024-02,1,100,20\n2024-03,0,100,10\n",
        )
        .unwrap();
        let p = project(&h, 1.0, Path::new("h.csv")).unwrap();
        assert!((p.factors[0].factor - 2.0).abs() < 1e-12);
        assert!((p.factors[1].factor - 1.25).abs() < 1e-12);
        // σ²_0 = (10 (2 − 2)² + 20 (2 − 2)²) / 1 = 0.
        assert!(p.factors[0].sigma2.abs() < 1e-12);
        assert!((p.chain_ladder_breakage - 2.0 / 3.0).abs() < 1e-12);
        assert!((p.cohorts[2].chain_ladder_ultimate_rate - 0.25).abs() < 1e-12);
        let p = project(&h, 1.1, Path::new("h.csv")).unwrap();
        assert!((p.chain_ladder_ultimate_rate - 110.0 / 300.0).abs() < 1e-12);
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let cases = [
            ("2024-1,0,100,1", 2, "issue_month", "YYYY-MM"),
            ("2024-01,x,100,1", 2, "development_month", "whole number"),
            ("2024-01,0,-5,1", 2, "points_issued", "number of points"),
            (
                "2024-01,0,100,1\n2024-01,2,100,1",
                3,
                "development_month",
                "gap",
            ),
            (
                "2024-01,0,100,1\n2024-01,0,100,1",
                3,
                "development_month",
                "also on line 2",
            ),
            (
                "2024-01,0,100,1\n2024-01,1,90,1",
                3,
                "points_issued",
                "same on every row",
            ),
            (
                "2024-01,0,100,60\n2024-01,1,100,50",
                3,
                "points_redeemed",
                "more than",
            ),
            ("2024-01,0,100", 2, "points_redeemed", "3 fields"),
        ];
        for (rows, line, column, expected) in cases {
            let text =
                format!("issue_month,development_month,points_issued,points_redeemed\n{rows}\n");
            let e = history(&text).unwrap_err().to_string();
            assert!(
                e.contains(&format!("h.csv, line {line}, column `{column}`"))
                    && e.contains(expected),
                "{rows}: {e}"
            );
        }
        let e = history("issue_month,age,points_issued,points_redeemed\n").unwrap_err();
        assert!(
            e.to_string().contains("no column `development_month`"),
            "{e}"
        );
    }

    fn design(seed: u64) -> Synthetic {
        Synthetic {
            start: NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(),
            months: 36,
            issued: 200_000,
            ultimate_rate: 0.7,
            decay: 0.2,
            change_after: u32::MAX,
            changed_decay: 0.2,
            seed,
        }
    }

    /// A history drawn with an ultimate redemption rate of 70% (breakage 30%): the chain
    /// ladder, with the tail the drawing implies (1 / (1 − e^{−0.2 × 36})), recovers the drawn
    /// truth within three of its reported standard errors on several seeds, and the 30% within
    /// three standard errors once the draw's own binomial noise is added;
    /// the curve recovers the decay and the rate; the triangle is stable.
    #[test]
    fn recovers_a_known_ultimate_rate_within_its_uncertainty() {
        let tail = 1.0 / (1.0 - (-0.2f64 * 36.0).exp());
        for seed in 1..=5 {
            let d = design(seed);
            let (text, truth) = synthetic(&d);
            let h = history(&text).unwrap();
            let p = project(&h, tail, Path::new("h.csv")).unwrap();
            let drawn = 1.0 - truth.iter().sum::<u64>() as f64 / (36.0 * 200_000.0);
            let se = p.chain_ladder_se;
            eprintln!(
                "seed {seed}: cl {:.5} ± {:.5}, drawn {drawn:.5}, curve {:.5} (U {:.4}, λ {:.4}), p {:.3}",
                p.chain_ladder_breakage,
                se,
                p.curve_breakage,
                p.curve.ultimate_rate,
                p.curve.decay,
                p.stability.p_value
            );
            assert!(se > 0.0 && se < 0.01, "{se}");
            assert!(
                (p.chain_ladder_breakage - drawn).abs() < 3.0 * se,
                "seed {seed}"
            );
            // Mack's error is that of predicting these points' fate; the 30% they were drawn
            // from is further off by the binomial draw of which points are to be redeemed,
            // sd √(0.7 × 0.3 / points issued).
            let draw_sd = (0.7f64 * 0.3 / (36.0 * 200_000.0)).sqrt();
            let total = (se * se + draw_sd * draw_sd).sqrt();
            assert!(
                (p.chain_ladder_breakage - 0.3).abs() < 3.0 * total,
                "seed {seed}"
            );
            assert!((p.curve.decay - 0.2).abs() < 0.01, "{}", p.curve.decay);
            assert!(
                (p.curve_breakage - 0.3).abs() < 0.01,
                "{}",
                p.curve_breakage
            );
            assert!(p.stability.stable, "seed {seed}: {:?}", p.stability);
        }
    }

    /// From the 19th issue month on, members redeem faster (decay 0.4 instead of 0.2): the
    /// factors of the newer issue months are lower, and the check says so.
    #[test]
    fn a_change_in_redemption_behaviour_is_not_stable() {
        let d = Synthetic {
            change_after: 18,
            changed_decay: 0.4,
            ..design(7)
        };
        let h = history(&synthetic(&d).0).unwrap();
        let p = project(&h, 1.0, Path::new("h.csv")).unwrap();
        eprintln!("{:?}", p.stability);
        assert!(!p.stability.stable);
        assert!(p.stability.p_value < 1e-6);
        assert!(p.text("h.csv").contains("NOT STABLE"));
    }
}
