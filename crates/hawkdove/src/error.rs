//! The one error type of the crate.
//!
//! Every fallible public function returns [`Result<T>`](Result). Variants carry the offending
//! values so that a message can say exactly what was wrong; the enum is `#[non_exhaustive]` so
//! new checks can be added without breaking callers.

use std::path::PathBuf;

/// Result alias used throughout hawkdove.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in hawkdove.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A hyperparameter is out of its valid range. Raised before any work starts.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name as it appears in the params type.
        name: &'static str,
        /// The value that was given, formatted.
        value: String,
        /// What the valid range is.
        reason: String,
    },

    /// Training was asked for with no documents.
    #[error("no training documents were given")]
    EmptyTrainingSet,

    /// Texts and labels (or predictions and truths) of different lengths.
    #[error("length mismatch: {left_name} has {left} items but {right_name} has {right}")]
    LengthMismatch {
        /// Name of the first collection.
        left_name: &'static str,
        /// Its length.
        left: usize,
        /// Name of the second collection.
        right_name: &'static str,
        /// Its length.
        right: usize,
    },

    /// A sample weight that is not finite or is negative.
    #[error("sample_weight[{index}] = {value}: sample weights must be finite and >= 0")]
    InvalidSampleWeight {
        /// Position of the weight.
        index: usize,
        /// The weight.
        value: f64,
    },

    /// Every sample weight is zero: there is nothing to learn from.
    #[error("all {n} sample weights are zero; at least one must be positive")]
    ZeroSampleWeights {
        /// Number of weights.
        n: usize,
    },

    /// A classifier needs at least two classes.
    #[error("training labels contain a single class ({label:?}); at least two are needed")]
    SingleClass {
        /// The only label present.
        label: String,
    },

    /// A label that the model (or a parameter such as class weights or poles) does not know.
    #[error("unknown label {label:?}; known labels are {known:?}")]
    UnknownLabel {
        /// The label that was not recognised.
        label: String,
        /// The labels that are known.
        known: Vec<String>,
    },

    /// After applying min_df / max_df / max_features no feature is left.
    #[error("no features left after vocabulary filtering ({documents} documents, {candidates} candidate features); lower min_df or raise max_df")]
    EmptyVocabulary {
        /// Number of training documents.
        documents: usize,
        /// Number of distinct n-grams before filtering.
        candidates: usize,
    },

    /// A text is larger than the documented cap.
    #[error("text {index} is {bytes} bytes, above the limit of {limit} bytes")]
    TextTooLarge {
        /// Position of the text in its batch.
        index: usize,
        /// Its size in bytes.
        bytes: usize,
        /// The limit.
        limit: usize,
    },

    /// A model that was not fitted for the requested operation (for instance a transform asked
    /// of a featurizer that has never seen data).
    #[error("dimension mismatch: {what} has {found} but {expected} were expected")]
    DimensionMismatch {
        /// What was measured.
        what: &'static str,
        /// What the model expects.
        expected: usize,
        /// What was found.
        found: usize,
    },

    /// The dense weight matrix of a training problem would exceed the configured limit
    /// (`LogisticParams::max_weight_bytes`). Raised before anything of that size is allocated.
    #[error("training {classes} classes × {features} features needs a {weight_bytes}-byte weight matrix (about {training_bytes} bytes while training), above the limit of {limit} bytes (LogisticParams::max_weight_bytes); use fewer classes or features (max_features, hashing bits) or raise the limit")]
    TooLargeToTrain {
        /// Number of classes.
        classes: usize,
        /// Number of feature columns.
        features: usize,
        /// Bytes of the weight matrix.
        weight_bytes: u64,
        /// Estimated bytes while training (the solver keeps several vectors of that size).
        training_bytes: u64,
        /// The limit in force.
        limit: u64,
    },

    /// A progress callback asked training to stop (see [`crate::progress`]). Nothing was
    /// returned half-trained.
    #[error("training was cancelled by its progress callback during {stage}")]
    Cancelled {
        /// The stage it stopped in: `featurization`, `solver`, `cross-validation` or
        /// `calibration`.
        stage: &'static str,
    },

    /// The solver failed (for example a non-finite objective).
    #[error("optimizer failed: {0}")]
    Optimizer(String),

    /// Reading or writing a file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A malformed line in a labelled TSV file.
    #[error("{path}:{line}: {reason}")]
    Tsv {
        /// The file.
        path: PathBuf,
        /// One-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },

    /// A model file is not valid (see [`FormatError`]).
    #[error("invalid model file: {0}")]
    Format(#[from] FormatError),

    /// A date that could not be read (see [`crate::timeline::parse_date`]).
    #[error("invalid date {input:?}: {reason}")]
    InvalidDate {
        /// The text that was given.
        input: String,
        /// What is wrong with it and which forms are accepted.
        reason: String,
    },

    /// A passage score or label handed to [`crate::timeline::timeline`] that cannot be used: a
    /// score that is not finite or outside [-1, 1], or a class index out of range.
    #[error("document {document}, passage {passage}: {reason}")]
    InvalidPassage {
        /// Index of the document in the input.
        document: usize,
        /// Index of the passage in the document.
        passage: usize,
        /// What is wrong (with the value).
        reason: String,
    },

    /// An error reported by linfa.
    #[error("linfa: {0}")]
    Linfa(String),
}

impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Self {
        Error::Linfa(e.to_string())
    }
}

impl Error {
    pub(crate) fn param(name: &'static str, value: impl std::fmt::Debug, reason: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name,
            value: format!("{value:?}"),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Why a model file was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The file is larger than the loader accepts.
    #[error("file is {size} bytes, above the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// The bytes are not JSON of the expected shape (includes truncation and wrong types).
    #[error("not a hawkdove model file: {0}")]
    Json(String),
    /// The file is of a format version this build cannot read.
    #[error("model format version {found} is not supported (this build reads version {supported}); it was written by hawkdove {writer}")]
    UnsupportedVersion {
        /// Version in the file.
        found: u64,
        /// Version this build reads.
        supported: u64,
        /// Crate version recorded in the file.
        writer: String,
    },
    /// Two parts of the file disagree on a size.
    #[error("inconsistent dimensions: {what} is {found}, expected {expected}")]
    Inconsistent {
        /// What disagrees.
        what: String,
        /// Expected size.
        expected: usize,
        /// Size found.
        found: usize,
    },
    /// A value is out of its valid range (non-finite weight, index out of range, bad label…).
    #[error("invalid value in {field}: {reason}")]
    InvalidValue {
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
}
