//! Global sensitivity: Sobol first-order and total indices of a model's output over independent
//! inputs, by the estimators Saltelli et al. (2010) recommend ("Variance based sensitivity
//! analysis of model output. Design and estimator for the total sensitivity index", Computer
//! Physics Communications 181, Table 2): Saltelli's for the first order and Jansen's (1999) for
//! the total, with percentile bootstrap intervals.
//!
//! The design: two base matrices A and B of `n` rows (one per row of the design) and `k`
//! columns (one per input) of probabilities, each a Latin hypercube (one draw per stratum of
//! each column, McKay, Beckman & Conover 1979) drawn from generators keyed by the seed, the
//! matrix and the column; and for each input i the matrix A_B^i, A with its column i taken
//! from B. The model is evaluated on the n (k + 2) points; a point is passed its row so that a
//! model with its own randomness can share it across A, B and every A_B^i of the row (common
//! random numbers). Then, with f the outputs and V the variance of those of A and B together,
//!
//! - first order  S_i  = (1/n) Σ_j (f(B)_j − m) (f(A_B^i)_j − f(A)_j) / V,
//! - total        ST_i = (1/2n) Σ_j (f(A)_j − f(A_B^i)_j)² / V,
//!
//! where m is the mean of the outputs of A and B. Saltelli's estimator is written with f(B)_j
//! alone; subtracting a constant changes nothing in expectation (f(A_B^i) − f(A) has mean zero)
//! but removes a variance that grows with the output's mean squared: a business case whose NPV
//! averages −€500,000 with a spread of €20,000 gave first-order indices from −8 to 10 without
//! it (as SALib does, which standardises the outputs first).
//!
//! S_i is the share of the output's variance that input i explains alone; ST_i the share it
//! takes part in, alone or through interactions. The bootstrap resamples whole rows (the same
//! j in A, B and every A_B^i) with generators keyed by the seed and the resample, and the
//! resamples are computed in any order but collected in resample order, so the intervals are
//! the same on any number of threads.

use rayon::prelude::*;
use serde::Serialize;

use super::stats::percentile_sorted;
use crate::model::sampling::latin_hypercube_column;
use crate::sim::rng::{Stream, trial_rng};
use rand::RngExt;

/// First-order and total indices, one each per input, in the inputs' order.
pub type FirstAndTotal = (Vec<f64>, Vec<f64>);

/// The points at which a Sobol analysis evaluates the model.
#[derive(Debug, Clone)]
pub struct SobolDesign {
    /// Rows of A: `n` rows of `k` probabilities in (0, 1).
    a: Vec<Vec<f64>>,
    /// Rows of B, like A.
    b: Vec<Vec<f64>>,
}

/// One point of a design: the row it belongs to and its probabilities, one per input.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The row (0-based): points of one row share the model's own random numbers.
    pub row: usize,
    /// One probability per input.
    pub probabilities: Vec<f64>,
}

impl SobolDesign {
    /// A design of `n` rows over `k` inputs whose base matrices are Latin hypercubes drawn
    /// from generators keyed by `seed`, the matrix and the column.
    pub fn latin_hypercube(n: usize, k: usize, seed: u64) -> SobolDesign {
        let matrix = |which: u64| -> Vec<Vec<f64>> {
            let columns: Vec<Vec<f64>> = (0..k)
                .map(|c| {
                    latin_hypercube_column(
                        n,
                        &mut trial_rng(seed, which, c as u64, Stream::SobolBase),
                    )
                })
                .collect();
            (0..n)
                .map(|j| columns.iter().map(|col| col[j]).collect())
                .collect()
        };
        SobolDesign {
            a: matrix(0),
            b: matrix(1),
        }
    }

    /// Rows of the design (n).
    pub fn rows(&self) -> usize {
        self.a.len()
    }

    /// Inputs of the design (k).
    pub fn inputs(&self) -> usize {
        self.a.first().map_or(0, Vec::len)
    }

    /// Model evaluations the design needs: n (k + 2).
    pub fn evaluations(&self) -> usize {
        self.rows() * (self.inputs() + 2)
    }

    /// The `index`-th point (0 ≤ index < [`evaluations`](Self::evaluations)): the rows of A,
    /// then those of B, then those of A_B^1, …, A_B^k.
    pub fn point(&self, index: usize) -> Point {
        let n = self.rows().max(1);
        let (block, row) = (index / n, index % n);
        let probabilities = match block {
            0 => self.a[row].clone(),
            1 => self.b[row].clone(),
            _ => {
                let i = block - 2;
                let mut p = self.a[row].clone();
                p[i] = self.b[row][i];
                p
            }
        };
        Point { row, probabilities }
    }

    /// The model `f` at every point, evaluated in parallel and collected in the design's
    /// order; the first error in that order if any point fails.
    pub fn evaluate<E: Send>(
        &self,
        f: impl Fn(&Point) -> Result<f64, E> + Sync,
    ) -> Result<SobolOutputs, E> {
        let mut outputs = self.evaluate_many(1, |p| f(p).map(|v| vec![v]))?;
        Ok(outputs.pop().unwrap_or_else(|| {
            SobolOutputs::from_design_order(self.rows(), self.inputs(), Vec::new())
        }))
    }

    /// A model `f` with `count` outputs at every point (each simulation gives them all at
    /// once), evaluated in parallel and collected in the design's order: the outputs of each,
    /// in `f`'s order; the first error in the design's order if any point fails.
    pub fn evaluate_many<E: Send>(
        &self,
        count: usize,
        f: impl Fn(&Point) -> Result<Vec<f64>, E> + Sync,
    ) -> Result<Vec<SobolOutputs>, E> {
        let values: Vec<Result<Vec<f64>, E>> = (0..self.evaluations())
            .into_par_iter()
            .map(|i| f(&self.point(i)))
            .collect();
        let values: Vec<Vec<f64>> = values.into_iter().collect::<Result<_, E>>()?;
        Ok((0..count)
            .map(|o| {
                SobolOutputs::from_design_order(
                    self.rows(),
                    self.inputs(),
                    values
                        .iter()
                        .map(|v| v.get(o).copied().unwrap_or(f64::NAN))
                        .collect(),
                )
            })
            .collect())
    }
}

/// The model's outputs at a design's points.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolOutputs {
    /// f(A), one per row.
    pub a: Vec<f64>,
    /// f(B), one per row.
    pub b: Vec<f64>,
    /// f(A_B^i) for each input i, one per row.
    pub ab: Vec<Vec<f64>>,
}

impl SobolOutputs {
    /// Outputs listed in a design's order (A, B, A_B^1, …) for `n` rows and `k` inputs.
    pub fn from_design_order(n: usize, k: usize, values: Vec<f64>) -> SobolOutputs {
        let mut blocks = values.chunks(n.max(1)).map(<[f64]>::to_vec);
        let a = blocks.next().unwrap_or_default();
        let b = blocks.next().unwrap_or_default();
        let ab: Vec<Vec<f64>> = blocks.take(k).collect();
        SobolOutputs { a, b, ab }
    }

    /// First-order and total indices (one each per input) from the rows `rows` (which may
    /// repeat, for a bootstrap resample); `None` when the output does not vary over them.
    pub fn estimate(&self, rows: &[usize]) -> Option<FirstAndTotal> {
        let n = rows.len() as f64;
        if rows.is_empty() {
            return None;
        }
        let mean = rows.iter().map(|&j| self.a[j] + self.b[j]).sum::<f64>() / (2.0 * n);
        let variance = rows
            .iter()
            .map(|&j| (self.a[j] - mean).powi(2) + (self.b[j] - mean).powi(2))
            .sum::<f64>()
            / (2.0 * n);
        if !(variance > 0.0 && variance.is_finite()) {
            return None;
        }
        let (mut first, mut total) = (Vec::new(), Vec::new());
        for ab in &self.ab {
            let s: f64 = rows
                .iter()
                .map(|&j| (self.b[j] - mean) * (ab[j] - self.a[j]))
                .sum::<f64>()
                / n;
            let st: f64 = rows
                .iter()
                .map(|&j| (self.a[j] - ab[j]).powi(2))
                .sum::<f64>()
                / (2.0 * n);
            first.push(s / variance);
            total.push(st / variance);
        }
        Some((first, total))
    }

    /// The indices with percentile bootstrap intervals of `confidence` (e.g. 0.95) from
    /// `resamples` resamples of the rows keyed by `seed`; `None` when the output does not vary.
    pub fn indices(&self, resamples: usize, confidence: f64, seed: u64) -> Option<Vec<SobolIndex>> {
        let n = self.a.len();
        let all: Vec<usize> = (0..n).collect();
        let (first, total) = self.estimate(&all)?;
        let boot: Vec<Option<FirstAndTotal>> = (0..resamples)
            .into_par_iter()
            .map(|r| {
                let mut rng = trial_rng(seed, r as u64, 0, Stream::Bootstrap);
                let rows: Vec<usize> = (0..n)
                    .map(|_| ((rng.random::<f64>() * n as f64) as usize).min(n - 1))
                    .collect();
                self.estimate(&rows)
            })
            .collect();
        let tail = (1.0 - confidence) / 2.0;
        let interval = |pick: &dyn Fn(&FirstAndTotal) -> f64| -> [f64; 2] {
            let mut v: Vec<f64> = boot.iter().flatten().map(pick).collect();
            v.retain(|x| x.is_finite());
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                return [f64::NAN, f64::NAN];
            }
            [
                percentile_sorted(&v, tail),
                percentile_sorted(&v, 1.0 - tail),
            ]
        };
        Some(
            (0..self.ab.len())
                .map(|i| SobolIndex {
                    first: Estimate {
                        value: first[i],
                        interval: interval(&|e| e.0[i]),
                    },
                    total: Estimate {
                        value: total[i],
                        interval: interval(&|e| e.1[i]),
                    },
                })
                .collect(),
        )
    }
}

/// An estimate with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate from all rows.
    pub value: f64,
    /// Lower and upper ends of its percentile bootstrap interval.
    pub interval: [f64; 2],
}

impl Estimate {
    /// Whether `x` lies within the interval.
    pub fn covers(&self, x: f64) -> bool {
        self.interval[0] <= x && x <= self.interval[1]
    }

    /// Width of the interval.
    pub fn width(&self) -> f64 {
        self.interval[1] - self.interval[0]
    }
}

/// One input's indices.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SobolIndex {
    /// First-order index S_i: the variance share the input explains alone.
    pub first: Estimate,
    /// Total index ST_i: the share it takes part in, alone or with others.
    pub total: Estimate,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// The Ishigami function (Ishigami & Homma 1990) of three inputs uniform on [−π, π]:
    /// f = sin x1 + a sin² x2 + b x3⁴ sin x1.
    fn ishigami(p: &[f64], a: f64, b: f64) -> f64 {
        let x: Vec<f64> = p.iter().map(|u| -PI + 2.0 * PI * u).collect();
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    /// Its analytic first-order and total indices (Saltelli et al. 2008, "Global Sensitivity
    /// Analysis: The Primer", §4.1 and exercise 4.6): with V = a²/8 + b π⁴/5 + b² π⁸/18 + 1/2,
    /// V1 = (1 + b π⁴/5)²/2, V2 = a²/8, V3 = 0 and the one interaction V13 = 8 b² π⁸/225,
    /// S_i = V_i / V, ST1 = (V1 + V13)/V, ST2 = V2/V, ST3 = V13/V. For a = 7, b = 0.1:
    /// V = 6.125 + 1.9482 + 5.2714 + 0.5 = 13.8446, V1 = 4.3459, V13 = 3.3737, so
    /// S = (0.3139, 0.4424, 0) and ST = (0.5576, 0.4424, 0.2437): the published values, and
    /// V1 + V2 + V13 = V (nothing else).
    fn analytic(a: f64, b: f64) -> ([f64; 3], [f64; 3]) {
        let pi4 = PI.powi(4);
        let pi8 = PI.powi(8);
        let v = a * a / 8.0 + b * pi4 / 5.0 + b * b * pi8 / 18.0 + 0.5;
        let v1 = (1.0 + b * pi4 / 5.0).powi(2) / 2.0;
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * pi8 / 225.0;
        assert!((v1 + v2 + v13 - v).abs() < 1e-9);
        ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
    }

    fn ishigami_indices(n: usize, seed: u64, confidence: f64) -> Vec<SobolIndex> {
        let design = SobolDesign::latin_hypercube(n, 3, seed);
        let outputs = design
            .evaluate(|p| Ok::<_, ()>(ishigami(&p.probabilities, 7.0, 0.1)))
            .expect("the Ishigami function cannot fail");
        outputs
            .indices(1000, confidence, seed)
            .expect("the Ishigami function varies")
    }

    #[test]
    fn ishigami_analytic_values_by_formula() {
        let (s, st) = analytic(7.0, 0.1);
        for (x, want) in s.iter().zip([0.3139, 0.4424, 0.0]) {
            assert!((x - want).abs() < 5e-5, "{x}");
        }
        for (x, want) in st.iter().zip([0.5576, 0.4424, 0.2437]) {
            assert!((x - want).abs() < 5e-5, "{x}");
        }
    }

    /// Measured over seeds 0–39 with 4,096 rows: the estimates centre on the analytic values
    /// (ST3 averaged 0.2424) and the 95% intervals covered them in 230 of 240 checks (S3 and
    /// ST3 in 36 of 40 each, the others in 39 or 40). With six checks at 95% a fixed seed
    /// fails one about a quarter of the time, so the test asks the 99% intervals.
    #[test]
    fn ishigami_indices_lie_within_their_bootstrap_intervals() {
        let (s, st) = analytic(7.0, 0.1);
        let indices = ishigami_indices(4096, 2026, 0.99);
        for (i, index) in indices.iter().enumerate() {
            assert!(
                index.first.covers(s[i]),
                "S{} = {} not in {:?} (estimate {})",
                i + 1,
                s[i],
                index.first.interval,
                index.first.value
            );
            assert!(
                index.total.covers(st[i]),
                "ST{} = {} not in {:?} (estimate {})",
                i + 1,
                st[i],
                index.total.interval,
                index.total.value
            );
            // Informative: within about ±0.06 of the estimate at 4,096 rows (the widest here,
            // ST1's 99% interval, is 0.11 wide).
            assert!(index.first.width() < 0.12, "{:?}", index.first);
            assert!(index.total.width() < 0.12, "{:?}", index.total);
        }
    }

    #[test]
    fn the_same_on_one_and_two_threads() {
        let on = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool")
                .install(|| ishigami_indices(256, 7, 0.95))
        };
        let (one, two) = (on(1), on(2));
        for (x, y) in one.iter().zip(&two) {
            for (e, f) in [(x.first, y.first), (x.total, y.total)] {
                assert_eq!(e.value.to_bits(), f.value.to_bits());
                assert_eq!(e.interval[0].to_bits(), f.interval[0].to_bits());
                assert_eq!(e.interval[1].to_bits(), f.interval[1].to_bits());
            }
        }
    }

    #[test]
    fn estimators_by_hand_on_an_additive_model() {
        // f = x1 + 2 x2 (no interaction): with A = [[0,0],[1,1]], B = [[1,0],[0,1]], f(A) =
        // (0, 3), f(B) = (1, 2), V of {0, 3, 1, 2} = 1.25; A_B^1 = [[1,0],[0,1]] → (1, 2),
        // A_B^2 = [[0,0],[1,1]] → (0, 3); m = 1.5. S1 = mean((f(B) − m)(f(AB1) − f(A))) / V =
        // ((−0.5)·1 + 0.5·(−1))/2 / 1.25 = −0.4; ST1 = mean((f(A) − f(AB1))²)/2 / V =
        // 1/2/1.25 = 0.4; S2 = 0, ST2 = 0 (A_B^2 = A).
        let outputs =
            SobolOutputs::from_design_order(2, 2, vec![0.0, 3.0, 1.0, 2.0, 1.0, 2.0, 0.0, 3.0]);
        let (s, st) = outputs.estimate(&[0, 1]).expect("it varies");
        assert!((s[0] + 0.4).abs() < 1e-12 && (st[0] - 0.4).abs() < 1e-12);
        assert!(s[1].abs() < 1e-12 && st[1].abs() < 1e-12);
        // A constant output has no variance to share.
        let flat = SobolOutputs::from_design_order(2, 1, vec![1.0; 6]);
        assert!(flat.estimate(&[0, 1]).is_none());
    }

    #[test]
    fn the_design_swaps_one_column_per_matrix() {
        let d = SobolDesign::latin_hypercube(4, 3, 1);
        assert_eq!(d.evaluations(), 20);
        for row in 0..4 {
            let (a, b) = (d.point(row), d.point(4 + row));
            for i in 0..3 {
                let p = d.point(8 + 4 * i + row);
                assert_eq!(p.row, row);
                for c in 0..3 {
                    let want = if c == i {
                        b.probabilities[c]
                    } else {
                        a.probabilities[c]
                    };
                    assert_eq!(p.probabilities[c], want);
                }
            }
        }
    }
}
