"""scikit-learn's conventions (issue 26): decision_function as scikit-learn defines it, the
stance score under its own name, CalibratedClassifierCV and roc_auc, the estimator checks that
apply to text input, n_jobs=None as one job, tags, set_output, pandas indexes, and a fast
``import hawkdove``."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import hawkdove
from conftest import read_corpus

sklearn = pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")
joblib = pytest.importorskip("joblib")
scipy = pytest.importorskip("scipy")
import scipy.sparse  # noqa: E402
from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.metrics import get_scorer, roc_auc_score  # noqa: E402
from sklearn.model_selection import cross_val_predict  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.utils import estimator_checks as checks  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

# -- decision_function and stance_score -------------------------------------------------------


def test_decision_function_is_per_class_log_probability(stance_model, samples):
    d = stance_model.decision_function(samples)
    assert d.shape == (5, 3) and d.dtype == np.float64
    np.testing.assert_allclose(d, np.log(stance_model.predict_proba(samples)))
    np.testing.assert_array_equal(stance_model.classes_[d.argmax(axis=1)], stance_model.predict(samples))
    assert stance_model.decision_function([]).shape == (0, 3)
    s = stance_model.stance_score(samples)
    assert s.shape == (5,) and np.all(np.abs(s) <= 1)
    np.testing.assert_array_equal(s, stance_model.score_texts(samples).scores)


def test_binary_decision_function_points_to_classes_1_whatever_the_poles(binary_data, samples):
    texts, labels = binary_data
    reversed_poles = hawkdove.TextClassifier(poles=("hard-line", "conciliatory")).fit(texts, labels)
    assert list(reversed_poles.classes_) == ["conciliatory", "hard-line"]
    proba = reversed_poles.predict_proba(samples)
    d = reversed_poles.decision_function(samples)
    assert d.shape == (5,)
    np.testing.assert_allclose(d, np.log(proba[:, 1]) - np.log(proba[:, 0]))
    np.testing.assert_array_equal(d > 0, reversed_poles.predict(samples) == "hard-line")
    # The score still leans toward poles[1] = conciliatory: the opposite sign.
    np.testing.assert_allclose(reversed_poles.stance_score(samples), 2 * proba[:, 0] - 1)
    x = reversed_poles.transform(samples)
    np.testing.assert_allclose(d, (x @ reversed_poles.coef_.T + reversed_poles.intercept_)[:, 0], atol=1e-5)


def test_roc_auc_scorer_with_reversed_poles(binary_data):
    texts, labels = binary_data
    train, test = slice(0, None, 2), slice(1, None, 2)
    y_test = np.array(labels[test])
    aucs = []
    for poles in (None, ("hard-line", "conciliatory")):
        est = hawkdove.TextClassifier(poles=poles).fit(texts[train], labels[train])
        auc = get_scorer("roc_auc")(est, texts[test], y_test)
        expected = roc_auc_score(y_test == est.classes_[1], est.predict_proba(texts[test])[:, 1])
        assert auc == pytest.approx(expected)
        aucs.append(auc)
    assert aucs[0] == pytest.approx(aucs[1]) and aucs[0] > 0.8  # was 1 - AUC with reversed poles


@pytest.fixture(scope="module")
def larger_split() -> tuple[list[str], list[str], list[str], list[str]]:
    rows = [r for name in ("sanctions-trade-energy.tsv", "arms-control-nuclear.tsv",
                           "conflict-peace-humanitarian.tsv", "diplomacy-espionage-summits.tsv")
            for r in read_corpus(name)]
    texts = [r["text"] for r in rows]
    labels = [r["stance"] for r in rows]
    return texts[0::2], labels[0::2], texts[1::2], labels[1::2]


def test_calibrated_classifier_cv_keeps_the_accuracy(larger_split):
    x_train, y_train, x_test, y_test = larger_split
    plain = hawkdove.TextClassifier().fit(x_train, y_train)
    calibrated = CalibratedClassifierCV(hawkdove.TextClassifier(), cv=3).fit(x_train, y_train)
    acc_plain = np.mean(plain.predict(x_test) == np.array(y_test))
    acc_calibrated = np.mean(calibrated.predict(x_test) == np.array(y_test))
    assert acc_plain > 0.6
    assert abs(acc_calibrated - acc_plain) <= 0.02, (acc_plain, acc_calibrated)
    proba = calibrated.predict_proba(x_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)


def test_cross_val_predict_decision_function(texts, stance_labels):
    d = cross_val_predict(hawkdove.TextClassifier(), texts, stance_labels, cv=3, method="decision_function")
    assert d.shape == (len(texts), 3)


# -- the estimator checks that apply to text input ------------------------------------------------

ESTIMATORS = [hawkdove.TextClassifier(), hawkdove.Featurizer()]
API_CHECKS = [
    checks.check_estimator_cloneable,
    checks.check_estimator_tags_renamed,
    checks.check_valid_tag_types,
    checks.check_estimator_repr,
    checks.check_no_attributes_set_in_init,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_parameters_default_constructible,
    checks.check_get_params_invariance,
    checks.check_set_params,
]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_sklearn_api_checks(estimator, check):
    check(type(estimator).__name__, clone(estimator))


def test_tags_say_one_dimensional_text():
    tags = sklearn.utils.get_tags(hawkdove.TextClassifier())
    assert tags.input_tags.string and tags.input_tags.one_d_array
    assert not tags.input_tags.two_d_array
    assert tags.estimator_type == "classifier" and tags.target_tags.required
    assert is_classifier(hawkdove.TextClassifier()) and not is_classifier(hawkdove.Featurizer())
    assert sklearn.utils.get_tags(hawkdove.Featurizer()).transformer_tags is not None


@pytest.mark.parametrize("make", [hawkdove.TextClassifier, hawkdove.Featurizer])
def test_text_versions_of_the_legacy_checks(make, texts, stance_labels):
    # check_estimators_unfitted, check_fit_check_is_fitted, fit returns self, check_dict_unchanged,
    # check_fit_idempotent, check_methods_sample_order_invariance and _subset_invariance, with
    # texts where scikit-learn's versions generate numeric arrays.
    x, y = texts[:200], stance_labels[:200]
    est = make()
    method = "predict_proba" if is_classifier(est) else "transform"
    with pytest.raises(hawkdove.NotFittedError):
        getattr(est, method)(x)
    with pytest.raises(sklearn.exceptions.NotFittedError):
        check_is_fitted(est)
    assert est.fit(x, y) is est
    check_is_fitted(est)

    def out(data):
        r = getattr(est, method)(data)
        return r.toarray() if hasattr(r, "toarray") else r

    before = dict(est.__dict__)
    first = out(x)
    assert est.__dict__.keys() == before.keys() and all(est.__dict__[k] is v for k, v in before.items())
    order = np.random.default_rng(0).permutation(len(x))
    np.testing.assert_allclose(out([x[i] for i in order]), first[order], atol=1e-9)
    for batch in np.array_split(np.arange(len(x)), 7):
        np.testing.assert_allclose(out([x[i] for i in batch]), first[batch], atol=1e-9)
    again = make().fit(x, y)
    np.testing.assert_array_equal(out(x), first)
    est.fit(x, y)
    np.testing.assert_array_equal(out(x), first)  # fitting twice gives the same model
    assert again.to_bytes() == est.to_bytes()


# -- n_jobs ---------------------------------------------------------------------------------------


class _Spy:
    """A compiled model or featurizer that records the n_jobs it is called with."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def __getattr__(self, name):
        attr = getattr(self.inner, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self.calls.append(kwargs.get("n_jobs"))
            return attr(*args, **kwargs)

        return call


def test_n_jobs_none_is_one_job_unless_joblib_says_otherwise(stance_model, samples):
    est = clone(stance_model).set_params(n_jobs=None)
    est._set_model(stance_model.model_, stance_model.classes_)
    spy = _Spy(stance_model.model_)
    est.model_ = spy
    est.predict(samples)
    with joblib.parallel_config(n_jobs=2):
        est.predict(samples)
    with joblib.parallel_backend("threading", n_jobs=-1):
        est.predict(samples)
    est.set_params(n_jobs=3).predict(samples)
    assert spy.calls == [1, 2, joblib.cpu_count(), 3]
    assert hawkdove._base.effective_n_jobs(None) == 1


def test_featurizer_n_jobs_none_is_one_job(texts):
    f = hawkdove.Featurizer().fit(texts[:50])
    spy = _Spy(f.featurizer_)
    f.featurizer_ = spy
    f.transform(texts[:5])
    with joblib.parallel_config(n_jobs=2):
        f.transform(texts[:5])
    assert spy.calls == [1, 2]


def test_bundled_helpers_keep_every_core():
    assert hawkdove.stance().n_jobs == -1 and hawkdove.sentiment().n_jobs == -1
    assert hawkdove.stance(n_jobs=2).n_jobs == 2
    assert hawkdove.TextClassifier().n_jobs is None


# -- set_output and pandas indexes ----------------------------------------------------------------


def test_set_output_pandas(stance_model, texts):
    series = pd.Series(texts[:6], index=[f"doc{i}" for i in range(6)])
    f = hawkdove.Featurizer().set_output(transform="pandas")
    frame = f.fit_transform(series)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == list(series.index)
    assert list(frame.columns) == list(f.get_feature_names_out())
    assert all(isinstance(t, pd.SparseDtype) for t in frame.dtypes)
    np.testing.assert_array_equal(frame.sparse.to_dense().to_numpy(), hawkdove.Featurizer().fit_transform(series).toarray())
    assert isinstance(f.set_output(transform="default").transform(series), scipy.sparse.csr_matrix)
    clf = clone(stance_model).fit(texts[:100], ["a", "b"] * 50).set_output(transform="pandas")
    assert list(clf.transform(series).index) == list(series.index)
    assert clone(clf)._sklearn_output_config == {"transform": "pandas"}
    with pytest.raises(ValueError, match="polars"):
        f.set_output(transform="polars")
    with sklearn.config_context(transform_output="pandas"):
        assert isinstance(hawkdove.Featurizer().fit(series).transform(series), pd.DataFrame)
    pipe = make_pipeline(hawkdove.Featurizer()).set_output(transform="pandas")
    assert isinstance(pipe.fit_transform(series), pd.DataFrame)


def test_frames_keep_the_series_index(stance_model, texts):
    series = pd.Series(texts[:4], index=[10, 20, 30, 40], name="text")
    scores = stance_model.score_texts(series)
    assert list(scores.to_frame().index) == [10, 20, 30, 40]
    assert list(hawkdove.score(series).to_frame().index) == [10, 20, 30, 40]
    assert list(scores.to_frame(index=[1, 2, 3, 4]).index) == [1, 2, 3, 4]
    assert list(stance_model.score_texts(texts[:4]).to_frame().index) == [0, 1, 2, 3]


def test_score_document_accepts_a_series():
    docs = pd.Series(
        [
            "The army sealed the border. Talks were cancelled.",
            "Both sides welcomed the agreement. Trade will resume next month.",
        ],
        index=["a", "b"],
    )
    scored = hawkdove.score_document(docs, bootstrap=50)
    assert isinstance(scored, hawkdove.DocumentScores) and len(scored) == 2
    for doc, one in zip(docs, scored):
        assert one.score == hawkdove.score_document(doc, bootstrap=50).score
    frame = scored.to_frame()
    assert list(frame.index) == ["a", "b"]
    assert frame.loc["a", "score"] > frame.loc["b", "score"]
    assert frame.loc["a", "n_passages"] == 2
    assert {"low", "high", "share_hard-line"} <= set(frame.columns)
    assert len(hawkdove.stance().score_document(list(docs), bootstrap=0)) == 2
    with pytest.raises(TypeError, match=r"documents\[1\]"):
        hawkdove.score_document(["fine", None])


# -- import time ----------------------------------------------------------------------------------


def test_import_hawkdove_leaves_sklearn_pandas_scipy_unimported():
    code = (
        "import sys, hawkdove\n"
        "m = hawkdove.stance(); m.score_texts(['The army sealed the border.'])\n"
        "print(sorted(n for n in ('sklearn', 'pandas', 'scipy', 'joblib') if n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
