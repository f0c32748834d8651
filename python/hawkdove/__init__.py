"""hawkdove: score foreign-policy text as conciliatory or hard-line, and by sentiment.

Score passages with the bundled models in one line (:func:`stance`, :func:`sentiment`,
:func:`score`, :func:`score_document`), follow a collection's score over time with
:func:`timeline` and :func:`plot_timeline`, or train your own with :class:`TextClassifier` (scikit-learn's estimator interface), turn
texts into sparse features with :class:`Featurizer`, and see why a passage got its score with
:meth:`TextClassifier.explain`. Batch work runs in Rust on several threads without the GIL
(``n_jobs``); every class pickles through hawkdove's versioned model format.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from hawkdove import _hawkdove, _inputs, _params, _progress
from hawkdove._base import NotFittedError
from hawkdove._hawkdove import (
    FORMAT_VERSION,
    DimensionMismatchError,
    EmptyTrainingSetError,
    EmptyVocabularyError,
    HawkdoveError,
    HawkdoveIOError,
    InvalidParameterError,
    InvalidSampleWeightError,
    LengthMismatchError,
    ModelFormatError,
    SingleClassError,
    TextTooLargeError,
    UnknownLabelError,
    UnsupportedFormatVersionError,
    __version__,
    get_thread_spin,
    set_thread_spin,
)
from hawkdove.bundled import score, score_document, sentiment, stance
from hawkdove.classifier import Scores, TextClassifier
from hawkdove.document import DocumentScore, DocumentScores
from hawkdove.explain import Explanation
from hawkdove.featurizer import CsrArrays, Featurizer
from hawkdove._timeline import TimelineResult, plot_timeline, timeline


def load(path: Any) -> TextClassifier:
    """Read a model file (written by :meth:`TextClassifier.save` or the Rust library)."""
    return TextClassifier.load(path)


def read_lexicon(path: Any) -> list[tuple[str, str]]:
    """Read a lexicon file (``pole<TAB>phrase`` lines, ``#`` comments) as the ``(pole,
    phrase)`` pairs the ``lexicon`` parameter takes."""
    with open(path, encoding="utf-8") as f:
        return _hawkdove.parse_lexicon(f.read())


def cross_validate(
    texts: Any,
    labels: Any,
    *,
    folds: int = 5,
    seed: int = 0,
    n_jobs: int | None = None,
    sample_weight: Any = None,
    verbose: bool | int = False,
    **params: Any,
) -> dict[str, Any]:
    """Stratified ``folds``-fold cross-validation of a :class:`TextClassifier` with keyword
    arguments ``params``, computed in Rust: per-fold and pooled accuracy, macro-F1, per-class
    precision/recall/F1, confusion matrix, Brier score, log loss and calibration error (labels
    appear as str in the report). ``sample_weight`` (one per text) weighs every fold's
    training texts as :meth:`TextClassifier.fit` does; the test metrics count each text once.
    ``verbose=True`` shows each fold's progress (tqdm when installed); Ctrl-C raises
    ``KeyboardInterrupt`` within about a second."""
    est = TextClassifier(**params)
    folds = _params.count("folds", folds)
    y, int_labels = _inputs.labels(labels)
    classes = np.unique(y)
    core_labels = y.astype(str) if int_labels else y
    texts = _inputs.texts(texts)
    params_json = est._params_json(classes, int_labels)  # noqa: SLF001
    weights = _inputs.sample_weight(sample_weight)
    report = _progress.run(
        verbose,
        "cross_validate",
        lambda progress: _hawkdove.cross_validate(
            texts,
            core_labels,
            params_json,
            folds,
            seed,
            n_jobs=n_jobs,
            sample_weight=weights,
            progress=progress,
        ),
    )
    return json.loads(report)  # type: ignore[no-any-return]


__all__ = [
    "FORMAT_VERSION",
    "CsrArrays",
    "DimensionMismatchError",
    "DocumentScore",
    "DocumentScores",
    "EmptyTrainingSetError",
    "EmptyVocabularyError",
    "Explanation",
    "Featurizer",
    "HawkdoveError",
    "HawkdoveIOError",
    "InvalidParameterError",
    "InvalidSampleWeightError",
    "LengthMismatchError",
    "ModelFormatError",
    "NotFittedError",
    "Scores",
    "SingleClassError",
    "TextClassifier",
    "TextTooLargeError",
    "TimelineResult",
    "UnknownLabelError",
    "UnsupportedFormatVersionError",
    "__version__",
    "cross_validate",
    "get_thread_spin",
    "load",
    "plot_timeline",
    "read_lexicon",
    "score",
    "score_document",
    "sentiment",
    "set_thread_spin",
    "stance",
    "timeline",
]
