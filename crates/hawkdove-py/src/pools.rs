//! Thread pools for batch work, one per thread count, built on first use and cached.
//!
//! Every call into hawkdove that may use rayon runs inside one of these pools
//! ([`run_detached`]), never on rayon's global pool. That is what makes the module safe after
//! `fork`: a forked child inherits the pools' memory but none of their threads, so the cache is
//! keyed by process id and a child builds fresh pools (the parent's are forgotten, never joined
//! or dropped, since their threads do not exist in the child). The cache lock is only taken
//! while attached to the interpreter, never across `fork` from another Python thread.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyInt;
use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::errors::{invalid, HawkdoveError};

struct Pools {
    pid: u32,
    by_threads: HashMap<usize, Arc<ThreadPool>>,
}

static POOLS: Mutex<Option<Pools>> = Mutex::new(None);

/// Number of threads the machine offers, read once per process: on Linux the standard
/// library reads the cgroup's CPU quota files each time it is asked, which made up most of a
/// one-text `predict` call from Python (perf: 42% of such a loop's time in the kernel).
pub fn available() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Resolve scikit-learn's `n_jobs` convention: `None` or `-1` use every core, a positive `n`
/// uses `n` threads, `-k` uses all but `k - 1` (at least one); `0` is an error.
pub fn resolve_threads(n_jobs: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
    let cores = available();
    let Some(obj) = n_jobs.filter(|o| !o.is_none()) else {
        return Ok(cores);
    };
    let py = obj.py();
    if !obj.is_instance_of::<PyInt>() || obj.is_instance_of::<pyo3::types::PyBool>() {
        let shown = obj.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
        return Err(invalid(
            py,
            "n_jobs",
            &shown,
            &format!("must be an int or None, not {}", type_name(obj)),
        ));
    }
    let n: i64 = obj.extract()?;
    match n {
        0 => Err(invalid(
            py,
            "n_jobs",
            "0",
            "use None or -1 for every core, or a positive count",
        )),
        n if n > 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX).min(1024)),
        n => {
            let spare = usize::try_from(-(n + 1)).unwrap_or(usize::MAX);
            Ok(cores.saturating_sub(spare).max(1))
        }
    }
}

/// The Python type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".to_string(), |n| n.to_string())
}

fn pool(threads: usize) -> PyResult<Arc<ThreadPool>> {
    let mut guard = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if guard.as_ref().is_some_and(|p| p.pid != pid) {
        // A forked child: the parent's pools have no threads here. Forget them.
        if let Some(stale) = guard.take() {
            std::mem::forget(stale);
        }
    }
    let pools = guard.get_or_insert_with(|| Pools {
        pid,
        by_threads: HashMap::new(),
    });
    if let Some(p) = pools.by_threads.get(&threads) {
        return Ok(Arc::clone(p));
    }
    let built = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("hawkdove-{i}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start {threads} threads: {e}")))?;
    let built = Arc::new(built);
    pools.by_threads.insert(threads, Arc::clone(&built));
    Ok(built)
}

/// Run `f` with the interpreter detached, inside the pool of `threads` threads. A panic inside
/// `f` (a bug) becomes a `HawkdoveError` instead of a `PanicException`, which `except Exception`
/// would not catch.
pub fn run_detached<T, F>(py: Python<'_>, threads: usize, f: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let pool = pool(threads)?;
    caught(py.detach(move || std::panic::catch_unwind(AssertUnwindSafe(|| pool.install(f)))))
}

/// [`run_detached`] on the calling thread, for work that never uses rayon: it skips the
/// hand-over to a pool thread and back (tens of microseconds a call: about a tenth of scoring
/// 300 short sentences on one thread).
pub fn run_detached_here<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    caught(py.detach(move || std::panic::catch_unwind(AssertUnwindSafe(f))))
}

/// A caught panic as a `HawkdoveError`.
fn caught<T>(result: std::thread::Result<T>) -> PyResult<T> {
    result.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        HawkdoveError::new_err(format!("internal error in hawkdove (please report it): {what}"))
    })
}

/// Forget every cached pool (their threads end once idle). Exposed to Python for tests and for
/// users who want the threads gone.
pub fn clear() {
    let mut guard = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(p) = guard.take() {
        if p.pid == std::process::id() {
            drop(p);
        } else {
            std::mem::forget(p);
        }
    }
}

/// Thread counts of the pools built so far in this process.
pub fn cached() -> Vec<usize> {
    let guard = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
    let mut counts: Vec<usize> = guard
        .as_ref()
        .filter(|p| p.pid == std::process::id())
        .map(|p| p.by_threads.keys().copied().collect())
        .unwrap_or_default();
    counts.sort_unstable();
    counts
}
