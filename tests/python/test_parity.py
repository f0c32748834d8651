"""Parity with Rust: the same model files and texts scored by the ``hawkdove`` command
(``hawkdove score --format jsonl``, crates/hawkdove-cli) and from Python give identical labels
and scores."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import hawkdove

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "examples" / "texts" / "sanctions-shift.txt"

pytestmark = pytest.mark.skipif(shutil.which("cargo") is None, reason="needs cargo")


def classify(*args: str) -> list[dict]:
    command = ["cargo", "run", "--release", "--quiet", "-p", "hawkdove-cli", "--bin", "hawkdove", "--"]
    proc = subprocess.run(
        [*command, "score", "--quiet", "--format", "jsonl", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def test_bundled_models_document_parity():
    passages = classify(str(ARTICLE))
    [summary] = classify("--per", "document", str(ARTICLE))
    text = ARTICLE.read_text(encoding="utf-8")
    for axis, model in (("stance", hawkdove.stance()), ("sentiment", hawkdove.sentiment())):
        doc = model.score_document(text)
        assert [p[axis]["label"] for p in passages] == [p["label"] for p in doc.passages]
        assert [p[axis]["score"] for p in passages] == [p["score"] for p in doc.passages]
        assert [p["text"] for p in passages] == [p["text"] for p in doc.passages]
        assert summary[axis]["score"] == doc.score
        assert tuple(summary[axis]["interval"]) == doc.interval


def test_saved_model_parity(stance_model, binary_model, texts, tmp_path):
    lines = [t.strip() for t in texts[:60] if t.strip()]
    data = tmp_path / "passages.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stance_file, other_file = tmp_path / "stance.json", tmp_path / "binary.json"
    stance_model.save(stance_file)
    binary_model.save(other_file)
    rows = classify("--lines", "--drivers", "0", "--model", str(stance_file), "--sentiment-model", str(other_file), str(data))
    assert [r["text"] for r in rows] == lines
    for key, est in (("stance", stance_model), ("sentiment", binary_model)):
        scores = est.score_texts(lines)
        assert [r[key]["label"] for r in rows] == scores.labels.tolist()
        assert [r[key]["score"] for r in rows] == scores.scores.tolist()
        proba = [[r[key]["probabilities"][c] for c in est.classes_] for r in rows]
        assert proba == scores.probabilities.tolist()
