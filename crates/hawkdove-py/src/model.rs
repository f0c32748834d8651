//! `hawkdove._hawkdove.Model`: a trained classifier.

use std::ops::Range;
use std::path::PathBuf;

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use hawkdove::document::DocumentOptions;
use hawkdove::explain::{Explanation, FeatureWeight};
use hawkdove::features::Scratch;
use hawkdove::{BatchPredictions, Model, ModelParams};

use crate::errors::{invalid, IntoPyResult};
use crate::featurizer::{transform_py, Csr};
use crate::pools::{resolve_threads, run_chunked, run_detached};
use crate::{params, texts};

/// Columns of a batch prediction: class index, probabilities (n × classes), score, number of
/// features, whether the text was cut at the token cap.
type Predictions<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<bool>>,
    Option<Vec<Option<String>>>,
);

/// A feature weight as `(name, column, weight)`.
type Weight = (String, usize, f64);

/// A trained hawkdove text classifier (featurizer, linear model, calibration, poles).
#[pyclass(module = "hawkdove._hawkdove", name = "Model", frozen)]
pub struct PyModel {
    pub(crate) inner: Model,
}

fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn weights(list: Vec<FeatureWeight>) -> Vec<Weight> {
    list.into_iter().map(|w| (w.name, w.column, w.weight)).collect()
}

/// Byte offsets of `text` to `str` (code point) offsets.
pub(crate) struct CharOffsets(Vec<usize>);

impl CharOffsets {
    pub(crate) fn new(text: &str) -> Self {
        let mut table = vec![0; text.len() + 1];
        let mut chars = 0;
        for (b, c) in text.char_indices() {
            for slot in table.iter_mut().skip(b).take(c.len_utf8()) {
                *slot = chars;
            }
            chars += 1;
        }
        if let Some(last) = table.last_mut() {
            *last = chars;
        }
        CharOffsets(table)
    }

    fn at(&self, byte: usize) -> usize {
        self.0.get(byte).or(self.0.last()).copied().unwrap_or_default()
    }

    pub(crate) fn span(&self, r: &Range<usize>) -> Range<usize> {
        self.at(r.start)..self.at(r.end)
    }
}

/// Rewrite every span of an explanation from byte to `str` offsets.
fn char_spans(mut e: Explanation) -> Explanation {
    let offsets = CharOffsets::new(&e.text);
    for f in &mut e.features {
        for s in &mut f.spans {
            *s = offsets.span(s);
        }
    }
    for t in &mut e.tokens {
        t.span = offsets.span(&t.span);
    }
    e
}

#[pymethods]
impl PyModel {
    /// Train on `texts` and `labels` (batches of str) with `params` (JSON of ModelParams).
    #[staticmethod]
    #[pyo3(signature = (texts, labels, params=None, *, n_jobs=None))]
    fn train(
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        params: Option<&str>,
        n_jobs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let params: ModelParams = params::parse(py, params, "params")?;
        let threads = resolve_threads(n_jobs)?;
        let texts = texts::batch(texts, "texts")?;
        let labels = texts::batch(labels, "labels")?;
        let model = run_detached(py, threads, || Model::train(&texts, &labels, &params))?;
        Ok(PyModel {
            inner: model.py_err(py)?,
        })
    }

    /// A model bundled with hawkdove: `"stance"` (conciliatory / neutral / hard-line) or
    /// `"sentiment"` (negative / neutral / positive).
    #[staticmethod]
    fn bundled(py: Python<'_>, name: &str) -> PyResult<Self> {
        let model = match name {
            "stance" => py.detach(Model::bundled_stance),
            "sentiment" => py.detach(Model::bundled_sentiment),
            other => {
                return Err(invalid(
                    py,
                    "name",
                    &format!("{other:?}"),
                    "the bundled models are \"stance\" and \"sentiment\"",
                ))
            }
        };
        Ok(PyModel {
            inner: model.py_err(py)?,
        })
    }

    /// Read a model from the bytes of a model file.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let model = py.detach(|| Model::from_bytes(data)).py_err(py)?;
        Ok(PyModel { inner: model })
    }

    /// Read a model file.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let model = py.detach(|| Model::load(&path)).py_err(py)?;
        Ok(PyModel { inner: model })
    }

    /// The model file's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py.detach(|| self.inner.to_bytes()).py_err(py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Write the model file.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.inner.save(&path)).py_err(py)
    }

    /// Pickle through the versioned model file.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let from_bytes = py.get_type::<PyModel>().getattr("from_bytes")?;
        Ok((from_bytes, (slf.get().to_bytes(py)?,)))
    }

    /// Class labels, sorted.
    #[getter]
    fn classes(&self) -> Vec<String> {
        self.inner.classes().to_vec()
    }

    /// The score's poles `(negative, positive)`.
    #[getter]
    fn poles(&self) -> (String, String) {
        let (neg, pos) = self.inner.poles();
        (neg.to_string(), pos.to_string())
    }

    /// Indices of the poles in `classes`.
    #[getter]
    fn pole_indices(&self) -> (usize, usize) {
        self.inner.pole_indices()
    }

    /// The calibration temperature (1.0 when uncalibrated).
    #[getter]
    fn temperature(&self) -> f64 {
        self.inner.temperature()
    }

    /// Number of feature columns.
    #[getter]
    fn n_features(&self) -> usize {
        self.inner.featurizer().n_features()
    }

    /// Number of training documents.
    #[getter]
    fn n_train(&self) -> usize {
        self.inner.n_train()
    }

    /// The training parameters as JSON, when the file records them.
    fn params(&self) -> PyResult<Option<String>> {
        self.inner.params().map(params::to_json).transpose()
    }

    /// Weight rows as stored (one row, for the second class, with two classes; else one per
    /// class), untempered: float64 holding float32 values, which scoring reads exactly.
    fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let w = self.inner.linear().weights();
        PyArray2::from_vec2(py, w).map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("ragged weights: {e}")))
    }

    /// Intercepts, one per weight row, untempered.
    fn intercepts<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.inner.linear().intercepts())
    }

    /// Feature names in column order, or None in hashing mode.
    fn feature_names(&self) -> Option<Vec<String>> {
        self.inner.featurizer().feature_names()
    }

    /// Predict a batch: `(class_index, probabilities, score, n_features, truncated)` arrays, in
    /// input order, then the reason the model abstained on each text (`None` where it did not),
    /// or `None` for a model that never abstains.
    #[pyo3(signature = (texts, *, n_jobs=None))]
    fn predict_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        n_jobs: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Predictions<'py>> {
        let threads = resolve_threads(n_jobs)?;
        let texts = texts::batch(texts, "texts")?;
        // Below 64 texts, all on the calling thread (as the core's `predict_batch` does);
        // otherwise chunks small enough that a helper thread starting late still takes its share.
        let chunk = match texts.len() {
            n if n < 64 => n,
            n => (n / (threads * 8)).clamp(1, 64),
        };
        let parts = run_chunked(py, threads, texts.len(), chunk, |r, scratch: &mut Scratch| {
            self.inner
                .predict_columns_with(texts.get(r).unwrap_or_default(), scratch)
        })?;
        let batch = BatchPredictions::concat(parts);
        let (n, k) = (batch.len(), batch.n_classes);
        let proba = Array2::from_shape_vec((n, k), batch.probabilities)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("probability shape: {e}")))?;
        let to_i64 = |v: Vec<usize>| -> Vec<i64> { v.into_iter().map(as_i64).collect() };
        Ok((
            to_i64(batch.class_index).into_pyarray(py),
            proba.into_pyarray(py),
            batch.scores.into_pyarray(py),
            to_i64(batch.n_features).into_pyarray(py),
            batch.truncated.into_pyarray(py),
            (!self.inner.abstain_policy().is_off()).then(|| {
                batch
                    .abstained
                    .iter()
                    .map(|a| a.as_ref().map(|a| a.to_string()))
                    .collect()
            }),
        ))
    }

    /// Featurize a batch with the model's featurizer: CSR `(indptr, indices, data, shape)`.
    #[pyo3(signature = (texts, *, n_jobs=None))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        n_jobs: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Csr<'py>> {
        transform_py(py, self.inner.featurizer(), texts, n_jobs)
    }

    /// Explain one passage: the explanation as JSON, with spans in `str` offsets.
    fn explain(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<String> {
        let text = texts::one(text, "text", None)?;
        let e = run_detached(py, 1, || char_spans(self.inner.explain(&text)))?;
        params::to_json(&e)
    }

    /// Segment a document into passages, score each and aggregate, with `options` (JSON of
    /// DocumentOptions): the DocumentScore as JSON, with spans in `str` offsets.
    #[pyo3(signature = (text, options=None, *, n_jobs=None))]
    fn score_document(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        options: Option<&str>,
        n_jobs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let options: DocumentOptions = params::parse(py, options, "options")?;
        let threads = resolve_threads(n_jobs)?;
        let text = texts::one(text, "text", None)?;
        let doc = run_detached(py, threads, || {
            self.inner.score_document(&text, &options).map(|mut doc| {
                let offsets = CharOffsets::new(&text);
                for p in &mut doc.passages {
                    p.segment.span = offsets.span(&p.segment.span);
                }
                doc
            })
        })?;
        params::to_json(&doc.py_err(py)?)
    }

    /// The `n` largest weights of each class: `[(class, [(name, column, weight), ...]), ...]`.
    fn top_features(&self, py: Python<'_>, n: usize) -> PyResult<Vec<(String, Vec<Weight>)>> {
        let top = run_detached(py, 1, || self.inner.top_features(n))?;
        Ok(top.into_iter().map(|(c, w)| (c, weights(w))).collect())
    }

    /// The `n` features pushing hardest toward each pole: `(negative, positive)`.
    fn top_pole_features(&self, py: Python<'_>, n: usize) -> PyResult<(Vec<Weight>, Vec<Weight>)> {
        let (neg, pos) = run_detached(py, 1, || self.inner.top_pole_features(n))?;
        Ok((weights(neg), weights(pos)))
    }

    fn __repr__(&self) -> String {
        let (neg, pos) = self.inner.poles();
        format!(
            "Model(classes={:?}, poles=({neg:?}, {pos:?}), n_features={})",
            self.inner.classes(),
            self.inner.featurizer().n_features()
        )
    }
}
