//! `hawkdove._hawkdove.Featurizer`: text to sparse rows, on its own.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use hawkdove::features::Scratch;
use hawkdove::{CsrMatrix, Featurizer, FeaturizerConfig};

use crate::errors::IntoPyResult;
use crate::pools::{resolve_threads, run_chunked, run_training};
use crate::{params, texts};

/// A CSR matrix as `(indptr: int64, indices: int32, data: float32, (nrows, ncols))`, the
/// arguments of `scipy.sparse.csr_matrix((data, indices, indptr), shape)`.
pub type Csr<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i32>>,
    Bound<'py, PyArray1<f32>>,
    (usize, usize),
);

/// Copy a CSR matrix into NumPy arrays.
pub fn csr_to_py<'py>(py: Python<'py>, x: &CsrMatrix) -> PyResult<Csr<'py>> {
    let (indptr, indices, data) = x.raw();
    let indptr: Vec<i64> = indptr
        .iter()
        .map(|&p| i64::try_from(p))
        .collect::<Result<_, _>>()
        .map_err(|_| PyValueError::new_err("matrix too large for int64 offsets"))?;
    let indices: Vec<i32> = indices
        .iter()
        .map(|&c| i32::try_from(c))
        .collect::<Result<_, _>>()
        .map_err(|_| PyValueError::new_err("more than 2^31 feature columns"))?;
    Ok((
        indptr.into_pyarray(py),
        indices.into_pyarray(py),
        PyArray1::from_slice(py, data),
        (x.nrows(), x.ncols()),
    ))
}

/// Featurize a batch of Python strings with `featurizer`, rows in input order, in pieces
/// ([`run_chunked`], so that Ctrl-C stops a long batch).
pub fn transform_py<'py>(
    py: Python<'py>,
    featurizer: &Featurizer,
    texts: &Bound<'py, PyAny>,
    n_jobs: Option<&Bound<'py, PyAny>>,
) -> PyResult<Csr<'py>> {
    let threads = resolve_threads(n_jobs)?;
    let texts = texts::batch(texts, "texts")?;
    let chunk = match texts.len() {
        n if n < 64 => n,
        n => (n / (threads * 8)).clamp(1, 64),
    };
    // Each piece: (row lengths, column indices, values).
    let pieces = run_chunked(py, threads, texts.len(), chunk, |r, scratch: &mut Scratch| {
        let mut piece = (Vec::new(), Vec::new(), Vec::new());
        for t in texts.get(r).unwrap_or_default() {
            let row = featurizer.transform_one(t, scratch);
            piece.0.push(row.len());
            for (c, v) in row {
                piece.1.push(c);
                piece.2.push(v);
            }
        }
        piece
    })?;
    let nnz: usize = pieces.iter().map(|p| p.1.len()).sum();
    let mut indptr: Vec<i64> = Vec::with_capacity(texts.len() + 1);
    let (mut indices, mut data): (Vec<i32>, Vec<f32>) = (Vec::with_capacity(nnz), Vec::with_capacity(nnz));
    indptr.push(0);
    let too_many = || PyValueError::new_err("more than 2^31 feature columns");
    for (lengths, cols, values) in pieces {
        for len in lengths {
            let last = indptr.last().copied().unwrap_or(0);
            let len = i64::try_from(len).map_err(|_| PyValueError::new_err("matrix too large for int64 offsets"))?;
            indptr.push(last + len);
        }
        for c in cols {
            indices.push(i32::try_from(c).map_err(|_| too_many())?);
        }
        data.extend(values);
    }
    Ok((
        indptr.into_pyarray(py),
        indices.into_pyarray(py),
        data.into_pyarray(py),
        (texts.len(), featurizer.n_features()),
    ))
}

/// A fitted hawkdove featurizer (tokenizer, n-grams, vocabulary or hashing, weighting).
#[pyclass(module = "hawkdove._hawkdove", name = "Featurizer", frozen)]
pub struct PyFeaturizer {
    inner: Featurizer,
}

#[pymethods]
impl PyFeaturizer {
    /// Fit on `texts` with `config` (JSON of FeaturizerConfig): `(featurizer, csr)`. Ctrl-C is
    /// checked about every 0.1 s; `progress`, when given, is called with the JSON of each event.
    #[staticmethod]
    #[pyo3(signature = (texts, config=None, *, n_jobs=None, progress=None))]
    fn fit_transform<'py>(
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        config: Option<&str>,
        n_jobs: Option<&Bound<'py, PyAny>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<(Self, Csr<'py>)> {
        let config: FeaturizerConfig = params::parse(py, config, "config")?;
        let threads = resolve_threads(n_jobs)?;
        let texts = texts::batch(texts, "texts")?;
        let (inner, x) = run_training(py, threads, progress, |p| {
            Featurizer::fit_transform_with(&config, &texts, p)
        })?
        .py_err(py)?;
        let x = csr_to_py(py, &x)?;
        Ok((PyFeaturizer { inner }, x))
    }

    /// Featurize a batch: CSR `(indptr, indices, data, shape)`, rows in input order.
    #[pyo3(signature = (texts, *, n_jobs=None))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        n_jobs: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Csr<'py>> {
        transform_py(py, &self.inner, texts, n_jobs)
    }

    /// Feature names in column order, or None in hashing mode.
    fn feature_names(&self) -> Option<Vec<String>> {
        self.inner.feature_names()
    }

    /// Number of feature columns.
    #[getter]
    fn n_features(&self) -> usize {
        self.inner.n_features()
    }

    /// The fitted idf vector, or None without idf weighting.
    fn idf<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f32>>> {
        self.inner.idf().map(|v| PyArray1::from_slice(py, v))
    }

    /// The settings as JSON.
    fn config(&self) -> PyResult<String> {
        params::to_json(self.inner.config())
    }

    /// The featurizer file's bytes (versioned like model files).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py.detach(|| self.inner.to_bytes()).py_err(py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Write the featurizer file to `path` atomically (the old file stays whole on failure).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.inner.save(&path)).py_err(py)
    }

    /// Read a featurizer from its bytes.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let inner = py.detach(|| Featurizer::from_bytes(data)).py_err(py)?;
        Ok(PyFeaturizer { inner })
    }

    /// Pickle through the versioned featurizer file.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let from_bytes = py.get_type::<PyFeaturizer>().getattr("from_bytes")?;
        Ok((from_bytes, (slf.get().to_bytes(py)?,)))
    }

    fn __repr__(&self) -> String {
        format!("Featurizer(n_features={})", self.inner.n_features())
    }
}
