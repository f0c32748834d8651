"""Featurizer: fit/transform, sparse output, names, idf, the SciPy-less fallback."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import scipy.sparse as sp

import hawkdove


def test_fit_transform_matches_transform(texts, samples):
    f = hawkdove.Featurizer()
    x = f.fit_transform(texts)
    assert isinstance(x, sp.csr_matrix)
    assert x.shape == (len(texts), f.n_features_)
    assert x.dtype == np.float32
    assert (f.transform(texts) != x).nnz == 0
    y = f.transform(samples)
    assert y.shape == (5, f.n_features_)
    np.testing.assert_allclose(sp.linalg.norm(y[:4], axis=1), 1.0, rtol=1e-5)
    assert y[4].nnz == 0  # the empty text
    assert f.fit(texts) is f


def test_names_vocabulary_idf(texts):
    f = hawkdove.Featurizer(ngram_range=(1, 1), stemmer=None).fit(texts)
    names = f.get_feature_names_out()
    assert names.dtype == object and len(names) == f.n_features_
    assert f.vocabulary_["sanctions"] == names.tolist().index("sanctions")
    idf = f.idf_
    assert idf is not None and idf.shape == (f.n_features_,) and idf.dtype == np.float32
    assert hawkdove.Featurizer(use_idf=False).fit(texts).idf_ is None


def test_char_ngrams_and_hashing(texts):
    chars = hawkdove.Featurizer(ngram_range=(1, 1), char_ngram_range=(3, 3)).fit(texts)
    assert any(n.startswith("[") for n in chars.get_feature_names_out())
    hashed = hawkdove.Featurizer(hashing_bits=10)
    x = hashed.fit_transform(texts)
    assert x.shape == (len(texts), 1024)
    assert hashed.vocabulary_ is None
    assert hashed.get_feature_names_out()[5] == "hash:5"


def test_same_features_as_the_classifier(texts, stance_labels, samples):
    clf = hawkdove.TextClassifier(ngram_range=(1, 3)).fit(texts, stance_labels)
    f = hawkdove.Featurizer(ngram_range=(1, 3)).fit(texts)
    assert (clf.transform(samples) != f.transform(samples)).nnz == 0
    assert f.get_feature_names_out().tolist() == clf.get_feature_names_out().tolist()


def test_without_scipy(monkeypatch, texts):
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)  # import scipy.sparse now fails
    f = hawkdove.Featurizer()
    m = f.fit_transform(texts[:10])
    assert isinstance(m, hawkdove.CsrArrays)
    assert m.indptr.dtype == np.int64 and m.indices.dtype == np.int32
    assert m.data.dtype == np.float32 and m.shape == (10, f.n_features_)
    rebuilt = sp.csr_matrix((m.data, m.indices, m.indptr), shape=m.shape)
    monkeypatch.undo()
    assert (rebuilt != f.transform(texts[:10])).nnz == 0


def test_not_fitted():
    with pytest.raises(hawkdove.NotFittedError):
        hawkdove.Featurizer().transform(["x"])
    assert not hasattr(hawkdove.Featurizer(), "vocabulary_")


def test_invalid_config(texts):
    with pytest.raises(hawkdove.InvalidParameterError, match="bits"):
        hawkdove.Featurizer(hashing_bits=40).fit(texts)
    with pytest.raises(hawkdove.EmptyVocabularyError) as info:
        hawkdove.Featurizer(min_df=10_000).fit(texts)
    assert info.value.documents == len(texts)
    with pytest.raises(hawkdove.EmptyTrainingSetError):
        hawkdove.Featurizer().fit([])


def test_double_negation_reaches_the_core():
    docs = ["They did not rule out talks.", "They ruled out talks."]
    on = hawkdove.Featurizer(ngram_range=(1, 1), stemmer=None).fit(docs)
    assert {"talks", "not_talks"} <= set(on.get_feature_names_out())
    off = hawkdove.Featurizer(ngram_range=(1, 1), stemmer=None, negation={"double_negation": False})
    assert "talks" not in set(off.fit(docs).get_feature_names_out())
