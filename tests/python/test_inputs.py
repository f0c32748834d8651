"""Input containers, and clear errors for the bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

import hawkdove

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")


def containers(samples):
    return {
        "list": list(samples),
        "tuple": tuple(samples),
        "numpy str": np.array(samples),
        "numpy object": np.array(samples, dtype=object),
        "numpy column": np.array(samples, dtype=object).reshape(-1, 1),
        "pandas Series": pd.Series(samples, index=range(10, 10 + len(samples))),
        "pandas string dtype": pd.Series(samples, dtype="string"),
        "pandas DataFrame column": pd.DataFrame({"text": samples}),
        "pyarrow array": pa.array(samples),
        "pyarrow large_string": pa.array(samples, type=pa.large_string()),
        "pyarrow chunked": pa.chunked_array([samples[:2], samples[2:]]),
        "generator-free range of str": [s for s in samples],
    }


@pytest.mark.parametrize(
    "name",
    list(containers(["x"]).keys()),
)
def test_every_container_gives_the_same_predictions(stance_model, samples, name):
    expected = stance_model.predict_proba(samples)
    got = stance_model.predict_proba(containers(samples)[name])
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", ["list", "numpy object", "pandas Series", "pyarrow array"])
def test_fit_accepts_containers(texts, stance_labels, name, samples):
    box = containers(texts)[name]
    labels = containers(stance_labels)[name]
    est = hawkdove.TextClassifier().fit(box, labels)
    ref = hawkdove.TextClassifier().fit(texts, stance_labels)
    assert est.to_bytes() == ref.to_bytes()


def test_labels_as_categorical_series(texts, stance_labels):
    est = hawkdove.TextClassifier().fit(texts, pd.Series(stance_labels, dtype="category"))
    assert est.classes_.tolist() == ["conciliatory", "hard-line", "neutral"]


def test_bare_str_is_refused(stance_model):
    with pytest.raises(TypeError, match=r"texts must be a batch of str.*not a single str.*\[text\]"):
        stance_model.predict("froze assets")
    with pytest.raises(TypeError, match="not a single str"):
        stance_model.model_.predict_batch("froze assets")  # the compiled layer checks too
    with pytest.raises(TypeError, match="labels"):
        hawkdove.TextClassifier().fit(["a", "b"], "ab")


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (["ok", None], r"texts\[1\] is None"),
        (["ok", b"bytes"], r"texts\[1\] is bytes, expected str"),
        (["ok", "fine", 3], r"texts\[2\] is int, expected str"),
        ([1.5], r"texts\[0\] is float, expected str"),
        ([float("nan")], r"texts\[0\] is NaN"),
        ([["nested"]], r"texts\[0\] is list"),
    ],
)
def test_bad_items_are_named(stance_model, batch, message):
    with pytest.raises(TypeError, match=message):
        stance_model.predict(batch)
    with pytest.raises(TypeError, match=message):
        stance_model.model_.predict_batch(batch)


def test_missing_values_in_pandas_and_arrow(stance_model):
    with pytest.raises(TypeError, match=r"texts\[1\] is NaN"):
        stance_model.predict(pd.Series(["a", np.nan]))
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        stance_model.predict(pd.Series(["a", None], dtype="string"))
    with pytest.raises(TypeError, match=r"texts\[1\] is None"):
        stance_model.predict(pa.array(["a", None]))


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (b"raw bytes", TypeError, "not bytes"),
        (None, TypeError, "not None"),
        (42, TypeError, "not int"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, "one-dimensional"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), ValueError, "one column"),
    ],
)
def test_bad_batches(stance_model, bad, error, message):
    with pytest.raises(error, match=message):
        stance_model.predict(bad)


def test_mismatched_lengths(texts, stance_labels):
    with pytest.raises(ValueError, match="texts has 400 items but labels has 399") as info:
        hawkdove.TextClassifier().fit(texts, stance_labels[:-1])
    assert isinstance(info.value, hawkdove.LengthMismatchError)
    assert (info.value.left, info.value.right) == (400, 399)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["a", None], r"labels\[1\] is None"),
        (["a", 1], r"labels\[1\] is int but earlier labels are str"),
        ([1.0, 2.0], r"labels\[0\] is float; labels must be str or int"),
        ([True, False], r"labels\[0\] is bool"),
        (np.array([1.0, 2.0]), r"labels\[0\] is float64"),
        (np.array([True, False]), "not bool"),
    ],
)
def test_bad_labels(labels, message):
    with pytest.raises(TypeError, match=message):
        hawkdove.TextClassifier().fit(["x y", "y z"], labels)


def test_single_class(texts):
    with pytest.raises(hawkdove.SingleClassError) as info:
        hawkdove.TextClassifier().fit(texts[:5], ["neutral"] * 5)
    assert info.value.label == "neutral"


def test_explain_wants_a_str_or_a_batch_of_str(stance_model):
    # One str gives one explanation, a batch a list of them (test_explain.py); anything else is
    # a TypeError naming what it got.
    assert len(stance_model.explain(["a list"])) == 1
    with pytest.raises(TypeError, match="not None"):
        stance_model.explain(None)
    with pytest.raises(TypeError, match="not bytes"):
        stance_model.explain(b"bytes")
    with pytest.raises(TypeError, match="not int"):
        stance_model.explain(5)


def test_unencodable_text(stance_model):
    with pytest.raises(ValueError, match=r"texts\[0\] cannot be encoded as UTF-8"):
        stance_model.predict(["lone surrogate \ud800"])
