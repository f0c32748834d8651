#![deny(missing_docs)]
//! # hawkdove
//!
//! Score passages of text as **conciliatory or hard-line** (a stance scale in [−1, 1]) and by
//! **sentiment**, with sparse linear models whose every score can be explained.
//!
//! The pipeline, one module per stage:
//!
//! * [`text`]: normalization, markup stripping, tokenization with byte spans, negation scope,
//!   stop words, stemming;
//! * [`features`]: word and character n-grams, vocabulary or hashing, tf/idf weighting, l2
//!   normalization, Naive-Bayes scaling; CSR output;
//! * [`model`]: L2-regularized logistic regression on CSR rows (linfa `Fit`/`PredictInplace`);
//! * [`score`]: the [`Model`] that ties them together and predicts labels, probabilities and
//!   scores;
//! * [`format`](mod@format): the versioned JSON model file;
//! * [`eval`]: cross-validation, metrics and calibration reports;
//! * [`tune`]: self-tuning defaults, `C` and the class weighting chosen by internal
//!   cross-validation;
//! * [`progress`]: training progress events and cancellation;
//! * [`timeline`]: scored, dated documents as a series per period, with bootstrap intervals
//!   and detected shifts of level.

pub mod bundled;
pub mod document;
pub mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod format;
pub mod model;
pub mod progress;
pub mod score;
pub mod text;
pub mod timeline;
pub mod tune;

pub use error::{Error, FormatError, Result};
pub use features::{CsrMatrix, FeatureSpace, Featurizer, FeaturizerConfig, Weighting};
pub use model::{ClassWeight, LinearModel, LogisticParams, Solver};
pub use progress::{Progress, TrainEvent};
pub use score::{BatchPredictions, Calibration, Model, ModelParams, Prediction};
pub use tune::{TuneReport, TuneSpec};
