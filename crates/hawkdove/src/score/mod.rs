//! The text classifier: a fitted [`Featurizer`], a [`LinearModel`], a probability temperature
//! and the two poles of the score.
//!
//! ```
//! use hawkdove::{Model, ModelParams};
//! let texts = [
//!     "imposed sweeping sanctions and froze assets",
//!     "threatened retaliation and expelled diplomats",
//!     "welcomed talks and eased sanctions",
//!     "agreed to a ceasefire and resumed dialogue",
//! ];
//! let labels = ["hard-line", "hard-line", "conciliatory", "conciliatory"];
//! let model = Model::train(&texts, &labels, &ModelParams::default())?;
//! let p = model.predict("the government froze assets");
//! assert_eq!(p.label, "hard-line");
//! assert!(p.score > 0.0); // hard-line is the positive pole
//! // A batch column by column: no label string or vector per text.
//! let batch = model.predict_columns(&["froze assets", "resumed dialogue"]);
//! assert_eq!(model.classes()[batch.class_index[0]], "hard-line");
//! assert!(batch.scores[0] > 0.0 && batch.scores[1] < 0.0);
//! assert_eq!(batch.probabilities_of(1).len(), 2);
//! # Ok::<(), hawkdove::Error>(())
//! ```

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::eval::stratified_folds;
use crate::features::{Featurizer, FeaturizerConfig, Scratch};
use crate::model::{argmax, encode_labels, fit_indexed, softmax_into, LinearModel, LogisticParams};
use crate::progress::{emit, silent, FoldPurpose, Progress, TrainEvent};
use crate::tune::TuneReport;

/// How predicted probabilities are calibrated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Calibration {
    /// Use the model's probabilities as they are (default).
    #[default]
    None,
    /// Temperature scaling (Guo et al. 2017): one temperature `T` dividing every logit, fitted
    /// by minimizing the log loss of out-of-fold predictions from `folds`-fold stratified
    /// cross-validation on the training set. Labels never change; only confidence does.
    Temperature {
        /// Number of folds (at least 2; default 5).
        folds: usize,
    },
}

/// Which two classes the score runs between: `score = P(positive) − P(negative)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poles {
    /// The class at −1 (e.g. `conciliatory`, `negative`).
    pub negative: String,
    /// The class at +1 (e.g. `hard-line`, `positive`).
    pub positive: String,
}

/// Label pairs recognised as poles when none are given.
const KNOWN_POLES: &[(&str, &str)] = &[
    ("conciliatory", "hard-line"),
    ("conciliatory", "hardline"),
    ("dove", "hawk"),
    ("dovish", "hawkish"),
    ("negative", "positive"),
    ("neg", "pos"),
    ("false", "true"),
];

/// Everything needed to train a [`Model`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ModelParams {
    /// Featurizer settings.
    pub featurizer: FeaturizerConfig,
    /// Logistic regression settings.
    pub logistic: LogisticParams,
    /// Probability calibration.
    pub calibration: Calibration,
    /// Poles of the score. When `None`: two classes run from the first to the second (sorted)
    /// class; with more classes a known pair (`conciliatory`/`hard-line`,
    /// `negative`/`positive`, …) is used, else the first and last class.
    pub poles: Option<Poles>,
    /// Seed of the calibration folds (default 0).
    pub seed: u64,
    /// When the model declines to label a passage (default: never).
    pub abstain: AbstainPolicy,
}

/// When a model declines to label a passage, instead of guessing from its prior.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AbstainPolicy {
    /// Abstain on a passage with no feature the model knows (its prediction would be the
    /// prior).
    pub no_features: bool,
    /// The language the model was trained for, as an ISO 639-3 code (`eng`): a passage that
    /// [`crate::text::other_language`] finds to be in another language is abstained on.
    pub language: Option<String>,
}

impl AbstainPolicy {
    /// Abstain on passages without known features and on passages in another language than
    /// `language` (ISO 639-3, e.g. `eng`): the bundled models' policy.
    pub fn for_language(language: &str) -> Self {
        AbstainPolicy {
            no_features: true,
            language: Some(language.to_string()),
        }
    }

    /// The policy abstains on nothing.
    pub fn is_off(&self) -> bool {
        !self.no_features && self.language.is_none()
    }

    pub(crate) fn check(&self) -> Result<Option<whatlang::Lang>> {
        match &self.language {
            None => Ok(None),
            Some(code) => whatlang::Lang::from_code(code)
                .map(Some)
                .ok_or_else(|| Error::param("abstain.language", code, "not an ISO 639-3 code known to whatlang")),
        }
    }
}

/// Why a model gave no label to a passage ([`Prediction::abstained`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
#[non_exhaustive]
pub enum Abstention {
    /// No feature of the passage is known to the model.
    NoFeatures,
    /// The passage is in another language than the model's (ISO 639-3 code, e.g. `rus`).
    Language {
        /// The detected language.
        detected: String,
    },
}

impl std::fmt::Display for Abstention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Abstention::NoFeatures => write!(f, "no known feature"),
            Abstention::Language { detected } => write!(f, "language {detected}"),
        }
    }
}

/// Why a passage was abstained on, without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abstained {
    NoFeatures,
    Language(whatlang::Lang),
}

impl From<Abstained> for Abstention {
    fn from(a: Abstained) -> Self {
        match a {
            Abstained::NoFeatures => Abstention::NoFeatures,
            Abstained::Language(l) => Abstention::Language {
                detected: l.code().to_string(),
            },
        }
    }
}

impl ModelParams {
    /// Check every setting (featurizer, logistic regression, calibration, poles) at once.
    pub fn validate(&self) -> Result<()> {
        self.featurizer.validate()?;
        self.logistic.validate()?;
        if let Calibration::Temperature { folds } = self.calibration {
            if folds < 2 {
                return Err(Error::param("calibration.folds", folds, "must be at least 2"));
            }
        }
        if let Some(p) = &self.poles {
            if p.negative == p.positive {
                return Err(Error::param("poles", p, "the two poles must differ"));
            }
        }
        self.abstain.check()?;
        Ok(())
    }
}

/// One passage's prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The most probable class.
    pub label: String,
    /// Index of `label` in [`Model::classes`].
    pub class_index: usize,
    /// Probability of each class, in the order of [`Model::classes`]; sums to 1.
    pub probabilities: Vec<f64>,
    /// `P(positive pole) − P(negative pole)`, in [−1, 1].
    pub score: f64,
    /// Number of non-zero features the passage produced. Zero means the text had nothing the
    /// model knows (empty, or all unknown words): the prediction is then the model's prior.
    pub n_features: usize,
    /// The passage had more than [`crate::text::MAX_TOKENS_PER_TEXT`] tokens; only the first
    /// were scored.
    #[serde(default)]
    pub truncated: bool,
    /// The model declined to label this passage (its [`AbstainPolicy`]): the label, the
    /// probabilities and the score are then only the model's prior and mean nothing;
    /// document scores leave the passage out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abstained: Option<Abstention>,
}

/// The predictions of a batch, column by column: entry `i` of each column is text `i`'s, with
/// the same values as [`Model::predict_batch`]'s `i`-th [`Prediction`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchPredictions {
    /// Index in [`Model::classes`] of each text's most probable class.
    pub class_index: Vec<usize>,
    /// Class probabilities, row-major with one row per text and one column per class, in the
    /// order of [`Model::classes`]: text `i`'s are `probabilities[i * k..(i + 1) * k]`.
    pub probabilities: Vec<f64>,
    /// Number of classes (`k`, the width of [`BatchPredictions::probabilities`]'s rows).
    pub n_classes: usize,
    /// `P(positive pole) − P(negative pole)` of each text, in [−1, 1].
    pub scores: Vec<f64>,
    /// Number of non-zero features of each text.
    pub n_features: Vec<usize>,
    /// Whether each text was truncated to [`crate::text::MAX_TOKENS_PER_TEXT`] tokens.
    pub truncated: Vec<bool>,
    /// Why the model declined to label each text (`None`: labelled).
    pub abstained: Vec<Option<Abstention>>,
}

impl BatchPredictions {
    /// The batches of `parts` one after the other, as one batch (of texts in that order).
    pub fn concat(parts: impl IntoIterator<Item = BatchPredictions>) -> Self {
        let mut all = BatchPredictions::default();
        for part in parts {
            if all.is_empty() {
                all.n_classes = part.n_classes;
            }
            all.class_index.extend(part.class_index);
            all.probabilities.extend(part.probabilities);
            all.scores.extend(part.scores);
            all.n_features.extend(part.n_features);
            all.truncated.extend(part.truncated);
            all.abstained.extend(part.abstained);
        }
        all
    }

    /// Number of texts.
    pub fn len(&self) -> usize {
        self.class_index.len()
    }

    /// No texts.
    pub fn is_empty(&self) -> bool {
        self.class_index.is_empty()
    }

    /// Text `i`'s class probabilities (empty when `i` is out of range).
    pub fn probabilities_of(&self, i: usize) -> &[f64] {
        let k = self.n_classes;
        self.probabilities.get(i * k..(i + 1) * k).unwrap_or_default()
    }
}

/// A passage's prediction without its label and probabilities.
#[derive(Debug, Clone, Copy)]
struct Scored {
    class_index: usize,
    score: f64,
    n_features: usize,
    truncated: bool,
    abstained: Option<Abstained>,
}

/// A trained text classifier.
#[derive(Debug)]
pub struct Model {
    pub(crate) featurizer: Featurizer,
    pub(crate) linear: LinearModel,
    pub(crate) temperature: f64,
    pub(crate) poles: (usize, usize),
    pub(crate) params: Option<ModelParams>,
    pub(crate) n_train: usize,
    /// When the model declines to label a passage.
    pub(crate) abstain: AbstainPolicy,
    /// `abstain.language`, parsed.
    pub(crate) language: Option<whatlang::Lang>,
    /// Built at the first prediction of a two-class model.
    pub(crate) columns: ScoringColumns,
    /// What self-tuning tried and chose, when it ran.
    pub(crate) tuning: Option<TuneReport>,
}

/// Each column's weight and idf side by side, `(weight, idf)`, so that scoring a two-class
/// model reads one place per column instead of two arrays (perf on IMDB: the two functions
/// reading them, a column at a time from arrays of tens of megabytes, took about a sixth of
/// one-thread scoring's samples). Both are `f32`, which holds the weights exactly (see
/// [`LinearModel::from_parts`]): eight bytes a column instead of sixteen, which made one-thread
/// IMDB scoring about 4% faster (docs/performance.md, twelfth round).
#[derive(Default)]
pub(crate) struct ScoringColumns(std::sync::OnceLock<Vec<(f32, f32)>>);

impl std::fmt::Debug for ScoringColumns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.get().map(Vec::len);
        f.debug_tuple("ScoringColumns").field(&n).finish()
    }
}

/// Below this many texts a batch is predicted on the calling thread.
const PARALLEL_MIN_BATCH: usize = 64;

impl Model {
    /// Train on `texts` with `labels` (any strings; sorted to give [`Model::classes`]).
    pub fn train<S, L>(texts: &[S], labels: &[L], params: &ModelParams) -> Result<Model>
    where
        S: AsRef<str> + Sync,
        L: AsRef<str>,
    {
        Self::train_weighted_with(texts, labels, None, params, &mut silent)
    }

    /// [`Model::train`] with per-text sample weights (scikit-learn's `sample_weight`; `None`:
    /// all 1). A text's loss counts its weight times, in the solver, the Naive-Bayes ratios
    /// and the calibration folds ([`LinearModel::fit_weighted`]); a text of weight 0 is
    /// dropped before anything is learned, vocabulary included, so it gives exactly the model
    /// without that text. As in scikit-learn, where the vectorizer takes no weights, the
    /// vocabulary and idf count each kept text once. Weights must be finite, non-negative,
    /// one per text and not all zero ([`Error::InvalidSampleWeight`],
    /// [`Error::ZeroSampleWeights`], [`Error::LengthMismatch`]).
    pub fn train_weighted<S, L>(
        texts: &[S],
        labels: &[L],
        sample_weight: Option<&[f64]>,
        params: &ModelParams,
    ) -> Result<Model>
    where
        S: AsRef<str> + Sync,
        L: AsRef<str>,
    {
        Self::train_weighted_with(texts, labels, sample_weight, params, &mut silent)
    }

    /// [`Model::train`] reporting its progress to `progress`, in order: featurization, the
    /// solver's iterations, then each calibration fold (its own featurization and solver
    /// events inside). The callback can stop training: then [`Error::Cancelled`] and no model
    /// (see [`crate::progress`]).
    pub fn train_with<S, L>(
        texts: &[S],
        labels: &[L],
        params: &ModelParams,
        progress: &mut Progress<'_>,
    ) -> Result<Model>
    where
        S: AsRef<str> + Sync,
        L: AsRef<str>,
    {
        Self::train_weighted_with(texts, labels, None, params, progress)
    }

    /// [`Model::train_weighted`] reporting its progress to `progress` as
    /// [`Model::train_with`] does.
    pub fn train_weighted_with<S, L>(
        texts: &[S],
        labels: &[L],
        sample_weight: Option<&[f64]>,
        params: &ModelParams,
        progress: &mut Progress<'_>,
    ) -> Result<Model>
    where
        S: AsRef<str> + Sync,
        L: AsRef<str>,
    {
        params.validate()?;
        let (_, classes, y) = encode_text_labels(texts.len(), labels)?;
        let poles = resolve_poles(&classes, params.poles.as_ref())?;
        let (texts, y, weights) = weighted_rows(texts, y, sample_weight)?;
        let weights = weights.as_deref();
        if let Calibration::Temperature { folds } = params.calibration {
            check_class_sizes(&classes, &y, 2, "calibration")?;
            check_folds(&classes, &y, folds, "calibration.folds")?;
        }
        // Self-tuning first (each fold featurized on its own); then everything below uses the
        // chosen values, fixed: the final fit and the calibration folds.
        let (tuning, fixed) = match params.logistic.get().tune() {
            Some(spec) => {
                let report = crate::tune::tune_texts(&texts, &y, &classes, weights, params, spec, progress)?;
                let mut fixed = params.clone();
                fixed.logistic = report.apply(&params.logistic);
                (Some(report), Cow::Owned(fixed))
            }
            None => (None, Cow::Borrowed(params)),
        };
        let (featurizer, x) = Featurizer::fit_transform_with(&params.featurizer, &texts, progress)?;
        let linear = fit_indexed(&fixed.logistic, Cow::Owned(x), &y, classes.clone(), weights, progress)?;
        let temperature = match params.calibration {
            Calibration::None => 1.0,
            Calibration::Temperature { folds } => {
                let logits = out_of_fold_logits(&texts, &y, &classes, &fixed, folds, weights, progress)?;
                fit_temperature(&logits, &y, weights)
            }
        };
        Ok(Model {
            featurizer,
            linear,
            temperature,
            poles,
            params: Some(params.clone()),
            n_train: texts.len(),
            abstain: params.abstain.clone(),
            language: params.abstain.check()?,
            columns: ScoringColumns::default(),
            tuning,
        })
    }

    /// What self-tuning tried and chose ([`crate::tune`]), when the model was trained with it
    /// (kept in the model file); `None` for a model trained with fixed settings.
    pub fn tuning(&self) -> Option<&TuneReport> {
        self.tuning.as_ref()
    }

    /// Class labels, sorted.
    pub fn classes(&self) -> &[String] {
        self.linear.classes()
    }

    /// The featurizer.
    pub fn featurizer(&self) -> &Featurizer {
        &self.featurizer
    }

    /// The linear model.
    pub fn linear(&self) -> &LinearModel {
        &self.linear
    }

    /// The calibration temperature (1.0 when uncalibrated).
    pub fn temperature(&self) -> f64 {
        self.temperature
    }

    /// The score's poles as class labels `(negative, positive)`.
    pub fn poles(&self) -> (&str, &str) {
        let c = self.classes();
        (
            c.get(self.poles.0).map_or("", String::as_str),
            c.get(self.poles.1).map_or("", String::as_str),
        )
    }

    /// Indices of the poles in [`Model::classes`].
    pub fn pole_indices(&self) -> (usize, usize) {
        self.poles
    }

    /// The parameters the model was trained with, when known.
    pub fn params(&self) -> Option<&ModelParams> {
        self.params.as_ref()
    }

    /// Number of training documents.
    pub fn n_train(&self) -> usize {
        self.n_train
    }

    /// Predict one passage.
    pub fn predict(&self, text: &str) -> Prediction {
        self.predict_with(text, &mut Scratch::default())
    }

    /// Predict one passage with reusable scratch buffers.
    pub fn predict_with(&self, text: &str, scratch: &mut Scratch) -> Prediction {
        let mut probabilities = vec![0.0; self.classes().len()];
        let scored = self.predict_parts(text, scratch, &mut probabilities);
        self.prediction(scored, probabilities)
    }

    /// The [`Prediction`] of a scored passage, with its label.
    fn prediction(&self, scored: Scored, probabilities: Vec<f64>) -> Prediction {
        Prediction {
            label: self.classes().get(scored.class_index).cloned().unwrap_or_default(),
            class_index: scored.class_index,
            probabilities,
            score: scored.score,
            n_features: scored.n_features,
            truncated: scored.truncated,
            abstained: scored.abstained.map(Abstention::from),
        }
    }

    /// Score one passage into `probabilities` (one entry per class), without allocating: what
    /// [`Model::predict_with`] and the batch predictions share.
    fn predict_parts(&self, text: &str, scratch: &mut Scratch, probabilities: &mut [f64]) -> Scored {
        let many;
        let (two, n_features);
        let logits: &[f64] = match (self.linear.weights(), self.linear.intercepts()) {
            ([w], [b]) => {
                let columns = self.columns.0.get_or_init(|| {
                    let idf = self.featurizer.idf();
                    let n = self.featurizer.n_features().max(w.len());
                    (0..n)
                        .map(|c| {
                            let idf = idf.map_or(Some(1.0), |v| v.get(c).copied()).unwrap_or(1.0);
                            (w.get(c).map_or(0.0, |&w| w as f32), idf)
                        })
                        .collect()
                });
                let dot;
                (dot, n_features) = self.featurizer.dot_into(text, scratch, columns);
                two = [0.0, b + dot];
                &two
            }
            _ => {
                let row = self.featurizer.unordered_row_into(text, scratch);
                n_features = row.len();
                many = self.linear.logits_pairs(row);
                &many
            }
        };
        let mut scored = self.scored_from_logits(logits, n_features, probabilities, scratch.truncated());
        scored.abstained = self.abstention(text, n_features);
        scored
    }

    /// Why the model's policy declines to label `text` with `n_features` known features.
    fn abstention(&self, text: &str, n_features: usize) -> Option<Abstained> {
        if let Some(lang) = self.language {
            // In the model's own script, trigram statistics misread short texts full of names
            // (English headlines came back as French, Javanese or Latin): there the model's
            // vocabulary has the last word. Most of a text's words known as single-word
            // features means it is the model's language. That check is asked first (about a
            // tenth of the detector's cost), once.
            let knows = std::cell::OnceCell::new();
            let knows_most = || *knows.get_or_init(|| self.knows_most_words(text));
            if let Some((other, script)) = crate::text::other_language_vouched(text, lang, knows_most) {
                if script != crate::text::script_of(lang) || !knows_most() {
                    return Some(Abstained::Language(other));
                }
            }
        }
        (self.abstain.no_features && n_features == 0).then_some(Abstained::NoFeatures)
    }

    /// At least half of the words of `text`'s language sample are single-word vocabulary
    /// features of the model (a word inside a negation scope counts by its negated feature).
    /// False for a hashing or character n-gram model, whose columns cannot say that: there the
    /// language detector decides alone.
    fn knows_most_words(&self, text: &str) -> bool {
        let config = self.featurizer.config();
        if config.char_ngrams.is_some() || matches!(config.space, crate::features::FeatureSpace::Hashing { .. }) {
            return false;
        }
        let sample = crate::text::language_sample(text);
        let words = sample.split_whitespace().count();
        let x = self.featurizer.transform(&[sample]);
        let (columns, _) = x.row(0);
        let base =
            self.featurizer.n_features() - self.featurizer.config().lexicon.as_ref().map_or(0, |l| l.n_columns());
        let known = columns
            .iter()
            .filter(|&&c| (c as usize) < base && !self.featurizer.feature_name(c as usize).contains(' '))
            .count();
        known * 2 >= words
    }

    /// Why the model declines to label `text` ([`Prediction::abstained`]), given its number of
    /// known features.
    pub(crate) fn abstention_of(&self, text: &str, n_features: usize) -> Option<Abstention> {
        self.abstention(text, n_features).map(Abstention::from)
    }

    /// The model's abstention policy.
    pub fn abstain_policy(&self) -> &AbstainPolicy {
        &self.abstain
    }

    /// Probabilities (into `probabilities`), class and score from a passage's raw logits.
    fn scored_from_logits(
        &self,
        logits: &[f64],
        n_features: usize,
        probabilities: &mut [f64],
        truncated: bool,
    ) -> Scored {
        softmax_into(logits, self.temperature, probabilities);
        // Last line of defence: loading and training check that no text can make a logit
        // non-finite, but should one ever be, the passage scores as undecided (uniform
        // probabilities, score 0) rather than NaN.
        if probabilities.iter().any(|p| !p.is_finite()) {
            let uniform = 1.0 / probabilities.len().max(1) as f64;
            probabilities.iter_mut().for_each(|p| *p = uniform);
        }
        let class_index = argmax(probabilities);
        let p = |i: usize| probabilities.get(i).copied().unwrap_or(0.0);
        Scored {
            class_index,
            score: (p(self.poles.1) - p(self.poles.0)).clamp(-1.0, 1.0),
            n_features,
            truncated,
            abstained: None,
        }
    }

    pub(crate) fn prediction_from_logits(&self, logits: &[f64], n_features: usize) -> Prediction {
        let mut probabilities = vec![0.0; logits.len()];
        let scored = self.scored_from_logits(logits, n_features, &mut probabilities, false);
        self.prediction(scored, probabilities)
    }

    /// Predict a batch on rayon's thread pool, keeping input order. Each result is identical to
    /// [`Model::predict`] on the same text.
    pub fn predict_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Prediction> {
        if texts.len() < PARALLEL_MIN_BATCH || rayon::current_num_threads() == 1 {
            let mut scratch = Scratch::default();
            return texts
                .iter()
                .map(|t| self.predict_with(t.as_ref(), &mut scratch))
                .collect();
        }
        texts
            .par_iter()
            .map_init(Scratch::default, |s, t| self.predict_with(t.as_ref(), s))
            .collect()
    }

    /// The predictions of a batch column by column, on rayon's thread pool: the same values as
    /// [`Model::predict_batch`] without a label string and a probability vector per text
    /// (nothing allocated per text by a two-class model, and nothing for the caller to free
    /// text by text: on batches of short texts that was a large part of the time).
    pub fn predict_columns<S: AsRef<str> + Sync>(&self, texts: &[S]) -> BatchPredictions {
        if texts.len() < PARALLEL_MIN_BATCH || rayon::current_num_threads() == 1 {
            return self.predict_columns_with(texts, &mut Scratch::default());
        }
        let parts: Vec<BatchPredictions> = texts
            .par_chunks(PARALLEL_MIN_BATCH)
            .map_init(Scratch::default, |s, chunk| self.predict_columns_with(chunk, s))
            .collect();
        BatchPredictions::concat(parts)
    }

    /// [`Model::predict_columns`] on the calling thread, with reusable scratch buffers.
    pub fn predict_columns_with<S: AsRef<str>>(&self, texts: &[S], scratch: &mut Scratch) -> BatchPredictions {
        let (n, k) = (texts.len(), self.classes().len());
        let mut out = BatchPredictions {
            class_index: Vec::with_capacity(n),
            probabilities: vec![0.0; n * k],
            n_classes: k,
            scores: Vec::with_capacity(n),
            n_features: Vec::with_capacity(n),
            truncated: Vec::with_capacity(n),
            abstained: Vec::with_capacity(n),
        };
        for (t, p) in texts.iter().zip(out.probabilities.chunks_mut(k.max(1))) {
            let scored = self.predict_parts(t.as_ref(), scratch, p);
            out.class_index.push(scored.class_index);
            out.scores.push(scored.score);
            out.n_features.push(scored.n_features);
            out.truncated.push(scored.truncated);
            out.abstained.push(scored.abstained.map(Abstention::from));
        }
        out
    }

    /// Raw (untempered) logits of each text, in order.
    pub fn logits_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<f64>> {
        let x = self.featurizer.transform(texts);
        (0..x.nrows())
            .map(|i| {
                let (c, v) = x.row(i);
                self.linear.logits(c, v)
            })
            .collect()
    }
}

fn resolve_poles(classes: &[String], given: Option<&Poles>) -> Result<(usize, usize)> {
    let find = |label: &str| {
        classes
            .iter()
            .position(|c| c == label)
            .ok_or_else(|| Error::UnknownLabel {
                label: label.to_string(),
                known: classes.to_vec(),
            })
    };
    if let Some(p) = given {
        return Ok((find(&p.negative)?, find(&p.positive)?));
    }
    if classes.len() == 2 {
        return Ok((0, 1));
    }
    for (neg, pos) in KNOWN_POLES {
        let lower: Vec<String> = classes.iter().map(|c| c.to_lowercase()).collect();
        if let (Some(a), Some(b)) = (lower.iter().position(|c| c == neg), lower.iter().position(|c| c == pos)) {
            return Ok((a, b));
        }
    }
    Ok((0, classes.len() - 1))
}

/// Texts, label indices and sample weights (see [`weighted_rows`]).
pub(crate) type WeightedRows<'a> = (Vec<&'a str>, Vec<usize>, Option<Vec<f64>>);

/// The texts, label indices and sample weights to train on: all of them without weights;
/// with weights (checked first), the texts of positive weight, as a weight of 0 drops a text
/// before anything is learned from it.
pub(crate) fn weighted_rows<'a, S: AsRef<str>>(
    texts: &'a [S],
    y: Vec<usize>,
    sample_weight: Option<&[f64]>,
) -> Result<WeightedRows<'a>> {
    Ok(match sample_weight {
        None => (texts.iter().map(AsRef::as_ref).collect(), y, None),
        Some(w) => {
            crate::model::check_sample_weight(w, texts.len())?;
            let keep: Vec<usize> = (0..texts.len()).filter(|&i| w[i] > 0.0).collect();
            (
                keep.iter().map(|&i| texts[i].as_ref()).collect(),
                keep.iter().map(|&i| y[i]).collect(),
                Some(keep.iter().map(|&i| w[i]).collect()),
            )
        }
    })
}

/// Check that there are as many labels as texts, then encode the labels: `(labels as strings,
/// sorted classes, class index of each label)`.
pub(crate) fn encode_text_labels<L: AsRef<str>>(
    n_texts: usize,
    labels: &[L],
) -> Result<(Vec<String>, Vec<String>, Vec<usize>)> {
    if n_texts != labels.len() {
        return Err(Error::LengthMismatch {
            left_name: "texts",
            left: n_texts,
            right_name: "labels",
            right: labels.len(),
        });
    }
    let labels: Vec<String> = labels.iter().map(|l| l.as_ref().to_string()).collect();
    let (classes, y) = encode_labels(&labels)?;
    Ok((labels, classes, y))
}

pub(crate) fn check_class_sizes(classes: &[String], y: &[usize], min: usize, purpose: &str) -> Result<()> {
    let mut counts = vec![0usize; classes.len()];
    for &c in y {
        counts[c] += 1;
    }
    if let Some((i, &n)) = counts.iter().enumerate().find(|(_, &n)| n < min) {
        return Err(Error::param(
            "labels",
            &classes[i],
            format!("class has {n} example(s); {purpose} needs at least {min} per class"),
        ));
    }
    Ok(())
}

/// Refuse more folds than the smallest class has members (scikit-learn's rule for stratified
/// folds): some fold would miss that class, and fold counts far beyond the data (10⁹ folds of
/// 6 texts ran 84 s) would only make empty work.
pub(crate) fn check_folds(classes: &[String], y: &[usize], folds: usize, name: &'static str) -> Result<()> {
    let mut counts = vec![0usize; classes.len()];
    for &c in y {
        if let Some(n) = counts.get_mut(c) {
            *n += 1;
        }
    }
    let smallest = counts.iter().enumerate().min_by_key(|(_, &n)| n);
    if let Some((i, &n)) = smallest {
        if folds > n {
            return Err(Error::param(
                name,
                folds,
                format!(
                    "more folds than the smallest class ({:?}) has members ({n}); use at most {n}",
                    classes.get(i).map_or("", String::as_str)
                ),
            ));
        }
    }
    Ok(())
}

/// Logits of each training text from a model that did not see it.
fn out_of_fold_logits<S: AsRef<str> + Sync>(
    texts: &[S],
    y: &[usize],
    classes: &[String],
    params: &ModelParams,
    folds: usize,
    weights: Option<&[f64]>,
    progress: &mut Progress<'_>,
) -> Result<Vec<Vec<f64>>> {
    let assignment = stratified_folds(y, classes.len(), folds, params.seed);
    let mut logits = vec![Vec::new(); texts.len()];
    let purpose = FoldPurpose::Calibration;
    for f in 0..folds {
        let train: Vec<usize> = (0..texts.len()).filter(|&i| assignment[i] != f).collect();
        let test: Vec<usize> = (0..texts.len()).filter(|&i| assignment[i] == f).collect();
        if test.is_empty() {
            continue;
        }
        emit(
            progress,
            TrainEvent::FoldStarted {
                purpose,
                fold: f,
                folds,
            },
        )?;
        let tr_texts: Vec<&str> = train.iter().map(|&i| texts[i].as_ref()).collect();
        let tr_y: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let tr_w: Option<Vec<f64>> = weights.map(|w| train.iter().map(|&i| w[i]).collect());
        let (feat, x) = Featurizer::fit_transform_with(&params.featurizer, &tr_texts, progress)?;
        let lin = fit_indexed(
            &params.logistic,
            Cow::Owned(x),
            &tr_y,
            classes.to_vec(),
            tr_w.as_deref(),
            progress,
        )?;
        let te_texts: Vec<&str> = test.iter().map(|&i| texts[i].as_ref()).collect();
        let xt = feat.transform(&te_texts);
        for (r, &i) in test.iter().enumerate() {
            let (c, v) = xt.row(r);
            logits[i] = lin.logits(c, v);
        }
        emit(
            progress,
            TrainEvent::FoldFinished {
                purpose,
                fold: f,
                folds,
            },
        )?;
    }
    Ok(logits)
}

/// Mean negative log-likelihood of `y` under `softmax(logits / t)`, each row counted
/// `weights[i]` times when weights are given.
pub(crate) fn nll(logits: &[Vec<f64>], y: &[usize], t: f64, weights: Option<&[f64]>) -> f64 {
    let weight = |i: usize| weights.map_or(1.0, |w| w.get(i).copied().unwrap_or(0.0));
    let total: f64 = (0..logits.len()).map(weight).sum::<f64>();
    logits
        .iter()
        .zip(y)
        .enumerate()
        .map(|(i, (z, &k))| {
            let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = m / t + z.iter().map(|v| ((v - m) / t).exp()).sum::<f64>().ln();
            weight(i) * (lse - z.get(k).copied().unwrap_or(0.0) / t)
        })
        .sum::<f64>()
        / if total > 0.0 { total } else { 1.0 }
}

/// The temperature minimizing the log loss, by golden-section search on `ln T ∈ [−4, 4]`
/// (the loss is unimodal in `ln T`).
pub(crate) fn fit_temperature(logits: &[Vec<f64>], y: &[usize], weights: Option<&[f64]>) -> f64 {
    let f = |lt: f64| nll(logits, y, lt.exp(), weights);
    let (mut a, mut b) = (-4.0f64, 4.0f64);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..80 {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    let t = ((a + b) / 2.0).exp();
    if t.is_finite() && t > 0.0 {
        t
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests;
