//! The BG/BB model for discrete-time opportunities (Fader, Hardie & Shang, "Customer-base
//! analysis in a discrete-time noncontractual setting", Marketing Science 29(6), 2010): yearly
//! donations, a monthly subscription box, an annual event — purchases that can only happen at
//! fixed occasions.
//!
//! While alive, a customer transacts at each opportunity with probability p; before each
//! opportunity they die for good with probability θ. Across customers p ~ Beta(α, β) and
//! θ ~ Beta(γ, δ), independent. A customer's data are x transactions in n opportunities, the
//! last at opportunity t_x (0 if none). The likelihood (the paper's eq. 5) is
//! B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ) plus, for i from 0 to n−t_x−1,
//! B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ): alive throughout, or alive up to
//! opportunity t_x + i and dead from the next; summed on the log scale.
//!
//! Data come summarised, one row per distinct (x, t_x, n) with the customers sharing it: the
//! layout of the donations data the paper uses (`frequency,recency,periods,weights`), read by
//! [`read_summary`].

use std::path::Path;

use super::fit::{Convergence, Estimate, FitError, Likelihood, maximise};
use super::pareto_nbd::log_add_exp;
use super::special::ln_beta;
use super::transactions::{BadRow, ReadError};

/// BG/BB parameters: p ~ Beta(α, β), θ ~ Beta(γ, δ).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgBb {
    /// First shape of the transaction probability.
    pub alpha: f64,
    /// Second shape of the transaction probability.
    pub beta: f64,
    /// First shape of the dropout probability.
    pub gamma: f64,
    /// Second shape of the dropout probability.
    pub delta: f64,
}

/// One customer's history over discrete opportunities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Opportunities {
    /// Transactions (x ≤ n).
    pub x: u32,
    /// Opportunity of the last transaction, 0 if none (x ≤ t_x ≤ n).
    pub t_x: u32,
    /// Opportunities observed.
    pub n: u32,
}

/// Histories with how many customers share each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// (history, customers), in the order read.
    pub rows: Vec<(Opportunities, f64)>,
}

impl Summary {
    /// Number of customers.
    pub fn customers(&self) -> f64 {
        self.rows.iter().map(|r| r.1).sum()
    }
}

impl BgBb {
    /// ln of the alive-throughout term and of the dropped term of the likelihood of `h`.
    fn ln_terms(&self, h: &Opportunities) -> (f64, f64) {
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = *self;
        let (x, t_x, n) = (f64::from(h.x), f64::from(h.t_x), f64::from(h.n));
        let base_p = ln_beta(alpha, beta);
        let base_theta = ln_beta(gamma, delta);
        let alive =
            ln_beta(alpha + x, beta + n - x) - base_p + ln_beta(gamma, delta + n) - base_theta;
        let dropped = (0..h.n.saturating_sub(h.t_x))
            .map(|i| {
                let i = f64::from(i);
                ln_beta(alpha + x, beta + t_x - x + i) - base_p
                    + ln_beta(gamma + 1.0, delta + t_x + i)
                    - base_theta
            })
            .fold(f64::NEG_INFINITY, log_add_exp);
        (alive, dropped)
    }

    /// The log-likelihood of one history.
    pub fn log_likelihood_of(&self, h: &Opportunities) -> f64 {
        let (alive, dropped) = self.ln_terms(h);
        log_add_exp(alive, dropped)
    }

    /// Probability that a customer with history `h` is alive at opportunity n + 1 (the paper's
    /// eq. 11): the alive term's share of the likelihood, times 1 − θ for the next toss.
    pub fn p_alive(&self, h: &Opportunities) -> f64 {
        let (alive, dropped) = self.ln_terms(h);
        let share = 1.0 / (1.0 + (dropped - alive).exp());
        share * (self.delta + f64::from(h.n)) / (self.gamma + self.delta + f64::from(h.n))
    }
}

impl Likelihood<4> for Summary {
    const NAMES: [&'static str; 4] = ["alpha", "beta", "gamma", "delta"];
    fn log_likelihood(&self, p: &[f64; 4]) -> f64 {
        let model = BgBb {
            alpha: p[0],
            beta: p[1],
            gamma: p[2],
            delta: p[3],
        };
        self.rows
            .iter()
            .map(|(h, n)| n * model.log_likelihood_of(h))
            .sum()
    }
}

/// A fitted BG/BB model.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedBgBb {
    /// The estimates as a model.
    pub model: BgBb,
    /// α, β, γ, δ with standard errors.
    pub estimates: [Estimate; 4],
    /// How the search went.
    pub convergence: Convergence,
}

/// Fits the BG/BB model to `summary` by maximum likelihood, from uniform Beta(1, 1)
/// distributions for both probabilities.
pub fn fit(summary: &Summary) -> Result<FittedBgBb, FitError> {
    let (estimates, convergence) = maximise(
        summary,
        "BG/BB",
        [1.0, 1.0, 1.0, 1.0],
        "the histories may hold too few repeat transactions, or too few opportunities",
    )?;
    let [alpha, beta, gamma, delta] = estimates.map(|e| e.value);
    Ok(FittedBgBb {
        model: BgBb {
            alpha,
            beta,
            gamma,
            delta,
        },
        estimates,
        convergence,
    })
}

/// The columns of a summary file, in the names the donations data use.
const COLUMNS: [&str; 4] = ["frequency", "recency", "periods", "weights"];

/// Most opportunities a history may have: beyond, the file is surely not a summary of
/// discrete occasions (and the likelihood's sums would be long).
pub const MAX_OPPORTUNITIES: u32 = 10_000;

/// Reads a summary of discrete-time histories from a CSV file with the header
/// `frequency,recency,periods,weights` (any order; `weights` optional, 1 per row if absent):
/// x, t_x, n and the customers sharing them. Every bad row is an error naming the file, line
/// and column, and what was expected.
pub fn read_summary(path: &Path) -> Result<Summary, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_summary(path, &bytes)
}

/// Whether `bytes` look like a summary of discrete-time histories: a first line naming the
/// columns `frequency`, `recency` and `periods` (any case, comma-separated), as the donations
/// data do. A transaction log has dates instead, so the two are told apart by the header.
pub fn looks_like_summary(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let header: Vec<String> = String::from_utf8_lossy(first)
        .split(',')
        .map(|f| f.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    COLUMNS[..3].iter().all(|c| header.iter().any(|h| h == c))
}

/// Reads a summary from `bytes`; `path` names it in messages.
pub fn parse_summary(path: &Path, bytes: &[u8]) -> Result<Summary, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let bad = |line: u64, column: &str, message: String| ReadError::BadRow {
        path: path.to_path_buf(),
        row: BadRow {
            line,
            column: column.to_string(),
            message,
        },
        skippable: false,
    };
    let header: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|f| f.trim().to_ascii_lowercase()).collect(),
        Some(Err(e)) => {
            return Err(bad(
                1,
                COLUMNS[0],
                format!("the header cannot be read: {e}"),
            ));
        }
        None => {
            return Err(ReadError::Empty {
                path: path.to_path_buf(),
                header_only: false,
            });
        }
    };
    let position = |name: &str| header.iter().position(|h| h == name);
    let mut at = [0usize; 4];
    for (slot, name) in at.iter_mut().zip(COLUMNS).take(3) {
        *slot = position(name).ok_or_else(|| {
            bad(
                1,
                name,
                format!(
                    "the header has no column `{name}`; a summary needs {} (found {})",
                    COLUMNS.join(", "),
                    header.join(", ")
                ),
            )
        })?;
    }
    let weights = position(COLUMNS[3]);
    let mut summary = Summary::default();
    for record in records {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            bad(
                line,
                COLUMNS[0],
                format!("the row cannot be read as CSV: {e}"),
            )
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let whole = |i: usize, name: &str| -> Result<u32, ReadError> {
            let text = record.get(i).unwrap_or("").trim();
            text.parse::<u32>()
                .ok()
                .filter(|v| *v <= MAX_OPPORTUNITIES)
                .ok_or_else(|| {
                    bad(
                        line,
                        name,
                        format!("`{text}` is not a whole number from 0 to {MAX_OPPORTUNITIES}"),
                    )
                })
        };
        let x = whole(at[0], COLUMNS[0])?;
        let t_x = whole(at[1], COLUMNS[1])?;
        let n = whole(at[2], COLUMNS[2])?;
        if t_x > n || x > t_x || (x > 0 && t_x == 0) {
            return Err(bad(
                line,
                COLUMNS[1],
                format!(
                    "recency {t_x} does not fit frequency {x} and periods {n}: expected frequency ≤ recency ≤ periods, and recency ≥ 1 when frequency ≥ 1"
                ),
            ));
        }
        let weight = match weights {
            None => 1.0,
            Some(i) => {
                let text = record.get(i).unwrap_or("").trim();
                match text.parse::<f64>() {
                    Ok(w) if w.is_finite() && w >= 0.0 && w.fract() == 0.0 => w,
                    _ => {
                        return Err(bad(
                            line,
                            COLUMNS[3],
                            format!("`{text}` is not a number of customers (a whole number ≥ 0)"),
                        ));
                    }
                }
            }
        };
        summary.rows.push((Opportunities { x, t_x, n }, weight));
    }
    if summary.customers() <= 0.0 {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
            header_only: true,
        });
    }
    Ok(summary)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The published fit to the donations data (Fader, Hardie & Shang 2010).
    pub(in crate::calibrate) const M: BgBb = BgBb {
        alpha: 1.204,
        beta: 0.750,
        gamma: 0.657,
        delta: 2.783,
    };

    /// The likelihood by enumeration over the death opportunity, with p and θ integrated out
    /// by their Beta moments: E[p^x (1−p)^(k−x)] E[(1−θ)^k θ] for death just after
    /// opportunity k, and E[p^x (1−p)^(n−x)] E[(1−θ)^n] for alive throughout.
    #[test]
    fn the_likelihood_sums_over_the_opportunity_of_death() {
        let b = |p: f64, q: f64| ln_beta(p, q).exp();
        let BgBb {
            alpha,
            beta,
            gamma,
            delta,
        } = M;
        let (x, t_x, n) = (2u32, 4u32, 6u32);
        let (xf, nf) = (f64::from(x), f64::from(n));
        let mut want =
            b(alpha + xf, beta + nf - xf) / b(alpha, beta) * b(gamma, delta + nf) / b(gamma, delta);
        for k in t_x..n {
            let k = f64::from(k);
            want += b(alpha + xf, beta + k - xf) / b(alpha, beta) * b(gamma + 1.0, delta + k)
                / b(gamma, delta);
        }
        let got = M.log_likelihood_of(&Opportunities { x, t_x, n });
        assert!((got - want.ln()).abs() < 1e-12);
    }

    #[test]
    fn likelihoods_of_all_histories_of_n_opportunities_sum_to_one() {
        let n = 6u32;
        let mut total = 0.0;
        // x = 0 (t_x = 0), and for x ≥ 1 every t_x from x to n: C(t_x − 1, x − 1) orderings.
        total += M
            .log_likelihood_of(&Opportunities { x: 0, t_x: 0, n })
            .exp();
        for x in 1..=n {
            for t_x in x..=n {
                let orderings = (1..x).fold(1.0, |c, k| c * f64::from(t_x - k) / f64::from(k));
                total += orderings * M.log_likelihood_of(&Opportunities { x, t_x, n }).exp();
            }
        }
        assert!((total - 1.0).abs() < 1e-12, "{total}");
    }

    #[test]
    fn a_summary_row_that_does_not_fit_names_its_line_and_column() {
        let text = b"frequency,recency,periods,weights\n1,1,6,10\n3,2,6,4\n";
        let err = parse_summary(Path::new("d.csv"), text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("d.csv") && err.contains("line 3"), "{err}");
        assert!(err.contains("recency"), "{err}");
        let text = b"frequency,recency,periods,weights\n1,1,6,ten\n";
        let err = parse_summary(Path::new("d.csv"), text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") && err.contains("weights"), "{err}");
    }
}
