"""Training progress and Ctrl-C (issue 23 item 4, issue 25 defect 6): ``fit``,
``cross_validate`` and ``Featurizer.fit_transform`` report their progress (``verbose=``) and
raise KeyboardInterrupt within 2 s of SIGINT, never PanicException, leaving a fitted estimator
as it was; and ``max_weight_bytes`` reaches the core."""

from __future__ import annotations

import io
import json
import sys

import pytest
from _sigint import assert_prompt, interrupt

import hawkdove
from hawkdove import _hawkdove
from hawkdove._progress import Reporter

INTERRUPTED = r"""
import random, sys, time
import hawkdove
what = sys.argv[1]
rng = random.Random(0)
words = [f"w{i}" for i in range(30_000)]

def corpus(n):
    texts = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(n)]
    labels = [str(i % 3) for i in range(n)]
    return texts, labels

# Weak regularization and a tight tolerance: the solver runs many iterations.
# (max_iter bounds one call: about a second for 600 texts, so the sizing below is quick.)
params = dict(C=1e4, class_weight=None, tol=1e-12, max_iter=20_000, n_jobs=2)
if what == "tune":
    # The defaults choose C and the class weight by cross-validation: interrupted while tuning.
    params = dict(tol=1e-6, max_iter=1_000_000, n_jobs=2)

def call(scale):
    texts, labels = corpus(600 * scale)
    if what in ("fit", "tune"):
        est.fit(texts, labels)
    elif what == "cross_validate":
        hawkdove.cross_validate(texts, labels, folds=2, **params)
    elif what == "fit_transform":
        hawkdove.Featurizer(hashing_bits=20, n_jobs=2).fit_transform(texts * 400)

est = hawkdove.TextClassifier(**params)
# Size one call to take about 10 s on this machine, whatever its speed or load, so that the
# signal lands inside a Rust call.
t = time.monotonic()
call(1)
one = max(time.monotonic() - t, 1e-3)
scale = max(1, min(200, round(10.0 / one)))
expected = scale * one
before = est.to_bytes() if what in ("fit", "tune") else None
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
    if what in ("fit", "tune"):
        print("unchanged" if est.to_bytes() == before else "CHANGED", flush=True)
    sys.exit(0)
except BaseException as e:
    print(f"{type(e).__name__}: {e}", flush=True)
    sys.exit(1)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="signals: Linux")
@pytest.mark.parametrize("what", ["fit", "tune", "cross_validate", "fit_transform"])
def test_ctrl_c_interrupts_training(what):
    returncode, out, took = interrupt(INTERRUPTED, [what], wait=1.5, timeout=60)
    assert returncode == 0, out
    assert_prompt(what, out, took)
    if what in ("fit", "tune"):
        assert "unchanged" in out, out


def _corpus(n=90, k=3):
    texts = [f"class{i % k} marker{i % k} item{i % 17} extra{i % 5}" for i in range(n)]
    labels = [f"c{i % k}" for i in range(n)]
    return texts, labels


def test_progress_events_arrive_in_order():
    texts, labels = _corpus()
    events: list[dict] = []
    _hawkdove.Model.train(texts, labels, progress=lambda e: events.append(json.loads(e)))
    # The defaults tune C and the class weight first: tuning's events, then the final fit's.
    kinds = [e["event"] for e in events]
    assert kinds[0] == "tune_started"
    assert events[1] == {"event": "fold_started", "purpose": "tuning", "fold": 0, "folds": 3}
    fitted = [e for e in events if e["event"] == "tune_fitted"]
    assert len(fitted) == events[0]["folds"] * events[0]["candidates"]
    events = events[kinds.index("tune_finished") + 1 :]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "featurize_started" and events[0]["texts"] == len(texts)
    assert kinds.index("featurized") < kinds.index("solver_started")
    iterations = [e["iteration"] for e in events if e["event"] == "solver_iteration"]
    assert iterations == list(range(1, len(iterations) + 1)) and iterations
    assert events[-1] == {"event": "solver_finished", "solver": "dual_cd", "iterations": iterations[-1]}

    events.clear()
    report = _hawkdove.cross_validate(
        texts, labels, None, 3, 0, progress=lambda e: events.append(json.loads(e))
    )
    assert json.loads(report)["folds"] == 3
    folds = [
        (e["event"], e["fold"])
        for e in events
        if e["event"].startswith("fold") and e["purpose"] == "cross_validation"
    ]
    assert folds == [(k, f) for f in range(3) for k in ("fold_started", "fold_finished")]


def test_an_error_in_the_progress_callback_stops_training():
    texts, labels = _corpus()
    est = hawkdove.TextClassifier().fit(texts, labels)
    before = est.to_bytes()

    def boom(_event: str) -> None:
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        _hawkdove.Model.train(texts, labels, progress=boom)
    assert est.to_bytes() == before


def test_verbose_shows_progress_and_quiet_is_quiet(capsys):
    texts, labels = _corpus()
    hawkdove.TextClassifier().fit(texts, labels)
    assert capsys.readouterr().err == ""
    hawkdove.TextClassifier(verbose=True).fit(texts, labels)
    err = capsys.readouterr().err
    assert "dual CD" in err and "featuriz" in err, err
    hawkdove.cross_validate(texts, labels, folds=3, verbose=True)
    err = capsys.readouterr().err
    assert "fold 3/3" in err, err


def test_plain_lines_without_tqdm():
    texts, labels = _corpus()
    out = io.StringIO()
    reporter = Reporter("fit", use_tqdm=False, stream=out, interval=0.0)
    _hawkdove.Model.train(texts, labels, progress=reporter)
    lines = out.getvalue().splitlines()
    assert lines[0] == "hawkdove fit: tuning", lines
    chose = [i for i, line in enumerate(lines) if line.startswith("hawkdove fit: tuning: chose C=")]
    assert len(chose) == 1, lines
    lines = lines[chose[0] + 1 :]
    assert lines[0] == "hawkdove fit: featurizing", lines
    assert any("dual CD: iteration 1 " in line for line in lines), lines
    assert lines[-1].startswith("hawkdove fit: dual CD: done after "), lines


def test_max_weight_bytes_reaches_the_core(tmp_path):
    texts, labels = _corpus()
    est = hawkdove.TextClassifier(max_weight_bytes=64)
    assert est.get_params()["max_weight_bytes"] == 64
    with pytest.raises(hawkdove.HawkdoveError, match="max_weight_bytes"):
        est.fit(texts, labels)
    default = hawkdove.TextClassifier().fit(texts, labels)
    assert default.max_weight_bytes == _hawkdove.DEFAULT_MAX_WEIGHT_BYTES
    # A raised limit is kept in the model file and read back.
    raised = hawkdove.TextClassifier(max_weight_bytes=2**40).fit(texts, labels)
    raised.save(tmp_path / "m.json")
    assert hawkdove.load(tmp_path / "m.json").max_weight_bytes == 2**40
    assert hawkdove.load(tmp_path / "m.json").get_params()["max_weight_bytes"] == 2**40
    with pytest.raises(hawkdove.InvalidParameterError):
        hawkdove.TextClassifier(max_weight_bytes=-1).fit(texts, labels)
