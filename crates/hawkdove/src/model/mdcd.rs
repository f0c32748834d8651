//! Dual coordinate descent for multinomial (softmax) logistic regression, any number of classes.
//!
//! The method of Yu, Huang & Lin, "Dual coordinate descent methods for logistic regression and
//! maximum entropy models", Machine Learning 85 (2011), section 5 (maximum entropy), with each
//! row's whole block of `K` dual variables solved at once. The primal problem is
//!
//! `min ½ Σⱼ ‖wⱼ‖² + Σᵢ Cᵢ (log Σⱼ exp(wⱼ·x̃ᵢⱼ) − w_{yᵢ}·x̃ᵢ_{yᵢ})`
//!
//! where `x̃ᵢⱼ = rⱼ ∘ xᵢ` (Naive-Bayes ratios of class `j`, or `xᵢ`) with the bias feature `s`
//! appended. Its dual is `min ½ Σⱼ ‖wⱼ(α)‖² + Σᵢⱼ αᵢⱼ log αᵢⱼ` subject to `αᵢⱼ ≥ 0`,
//! `Σⱼ αᵢⱼ = Cᵢ`, with `wⱼ(α) = Σᵢ (Cᵢ [j = yᵢ] − αᵢⱼ) x̃ᵢⱼ`; at the optimum
//! `αᵢⱼ = Cᵢ softmax(zᵢ)ⱼ`, `zᵢⱼ = wⱼ·x̃ᵢⱼ`.
//!
//! Row `i`'s subproblem (the others fixed) separates over classes except for the equality
//! constraint: with `Aᵢⱼ = ‖x̃ᵢⱼ‖²`, stationarity reads
//! `Aᵢⱼ (αᵢⱼ − αᵢⱼ⁰) + log αᵢⱼ = μ + zᵢⱼ` for one multiplier `μ`. For a given `μ` each
//! `tⱼ = log αᵢⱼ` solves `A e^t + t = s` (a convex, increasing equation, solved by Newton steps
//! from above); `μ` is found by Newton steps on `log Σⱼ e^{tⱼ(μ)} = log Cᵢ` (concave and
//! increasing in `μ`, so the iterates approach the root monotonically after the first step).
//! Working with `log α` keeps full precision for the tiny dual variables of unlikely classes.
//!
//! A row is revisited only when its dual optimality violation `maxⱼ gⱼ − minⱼ gⱼ`
//! (`gⱼ = log αᵢⱼ − zᵢⱼ`) exceeds a threshold that shrinks as the epochs go (as LIBLINEAR does
//! for two classes); training stops when an epoch's largest violation is below `eps`. For two
//! classes the violation is exactly the two-class solver's dual gradient, so the tolerances
//! mean the same thing.
//!
//! Effective weights `uⱼ = rⱼ ∘ wⱼ` are kept column-major (the `K` weights of a column side
//! by side, followed by its `K` squared ratios), so a row touches one short contiguous block
//! per non-zero. Rows are visited in an
//! order drawn from a seeded SplitMix64 generator on one thread: the result never depends on
//! the number of threads.

use super::SplitMix64;
use crate::features::CsrMatrix;

/// Newton steps allowed for the multiplier, and for each `log α`.
const MAX_NEWTON: usize = 60;

/// The solution: effective weight rows (one per class, length `d`) and intercepts.
pub(super) type Solution = (Vec<Vec<f64>>, Vec<f64>);

/// Solve. `c[i]` is row `i`'s cost `Cᵢ ≥ 0` (a zero-cost row is left out); `ratios` are
/// per-class column scalings; `bias = Some(s)` appends a constant feature `s`. The matrix is
/// taken by value: each row's entries are reordered in place ([`Prepared::new`]).
#[allow(clippy::too_many_arguments)]
pub(super) fn solve(
    x: CsrMatrix,
    y: &[usize],
    k: usize,
    c: &[f64],
    ratios: Option<&[Vec<f64>]>,
    bias: Option<f64>,
    eps: f64,
    max_epochs: usize,
    seed: u64,
    on_epoch: &mut super::dcd::OnEpoch<'_>,
) -> crate::error::Result<Solution> {
    let prepared = Prepared::new(x, k, ratios, bias);
    let (solution, _) = prepared.solve(y, c, None, eps, max_epochs, seed, on_epoch)?;
    Ok(solution)
}

/// The dual variables of a solution, `αᵢⱼ` and `log αᵢⱼ` (row-major, `K` per row): what a
/// warm start along a regularization path starts from ([`DualState::shifted`]).
#[derive(Debug, Clone)]
pub(crate) struct DualState {
    alpha: Vec<f64>,
    log_alpha: Vec<f64>,
}

impl DualState {
    /// The state for costs `factor ≥ 1` times larger (`c_old`: the costs it solved) with the
    /// primal weights unchanged: the extra cost `(factor − 1) Cᵢ` of each row goes to its own
    /// class's `αᵢ,yᵢ`, so `Σⱼ αᵢⱼ` is the new cost and `βᵢⱼ = Cᵢ [j = yᵢ] − αᵢⱼ`, with them
    /// the weights, stay as they were: the fit starts where the previous one ended. Scaling
    /// every `αᵢⱼ` by `factor` instead (keeping each row's `αᵢⱼ / Cᵢ`, but doubling the weights
    /// at each step of a path of powers of two) saved fewer epochs (docs/training.md). With
    /// `factor < 1` the state is scaled (the shift could make `αᵢ,yᵢ` negative).
    pub(crate) fn shifted(&self, factor: f64, y: &[usize], c_old: &[f64]) -> DualState {
        if factor < 1.0 {
            let shift = factor.ln();
            return DualState {
                alpha: self.alpha.iter().map(|a| a * factor).collect(),
                log_alpha: self.log_alpha.iter().map(|l| l + shift).collect(),
            };
        }
        let k = if y.is_empty() { 1 } else { self.alpha.len() / y.len() };
        let mut alpha = self.alpha.clone();
        let mut log_alpha = self.log_alpha.clone();
        for (i, (&yi, &ci)) in y.iter().zip(c_old).enumerate() {
            if ci > 0.0 {
                if let Some(a) = alpha.get_mut(i * k + yi) {
                    *a += (factor - 1.0) * ci;
                    log_alpha[i * k + yi] = a.ln();
                }
            }
        }
        DualState { alpha, log_alpha }
    }
}

/// A problem ready to be solved for any costs: the rows reordered (shared columns first), the
/// squared row norms and the own columns' sums, computed once. Columns that only one row uses
/// (most bigrams of a large corpus: 70% of IMDB's columns)
/// are taken out of the loops, as in the two-class solver: such a column's weights are always
/// `rⱼ² βᵢⱼ xᵢ꜀` (`βᵢⱼ = Cᵢ [j = yᵢ] − αᵢⱼ`), so their share of `zᵢⱼ` is `βᵢⱼ oᵢⱼ` with
/// `oᵢⱼ = Σ rⱼ꜀² xᵢ꜀²` over the row's own columns, known in advance. The other columns are
/// renumbered densely, so the weight blocks the loops touch are far fewer and stay in cache
/// more often; every weight is written out in the original numbering at the end.
pub(crate) struct Prepared<'r> {
    k: usize,
    d: usize,
    s: f64,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
    label: Vec<u32>,
    shared_end: Vec<usize>,
    /// `oᵢⱼ`, row-major.
    own: Vec<f64>,
    /// `Aᵢⱼ = ‖x̃ᵢⱼ‖²` with the bias, row-major.
    a_diag: Vec<f64>,
    /// The per-class column scalings (`None`: none), for the own columns' weights.
    ratios: Option<&'r [Vec<f64>]>,
    /// The weight blocks with their squared ratios filled in and zero weights.
    blocks: Vec<f64>,
    stride: usize,
}

impl<'r> Prepared<'r> {
    /// Prepare `x` (taken by value: each row's entries are reordered in place) for `k`
    /// classes, per-class column scalings `ratios` and bias feature `bias`.
    pub(crate) fn new(x: CsrMatrix, k: usize, ratios: Option<&'r [Vec<f64>]>, bias: Option<f64>) -> Self {
        let (indptr, mut indices, mut data, d) = x.into_parts();
        let n = indptr.len().saturating_sub(1);
        let s = bias.unwrap_or(0.0);
        let r2_of = |j: usize, col: usize| -> f64 {
            ratios
                .and_then(|r| r.get(j))
                .and_then(|rj| rj.get(col))
                .map_or(1.0, |v| v * v)
        };
        // Dense numbers of the shared columns (u32::MAX: a column of one row, or of none).
        let (label, n_shared) = super::dcd::shared_columns(&indices, d);
        // Each row: shared entries first (renumbered), then its own entries (original numbers).
        let mut shared_end = vec![0usize; n];
        let mut own_entries: Vec<(u32, f32)> = Vec::new();
        for i in 0..n {
            let (a, b) = (indptr[i], indptr[i + 1]);
            own_entries.clear();
            let mut w = a;
            for j in a..b {
                let (col, v) = (indices[j], data[j]);
                match label.get(col as usize) {
                    Some(&l) if l != u32::MAX => {
                        indices[w] = l;
                        data[w] = v;
                        w += 1;
                    }
                    _ => own_entries.push((col, v)),
                }
            }
            shared_end[i] = w;
            for &(col, v) in &own_entries {
                indices[w] = col;
                data[w] = v;
                w += 1;
            }
        }
        drop(own_entries);
        let ds = n_shared as usize;
        // One block per shared column: the K effective weights uⱼ, then (with ratios) the K
        // squared ratios rⱼ² by which a dual step δ moves them (uⱼ −= δ rⱼ² x). Side by side, a
        // non-zero reads one cache line instead of two arrays' (docs/performance.md).
        let scaled = ratios.is_some();
        let stride = if scaled { 2 * k } else { k };
        let mut blocks = vec![0.0f64; ds * stride];
        if scaled {
            for (col, &l) in label.iter().enumerate() {
                if l != u32::MAX {
                    for j in 0..k {
                        blocks[l as usize * stride + k + j] = r2_of(j, col);
                    }
                }
            }
        }
        let mut a_diag = vec![0.0f64; n * k];
        let mut own = vec![0.0f64; n * k];
        for i in 0..n {
            let (a, e_, b) = (indptr[i], shared_end[i], indptr[i + 1]);
            for (j, o) in own[i * k..(i + 1) * k].iter_mut().enumerate() {
                *o = (e_..b)
                    .map(|p| {
                        let v = f64::from(data[p]);
                        r2_of(j, indices[p] as usize) * v * v
                    })
                    .sum();
            }
            for j in 0..k {
                let mut sq = s * s + own[i * k + j];
                for p in a..e_ {
                    let v = f64::from(data[p]);
                    let r2 = if scaled {
                        blocks[indices[p] as usize * stride + k + j]
                    } else {
                        1.0
                    };
                    sq += r2 * v * v;
                }
                a_diag[i * k + j] = sq;
            }
        }
        Prepared {
            k,
            d,
            s,
            indptr,
            indices,
            data,
            label,
            shared_end,
            own,
            a_diag,
            ratios,
            blocks,
            stride,
        }
    }

    fn r2_of(&self, j: usize, col: usize) -> f64 {
        self.ratios
            .and_then(|r| r.get(j))
            .and_then(|rj| rj.get(col))
            .map_or(1.0, |v| v * v)
    }

    /// Solve for labels `y` and costs `c`, from the dual variables `init` (a warm start: a
    /// previous solution's [`DualState::shifted`] to these costs) or from near the primal
    /// origin. Returns the solution and its dual variables.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn solve(
        &self,
        y: &[usize],
        c: &[f64],
        init: Option<&DualState>,
        eps: f64,
        max_epochs: usize,
        seed: u64,
        on_epoch: &mut super::dcd::OnEpoch<'_>,
    ) -> crate::error::Result<(Solution, DualState)> {
        let (k, s, stride) = (self.k, self.s, self.stride);
        let (indptr, indices, data) = (&self.indptr, &self.indices, &self.data);
        let shared_end = &self.shared_end;
        let n = indptr.len().saturating_sub(1);
        let scaled = self.ratios.is_some();
        let mut wr = self.blocks.clone();
        let mut ub = vec![0.0f64; k];
        let mut alpha = vec![0.0f64; n * k];
        let mut log_alpha = vec![0.0f64; n * k];
        let own = &self.own;
        let a_diag = &self.a_diag;
        let mut order: Vec<usize> = Vec::with_capacity(n);
        let init = init.filter(|st| st.alpha.len() == n * k && st.log_alpha.len() == n * k);
        for i in 0..n {
            let ci = c.get(i).copied().unwrap_or(0.0);
            let yi = y.get(i).copied().unwrap_or(0);
            if ci.is_nan() || ci <= 0.0 || yi >= k {
                continue;
            }
            order.push(i);
            let (a, e_) = (indptr[i], shared_end[i]);
            // Start near the primal origin: a small ε on the other classes, the rest on yᵢ.
            let e = (1e-3 * ci / k as f64).min(1e-8);
            for j in 0..k {
                let (aij, log_aij) = match init {
                    Some(st) => (st.alpha[i * k + j], st.log_alpha[i * k + j]),
                    None => {
                        let aij = if j == yi { ci - (k - 1) as f64 * e } else { e };
                        (aij, aij.ln())
                    }
                };
                alpha[i * k + j] = aij;
                log_alpha[i * k + j] = log_aij;
                // βᵢⱼ = Cᵢ [j = yᵢ] − αᵢⱼ
                let beta = if j == yi { ci - aij } else { -aij };
                for p in a..e_ {
                    let base = indices[p] as usize * stride;
                    let r2 = if scaled { wr[base + k + j] } else { 1.0 };
                    wr[base + j] += beta * r2 * f64::from(data[p]);
                }
                ub[j] += beta * s;
            }
        }
        let m = order.len();
        let mut rng = SplitMix64::new(seed);
        let inner_eps_min = eps.min(1e-8);
        let mut inner_eps = 1e-2;
        let mut row = RowScratch::new(k);
        for epoch in 0..max_epochs {
            rng.shuffle(&mut order);
            let mut updated = 0usize;
            let mut vmax = 0.0f64;
            for &i in &order {
                let (cols, vals) = (&indices[indptr[i]..shared_end[i]], &data[indptr[i]..shared_end[i]]);
                let ci = c[i];
                let yi = y[i];
                // Logits zᵢⱼ = uⱼ·xᵢ + bⱼ s, the own columns' share being βᵢⱼ oᵢⱼ.
                let al = &mut alpha[i * k..(i + 1) * k];
                let oi = &own[i * k..(i + 1) * k];
                for (j, ((zj, bj), (aj, oj))) in row.z.iter_mut().zip(&ub).zip(al.iter().zip(oi)).enumerate() {
                    let beta = if j == yi { ci - aj } else { -aj };
                    *zj = bj * s + beta * oj;
                }
                for (&col, &v) in cols.iter().zip(vals) {
                    let base = col as usize * stride;
                    let v = f64::from(v);
                    for (zj, uj) in row.z.iter_mut().zip(&wr[base..base + k]) {
                        *zj += uj * v;
                    }
                }
                let la = &mut log_alpha[i * k..(i + 1) * k];
                let (mut gmin, mut gmax) = (f64::INFINITY, f64::NEG_INFINITY);
                for (lj, zj) in la.iter().zip(&row.z) {
                    let g = lj - zj;
                    gmin = gmin.min(g);
                    gmax = gmax.max(g);
                }
                let violation = gmax - gmin;
                vmax = vmax.max(violation);
                if violation < inner_eps {
                    continue;
                }
                updated += 1;
                let a = &a_diag[i * k..(i + 1) * k];
                row.solve(a, al, la, ci);
                // Apply the steps: uⱼ −= δⱼ rⱼ² xᵢ, bⱼ −= δⱼ s.
                for j in 0..k {
                    let new = la[j].exp();
                    row.delta[j] = new - al[j];
                    al[j] = new;
                }
                for (&col, &v) in cols.iter().zip(vals) {
                    let base = col as usize * stride;
                    let v = f64::from(v);
                    let block = &mut wr[base..base + stride];
                    if scaled {
                        let (u, r2) = block.split_at_mut(k);
                        for ((uj, rj), dj) in u.iter_mut().zip(&*r2).zip(&row.delta) {
                            *uj -= dj * rj * v;
                        }
                    } else {
                        for (uj, dj) in block.iter_mut().zip(&row.delta) {
                            *uj -= dj * v;
                        }
                    }
                }
                for (bj, dj) in ub.iter_mut().zip(&row.delta) {
                    *bj -= dj * s;
                }
            }
            // Progress and cancellation: once per epoch (see crate::progress).
            on_epoch(epoch + 1, vmax)?;
            if vmax < eps {
                break;
            }
            if updated <= m / 10 {
                inner_eps = inner_eps_min.max(0.1 * inner_eps);
            }
        }
        // Weights in the original numbering: shared columns from their blocks, a row's own
        // columns from its dual variables (rⱼ² βᵢⱼ xᵢ꜀).
        let mut weights: Vec<Vec<f64>> = (0..k)
            .map(|j| {
                self.label
                    .iter()
                    .map(|&l| {
                        if l == u32::MAX {
                            0.0
                        } else {
                            wr[l as usize * stride + j]
                        }
                    })
                    .collect()
            })
            .collect();
        for &i in &order {
            for p in shared_end[i]..indptr[i + 1] {
                let col = indices[p] as usize;
                let v = f64::from(data[p]);
                for (j, wj) in weights.iter_mut().enumerate() {
                    let beta = if j == y[i] {
                        c[i] - alpha[i * k + j]
                    } else {
                        -alpha[i * k + j]
                    };
                    if let Some(slot) = wj.get_mut(col) {
                        *slot = self.r2_of(j, col) * beta * v;
                    }
                }
            }
        }
        debug_assert!(weights.iter().all(|w| w.len() == self.d));
        let intercepts = ub.iter().map(|b| b * s).collect();
        Ok(((weights, intercepts), DualState { alpha, log_alpha }))
    }
}

/// Per-row work arrays, allocated once.
struct RowScratch {
    z: Vec<f64>,
    delta: Vec<f64>,
    /// `Aⱼ αⱼ⁰ + zⱼ`: the right-hand side of class `j`'s equation is this plus `μ`.
    rhs: Vec<f64>,
}

impl RowScratch {
    fn new(k: usize) -> Self {
        RowScratch {
            z: vec![0.0; k],
            delta: vec![0.0; k],
            rhs: vec![0.0; k],
        }
    }

    /// Solve row `i`'s subproblem: on return `la` holds the new `log αᵢⱼ` (`al` still holds
    /// the old `αᵢⱼ`).
    fn solve(&mut self, a: &[f64], al: &[f64], la: &mut [f64], ci: f64) {
        let log_c = ci.ln();
        // Start from the α-weighted mean of gⱼ = log αⱼ − zⱼ: exact when the row is optimal.
        let mut mu = 0.0;
        for ((rj, (&aj, &alj)), (&lj, &zj)) in self.rhs.iter_mut().zip(a.iter().zip(al)).zip(la.iter().zip(&self.z)) {
            *rj = aj * alj + zj;
            mu += alj * (lj - zj);
        }
        mu /= ci;
        for _ in 0..MAX_NEWTON {
            // Σⱼ αⱼ(μ) and its derivative Σⱼ αⱼ / (Aⱼ αⱼ + 1).
            let mut sum = 0.0;
            let mut slope = 0.0;
            for ((lj, &aj), &rj) in la.iter_mut().zip(a).zip(&self.rhs) {
                *lj = solve_log(aj, rj + mu, *lj);
                let alpha = lj.exp();
                sum += alpha;
                slope += alpha / (aj * alpha + 1.0);
            }
            if !(sum > 0.0 && slope > 0.0) {
                break;
            }
            let g = sum.ln() - log_c;
            let step = g * sum / slope;
            mu -= step;
            if g.abs() <= 1e-12 || step.abs() <= 1e-13 * mu.abs().max(1.0) {
                break;
            }
        }
        // `la` holds the solution at the last μ evaluated, whose Σ α matched Cᵢ to the
        // tolerance (or the best reached in MAX_NEWTON steps).
    }
}

/// The `t` solving `A eᵗ + t = s` (`A ≥ 0`), by Newton steps from `start` (a warm start),
/// kept at or above the root, where they decrease monotonically to it.
#[inline]
fn solve_log(a: f64, s: f64, start: f64) -> f64 {
    if a <= 0.0 {
        return s;
    }
    // An upper bound on the root: t ≤ s always, and t ≤ max(ln(s / A), 0) when s > 0.
    let mut hi = s;
    if s > 0.0 {
        hi = hi.min((s / a).ln().max(0.0));
    }
    let mut t = if start.is_finite() { start.min(hi) } else { hi };
    for _ in 0..MAX_NEWTON {
        let e = a * t.exp();
        let f = e + t - s;
        let step = f / (e + 1.0);
        let next = (t - step).min(hi);
        if (next - t).abs() <= 1e-14 * t.abs().max(1.0) {
            return next;
        }
        t = next;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_log_finds_the_root() {
        for &a in &[0.0, 1e-6, 0.5, 1.0, 30.0, 1e4] {
            for &s in &[-40.0, -3.0, 0.0, 0.7, 5.0, 60.0] {
                for &start in &[-100.0, 0.0, 100.0, f64::NEG_INFINITY] {
                    let t = solve_log(a, s, start);
                    let f = a * t.exp() + t - s;
                    assert!(
                        f.abs() <= 1e-9 * s.abs().max(1.0),
                        "a={a} s={s} start={start}: t={t} f={f}"
                    );
                }
            }
        }
    }
}
