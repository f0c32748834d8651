//! Thread pools for batch work, one per thread count, built on first use and cached: at most
//! [`MAX_POOLS`] of them, the least recently used dropped first (its threads exit once idle), so
//! cycling through many `n_jobs` values does not pile up threads. `n_jobs` is capped at
//! [`MAX_THREADS`].
//!
//! Every call into hawkdove that may use rayon runs inside one of these pools
//! ([`run_detached`]), never on rayon's global pool. That is what makes the module safe after
//! `fork`: a forked child inherits the pools' memory but none of their threads, so the cache is
//! keyed by process id and a child builds fresh pools (the parent's are forgotten, never joined
//! or dropped, since their threads do not exist in the child). The cache lock is only taken
//! while attached to the interpreter, never across `fork` from another Python thread.

use std::ops::{ControlFlow, Range};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use hawkdove::progress::{Progress, TrainEvent};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyInt;
use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::errors::{invalid, HawkdoveError};

/// At most this many pools are kept; the least recently used beyond it is dropped.
pub const MAX_POOLS: usize = 4;

/// The largest thread count `n_jobs` may ask for (more is refused with `InvalidParameterError`):
/// far above any core count this library's batches gain from, and low enough that a typo such
/// as `n_jobs=100000` cannot start thousands of threads.
pub const MAX_THREADS: usize = 256;

struct Pools {
    pid: u32,
    /// `(threads, pool)`, most recently used last.
    by_threads: Vec<(usize, Arc<ThreadPool>)>,
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
    // Beyond i64 (n_jobs=2**70) is the same mistake as any other bad value, not an
    // OverflowError.
    let n: i64 = obj.extract().map_err(|_| {
        let shown = obj.repr().map_or_else(|_| "?".to_string(), |r| r.to_string());
        invalid(py, "n_jobs", &shown, "out of range: use None, -1 or a thread count")
    })?;
    match n {
        0 => Err(invalid(
            py,
            "n_jobs",
            "0",
            "use None or -1 for every core, or a positive count",
        )),
        n if n > 0 => match usize::try_from(n) {
            Ok(n) if n <= MAX_THREADS => Ok(n),
            _ => Err(invalid(
                py,
                "n_jobs",
                &n.to_string(),
                &format!("at most {MAX_THREADS} threads (None or -1 use every core: {cores})"),
            )),
        },
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
    // Any new work for a pool ends the spinning of the helpers of the call before (see
    // `spin_after`): their threads are wanted for the work, and their cores too.
    CALLS.fetch_add(1, Ordering::Relaxed);
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
        by_threads: Vec::new(),
    });
    if let Some(at) = pools.by_threads.iter().position(|(t, _)| *t == threads) {
        // Most recently used goes last.
        let entry = pools.by_threads.remove(at);
        let p = Arc::clone(&entry.1);
        pools.by_threads.push(entry);
        return Ok(p);
    }
    let built = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("hawkdove-{i}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start {threads} threads: {e}")))?;
    let built = Arc::new(built);
    pools.by_threads.push((threads, Arc::clone(&built)));
    if pools.by_threads.len() > MAX_POOLS {
        // Dropping the last reference to a rayon pool ends its threads once they are idle; a
        // call still running in it holds its own reference until it returns.
        let evicted = pools.by_threads.remove(0);
        drop(guard);
        drop(evicted);
    }
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

/// How often, at most, the calling thread of a batch runs Python's signal handlers between
/// pieces (see [`run_chunked`]).
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// Ctrl-C for a batch running with the interpreter detached: the calling thread runs Python's
/// signal handlers between its pieces, at most every [`SIGNAL_CHECK`], by attaching to the
/// interpreter for a moment; the error they raise (`KeyboardInterrupt`, or whatever a user's
/// handler raises) stops every thread of the batch before its next piece and is the batch's
/// result. Only the main thread runs handlers, so on another thread the check does nothing.
pub(crate) struct Interrupt {
    stop: AtomicBool,
    error: Mutex<Option<PyErr>>,
    next_check: Mutex<Instant>,
}

impl Interrupt {
    pub(crate) fn new() -> Self {
        Interrupt {
            stop: AtomicBool::new(false),
            error: Mutex::new(None),
            next_check: Mutex::new(Instant::now() + SIGNAL_CHECK),
        }
    }

    /// Whether the batch was interrupted.
    pub(crate) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Run the signal handlers if the last check is [`SIGNAL_CHECK`] old (calling thread only,
    /// interpreter detached). Returns whether the batch must stop.
    pub(crate) fn check(&self) -> bool {
        if self.stopped() {
            return true;
        }
        {
            let mut next = self.next_check.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            if now < *next {
                return false;
            }
            *next = now + SIGNAL_CHECK;
        }
        if let Err(e) = Python::attach(|py| py.check_signals()) {
            *self.error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
            self.stop.store(true, Ordering::Relaxed);
        }
        self.stopped()
    }

    /// `Err` with the handlers' error when the batch was interrupted.
    pub(crate) fn result(self) -> PyResult<()> {
        match self.error.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// How often the calling thread of a training run wakes to run Python's signal handlers and
/// hand the progress events gathered so far to the Python callback (see [`run_training`]).
const TRAINING_CHECK: Duration = Duration::from_millis(100);

/// What a training run and the calling thread that watches it share.
#[derive(Default)]
struct Watch {
    /// Events not yet handed to Python (kept only when there is a Python callback).
    events: Mutex<Vec<TrainEvent>>,
    /// Set by the calling thread when a signal handler (or the callback) raised.
    stop: AtomicBool,
    /// Set by the training when it returns.
    done: Mutex<bool>,
    wake: Condvar,
}

/// Run a training job `train(progress)` on the pool of `threads` threads while the calling
/// thread, with the interpreter detached, wakes every [`TRAINING_CHECK`] (and when training
/// ends) to run Python's signal handlers and to call `on_event` with the JSON of each new
/// [`TrainEvent`], in order. An error raised by a signal handler (`KeyboardInterrupt` on
/// Ctrl-C) or by `on_event` makes the progress callback ask training to stop at its next event
/// (each solver iteration, each group of texts featurized, each fold) and is the result; the
/// core then returns `Error::Cancelled`, which is dropped in its favour. A panic is reported as
/// [`HawkdoveError`], never as `PanicException`.
pub fn run_training<T, F>(py: Python<'_>, threads: usize, on_event: Option<Py<PyAny>>, train: F) -> PyResult<T>
where
    F: FnOnce(&mut Progress<'_>) -> T + Send,
    T: Send,
{
    let pool = pool(threads)?;
    let watch = Watch::default();
    let keep_events = on_event.is_some();
    let mut result = None;
    let mut raised: Option<PyErr> = None;
    py.detach(|| {
        pool.in_place_scope(|scope| {
            scope.spawn(|_| {
                let mut progress = |e: &TrainEvent| {
                    if keep_events {
                        watch
                            .events
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(e.clone());
                    }
                    if watch.stop.load(Ordering::Relaxed) {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                };
                result = Some(std::panic::catch_unwind(AssertUnwindSafe(|| train(&mut progress))));
                *watch.done.lock().unwrap_or_else(PoisonError::into_inner) = true;
                watch.wake.notify_all();
            });
            loop {
                let finished = {
                    let done = watch.done.lock().unwrap_or_else(PoisonError::into_inner);
                    let (done, _) = watch
                        .wake
                        .wait_timeout_while(done, TRAINING_CHECK, |d| !*d)
                        .unwrap_or_else(PoisonError::into_inner);
                    *done
                };
                let events = std::mem::take(&mut *watch.events.lock().unwrap_or_else(PoisonError::into_inner));
                let checked = Python::attach(|py| -> PyResult<()> {
                    if raised.is_none() {
                        py.check_signals()?;
                    }
                    if let (Some(callback), None) = (&on_event, &raised) {
                        for e in &events {
                            let json = serde_json::to_string(e)
                                .map_err(|e| PyRuntimeError::new_err(format!("progress event: {e}")))?;
                            callback.bind(py).call1((json,))?;
                        }
                    }
                    Ok(())
                });
                if let Err(e) = checked {
                    raised.get_or_insert(e);
                    watch.stop.store(true, Ordering::Relaxed);
                }
                if finished {
                    break;
                }
            }
        });
    });
    if let Some(e) = raised {
        return Err(e);
    }
    let result = result.ok_or_else(|| HawkdoveError::new_err("internal error in hawkdove: training did not run"))?;
    caught(result)
}

/// Run `work` over the items `0..n`, with the interpreter detached, on the calling thread
/// together with `threads - 1` threads of the pool, and return each piece's result in input
/// order. Every thread takes the next piece from a shared counter until none is left, each with
/// its own `S` (scratch buffers). Pieces hold at most `chunk` items, and fewer towards the end
/// (what is left over twice the thread count, at least 8 items), so that the threads finish
/// together; the items of a piece do not depend on how the work was shared out. Between its
/// pieces the calling thread runs Python's signal handlers now and then ([`Interrupt`]): Ctrl-C
/// stops the batch with `KeyboardInterrupt` after the pieces under way.
///
/// Unlike [`run_detached`], the calling thread works instead of handing the batch to a pool
/// thread and sleeping until it is done: one thread fewer to wake and one hand-back fewer, and a
/// helper that starts late (on a shared virtual machine, tens of microseconds) only takes fewer
/// pieces. On batches of a few hundred short texts that hand-over was a large part of the time.
/// When the calling thread runs out of pieces while a helper still works on its last one, it
/// spins until the helper is done instead of going to sleep on rayon's latch (that wait, wake-up
/// included, took 9–20 µs a call on average here). Afterwards the helpers spin for a while
/// ([`set_spin`]), so that the next call finds them awake.
pub fn run_chunked<T, S, F>(py: Python<'_>, threads: usize, n: usize, chunk: usize, work: F) -> PyResult<Vec<T>>
where
    T: Send,
    S: Default,
    F: Fn(Range<usize>, &mut S) -> T + Sync,
{
    let chunk = chunk.max(1);
    let interrupt = Interrupt::new();
    if n <= chunk {
        return run_detached_here(py, || vec![work(0..n, &mut S::default())]);
    }
    if threads <= 1 {
        let done = run_detached_here(py, || {
            let (mut scratch, mut done) = (S::default(), Vec::new());
            let mut start = 0;
            while start < n && !interrupt.check() {
                let end = (start + chunk).min(n);
                done.push(work(start..end, &mut scratch));
                start = end;
            }
            done
        })?;
        interrupt.result()?;
        return Ok(done);
    }
    let pool = pool(threads)?;
    let helpers = threads.min(n.div_ceil(chunk)) - 1;
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, T)>> = Mutex::new(Vec::new());
    // Helpers that have started and that are done, for the calling thread's wait.
    let (started, finished) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let take_pieces = |caller: bool| {
        let (mut scratch, mut mine) = (S::default(), Vec::new());
        let mut start = next.load(Ordering::Relaxed);
        while start < n {
            if if caller { interrupt.check() } else { interrupt.stopped() } {
                break;
            }
            let end = (start + ((n - start) / (2 * threads)).clamp(chunk.min(8), chunk)).min(n);
            match next.compare_exchange_weak(start, end, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => {
                    mine.push((start, work(start..end, &mut scratch)));
                    start = next.load(Ordering::Relaxed);
                }
                Err(now) => start = now,
            }
        }
        done.lock().unwrap_or_else(PoisonError::into_inner).extend(mine);
    };
    let help = || {
        started.fetch_add(1, Ordering::AcqRel);
        take_pieces(false);
        finished.fetch_add(1, Ordering::Release);
    };
    caught(py.detach(|| {
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            pool.in_place_scope(|scope| {
                for _ in 0..helpers {
                    scope.spawn(|_| help());
                }
                take_pieces(true);
                // A helper that has not started by now finds no pieces left, so only those that
                // have started are waited for; rayon's scope still waits for the others.
                if let Some(until) = spin_deadline().filter(|_| threads <= available()) {
                    spin_until(until, false, || {
                        finished.load(Ordering::Acquire) < started.load(Ordering::Acquire)
                    });
                }
            })
        }))
    }))?;
    spin_after(&pool, helpers);
    interrupt.result()?;
    let mut done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
    done.sort_unstable_by_key(|(start, _)| *start);
    Ok(done.into_iter().map(|(_, t)| t).collect())
}

/// How long the helpers of a multi-thread batch spin after it, by default: 5 ms.
pub const DEFAULT_SPIN_US: u64 = 5_000;
/// The longest spin [`set_spin`] accepts: one second.
pub const MAX_SPIN_US: u64 = 1_000_000;

static SPIN_US: AtomicU64 = AtomicU64::new(DEFAULT_SPIN_US);
/// Counts the calls that took a pool; a spinning helper stops as soon as it changes.
static CALLS: AtomicU64 = AtomicU64::new(0);

/// Set how long (microseconds, at most [`MAX_SPIN_US`]) the helper threads of a multi-thread
/// batch keep spinning after it before they go to sleep. 0: they sleep at once.
pub fn set_spin(micros: u64) {
    SPIN_US.store(micros.min(MAX_SPIN_US), Ordering::Relaxed);
}

/// The current spin time in microseconds.
pub fn spin() -> u64 {
    SPIN_US.load(Ordering::Relaxed)
}

/// Keep `helpers` threads of `pool` (at most one per core beside the caller's) spinning until
/// the spin time is up or the next call takes a pool, whichever comes first. A sleeping thread
/// takes long to wake on a virtual machine (a median of 21–112 µs measured here, a tenth of the
/// wake-ups over 82 µs to 1.9 ms depending on the run: as long as a whole batch of a few hundred
/// sentences), so a stream of batches would pay it on every call; OpenMP runtimes spin before
/// sleeping for the same reason. The calling thread does not wait for this: the spin runs as a
/// detached task on the helpers, yielding its core to any other runnable thread now and then.
fn spin_after(pool: &ThreadPool, helpers: usize) {
    let Some(until) = spin_deadline() else {
        return;
    };
    let call = CALLS.load(Ordering::Relaxed);
    // No more spinning threads than the cores beside the caller's: with more threads than
    // cores (`n_jobs` above the core count), spinners would take turns with the caller's own
    // work instead of waiting beside it (libgomp cuts its default spin from 300,000 to 100
    // rounds when it has more threads than CPUs: GCC's libgomp manual, GOMP_SPINCOUNT).
    for _ in 0..helpers.min(available().saturating_sub(1)) {
        pool.spawn(move || spin_until(until, true, || CALLS.load(Ordering::Relaxed) == call));
    }
}

/// When a spin started now would end ([`set_spin`]), or `None` when spinning is off.
fn spin_deadline() -> Option<Instant> {
    let micros = spin();
    (micros > 0).then(|| Instant::now() + Duration::from_micros(micros))
}

/// Spin while `busy()` holds, until `until` at the latest, checking the clock (and, when
/// `yielding`, yielding the core to any other runnable thread) every 1,024 rounds.
fn spin_until(until: Instant, yielding: bool, busy: impl Fn() -> bool) {
    let mut rounds = 0u32;
    while busy() {
        std::hint::spin_loop();
        rounds = rounds.wrapping_add(1);
        if rounds % 1024 == 0 {
            if Instant::now() >= until {
                break;
            }
            if yielding {
                std::thread::yield_now();
            }
        }
    }
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
        .map(|p| p.by_threads.iter().map(|(t, _)| *t).collect())
        .unwrap_or_default();
    counts.sort_unstable();
    counts
}
