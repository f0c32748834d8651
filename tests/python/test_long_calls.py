"""Long calls (issue 25): Ctrl-C interrupts them promptly with KeyboardInterrupt (defect 6). Each
case runs in a subprocess of its own: signals are per process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc: Linux")

INTERRUPTED = r"""
import sys, time
import hawkdove
what, n_jobs = sys.argv[1], int(sys.argv[2])
m = hawkdove.stance(n_jobs=n_jobs)
sentence = "The ministry said talks would resume next week while officials threatened new sanctions. "
texts = [sentence * 10] * 200_000
doc = sentence * 700_000
print("ready", flush=True)
t = time.monotonic()
try:
    if what == "predict":
        m.predict_proba(texts)
    elif what == "transform":
        m.transform(texts)
    elif what == "score_document":
        m.score_document(doc, bootstrap=0)
except KeyboardInterrupt:
    print(f"KeyboardInterrupt after {time.monotonic() - t:.2f} s", flush=True)
    sys.exit(0)
except BaseException as e:
    print(f"{type(e).__name__}: {e}", flush=True)
    sys.exit(1)
print(f"finished uninterrupted after {time.monotonic() - t:.2f} s", flush=True)
sys.exit(2)
"""


@pytest.mark.parametrize(
    "what, n_jobs",
    [("predict", 1), ("predict", 2), ("transform", 2)],
)
def test_ctrl_c_interrupts_long_calls(what, n_jobs):
    # Issue 25, defect 6: KeyboardInterrupt came only when the Rust call returned, and the
    # process's first call to return a NumPy array raised PanicException instead.
    proc = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, what, str(n_jobs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(1.0)
        assert proc.poll() is None, proc.stdout.read()
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert "KeyboardInterrupt" in out and "PanicException" not in out, out
    assert took < 2.0, f"{what}: exited {took:.2f} s after SIGINT ({out.strip()})"
