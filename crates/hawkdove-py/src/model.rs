//! `hawkdove._hawkdove.Model`: a trained classifier.

use std::ops::Range;
use std::path::PathBuf;

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use hawkdove::document::{
    passage_weight, passages, DocumentAggregator, DocumentOptions, PassageKind, Segment, DOCUMENT_CHUNK,
};
use hawkdove::explain::{Explanation, FeatureWeight};
use hawkdove::features::Scratch;
use hawkdove::{BatchPredictions, Model, ModelParams};

use crate::errors::{invalid, IntoPyResult};
use crate::featurizer::{transform_py, Csr};
use crate::pools::{resolve_threads, run_chunked, run_detached, run_detached_here, run_training};
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

/// A document's passages as columns: start, end (`str` offsets), paragraph, kind (0 headline,
/// 1 sentence, 2 line), weight, class index, score, probabilities (n × classes), number of
/// features, truncated, and `(passage index, reason)` of the passages the model abstained on.
type DocumentColumns<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<bool>>,
    Vec<(i64, String)>,
);

/// [`DocumentColumns`] while they are filled.
#[derive(Default)]
struct Columns {
    start: Vec<i64>,
    end: Vec<i64>,
    paragraph: Vec<i64>,
    kind: Vec<u8>,
    weight: Vec<f64>,
    class_index: Vec<i64>,
    score: Vec<f64>,
    probabilities: Vec<f64>,
    n_features: Vec<i64>,
    truncated: Vec<bool>,
    /// `(passage index, reason)` of the passages the model abstained on.
    abstained: Vec<(i64, String)>,
}

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
    // The table covers the text up to the last span's end only: at most
    // MAX_TOKENS_PER_TEXT tokens are explained, however long the text is.
    let spans = e
        .features
        .iter()
        .flat_map(|f| f.spans.iter())
        .chain(e.tokens.iter().map(|t| &t.span));
    let last = spans.map(|s| s.end).max().unwrap_or(0);
    let prefix = e.text.get(..last).unwrap_or(&e.text);
    let offsets = CharOffsets::new(prefix);
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
    /// Train on `texts` and `labels` (batches of str) with `params` (JSON of ModelParams) and
    /// optional per-text `sample_weight` (a sequence of floats: finite, non-negative, not all
    /// zero). Ctrl-C is checked about every 0.1 s and stops training within one solver
    /// iteration; `progress`, when given, is called with the JSON of each training event, in
    /// order.
    #[staticmethod]
    #[pyo3(signature = (texts, labels, params=None, *, n_jobs=None, sample_weight=None, progress=None))]
    fn train(
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        params: Option<&str>,
        n_jobs: Option<&Bound<'_, PyAny>>,
        sample_weight: Option<Vec<f64>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let params: ModelParams = params::parse(py, params, "params")?;
        let threads = resolve_threads(n_jobs)?;
        let texts = texts::batch(texts, "texts")?;
        let labels = texts::batch(labels, "labels")?;
        let model = run_training(py, threads, progress, |p| {
            Model::train_weighted_with(&texts, &labels, sample_weight.as_deref(), &params, p)
        })?;
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

    /// What self-tuning tried and chose (the core's `TuneReport`) as JSON, when the model was
    /// trained with it; None for fixed settings.
    fn tuning(&self) -> PyResult<Option<String>> {
        self.inner
            .tuning()
            .map(|t| {
                serde_json::to_string(t)
                    .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("tuning report: {e}")))
            })
            .transpose()
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
    /// DocumentOptions): the summary as JSON (DocumentSummary) and the passages as columns
    /// (`str` offsets). The document is segmented as it is read and scored a chunk of passages
    /// at a time, with Ctrl-C checked between chunks and pieces, and no copy of the passages'
    /// text: memory beyond the text is the columns (about 80 bytes a passage) and one chunk.
    #[pyo3(signature = (text, options=None, *, n_jobs=None))]
    fn score_document<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        options: Option<&str>,
        n_jobs: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(String, DocumentColumns<'py>)> {
        let options: DocumentOptions = params::parse(py, options, "options")?;
        let threads = resolve_threads(n_jobs)?;
        let text = texts::one(text, "text", None)?;
        let mut aggregator = DocumentAggregator::new(&self.inner, &options).py_err(py)?;
        let mut segments = passages(&text, options.segmentation);
        let mut cols = Columns::default();
        // Byte and character offsets of the last passage boundary seen (passages come in
        // order), to turn byte spans into `str` offsets without a table of the whole text.
        let (mut byte, mut chars) = (0usize, 0usize);
        let mut to_chars = |b: usize| {
            chars += text.get(byte..b).map_or(0, |t| t.chars().count());
            byte = b;
            chars
        };
        loop {
            py.check_signals()?;
            let chunk: Vec<Segment> = run_detached_here(py, || segments.by_ref().take(DOCUMENT_CHUNK).collect())?;
            if chunk.is_empty() {
                break;
            }
            let pieces = chunk.len().div_ceil(threads * 8).clamp(1, 64);
            let parts = run_chunked(py, threads, chunk.len(), pieces, |r, scratch: &mut Scratch| {
                let texts: Vec<&str> = chunk
                    .get(r)
                    .unwrap_or_default()
                    .iter()
                    .map(|s| text.get(s.span.clone()).unwrap_or_default())
                    .collect();
                self.inner.predict_columns_with(&texts, scratch)
            })?;
            let batch = BatchPredictions::concat(parts);
            for (i, segment) in chunk.iter().enumerate() {
                let passage = text.get(segment.span.clone()).unwrap_or_default();
                let class_index = batch.class_index.get(i).copied().unwrap_or_default();
                let score = batch.scores.get(i).copied().unwrap_or_default();
                let probabilities = batch.probabilities_of(i);
                let weight = match batch.abstained.get(i).and_then(Option::as_ref) {
                    Some(reason) => {
                        aggregator.add_abstained();
                        cols.abstained.push((as_i64(cols.score.len()), reason.to_string()));
                        0.0
                    }
                    None => {
                        let weight = passage_weight(passage);
                        aggregator.add(weight, class_index, score, probabilities);
                        weight
                    }
                };
                cols.start.push(as_i64(to_chars(segment.span.start)));
                cols.end.push(as_i64(to_chars(segment.span.end)));
                cols.paragraph.push(as_i64(segment.paragraph));
                cols.kind.push(match segment.kind {
                    PassageKind::Headline => 0,
                    PassageKind::Sentence => 1,
                    PassageKind::Line => 2,
                });
                cols.weight.push(weight);
                cols.class_index.push(as_i64(class_index));
                cols.score.push(score);
                cols.probabilities.extend_from_slice(probabilities);
                cols.n_features
                    .push(as_i64(batch.n_features.get(i).copied().unwrap_or_default()));
                cols.truncated.push(batch.truncated.get(i).copied().unwrap_or_default());
            }
        }
        let summary = params::to_json(&aggregator.finish())?;
        let (n, k) = (cols.score.len(), self.inner.classes().len());
        let proba = Array2::from_shape_vec((n, k), cols.probabilities)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("probability shape: {e}")))?;
        Ok((
            summary,
            (
                cols.start.into_pyarray(py),
                cols.end.into_pyarray(py),
                cols.paragraph.into_pyarray(py),
                cols.kind.into_pyarray(py),
                cols.weight.into_pyarray(py),
                cols.class_index.into_pyarray(py),
                cols.score.into_pyarray(py),
                proba.into_pyarray(py),
                cols.n_features.into_pyarray(py),
                cols.truncated.into_pyarray(py),
                cols.abstained,
            ),
        ))
    }

    /// Score dated documents and compute their timeline (see `_hawkdove.pyi`): the
    /// `hawkdove::timeline::Timeline` as JSON and the text of each evidence passage as
    /// `(document, passage, start, end, text)`. `days` counts days since 1970-01-01; `options`
    /// is JSON of `TimelineOptions`; `segmentation` is `sentences` (default), `paragraphs` or
    /// `lines`. Documents are scored on `n_jobs` threads without the GIL.
    #[pyo3(signature = (texts, days, groups=None, options=None, segmentation=None, *, n_jobs=None))]
    #[allow(clippy::too_many_arguments)]
    fn timeline<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        days: PyReadonlyArray1<'py, i64>,
        groups: Option<Vec<Option<String>>>,
        options: Option<&str>,
        segmentation: Option<&str>,
        n_jobs: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(String, Vec<crate::timeline::EvidenceText>)> {
        crate::timeline::model_timeline(py, &self.inner, texts, days, groups, options, segmentation, n_jobs)
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
