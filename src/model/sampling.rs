//! How the uncertain inputs are drawn together: Latin hypercube sampling (McKay, Beckman &
//! Conover 1979) and rank correlations imposed by the Iman–Conover method (Iman & Conover
//! 1982). Both work on a whole batch of trials at once, as a matrix of uniforms (one row per
//! trial, one column per input), which the inputs' quantile functions then turn into values.
//! Everything here is pure: the random numbers come from generators the caller keys.

use nalgebra::{DMatrix, SymmetricEigen};
use rand::{Rng, RngExt};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// How each input's uniforms are drawn over a batch of trials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Independent draws, one per trial (plain Monte Carlo).
    #[default]
    Random,
    /// Latin hypercube: the range of probabilities is cut into as many equal strata as there
    /// are trials, and each stratum gets exactly one draw, in random order.
    LatinHypercube,
}

impl Sampling {
    /// The name as written in a scenario.
    pub fn name(self) -> &'static str {
        match self {
            Sampling::Random => "random",
            Sampling::LatinHypercube => "latin_hypercube",
        }
    }
}

/// Rank correlations wanted between some uncertain inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    /// Paths of the inputs, in the matrix's order.
    pub inputs: Vec<String>,
    /// The rank (Spearman) correlation matrix, row by row: symmetric, ones on the diagonal,
    /// positive semi-definite.
    pub matrix: Vec<Vec<f64>>,
}

/// The `[risk]` table of a scenario: how the uncertain inputs are drawn together, and the
/// loss whose probability is reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RiskSettings {
    /// How each input's draws spread over the trials.
    pub sampling: Sampling,
    /// Rank correlations between uncertain inputs, if any.
    pub correlation: Option<Correlation>,
    /// A loss (a positive amount in the currency): the run reports the probability that the
    /// NPV falls below minus this amount.
    pub loss_limit: Option<f64>,
}

impl RiskSettings {
    /// Whether draws need the whole batch of trials at once (else each trial draws alone).
    pub fn needs_plan(&self) -> bool {
        self.sampling != Sampling::Random || self.correlation.is_some()
    }
}

/// Why a matrix is not a valid correlation matrix.
#[derive(Debug, Clone, PartialEq)]
pub enum MatrixProblem {
    /// Row `row` does not have one entry per input.
    Shape {
        /// The row (0-based), or the number of rows when `row` is `None`.
        row: Option<usize>,
        /// Entries expected.
        expected: usize,
        /// Entries found.
        found: usize,
    },
    /// An entry is not a number from −1 to 1.
    Range {
        /// Row (0-based).
        row: usize,
        /// Column (0-based).
        column: usize,
        /// The entry.
        value: f64,
    },
    /// A diagonal entry is not 1.
    Diagonal {
        /// Row and column (0-based).
        index: usize,
        /// The entry.
        value: f64,
    },
    /// Entry (row, column) differs from (column, row).
    Asymmetric {
        /// Row (0-based).
        row: usize,
        /// Column (0-based).
        column: usize,
        /// Entry (row, column).
        value: f64,
        /// Entry (column, row).
        mirror: f64,
    },
    /// The matrix has a negative eigenvalue: no set of variables can have these correlations.
    NotPositiveSemiDefinite {
        /// The smallest eigenvalue.
        smallest_eigenvalue: f64,
    },
}

impl std::fmt::Display for MatrixProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            MatrixProblem::Shape {
                row: None,
                expected,
                found,
            } => write!(
                f,
                "expected {expected} rows, one per input of `inputs`, found {found}"
            ),
            MatrixProblem::Shape {
                row: Some(_),
                expected,
                found,
            } => write!(
                f,
                "expected {expected} numbers, one per input of `inputs`, found {found}"
            ),
            MatrixProblem::Range { value, .. } => {
                write!(f, "expected a correlation from -1 to 1, found {value}")
            }
            MatrixProblem::Diagonal { value, .. } => write!(
                f,
                "expected 1 on the diagonal (an input's correlation with itself), found {value}"
            ),
            MatrixProblem::Asymmetric {
                row,
                column,
                value,
                mirror,
            } => write!(
                f,
                "the matrix must be symmetric: entry [{row}][{column}] is {value} but [{column}][{row}] is {mirror}"
            ),
            MatrixProblem::NotPositiveSemiDefinite {
                smallest_eigenvalue,
            } => write!(
                f,
                "not a valid correlation matrix: it is not positive semi-definite (smallest eigenvalue {smallest_eigenvalue:.4}), so no inputs can have these correlations together; make the correlations consistent (e.g. if A and B move together and B and C move together, A and C cannot move strongly apart)"
            ),
        }
    }
}

/// Tolerance of the symmetry and unit-diagonal checks, and of a negative eigenvalue.
const TOLERANCE: f64 = 1e-9;

/// Checks that `matrix` is a valid correlation matrix for `n` inputs: n × n, entries in
/// [−1, 1], ones on the diagonal, symmetric, positive semi-definite. Every problem of shape,
/// range, diagonal and symmetry is listed; definiteness is judged only when there are none.
pub fn check_matrix(matrix: &[Vec<f64>], n: usize) -> Vec<MatrixProblem> {
    let mut problems = Vec::new();
    if matrix.len() != n {
        problems.push(MatrixProblem::Shape {
            row: None,
            expected: n,
            found: matrix.len(),
        });
        return problems;
    }
    for (i, row) in matrix.iter().enumerate() {
        if row.len() != n {
            problems.push(MatrixProblem::Shape {
                row: Some(i),
                expected: n,
                found: row.len(),
            });
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    for (i, row) in matrix.iter().enumerate() {
        for (j, &value) in row.iter().enumerate() {
            if !(value.is_finite() && (-1.0..=1.0).contains(&value)) {
                problems.push(MatrixProblem::Range {
                    row: i,
                    column: j,
                    value,
                });
            } else if i == j && (value - 1.0).abs() > TOLERANCE {
                problems.push(MatrixProblem::Diagonal { index: i, value });
            } else if j > i && (value - matrix[j][i]).abs() > TOLERANCE {
                problems.push(MatrixProblem::Asymmetric {
                    row: i,
                    column: j,
                    value,
                    mirror: matrix[j][i],
                });
            }
        }
    }
    if problems.is_empty() {
        for m in [to_matrix(matrix), normal_scores_target(matrix)] {
            let smallest = smallest_eigenvalue(&m);
            if smallest < -TOLERANCE {
                problems.push(MatrixProblem::NotPositiveSemiDefinite {
                    smallest_eigenvalue: smallest,
                });
                break;
            }
        }
    }
    problems
}

fn to_matrix(rows: &[Vec<f64>]) -> DMatrix<f64> {
    let n = rows.len();
    DMatrix::from_fn(n, n, |i, j| rows[i][j])
}

fn smallest_eigenvalue(m: &DMatrix<f64>) -> f64 {
    SymmetricEigen::new(m.clone())
        .eigenvalues
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
}

/// The Pearson correlation of normal scores whose rank correlation is the entry of `rank`:
/// r = 2 sin(π ρ / 6) (Pearson 1907; Kruskal 1958), so the method aims at the rank
/// correlation the user wrote, not at the slightly larger correlation of the scores.
fn normal_scores_target(rank: &[Vec<f64>]) -> DMatrix<f64> {
    let n = rank.len();
    DMatrix::from_fn(n, n, |i, j| {
        if i == j {
            1.0
        } else {
            2.0 * (std::f64::consts::PI * rank[i][j] / 6.0).sin()
        }
    })
}

/// A square root L of a positive semi-definite `m` (L Lᵀ = m): its Cholesky factor when `m`
/// is positive definite, else Q √Λ from its eigen-decomposition (for a perfect correlation).
fn square_root(m: &DMatrix<f64>) -> DMatrix<f64> {
    if let Some(c) = m.clone().cholesky() {
        return c.l();
    }
    let eigen = SymmetricEigen::new(m.clone());
    let roots = eigen.eigenvalues.map(|l| l.max(0.0).sqrt());
    &eigen.eigenvectors * DMatrix::from_diagonal(&roots)
}

/// A uniform in [0, 1) from `rng` (the 53-bit conversion of rand's `random::<f64>`).
fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rng.random::<f64>()
}

/// Shuffles `items` in place (Fisher–Yates, Durstenfeld's form). Written out, not taken from
/// rand, so that a run's draws cannot change with the version of a dependency.
pub fn shuffle<T, R: Rng + ?Sized>(items: &mut [T], rng: &mut R) {
    for i in (1..items.len()).rev() {
        let j = ((uniform(rng) * (i + 1) as f64) as usize).min(i);
        items.swap(i, j);
    }
}

/// One input's column of a Latin hypercube over `n` trials: for each stratum
/// [s/n, (s + 1)/n) one uniform within it, the strata in random order.
pub fn latin_hypercube_column<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<f64> {
    let mut strata: Vec<usize> = (0..n).collect();
    shuffle(&mut strata, rng);
    strata
        .into_iter()
        .map(|s| {
            let (low, high) = (s as f64 / n as f64, (s as f64 + 1.0) / n as f64);
            // s + u may round up to s + 1: the draw stays inside its stratum.
            ((s as f64 + uniform(rng)) / n as f64).clamp(low, high.next_down())
        })
        .collect()
}

/// Rearranges the rows of `columns` (one column per input of `correlation`'s matrix, all of
/// the same length `n`) so that their rank correlations approach the matrix, by Iman &
/// Conover's method: a matrix of van der Waerden scores Φ⁻¹(i/(n + 1)), each column randomly
/// permuted by its generator in `score_rngs`, is given the target correlation exactly
/// (T = S (F⁻¹)ᵀ Pᵀ with F Fᵀ the scores' own correlation and P Pᵀ the target), and each
/// column is reordered to have the ranks of T's column. The values of each column are kept,
/// only their pairing across columns changes. With fewer than `k + 2` rows nothing is done
/// (no correlation can be measured).
pub fn iman_conover<R: Rng>(columns: &mut [Vec<f64>], rank: &[Vec<f64>], score_rngs: &mut [R]) {
    let k = columns.len();
    let n = columns.first().map_or(0, Vec::len);
    if k < 2 || n < k + 2 || rank.len() != k || score_rngs.len() != k {
        return;
    }
    let normal = Normal::standard();
    let scores: Vec<f64> = (1..=n)
        .map(|i| normal.inverse_cdf(i as f64 / (n as f64 + 1.0)))
        .collect();
    let mut s = DMatrix::<f64>::zeros(n, k);
    for (j, rng) in score_rngs.iter_mut().enumerate() {
        let mut column = scores.clone();
        shuffle(&mut column, rng);
        for (i, v) in column.into_iter().enumerate() {
            s[(i, j)] = v;
        }
    }
    let e = sample_correlation(&s);
    let p = square_root(&normal_scores_target(rank));
    // F⁻¹ of the scores' own correlation; with n ≥ k + 2 random permutations it is positive
    // definite except by a freak of chance, when the scores are taken as they are.
    let f_inv_t = e
        .cholesky()
        .and_then(|c| c.l().try_inverse())
        .map_or_else(|| DMatrix::identity(k, k), |f| f.transpose());
    let t = &s * f_inv_t * p.transpose();
    for (j, column) in columns.iter_mut().enumerate() {
        let mut sorted = column.clone();
        sorted.sort_by(f64::total_cmp);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| t[(a, j)].total_cmp(&t[(b, j)]).then(a.cmp(&b)));
        for (r, &row) in order.iter().enumerate() {
            column[row] = sorted[r];
        }
    }
}

/// The Pearson correlation matrix of the columns of `m`.
fn sample_correlation(m: &DMatrix<f64>) -> DMatrix<f64> {
    let (n, k) = m.shape();
    let mut centred = m.clone();
    for j in 0..k {
        let mean = m.column(j).sum() / n as f64;
        for i in 0..n {
            centred[(i, j)] -= mean;
        }
    }
    let cov = centred.transpose() * &centred;
    DMatrix::from_fn(k, k, |i, j| {
        cov[(i, j)] / (cov[(i, i)] * cov[(j, j)]).sqrt()
    })
}

/// Spearman's rank correlation of `a` and `b` (ties get their mean rank): the Pearson
/// correlation of the ranks.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let mut sab = 0.0;
    let mut saa = 0.0;
    let mut sbb = 0.0;
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// Ranks 1..n of `values`, ties sharing their mean rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            out[o] = rank;
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::SimRng;
    use rand::SeedableRng;

    fn rngs(k: usize, seed: u64) -> Vec<SimRng> {
        (0..k)
            .map(|j| SimRng::seed_from_u64(seed + j as u64))
            .collect()
    }

    /// `k` columns of `n` independent uniforms.
    fn independent(k: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut source = SimRng::seed_from_u64(seed);
        (0..k)
            .map(|_| (0..n).map(|_| uniform(&mut source)).collect())
            .collect()
    }

    #[test]
    fn latin_hypercube_puts_one_draw_in_each_stratum() {
        let n = 1000;
        let column = latin_hypercube_column(n, &mut SimRng::seed_from_u64(3));
        let mut strata: Vec<usize> = column.iter().map(|u| (u * n as f64) as usize).collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..n).collect::<Vec<_>>());
        assert!(column.iter().all(|u| (0.0..1.0).contains(u)));
    }

    #[test]
    fn iman_conover_reaches_a_rank_correlation_of_0_7_over_2000_trials() {
        let mut columns = independent(2, 2000, 7);
        let before: Vec<Vec<f64>> = columns.clone();
        assert!(spearman(&columns[0], &columns[1]).abs() < 0.06);
        let target = vec![vec![1.0, 0.7], vec![0.7, 1.0]];
        iman_conover(&mut columns, &target, &mut rngs(2, 11));
        let r = spearman(&columns[0], &columns[1]);
        assert!((r - 0.7).abs() <= 0.03, "rank correlation {r}");
        // Each input keeps its own values: only their pairing changes.
        for (a, b) in before.iter().zip(&columns) {
            let (mut a, mut b) = (a.clone(), b.clone());
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn iman_conover_reaches_three_correlations_at_once_and_negative_ones() {
        let mut columns = independent(3, 2000, 8);
        let target = vec![
            vec![1.0, 0.5, -0.4],
            vec![0.5, 1.0, 0.0],
            vec![-0.4, 0.0, 1.0],
        ];
        iman_conover(&mut columns, &target, &mut rngs(3, 21));
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            let r = spearman(&columns[i], &columns[j]);
            assert!((r - target[i][j]).abs() <= 0.03, "[{i}][{j}] {r}");
        }
    }

    #[test]
    fn a_perfect_correlation_pairs_the_ranks_exactly() {
        // A singular (semi-definite) target: Cholesky fails, the eigen root is used.
        let mut columns = independent(2, 200, 9);
        iman_conover(
            &mut columns,
            &[vec![1.0, 1.0], vec![1.0, 1.0]],
            &mut rngs(2, 1),
        );
        assert!((spearman(&columns[0], &columns[1]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn invalid_matrices_are_named_for_what_is_wrong() {
        assert_eq!(
            check_matrix(&[vec![1.0, 0.5], vec![0.4, 1.0]], 2),
            vec![MatrixProblem::Asymmetric {
                row: 0,
                column: 1,
                value: 0.5,
                mirror: 0.4
            }]
        );
        assert_eq!(
            check_matrix(&[vec![0.9, 0.5], vec![0.5, 1.0]], 2),
            vec![MatrixProblem::Diagonal {
                index: 0,
                value: 0.9
            }]
        );
        assert!(matches!(
            check_matrix(&[vec![1.0, 1.5], vec![1.5, 1.0]], 2)[0],
            MatrixProblem::Range {
                row: 0,
                column: 1,
                ..
            }
        ));
        assert!(matches!(
            check_matrix(&[vec![1.0, 0.5]], 2)[0],
            MatrixProblem::Shape { row: None, .. }
        ));
        // A and B +0.9, B and C +0.9, A and C −0.9: eigenvalues of [[1, .9, −.9], [.9, 1, .9],
        // [−.9, .9, 1]] are 1.9, 1.9 and −0.8.
        let inconsistent = vec![
            vec![1.0, 0.9, -0.9],
            vec![0.9, 1.0, 0.9],
            vec![-0.9, 0.9, 1.0],
        ];
        match check_matrix(&inconsistent, 3).as_slice() {
            [
                MatrixProblem::NotPositiveSemiDefinite {
                    smallest_eigenvalue,
                },
            ] => {
                assert!((smallest_eigenvalue + 0.8).abs() < 1e-9);
            }
            other => panic!("{other:?}"),
        }
        assert!(check_matrix(&[vec![1.0, 0.7], vec![0.7, 1.0]], 2).is_empty());
    }

    #[test]
    fn spearman_by_hand() {
        // Ranks (1,2,3,4) and (2,1,4,3): d² = 4 → ρ = 1 − 6·4/(4·15) = 0.6.
        assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[20.0, 10.0, 40.0, 30.0]) - 0.6).abs() < 1e-12);
    }
}
