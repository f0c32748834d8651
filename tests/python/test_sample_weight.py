"""``sample_weight`` in ``TextClassifier.fit`` and ``cross_validate`` (issue 23, item 3):
integer weights train the model of the repeated texts, a zero weight the model without the
text, and bad weights raise typed errors."""

from __future__ import annotations

import numpy as np
import pytest

import hawkdove

# Features that do not depend on how many texts hold a term (no idf, every term kept), so
# that repeating a text changes the loss only; tight tolerances so that both fits reach the
# optimum.
EXACT = {"use_idf": False, "tol": 1e-9, "max_iter": 20000}


def weights_for(n: int) -> np.ndarray:
    return np.array([[1, 2, 0, 3][i % 4] for i in range(n)], dtype=float)


def repeated(texts: list[str], labels: list[str], weights: np.ndarray) -> tuple[list[str], list[str]]:
    rows = [i for i, w in enumerate(weights) for _ in range(int(w))]
    return [texts[i] for i in rows], [labels[i] for i in rows]


@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("solver", ["auto", "lbfgs"])
def test_integer_weights_equal_repeated_texts(texts, stance_labels, binary_data, classes, solver):
    x, y = (texts, stance_labels) if classes == 3 else binary_data
    x, y = x[:160], y[:160]
    w = weights_for(len(x))
    params = {**EXACT, "solver": solver, "class_weight": "balanced"}
    weighted = hawkdove.TextClassifier(**params).fit(x, y, sample_weight=w)
    expanded = hawkdove.TextClassifier(**params).fit(*repeated(x, y, w))
    plain = hawkdove.TextClassifier(**params).fit(x, y)
    assert weighted.vocabulary_ == expanded.vocabulary_
    gap = np.abs(weighted.predict_proba(x) - expanded.predict_proba(x)).max()
    assert gap < 1e-4, gap
    assert np.abs(weighted.predict_proba(x) - plain.predict_proba(x)).max() > 1e-3


def test_zero_weight_drops_the_text(texts, stance_labels):
    x, y = texts[:120], stance_labels[:120]
    w = np.ones(len(x))
    w[::5] = 0.0
    kept = [i for i in range(len(x)) if w[i] > 0]
    # Default features: the dropped texts' terms must leave the vocabulary and the idf too.
    weighted = hawkdove.TextClassifier(tol=1e-9, max_iter=20000).fit(x, y, sample_weight=w)
    dropped = hawkdove.TextClassifier(tol=1e-9, max_iter=20000).fit(
        [x[i] for i in kept], [y[i] for i in kept]
    )
    assert weighted.vocabulary_ == dropped.vocabulary_
    np.testing.assert_allclose(weighted.predict_proba(x), dropped.predict_proba(x), atol=1e-6)


def test_weights_reach_calibration_and_cross_validation(texts, stance_labels):
    x, y = texts[:150], stance_labels[:150]
    w = weights_for(len(x))
    params = {**EXACT, "calibration_folds": 3}
    weighted = hawkdove.TextClassifier(**params).fit(x, y, sample_weight=w)
    plain = hawkdove.TextClassifier(**params).fit(x, y)
    assert weighted.temperature_ != plain.temperature_
    cv_weighted = hawkdove.cross_validate(x, y, folds=3, sample_weight=w, **EXACT)
    cv_plain = hawkdove.cross_validate(x, y, folds=3, **EXACT)
    assert cv_weighted["pooled"] != cv_plain["pooled"]
    with pytest.raises(hawkdove.InvalidSampleWeightError):
        hawkdove.cross_validate(x, y, folds=3, sample_weight=-w)


@pytest.mark.parametrize(
    ("weights", "kind"),
    [
        ([1.0, float("nan")], "invalid_sample_weight"),
        ([1.0, -0.5], "invalid_sample_weight"),
        ([float("inf"), 1.0], "invalid_sample_weight"),
        ([0.0, 0.0], "zero_sample_weights"),
    ],
)
def test_bad_weights_raise_typed_errors(weights, kind):
    x = ["froze assets and imposed sanctions", "welcomed talks and eased tariffs"]
    y = ["hard-line", "conciliatory"]
    with pytest.raises(hawkdove.InvalidSampleWeightError) as info:
        hawkdove.TextClassifier().fit(x, y, sample_weight=weights)
    assert info.value.kind == kind
    assert isinstance(info.value, ValueError)


def test_weight_shape_and_length_are_checked():
    x = ["froze assets and imposed sanctions", "welcomed talks and eased tariffs"]
    y = ["hard-line", "conciliatory"]
    with pytest.raises(hawkdove.LengthMismatchError):
        hawkdove.TextClassifier().fit(x, y, sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(hawkdove.InvalidSampleWeightError, match="one-dimensional"):
        hawkdove.TextClassifier().fit(x, y, sample_weight=[[1.0], [2.0]])
    with pytest.raises(hawkdove.InvalidSampleWeightError, match="numbers"):
        hawkdove.TextClassifier().fit(x, y, sample_weight=["a", "b"])


def test_sample_weight_works_in_a_scikit_learn_pipeline(texts, stance_labels):
    pipeline = pytest.importorskip("sklearn.pipeline")
    x, y = texts[:80], stance_labels[:80]
    w = weights_for(len(x)) + 1.0
    pipe = pipeline.make_pipeline(hawkdove.TextClassifier())
    pipe.fit(x, y, textclassifier__sample_weight=w)
    direct = hawkdove.TextClassifier().fit(x, y, sample_weight=w)
    np.testing.assert_array_equal(pipe.predict_proba(x), direct.predict_proba(x))
