"""scikit-learn integration: clone, cross_val_score, GridSearchCV, Pipeline."""

from __future__ import annotations

import numpy as np
import pytest

import hawkdove

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402


def test_params_are_stored_unchanged_and_clone(stance_model):
    est = hawkdove.TextClassifier(C=2.0, ngram_range=(1, 3), class_weight={"neutral": 2.0})
    assert est.get_params()["ngram_range"] == (1, 3)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert copy is not est
    fitted_copy = clone(stance_model)
    assert not hasattr(fitted_copy, "classes_")
    assert is_classifier(est)
    assert est.set_params(C=3.0) is est and est.C == 3.0
    with pytest.raises(ValueError):
        est.set_params(not_a_param=1)


def test_positional_arguments_are_refused():
    with pytest.raises(TypeError):
        hawkdove.TextClassifier(8.0)  # type: ignore[misc]


def test_cross_val_score(texts, stance_labels):
    scores = cross_val_score(hawkdove.TextClassifier(), texts, stance_labels, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.5)


def test_cross_val_score_int_labels(texts, int_labels):
    scores = cross_val_score(hawkdove.TextClassifier(), texts, int_labels, cv=3)
    assert np.all(scores > 0.5)


def test_grid_search(texts, stance_labels):
    grid = GridSearchCV(
        hawkdove.TextClassifier(),
        {"C": [1.0, 8.0], "ngram_range": [(1, 1), (1, 2)]},
        cv=2,
    )
    grid.fit(texts, stance_labels)
    assert set(grid.best_params_) == {"C", "ngram_range"}
    assert grid.best_estimator_.predict(texts[:3]).shape == (3,)
    assert 0.5 < grid.best_score_ <= 1.0


def test_grid_search_binary_roc_auc(binary_data):
    texts, labels = binary_data
    grid = GridSearchCV(hawkdove.TextClassifier(), {"C": [1.0, 4.0]}, cv=2, scoring="roc_auc")
    grid.fit(texts, labels)  # roc_auc uses decision_function
    assert grid.best_score_ > 0.7


def test_pipeline(texts, stance_labels, samples):
    pipe = Pipeline(
        [
            ("lower", FunctionTransformer(lambda xs: [x.lower() for x in xs])),
            ("clf", hawkdove.TextClassifier(C=4.0)),
        ]
    )
    pipe.fit(texts, stance_labels)
    assert pipe.predict(samples).shape == (5,)
    assert pipe.predict_proba(samples).shape == (5, 3)
    assert pipe.decision_function(samples).shape == (5, 3)
    assert pipe.named_steps["clf"].stance_score(samples).shape == (5,)
    assert pipe.score(texts, stance_labels) > 0.8
    pipe.set_params(clf__C=1.0)
    assert pipe.named_steps["clf"].C == 1.0


def test_featurizer_in_a_pipeline_with_sklearn(binary_data, samples):
    texts, labels = binary_data
    pipe = make_pipeline(hawkdove.Featurizer(), LogisticRegression(C=10.0, solver="liblinear"))
    scores = cross_val_score(pipe, texts, labels, cv=3)
    assert np.all(scores > 0.6)
    pipe.fit(texts, labels)
    assert pipe.predict(samples).shape == (5,)
    assert clone(pipe).get_params()["featurizer__ngram_range"] == (1, 2)


def test_score_is_accuracy(stance_model, texts, stance_labels):
    expected = np.mean(stance_model.predict(texts) == np.array(stance_labels))
    assert stance_model.score(texts, stance_labels) == pytest.approx(expected)
