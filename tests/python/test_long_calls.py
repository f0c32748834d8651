"""Long calls (issue 25): Ctrl-C interrupts them promptly with KeyboardInterrupt (defect 6), and
scoring a long document keeps memory bounded by its output (defect 12). Each case runs in a
subprocess of its own: signals and peak memory are per process."""

from __future__ import annotations

import subprocess
import sys

import pytest
from _sigint import assert_prompt, interrupt

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc: Linux")

INTERRUPTED = r"""
import sys, time
import hawkdove
what, n_jobs = sys.argv[1], int(sys.argv[2])
m = hawkdove.stance(n_jobs=n_jobs)
sentence = "The ministry said talks would resume next week while officials threatened new sanctions. "

def call(scale):
    if what == "predict":
        m.predict_proba([sentence * 10] * (20_000 * scale))
    elif what == "transform":
        m.transform([sentence * 10] * (20_000 * scale))
    elif what == "score_document":
        m.score_document(sentence * (70_000 * scale), bootstrap=0)

# Size one call to take about 10 s on this machine, whatever its speed or load, so that the
# signal lands inside a Rust call and an unhonoured Ctrl-C would show as a late exit.
t = time.monotonic()
call(1)
one = max(time.monotonic() - t, 1e-3)
scale = max(1, min(60, round(10.0 / one)))
expected = scale * one
in_call = False
print("ready", flush=True)
try:
    while True:
        in_call = True
        t = time.monotonic()
        call(scale)
        in_call = False
except KeyboardInterrupt:
    where = "inside a call" if in_call else "between calls"
    print(f"KeyboardInterrupt {where} after {time.monotonic() - t:.2f} s of a {expected:.2f} s call", flush=True)
    sys.exit(0)
except BaseException as e:
    print(f"{type(e).__name__}: {e}", flush=True)
    sys.exit(1)
"""


@pytest.mark.parametrize(
    "what, n_jobs",
    [("predict", 1), ("predict", 2), ("transform", 2), ("score_document", 1), ("score_document", 2)],
)
def test_ctrl_c_interrupts_long_calls(what, n_jobs):
    # Issue 25, defect 6: KeyboardInterrupt came only when the Rust call returned, and the
    # process's first call to return a NumPy array raised PanicException instead.
    returncode, out, took = interrupt(INTERRUPTED, [what, str(n_jobs)], wait=1.0, timeout=30)
    assert returncode == 0, out
    assert_prompt(what, out, took)


FIRST_CALL = r"""
import sys
import hawkdove
m = hawkdove.stance(n_jobs=1)
print("ready", flush=True)
try:
    # The process's first call that returns a NumPy array, long enough to be interrupted
    # (about a minute if Ctrl-C were ignored).
    m.predict_proba(["The ministry said talks would resume next week. " * 10] * 3_000_000)
    print("returned", flush=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
except BaseException as e:
    print(f"{type(e).__name__}: {e}", flush=True)
"""


def test_ctrl_c_in_the_first_call_returning_an_array_is_a_keyboard_interrupt():
    # Issue 25, defect 6, as reproduced: when the interrupted call was the process's first to
    # return a NumPy array, pyo3 raised PanicException ("Failed to access NumPy array API
    # capsule"), which escapes `except Exception`. No warm-up call here.
    returncode, out, took = interrupt(FIRST_CALL, [], wait=1.0, timeout=120)
    assert returncode == 0, out
    assert out.strip().splitlines()[-1] == "KeyboardInterrupt", out
    assert took < 2.0, f"exited {took:.2f} s after SIGINT ({out.strip()})"


MEMORY = r"""
import sys
import hawkdove
what, mb = sys.argv[1], float(sys.argv[2])
m = hawkdove.stance(n_jobs=2)
m.score_document("Warm up. Two sentences.")
m.explain("Warm up.")
block = ("The ministry said talks would resume next week. Officials threatened new sanctions! "
         "Both sides agreed to a ceasefire, and diplomats welcomed the move. ")
text = block * int(mb * 1e6 / len(block))  # one paragraph
def status(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key + ":"))
# VmHWM, not ru_maxrss: the latter survives exec and so starts at the parent's size.
base = status("VmRSS")
if what == "score_document":
    result = m.score_document(text, bootstrap=100)
    output = len(result) * (8 * 9 + 1 + 8 * len(m.classes_))  # the columns kept
else:
    result = m.explain(text)
    output = 0
peak = status("VmHWM")
print(len(text.encode()), peak - base, output, len(result) if what == "score_document" else 0)
"""


def _memory(what: str, mb: float) -> tuple[int, int, int, int]:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY, what, str(mb)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout.split()
    text_bytes, growth, output, n = (int(x) for x in out)
    return text_bytes, growth, output, n


def test_score_document_memory_is_bounded_by_its_output():
    # Issue 25, defect 12: score_document on a 50 MB text used 4.6 GB. Peak growth is now the
    # text's copy in Rust, one chunk of passages and the columns kept; before, a 25 MB paragraph
    # grew the process by 1,004 MB for 42 MB of columns (a table of every character, the
    # passages' JSON and a dict per passage).
    text_bytes, growth, output, n = _memory("score_document", 20)
    assert n > 200_000
    bound = 2 * text_bytes + 3 * output + 32_000_000
    assert growth < bound, f"peak growth {growth / 1e6:.0f} MB > {bound / 1e6:.0f} MB"
