"""The ``hawkdove`` command from Python (issue 24): ``python -m hawkdove`` runs the Rust program
(crates/hawkdove-cli) through ``hawkdove._hawkdove.cli_main``, with its exit codes, and Ctrl-C
stops it promptly."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import hawkdove._hawkdove as native
from _sigint import sigint_default
from hawkdove.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hawkdove", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


def test_python_m_hawkdove_scores_stdin():
    text = "Beijing must immediately stop its provocations.\n\nWe welcome the resumption of dialogue.\n"
    proc = run("score", "-", stdin=text)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["stance_label"] for r in rows] == ["hard-line", "conciliatory"]
    assert [r["text"] for r in rows] == [
        "Beijing must immediately stop its provocations.",
        "We welcome the resumption of dialogue.",
    ]
    assert float(rows[0]["stance_score"]) > 0 > float(rows[1]["stance_score"])


def test_same_scores_as_the_python_api():
    import hawkdove

    text = "The ministry condemned the provocation and froze assets.\n"
    proc = run("score", "--format", "jsonl", "--no-sentiment", "-", stdin=text)
    assert proc.returncode == 0, proc.stderr
    import json

    [row] = [json.loads(line) for line in proc.stdout.splitlines()]
    scores = hawkdove.stance().score_texts([text.strip()])
    assert row["stance"]["score"] == scores.scores.tolist()[0]


def test_exit_codes_and_help():
    proc = run("--help")
    assert proc.returncode == 0
    for sub in ("score", "explain", "train", "evaluate"):
        assert sub in proc.stdout
    assert "130" in proc.stdout
    assert run("score", "--no-such-option").returncode == 2
    bad = run("score", "--input-format", "jsonl", "-", stdin='{"text": 1}\n')
    assert bad.returncode == 3
    assert "<stdin>:1:" in bad.stderr


def test_main_returns_the_exit_code_in_process():
    assert main(["score", "/no/such/file.txt"]) == 1
    assert native.cli_main(["hawkdove", "--version"]) == 0


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("hawkdove")
    found = script if script.exists() else shutil.which("hawkdove")
    if found is None:
        pytest.skip("the hawkdove console script is not installed (pip install . creates it)")
    proc = subprocess.run([str(found), "score", "-"], input="We welcome dialogue.\n", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "conciliatory" in proc.stdout


@pytest.mark.skipif(sys.platform != "linux", reason="signals: Linux")
def test_ctrl_c_stops_python_m_hawkdove(tmp_path):
    # A long input: SIGINT must stop the program between batches, with exit code 130.
    sentence = "The ministry said talks would resume next week while officials threatened new sanctions."
    big = tmp_path / "big.txt"
    big.write_text((sentence + "\n\n") * 400_000, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hawkdove", "score", "--format", "csv", str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        preexec_fn=sigint_default,
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # the header: the program is running
    proc.stdout.readline()  # a first row: scoring is under way
    os.kill(proc.pid, signal.SIGINT)
    start = time.monotonic()
    try:
        proc.stdout.read()  # drain, so a full pipe does not block it
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
    assert code == 130, proc.stderr.read() if proc.stderr else ""
    assert time.monotonic() - start < 5


def test_timeline_with_a_plot_from_both_entry_points(tmp_path):
    # Issue 24's fresh-machine bar from Python: after pip install, the `hawkdove` console script
    # and `python -m hawkdove` run the worked example's timeline and draw it; both give the same
    # CSV, and the SVG parses.
    import xml.etree.ElementTree as ET

    script = Path(sys.executable).with_name("hawkdove")
    found = script if script.exists() else shutil.which("hawkdove")
    assert found is not None, "pip install of the wheel creates the hawkdove console script"
    args = ["timeline", "examples/timeline/halver_strait.csv", "--date-column", "date", "--by", "month"]
    outputs = []
    for entry in ([str(found)], [sys.executable, "-m", "hawkdove"]):
        svg = tmp_path / f"plot-{len(outputs)}.svg"
        proc = subprocess.run([*entry, *args, "--plot", str(svg)], capture_output=True, text=True,
                              cwd=ROOT, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert "shift from 2025-03-01" in proc.stderr, proc.stderr
        assert ET.parse(svg).getroot().tag.endswith("svg")
        outputs.append(proc.stdout)
    rows = list(csv.DictReader(io.StringIO(outputs[0])))
    assert len(rows) >= 12 and "score" in rows[0] and "lower" in rows[0]
    assert outputs[0] == outputs[1]
