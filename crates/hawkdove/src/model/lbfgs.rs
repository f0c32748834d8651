//! Multinomial (softmax) logistic regression by L-BFGS (argmin) over CSR rows.
//!
//! Parameters are laid out as `K` weight rows of length `d` followed by `K` intercepts. With
//! Naive-Bayes ratios `R`, the model uses effective weights `V = W ∘ R` while the penalty stays
//! on `W`, which is the same as training on the scaled features `R ∘ x`.
//!
//! Rows are processed in fixed-size blocks whose partial sums are added in block order, so the
//! objective and gradient are bit-for-bit the same whatever the number of threads.

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Mutex, PoisonError};

use argmin::core::observers::{Observe, ObserverMode};
use argmin::core::{CostFunction, Executor, Gradient, IterState, State, KV};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::features::CsrMatrix;

/// Rows per block of the parallel objective.
const BLOCK: usize = 2048;
/// L-BFGS memory.
const MEMORY: usize = 10;

struct Problem<'a> {
    x: &'a CsrMatrix,
    y: &'a [usize],
    k: usize,
    costs: &'a [f64],
    inv_c: f64,
    ratios: Option<&'a [Vec<f64>]>,
    fit_intercept: bool,
}

impl Problem<'_> {
    fn d(&self) -> usize {
        self.x.ncols()
    }

    /// Effective weight of class `j`, column `col`.
    #[inline]
    fn eff(&self, p: &[f64], j: usize, col: usize) -> f64 {
        let w = p[j * self.d() + col];
        match self.ratios {
            Some(r) => w * r[j][col],
            None => w,
        }
    }

    /// Loss and, per row, the residuals `cᵢ (softmax − onehot)`, computed block-wise.
    fn loss_and_residuals(&self, p: &[f64], want_residuals: bool) -> (f64, Vec<f64>) {
        let n = self.x.nrows();
        let k = self.k;
        let d = self.d();
        let blocks: Vec<(f64, Vec<f64>)> = (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let lo = b * BLOCK;
                let hi = (lo + BLOCK).min(n);
                let mut loss = 0.0;
                let mut res = if want_residuals {
                    Vec::with_capacity((hi - lo) * k)
                } else {
                    Vec::new()
                };
                let mut z = vec![0.0; k];
                for i in lo..hi {
                    let (cols, vals) = self.x.row(i);
                    for (j, zj) in z.iter_mut().enumerate() {
                        let mut acc = if self.fit_intercept { p[k * d + j] } else { 0.0 };
                        for (&c, &v) in cols.iter().zip(vals) {
                            acc += self.eff(p, j, c as usize) * f64::from(v);
                        }
                        *zj = acc;
                    }
                    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                    let ci = self.costs[i];
                    loss += ci * (lse - z[self.y[i]]);
                    if want_residuals {
                        for (j, zj) in z.iter().enumerate() {
                            let pj = (zj - lse).exp();
                            let t = if j == self.y[i] { 1.0 } else { 0.0 };
                            res.push(ci * (pj - t));
                        }
                    }
                }
                (loss, res)
            })
            .collect();
        let mut loss = 0.0;
        let mut residuals = Vec::with_capacity(if want_residuals { n * k } else { 0 });
        for (l, r) in blocks {
            loss += l;
            residuals.extend(r);
        }
        (loss, residuals)
    }

    fn penalty(&self, p: &[f64]) -> f64 {
        0.5 * self.inv_c * p[..self.k * self.d()].iter().map(|v| v * v).sum::<f64>()
    }
}

impl CostFunction for Problem<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        let (loss, _) = self.loss_and_residuals(p, false);
        Ok(loss + self.penalty(p))
    }
}

impl Gradient for Problem<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, p: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        let k = self.k;
        let d = self.d();
        let (_, res) = self.loss_and_residuals(p, true);
        let mut g = vec![0.0; k * d + k];
        // Scatter Xᵀ R in row order (deterministic).
        for i in 0..self.x.nrows() {
            let (cols, vals) = self.x.row(i);
            for j in 0..k {
                let r = res[i * k + j];
                if r == 0.0 {
                    continue;
                }
                let base = j * d;
                for (&c, &v) in cols.iter().zip(vals) {
                    g[base + c as usize] += r * f64::from(v);
                }
                if self.fit_intercept {
                    g[k * d + j] += r;
                }
            }
        }
        if let Some(ratios) = self.ratios {
            for j in 0..k {
                for col in 0..d {
                    g[j * d + col] *= ratios[j][col];
                }
            }
        }
        for (gi, pi) in g[..k * d].iter_mut().zip(&p[..k * d]) {
            *gi += self.inv_c * pi;
        }
        Ok(g)
    }
}

/// Called after each iteration with the iteration number (from 1) and the objective; an `Err`
/// (a cancelled training) stops the solver and is its result.
pub(super) type OnIteration<'a> = dyn FnMut(usize, f64) -> Result<()> + 'a;

/// The state argmin's L-BFGS keeps.
type LbfgsState = IterState<Vec<f64>, Vec<f64>, (), (), (), f64>;

/// The last finished iteration `(number from 1, objective)`, written by [`IterationLog`] and
/// taken by [`Tracked`].
type Finished = Arc<Mutex<Option<(usize, f64)>>>;

/// An argmin observer recording each finished iteration. argmin wants observers `'static`, so
/// it cannot call the caller's hook itself: [`Tracked`] does, at the next evaluation.
struct IterationLog(Finished);

impl Observe<LbfgsState> for IterationLog {
    fn observe_iter(&mut self, state: &LbfgsState, _kv: &KV) -> std::result::Result<(), argmin::core::Error> {
        let done = (state.get_iter() as usize + 1, state.get_cost());
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(done);
        Ok(())
    }
}

/// [`Problem`] with the progress hook: before each evaluation it reports the iteration that
/// finished since the last one. Once the hook says stop, every evaluation fails, which ends the
/// run (an error inside the line search ends L-BFGS as "solver exit"; `stopped` tells them
/// apart).
struct Tracked<'a, 'h, 'f> {
    problem: Problem<'a>,
    finished: Finished,
    hook: &'h RefCell<&'h mut OnIteration<'f>>,
    /// The hook's error, once it has asked to stop.
    stopped: &'h Cell<Option<Error>>,
    is_stopped: Cell<bool>,
}

impl Tracked<'_, '_, '_> {
    /// Report a finished iteration, if any; `Err` once the hook has asked to stop.
    fn report(&self) -> std::result::Result<(), argmin::core::Error> {
        if self.is_stopped.get() {
            return Err(argmin::core::Error::msg("cancelled"));
        }
        let done = self.finished.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some((iteration, objective)) = done {
            let mut hook = self.hook.borrow_mut();
            if let Err(e) = (*hook)(iteration, objective) {
                self.stopped.set(Some(e));
                self.is_stopped.set(true);
                return Err(argmin::core::Error::msg("cancelled"));
            }
        }
        Ok(())
    }
}

impl CostFunction for Tracked<'_, '_, '_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        self.report()?;
        self.problem.cost(p)
    }
}

impl Gradient for Tracked<'_, '_, '_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, p: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        self.report()?;
        self.problem.gradient(p)
    }
}

/// Fit and return `(effective weight rows, intercepts)`.
#[allow(clippy::too_many_arguments)]
pub(super) fn solve(
    x: &CsrMatrix,
    y: &[usize],
    k: usize,
    costs: &[f64],
    c: f64,
    ratios: Option<&[Vec<f64>]>,
    fit_intercept: bool,
    tol: f64,
    max_iter: usize,
    on_iteration: &mut OnIteration<'_>,
) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let d = x.ncols();
    let problem = Problem {
        x,
        y,
        k,
        costs,
        inv_c: 1.0 / c,
        ratios,
        fit_intercept,
    };
    let init = vec![0.0; k * d + k];
    let linesearch = MoreThuenteLineSearch::new();
    let solver = LBFGS::new(linesearch, MEMORY)
        .with_tolerance_grad(tol)
        .map_err(|e| Error::Optimizer(e.to_string()))?
        .with_tolerance_cost(1e-12)
        .map_err(|e| Error::Optimizer(e.to_string()))?;
    // Progress and cancellation: argmin's observer notes each finished iteration, and the
    // problem wrapper reports it to `on_iteration` (see crate::progress).
    let finished = Finished::default();
    let hook = RefCell::new(on_iteration);
    let stopped = Cell::new(None);
    let tracked = Tracked {
        problem,
        finished: Arc::clone(&finished),
        hook: &hook,
        stopped: &stopped,
        is_stopped: Cell::new(false),
    };
    let run = Executor::new(tracked, solver)
        .configure(|state| state.param(init).max_iters(max_iter as u64))
        .add_observer(IterationLog(Arc::clone(&finished)), ObserverMode::Always)
        .ctrlc(false)
        .run();
    // A stop asked for inside a line search ends the run as a "solver exit", outside it as an
    // error: either way, it is the result.
    if let Some(stop) = stopped.take() {
        return Err(stop);
    }
    let mut result = run.map_err(|e| Error::Optimizer(e.to_string()))?;
    // The last iteration finished after the last evaluation.
    if let Some(t) = result.problem.take_problem() {
        if t.report().is_err() {
            return Err(stopped.take().unwrap_or(Error::Cancelled { stage: "solver" }));
        }
    }
    let state = result.state();
    let best = state
        .get_best_param()
        .or_else(|| state.get_param())
        .cloned()
        .ok_or_else(|| Error::Optimizer("L-BFGS returned no parameters".into()))?;
    if best.iter().any(|v| !v.is_finite()) {
        return Err(Error::Optimizer("non-finite weights".into()));
    }
    let mut rows = Vec::with_capacity(k);
    for j in 0..k {
        let row: Vec<f64> = (0..d)
            .map(|col| {
                let w = best[j * d + col];
                ratios.map_or(w, |r| w * r[j][col])
            })
            .collect();
        rows.push(row);
    }
    let intercepts = (0..k)
        .map(|j| if fit_intercept { best[k * d + j] } else { 0.0 })
        .collect();
    Ok((rows, intercepts))
}
