//! Dual coordinate descent for L2-regularized logistic regression (two classes).
//!
//! Implements the method of Yu, Huang & Lin, "Dual coordinate descent methods for logistic
//! regression and maximum entropy models", Machine Learning 85 (2011), Algorithm 3: each dual
//! variable `αᵢ ∈ (0, Cᵢ)` is updated by a few Newton steps on its one-dimensional subproblem,
//! and the primal weights `w = Σ αᵢ yᵢ xᵢ` are kept up to date, so one epoch costs one pass
//! over the non-zeros.

use rayon::prelude::*;

use super::SplitMix64;
use crate::error::Result;
use crate::features::CsrMatrix;

/// Called after each epoch with the epoch number (from 1) and its largest dual gradient; an
/// `Err` (a cancelled training) stops the solver and is its result.
pub(super) type OnEpoch<'a> = dyn FnMut(usize, f64) -> Result<()> + 'a;

/// Newton steps allowed per subproblem.
const MAX_INNER: usize = 100;

/// Minimize `½‖w‖² + Σᵢ Cᵢ log(1 + exp(−yᵢ (w·xᵢ + b·s)))` where `s` is the bias feature value
/// (`bias = Some(s)`) or there is no bias. Returns `(w, intercept)` with `intercept = b·s`.
#[allow(clippy::too_many_arguments)]
pub(super) fn solve(
    x: &CsrMatrix,
    y: &[f64],
    c: &[f64],
    bias: Option<f64>,
    eps: f64,
    max_epochs: usize,
    seed: u64,
    on_epoch: &mut OnEpoch<'_>,
) -> Result<(Vec<f64>, f64)> {
    let (indptr, indices, data) = x.raw();
    let rows = Rows {
        indptr,
        indices,
        data,
        shared_end: None,
        own: None,
    };
    let (w, b, _) = solve_rows_alpha(&rows, x.ncols(), y, c, None, bias, eps, max_epochs, seed, on_epoch)?;
    Ok((w, b))
}

/// Number the columns of `d` that two or more rows use, densely and in column order; a column
/// of one row (a row's own column) or of none gets `u32::MAX`. Counts are turned into numbers
/// in place: one array, not two. Returns the numbering and the count of shared columns.
pub(super) fn shared_columns(indices: &[u32], d: usize) -> (Vec<u32>, u32) {
    let mut label = vec![0u32; d];
    for &col in indices {
        if let Some(f) = label.get_mut(col as usize) {
            *f = f.saturating_add(1);
        }
    }
    let mut n_shared = 0u32;
    for l in label.iter_mut() {
        if *l >= 2 {
            *l = n_shared;
            n_shared += 1;
        } else {
            *l = u32::MAX;
        }
    }
    (label, n_shared)
}

/// [`solve`] on a matrix the caller no longer needs, with the columns that only one row uses
/// (df = 1: 70% of IMDB's 1.4 million columns, 11% of its non-zeros) taken out of the inner
/// loops ([`Prepared`]). The result equals [`solve`]'s up to the rounding of sums taken in
/// another order.
#[allow(clippy::too_many_arguments)]
pub(super) fn solve_owned(
    x: CsrMatrix,
    y: &[f64],
    c: &[f64],
    bias: Option<f64>,
    eps: f64,
    max_epochs: usize,
    seed: u64,
    on_epoch: &mut OnEpoch<'_>,
) -> Result<(Vec<f64>, f64)> {
    let (w, b, _) = Prepared::new(x).solve(y, c, None, bias, eps, max_epochs, seed, on_epoch)?;
    Ok((w, b))
}

/// A matrix ready to be solved for any labels and costs, its single-row columns taken out.
/// Such a column's weight is always `yᵢ αᵢ xᵢⱼ`, so its share of `w·xᵢ` is `yᵢ αᵢ Σ xᵢⱼ²`
/// over the row's own columns: one number per row, known in advance. The other columns are
/// renumbered densely (a third of IMDB's weight vector, which then stays in cache far more
/// often), and every weight is written out in the original numbering at the end.
pub(crate) struct Prepared {
    d: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
    label: Vec<u32>,
    n_shared: u32,
    shared_end: Vec<usize>,
    own: Vec<f64>,
}

impl Prepared {
    /// Reorder each row of `x` in place: shared columns first (renumbered), then its own.
    pub(crate) fn new(x: CsrMatrix) -> Self {
        let (indptr, mut indices, mut data, d) = x.into_parts();
        let n = indptr.len().saturating_sub(1);
        let (label, n_shared) = shared_columns(&indices, d);
        // Each row: shared entries first (renumbered), then its own entries (original numbers).
        // Rows are rewritten in parallel, each in its own slices (one thread took 0.14-0.17 s of
        // an IMDB fit here, on the solver's serial path); per-row sums keep their order.
        let mut shared_end = vec![0usize; n];
        let mut own = vec![0.0f64; n];
        let mut rows_mut = Vec::with_capacity(n);
        let (mut rest_i, mut rest_d): (&mut [u32], &mut [f32]) = (&mut indices, &mut data);
        for bounds in indptr.windows(2) {
            let len = bounds[1] - bounds[0];
            let (row_i, tail_i) = std::mem::take(&mut rest_i).split_at_mut(len);
            let (row_d, tail_d) = std::mem::take(&mut rest_d).split_at_mut(len);
            rows_mut.push((bounds[0], row_i, row_d));
            (rest_i, rest_d) = (tail_i, tail_d);
        }
        rows_mut
            .into_par_iter()
            .zip(shared_end.par_iter_mut())
            .zip(own.par_iter_mut())
            .for_each_init(
                Vec::new,
                |own_entries: &mut Vec<(u32, f32)>, (((start, cols, vals), end), own_sq)| {
                    own_entries.clear();
                    let mut k = 0;
                    for j in 0..cols.len() {
                        let (col, v) = (cols[j], vals[j]);
                        match label.get(col as usize) {
                            Some(&l) if l != u32::MAX => {
                                cols[k] = l;
                                vals[k] = v;
                                k += 1;
                            }
                            _ => {
                                *own_sq += f64::from(v) * f64::from(v);
                                own_entries.push((col, v));
                            }
                        }
                    }
                    *end = start + k;
                    for &(col, v) in own_entries.iter() {
                        cols[k] = col;
                        vals[k] = v;
                        k += 1;
                    }
                },
            );
        Prepared {
            d,
            indptr,
            indices,
            data,
            label,
            n_shared,
            shared_end,
            own,
        }
    }

    /// Solve for labels `y` (±1) and costs `c`, from the dual variables `init` (a warm start:
    /// a previous solution moved into the new box by [`rebox_dual`]) or from near the primal origin.
    /// Returns the weights in the original numbering, the intercept and the dual variables.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn solve(
        &self,
        y: &[f64],
        c: &[f64],
        init: Option<&[f64]>,
        bias: Option<f64>,
        eps: f64,
        max_epochs: usize,
        seed: u64,
        on_epoch: &mut OnEpoch<'_>,
    ) -> Result<(Vec<f64>, f64, Vec<f64>)> {
        let (indptr, indices, data) = (&self.indptr, &self.indices, &self.data);
        let rows = Rows {
            indptr,
            indices,
            data,
            shared_end: Some(&self.shared_end),
            own: Some(&self.own),
        };
        let (mut w, b, alpha) = solve_rows_alpha(
            &rows,
            self.n_shared as usize,
            y,
            c,
            init,
            bias,
            eps,
            max_epochs,
            seed,
            on_epoch,
        )?;
        let (d, label) = (self.d, &self.label);
        // Spread the shared weights out to their columns in place, from the last column down:
        // label[col] <= col, so every slot is read before it is overwritten.
        w.resize(d, 0.0);
        for col in (0..d).rev() {
            let v = match label[col] {
                u32::MAX => 0.0,
                l => w.get(l as usize).copied().unwrap_or(0.0),
            };
            w[col] = v;
        }
        let n = indptr.len().saturating_sub(1);
        for i in 0..n {
            let scale = y[i] * alpha[2 * i];
            for j in self.shared_end[i]..indptr[i + 1] {
                if let Some(slot) = w.get_mut(indices[j] as usize) {
                    *slot = scale * f64::from(data[j]);
                }
            }
        }
        Ok((w, b, alpha))
    }
}

/// Dual variables (`αᵢ`, `Cᵢ − αᵢ` per row, as [`Prepared::solve`] returns them) moved to the
/// box `(0, c_newᵢ)` of new costs, for a warm start: `αᵢ` is kept (clipped just inside the box
/// when the cost shrank), so the primal weights `w = Σ αᵢ yᵢ xᵢ` start where the previous
/// solution ended. Along an increasing `C` path nothing is clipped. (Scaling every `αᵢ` with
/// the cost instead, which keeps `αᵢ / Cᵢ`, saved fewer epochs: docs/training.md.)
pub(crate) fn rebox_dual(alpha: &[f64], c_new: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(alpha.len());
    for (pair, &ci) in alpha.chunks(2).zip(c_new) {
        let a = pair[0].min(ci * (1.0 - 1e-8));
        let a = if ci > 0.0 { a.max(0.0) } else { 0.0 };
        out.push(a);
        out.push(ci - a);
    }
    out
}

/// CSR rows as the solver reads them. With `shared_end`, row `i`'s entries from
/// `shared_end[i]` on are columns no other row has, left out of the loops and summarized by
/// `own[i] = Σ x²` over them.
struct Rows<'a> {
    indptr: &'a [usize],
    indices: &'a [u32],
    data: &'a [f32],
    shared_end: Option<&'a [usize]>,
    own: Option<&'a [f64]>,
}

impl Rows<'_> {
    fn n_rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// All of row `i`'s entries.
    #[inline]
    fn full_row(&self, i: usize) -> (&[u32], &[f32]) {
        match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&a), Some(&b)) => (&self.indices[a..b], &self.data[a..b]),
            _ => (&[], &[]),
        }
    }

    /// Row `i`'s entries in shared columns.
    #[inline]
    fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let a = self.indptr.get(i).copied().unwrap_or(0);
        let b = match self.shared_end {
            Some(ends) => ends.get(i).copied().unwrap_or(a),
            None => self.indptr.get(i + 1).copied().unwrap_or(a),
        };
        (&self.indices[a..b], &self.data[a..b])
    }

    #[inline]
    fn own(&self, i: usize) -> f64 {
        self.own.and_then(|o| o.get(i)).copied().unwrap_or(0.0)
    }
}

/// The solver proper over `d` (shared) columns; also returns the dual variables.
#[allow(clippy::too_many_arguments)]
fn solve_rows_alpha(
    x: &Rows<'_>,
    d: usize,
    y: &[f64],
    c: &[f64],
    init: Option<&[f64]>,
    bias: Option<f64>,
    eps: f64,
    max_epochs: usize,
    seed: u64,
    on_epoch: &mut OnEpoch<'_>,
) -> Result<(Vec<f64>, f64, Vec<f64>)> {
    let n = x.n_rows();
    let init = init.filter(|a| a.len() == 2 * n);
    let s = bias.unwrap_or(0.0);
    let mut w = vec![0.0f64; d];
    let mut wb = 0.0f64;
    // alpha[2i] = αᵢ, alpha[2i+1] = Cᵢ − αᵢ (both kept for precision near the bounds)
    let mut alpha = vec![0.0f64; 2 * n];
    let mut xtx = vec![0.0f64; n];
    for i in 0..n {
        let ci = c[i];
        let (a, rest) = match init {
            Some(st) => (st[2 * i], st[2 * i + 1]),
            None => {
                let a = (1e-3 * ci).min(1e-8);
                (a, ci - a)
            }
        };
        alpha[2 * i] = a;
        alpha[2 * i + 1] = rest;
        let (_, all_vals) = x.full_row(i);
        let mut sq = s * s;
        for &v in all_vals {
            let v = f64::from(v);
            sq += v * v;
        }
        let (cols, vals) = x.row(i);
        for (&col, &v) in cols.iter().zip(vals) {
            w[col as usize] += y[i] * a * f64::from(v);
        }
        wb += y[i] * a * s;
        xtx[i] = sq;
    }
    // A row of zero cost (sample weight 0) keeps αᵢ = 0 and is never visited: the model
    // without the row.
    let mut order: Vec<usize> = (0..n).filter(|&i| c[i] > 0.0).collect();
    let mut rng = SplitMix64::new(seed);
    let inner_eps_min = eps.min(1e-8);
    let mut inner_eps = 1e-2;
    for epoch in 0..max_epochs {
        rng.shuffle(&mut order);
        let mut newton_steps = 0usize;
        let mut gmax = 0.0f64;
        for &i in &order {
            let (cols, vals) = x.row(i);
            let yi = y[i];
            let ci = c[i];
            let mut ywx = wb * s;
            for (&col, &v) in cols.iter().zip(vals) {
                ywx += w[col as usize] * f64::from(v);
            }
            if x.own.is_some() {
                // The row's own columns: their weights are yᵢ αᵢ xᵢⱼ.
                ywx += yi * alpha[2 * i] * x.own(i);
            }
            ywx *= yi;
            let a = xtx[i];
            let b = ywx;
            // Choose which of the two symmetric subproblems to solve.
            let (ind1, ind2, sign) = if 0.5 * a * (alpha[2 * i + 1] - alpha[2 * i]) + b < 0.0 {
                (2 * i + 1, 2 * i, -1.0)
            } else {
                (2 * i, 2 * i + 1, 1.0)
            };
            let alpha_old = alpha[ind1];
            let mut z = alpha_old;
            if ci - z < 0.5 * ci {
                z *= 0.1;
            }
            let mut gp = a * (z - alpha_old) + sign * b + (z / (ci - z)).ln();
            gmax = gmax.max(gp.abs());
            let mut inner = 0;
            while inner < MAX_INNER {
                if gp.abs() < inner_eps {
                    break;
                }
                let gpp = a + ci / (ci - z) / z;
                let tmpz = z - gp / gpp;
                z = if tmpz <= 0.0 { z * 0.1 } else { tmpz };
                gp = a * (z - alpha_old) + sign * b + (z / (ci - z)).ln();
                newton_steps += 1;
                inner += 1;
            }
            if inner > 0 {
                alpha[ind1] = z;
                alpha[ind2] = ci - z;
                let delta = sign * (z - alpha_old) * yi;
                for (&col, &v) in cols.iter().zip(vals) {
                    w[col as usize] += delta * f64::from(v);
                }
                wb += delta * s;
            }
        }
        // Progress and cancellation: once per epoch (see crate::progress).
        on_epoch(epoch + 1, gmax)?;
        if gmax < eps {
            break;
        }
        if newton_steps <= n / 10 {
            inner_eps = inner_eps_min.max(0.1 * inner_eps);
        }
    }
    Ok((w, wb * s, alpha))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaving_single_row_columns_out_gives_the_same_solution() {
        // 60 rows over 400 columns: each row has up to five columns drawn from 0..40 (shared)
        // and three of its own (40 + 6i ..); some columns are used by no row at all.
        let mut rng = SplitMix64::new(11);
        let mut next = move || rng.next_u64();
        let (n, d) = (60usize, 400usize);
        let mut indptr = vec![0];
        let mut indices = Vec::new();
        let mut data = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let mut row: Vec<u32> = (0..5).map(|_| (next() % 40) as u32).collect();
            row.extend((0..3).map(|k| (40 + 6 * i + k) as u32));
            row.sort_unstable();
            row.dedup();
            for col in row {
                indices.push(col);
                data.push(0.1 + (next() % 100) as f32 / 100.0);
            }
            indptr.push(indices.len());
            y.push(if next() % 2 == 0 { 1.0 } else { -1.0 });
        }
        let x = CsrMatrix::try_new(indptr, indices, data, d).unwrap();
        let c = vec![2.0; n];
        let (w1, b1) = solve(&x, &y, &c, Some(1.0), 1e-8, 1000, 7, &mut |_, _| Ok(())).unwrap();
        let (w2, b2) = solve_owned(x.clone(), &y, &c, Some(1.0), 1e-8, 1000, 7, &mut |_, _| Ok(())).unwrap();
        assert!((b1 - b2).abs() < 1e-6, "{b1} vs {b2}");
        assert_eq!(w1.len(), w2.len());
        for (j, (a, b)) in w1.iter().zip(&w2).enumerate() {
            assert!((a - b).abs() < 1e-6, "column {j}: {a} vs {b}");
        }
        assert!(w1[40..].iter().any(|v| v.abs() > 1e-3), "own columns get weights");
    }
}
