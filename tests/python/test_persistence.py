"""save/load and pickling of every class, through hawkdove's versioned model format."""

from __future__ import annotations

import copy
import json
import pickle

import numpy as np
import pytest

import hawkdove
from hawkdove import _hawkdove


def roundtrip(obj):
    return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def test_save_load(stance_model, samples, tmp_path):
    path = tmp_path / "stance.json"
    stance_model.save(path)
    assert json.loads(path.read_bytes())["format_version"] == hawkdove.FORMAT_VERSION
    back = hawkdove.load(path)
    assert isinstance(back, hawkdove.TextClassifier)
    np.testing.assert_array_equal(back.predict_proba(samples), stance_model.predict_proba(samples))
    np.testing.assert_array_equal(back.predict(samples), stance_model.predict(samples))
    assert back.to_bytes() == stance_model.to_bytes()
    assert back.get_params() == stance_model.get_params()
    back2 = hawkdove.TextClassifier.load(str(path), n_jobs=1)
    assert back2.n_jobs == 1


def test_int_labels_come_back_as_str_from_a_file(int_model, samples, tmp_path):
    path = tmp_path / "ints.json"
    int_model.save(path)
    back = hawkdove.TextClassifier.load(path)
    assert back.classes_.tolist() == ["10", "2", "30"]
    assert back.poles_ == ("2", "30")
    np.testing.assert_array_equal(back.stance_score(samples), int_model.stance_score(samples))


def test_pickle_text_classifier(stance_model, int_model, samples):
    for est in (stance_model, int_model):
        back = roundtrip(est)
        np.testing.assert_array_equal(back.predict(samples), est.predict(samples))
        np.testing.assert_array_equal(back.predict_proba(samples), est.predict_proba(samples))
        assert back.classes_.dtype == est.classes_.dtype
        assert back.get_params() == est.get_params()
        np.testing.assert_array_equal(back.coef_, est.coef_)
    unfitted = roundtrip(hawkdove.TextClassifier(C=3.0))
    assert unfitted.C == 3.0 and not hasattr(unfitted, "classes_")


def test_pickle_carries_the_model_file(stance_model):
    """The compiled model pickles as Model.from_bytes(<model file>): no Rust memory layout."""
    reduced = stance_model.model_.__reduce__()
    assert reduced[0] == _hawkdove.Model.from_bytes
    assert reduced[1] == (stance_model.to_bytes(),)
    data = pickle.dumps(stance_model)
    assert stance_model.to_bytes() in data


def test_pickle_drops_caches(stance_model):
    _ = stance_model.vocabulary_, stance_model.coef_
    small = len(pickle.dumps(stance_model))
    assert small < 2 * len(stance_model.to_bytes())


def test_pickle_featurizer(texts, samples):
    f = hawkdove.Featurizer(ngram_range=(1, 3), hashing_bits=14).fit(texts)
    back = roundtrip(f)
    assert (back.transform(samples) != f.transform(samples)).nnz == 0
    assert back.get_params() == f.get_params()
    assert roundtrip(hawkdove.Featurizer(min_df=2)).min_df == 2


def test_featurizer_bytes_and_files(texts, samples, tmp_path):
    f = hawkdove.Featurizer(min_df=2, stop_words="english").fit(texts)
    back = hawkdove.Featurizer.from_bytes(f.to_bytes())
    assert back.get_params() == f.get_params()
    path = tmp_path / "featurizer.json"
    f.save(path)
    loaded = hawkdove.Featurizer.load(path)
    assert (loaded.transform(samples) != f.transform(samples)).nnz == 0
    assert loaded.get_feature_names_out().tolist() == f.get_feature_names_out().tolist()


def test_pickle_compiled_classes(stance_model, texts, samples):
    model = roundtrip(stance_model.model_)
    assert model.to_bytes() == stance_model.model_.to_bytes()
    featurizer, _ = _hawkdove.Featurizer.fit_transform(texts[:50])
    assert roundtrip(featurizer).to_bytes() == featurizer.to_bytes()
    assert "Model(classes=" in repr(model) and "Featurizer(n_features=" in repr(featurizer)


def test_pickle_results(stance_model, samples):
    e = stance_model.explain(samples[0])
    back = roundtrip(e)
    assert back.to_dict() == e.to_dict()
    assert back._repr_html_() == e._repr_html_()
    s = stance_model.score_texts(samples)
    back_s = roundtrip(s)
    assert back_s.to_dict() == s.to_dict()


def test_deepcopy(stance_model, samples):
    c = copy.deepcopy(stance_model)
    np.testing.assert_array_equal(c.predict_proba(samples), stance_model.predict_proba(samples))


def test_joblib_if_available(stance_model, samples, tmp_path):
    joblib = pytest.importorskip("joblib")
    path = tmp_path / "model.joblib"
    joblib.dump(stance_model, path)
    back = joblib.load(path)
    np.testing.assert_array_equal(back.predict(samples), stance_model.predict(samples))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs a POSIX file-size limit")
@pytest.mark.parametrize("kind", ["featurizer", "classifier"])
def test_a_save_under_a_file_size_limit_leaves_the_old_file_whole(kind, tmp_path):
    # A child process saves a large fitted object over a small one with RLIMIT_FSIZE below the
    # new file's size (a full disk, as issue 25 reproduced it): the save raises, and the old
    # file is byte for byte what it was, and loads.
    import subprocess
    import sys
    import textwrap

    path = tmp_path / f"{kind}.json"
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        import hawkdove
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        texts = ["froze assets", "imposed sanctions", "resumed talks", "welcomed dialogue"]
        labels = ["hard-line", "hard-line", "conciliatory", "conciliatory"]
        big_texts = [f"word{{i}} term{{i * 7}} talks" for i in range(20000)]
        if {kind!r} == "featurizer":
            small = hawkdove.Featurizer().fit(texts)
            big = hawkdove.Featurizer().fit(big_texts)
        else:
            small = hawkdove.TextClassifier(C=1.0, class_weight=None).fit(texts, labels)
            big = hawkdove.TextClassifier(C=1.0, class_weight=None).fit(
                big_texts, ["hard-line", "conciliatory"] * 10000)
        small.save(sys.argv[1])
        size = len(open(sys.argv[1], "rb").read())
        resource.setrlimit(resource.RLIMIT_FSIZE, (size * 4, size * 4))
        try:
            big.save(sys.argv[1])
        except OSError as e:
            print("SAVE FAILED", type(e).__name__)
        else:
            print("SAVED")
        """
    )
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "SAVE FAILED" in out.stdout, out.stdout + out.stderr
    if kind == "featurizer":
        back = hawkdove.Featurizer.load(path)
        assert back.transform(["froze assets"]).nnz > 0
    else:
        back = hawkdove.TextClassifier.load(path)
        assert set(back.classes_) == {"conciliatory", "hard-line"}
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
