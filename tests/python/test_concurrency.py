"""Threads and processes: several Python threads scoring with one model get the answers of one
thread; batch work releases the GIL; a process pool started after scoring does not hang."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import hawkdove
from hawkdove import _hawkdove

# Set in the parent before forking; read by the children (fork start method only).
_FORK_MODEL: hawkdove.TextClassifier | None = None


def test_threads_share_one_model(stance_model, texts):
    batches = [texts[i::8] for i in range(8)]
    expected = [stance_model.predict_proba(b) for b in batches]
    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(3):
            got = list(pool.map(stance_model.predict_proba, batches))
            for g, e in zip(got, expected):
                np.testing.assert_array_equal(g, e)
        explained = list(pool.map(stance_model.explain, texts[:24]))
    assert [e.score for e in explained] == list(stance_model.stance_score(texts[:24]))


def test_threads_fit_at_once(texts, stance_labels):
    def fit(c):
        return hawkdove.TextClassifier(C=c, n_jobs=1).fit(texts, stance_labels).to_bytes()

    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(fit, [1.0, 2.0, 4.0]))
    assert together == [fit(c) for c in (1.0, 2.0, 4.0)]


def test_batch_work_releases_the_gil(stance_model, texts):
    """A Python thread keeps running while a large batch is scored."""
    big = texts * 40
    ticks = 0
    done = threading.Event()

    def count():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        stance_model.model_.predict_batch(big, n_jobs=1)
    finally:
        done.set()
        counter.join()
    assert ticks > 10


@pytest.mark.parametrize("size", [0, 1, 2, 17, 300, 1001])
def test_batch_columns_identical_whatever_the_threads(stance_model, texts, size):
    """Batches are split into chunks shared by the calling thread and the pool's: every column
    comes back in input order, bit for bit the same for any thread count, whether the calling
    thread spins or sleeps while the helpers finish (spin 0)."""
    batch = [texts[i % len(texts)] + (" again" if i % 3 else "") for i in range(size)]
    if size > 2:
        batch[size // 2] = ""  # a text with no features among the others
    expected = stance_model.model_.predict_batch(batch, n_jobs=1)
    assert expected[0].shape == (size,) and expected[1].shape == (size, 3)
    try:
        for spin in (0.005, 0.0):
            hawkdove.set_thread_spin(spin)
            for n_jobs in (2, 3, -1, 64):
                got = stance_model.model_.predict_batch(batch, n_jobs=n_jobs)
                assert got[5] == expected[5]  # the abstentions (None: no policy)
                for g, e in zip(got[:5], expected[:5]):
                    assert g.dtype == e.dtype
                    np.testing.assert_array_equal(g, e)
    finally:
        hawkdove.set_thread_spin(0.005)
    single = [stance_model.model_.predict_batch([t], n_jobs=1) for t in batch[:40]]
    for i, one in enumerate(single):
        for column, e in zip(one[:5], expected[:5]):
            np.testing.assert_array_equal(column[0], e[i])


def test_thread_pools_are_cached_per_size(stance_model, samples):
    _hawkdove.clear_thread_pools()
    big = samples * (64 // len(samples) + 1)
    stance_model.model_.explain(samples[0])  # a one-thread pool
    stance_model.model_.transform(big, n_jobs=2)
    stance_model.model_.predict_batch(big, n_jobs=2)
    assert _hawkdove.thread_pools() == [1, 2]
    _hawkdove.clear_thread_pools()
    assert _hawkdove.thread_pools() == []
    stance_model.predict(big)  # n_jobs=None is one job (scikit-learn's): the calling thread
    assert _hawkdove.thread_pools() == []
    stance_model.model_.predict_batch(big, n_jobs=-1)  # pools start again on demand
    assert _hawkdove.thread_pools() == [_hawkdove.thread_count(None)]
    _hawkdove.clear_thread_pools()
    stance_model.model_.predict_batch(big, n_jobs=1)  # scored on the calling thread
    hawkdove.stance().predict(samples)  # below 64 texts: on the calling thread too
    assert _hawkdove.thread_pools() == []
    hawkdove.stance().predict(big)  # the bundled models use every core
    assert _hawkdove.thread_pools() == [_hawkdove.thread_count(None)]


def _live_threads() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads line in /proc/self/status")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_thread_pools_are_bounded_when_n_jobs_cycles(stance_model, samples):
    # Issue 25, defect 9: every distinct n_jobs kept its own pool (2..64 left 2,082 threads).
    _hawkdove.clear_thread_pools()
    time.sleep(0.2)
    before = _live_threads()
    big = samples * (256 // len(samples) + 1)
    for n_jobs in range(2, 65):
        stance_model.model_.predict_batch(big, n_jobs=n_jobs)
    kept = _hawkdove.thread_pools()
    assert len(kept) <= 4 and kept == [61, 62, 63, 64]
    # Dropped pools' threads exit once idle: wait for them, boundedly.
    deadline = time.monotonic() + 10
    while _live_threads() > before + sum(kept) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_threads() <= before + sum(kept)
    _hawkdove.clear_thread_pools()
    deadline = time.monotonic() + 10
    while _live_threads() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_threads() <= before


def test_n_jobs_is_capped(stance_model, samples):
    # Issue 25, defect 9: n_jobs=100000 silently became 1,024 threads.
    assert _hawkdove.thread_count(256) == 256
    for n_jobs in (257, 100_000):
        with pytest.raises(hawkdove.InvalidParameterError, match="at most 256 threads"):
            stance_model.model_.predict_batch(samples, n_jobs=n_jobs)
        with pytest.raises(ValueError):
            hawkdove.TextClassifier(n_jobs=n_jobs).fit(["a b", "c d"], ["x", "y"])


def test_thread_spin_setting_and_its_errors():
    assert hawkdove.get_thread_spin() == 0.005  # the default
    try:
        for seconds in (0, 0.0000004, 1, 1.0, 0.25):
            hawkdove.set_thread_spin(seconds)
            assert hawkdove.get_thread_spin() == round(seconds * 1e6) / 1e6
        for bad in (-0.001, 1.5, float("nan"), float("inf"), 10**400, "0.1", None, True, [0.1]):
            with pytest.raises(hawkdove.InvalidParameterError) as err:
                hawkdove.set_thread_spin(bad)
            assert err.value.parameter == "seconds"
            assert hawkdove.get_thread_spin() == 0.25  # unchanged
    finally:
        hawkdove.set_thread_spin(0.005)


def _cpu_while_sleeping(
    model: hawkdove.TextClassifier, batch: list[str], spin: float, n_jobs: int = 2
) -> float:
    """Process CPU seconds spent during a 0.2 s sleep right after a batch on ``n_jobs``."""
    hawkdove.set_thread_spin(spin)
    model.n_jobs = n_jobs
    try:
        model.predict(batch)
        start = time.process_time()
        time.sleep(0.2)
        return time.process_time() - start
    finally:
        hawkdove.set_thread_spin(0.005)
        model.n_jobs = None


def test_helpers_spin_after_a_batch_only_when_asked(stance_model, texts):
    batch = texts * 2
    # With a long spin, a helper thread keeps a core busy while the caller sleeps. The next call
    # ends that spin (the first call's helper would spin for a whole second), and with the spin
    # off none starts: the process is idle. (Generous bounds: CPU time, not speed, and the
    # spinning thread yields to other work, so a busy machine may give it only part of a core.)
    # Each figure is the best of three tries (the most CPU where a spin is expected, the least
    # where none is), so that other processes on a loaded machine do not decide the outcome.
    cores = _hawkdove.thread_count(None)
    spun = max(_cpu_while_sleeping(stance_model, batch, 1.0) for _ in range(3))
    if cores > 1:
        assert spun > 0.03
    else:
        assert min(_cpu_while_sleeping(stance_model, batch, 1.0) for _ in range(3)) < 0.03
    assert min(_cpu_while_sleeping(stance_model, batch, 0.0) for _ in range(3)) < 0.03
    # With more threads than cores, at most one helper per core beside the caller's spins: the
    # 63 helpers of n_jobs=64 would otherwise fill every core.
    many = min(_cpu_while_sleeping(stance_model, batch * 4, 1.0, n_jobs=64) for _ in range(3))
    assert many < (cores - 1) * 0.2 + 0.08
    # Answers stay the same while helpers spin between calls on pools of other sizes.
    hawkdove.set_thread_spin(1.0)
    try:
        expected = stance_model.predict_proba(batch)
        for n_jobs in (2, 1, 3, 2):
            stance_model.n_jobs = n_jobs
            np.testing.assert_array_equal(stance_model.predict_proba(batch), expected)
        _hawkdove.clear_thread_pools()  # spinning helpers do not keep the pools alive
        assert _hawkdove.thread_pools() == []
    finally:
        hawkdove.set_thread_spin(0.005)
        stance_model.n_jobs = None


def _score_in_child(batch: list[str]) -> list[float]:
    assert _FORK_MODEL is not None
    return _FORK_MODEL.stance_score(batch).tolist()


def _score_pickled(args: tuple[hawkdove.TextClassifier, list[str]]) -> list[float]:
    est, batch = args
    return est.stance_score(batch).tolist()


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_fork_after_scoring_does_not_hang(stance_model, texts):
    global _FORK_MODEL
    _FORK_MODEL = stance_model
    batches = [texts[i::4] * 3 for i in range(4)]  # large enough to use every thread
    expected = [stance_model.stance_score(b).tolist() for b in batches]  # pools now busy
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        result = pool.map_async(_score_in_child, batches)
        got = result.get(timeout=60)
    assert got == expected
    _FORK_MODEL = None


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_os_fork_child_scores(stance_model, texts):
    expected = stance_model.stance_score(texts)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: score with fresh pools, report, exit without pytest's cleanup
        try:
            fresh = _hawkdove.thread_pools() == []  # the parent's pools are not reused
            ok = fresh and np.array_equal(stance_model.stance_score(texts), expected)
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        pytest.fail("the forked child hung")
    assert os.read(read, 1) == b"1"
    os.close(read)


def test_spawned_process_pool(stance_model, texts):
    """Models travel to spawned workers by pickling (the versioned bytes)."""
    batches = [texts[i::2][:40] for i in range(2)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        got = pool.map_async(_score_pickled, [(stance_model, b) for b in batches]).get(timeout=120)
    assert got == [stance_model.stance_score(b).tolist() for b in batches]
