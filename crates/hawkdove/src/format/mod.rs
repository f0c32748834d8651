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
//! Floats are written with serde_json's `float_roundtrip`, so a save/load round trip is exact.
//!
//! Loading never trusts the file: its size is capped before reading ([`MAX_MODEL_BYTES`]),
//! the format version is read and checked before the body is interpreted, and every size,
//! index, label and number is validated. JSON arrays carry no declared lengths, so nothing is
//! ever allocated from a number written in the file; memory stays proportional to the bytes
//! read. Loading only parses data: nothing in a model file is ever executed.

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, FormatError, Result};
use crate::features::{FeatureSpace, Featurizer, FeaturizerConfig, FittedSpace, Vocabulary};
use crate::model::LinearModel;
use crate::score::{Model, ModelParams, Poles};

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

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
}

#[derive(Serialize, Deserialize)]
struct ModelFile {
    format_version: u64,
    hawkdove_version: String,
    classes: Vec<String>,
    poles: Poles,
    featurizer: FeaturizerConfig,
    vocabulary: Option<VocabularyFile>,
    idf: Option<Vec<f32>>,
    weights: Vec<Vec<f64>>,
    intercepts: Vec<f64>,
    temperature: f64,
    training: Option<TrainingInfo>,
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

impl Model {
    /// Serialize to the model-file JSON bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Write the model file to `writer`.
    pub fn write_to<W: Write>(&self, writer: W) -> Result<()> {
        let vocabulary = match self.featurizer.space() {
            FittedSpace::Vocabulary(v) => Some(VocabularyFile {
                words: v.word_names().to_vec(),
                chars: v.char_names().to_vec(),
            }),
            FittedSpace::Hashing { .. } => None,
        };
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
            weights: self.linear.weights().to_vec(),
            intercepts: self.linear.intercepts().to_vec(),
            temperature: self.temperature,
            training: Some(TrainingInfo {
                n_documents: self.n_train,
                params: self.params.clone(),
            }),
        };
        serde_json::to_writer(writer, &file)
            .map_err(|e| Error::Format(FormatError::Json(e.to_string())))
    }

    /// Save to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = self.to_bytes()?;
        std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
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
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(FormatError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_MODEL_BYTES,
            }
            .into());
        }
        let json_err = |e: serde_json::Error| Error::Format(FormatError::Json(e.to_string()));
        let header: Header = serde_json::from_slice(bytes).map_err(json_err)?;
        let writer = header
            .hawkdove_version
            .as_str()
            .unwrap_or("unknown")
            .to_string();
        match header.format_version.as_u64() {
            Some(FORMAT_VERSION) => {}
            Some(found) => {
                return Err(FormatError::UnsupportedVersion {
                    found,
                    supported: FORMAT_VERSION,
                    writer,
                }
                .into())
            }
            None => return Err(invalid("format_version", "must be a non-negative integer")),
        }
        let file: ModelFile = serde_json::from_slice(bytes).map_err(json_err)?;
        build(file)
    }
}

fn build(file: ModelFile) -> Result<Model> {
    let k = file.classes.len();
    if k < 2 {
        return Err(invalid(
            "classes",
            format!("need at least 2 classes, found {k}"),
        ));
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
    file.featurizer
        .validate()
        .map_err(|e| invalid("featurizer", e.to_string()))?;
    let space = match (&file.featurizer.space, file.vocabulary) {
        (FeatureSpace::Vocabulary { .. }, Some(v)) => {
            FittedSpace::Vocabulary(Vocabulary::from_names(v.words, v.chars, &file.featurizer)?)
        }
        (FeatureSpace::Hashing { bits, seed }, None) => FittedSpace::Hashing {
            bits: *bits,
            seed: *seed,
        },
        (FeatureSpace::Vocabulary { .. }, None) => {
            return Err(invalid("vocabulary", "missing for a vocabulary model"))
        }
        (FeatureSpace::Hashing { .. }, Some(_)) => {
            return Err(invalid("vocabulary", "present in a hashing model"))
        }
    };
    let d = space.n_features();
    if d == 0 {
        return Err(invalid("vocabulary", "no features"));
    }
    match (&file.idf, file.featurizer.idf) {
        (Some(idf), true) => {
            if idf.len() != d {
                return Err(inconsistent("idf length vs features", d, idf.len()));
            }
            if let Some((i, v)) = idf
                .iter()
                .enumerate()
                .find(|(_, v)| !(v.is_finite() && **v > 0.0))
            {
                return Err(invalid(
                    &format!("idf[{i}]"),
                    format!("{v} is not finite and positive"),
                ));
            }
        }
        (None, false) => {}
        (Some(_), false) => return Err(invalid("idf", "present but idf weighting is off")),
        (None, true) => return Err(invalid("idf", "missing but idf weighting is on")),
    }
    let rows = if k == 2 { 1 } else { k };
    if file.weights.len() != rows {
        return Err(inconsistent(
            "weight rows vs classes",
            rows,
            file.weights.len(),
        ));
    }
    if file.intercepts.len() != rows {
        return Err(inconsistent(
            "intercepts vs classes",
            rows,
            file.intercepts.len(),
        ));
    }
    for (r, row) in file.weights.iter().enumerate() {
        if row.len() != d {
            return Err(inconsistent(
                &format!("weights[{r}] length vs features"),
                d,
                row.len(),
            ));
        }
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(invalid(&format!("weights[{r}][{j}]"), "not finite"));
        }
    }
    if let Some(j) = file.intercepts.iter().position(|v| !v.is_finite()) {
        return Err(invalid(&format!("intercepts[{j}]"), "not finite"));
    }
    if !(file.temperature.is_finite() && file.temperature > 0.0) {
        return Err(invalid(
            "temperature",
            format!("{} is not finite and positive", file.temperature),
        ));
    }
    let featurizer = Featurizer::from_parts(file.featurizer, space, file.idf)?;
    let linear = LinearModel::from_parts(file.classes, file.weights, file.intercepts, d)?;
    let (n_train, params) = file
        .training
        .map_or((0, None), |t| (t.n_documents, t.params));
    Ok(Model {
        featurizer,
        linear,
        temperature: file.temperature,
        poles: (neg, pos),
        params,
        n_train,
    })
}

#[cfg(test)]
mod tests;
