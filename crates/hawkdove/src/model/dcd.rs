//! Dual coordinate descent for L2-regularized logistic regression (two classes).
//!
//! Implements the method of Yu, Huang & Lin, "Dual coordinate descent methods for logistic
//! regression and maximum entropy models", Machine Learning 85 (2011), Algorithm 3: each dual
//! variable `αᵢ ∈ (0, Cᵢ)` is updated by a few Newton steps on its one-dimensional subproblem,
//! and the primal weights `w = Σ αᵢ yᵢ xᵢ` are kept up to date, so one epoch costs one pass
//! over the non-zeros.

use super::SplitMix64;
use crate::features::CsrMatrix;

/// Newton steps allowed per subproblem.
const MAX_INNER: usize = 100;

/// Minimize `½‖w‖² + Σᵢ Cᵢ log(1 + exp(−yᵢ (w·xᵢ + b·s)))` where `s` is the bias feature value
/// (`bias = Some(s)`) or there is no bias. Returns `(w, intercept)` with `intercept = b·s`.
pub(super) fn solve(
    x: &CsrMatrix,
    y: &[f64],
    c: &[f64],
    bias: Option<f64>,
    eps: f64,
    max_epochs: usize,
    seed: u64,
) -> (Vec<f64>, f64) {
    let n = x.nrows();
    let d = x.ncols();
    let s = bias.unwrap_or(0.0);
    let mut w = vec![0.0f64; d];
    let mut wb = 0.0f64;
    // alpha[2i] = αᵢ, alpha[2i+1] = Cᵢ − αᵢ (both kept for precision near the bounds)
    let mut alpha = vec![0.0f64; 2 * n];
    let mut xtx = vec![0.0f64; n];
    for i in 0..n {
        let (cols, vals) = x.row(i);
        let ci = c[i];
        let a = (1e-3 * ci).min(1e-8);
        alpha[2 * i] = a;
        alpha[2 * i + 1] = ci - a;
        let mut sq = s * s;
        for (&col, &v) in cols.iter().zip(vals) {
            let v = f64::from(v);
            sq += v * v;
            w[col as usize] += y[i] * a * v;
        }
        wb += y[i] * a * s;
        xtx[i] = sq;
    }
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed);
    let inner_eps_min = eps.min(1e-8);
    let mut inner_eps = 1e-2;
    for _epoch in 0..max_epochs {
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
        if gmax < eps {
            break;
        }
        if newton_steps <= n / 10 {
            inner_eps = inner_eps_min.max(0.1 * inner_eps);
        }
    }
    (w, wb * s)
}
