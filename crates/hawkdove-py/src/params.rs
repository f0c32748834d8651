//! Parameters arrive from Python as JSON text and are read with hawkdove's own serde types.
//!
//! serde ignores unknown fields, so a misspelt key would silently fall back to its default.
//! Every key of the input is therefore checked to exist in the parsed value written back.

use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::errors::invalid;

/// Parse `json` (or take the default when `None`) as `T`, rejecting unknown keys. `what` names
/// the argument in messages.
pub fn parse<T>(py: Python<'_>, json: Option<&str>, what: &str) -> PyResult<T>
where
    T: DeserializeOwned + Serialize + Default,
{
    let Some(json) = json else {
        return Ok(T::default());
    };
    let given: Value =
        serde_json::from_str(json).map_err(|e| invalid(py, what, &shorten(json), &format!("not valid JSON: {e}")))?;
    let parsed: T = serde_path_to_error::deserialize(given.clone()).map_err(|e| {
        let at = match e.path().to_string().as_str() {
            "." => what.to_string(),
            path => format!("{what}.{path}"),
        };
        let value = shorten(&value_at(&given, e.path()).to_string());
        invalid(py, &at, &value, &e.into_inner().to_string())
    })?;
    let back = serde_json::to_value(&parsed).map_err(|e| invalid(py, what, "?", &e.to_string()))?;
    if let Some(path) = unknown_key(&given, &back, what) {
        return Err(invalid(py, &path, "?", "unknown key (misspelt?)"));
    }
    Ok(parsed)
}

/// The first key of `given` (as a dotted path) that `known` does not have at the same place.
fn unknown_key(given: &Value, known: &Value, path: &str) -> Option<String> {
    match (given, known) {
        (Value::Object(g), Value::Object(k)) => g.iter().find_map(|(key, v)| {
            let here = format!("{path}.{key}");
            match k.get(key) {
                Some(kv) => unknown_key(v, kv, &here),
                None => Some(here),
            }
        }),
        (Value::Array(g), Value::Array(k)) => g
            .iter()
            .zip(k)
            .enumerate()
            .find_map(|(i, (gv, kv))| unknown_key(gv, kv, &format!("{path}[{i}]"))),
        _ => None,
    }
}

/// At most 80 characters of `s`, for messages.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The value of `root` at a serde path (Null when it is absent).
fn value_at<'v>(root: &'v Value, path: &serde_path_to_error::Path) -> &'v Value {
    use serde_path_to_error::Segment;
    let mut at = root;
    for segment in path.iter() {
        let next = match segment {
            Segment::Map { key } => at.get(key.as_str()),
            Segment::Seq { index } => at.get(index),
            Segment::Enum { variant } => at.get(variant.as_str()),
            Segment::Unknown => None,
        };
        match next {
            Some(v) => at = v,
            None => return at,
        }
    }
    at
}

/// Serialize `value` as JSON for Python.
pub fn to_json<T: Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("cannot write JSON: {e}")))
}
