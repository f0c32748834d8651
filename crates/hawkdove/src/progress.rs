//! Progress of training, and a way to stop it.
//!
//! Every training entry point has a `_with` form taking a callback,
//! `&mut dyn FnMut(&TrainEvent) -> ControlFlow<()>` ([`Progress`]): [`crate::Model::train_with`],
//! [`crate::LinearModel::fit_with`], [`crate::eval::cross_validate_with`] and
//! [`crate::Featurizer::fit_transform_with`]. The callback is called on the thread that
//! started training, in order: featurization (started, each group of texts, done), the solver
//! (started, every iteration, finished), and each cross-validation, calibration or self-tuning
//! fold (started, the fold's own training events, finished); self-tuning adds
//! [`TrainEvent::TuneStarted`], a [`TrainEvent::TuneFitted`] per fit and
//! [`TrainEvent::TuneFinished`]. Returning [`ControlFlow::Break`] stops training at
//! that point with [`Error::Cancelled`]; nothing half-trained is
//! returned, and the caller's data and any model it already had are untouched. The plain
//! entry points (`Model::train`, …) are the `_with` forms with a callback that always
//! continues.
//!
//! ```
//! use std::ops::ControlFlow;
//! use hawkdove::progress::TrainEvent;
//! use hawkdove::{Error, Model, ModelParams};
//! let texts = ["froze assets", "imposed sanctions", "welcomed talks", "eased sanctions"];
//! let labels = ["hard-line", "hard-line", "conciliatory", "conciliatory"];
//! let mut events = Vec::new();
//! Model::train_with(&texts, &labels, &ModelParams::default(), &mut |e: &TrainEvent| {
//!     events.push(e.clone());
//!     ControlFlow::Continue(())
//! })?;
//! // The defaults tune C and the class weights first (two folds here: two texts per class),
//! // then fit on all four texts.
//! assert!(matches!(events.first(), Some(TrainEvent::TuneStarted { folds: 2, .. })));
//! assert!(events.iter().any(|e| matches!(e, TrainEvent::FeaturizeStarted { texts: 4 })));
//! assert!(events.iter().any(|e| matches!(e, TrainEvent::SolverIteration { .. })));
//! // Stop at the first solver iteration: a typed error, no model.
//! let stopped = Model::train_with(&texts, &labels, &ModelParams::default(), &mut |e: &TrainEvent| {
//!     match e {
//!         TrainEvent::SolverIteration { .. } => ControlFlow::Break(()),
//!         _ => ControlFlow::Continue(()),
//!     }
//! });
//! assert!(matches!(stopped, Err(Error::Cancelled { .. })));
//! # Ok::<(), hawkdove::Error>(())
//! ```

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{ClassWeight, Solver};

/// A training progress callback: called with each [`TrainEvent`], in order; returning
/// [`ControlFlow::Break`] stops training with [`Error::Cancelled`].
pub type Progress<'a> = dyn FnMut(&TrainEvent) -> ControlFlow<()> + 'a;

/// What a fold is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoldPurpose {
    /// A fold of [`crate::eval::cross_validate`].
    CrossValidation,
    /// A fold of temperature calibration ([`crate::Calibration::Temperature`]).
    Calibration,
    /// A fold of self-tuning ([`crate::tune`]).
    Tuning,
}

/// One step of training, as reported to a [`Progress`] callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
#[non_exhaustive]
pub enum TrainEvent {
    /// Featurization of `texts` training texts starts.
    FeaturizeStarted {
        /// Number of texts.
        texts: usize,
    },
    /// Featurization has read `done` of `total` texts (reported after each group of texts,
    /// a few thousand at a time).
    Featurizing {
        /// Texts read so far.
        done: usize,
        /// All texts.
        total: usize,
    },
    /// Featurization is done: the training matrix is `rows` × `features`.
    Featurized {
        /// Rows (texts).
        rows: usize,
        /// Feature columns.
        features: usize,
    },
    /// A solver starts ([`Solver::DualCd`] or [`Solver::Lbfgs`], never `Auto`).
    SolverStarted {
        /// The solver.
        solver: Solver,
        /// Number of classes.
        classes: usize,
        /// Number of feature columns.
        features: usize,
        /// Its iteration limit (`max_iter`).
        max_iter: usize,
    },
    /// A solver iteration is done: an epoch of dual coordinate descent, an iteration of
    /// L-BFGS. `iteration` counts from 1.
    SolverIteration {
        /// The solver.
        solver: Solver,
        /// Iterations done.
        iteration: usize,
        /// The iteration limit.
        max_iter: usize,
        /// Dual CD: the epoch's largest dual gradient (training stops when it is below `tol`);
        /// L-BFGS: the objective.
        value: f64,
    },
    /// A solver is done after `iterations` iterations.
    SolverFinished {
        /// The solver.
        solver: Solver,
        /// Iterations done.
        iterations: usize,
    },
    /// Fold `fold` (from 0) of `folds` starts.
    FoldStarted {
        /// Cross-validation or calibration.
        purpose: FoldPurpose,
        /// The fold, from 0.
        fold: usize,
        /// Number of folds.
        folds: usize,
    },
    /// Fold `fold` (from 0) of `folds` is done.
    FoldFinished {
        /// Cross-validation or calibration.
        purpose: FoldPurpose,
        /// The fold, from 0.
        fold: usize,
        /// Number of folds.
        folds: usize,
    },
    /// Self-tuning ([`crate::tune`]) starts: `candidates` settings on each of `folds` folds,
    /// `folds × candidates` fits in all, each followed by a [`TrainEvent::TuneFitted`].
    TuneStarted {
        /// Number of folds.
        folds: usize,
        /// Number of settings tried.
        candidates: usize,
    },
    /// One setting was fitted on one tuning fold and scored on its held-out part.
    TuneFitted {
        /// The fold, from 0.
        fold: usize,
        /// Number of folds.
        folds: usize,
        /// Index of the setting (its place in [`crate::TuneReport::candidates`]).
        candidate: usize,
        /// Number of settings.
        candidates: usize,
        /// Its `C`.
        c: f64,
        /// Its class weighting.
        class_weight: ClassWeight,
        /// Its Naive-Bayes smoothing (`None`: off).
        nb_alpha: Option<f64>,
        /// Held-out macro-F1 on this fold.
        macro_f1: f64,
    },
    /// Self-tuning chose its setting (the final fit on all the data follows).
    TuneFinished {
        /// The chosen `C`.
        c: f64,
        /// The chosen class weighting.
        class_weight: ClassWeight,
        /// The chosen Naive-Bayes smoothing (`None`: off).
        nb_alpha: Option<f64>,
        /// Its mean held-out macro-F1 over the folds.
        macro_f1: f64,
    },
}

impl TrainEvent {
    /// The stage of training this event belongs to, as named in [`Error::Cancelled`].
    pub fn stage(&self) -> &'static str {
        match self {
            TrainEvent::FeaturizeStarted { .. } | TrainEvent::Featurizing { .. } | TrainEvent::Featurized { .. } => {
                "featurization"
            }
            TrainEvent::SolverStarted { .. }
            | TrainEvent::SolverIteration { .. }
            | TrainEvent::SolverFinished { .. } => "solver",
            TrainEvent::FoldStarted { purpose, .. } | TrainEvent::FoldFinished { purpose, .. } => match purpose {
                FoldPurpose::CrossValidation => "cross-validation",
                FoldPurpose::Calibration => "calibration",
                FoldPurpose::Tuning => "tuning",
            },
            TrainEvent::TuneStarted { .. } | TrainEvent::TuneFitted { .. } | TrainEvent::TuneFinished { .. } => {
                "tuning"
            }
        }
    }
}

/// A callback that always continues: what the entry points without `_with` use.
pub fn silent(_: &TrainEvent) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// Report `event`; `Err(Error::Cancelled)` when the callback asks to stop.
pub(crate) fn emit(progress: &mut Progress<'_>, event: TrainEvent) -> Result<()> {
    match progress(&event) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(Error::Cancelled { stage: event.stage() }),
    }
}
