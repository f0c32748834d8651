//! L2-regularized logistic regression on CSR rows.
//!
//! Three solvers, chosen by measurement (see the README's "Design notes"):
//!
//! * **Dual coordinate descent** (Yu, Huang & Lin 2011, the method behind LIBLINEAR's `-s 7`)
//!   for two classes. It touches each row once per epoch and needs no line search; on IMDB's
//!   25k reviews with 1.3M uni+bigram features it converges in about a second. The intercept is
//!   learned as the weight of a constant feature `intercept_scaling` and is therefore
//!   regularized, as in LIBLINEAR and scikit-learn's `liblinear` solver.
//! * **Multinomial dual coordinate descent** (`mdcd`; Yu, Huang & Lin 2011, section 5) for
//!   three or more classes, the default: each row's block of dual variables is solved at once,
//!   and the intercept is again a regularized constant feature. It fits the bundled corpus
//!   13–16× faster than scikit-learn's multinomial `LogisticRegression` (docs/performance.md).
//! * **Multinomial L-BFGS** (argmin's `LBFGS` with a Moré–Thuente line search), on request
//!   (`Solver::Lbfgs`), with an unregularized intercept.
//!
//! Both multinomial solvers fit a true softmax model rather than one-vs-rest because the
//! stance score `P(hard-line) − P(conciliatory)` is a difference of probabilities, which is
//! only meaningful when the probabilities come from one coherent distribution.
//!
//! All minimize `½‖W‖² + C Σᵢ cᵢ ℓ(xᵢ, yᵢ)` (cᵢ: class weight times sample weight), equivalently linfa's
//! `Σᵢ cᵢ ℓᵢ + α/2 ‖W‖²` with `α = 1/C`.
//!
//! Training is deterministic: both DCD solvers visit rows in an order drawn from a seeded
//! SplitMix64 generator (written here so the order never changes with a dependency upgrade), and the
//! L-BFGS gradient sums rows in a fixed order, whatever the number of threads.

pub(crate) mod dcd;
mod lbfgs;
pub(crate) mod mdcd;

use std::borrow::Cow;

use linfa::dataset::{AsSingleTargets, DatasetBase};
use linfa::traits::{Fit, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::{nb_log_count_ratios, nb_ratio, nb_ratio_weighted, CsrMatrix};
use crate::progress::{emit, silent, Progress, TrainEvent};
use crate::tune::TuneSpec;

/// Which optimizer to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Solver {
    /// Dual coordinate descent, binary or multinomial by the number of classes (default).
    #[default]
    Auto,
    /// Dual coordinate descent: the binary solver for two classes, the multinomial (softmax)
    /// one for three or more.
    DualCd,
    /// L-BFGS on the multinomial (softmax) objective, any number of classes.
    Lbfgs,
}

/// Per-class weights multiplying each sample's loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// All classes weigh 1 (default).
    #[default]
    Uniform,
    /// `n_samples / (n_classes · n_samples_of_class)`, as in scikit-learn.
    Balanced,
    /// Explicit weights by label; unlisted labels weigh 1.
    Explicit(Vec<(String, f64)>),
}

/// Inverse regularization strength used when `C` is fixed without a value of its own, and
/// when self-tuning cannot run (chosen on MR and IMDB before self-tuning existed; see the
/// README). By default `C` is chosen by [`crate::tune`].
pub const DEFAULT_C: f64 = 8.0;
/// Default Naive-Bayes smoothing (NB scaling is on by default; see the README).
pub const DEFAULT_NB_ALPHA: f64 = 1.0;
/// Default tolerance of dual coordinate descent (the largest dual gradient in an epoch):
/// LIBLINEAR's default for this solver (`-s 7`, 0.1). Against 1e-2 it saves a fifth of the
/// epochs on IMDB (11 instead of 14) and moves accuracy by under 0.001 on MR, IMDB and the
/// sentences (docs/performance.md).
pub const DEFAULT_DCD_TOL: f64 = 0.1;
/// Default tolerance of L-BFGS (the gradient norm).
pub const DEFAULT_LBFGS_TOL: f64 = 1e-4;

/// Checked hyperparameters of [`LinearModel`] training; obtained from [`ParamGuard::check`] on
/// [`LogisticParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidLogisticParams {
    c: f64,
    solver: Solver,
    class_weight: ClassWeight,
    tol: Option<f64>,
    max_iter: usize,
    fit_intercept: bool,
    intercept_scaling: f64,
    nb_alpha: Option<f64>,
    seed: u64,
    /// Largest dense weight matrix (classes × features, in bytes of `f64`) training may build;
    /// default [`DEFAULT_MAX_WEIGHT_BYTES`]. Written to model files only when changed.
    #[serde(skip_serializing_if = "is_default_max_weight_bytes")]
    max_weight_bytes: u64,
    /// Self-tuning ([`crate::tune`]): which of `c`, `class_weight` and `nb_alpha` are chosen by
    /// cross-validation (default: `C` and the class weight). Absent from a file (files written
    /// before self-tuning existed, and models trained with fixed settings): nothing is tuned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tune: Option<TuneSpec>,
}

/// Default of [`LogisticParams::max_weight_bytes`]: 256 MiB of weights (for instance 335
/// classes × 100,000 features). Multi-class training (L-BFGS) keeps about [`SOLVER_COPIES`]
/// vectors of that size, so it peaks near 6.5 GB at this limit.
pub const DEFAULT_MAX_WEIGHT_BYTES: u64 = 256 << 20;

/// Vectors as large as the weight matrix that L-BFGS keeps (weights, gradient, search
/// direction, trial point and its gradient, and a history of 10 pairs): the factor behind
/// the training memory an [`Error::TooLargeToTrain`] reports.
pub const SOLVER_COPIES: u64 = 25;

/// Vectors as large as the weight matrix that multinomial dual coordinate descent keeps
/// (weights, squared Naive-Bayes ratios, the ratios themselves and the returned rows).
pub const MDCD_COPIES: u64 = 4;

fn is_default_max_weight_bytes(v: &u64) -> bool {
    *v == DEFAULT_MAX_WEIGHT_BYTES
}

impl Default for ValidLogisticParams {
    fn default() -> Self {
        ValidLogisticParams {
            c: DEFAULT_C,
            solver: Solver::Auto,
            class_weight: ClassWeight::Uniform,
            tol: None,
            max_iter: 1000,
            fit_intercept: true,
            intercept_scaling: 1.0,
            nb_alpha: Some(DEFAULT_NB_ALPHA),
            seed: 42,
            max_weight_bytes: DEFAULT_MAX_WEIGHT_BYTES,
            tune: Some(TuneSpec::default()),
        }
    }
}

impl ValidLogisticParams {
    /// Inverse regularization strength (the fixed value; with `C` tuned, the value used only
    /// when tuning cannot run).
    pub fn c(&self) -> f64 {
        self.c
    }
    /// Self-tuning settings (`None`: everything fixed).
    pub fn tune(&self) -> Option<&TuneSpec> {
        self.tune.as_ref()
    }
    /// Iteration limit.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }
    /// Seed of the row order in DCD.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Whether an intercept is learned.
    pub fn fit_intercept(&self) -> bool {
        self.fit_intercept
    }
    /// The bias feature of the dual solvers: `Some(intercept_scaling)` with an intercept.
    pub(crate) fn bias(&self) -> Option<f64> {
        self.fit_intercept.then_some(self.intercept_scaling)
    }
    /// The optimizer.
    pub fn solver(&self) -> Solver {
        self.solver
    }
    /// Class weights.
    pub fn class_weight(&self) -> &ClassWeight {
        &self.class_weight
    }
    /// Naive-Bayes smoothing, if NB scaling is on.
    pub fn nb_alpha(&self) -> Option<f64> {
        self.nb_alpha
    }
    /// The tolerance as set (`None`: the solver's default).
    pub fn tol(&self) -> Option<f64> {
        self.tol
    }
}

/// Hyperparameters of [`LinearModel`] training, with a consuming builder whose setters state
/// their defaults. Every value is checked once, by [`ParamGuard::check`], before any work
/// starts (linfa's `ParamGuard` pattern: the unchecked type wraps the checked one).
///
/// ```
/// use hawkdove::{LogisticParams, ClassWeight};
/// use linfa::ParamGuard;
/// let params = LogisticParams::default().c(4.0).class_weight(ClassWeight::Balanced);
/// assert!(params.check_ref().is_ok());
/// assert!(LogisticParams::default().c(-1.0).check_ref().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LogisticParams(ValidLogisticParams);

impl LogisticParams {
    pub(crate) fn from_valid(p: ValidLogisticParams) -> Self {
        LogisticParams(p)
    }

    /// Fix the inverse regularization strength `C > 0`, taking it out of self-tuning (by
    /// default `C` is chosen by [`crate::tune`] from [`crate::tune::DEFAULT_C_GRID`]; the fixed
    /// fallback is [`DEFAULT_C`] = 8).
    pub fn c(mut self, c: f64) -> Self {
        self.0.c = c;
        self.untune(|t| t.c = None);
        self
    }

    /// Self-tuning: `Some(spec)` chooses what `spec` names by cross-validation, `None` fixes
    /// everything at the values set (default: [`TuneSpec::default`], `C` and the class weight
    /// tuned). An empty spec (every grid `None`) means `None`.
    pub fn tune(mut self, spec: Option<TuneSpec>) -> Self {
        self.0.tune = spec.filter(|t| !t.is_empty());
        self
    }

    /// Choose `C` by self-tuning from `grid` (keeping the rest of the tuning settings).
    pub fn c_auto(mut self, grid: Vec<f64>) -> Self {
        let mut spec = self.0.tune.take().unwrap_or_else(|| TuneSpec {
            class_weight: None,
            ..TuneSpec::default()
        });
        spec.c = Some(grid);
        self.0.tune = Some(spec);
        self
    }

    /// Choose the class weight by self-tuning among `choices` (keeping the rest of the tuning
    /// settings).
    pub fn class_weight_auto(mut self, choices: Vec<ClassWeight>) -> Self {
        let mut spec = self.0.tune.take().unwrap_or_else(|| TuneSpec {
            c: None,
            ..TuneSpec::default()
        });
        spec.class_weight = Some(choices);
        self.0.tune = Some(spec);
        self
    }

    /// Choose Naive-Bayes scaling by self-tuning among `choices` (`Some(alpha)` or `None`,
    /// off), keeping the rest of the tuning settings.
    pub fn nb_scaling_auto(mut self, choices: Vec<Option<f64>>) -> Self {
        let mut spec = self.0.tune.take().unwrap_or_else(|| TuneSpec {
            c: None,
            class_weight: None,
            ..TuneSpec::default()
        });
        spec.nb_alpha = Some(choices);
        self.0.tune = Some(spec);
        self
    }

    fn untune(&mut self, f: impl FnOnce(&mut TuneSpec)) {
        if let Some(t) = self.0.tune.as_mut() {
            f(t);
            if t.is_empty() {
                self.0.tune = None;
            }
        }
    }
    /// Optimizer (default [`Solver::Auto`]).
    pub fn solver(mut self, solver: Solver) -> Self {
        self.0.solver = solver;
        self
    }
    /// Fix the class weights, taking them out of self-tuning (by default chosen by
    /// [`crate::tune`] between uniform and balanced; the fixed fallback is uniform).
    pub fn class_weight(mut self, w: ClassWeight) -> Self {
        self.0.class_weight = w;
        self.untune(|t| t.class_weight = None);
        self
    }
    /// Convergence tolerance: the largest dual gradient of an epoch for DCD (default
    /// [`DEFAULT_DCD_TOL`]), the gradient norm for L-BFGS (default [`DEFAULT_LBFGS_TOL`]).
    pub fn tol(mut self, tol: f64) -> Self {
        self.0.tol = Some(tol);
        self
    }
    /// Iteration limit: epochs for DCD, iterations for L-BFGS (default 1000).
    pub fn max_iter(mut self, n: usize) -> Self {
        self.0.max_iter = n;
        self
    }
    /// Learn an intercept (default `true`).
    pub fn fit_intercept(mut self, yes: bool) -> Self {
        self.0.fit_intercept = yes;
        self
    }
    /// Value of the constant feature whose weight is the intercept in DCD (default 1.0); a
    /// larger value weakens the intercept's regularization.
    pub fn intercept_scaling(mut self, s: f64) -> Self {
        self.0.intercept_scaling = s;
        self
    }
    /// Scale features by Naive-Bayes log-count ratios with smoothing `alpha` before fitting
    /// (Wang & Manning 2012), or not (`None`). Default: `Some(1.0)`. The ratios are folded into the weights,
    /// so prediction needs nothing extra.
    pub fn nb_scaling(mut self, alpha: Option<f64>) -> Self {
        self.0.nb_alpha = alpha;
        self.untune(|t| t.nb_alpha = None);
        self
    }
    /// Seed of the row order in DCD (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }

    /// Largest dense weight matrix (classes × features × 8 bytes) training may build (default
    /// [`DEFAULT_MAX_WEIGHT_BYTES`], 256 MiB); a larger problem is refused with
    /// [`Error::TooLargeToTrain`] before anything of that size is allocated.
    pub fn max_weight_bytes(mut self, bytes: u64) -> Self {
        self.0.max_weight_bytes = bytes;
        self
    }

    /// The values as set, unchecked.
    pub fn get(&self) -> &ValidLogisticParams {
        &self.0
    }

    /// Check every value.
    pub fn validate(&self) -> Result<()> {
        let p = &self.0;
        if !(MIN_C..=MAX_C).contains(&p.c) {
            return Err(Error::param("c", p.c, format!("must be in [{MIN_C:e}, {MAX_C:e}]")));
        }
        if let Some(tol) = p.tol {
            if !(tol.is_finite() && tol > 0.0) {
                return Err(Error::param("tol", tol, "must be finite and > 0"));
            }
        }
        if p.max_iter == 0 {
            return Err(Error::param("max_iter", p.max_iter, "must be at least 1"));
        }
        if !(MIN_INTERCEPT_SCALING..=MAX_INTERCEPT_SCALING).contains(&p.intercept_scaling) {
            return Err(Error::param(
                "intercept_scaling",
                p.intercept_scaling,
                format!("must be in [{MIN_INTERCEPT_SCALING:e}, {MAX_INTERCEPT_SCALING:e}]"),
            ));
        }
        if let Some(a) = p.nb_alpha {
            if !(a.is_finite() && a > 0.0) {
                return Err(Error::param("nb_alpha", a, "must be finite and > 0"));
            }
        }
        if let Some(t) = &p.tune {
            t.validate()?;
        }
        if let ClassWeight::Explicit(list) = &p.class_weight {
            for (label, w) in list {
                if !(MIN_C..=MAX_C).contains(w) {
                    return Err(Error::param(
                        "class_weight",
                        (label, w),
                        format!("weights must be in [{MIN_C:e}, {MAX_C:e}]"),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl ParamGuard for LogisticParams {
    type Checked = ValidLogisticParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&ValidLogisticParams> {
        self.validate()?;
        Ok(&self.0)
    }

    fn check(self) -> Result<ValidLogisticParams> {
        self.validate()?;
        Ok(self.0)
    }
}

/// Smallest and largest `C` (and class weight) accepted: beyond them the solvers' arithmetic
/// (`1 / C`, `C · loss`) leaves f64's useful range and training would fail only at its end
/// (`C = 5e-324` used to train and then fail on non-finite weights).
pub const MIN_C: f64 = 1e-10;
/// See [`MIN_C`].
pub const MAX_C: f64 = 1e10;
/// Smallest and largest `intercept_scaling` accepted (its square enters every row's norm).
pub const MIN_INTERCEPT_SCALING: f64 = 1e-6;
/// See [`MIN_INTERCEPT_SCALING`].
pub const MAX_INTERCEPT_SCALING: f64 = 1e6;

/// `w` as a weight is stored: rounded to the nearest `f32` (see [`LinearModel::from_parts`]);
/// not finite when `w` is not, or lies beyond `f32`'s range.
fn stored_weight(w: f64) -> f64 {
    f64::from(w as f32)
}

/// A fitted linear classifier over sparse features.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    classes: Vec<String>,
    /// One row for two classes (the logit of the second class), one per class otherwise.
    weights: Vec<Vec<f64>>,
    intercepts: Vec<f64>,
    n_features: usize,
}

impl LinearModel {
    /// Assemble from parts, checking shapes and finiteness.
    ///
    /// Weights are kept at `f32` precision: each is rounded to the nearest `f32` (a relative
    /// change of at most 2^-24), so that scoring a two-class model can read them as `f32`, half
    /// the bytes of the largest array it touches, while [`LinearModel::weights`], explanations
    /// and saved files hold exactly the values scoring uses. Intercepts stay `f64`.
    pub fn from_parts(
        classes: Vec<String>,
        mut weights: Vec<Vec<f64>>,
        intercepts: Vec<f64>,
        n_features: usize,
    ) -> Result<Self> {
        let k = classes.len();
        if k < 2 {
            return Err(Error::SingleClass {
                label: classes.first().cloned().unwrap_or_default(),
            });
        }
        let rows = if k == 2 { 1 } else { k };
        if weights.len() != rows || intercepts.len() != rows {
            return Err(Error::DimensionMismatch {
                what: "weight rows",
                expected: rows,
                found: weights.len().max(intercepts.len()),
            });
        }
        for row in &weights {
            if row.len() != n_features {
                return Err(Error::DimensionMismatch {
                    what: "weights per class",
                    expected: n_features,
                    found: row.len(),
                });
            }
        }
        for w in weights.iter_mut().flatten() {
            *w = stored_weight(*w);
        }
        if weights.iter().flatten().chain(&intercepts).any(|v| !v.is_finite()) {
            return Err(Error::param(
                "weights",
                "non-finite or beyond f32's range",
                "all weights must be finite, and within f32's range",
            ));
        }
        Ok(LinearModel {
            classes,
            weights,
            intercepts,
            n_features,
        })
    }

    /// Class labels, sorted.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Weight rows: one for two classes (pushing toward the second class), else one per class.
    pub fn weights(&self) -> &[Vec<f64>] {
        &self.weights
    }

    /// Intercepts, one per weight row.
    pub fn intercepts(&self) -> &[f64] {
        &self.intercepts
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Per-class logits of one sparse row (for two classes: `[0, z]`).
    pub fn logits(&self, cols: &[u32], vals: &[f32]) -> Vec<f64> {
        let z: Vec<f64> = self
            .weights
            .iter()
            .zip(&self.intercepts)
            .map(|(w, b)| {
                b + cols
                    .iter()
                    .zip(vals)
                    .map(|(&c, &v)| w.get(c as usize).map_or(0.0, |wc| wc * f64::from(v)))
                    .sum::<f64>()
            })
            .collect();
        if self.classes.len() == 2 {
            vec![0.0, z[0]]
        } else {
            z
        }
    }

    /// Per-class logits of one row given as `(column, value)` pairs (see [`LinearModel::logits`]).
    pub fn logits_pairs(&self, row: &[(u32, f32)]) -> Vec<f64> {
        let z = |w: &[f64], b: f64| {
            b + row
                .iter()
                .map(|&(c, v)| w.get(c as usize).map_or(0.0, |wc| wc * f64::from(v)))
                .sum::<f64>()
        };
        if self.classes.len() == 2 {
            vec![0.0, z(&self.weights[0], self.intercepts[0])]
        } else {
            self.weights
                .iter()
                .zip(&self.intercepts)
                .map(|(w, b)| z(w, *b))
                .collect()
        }
    }

    /// Class probabilities of every row.
    pub fn predict_proba(&self, x: &CsrMatrix) -> Array2<f64> {
        let k = self.classes.len();
        let mut out = Array2::zeros((x.nrows(), k));
        for i in 0..x.nrows() {
            let (c, v) = x.row(i);
            let p = softmax(&self.logits(c, v), 1.0);
            for (j, pj) in p.into_iter().enumerate() {
                out[(i, j)] = pj;
            }
        }
        out
    }

    /// Fit on CSR rows and string labels.
    pub fn fit(params: &LogisticParams, x: &CsrMatrix, y: &[String]) -> Result<LinearModel> {
        Self::fit_weighted_with(params, x, y, None, &mut silent)
    }

    /// Fit with per-row sample weights (scikit-learn's `sample_weight`): row `i`'s loss counts
    /// `sample_weight[i]` times, in every solver and in the Naive-Bayes ratios, so an integer
    /// weight gives the model of the row repeated that many times and a zero weight the model
    /// without the row. Weights must be finite and non-negative, one per row, not all zero
    /// ([`Error::InvalidSampleWeight`], [`Error::ZeroSampleWeights`],
    /// [`Error::LengthMismatch`]). Class weights multiply sample weights; `Balanced` counts
    /// each class by its total sample weight.
    pub fn fit_weighted(
        params: &LogisticParams,
        x: &CsrMatrix,
        y: &[String],
        sample_weight: Option<&[f64]>,
    ) -> Result<LinearModel> {
        Self::fit_weighted_with(params, x, y, sample_weight, &mut silent)
    }

    /// [`LinearModel::fit`] reporting the solver's progress to `progress` (started, each
    /// iteration, finished), which can stop it: then [`Error::Cancelled`] (see
    /// [`crate::progress`]).
    pub fn fit_with(
        params: &LogisticParams,
        x: &CsrMatrix,
        y: &[String],
        progress: &mut Progress<'_>,
    ) -> Result<LinearModel> {
        Self::fit_weighted_with(params, x, y, None, progress)
    }

    /// [`LinearModel::fit_weighted`] reporting the solver's progress as
    /// [`LinearModel::fit_with`] does.
    pub fn fit_weighted_with(
        params: &LogisticParams,
        x: &CsrMatrix,
        y: &[String],
        sample_weight: Option<&[f64]>,
        progress: &mut Progress<'_>,
    ) -> Result<LinearModel> {
        params.validate()?;
        let (classes, yi) = encode_labels(y)?;
        fit_indexed(params, Cow::Borrowed(x), &yi, classes, sample_weight, progress)
    }
}

/// Check sample weights against the number of rows `n`: one per row, finite, non-negative,
/// not all zero.
pub fn check_sample_weight(weights: &[f64], n: usize) -> Result<()> {
    if weights.len() != n {
        return Err(Error::LengthMismatch {
            left_name: "sample_weight",
            left: weights.len(),
            right_name: "rows",
            right: n,
        });
    }
    if let Some((index, &value)) = weights.iter().enumerate().find(|(_, w)| !(w.is_finite() && **w >= 0.0)) {
        return Err(Error::InvalidSampleWeight { index, value });
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err(Error::ZeroSampleWeights { n });
    }
    Ok(())
}

/// Sorted distinct labels and each sample's class index.
pub fn encode_labels(y: &[String]) -> Result<(Vec<String>, Vec<usize>)> {
    if y.is_empty() {
        return Err(Error::EmptyTrainingSet);
    }
    let mut classes: Vec<String> = y.to_vec();
    classes.sort();
    classes.dedup();
    if classes.len() < 2 {
        return Err(Error::SingleClass {
            label: classes.pop().unwrap_or_default(),
        });
    }
    let yi = y.iter().map(|l| classes.binary_search(l).unwrap_or(0)).collect();
    Ok((classes, yi))
}

/// Numerically stable softmax of `logits / temperature`.
pub fn softmax(logits: &[f64], temperature: f64) -> Vec<f64> {
    let mut out = vec![0.0; logits.len()];
    softmax_into(logits, temperature, &mut out);
    out
}

/// [`softmax`] written into `out` (the same arithmetic in the same order, so the same bits);
/// `out` should be as long as `logits` (extra entries are left alone).
pub fn softmax_into(logits: &[f64], temperature: f64, out: &mut [f64]) {
    let m = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for (e, z) in out.iter_mut().zip(logits) {
        *e = ((z - m) / temperature).exp();
    }
    let n = logits.len().min(out.len());
    let s: f64 = out.iter().take(n).sum();
    for e in out.iter_mut().take(n) {
        *e /= s;
    }
}

/// Each row's cost factor: its class weight times its sample weight.
pub(crate) fn sample_costs(
    params: &ValidLogisticParams,
    classes: &[String],
    y: &[usize],
    sample_weight: Option<&[f64]>,
) -> Result<Vec<f64>> {
    let k = classes.len();
    let weight = |i: usize| sample_weight.map_or(1.0, |w| w.get(i).copied().unwrap_or(0.0));
    let mut counts = vec![0.0f64; k];
    for (i, &c) in y.iter().enumerate() {
        counts[c] += weight(i);
    }
    let total: f64 = counts.iter().sum();
    let per_class: Vec<f64> = match &params.class_weight {
        ClassWeight::Uniform => vec![1.0; k],
        ClassWeight::Balanced => counts
            .iter()
            .map(|&n| if n == 0.0 { 0.0 } else { total / (k as f64 * n) })
            .collect(),
        ClassWeight::Explicit(list) => {
            let mut w = vec![1.0; k];
            for (label, v) in list {
                match classes.binary_search(label) {
                    Ok(i) => w[i] = *v,
                    Err(_) => {
                        return Err(Error::UnknownLabel {
                            label: label.clone(),
                            known: classes.to_vec(),
                        })
                    }
                }
            }
            w
        }
    };
    Ok(y.iter().enumerate().map(|(i, &c)| per_class[c] * weight(i)).collect())
}

/// Fit with labels already encoded as indices into `classes`, and optional sample weights
/// (see [`LinearModel::fit_weighted`]). An owned `x` is scaled in place for Naive-Bayes
/// scaling; a borrowed one is copied first.
pub(crate) fn fit_indexed(
    params: &LogisticParams,
    x: Cow<'_, CsrMatrix>,
    y: &[usize],
    classes: Vec<String>,
    sample_weight: Option<&[f64]>,
    progress: &mut Progress<'_>,
) -> Result<LinearModel> {
    let params = params.check_ref()?;
    if x.nrows() != y.len() {
        return Err(Error::LengthMismatch {
            left_name: "rows",
            left: x.nrows(),
            right_name: "labels",
            right: y.len(),
        });
    }
    let k = classes.len();
    if k < 2 {
        return Err(Error::SingleClass {
            label: classes.first().cloned().unwrap_or_default(),
        });
    }
    if let Some(&bad) = y.iter().find(|&&c| c >= k) {
        return Err(Error::param(
            "labels",
            bad,
            format!("class index out of range (n_classes = {k})"),
        ));
    }
    if let Some(w) = sample_weight {
        check_sample_weight(w, y.len())?;
    }
    if let Some(spec) = &params.tune {
        // Self-tuning on the matrix's rows, then the fit with the chosen values.
        let report = crate::tune::tune_matrix(
            &LogisticParams(params.clone()),
            &x,
            y,
            &classes,
            sample_weight,
            spec,
            progress,
        )?;
        let fixed = report.apply(&LogisticParams(params.clone()));
        return fit_indexed(&fixed, x, y, classes, sample_weight, progress);
    }
    let costs = sample_costs(params, &classes, y, sample_weight)?;
    let use_dcd = match params.solver {
        Solver::Auto | Solver::DualCd => k == 2,
        Solver::Lbfgs => false,
    };
    let use_mdcd = !use_dcd && params.solver != Solver::Lbfgs;
    let d = x.ncols();
    let rows = if use_dcd { 1 } else { k };
    check_weight_bytes(params, k, d, rows, use_dcd, use_mdcd)?;
    let solver = if use_dcd || use_mdcd {
        Solver::DualCd
    } else {
        Solver::Lbfgs
    };
    let max_iter = params.max_iter;
    emit(
        progress,
        TrainEvent::SolverStarted {
            solver,
            classes: k,
            features: d,
            max_iter,
        },
    )?;
    let mut iterations = 0;
    // The solvers' hook: one call per DCD epoch / L-BFGS iteration.
    let mut on_iteration = |iteration: usize, value: f64| {
        iterations = iteration;
        emit(
            progress,
            TrainEvent::SolverIteration {
                solver,
                iteration,
                max_iter,
                value,
            },
        )
    };
    let (weights, intercepts) = if use_dcd {
        // Binary: the positive class is classes[1]; NB ratio of class 1 vs rest (labels were
        // checked above, so only the alpha is checked here).
        let ratio = params.nb_alpha.map(|alpha| match sample_weight {
            Some(w) => nb_ratio_weighted(&x, y, 1, alpha, w),
            None => nb_ratio(&x, y, 1, alpha),
        });
        let ratio = ratio.as_ref();
        let xs = match ratio {
            Some(r) => {
                let mut m = x.into_owned();
                m.scale_columns(r);
                Cow::Owned(m)
            }
            None => x,
        };
        let signs: Vec<f64> = y.iter().map(|&c| if c == 1 { 1.0 } else { -1.0 }).collect();
        let c_i: Vec<f64> = costs.iter().map(|w| w * params.c).collect();
        let bias = params.fit_intercept.then_some(params.intercept_scaling);
        let tol = params.tol.unwrap_or(DEFAULT_DCD_TOL);
        let (mut w, b) = match xs {
            Cow::Owned(m) => dcd::solve_owned(
                m,
                &signs,
                &c_i,
                bias,
                tol,
                params.max_iter,
                params.seed,
                &mut on_iteration,
            )?,
            Cow::Borrowed(m) => dcd::solve(
                m,
                &signs,
                &c_i,
                bias,
                tol,
                params.max_iter,
                params.seed,
                &mut on_iteration,
            )?,
        };
        if let Some(r) = ratio {
            for (wj, rj) in w.iter_mut().zip(r) {
                *wj *= rj;
            }
        }
        (vec![w], vec![b])
    } else if use_mdcd {
        let ratios = nb_ratios(&x, y, k, params.nb_alpha, sample_weight)?;
        let c_i: Vec<f64> = costs.iter().map(|w| w * params.c).collect();
        let bias = params.fit_intercept.then_some(params.intercept_scaling);
        let tol = params.tol.unwrap_or(DEFAULT_DCD_TOL);
        let (w, b) = mdcd::solve(
            x.into_owned(),
            y,
            k,
            &c_i,
            ratios.as_deref(),
            bias,
            tol,
            params.max_iter,
            params.seed,
            &mut on_iteration,
        )?;
        if w.iter().flatten().chain(&b).any(|v| !v.is_finite()) {
            return Err(Error::Optimizer("non-finite weights".into()));
        }
        (w, b)
    } else {
        let ratios = nb_ratios(&x, y, k, params.nb_alpha, sample_weight)?;
        let (mut w, b) = lbfgs::solve(
            &x,
            y,
            k,
            &costs,
            params.c,
            ratios.as_deref(),
            params.fit_intercept,
            params.tol.unwrap_or(DEFAULT_LBFGS_TOL),
            params.max_iter,
            &mut on_iteration,
        )?;
        if k == 2 {
            // Express the two-class softmax as one logit for the second class.
            let diff: Vec<f64> = w[1].iter().zip(&w[0]).map(|(a, b)| a - b).collect();
            w = vec![diff];
            (w, vec![b[1] - b[0]])
        } else {
            (w, b)
        }
    };
    emit(progress, TrainEvent::SolverFinished { solver, iterations })?;
    LinearModel::from_parts(classes, weights, intercepts, d)
}

/// Refuse a problem whose weight matrix (`rows` × `d` + 1 `f64`s) exceeds
/// `params.max_weight_bytes`, before anything of that size is allocated.
pub(crate) fn check_weight_bytes(
    params: &ValidLogisticParams,
    k: usize,
    d: usize,
    rows: usize,
    use_dcd: bool,
    use_mdcd: bool,
) -> Result<()> {
    let weight_bytes = (rows as u64).saturating_mul(d as u64 + 1).saturating_mul(8);
    if weight_bytes > params.max_weight_bytes {
        return Err(Error::TooLargeToTrain {
            classes: k,
            features: d,
            weight_bytes,
            training_bytes: weight_bytes.saturating_mul(if use_dcd {
                2
            } else if use_mdcd {
                MDCD_COPIES
            } else {
                SOLVER_COPIES
            }),
            limit: params.max_weight_bytes,
        });
    }
    Ok(())
}

/// Per-class Naive-Bayes ratios (weighted when sample weights are given), or `None`.
pub(crate) fn nb_ratios(
    x: &CsrMatrix,
    y: &[usize],
    k: usize,
    alpha: Option<f64>,
    sample_weight: Option<&[f64]>,
) -> Result<Option<Vec<Vec<f64>>>> {
    Ok(match (alpha, sample_weight) {
        (None, _) => None,
        (Some(alpha), None) => Some(nb_log_count_ratios(x, y, k, alpha)?),
        (Some(alpha), Some(w)) => Some((0..k).map(|j| nb_ratio_weighted(x, y, j, alpha, w)).collect()),
    })
}

impl<T> Fit<CsrMatrix, T, Error> for ValidLogisticParams
where
    T: AsSingleTargets<Elem = String>,
{
    type Object = LinearModel;

    fn fit(&self, dataset: &DatasetBase<CsrMatrix, T>) -> Result<LinearModel> {
        let y: Vec<String> = dataset.as_single_targets().iter().cloned().collect();
        LinearModel::fit(&LogisticParams(self.clone()), &dataset.records, &y)
    }
}

impl PredictInplace<CsrMatrix, Array1<String>> for LinearModel {
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Array1<String>) {
        for (i, slot) in y.iter_mut().enumerate().take(x.nrows()) {
            let (c, v) = x.row(i);
            let logits = self.logits(c, v);
            let best = argmax(&logits);
            *slot = self.classes.get(best).cloned().unwrap_or_default();
        }
    }

    fn default_target(&self, x: &CsrMatrix) -> Array1<String> {
        Array1::from_elem(x.nrows(), String::new())
    }
}

/// Index of the largest value (first one on ties).
pub fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if *x > v[best] {
            best = i;
        }
    }
    best
}

/// SplitMix64: a tiny, fixed pseudo-random generator (Steele, Lea & Flood 2014). Written here
/// so that seeded orders never change with a dependency upgrade.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `0..n` (n > 0), by Lemire's multiply-shift.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests;
