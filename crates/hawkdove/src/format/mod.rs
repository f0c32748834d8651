//! The model file: one versioned JSON document.
//!
//! ```json
//! { "format_version": 1, "hawkdove_version": "0.1.0",
//!   "classes": [...], "poles": {"negative": ..., "positive": ...},
//!   "featurizer": {...config...}, "vocabulary": {"words": [...], "chars": [...]} | null,
//!   "idf": [...] | null, "weights": [[...]], "intercepts": [...], "temperature": 1.0,
//!   "training": {...} | null }
//! ```
//!
//! The same bytes serve [`Model::save`]/[`Model::load`], Python pickling and the bundled models.
//! Floats are read back with serde_json's `float_roundtrip` (correctly rounded), so a save/load
//! round trip is exact. The weights and idf values are `f32`s, written in `f32`'s shortest form.
//!
//! Loading never trusts the file: its size is capped before reading ([`MAX_MODEL_BYTES`]),
//! the format version is checked before anything in the body is used, and every size,
//! index, label and number is validated. JSON arrays carry no declared lengths, so nothing is
//! ever allocated from a number written in the file; memory stays proportional to the bytes
//! read. Loading only parses data: nothing in a model file is ever executed.

mod malformed;

pub use malformed::{malformed_model_files, MalformedFile};

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, FormatError, Result};
use crate::features::{FeatureSpace, Featurizer, FeaturizerConfig, FittedSpace, Vocabulary};
use crate::model::LinearModel;
use crate::score::{AbstainPolicy, Model, ModelParams, Poles};

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// Largest idf value a model file may hold. Fitted smooth idf is `1 + ln((1 + n) / (1 + df))`,
/// below 30 for any corpus that fits a computer; a larger value in a file could only make
/// `tf × idf` overflow `f32` (an idf near `f32::MAX` used to make every probability NaN).
pub const MAX_IDF: f32 = 1e6;

/// Smallest calibration temperature a model file may hold (fitted ones are in [e⁻⁴, e⁴]).
pub const MIN_TEMPERATURE: f64 = 1e-6;

/// An upper bound on `Σ_j tf_j` over one text's features before idf, whatever the text:
/// 250,000 tokens ([`crate::text::MAX_TOKENS_PER_TEXT`]) times at most about 1,300 features
/// each (4 word n-gram orders, ≤ 102 × 10 character n-grams, lexicon matches), rounded up.
const MAX_ROW_MASS: f64 = 1e9;

/// Largest logit magnitude a loaded model may be able to produce (finite with room to spare:
/// softmax subtracts two of them).
const MAX_LOGIT: f64 = 1e300;

/// Largest model file accepted by the loaders (1 GiB).
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

#[derive(Deserialize)]
struct Header {
    format_version: serde_json::Value,
    #[serde(default)]
    hawkdove_version: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
struct VocabularyFile {
    words: Vec<String>,
    #[serde(default)]
    chars: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct TrainingInfo {
    n_documents: usize,
    params: Option<ModelParams>,
    /// Self-tuning's report; absent in files of models trained with fixed settings, and in
    /// files written before self-tuning existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tuning: Option<crate::tune::TuneReport>,
}

/// A featurizer on its own (same versioning; `kind` tells it apart from a model file).
#[derive(Serialize, Deserialize)]
struct FeaturizerFile {
    format_version: u64,
    hawkdove_version: String,
    kind: String,
    featurizer: FeaturizerConfig,
    vocabulary: Option<VocabularyFile>,
    idf: Option<Vec<f32>>,
}

const FEATURIZER_KIND: &str = "featurizer";

#[derive(Serialize, Deserialize)]
struct ModelFile {
    format_version: u64,
    hawkdove_version: String,
    classes: Vec<String>,
    poles: Poles,
    featurizer: FeaturizerConfig,
    vocabulary: Option<VocabularyFile>,
    idf: Option<Vec<f32>>,
    /// `f32`, the precision the model keeps (`stored_weight`): written in `f32`'s shortest form
    /// and read with `f32`'s own correctly rounded parsing (reading `f32` text as `f64`, then
    /// rounding, gives the wrong neighbour for ±7.038531e-26; see the format tests).
    weights: Vec<Vec<f32>>,
    intercepts: Vec<f64>,
    temperature: f64,
    training: Option<TrainingInfo>,
    /// When the model declines to label a passage; absent means never (files written before
    /// the policy existed, and models trained without one).
    #[serde(default, skip_serializing_if = "AbstainPolicy::is_off")]
    abstain: AbstainPolicy,
}

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::Format(FormatError::InvalidValue {
        field: field.to_string(),
        reason: reason.into(),
    })
}

fn inconsistent(what: &str, expected: usize, found: usize) -> Error {
    Error::Format(FormatError::Inconsistent {
        what: what.to_string(),
        expected,
        found,
    })
}

fn vocabulary_file(f: &Featurizer) -> Option<VocabularyFile> {
    match f.space() {
        FittedSpace::Vocabulary(v) => Some(VocabularyFile {
            words: v.word_names().to_vec(),
            chars: v.char_names().to_vec(),
        }),
        FittedSpace::Hashing { .. } => None,
    }
}

fn check_size(len: usize) -> Result<()> {
    if len as u64 > MAX_MODEL_BYTES {
        return Err(FormatError::TooLarge {
            size: len as u64,
            limit: MAX_MODEL_BYTES,
        }
        .into());
    }
    Ok(())
}

fn json_error(e: serde_json::Error) -> Error {
    Error::Format(FormatError::Json(e.to_string()))
}

/// Read and check the header: `Ok(())` when the version is the one this build reads.
fn check_header(bytes: &[u8]) -> Result<()> {
    let header: Header = serde_json::from_slice(bytes).map_err(json_error)?;
    let writer = header.hawkdove_version.as_str().unwrap_or("unknown").to_string();
    match header.format_version.as_u64() {
        Some(FORMAT_VERSION) => Ok(()),
        Some(found) => Err(FormatError::UnsupportedVersion {
            found,
            supported: FORMAT_VERSION,
            writer,
        }
        .into()),
        None => Err(invalid("format_version", "must be a non-negative integer")),
    }
}

/// How many elements a JSON array has, counted without keeping any (pass one of loading).
#[derive(Default, Clone, Copy)]
struct Count(usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Count, A::Error> {
                let mut n = 0;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
        }
        d.deserialize_seq(V)
    }
}

/// The shape of a weight matrix: number of rows and the shortest and longest row, counted
/// without keeping any value.
#[derive(Default, Clone, Copy)]
struct RowShape {
    rows: usize,
    min: usize,
    max: usize,
}

impl<'de> Deserialize<'de> for RowShape {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RowShape;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of arrays")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<RowShape, A::Error> {
                let mut shape = RowShape {
                    rows: 0,
                    min: usize::MAX,
                    max: 0,
                };
                while let Some(Count(n)) = seq.next_element::<Count>()? {
                    shape.rows += 1;
                    shape.min = shape.min.min(n);
                    shape.max = shape.max.max(n);
                }
                Ok(shape)
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(Deserialize)]
struct VocabularyShape {
    #[serde(default)]
    words: Count,
    #[serde(default)]
    chars: Count,
}

/// Pass one of loading a model (or featurizer) file: the sizes of its large arrays, counted in
/// constant memory (everything else is skipped unread).
#[derive(Deserialize)]
struct ModelShape {
    #[serde(default)]
    format_version: Option<u64>,
    #[serde(default)]
    classes: Count,
    #[serde(default)]
    vocabulary: Option<VocabularyShape>,
    #[serde(default)]
    idf: Option<Count>,
    #[serde(default)]
    weights: RowShape,
    #[serde(default)]
    intercepts: Count,
}

/// Most feature columns a lexicon can add: two per pole, one pole per entry at most.
const MAX_LEXICON_COLUMNS: usize = 2 * crate::text::MAX_LIST_ENTRIES;

/// Check a model file's array sizes against each other before anything of their size is
/// built: weight rows against classes, every row's length against the vocabulary and idf. A
/// file that does not parse here is left to the full parse, which says why.
fn check_shape(bytes: &[u8]) -> Result<()> {
    let Ok(shape) = serde_json::from_slice::<ModelShape>(bytes) else {
        return Ok(());
    };
    if shape.format_version != Some(FORMAT_VERSION) {
        return Ok(());
    }
    let k = shape.classes.0;
    if k >= 2 {
        let rows = if k == 2 { 1 } else { k };
        if shape.weights.rows != rows {
            return Err(inconsistent("weight rows vs classes", rows, shape.weights.rows));
        }
        if shape.intercepts.0 != rows {
            return Err(inconsistent("intercepts vs classes", rows, shape.intercepts.0));
        }
    }
    // The number of feature columns: every weight row's length, else (a featurizer file) the
    // idf's.
    let d = if shape.weights.rows > 0 {
        let (min, max) = (shape.weights.min, shape.weights.max);
        if min != max {
            return Err(inconsistent("weight row lengths", max, min));
        }
        max
    } else if let Some(Count(n)) = shape.idf {
        n
    } else {
        return Ok(());
    };
    match &shape.vocabulary {
        Some(v) => {
            let named = v.words.0.saturating_add(v.chars.0);
            if named > d || d - named > MAX_LEXICON_COLUMNS {
                return Err(inconsistent("vocabulary size vs weights per class", d, named));
            }
        }
        None => {
            let most = (1usize << crate::features::MAX_HASH_BITS) + MAX_LEXICON_COLUMNS;
            if d > most {
                return Err(inconsistent("weights per class vs the largest hashing space", most, d));
            }
        }
    }
    if let Some(Count(n)) = shape.idf {
        if n != d {
            return Err(inconsistent("idf length vs weights per class", d, n));
        }
    }
    Ok(())
}

/// Parse `bytes` as a file of this build's format version. The body is parsed once; only when it
/// does not parse, or holds another version, is the header read on its own, so that a newer
/// writer's file gets `UnsupportedVersion` and a corrupt one its JSON error (reading the header
/// first, as before, cost a second pass over the whole file).
fn parse_versioned<T: serde::de::DeserializeOwned>(bytes: &[u8], version: impl Fn(&T) -> u64) -> Result<T> {
    let parsed = serde_json::from_slice::<T>(bytes);
    if let Ok(file) = &parsed {
        if version(file) == FORMAT_VERSION {
            return parsed.map_err(json_error);
        }
    }
    check_header(bytes)?;
    match parsed {
        Ok(file) => Err(invalid(
            "format_version",
            format!("{} is not {FORMAT_VERSION}", version(&file)),
        )),
        Err(e) => Err(json_error(e)),
    }
}

impl Featurizer {
    /// Serialize a fitted featurizer (configuration, vocabulary or hashing settings, idf) in
    /// the versioned format, marked `"kind": "featurizer"`.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let file = FeaturizerFile {
            format_version: FORMAT_VERSION,
            hawkdove_version: env!("CARGO_PKG_VERSION").to_string(),
            kind: FEATURIZER_KIND.to_string(),
            featurizer: self.config().clone(),
            vocabulary: vocabulary_file(self),
            idf: self.idf().map(<[f32]>::to_vec),
        };
        serde_json::to_vec(&file).map_err(json_error)
    }

    /// Save to `path` atomically, as [`Model::save`] does: a temporary file in the same
    /// directory, flushed and renamed over `path`; on any failure `path` is left as it was.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let bytes = self.to_bytes()?;
        atomic_write(path.as_ref(), |w| {
            w.write_all(&bytes).map_err(|e| Error::io("<writer>", e))
        })
    }

    /// Load a featurizer written by [`Featurizer::to_bytes`], validating it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Featurizer> {
        check_size(bytes.len())?;
        check_shape(bytes)?;
        let file = parse_versioned(bytes, |f: &FeaturizerFile| f.format_version)?;
        if file.kind != FEATURIZER_KIND {
            return Err(invalid("kind", format!("{:?} is not a featurizer", file.kind)));
        }
        build_featurizer(file.featurizer, file.vocabulary, file.idf)
    }
}

fn build_featurizer(
    config: FeaturizerConfig,
    vocabulary: Option<VocabularyFile>,
    idf: Option<Vec<f32>>,
) -> Result<Featurizer> {
    config.validate().map_err(|e| invalid("featurizer", e.to_string()))?;
    let space = match (&config.space, vocabulary) {
        (FeatureSpace::Vocabulary { .. }, Some(v)) => {
            FittedSpace::Vocabulary(Vocabulary::from_names(v.words, v.chars, &config)?)
        }
        (FeatureSpace::Hashing { bits, seed }, None) => FittedSpace::Hashing {
            bits: *bits,
            seed: *seed,
        },
        (FeatureSpace::Vocabulary { .. }, None) => return Err(invalid("vocabulary", "missing for a vocabulary model")),
        (FeatureSpace::Hashing { .. }, Some(_)) => return Err(invalid("vocabulary", "present in a hashing model")),
    };
    let d = space.n_features() + crate::features::lexicon_columns(&config);
    if d == 0 {
        return Err(invalid("vocabulary", "no features"));
    }
    match (&idf, config.idf) {
        (Some(v), true) => {
            if v.len() != d {
                return Err(inconsistent("idf length vs features", d, v.len()));
            }
            if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !(x.is_finite() && **x > 0.0)) {
                return Err(invalid(&format!("idf[{i}]"), format!("{x} is not finite and positive")));
            }
            if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| **x > MAX_IDF) {
                return Err(invalid(
                    &format!("idf[{i}]"),
                    format!("{x} is above {MAX_IDF} (tf × idf would overflow)"),
                ));
            }
        }
        (None, false) => {}
        (Some(_), false) => return Err(invalid("idf", "present but idf weighting is off")),
        (None, true) => return Err(invalid("idf", "missing but idf weighting is on")),
    }
    Featurizer::from_parts(config, space, idf)
}

impl Model {
    /// Serialize to the model-file JSON bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Write the model file to `writer`.
    pub fn write_to<W: Write>(&self, writer: W) -> Result<()> {
        let vocabulary = vocabulary_file(&self.featurizer);
        let (neg, pos) = self.poles();
        let file = ModelFile {
            format_version: FORMAT_VERSION,
            hawkdove_version: env!("CARGO_PKG_VERSION").to_string(),
            classes: self.classes().to_vec(),
            poles: Poles {
                negative: neg.to_string(),
                positive: pos.to_string(),
            },
            featurizer: self.featurizer.config().clone(),
            vocabulary,
            idf: self.featurizer.idf().map(<[f32]>::to_vec),
            // Exact: every weight is an f32 value (stored_weight).
            weights: self
                .linear
                .weights()
                .iter()
                .map(|r| r.iter().map(|&w| w as f32).collect())
                .collect(),
            intercepts: self.linear.intercepts().to_vec(),
            temperature: self.temperature,
            training: Some(TrainingInfo {
                n_documents: self.n_train,
                params: self.params.clone(),
                tuning: self.tuning.clone(),
            }),
            abstain: self.abstain.clone(),
        };
        serde_json::to_writer(writer, &file).map_err(|e| match e.is_io() {
            true => Error::io("<writer>", std::io::Error::from(e)),
            false => Error::Format(FormatError::Json(e.to_string())),
        })
    }

    /// Save to `path`, atomically: the file is written to a temporary file in the same
    /// directory (`.NAME.tmp-PID-N`), flushed to disk (`fsync`) and renamed over `path`. If
    /// anything fails (a full disk, a file-size limit, a write error) the temporary file is
    /// removed and `path` is left as it was: an existing model there stays whole and loadable;
    /// no partial file is ever seen at `path`.
    ///
    /// **Symlinks:** if `path` is a symbolic link, the link itself is replaced by the new file;
    /// the file it pointed to is not modified (saving never writes outside the path it is
    /// given). A new file gets the permissions of the regular file it replaces, if any.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        atomic_write(path, |w| self.write_to(w))
    }

    /// Load from `path` (at most [`MAX_MODEL_BYTES`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Model> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if size > MAX_MODEL_BYTES {
            return Err(FormatError::TooLarge {
                size,
                limit: MAX_MODEL_BYTES,
            }
            .into());
        }
        Self::from_reader(file).map_err(|e| match e {
            Error::Io { source, .. } => Error::io(path, source),
            other => other,
        })
    }

    /// Load from a reader (at most [`MAX_MODEL_BYTES`] are read).
    pub fn from_reader<R: Read>(reader: R) -> Result<Model> {
        let mut bytes = Vec::new();
        reader
            .take(MAX_MODEL_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<reader>", e))?;
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(FormatError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_MODEL_BYTES,
            }
            .into());
        }
        Self::from_bytes(&bytes)
    }

    /// Load from model-file bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        check_size(bytes.len())?;
        // Pass one, in constant memory: array sizes checked against each other before pass
        // two builds anything of their size (a 64 MB file of vocabulary used 2 GB before it
        // was refused for its few weights).
        check_shape(bytes)?;
        let file = parse_versioned(bytes, |f: &ModelFile| f.format_version)?;
        build(file)
    }
}

fn build(file: ModelFile) -> Result<Model> {
    let k = file.classes.len();
    if k < 2 {
        return Err(invalid("classes", format!("need at least 2 classes, found {k}")));
    }
    if file.classes.windows(2).any(|w| w[0] >= w[1]) {
        return Err(invalid("classes", "must be sorted and distinct"));
    }
    let pos_of = |label: &str, field: &str| {
        file.classes
            .iter()
            .position(|c| c == label)
            .ok_or_else(|| invalid(field, format!("{label:?} is not one of the classes")))
    };
    let neg = pos_of(&file.poles.negative, "poles.negative")?;
    let pos = pos_of(&file.poles.positive, "poles.positive")?;
    if neg == pos {
        return Err(invalid("poles", "the two poles must differ"));
    }
    let featurizer = build_featurizer(file.featurizer, file.vocabulary, file.idf)?;
    let d = featurizer.n_features();
    let rows = if k == 2 { 1 } else { k };
    if file.weights.len() != rows {
        return Err(inconsistent("weight rows vs classes", rows, file.weights.len()));
    }
    if file.intercepts.len() != rows {
        return Err(inconsistent("intercepts vs classes", rows, file.intercepts.len()));
    }
    for (r, row) in file.weights.iter().enumerate() {
        if row.len() != d {
            return Err(inconsistent(&format!("weights[{r}] length vs features"), d, row.len()));
        }
    }
    if let Some(j) = file.intercepts.iter().position(|v| !v.is_finite()) {
        return Err(invalid(&format!("intercepts[{j}]"), "not finite"));
    }
    if !(file.temperature.is_finite() && file.temperature >= MIN_TEMPERATURE) {
        return Err(invalid(
            "temperature",
            format!("{} is not finite and at least {MIN_TEMPERATURE}", file.temperature),
        ));
    }
    // The largest logit any text could give: |b| + max|w| · Σ|x|, over the temperature. Each
    // value x is tf × idf (at most 1 once normalized), so Σ|x| ≤ MAX_ROW_MASS · max idf.
    let max_idf = featurizer
        .idf()
        .map_or(1.0, |v| v.iter().fold(1.0f64, |m, &x| m.max(f64::from(x))));
    let max_w = file
        .weights
        .iter()
        .flatten()
        .fold(0.0f64, |m, &w| m.max(f64::from(w).abs()));
    let max_b = file.intercepts.iter().fold(0.0f64, |m, &b| m.max(b.abs()));
    let bound = (max_b + max_w * MAX_ROW_MASS * max_idf) / file.temperature;
    if bound.is_nan() || bound > MAX_LOGIT {
        return Err(invalid(
            "intercepts, weights, idf and temperature",
            format!(
                "a text could reach a logit of {bound:e} (|intercept| ≤ {max_b:e}, |weight| ≤ {max_w:e}, idf ≤ {max_idf:e}, temperature {}); at most {MAX_LOGIT:e} keeps every score finite",
                file.temperature
            ),
        ));
    }
    // A weight beyond f32's range never gets here: serde_json refuses it ("number out of range").
    let weights = file
        .weights
        .into_iter()
        .map(|r| r.into_iter().map(f64::from).collect())
        .collect();
    let linear = LinearModel::from_parts(file.classes, weights, file.intercepts, d)?;
    let (n_train, params, tuning) = file
        .training
        .map_or((0, None, None), |t| (t.n_documents, t.params, t.tuning));
    Ok(Model {
        featurizer,
        linear,
        temperature: file.temperature,
        poles: (neg, pos),
        params,
        n_train,
        language: file
            .abstain
            .check()
            .map_err(|e| invalid("abstain.language", e.to_string()))?,
        abstain: file.abstain,
        columns: Default::default(),
        tuning,
    })
}

/// Write a file at `path` through `write`, atomically (see [`Model::save`]).
pub(crate) fn atomic_write(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        )
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // A regular file being replaced lends its permissions to the new one.
    let permissions = std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.file_type().is_file())
        .map(|m| m.permissions());
    let (tmp, file) = loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".tmp-{}-{n}", std::process::id()));
        let tmp = dir.join(tmp_name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < u64::MAX => continue,
            Err(e) => return Err(Error::io(path, e)),
        }
    };
    let written = (|| {
        let mut out = std::io::BufWriter::new(&file);
        write(&mut out).map_err(|e| match e {
            Error::Io { source, .. } => Error::io(path, source),
            other => other,
        })?;
        out.flush().map_err(|e| Error::io(path, e))?;
        drop(out);
        if let Some(p) = permissions {
            file.set_permissions(p).map_err(|e| Error::io(path, e))?;
        }
        file.sync_all().map_err(|e| Error::io(path, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    })();
    drop(file);
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return written;
    }
    // Make the rename itself durable (best effort: not every platform opens directories).
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests;
