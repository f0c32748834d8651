"""Rust errors as exception classes under hawkdove: ValueError (or OSError) subclasses that
carry the offending values, never a PanicException."""

from __future__ import annotations

import errno
import json

import pytest

import hawkdove
from hawkdove import _hawkdove

ALL = [
    hawkdove.InvalidParameterError,
    hawkdove.EmptyTrainingSetError,
    hawkdove.LengthMismatchError,
    hawkdove.SingleClassError,
    hawkdove.UnknownLabelError,
    hawkdove.EmptyVocabularyError,
    hawkdove.TextTooLargeError,
    hawkdove.DimensionMismatchError,
    hawkdove.ModelFormatError,
    hawkdove.UnsupportedFormatVersionError,
    hawkdove.HawkdoveIOError,
]


@pytest.mark.parametrize("cls", ALL)
def test_hierarchy(cls):
    assert issubclass(cls, hawkdove.HawkdoveError)
    assert issubclass(cls, ValueError)
    assert cls.__module__ == "hawkdove"
    assert cls.__doc__


def test_io_error_is_an_oserror(tmp_path):
    missing = tmp_path / "missing.json"
    with pytest.raises(OSError) as info:
        hawkdove.TextClassifier.load(missing)
    e = info.value
    assert isinstance(e, hawkdove.HawkdoveIOError) and isinstance(e, ValueError)
    assert e.errno == errno.ENOENT and e.filename == str(missing)
    assert e.kind == "io" and e.path == str(missing)


def test_corrupt_and_foreign_files(stance_model, tmp_path):
    data = stance_model.to_bytes()
    for broken in (data[: len(data) // 2], b"", b"\x00\x01 not json", b'{"hello": 1}'):
        with pytest.raises(hawkdove.ModelFormatError) as info:
            hawkdove.TextClassifier.from_bytes(broken)
        assert info.value.kind in {"json", "invalid_value", "inconsistent"}
        assert info.value.detail
    path = tmp_path / "model.json"
    path.write_bytes(data[:100])
    with pytest.raises(hawkdove.ModelFormatError):
        hawkdove.load(path)


def test_newer_format_version(stance_model):
    doc = json.loads(stance_model.to_bytes())
    doc["format_version"] = hawkdove.FORMAT_VERSION + 1
    doc["hawkdove_version"] = "99.0.0"
    with pytest.raises(hawkdove.UnsupportedFormatVersionError) as info:
        hawkdove.TextClassifier.from_bytes(json.dumps(doc).encode())
    e = info.value
    assert isinstance(e, hawkdove.ModelFormatError)
    assert (e.found, e.supported, e.writer) == (hawkdove.FORMAT_VERSION + 1, hawkdove.FORMAT_VERSION, "99.0.0")
    assert "99.0.0" in str(e)


def test_tampered_dimensions(stance_model):
    doc = json.loads(stance_model.to_bytes())
    doc["intercepts"] = doc["intercepts"][:-1]
    with pytest.raises(hawkdove.ModelFormatError):
        hawkdove.TextClassifier.from_bytes(json.dumps(doc).encode())


def test_featurizer_bytes_are_not_a_model(texts):
    f = hawkdove.Featurizer().fit(texts[:20])
    with pytest.raises(hawkdove.ModelFormatError):
        _hawkdove.Model.from_bytes(f.to_bytes())


def test_n_jobs_checked(stance_model, samples):
    for bad in (0, True, 1.5, "2"):
        with pytest.raises(hawkdove.InvalidParameterError, match="n_jobs"):
            stance_model.model_.predict_batch(samples, n_jobs=bad)
    assert _hawkdove.thread_count(None) == _hawkdove.thread_count(-1) >= 1
    assert _hawkdove.thread_count(3) == 3
    assert _hawkdove.thread_count(-1000) == 1


def test_bad_calls_never_panic(stance_model, texts, stance_labels):
    """A sweep of bad inputs: each raises an ordinary exception, never a PanicException
    (which derives from BaseException and escapes ``except Exception``)."""
    model = stance_model.model_
    calls = [
        lambda: model.predict_batch([None]),
        lambda: model.explain(""),
        lambda: model.top_features(10**9),
        lambda: model.top_pole_features(0),
        lambda: _hawkdove.Model.from_bytes(b"{" * 10_000),
        lambda: _hawkdove.Model.from_bytes(b'{"format_version": -1}'),
        lambda: _hawkdove.Model.train([], [], None),
        lambda: _hawkdove.Model.train(["a"], ["x"], '{"seed": -1}'),
        lambda: _hawkdove.Model.train(texts[:10], stance_labels[:10], '{"calibration": {"temperature": {"folds": 50}}}'),
        lambda: _hawkdove.Featurizer.fit_transform(["a b"], '{"word_ngrams": [0, 9]}'),
        lambda: _hawkdove.cross_validate(texts[:10], stance_labels[:10], None, 1),
        lambda: _hawkdove.cross_validate(texts[:10], stance_labels[:10], None, 50),
        lambda: hawkdove.TextClassifier(max_features=0).fit(texts, stance_labels),
        lambda: hawkdove.TextClassifier(min_df=0.9, max_df=0.1).fit(texts, stance_labels),
        lambda: hawkdove.TextClassifier(stemmer="klingon").fit(texts, stance_labels),
    ]
    for call in calls:
        try:
            call()
        except Exception as e:  # noqa: BLE001 - the point is that it is an Exception
            assert type(e).__name__ != "PanicException"
            assert "internal error" not in str(e), str(e)


def test_error_messages_name_the_values(texts, stance_labels):
    with pytest.raises(hawkdove.InvalidParameterError) as info:
        hawkdove.TextClassifier(C=float("inf")).fit(texts, stance_labels)
    assert info.value.value == "inf" and "finite" in info.value.reason
    with pytest.raises(hawkdove.InvalidParameterError, match="stemmer"):
        hawkdove.TextClassifier(stemmer="klingon").fit(texts, stance_labels)


def test_generated_malformed_model_files(binary_model, stance_model):
    """The core's corpus of broken model files: each is refused with a hawkdove exception."""
    for est in (stance_model, binary_model):
        cases = _hawkdove.malformed_model_files(est.to_bytes())
        assert len(cases) > 30
        for name, data in cases:
            with pytest.raises(hawkdove.HawkdoveError) as info:
                hawkdove.TextClassifier.from_bytes(data)
            assert isinstance(info.value, ValueError), name
            assert type(info.value).__name__ != "PanicException", name
    assert _hawkdove.malformed_model_files(b"not json") == []


def test_folds_beyond_the_smallest_class_are_refused_before_work():
    """Issue 25: calibration_folds=10**9 on 6 texts ran 84 s and then succeeded."""
    texts = ["froze assets", "imposed sanctions", "resumed talks", "eased sanctions", "met", "sat"]
    labels = ["hard", "hard", "soft", "soft", "neutral", "neutral"]
    with pytest.raises(hawkdove.InvalidParameterError, match="smallest class"):
        hawkdove.TextClassifier(calibration_folds=10**9).fit(texts, labels)
    with pytest.raises(hawkdove.InvalidParameterError, match="smallest class"):
        hawkdove.cross_validate(texts, labels, folds=3)
    with pytest.raises(hawkdove.InvalidParameterError):
        hawkdove.cross_validate(texts, labels, folds=10**30)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, t, y: hawkdove.TextClassifier(n_jobs=2**70).fit(t, y),
        lambda m, t, y: m.set_params(n_jobs=2**70).predict(t[:2]),
        lambda m, t, y: hawkdove.TextClassifier().fit(t[:4], [10**30, 1, 10**30, 1]),
        lambda m, t, y: m.top_features(-1),
        lambda m, t, y: m.top_pole_features(-1),
        lambda m, t, y: m.top_features(2**70),
        lambda m, t, y: hawkdove.cross_validate(t, y, folds=10**30),
        lambda m, t, y: hawkdove.TextClassifier(C=5e-324).fit(t, y),
        lambda m, t, y: hawkdove.TextClassifier(intercept_scaling=1e300).fit(t, y),
    ],
)
def test_out_of_range_values_raise_value_errors_not_overflow(call, texts, stance_labels):
    """Issue 25: these raised OverflowError, or (C, intercept_scaling) failed after training
    naming `weights`."""
    model = hawkdove.TextClassifier(n_jobs=1).fit(texts[:60], stance_labels[:60])
    with pytest.raises(hawkdove.InvalidParameterError) as info:
        call(model, texts[:60], stance_labels[:60])
    assert "weights" not in str(info.value)
