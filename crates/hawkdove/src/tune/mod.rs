//! Self-tuning defaults: the regularization `C`, the class weighting and (on request) the
//! Naive-Bayes scaling chosen by internal stratified cross-validation on the training data,
//! in the spirit of scikit-learn's `LogisticRegressionCV` and fastText's autotune.
//!
//! A [`TuneSpec`] (on by default in [`crate::LogisticParams`]) names the values tried; training
//! then
//!
//! 1. splits the training texts into `folds` stratified folds ([`crate::eval::stratified_folds`],
//!    seeded by [`TuneSpec::seed`]);
//! 2. for each fold, fits the featurizer (vocabulary, idf) on the fold's training part only and
//!    featurizes both parts once; the Naive-Bayes ratios are also computed from the training
//!    part only, once per Naive-Bayes setting: nothing of the held-out part leaks into what
//!    it is scored with;
//! 3. for each class weighting, walks the `C` values in increasing order, each fit
//!    **warm-started** from the previous one's dual variables scaled to the new costs
//!    (docs/training.md measures what that saves), and scores each fit's held-out predictions
//!    by macro-F1 and log loss (weighted by the sample weights);
//! 4. chooses the setting with the best mean macro-F1 over the folds; settings within
//!    [`TuneSpec::tie_margin`] of it are near-ties, among which the smallest mean log loss wins
//!    (a proper scoring rule, finer-grained than F1 on small folds);
//! 5. refits on all the data with the chosen setting, exactly as a fit with those settings
//!    fixed would: a tuned model equals the model trained with its chosen values.
//!
//! The choice and every setting's scores are kept on the model ([`crate::Model::tuning`],
//! saved in the model file). Everything runs on the calling thread in a fixed order (the
//! featurizer's own parallel parts are deterministic), so the choice and the model never depend
//! on the number of threads. Progress: [`TrainEvent::TuneStarted`], a
//! [`TrainEvent::FoldStarted`] per fold with [`FoldPurpose::Tuning`], each fit's solver events,
//! a [`TrainEvent::TuneFitted`] per fit with its held-out score, and
//! [`TrainEvent::TuneFinished`] with the choice; the callback can stop tuning between any two
//! solver iterations.
//!
//! ```
//! use hawkdove::{Model, ModelParams};
//! let texts = [
//!     "imposed sweeping sanctions", "threatened retaliation", "expelled the diplomats",
//!     "welcomed the talks", "agreed to a ceasefire", "resumed the dialogue",
//! ];
//! let labels = ["hard-line", "hard-line", "hard-line", "conciliatory", "conciliatory", "conciliatory"];
//! // The default parameters tune C and the class weighting.
//! let model = Model::train(&texts, &labels, &ModelParams::default())?;
//! let report = model.tuning().expect("tuned");
//! assert!(report.candidates.iter().any(|c| c.c == report.c));
//! # Ok::<(), hawkdove::Error>(())
//! ```

use std::borrow::Cow;

use linfa::ParamGuard;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::eval::stratified_folds;
use crate::features::{nb_ratio, nb_ratio_weighted, CsrMatrix, Featurizer};
use crate::model::{
    check_weight_bytes, dcd, mdcd, nb_ratios, sample_costs, softmax, ClassWeight, LinearModel, LogisticParams, Solver,
    ValidLogisticParams, DEFAULT_DCD_TOL, MAX_C, MIN_C,
};
use crate::progress::{emit, FoldPurpose, Progress, TrainEvent};
use crate::score::ModelParams;

/// The default grid of `C`: powers of two from 1/4 to 32 (eight values; docs/training.md,
/// "Self-tuning defaults", shows where the chosen values fell on the corpus, MR and IMDB-3).
pub const DEFAULT_C_GRID: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

/// Default number of tuning folds.
pub const DEFAULT_TUNE_FOLDS: usize = 3;

/// Default near-tie margin of mean macro-F1 (see [`TuneSpec::tie_margin`]).
pub const DEFAULT_TIE_MARGIN: f64 = 0.002;

/// What self-tuning tries. A `None` grid leaves that setting at the value fixed in
/// [`crate::LogisticParams`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TuneSpec {
    /// Values of `C` tried (default [`DEFAULT_C_GRID`]); `None`: `C` is fixed.
    pub c: Option<Vec<f64>>,
    /// Class weightings tried (default uniform and balanced); `None`: fixed.
    pub class_weight: Option<Vec<ClassWeight>>,
    /// Naive-Bayes scaling settings tried, each a smoothing `Some(alpha)` or `None` (off);
    /// default `None`: the setting is fixed (see docs/training.md for why it is not tuned by
    /// default).
    pub nb_alpha: Option<Vec<Option<f64>>>,
    /// Number of stratified folds (default [`DEFAULT_TUNE_FOLDS`]); fewer when the smallest
    /// class has fewer members, and no tuning at all (the fixed values, with a note in the
    /// report) when it has only one.
    pub folds: usize,
    /// Seed of the fold assignment (default 0).
    pub seed: u64,
    /// Settings whose mean macro-F1 is within this of the best are near-ties, decided by the
    /// smaller mean log loss (default [`DEFAULT_TIE_MARGIN`]; 0: the best macro-F1 only, ties
    /// decided the same way).
    pub tie_margin: f64,
    /// Start each fit along the `C` path from the previous one's dual variables (default
    /// `true`); `false` starts every fit cold, which only measures what warm starts save.
    pub warm_start: bool,
}

impl Default for TuneSpec {
    fn default() -> Self {
        TuneSpec {
            c: Some(DEFAULT_C_GRID.to_vec()),
            class_weight: Some(vec![ClassWeight::Uniform, ClassWeight::Balanced]),
            nb_alpha: None,
            folds: DEFAULT_TUNE_FOLDS,
            seed: 0,
            tie_margin: DEFAULT_TIE_MARGIN,
            warm_start: true,
        }
    }
}

impl TuneSpec {
    /// Nothing is tuned (every grid is `None`).
    pub fn is_empty(&self) -> bool {
        self.c.is_none() && self.class_weight.is_none() && self.nb_alpha.is_none()
    }

    /// Check every value.
    pub fn validate(&self) -> Result<()> {
        if let Some(grid) = &self.c {
            if grid.is_empty() {
                return Err(Error::param(
                    "tune.c",
                    "[]",
                    "give at least one value, or None to fix C",
                ));
            }
            if let Some(bad) = grid.iter().find(|c| !(MIN_C..=MAX_C).contains(*c)) {
                return Err(Error::param(
                    "tune.c",
                    bad,
                    format!("must be in [{MIN_C:e}, {MAX_C:e}]"),
                ));
            }
        }
        if let Some(list) = &self.class_weight {
            if list.is_empty() {
                return Err(Error::param(
                    "tune.class_weight",
                    "[]",
                    "give at least one value, or None to fix the class weight",
                ));
            }
            for w in list {
                LogisticParams::default()
                    .tune(None)
                    .class_weight(w.clone())
                    .validate()?;
            }
        }
        if let Some(list) = &self.nb_alpha {
            if list.is_empty() {
                return Err(Error::param(
                    "tune.nb_alpha",
                    "[]",
                    "give at least one value, or None to fix Naive-Bayes scaling",
                ));
            }
            if let Some(bad) = list.iter().flatten().find(|a| !(a.is_finite() && **a > 0.0)) {
                return Err(Error::param("tune.nb_alpha", bad, "must be finite and > 0"));
            }
        }
        if self.folds < 2 {
            return Err(Error::param("tune.folds", self.folds, "must be at least 2"));
        }
        if !(self.tie_margin.is_finite() && self.tie_margin >= 0.0) {
            return Err(Error::param(
                "tune.tie_margin",
                self.tie_margin,
                "must be finite and >= 0",
            ));
        }
        Ok(())
    }

    /// The settings tried, in the order they are fitted: Naive-Bayes setting, then class
    /// weighting, then `C` increasing (a warm-started path), given the fixed values of
    /// `params`.
    fn candidates(&self, params: &ValidLogisticParams) -> (Vec<Option<f64>>, Vec<ClassWeight>, Vec<f64>) {
        let nb = self.nb_alpha.clone().unwrap_or_else(|| vec![params.nb_alpha()]);
        let cw = self
            .class_weight
            .clone()
            .unwrap_or_else(|| vec![params.class_weight().clone()]);
        let mut c = self.c.clone().unwrap_or_else(|| vec![params.c()]);
        c.sort_by(f64::total_cmp);
        c.dedup();
        (nb, cw, c)
    }
}

/// One setting tried by self-tuning, with its cross-validated scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneCandidate {
    /// Inverse regularization strength.
    pub c: f64,
    /// Class weighting.
    pub class_weight: ClassWeight,
    /// Naive-Bayes smoothing, or `None` (no scaling).
    pub nb_alpha: Option<f64>,
    /// Held-out macro-F1 of each fold.
    pub fold_macro_f1: Vec<f64>,
    /// Mean of [`TuneCandidate::fold_macro_f1`].
    pub mean_macro_f1: f64,
    /// Standard deviation of [`TuneCandidate::fold_macro_f1`].
    pub std_macro_f1: f64,
    /// Mean over the folds of the held-out log loss.
    pub mean_log_loss: f64,
    /// Rank by mean macro-F1 (1: best; equal means share a rank, as scikit-learn's
    /// `rank_test_score`).
    pub rank: usize,
    /// Dual CD epochs (L-BFGS iterations) summed over the folds.
    pub iterations: usize,
}

/// What self-tuning tried and chose ([`crate::Model::tuning`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneReport {
    /// The chosen `C`.
    pub c: f64,
    /// The chosen class weighting.
    pub class_weight: ClassWeight,
    /// The chosen Naive-Bayes smoothing (`None`: no scaling).
    pub nb_alpha: Option<f64>,
    /// Index of the chosen setting in [`TuneReport::candidates`] (`None` when tuning did not
    /// run: see [`TuneReport::note`]).
    pub best: Option<usize>,
    /// Number of folds used.
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
    /// The near-tie margin used.
    pub tie_margin: f64,
    /// Every setting tried, in the order fitted (Naive-Bayes setting, class weighting, `C`
    /// increasing).
    pub candidates: Vec<TuneCandidate>,
    /// Why tuning did not run and the fixed values were used (a class with one member).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl TuneReport {
    /// The chosen values as fixed parameters: `params` with them set and tuning off.
    pub fn apply(&self, params: &LogisticParams) -> LogisticParams {
        params
            .clone()
            .tune(None)
            .c(self.c)
            .class_weight(self.class_weight.clone())
            .nb_scaling(self.nb_alpha)
    }
}

/// One fold's data: the training part and the held-out part, featurized.
struct FoldData<'a> {
    x_train: CsrMatrix,
    y_train: Vec<usize>,
    w_train: Option<Vec<f64>>,
    x_test: Cow<'a, CsrMatrix>,
    y_test: Vec<usize>,
    w_test: Option<Vec<f64>>,
}

/// The number of folds that can be used: `spec.folds`, at most the smallest class's size;
/// `None` when that is below 2.
fn usable_folds(spec: &TuneSpec, y: &[usize], k: usize) -> Option<usize> {
    let mut counts = vec![0usize; k];
    for &c in y {
        if let Some(n) = counts.get_mut(c) {
            *n += 1;
        }
    }
    let smallest = counts.into_iter().min().unwrap_or(0);
    let folds = spec.folds.min(smallest);
    (folds >= 2).then_some(folds)
}

fn split(assignment: &[usize], f: usize) -> (Vec<usize>, Vec<usize>) {
    let train = (0..assignment.len()).filter(|&i| assignment[i] != f).collect();
    let test = (0..assignment.len()).filter(|&i| assignment[i] == f).collect();
    (train, test)
}

fn pick<T: Copy>(v: &[T], rows: &[usize]) -> Vec<T> {
    rows.iter().map(|&i| v[i]).collect()
}

/// Run self-tuning alone: what [`crate::Model::train_weighted_with`] would choose for these
/// texts, labels, sample weights and parameters (tuning as `params.logistic` sets it, or the
/// default [`TuneSpec`] when it is off), without the final fit.
pub fn select<S, L>(
    texts: &[S],
    labels: &[L],
    sample_weight: Option<&[f64]>,
    params: &ModelParams,
    progress: &mut Progress<'_>,
) -> Result<TuneReport>
where
    S: AsRef<str> + Sync,
    L: AsRef<str>,
{
    params.validate()?;
    let spec = params.logistic.get().tune().cloned().unwrap_or_default();
    spec.validate()?;
    let (_, classes, y) = crate::score::encode_text_labels(texts.len(), labels)?;
    let (texts, y, weights) = crate::score::weighted_rows(texts, y, sample_weight)?;
    tune_texts(&texts, &y, &classes, weights.as_deref(), params, &spec, progress)
}

/// Tune on texts: each fold's featurizer fitted on its training part. Returns the fixed
/// parameters to refit with and the report.
pub(crate) fn tune_texts(
    texts: &[&str],
    y: &[usize],
    classes: &[String],
    weights: Option<&[f64]>,
    params: &ModelParams,
    spec: &TuneSpec,
    progress: &mut Progress<'_>,
) -> Result<TuneReport> {
    let logistic = params.logistic.check_ref()?;
    run_folds(
        logistic,
        y,
        classes,
        weights,
        spec,
        progress,
        |train, test, progress| {
            let tr_texts: Vec<&str> = train.iter().map(|&i| texts[i]).collect();
            let (featurizer, x_train) = Featurizer::fit_transform_with(&params.featurizer, &tr_texts, progress)?;
            let te_texts: Vec<&str> = test.iter().map(|&i| texts[i]).collect();
            Ok((x_train, featurizer.transform(&te_texts)))
        },
    )
}

/// Tune on a matrix already featurized (for [`LinearModel::fit`] with tuning on): folds of its
/// rows, each fold's Naive-Bayes ratios from its training rows.
pub(crate) fn tune_matrix(
    params: &LogisticParams,
    x: &CsrMatrix,
    y: &[usize],
    classes: &[String],
    weights: Option<&[f64]>,
    spec: &TuneSpec,
    progress: &mut Progress<'_>,
) -> Result<TuneReport> {
    let logistic = params.check_ref()?;
    run_folds(logistic, y, classes, weights, spec, progress, |train, test, _| {
        Ok((x.select_rows(train), x.select_rows(test)))
    })
}

/// The tuning loop shared by [`tune_texts`] and [`tune_matrix`]: stratified folds, each fold's
/// training and test matrices from `matrices(train rows, test rows, progress)`, the whole grid
/// fitted on each fold in order, then the choice.
fn run_folds<F>(
    logistic: &ValidLogisticParams,
    y: &[usize],
    classes: &[String],
    weights: Option<&[f64]>,
    spec: &TuneSpec,
    progress: &mut Progress<'_>,
    mut matrices: F,
) -> Result<TuneReport>
where
    F: FnMut(&[usize], &[usize], &mut Progress<'_>) -> Result<(CsrMatrix, CsrMatrix)>,
{
    let k = classes.len();
    let Some(folds) = usable_folds(spec, y, k) else {
        return Ok(untuned(logistic, spec));
    };
    let assignment = stratified_folds(y, k, folds, spec.seed);
    let mut grid = Grid::new(spec, logistic, folds);
    emit(
        progress,
        TrainEvent::TuneStarted {
            folds,
            candidates: grid.len(),
        },
    )?;
    let purpose = FoldPurpose::Tuning;
    for f in 0..folds {
        emit(
            progress,
            TrainEvent::FoldStarted {
                purpose,
                fold: f,
                folds,
            },
        )?;
        let (train, test) = split(&assignment, f);
        let (x_train, x_test) = matrices(&train, &test, progress)?;
        let data = FoldData {
            x_train,
            y_train: pick(y, &train),
            w_train: weights.map(|w| pick(w, &train)),
            x_test: Cow::Owned(x_test),
            y_test: pick(y, &test),
            w_test: weights.map(|w| pick(w, &test)),
        };
        grid.run_fold(f, &data, classes, progress)?;
        emit(
            progress,
            TrainEvent::FoldFinished {
                purpose,
                fold: f,
                folds,
            },
        )?;
    }
    grid.finish(progress)
}

/// The report when tuning cannot run: the fixed values.
fn untuned(params: &ValidLogisticParams, spec: &TuneSpec) -> TuneReport {
    TuneReport {
        c: params.c(),
        class_weight: params.class_weight().clone(),
        nb_alpha: params.nb_alpha(),
        best: None,
        folds: 0,
        seed: spec.seed,
        tie_margin: spec.tie_margin,
        candidates: Vec::new(),
        note: Some("a class has a single member: no stratified folds, so the fixed values were used".into()),
    }
}

/// The grid's scores as they are gathered.
struct Grid<'p> {
    spec: &'p TuneSpec,
    params: &'p ValidLogisticParams,
    folds: usize,
    nb: Vec<Option<f64>>,
    cw: Vec<ClassWeight>,
    c: Vec<f64>,
    /// Per candidate: (macro-F1, log loss) of each fold done.
    scores: Vec<Vec<(f64, f64)>>,
    iterations: Vec<usize>,
}

impl<'p> Grid<'p> {
    fn new(spec: &'p TuneSpec, params: &'p ValidLogisticParams, folds: usize) -> Self {
        let (nb, cw, c) = spec.candidates(params);
        let n = nb.len() * cw.len() * c.len();
        Grid {
            spec,
            params,
            folds,
            nb,
            cw,
            c,
            scores: vec![Vec::with_capacity(folds); n],
            iterations: vec![0; n],
        }
    }

    fn len(&self) -> usize {
        self.scores.len()
    }

    fn index(&self, nb: usize, cw: usize, c: usize) -> usize {
        (nb * self.cw.len() + cw) * self.c.len() + c
    }

    /// Fit every setting on fold `f` and score it on the fold's held-out part.
    fn run_fold(
        &mut self,
        f: usize,
        data: &FoldData<'_>,
        classes: &[String],
        progress: &mut Progress<'_>,
    ) -> Result<()> {
        let k = classes.len();
        let x = &data.x_train;
        let y = &data.y_train;
        let w = data.w_train.as_deref();
        let base = LogisticParams::from_valid(self.params.clone()).tune(None);
        let solver = self.params.solver();
        let use_dcd = solver != Solver::Lbfgs && k == 2;
        let use_mdcd = solver != Solver::Lbfgs && k > 2;
        let rows = if use_dcd { 1 } else { k };
        let bias = self.params.bias();
        let tol = self.params.tol().unwrap_or(DEFAULT_DCD_TOL);
        let (max_iter, seed) = (self.params.max_iter(), self.params.seed());
        check_weight_bytes(self.params, k, x.ncols(), rows, use_dcd, use_mdcd)?;
        let candidates = self.len();
        for (ni, &nb) in self.nb.clone().iter().enumerate() {
            // Prepared once per Naive-Bayes setting: the ratios (from the fold's training
            // rows), the scaled or reordered matrix, the row norms.
            let ratio_bin: Option<Vec<f64>> = if use_dcd {
                nb.map(|alpha| match w {
                    Some(w) => nb_ratio_weighted(x, y, 1, alpha, w),
                    None => nb_ratio(x, y, 1, alpha),
                })
            } else {
                None
            };
            let ratios_multi = if use_mdcd { nb_ratios(x, y, k, nb, w)? } else { None };
            let dcd_problem = use_dcd.then(|| {
                let mut m = x.clone();
                if let Some(r) = &ratio_bin {
                    m.scale_columns(r);
                }
                dcd::Prepared::new(m)
            });
            let mdcd_problem = use_mdcd.then(|| mdcd::Prepared::new(x.clone(), k, ratios_multi.as_deref(), bias));
            let signs: Vec<f64> = y.iter().map(|&c| if c == 1 { 1.0 } else { -1.0 }).collect();
            for (wi, cw) in self.cw.clone().iter().enumerate() {
                let costs = sample_costs(&base.clone().class_weight(cw.clone()).check()?, classes, y, w)?;
                // The warm start: the previous C's dual variables (and that C).
                let mut previous_dcd: Option<Vec<f64>> = None;
                let mut previous_mdcd: Option<(f64, mdcd::DualState)> = None;
                for (ci, &c) in self.c.clone().iter().enumerate() {
                    let index = self.index(ni, wi, ci);
                    let c_i: Vec<f64> = costs.iter().map(|v| v * c).collect();
                    let fixed = base.clone().c(c).class_weight(cw.clone()).nb_scaling(nb);
                    let used = if use_dcd || use_mdcd {
                        Solver::DualCd
                    } else {
                        Solver::Lbfgs
                    };
                    emit(
                        progress,
                        TrainEvent::SolverStarted {
                            solver: used,
                            classes: k,
                            features: x.ncols(),
                            max_iter,
                        },
                    )?;
                    let mut iterations = 0;
                    let mut on_epoch = |iteration: usize, value: f64| {
                        iterations = iteration;
                        emit(
                            progress,
                            TrainEvent::SolverIteration {
                                solver: used,
                                iteration,
                                max_iter,
                                value,
                            },
                        )
                    };
                    let model = if let Some(problem) = &dcd_problem {
                        let init = previous_dcd
                            .as_ref()
                            .filter(|_| self.spec.warm_start)
                            .map(|a| dcd::rebox_dual(a, &c_i));
                        let (mut wv, b, alpha) =
                            problem.solve(&signs, &c_i, init.as_deref(), bias, tol, max_iter, seed, &mut on_epoch)?;
                        previous_dcd = Some(alpha);
                        if let Some(r) = &ratio_bin {
                            for (wj, rj) in wv.iter_mut().zip(r) {
                                *wj *= rj;
                            }
                        }
                        LinearModel::from_parts(classes.to_vec(), vec![wv], vec![b], x.ncols())?
                    } else if let Some(problem) = &mdcd_problem {
                        let init = previous_mdcd.as_ref().filter(|_| self.spec.warm_start).map(|(pc, st)| {
                            let old: Vec<f64> = costs.iter().map(|v| v * pc).collect();
                            st.shifted(c / pc, y, &old)
                        });
                        let ((wv, b), state) =
                            problem.solve(y, &c_i, init.as_ref(), tol, max_iter, seed, &mut on_epoch)?;
                        previous_mdcd = Some((c, state));
                        if wv.iter().flatten().chain(&b).any(|v| !v.is_finite()) {
                            return Err(Error::Optimizer("non-finite weights".into()));
                        }
                        LinearModel::from_parts(classes.to_vec(), wv, b, x.ncols())?
                    } else {
                        crate::model::fit_indexed(
                            &fixed,
                            Cow::Borrowed(x),
                            y,
                            classes.to_vec(),
                            w,
                            &mut |e: &TrainEvent| {
                                if let TrainEvent::SolverIteration { iteration, .. } = e {
                                    iterations = *iteration;
                                }
                                progress(e)
                            },
                        )?
                    };
                    emit(
                        progress,
                        TrainEvent::SolverFinished {
                            solver: used,
                            iterations,
                        },
                    )?;
                    let (f1, log_loss) = held_out_scores(&model, &data.x_test, &data.y_test, data.w_test.as_deref());
                    self.scores[index].push((f1, log_loss));
                    self.iterations[index] += iterations;
                    emit(
                        progress,
                        TrainEvent::TuneFitted {
                            fold: f,
                            folds: self.folds,
                            candidate: index,
                            candidates,
                            c,
                            class_weight: cw.clone(),
                            nb_alpha: nb,
                            macro_f1: f1,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }

    /// Aggregate the folds and choose.
    fn finish(self, progress: &mut Progress<'_>) -> Result<TuneReport> {
        let mut candidates = Vec::with_capacity(self.len());
        for (ni, nb) in self.nb.iter().enumerate() {
            for (wi, cw) in self.cw.iter().enumerate() {
                for (ci, &c) in self.c.iter().enumerate() {
                    let index = self.index(ni, wi, ci);
                    let s = &self.scores[index];
                    let n = s.len().max(1) as f64;
                    let fold_macro_f1: Vec<f64> = s.iter().map(|v| v.0).collect();
                    let mean = fold_macro_f1.iter().sum::<f64>() / n;
                    let var = fold_macro_f1.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
                    candidates.push(TuneCandidate {
                        c,
                        class_weight: cw.clone(),
                        nb_alpha: *nb,
                        fold_macro_f1,
                        mean_macro_f1: mean,
                        std_macro_f1: var.sqrt(),
                        mean_log_loss: s.iter().map(|v| v.1).sum::<f64>() / n,
                        rank: 0,
                        iterations: self.iterations[index],
                    });
                }
            }
        }
        for i in 0..candidates.len() {
            let better = candidates
                .iter()
                .filter(|o| o.mean_macro_f1 > candidates[i].mean_macro_f1)
                .count();
            candidates[i].rank = better + 1;
        }
        let best = choose(&candidates, self.spec.tie_margin);
        let chosen = &candidates[best];
        let report = TuneReport {
            c: chosen.c,
            class_weight: chosen.class_weight.clone(),
            nb_alpha: chosen.nb_alpha,
            best: Some(best),
            folds: self.folds,
            seed: self.spec.seed,
            tie_margin: self.spec.tie_margin,
            note: None,
            candidates,
        };
        emit(
            progress,
            TrainEvent::TuneFinished {
                c: report.c,
                class_weight: report.class_weight.clone(),
                nb_alpha: report.nb_alpha,
                macro_f1: report.candidates[best].mean_macro_f1,
            },
        )?;
        Ok(report)
    }
}

/// The chosen candidate: the best mean macro-F1; among those within `margin` of it, the
/// smallest mean log loss; then the first in fitting order (the smaller `C`).
fn choose(candidates: &[TuneCandidate], margin: f64) -> usize {
    let best_f1 = candidates
        .iter()
        .map(|c| c.mean_macro_f1)
        .fold(f64::NEG_INFINITY, f64::max);
    let mut best = 0;
    let mut best_loss = f64::INFINITY;
    for (i, c) in candidates.iter().enumerate() {
        if c.mean_macro_f1 >= best_f1 - margin && c.mean_log_loss < best_loss {
            best = i;
            best_loss = c.mean_log_loss;
        }
    }
    best
}

/// Macro-F1 and mean log loss of `model` on held-out rows, each row counted its sample weight
/// times (scikit-learn's `f1_score(..., sample_weight=)`, weighted confusion counts).
fn held_out_scores(model: &LinearModel, x: &CsrMatrix, y: &[usize], w: Option<&[f64]>) -> (f64, f64) {
    let k = model.classes().len();
    let mut confusion = vec![0.0f64; k * k];
    let mut loss = 0.0;
    let mut total = 0.0;
    for (i, &t) in y.iter().enumerate() {
        let wi = w.map_or(1.0, |w| w.get(i).copied().unwrap_or(0.0));
        let (cols, vals) = x.row(i);
        let p = softmax(&model.logits(cols, vals), 1.0);
        let predicted = crate::model::argmax(&p);
        if let Some(cell) = confusion.get_mut(t * k + predicted) {
            *cell += wi;
        }
        loss -= wi * p.get(t).copied().unwrap_or(0.0).max(1e-15).ln();
        total += wi;
    }
    let mut f1_sum = 0.0;
    for c in 0..k {
        let tp = confusion[c * k + c];
        let support: f64 = confusion[c * k..(c + 1) * k].iter().sum();
        let predicted: f64 = (0..k).map(|t| confusion[t * k + c]).sum();
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = if support > 0.0 { tp / support } else { 0.0 };
        if precision + recall > 0.0 {
            f1_sum += 2.0 * precision * recall / (precision + recall);
        }
    }
    let total = if total > 0.0 { total } else { 1.0 };
    (f1_sum / k.max(1) as f64, loss / total)
}

#[cfg(test)]
mod tests;
