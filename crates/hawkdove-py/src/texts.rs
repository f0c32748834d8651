//! Batches of Python strings, checked item by item, borrowed without copying.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyByteArray, PyBytes, PyFloat, PyString};

use crate::pools::type_name;

/// Check that `obj` is a batch (an iterable, not a bare `str` or `bytes`) of `str` and borrow
/// every item. `what` names the argument in messages (`texts`, `labels`).
pub fn batch(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<PyBackedStr>> {
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a batch of str (a list, tuple, array or Series), not a single str; \
             wrap one text in a list: [text]"
        )));
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a batch of str, not {}; decode bytes first",
            type_name(obj)
        )));
    }
    let items = obj
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be an iterable of str, got {}", type_name(obj))))?;
    let mut out = Vec::with_capacity(obj.len().unwrap_or(0));
    for (i, item) in items.enumerate() {
        let item = item?;
        out.push(one(&item, what, Some(i))?);
    }
    Ok(out)
}

/// Borrow one `str`, with a message naming `what[index]` when it is not one.
pub fn one(item: &Bound<'_, PyAny>, what: &str, index: Option<usize>) -> PyResult<PyBackedStr> {
    // Formatted only on the error paths, not once per item of every batch.
    let place = || match index {
        Some(i) => format!("{what}[{i}]"),
        None => what.to_string(),
    };
    match item.cast::<PyString>() {
        Ok(s) => PyBackedStr::try_from(s.clone())
            .map_err(|e| PyValueError::new_err(format!("{} cannot be encoded as UTF-8: {e}", place()))),
        Err(_) if item.is_none() => Err(PyTypeError::new_err(format!(
            "{} is None; every item must be a str (drop or fill missing texts first)",
            place()
        ))),
        Err(_) if item.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan()) => Err(PyTypeError::new_err(format!(
            "{} is NaN (a missing value); every item must be a str (drop or fill \
                 missing texts first)",
            place()
        ))),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{} is {}, expected str",
            place(),
            type_name(item)
        ))),
    }
}
