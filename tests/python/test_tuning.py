"""Self-tuning defaults (issue 23 item 2): ``TextClassifier()`` chooses ``C`` and the class
weight by internal stratified cross-validation; the choice and every setting's scores are
fitted attributes; fixed values turn it off; scikit-learn's tools keep working."""

from __future__ import annotations

import json
import pickle
import random

import numpy as np
import pytest

import hawkdove
from hawkdove import _hawkdove


def _corpus(n=150, seed=0, imbalanced=False):
    rng = random.Random(seed)
    filler = "the report said officials week statement minister today region plan".split()
    markers = [["alpha", "amber", "apex"], ["bravo", "birch", "bloom"], ["cobalt", "cedar", "crest"]]
    texts, labels = [], []
    for i in range(n):
        cls = (0 if i % 10 < 8 else 1 + (i // 10) % 2) if imbalanced else i % 3
        words = [rng.choice(filler) for _ in range(6)] + [rng.choice(markers[cls])]
        texts.append(" ".join(words))
        label = cls if rng.random() > 0.2 or imbalanced else rng.randrange(3)
        labels.append(f"class{label}")
    return texts, labels


def test_defaults_are_auto_and_the_choice_is_exposed():
    texts, labels = _corpus()
    est = hawkdove.TextClassifier()
    assert est.get_params()["C"] == "auto" and est.get_params()["class_weight"] == "auto"
    est.fit(texts, labels)
    assert est.C_ in (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
    assert est.class_weight_ in (None, "balanced")
    assert est.nb_alpha_ == 1.0
    res = est.cv_results_
    n = len(res["params"])
    assert n == 16
    for key in ("param_C", "mean_test_score", "std_test_score", "rank_test_score",
                "split0_test_score", "split2_test_score", "mean_test_log_loss", "n_iter"):
        assert len(res[key]) == n, key
    best = int(np.argmin(res["rank_test_score"]))
    assert res["mean_test_score"].max() == res["mean_test_score"][best]
    assert est.best_params_ == {"C": est.C_, "class_weight": est.class_weight_, "nb_alpha": 1.0}
    assert est.best_score_ >= res["mean_test_score"].max() - 0.002
    # The model equals the one trained with the chosen values fixed.
    fixed = hawkdove.TextClassifier(C=est.C_, class_weight=est.class_weight_).fit(texts, labels)
    np.testing.assert_array_equal(fixed.model_.weights(), est.model_.weights())
    assert fixed.C_ == est.C_ and not hasattr(fixed, "cv_results_")


def test_a_clearly_right_c_is_chosen():
    texts, labels = _corpus(200, imbalanced=True)
    # C = 1e-6 shrinks every weight: everything is predicted as the majority class.
    est = hawkdove.TextClassifier(class_weight=None)
    est.set_params(C="auto")
    est.fit(texts, labels)
    assert est.class_weight_ is None
    assert len(est.cv_results_["params"]) == 8
    fixed_tiny = hawkdove.TextClassifier(C=1e-6, class_weight=None).fit(texts, labels)
    assert fixed_tiny.C_ == 1e-6
    assert est.best_score_ > 0.9


def test_tuning_is_deterministic_across_n_jobs():
    texts, labels = _corpus(120, seed=1)
    models = [hawkdove.TextClassifier(n_jobs=n).fit(texts, labels).to_bytes() for n in (1, 2, -1)]
    assert models[0] == models[1] == models[2]


def test_sample_weights_equal_repeated_texts_under_tuning():
    texts, labels = _corpus(120, seed=2, imbalanced=True)
    weights = [1, 2, 3] * 40
    rep_t = [t for t, w in zip(texts, weights) for _ in range(w)]
    rep_l = [lab for lab, w in zip(labels, weights) for _ in range(w)]
    kw = dict(use_idf=False, weighting="binary", class_weight=None, tol=1e-10, max_iter=20_000)
    a = hawkdove.TextClassifier(**kw).fit(texts, labels, sample_weight=weights)
    b = hawkdove.TextClassifier(**kw).fit(rep_t, rep_l)
    assert a.C_ == b.C_
    np.testing.assert_allclose(a.predict_proba(texts), b.predict_proba(texts), atol=1e-4)


def test_pickle_and_files_keep_the_choice(tmp_path):
    texts, labels = _corpus()
    est = hawkdove.TextClassifier().fit(texts, labels)
    back = pickle.loads(pickle.dumps(est))
    assert back.C_ == est.C_ and back.best_params_ == est.best_params_
    np.testing.assert_array_equal(back.cv_results_["mean_test_score"], est.cv_results_["mean_test_score"])
    est.save(tmp_path / "m.json")
    loaded = hawkdove.load(tmp_path / "m.json")
    assert loaded.C_ == est.C_ and loaded.get_params()["C"] == "auto"
    np.testing.assert_array_equal(loaded.cv_results_["rank_test_score"], est.cv_results_["rank_test_score"])
    # The bundled models are trained with the recorded choice, not tuned again: they load as
    # fixed settings (bundled::recorded_choice, C = 8 with balanced weights).
    stance = hawkdove.stance()
    assert stance.C_ == 8.0 and stance.class_weight_ == "balanced"
    assert not hasattr(stance, "cv_results_")
    assert stance.get_params()["C"] == 8.0


def test_sklearn_clone_and_grid_search():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    texts, labels = _corpus(90, seed=3)
    est = hawkdove.TextClassifier()
    assert clone(est).get_params() == est.get_params()
    search = GridSearchCV(hawkdove.TextClassifier(class_weight=None), {"C": [1.0, 8.0]}, cv=3)
    search.fit(texts, labels)
    assert search.best_params_["C"] in (1.0, 8.0)
    assert search.best_estimator_.C_ == search.best_params_["C"]
    assert not hasattr(search.best_estimator_, "cv_results_")
    del sklearn


def test_cross_validate_with_auto_and_bad_values():
    texts, labels = _corpus(90, seed=4)
    report = hawkdove.cross_validate(texts, labels, folds=3)
    assert 0.0 <= report["mean_accuracy"] <= 1.0 and report["folds"] == 3
    with pytest.raises(ValueError):
        hawkdove.TextClassifier(C="often").fit(texts, labels)
    with pytest.raises(hawkdove.InvalidParameterError):
        hawkdove.TextClassifier(C=-1.0).fit(texts, labels)


def test_the_report_json_is_reachable_from_the_compiled_model():
    texts, labels = _corpus(60)
    model = _hawkdove.Model.train(texts, labels)
    report = json.loads(model.tuning())
    assert report["best"] is not None and report["folds"] == 3
    # Without "tune" in the JSON (files from before self-tuning too), settings are fixed.
    fixed = json.dumps({"logistic": {"c": 2.0}})
    assert _hawkdove.Model.train(texts, labels, fixed).tuning() is None
