"""TextClassifier: fitting, prediction shapes and dtypes, scores, learned attributes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.special import softmax

import hawkdove
from hawkdove import _hawkdove


def test_fit_returns_self_and_learned_attributes(texts, stance_labels):
    est = hawkdove.TextClassifier()
    assert est.fit(texts, stance_labels) is est
    assert list(est.classes_) == ["conciliatory", "hard-line", "neutral"]
    assert est.classes_.dtype.kind == "U"
    assert est.coef_.shape == (3, est.n_features_out_)
    assert est.intercept_.shape == (3,)
    assert est.poles_ == ("conciliatory", "hard-line")
    assert est.temperature_ == 1.0
    vocab = est.vocabulary_
    names = est.get_feature_names_out()
    assert len(vocab) == len(names) == est.n_features_out_
    assert all(vocab[n] == i for i, n in enumerate(names[:50]))
    assert not hasattr(est, "feature_names_in_")


def test_predict_shapes_and_dtypes(stance_model, samples):
    labels = stance_model.predict(samples)
    assert labels.shape == (5,) and labels.dtype == stance_model.classes_.dtype
    proba = stance_model.predict_proba(samples)
    assert proba.shape == (5, 3) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(stance_model.classes_[proba.argmax(axis=1)] == labels)
    score = stance_model.stance_score(samples)
    assert score.shape == (5,) and score.dtype == np.float64
    assert np.all((score >= -1) & (score <= 1))
    log_proba = stance_model.predict_log_proba(samples)
    np.testing.assert_allclose(np.exp(log_proba), proba)


def test_empty_batch(stance_model):
    assert stance_model.predict([]).shape == (0,)
    assert stance_model.predict_proba([]).shape == (0, 3)
    assert stance_model.stance_score([]).shape == (0,)


def test_stance_score_is_the_rust_score(stance_model, samples):
    _, proba, rust_score, _, truncated, abstained = stance_model.model_.predict_batch(samples)
    assert abstained is None  # a model without an abstention policy
    assert truncated.dtype == np.bool_ and not truncated.any()
    np.testing.assert_array_equal(stance_model.stance_score(samples), rust_score)
    neg, pos = stance_model.model_.pole_indices
    np.testing.assert_allclose(rust_score, proba[:, pos] - proba[:, neg], atol=1e-15)
    assert stance_model.stance_score(samples[:1])[0] > 0.2  # sanctions, froze assets
    assert stance_model.stance_score(samples[1:2])[0] < -0.2  # welcomed talks


def test_binary_score_is_two_p_minus_one(binary_model, samples):
    proba = binary_model.predict_proba(samples)
    np.testing.assert_allclose(binary_model.stance_score(samples), 2 * proba[:, 1] - 1)
    assert binary_model.coef_.shape == (1, binary_model.n_features_out_)
    assert binary_model.intercept_.shape == (1,)


@pytest.mark.parametrize("fixture", ["stance_model", "binary_model"])
def test_weights_are_float32_values_in_float64(request, fixture):
    w = request.getfixturevalue(fixture).model_.weights()
    assert w.dtype == np.float64 and np.count_nonzero(w) > 0
    np.testing.assert_array_equal(w.astype(np.float32).astype(np.float64), w)


@pytest.mark.parametrize("fixture", ["stance_model", "binary_model", "int_model"])
def test_coef_and_intercept_reproduce_predict_proba(request, fixture, samples):
    est = request.getfixturevalue(fixture)
    x = est.transform(samples)
    z = x @ est.coef_.T + est.intercept_
    if len(est.classes_) == 2:
        expected = np.column_stack([1 / (1 + np.exp(z[:, 0])), 1 / (1 + np.exp(-z[:, 0]))])
    else:
        expected = softmax(z, axis=1)
    np.testing.assert_allclose(est.predict_proba(samples), expected, atol=1e-6)


def test_int_labels_keep_dtype_and_order(int_model, stance_model, texts, samples):
    assert int_model.classes_.tolist() == [2, 10, 30]
    assert int_model.classes_.dtype.kind == "i"
    pred = int_model.predict(samples)
    assert pred.dtype == int_model.classes_.dtype
    assert set(pred.tolist()) <= {2, 10, 30}
    # Same model as with str labels, up to the renaming (2 → conciliatory, ...).
    names = {2: "conciliatory", 10: "neutral", 30: "hard-line"}
    assert [names[p] for p in pred] == stance_model.predict(samples).tolist()
    order = [0, 2, 1]  # stance_model's classes_ order of (2, 10, 30)
    np.testing.assert_allclose(
        int_model.predict_proba(samples), stance_model.predict_proba(samples)[:, order]
    )
    assert int_model.poles_ == (2, 30)
    assert int_model.top_features(2).keys() == {2, 10, 30}
    assert isinstance(int_model.explain(samples[0]).label, int)


def test_int_labels_binary_pole_follows_numeric_order(binary_data):
    texts, labels = binary_data
    y = np.array([10 if s == "conciliatory" else 9 for s in labels])  # "10" < "9" as strings
    est = hawkdove.TextClassifier().fit(texts, y)
    assert est.classes_.tolist() == [9, 10]
    assert est.poles_ == (9, 10)
    proba = est.predict_proba(texts[:20])
    np.testing.assert_allclose(est.stance_score(texts[:20]), 2 * proba[:, 1] - 1)
    x = est.transform(texts[:20])
    z = (x @ est.coef_.T + est.intercept_)[:, 0]
    np.testing.assert_allclose(1 / (1 + np.exp(-z)), proba[:, 1], atol=1e-6)


def test_explicit_poles(texts, stance_labels, samples):
    est = hawkdove.TextClassifier(poles=("hard-line", "conciliatory")).fit(texts, stance_labels)
    ref = hawkdove.TextClassifier().fit(texts, stance_labels)
    assert est.poles_ == ("hard-line", "conciliatory")
    np.testing.assert_allclose(est.stance_score(samples), -ref.stance_score(samples))
    with pytest.raises(hawkdove.UnknownLabelError) as info:
        hawkdove.TextClassifier(poles=("dove", "hawk")).fit(texts, stance_labels)
    assert info.value.label == "dove"
    assert info.value.known == ["conciliatory", "hard-line", "neutral"]


def test_score_texts_and_scores(stance_model, samples):
    s = stance_model.score_texts(samples)
    assert isinstance(s, hawkdove.Scores) and len(s) == 5
    np.testing.assert_array_equal(s.labels, stance_model.predict(samples))
    np.testing.assert_array_equal(s.probabilities, stance_model.predict_proba(samples))
    np.testing.assert_array_equal(s.scores, stance_model.stance_score(samples))
    assert s.n_features.dtype == np.int64 and s.n_features[-1] == 0  # the empty text
    assert s.poles == ("conciliatory", "hard-line")
    d = s.to_dict()
    assert list(d) == [
        "label", "score", "p_conciliatory", "p_hard-line", "p_neutral", "n_features", "truncated",
        "abstained",
    ]
    assert d["abstained"] == [None] * 5
    frame = s.to_frame()
    assert frame.shape == (5, 8) and frame["score"].tolist() == s.scores.tolist()
    assert "Scores(n=5" in repr(s)


def test_top_features(stance_model, binary_model):
    top = stance_model.top_features(5)
    assert list(top) == ["conciliatory", "hard-line", "neutral"]
    for feats in top.values():
        assert len(feats) == 5
        weights = [w for _, w in feats]
        assert weights == sorted(weights, reverse=True)
        assert all(isinstance(name, str) for name, _ in feats)
    poles = stance_model.top_pole_features(4)
    assert list(poles) == ["conciliatory", "hard-line"]
    assert all(w < 0 for _, w in poles["conciliatory"])
    assert all(w > 0 for _, w in poles["hard-line"])
    two = binary_model.top_features(3)
    assert all(w > 0 for feats in two.values() for _, w in feats)


def test_n_jobs_gives_identical_results(texts, stance_labels, samples):
    one = hawkdove.TextClassifier(n_jobs=1).fit(texts, stance_labels)
    two = hawkdove.TextClassifier(n_jobs=2).fit(texts, stance_labels)
    everyone = hawkdove.TextClassifier(n_jobs=-1).fit(texts, stance_labels)
    assert one.to_bytes() == two.to_bytes() == everyone.to_bytes()
    batch = texts * 3
    np.testing.assert_array_equal(one.predict_proba(batch), two.predict_proba(batch))


@pytest.mark.parametrize(
    "params",
    [
        {"ngram_range": (1, 1)},
        {"char_ngram_range": (2, 4), "ngram_range": (1, 1)},
        {"hashing_bits": 12, "hashing_seed": 7},
        {"min_df": 2, "max_df": 0.9, "max_features": 500},
        {"weighting": "binary", "use_idf": False, "normalize": False},
        {"stop_words": "english", "stemmer": None, "negation": False},
        {"stop_words": ["the", "and"], "negation": {"max_scope": 3}},
        {"lowercase": False, "strip_markup": False, "fold_numbers": True, "split_hyphens": True},
        {"C": 0.5, "solver": "lbfgs", "tol": 1e-3, "max_iter": 50, "nb_alpha": None},
        {"class_weight": "balanced", "fit_intercept": False},
        {"class_weight": {"neutral": 2.0}, "intercept_scaling": 2.0},
        {"calibration_folds": 3, "random_state": 5},
    ],
)
def test_parameters_reach_the_core_and_read_back(params, texts, stance_labels, samples):
    est = hawkdove.TextClassifier(**params).fit(texts, stance_labels)
    assert est.get_params()[next(iter(params))] == params[next(iter(params))]
    np.testing.assert_allclose(est.predict_proba(samples).sum(axis=1), 1.0)
    core = json.loads(est.model_.params())
    if est.C == "auto":
        # Self-tuning: the grid is the core's, C_ the choice.
        assert core["logistic"]["tune"]["c"] is not None and est.C_ in core["logistic"]["tune"]["c"]
    else:
        assert core["logistic"]["c"] == est.C == est.C_
    # A model read back from its bytes has the same keyword arguments.
    back = hawkdove.TextClassifier.from_bytes(est.to_bytes())
    expected = {**est.get_params(), "poles": back.poles, "negation": back.negation}
    assert back.get_params() == expected
    if isinstance(params.get("negation"), dict):
        assert back.negation["max_scope"] == 3 and "not" in back.negation["words"]
    if "hashing_bits" in params:
        assert est.vocabulary_ is None
        assert est.n_features_out_ == 2**12
        assert est.get_feature_names_out()[3] == "hash:3"
    if "calibration_folds" in params:
        assert est.temperature_ != 1.0


def test_parameters_checked_by_the_core(texts, stance_labels):
    with pytest.raises(hawkdove.InvalidParameterError) as info:
        hawkdove.TextClassifier(C=-1.0).fit(texts, stance_labels)
    assert info.value.parameter == "c" and info.value.kind == "invalid_parameter"
    with pytest.raises(hawkdove.InvalidParameterError, match="word_ngrams"):
        hawkdove.TextClassifier(ngram_range=(3, 1)).fit(texts, stance_labels)
    with pytest.raises(hawkdove.InvalidParameterError, match=r"params\.featurizer\.weighting.*unknown variant `log`"):
        hawkdove.TextClassifier(weighting="log").fit(texts, stance_labels)
    with pytest.raises(hawkdove.InvalidParameterError, match="solver"):
        hawkdove.TextClassifier(solver="newton").fit(texts, stance_labels)
    with pytest.raises(TypeError, match="ngram_range"):
        hawkdove.TextClassifier(ngram_range=2).fit(texts, stance_labels)
    with pytest.raises(TypeError, match="min_df"):
        hawkdove.TextClassifier(min_df="2").fit(texts, stance_labels)
    with pytest.raises(hawkdove.UnknownLabelError):
        hawkdove.TextClassifier(class_weight={"dove": 2.0}).fit(texts, stance_labels)


def test_raw_params_reject_unknown_keys(texts, stance_labels):
    with pytest.raises(hawkdove.InvalidParameterError, match=r"params\.featurizer\.word_ngram"):
        _hawkdove.Model.train(texts, stance_labels, '{"featurizer": {"word_ngram": [1, 1]}}')
    with pytest.raises(hawkdove.InvalidParameterError, match="`params` = {not json: not valid JSON"):
        _hawkdove.Model.train(texts, stance_labels, "{not json")
    model = _hawkdove.Model.train(texts, stance_labels, None)
    assert model.classes == ["conciliatory", "hard-line", "neutral"]


def test_default_params_match_the_constructor():
    core = json.loads(_hawkdove.default_params())
    est = hawkdove.TextClassifier()
    assert est.C == "auto" and est.class_weight == "auto"
    assert core["logistic"]["tune"]["c"] is not None and core["logistic"]["tune"]["class_weight"]
    assert core["featurizer"]["word_ngrams"] == list(est.ngram_range)
    assert json.loads(est._params_json(np.array(["a", "b"]), False)) == core


def test_feature_names_in_with_a_dataframe(texts, stance_labels, samples):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"body": texts})
    est = hawkdove.TextClassifier().fit(frame, stance_labels)
    assert est.feature_names_in_.tolist() == ["body"] and est.n_features_in_ == 1
    np.testing.assert_array_equal(
        est.predict(pd.DataFrame({"body": samples})), est.predict(samples)
    )


def test_not_fitted():
    est = hawkdove.TextClassifier()
    with pytest.raises(hawkdove.NotFittedError):
        est.predict(["x"])
    with pytest.raises(hawkdove.NotFittedError):
        est.explain("x")
    assert not hasattr(est, "coef_")
    assert not hasattr(est, "classes_")


def test_cross_validate(texts, stance_labels):
    report = hawkdove.cross_validate(texts, stance_labels, folds=3, C=4.0)
    assert report["folds"] == 3 and len(report["per_fold"]) == 3
    assert 0.5 < report["mean_accuracy"] <= 1.0
    assert report["pooled"]["classes"] == ["conciliatory", "hard-line", "neutral"]
    assert report["pooled"]["n"] == len(texts)


def test_truncated_flag(stance_model):
    huge = "sanctions " * 300_000  # above the core's per-passage token cap
    s = stance_model.score_texts([huge, "talks"])
    assert s.truncated.tolist() == [True, False]
    assert stance_model.explain(huge).truncated
