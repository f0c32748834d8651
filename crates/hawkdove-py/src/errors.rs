//! hawkdove's Rust errors as Python exceptions.
//!
//! Every class subclasses `HawkdoveError`, itself a `ValueError`; `HawkdoveIOError` is also an
//! `OSError` (with `errno`, `strerror` and `filename` set). Each exception carries the offending
//! values of its Rust variant as attributes, and a `kind` attribute naming the variant.

use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use pyo3::IntoPyObjectExt;

use hawkdove::{Error, FormatError};

create_exception!(
    hawkdove,
    HawkdoveError,
    PyValueError,
    "Base class of every hawkdove error; a ValueError."
);
create_exception!(
    hawkdove,
    InvalidParameterError,
    HawkdoveError,
    "A hyperparameter is out of range (attributes: parameter, value, reason)."
);
create_exception!(
    hawkdove,
    EmptyTrainingSetError,
    HawkdoveError,
    "Training was asked for with no documents."
);
create_exception!(
    hawkdove,
    LengthMismatchError,
    HawkdoveError,
    "Two collections differ in length (attributes: left_name, left, right_name, right)."
);
create_exception!(
    hawkdove,
    InvalidSampleWeightError,
    HawkdoveError,
    "Sample weights that are not finite, negative, or all zero (attributes: index and value \
     of the first bad weight, or n when all are zero)."
);
create_exception!(
    hawkdove,
    SingleClassError,
    HawkdoveError,
    "The training labels hold one class only (attribute: label)."
);
create_exception!(
    hawkdove,
    UnknownLabelError,
    HawkdoveError,
    "A label the model does not know (attributes: label, known)."
);
create_exception!(
    hawkdove,
    EmptyVocabularyError,
    HawkdoveError,
    "No feature is left after vocabulary filtering (attributes: documents, candidates)."
);
create_exception!(
    hawkdove,
    TextTooLargeError,
    HawkdoveError,
    "A text is above the size limit (attributes: index, bytes, limit)."
);
create_exception!(
    hawkdove,
    DimensionMismatchError,
    HawkdoveError,
    "Sizes disagree (attributes: what, expected, found)."
);
create_exception!(
    hawkdove,
    ModelFormatError,
    HawkdoveError,
    "A model file is corrupt or not a hawkdove file (attributes: kind, detail)."
);
create_exception!(
    hawkdove,
    UnsupportedFormatVersionError,
    ModelFormatError,
    "A model file of a format version this build cannot read (attributes: found, supported, writer)."
);

/// `HawkdoveIOError(OSError, HawkdoveError)`: built at import, since it has two bases.
static IO_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn io_error_type(py: Python<'_>) -> PyResult<&Py<PyType>> {
    IO_ERROR.get_or_try_init(py, || {
        let bases = PyTuple::new(py, [py.get_type::<PyOSError>(), py.get_type::<HawkdoveError>()])?;
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", "hawkdove")?;
        namespace.set_item(
            "__doc__",
            "Reading or writing a file failed: an OSError and a HawkdoveError (errno, strerror, filename).",
        )?;
        let created = py.get_type::<PyType>().call1(("HawkdoveIOError", bases, namespace))?;
        Ok(created.cast_into::<PyType>()?.unbind())
    })
}

/// Add the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("HawkdoveError", py.get_type::<HawkdoveError>())?;
    m.add("InvalidParameterError", py.get_type::<InvalidParameterError>())?;
    m.add("EmptyTrainingSetError", py.get_type::<EmptyTrainingSetError>())?;
    m.add("LengthMismatchError", py.get_type::<LengthMismatchError>())?;
    m.add("InvalidSampleWeightError", py.get_type::<InvalidSampleWeightError>())?;
    m.add("SingleClassError", py.get_type::<SingleClassError>())?;
    m.add("UnknownLabelError", py.get_type::<UnknownLabelError>())?;
    m.add("EmptyVocabularyError", py.get_type::<EmptyVocabularyError>())?;
    m.add("TextTooLargeError", py.get_type::<TextTooLargeError>())?;
    m.add("DimensionMismatchError", py.get_type::<DimensionMismatchError>())?;
    m.add("ModelFormatError", py.get_type::<ModelFormatError>())?;
    m.add(
        "UnsupportedFormatVersionError",
        py.get_type::<UnsupportedFormatVersionError>(),
    )?;
    m.add("HawkdoveIOError", io_error_type(py)?.bind(py))?;
    Ok(())
}

/// Attribute values of an exception, set after it is created.
type Attributes<'py> = Vec<(&'static str, Bound<'py, PyAny>)>;

fn attrs<'py, const N: usize>(py: Python<'py>, items: [(&'static str, &dyn ToAttr); N]) -> PyResult<Attributes<'py>> {
    items
        .into_iter()
        .map(|(name, value)| Ok((name, value.to_attr(py)?)))
        .collect()
}

/// A value that becomes an exception attribute.
trait ToAttr {
    fn to_attr<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

impl<T> ToAttr for T
where
    T: Clone,
    for<'py> T: IntoPyObject<'py>,
{
    fn to_attr<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.clone().into_bound_py_any(py)
    }
}

fn with_attributes(py: Python<'_>, err: PyErr, kind: &str, attributes: Attributes<'_>) -> PyErr {
    let value = err.value(py);
    let set = value
        .setattr("kind", kind)
        .and_then(|()| attributes.into_iter().try_for_each(|(name, v)| value.setattr(name, v)));
    match set {
        Ok(()) => err,
        Err(e) => e,
    }
}

/// Convert a hawkdove error into the matching Python exception.
pub fn to_py(py: Python<'_>, error: Error) -> PyErr {
    let message = error.to_string();
    let built: PyResult<(PyErr, &str, Attributes<'_>)> = (|| {
        Ok(match &error {
            Error::InvalidParameter { name, value, reason } => (
                InvalidParameterError::new_err(message),
                "invalid_parameter",
                attrs(py, [("parameter", name), ("value", value), ("reason", reason)])?,
            ),
            Error::EmptyTrainingSet => (
                EmptyTrainingSetError::new_err(message),
                "empty_training_set",
                Vec::new(),
            ),
            Error::LengthMismatch {
                left_name,
                left,
                right_name,
                right,
            } => (
                LengthMismatchError::new_err(message),
                "length_mismatch",
                attrs(
                    py,
                    [
                        ("left_name", left_name),
                        ("left", left),
                        ("right_name", right_name),
                        ("right", right),
                    ],
                )?,
            ),
            Error::InvalidSampleWeight { index, value } => (
                InvalidSampleWeightError::new_err(message),
                "invalid_sample_weight",
                attrs(py, [("index", index), ("value", value)])?,
            ),
            Error::ZeroSampleWeights { n } => (
                InvalidSampleWeightError::new_err(message),
                "zero_sample_weights",
                attrs(py, [("n", n)])?,
            ),
            Error::SingleClass { label } => (
                SingleClassError::new_err(message),
                "single_class",
                attrs(py, [("label", label)])?,
            ),
            Error::UnknownLabel { label, known } => (
                UnknownLabelError::new_err(message),
                "unknown_label",
                attrs(py, [("label", label), ("known", known)])?,
            ),
            Error::EmptyVocabulary { documents, candidates } => (
                EmptyVocabularyError::new_err(message),
                "empty_vocabulary",
                attrs(py, [("documents", documents), ("candidates", candidates)])?,
            ),
            Error::TextTooLarge { index, bytes, limit } => (
                TextTooLargeError::new_err(message),
                "text_too_large",
                attrs(py, [("index", index), ("bytes", bytes), ("limit", limit)])?,
            ),
            Error::DimensionMismatch { what, expected, found } => (
                DimensionMismatchError::new_err(message),
                "dimension_mismatch",
                attrs(py, [("what", what), ("expected", expected), ("found", found)])?,
            ),
            Error::Io { path, source } => {
                let filename = path.display().to_string();
                let class = io_error_type(py)?.bind(py);
                let value = match source.raw_os_error() {
                    Some(errno) => class.call1((errno, message, &filename))?,
                    None => class.call1((message,))?,
                };
                let err = PyErr::from_value(value);
                (err, "io", attrs(py, [("path", &filename)])?)
            }
            Error::Tsv { path, line, reason } => (
                HawkdoveError::new_err(message),
                "tsv",
                attrs(
                    py,
                    [
                        ("path", &path.display().to_string()),
                        ("line", line),
                        ("reason", reason),
                    ],
                )?,
            ),
            Error::Format(format) => format_error(py, format, message)?,
            Error::Optimizer(detail) => (
                HawkdoveError::new_err(message),
                "optimizer",
                attrs(py, [("detail", detail)])?,
            ),
            Error::Linfa(detail) => (
                HawkdoveError::new_err(message),
                "linfa",
                attrs(py, [("detail", detail)])?,
            ),
            Error::InvalidDate { input, reason } => (
                HawkdoveError::new_err(message),
                "invalid_date",
                attrs(py, [("input", input), ("reason", reason)])?,
            ),
            Error::InvalidPassage {
                document,
                passage,
                reason,
            } => (
                HawkdoveError::new_err(message),
                "invalid_passage",
                attrs(py, [("document", document), ("passage", passage), ("reason", reason)])?,
            ),
            _ => (HawkdoveError::new_err(message), "other", Vec::new()),
        })
    })();
    match built {
        Ok((err, kind, attributes)) => with_attributes(py, err, kind, attributes),
        Err(e) => e,
    }
}

fn format_error<'py>(
    py: Python<'py>,
    format: &FormatError,
    message: String,
) -> PyResult<(PyErr, &'static str, Attributes<'py>)> {
    let detail = format.to_string();
    Ok(match format {
        FormatError::UnsupportedVersion {
            found,
            supported,
            writer,
        } => (
            UnsupportedFormatVersionError::new_err(message),
            "unsupported_version",
            attrs(
                py,
                [
                    ("found", found),
                    ("supported", supported),
                    ("writer", writer),
                    ("detail", &detail),
                ],
            )?,
        ),
        FormatError::TooLarge { size, limit } => (
            ModelFormatError::new_err(message),
            "too_large",
            attrs(py, [("size", size), ("limit", limit), ("detail", &detail)])?,
        ),
        FormatError::Json(_) => (
            ModelFormatError::new_err(message),
            "json",
            attrs(py, [("detail", &detail)])?,
        ),
        FormatError::Inconsistent { what, expected, found } => (
            ModelFormatError::new_err(message),
            "inconsistent",
            attrs(
                py,
                [
                    ("what", what),
                    ("expected", expected),
                    ("found", found),
                    ("detail", &detail),
                ],
            )?,
        ),
        FormatError::InvalidValue { field, reason } => (
            ModelFormatError::new_err(message),
            "invalid_value",
            attrs(py, [("field", field), ("reason", reason), ("detail", &detail)])?,
        ),
        _ => (
            ModelFormatError::new_err(message),
            "other",
            attrs(py, [("detail", &detail)])?,
        ),
    })
}

/// An `InvalidParameterError` raised by the binding itself (JSON parameters, `n_jobs`), with
/// the same message shape and attributes as the core's.
pub fn invalid(py: Python<'_>, parameter: &str, value: &str, reason: &str) -> PyErr {
    let err = InvalidParameterError::new_err(format!("invalid parameter `{parameter}` = {value}: {reason}"));
    let attributes = attrs(
        py,
        [
            ("parameter", &parameter.to_string()),
            ("value", &value.to_string()),
            ("reason", &reason.to_string()),
        ],
    );
    match attributes {
        Ok(a) => with_attributes(py, err, "invalid_parameter", a),
        Err(e) => e,
    }
}

/// `map_err` helper: `result.map_err(|e| errors::to_py(py, e))`.
pub trait IntoPyResult<T> {
    /// Convert the error side into a Python exception.
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for hawkdove::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
