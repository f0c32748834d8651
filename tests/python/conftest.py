"""Shared fixtures: the corpus written for hawkdove (crates/hawkdove/data/corpus) and models
trained on part of it, once per test session."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import hawkdove

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "crates" / "hawkdove" / "data" / "corpus"


def read_corpus(name: str = "sanctions-trade-energy.tsv") -> list[dict[str, str]]:
    with open(CORPUS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="session")
def corpus() -> tuple[list[str], list[str], list[str]]:
    """(texts, stance labels, sentiment labels) of one corpus file (400 passages)."""
    rows = read_corpus()
    return (
        [r["text"] for r in rows],
        [r["stance"] for r in rows],
        [r["sentiment"] for r in rows],
    )


@pytest.fixture(scope="session")
def texts(corpus: tuple[list[str], list[str], list[str]]) -> list[str]:
    return corpus[0]


@pytest.fixture(scope="session")
def stance_labels(corpus: tuple[list[str], list[str], list[str]]) -> list[str]:
    return corpus[1]


@pytest.fixture(scope="session")
def stance_model(texts: list[str], stance_labels: list[str]) -> hawkdove.TextClassifier:
    """Three classes: conciliatory / hard-line / neutral."""
    return hawkdove.TextClassifier().fit(texts, stance_labels)


@pytest.fixture(scope="session")
def binary_data(texts: list[str], stance_labels: list[str]) -> tuple[list[str], list[str]]:
    keep = [i for i, label in enumerate(stance_labels) if label != "neutral"]
    return [texts[i] for i in keep], [stance_labels[i] for i in keep]


@pytest.fixture(scope="session")
def binary_model(binary_data: tuple[list[str], list[str]]) -> hawkdove.TextClassifier:
    """Two classes: conciliatory / hard-line."""
    return hawkdove.TextClassifier().fit(*binary_data)


@pytest.fixture(scope="session")
def int_labels(stance_labels: list[str]) -> np.ndarray:
    """Stance as ints whose string order differs from their numeric order."""
    codes = {"conciliatory": 2, "neutral": 10, "hard-line": 30}
    return np.array([codes[s] for s in stance_labels])


@pytest.fixture(scope="session")
def int_model(texts: list[str], int_labels: np.ndarray) -> hawkdove.TextClassifier:
    return hawkdove.TextClassifier().fit(texts, int_labels)


SAMPLES = [
    "The government imposed sweeping sanctions and froze the assets of the ministry.",
    "Both sides welcomed the talks and agreed to ease tariffs on grain.",
    "The delegation arrived on Tuesday for a scheduled meeting.",
    "Tokyo didn't condemn Beijing’s move — it called for “restraint”.",
    "",
]


@pytest.fixture()
def samples() -> list[str]:
    return list(SAMPLES)
