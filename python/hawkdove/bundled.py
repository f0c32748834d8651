"""The models bundled with hawkdove, trained on the corpus the project writes and ships
(``crates/hawkdove/data/corpus``), and one-line scoring with them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Union

from hawkdove import _hawkdove
from hawkdove.classifier import Scores, TextClassifier
from hawkdove.document import DocumentScore

ModelLike = Union[str, TextClassifier]


@lru_cache(maxsize=2)
def _compiled(name: str) -> _hawkdove.Model:
    # Read once per process; the compiled model is immutable and safe to share.
    return _hawkdove.Model.bundled(name)


def stance(*, n_jobs: int | None = None) -> TextClassifier:
    """The bundled stance model, fitted: classes ``conciliatory``, ``hard-line``,
    ``neutral``; score = P(hard-line) − P(conciliatory)."""
    return TextClassifier.from_model(_compiled("stance"), n_jobs=n_jobs)


def sentiment(*, n_jobs: int | None = None) -> TextClassifier:
    """The bundled sentiment model, fitted: classes ``negative``, ``neutral``, ``positive``;
    score = P(positive) − P(negative)."""
    return TextClassifier.from_model(_compiled("sentiment"), n_jobs=n_jobs)


def _resolve(model: ModelLike, n_jobs: int | None) -> TextClassifier:
    if isinstance(model, TextClassifier):
        return model
    if model == "stance":
        return stance(n_jobs=n_jobs)
    if model == "sentiment":
        return sentiment(n_jobs=n_jobs)
    raise ValueError(
        f"model must be 'stance', 'sentiment' or a fitted TextClassifier, got {model!r}"
    )


def score(texts: Any, model: ModelLike = "stance", *, n_jobs: int | None = None) -> Scores:
    """Score a batch of passages: labels, probabilities and scores as NumPy arrays
    (:meth:`Scores.to_frame` for a pandas DataFrame)."""
    return _resolve(model, n_jobs).score_texts(texts)


def score_document(
    text: str, model: ModelLike = "stance", *, n_jobs: int | None = None, **options: Any
) -> DocumentScore:
    """Cut a document into passages, score each, and aggregate with a bootstrap interval
    (``options``: ``segmentation``, ``bootstrap``, ``confidence``, ``seed``; see
    :meth:`TextClassifier.score_document`)."""
    return _resolve(model, n_jobs).score_document(text, **options)
