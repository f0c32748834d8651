//! `hawkdove._hawkdove`: the thin pyo3 layer under the `hawkdove` Python package.
//!
//! It converts types (batches of `str` in, NumPy arrays and JSON out) and errors (hawkdove's
//! `Error` to exception classes under `hawkdove`), and runs batch work with the interpreter
//! detached on a rayon pool of the caller's size. Everything else lives in the `hawkdove` crate
//! or in the Python package (`python/hawkdove`).

mod errors;
mod featurizer;
mod model;
mod params;
mod pools;
mod texts;
mod timeline;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use hawkdove::eval::cross_validate_weighted_with as cv;
use hawkdove::features::Lexicon;
use hawkdove::ModelParams;

use errors::IntoPyResult;
use pools::{resolve_threads, run_detached_here, run_training};

/// Default training parameters (`ModelParams`) as JSON.
#[pyfunction]
fn default_params() -> PyResult<String> {
    params::to_json(&ModelParams::default())
}

/// Stratified k-fold cross-validation: the report as JSON. Ctrl-C is checked about every
/// 0.1 s; `progress`, when given, is called with the JSON of each training event, in order.
#[pyfunction]
#[pyo3(signature = (texts, labels, params=None, folds=5, seed=0, *, n_jobs=None, sample_weight=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn cross_validate(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    labels: &Bound<'_, PyAny>,
    params: Option<&str>,
    folds: usize,
    seed: u64,
    n_jobs: Option<&Bound<'_, PyAny>>,
    sample_weight: Option<Vec<f64>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let params: ModelParams = params::parse(py, params, "params")?;
    let threads = resolve_threads(n_jobs)?;
    let texts = texts::batch(texts, "texts")?;
    let labels = texts::batch(labels, "labels")?;
    let report = run_training(py, threads, progress, |p| {
        cv(&texts, &labels, sample_weight.as_deref(), &params, folds, seed, p)
    })?;
    params::to_json(&report.py_err(py)?)
}

/// Parse a lexicon in its text format (`pole<TAB>phrase` lines, `#` comments) into
/// `(pole, phrase)` pairs, checked as the core checks them.
#[pyfunction]
fn parse_lexicon(py: Python<'_>, text: &str) -> PyResult<Vec<(String, String)>> {
    let lexicon = Lexicon::parse(text).py_err(py)?;
    Ok(lexicon.entries.into_iter().map(|e| (e.pole, e.phrase)).collect())
}

/// Broken variants of the valid model file `valid`, as `(what is wrong, bytes)` pairs: the
/// core's generated corpus of malformed files, shared with the Python robustness tests.
#[pyfunction]
fn malformed_model_files(valid: &[u8]) -> Vec<(String, Vec<u8>)> {
    hawkdove::format::malformed_model_files(valid)
        .into_iter()
        .map(|f| (f.name, f.bytes))
        .collect()
}

/// Resolve `n_jobs` (None or -1: every core; -k: all but k - 1) to a thread count.
#[pyfunction]
#[pyo3(signature = (n_jobs=None))]
fn thread_count(n_jobs: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
    resolve_threads(n_jobs)
}

/// Thread counts of the pools started so far in this process.
#[pyfunction]
fn thread_pools() -> Vec<usize> {
    pools::cached()
}

/// Stop the cached thread pools (new ones start on demand).
#[pyfunction]
fn clear_thread_pools() {
    pools::clear();
}

/// Seconds the helper threads of a multi-thread batch keep spinning after it.
#[pyfunction]
fn get_thread_spin() -> f64 {
    pools::spin() as f64 / 1e6
}

/// Set how long (seconds, 0 to 1) the helper threads of a multi-thread batch keep spinning after
/// it, so that the next batch finds them awake; 0 puts them to sleep at once. It also bounds how
/// long the calling thread spins at the end of a batch while a helper finishes (0: it sleeps).
#[pyfunction]
fn set_thread_spin(seconds: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = seconds.py();
    let shown = || seconds.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
    let is_number = (seconds.is_instance_of::<PyFloat>() || seconds.is_instance_of::<PyInt>())
        && !seconds.is_instance_of::<PyBool>();
    if !is_number {
        let reason = format!("must be a number of seconds, not {}", pools::type_name(seconds));
        return Err(errors::invalid(py, "seconds", &shown(), &reason));
    }
    let out_of_range = || errors::invalid(py, "seconds", &shown(), "must be between 0 and 1");
    let value: f64 = seconds.extract().map_err(|_| out_of_range())?;
    if !(0.0..=pools::MAX_SPIN_US as f64 / 1e6).contains(&value) {
        return Err(out_of_range());
    }
    pools::set_spin((value * 1e6).round() as u64);
    Ok(())
}

/// Run the `hawkdove` command-line program (the same as the `hawkdove` binary) with `argv`,
/// whose first item is the program name, and return its exit code. It runs with the
/// interpreter detached; between batches it runs Python's signal handlers, so Ctrl-C stops it
/// with `KeyboardInterrupt`.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<String>) -> PyResult<i32> {
    let interrupt = pools::Interrupt::new();
    let code = run_detached_here(py, || {
        hawkdove_cli::run_with_cancel(argv.into_iter().map(std::ffi::OsString::from), &|| interrupt.check())
    })?;
    interrupt.result()?;
    Ok(code)
}

#[pymodule]
fn _hawkdove(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Import NumPy's C API now, while no long call runs: imported lazily by the first call
    // returning an array, a Ctrl-C pending at that moment failed the import and surfaced as
    // PanicException ("Failed to access NumPy array API capsule") instead of KeyboardInterrupt.
    numpy::PyArray1::<f64>::zeros(m.py(), 0, false);
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("FORMAT_VERSION", hawkdove::format::FORMAT_VERSION)?;
    m.add("MAX_MODEL_BYTES", hawkdove::format::MAX_MODEL_BYTES)?;
    m.add("DEFAULT_MAX_WEIGHT_BYTES", hawkdove::model::DEFAULT_MAX_WEIGHT_BYTES)?;
    m.add("STANCE_LEXICON", hawkdove::bundled::STANCE_LEXICON)?;
    m.add("SENTIMENT_LEXICON", hawkdove::bundled::SENTIMENT_LEXICON)?;
    m.add_class::<model::PyModel>()?;
    m.add_class::<featurizer::PyFeaturizer>()?;
    m.add_function(wrap_pyfunction!(default_params, m)?)?;
    m.add_function(wrap_pyfunction!(cross_validate, m)?)?;
    m.add_function(wrap_pyfunction!(parse_lexicon, m)?)?;
    m.add_function(wrap_pyfunction!(malformed_model_files, m)?)?;
    m.add_function(wrap_pyfunction!(thread_count, m)?)?;
    m.add_function(wrap_pyfunction!(thread_pools, m)?)?;
    m.add_function(wrap_pyfunction!(clear_thread_pools, m)?)?;
    m.add_function(wrap_pyfunction!(get_thread_spin, m)?)?;
    m.add_function(wrap_pyfunction!(set_thread_spin, m)?)?;
    m.add_function(wrap_pyfunction!(timeline::parse_dates, m)?)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    errors::register(m)?;
    Ok(())
}
