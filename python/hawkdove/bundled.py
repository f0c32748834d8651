"""The models bundled with hawkdove, trained on the corpus the project writes and ships
(``crates/hawkdove/data/corpus``), and one-line scoring with them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Union, overload

from hawkdove import _hawkdove
from hawkdove.classifier import Scores, TextClassifier
from hawkdove.document import DocumentScore, DocumentScores

ModelLike = Union[str, TextClassifier]


@lru_cache(maxsize=2)
def _compiled(name: str) -> _hawkdove.Model:
    # Read once per process; the compiled model is immutable and safe to share.
    return _hawkdove.Model.bundled(name)


def _all_cores(n_jobs: int | None) -> int:
    # The one-line helpers assume hawkdove is the only thing running: None means every core
    # (the estimators themselves follow scikit-learn: None is one job).
    return -1 if n_jobs is None else n_jobs


def stance(*, n_jobs: int | None = None) -> TextClassifier:
    """The bundled stance model, fitted: classes ``conciliatory``, ``hard-line``,
    ``neutral``; score = P(hard-line) − P(conciliatory). ``n_jobs`` None means every core
    (the returned estimator has ``n_jobs=-1``); pass 1 inside Dask, Spark or Ray workers."""
    return TextClassifier.from_model(_compiled("stance"), n_jobs=_all_cores(n_jobs))


def sentiment(*, n_jobs: int | None = None) -> TextClassifier:
    """The bundled sentiment model, fitted: classes ``negative``, ``neutral``, ``positive``;
    score = P(positive) − P(negative). ``n_jobs`` None means every core."""
    return TextClassifier.from_model(_compiled("sentiment"), n_jobs=_all_cores(n_jobs))


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
    (:meth:`Scores.to_frame` for a pandas DataFrame, keeping a Series' index). With a bundled
    model, ``n_jobs`` None means every core; a TextClassifier given as ``model`` keeps its own
    ``n_jobs``."""
    return _resolve(model, n_jobs).score_texts(texts)


@overload
def score_document(
    text: str, model: ModelLike = ..., *, n_jobs: int | None = ..., **options: Any
) -> DocumentScore: ...
@overload
def score_document(
    text: Any, model: ModelLike = ..., *, n_jobs: int | None = ..., **options: Any
) -> DocumentScores: ...
def score_document(
    text: Any, model: ModelLike = "stance", *, n_jobs: int | None = None, **options: Any
) -> DocumentScore | DocumentScores:
    """Cut a document into passages, score each, and aggregate with a bootstrap interval
    (``options``: ``segmentation``, ``bootstrap``, ``confidence``, ``seed``; see
    :meth:`TextClassifier.score_document`). A batch of documents (a pandas Series, list or
    array) gives :class:`DocumentScores`, whose ``to_frame()`` keeps the Series' index."""
    scored: DocumentScore | DocumentScores = _resolve(model, n_jobs).score_document(text, **options)
    return scored
