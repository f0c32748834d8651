"""Explanations: exact contributions, str offsets, dict/DataFrame, self-contained HTML."""

from __future__ import annotations

import math
import re

import pytest

import hawkdove
from hawkdove.explain import ORANGE, PURPLE

TEXT = "Tokyo didn’t condemn Beijing’s sanctions — but officials froze the assets of “ministries”."


def test_explanation_data(stance_model):
    e = stance_model.explain(TEXT)
    assert isinstance(e, hawkdove.Explanation)
    assert e.text == TEXT
    assert e.label == stance_model.predict([TEXT])[0]
    assert e.score == pytest.approx(stance_model.stance_score([TEXT])[0], abs=1e-12)
    assert set(e.probabilities) == set(stance_model.classes_)
    assert math.isclose(sum(e.probabilities.values()), 1.0)
    assert (e.negative_pole, e.positive_pole) == ("conciliatory", "hard-line")
    assert e.n_features == len(e.features) > 0
    # Exact: bias plus feature contributions give the pole log-odds of the prediction.
    p = e.probabilities
    log_odds = math.log(p["hard-line"]) - math.log(p["conciliatory"])
    assert e.bias + sum(f["to_score"] for f in e.features) == pytest.approx(log_odds, abs=1e-9)
    # Token shares add up to the features that have spans.
    spanned = sum(f["to_score"] for f in e.features if f["spans"])
    assert sum(t["to_score"] for t in e.tokens) == pytest.approx(spanned, abs=1e-9)


def test_spans_are_str_offsets(stance_model):
    e = stance_model.explain(TEXT)
    for t in e.tokens:
        assert TEXT[t["start"] : t["end"]] == t["text"]
    words = [t["text"] for t in e.tokens]
    assert "Beijing’s" in words or "Beijing" in words
    assert "froze" in words
    froze = next(t for t in e.tokens if t["text"] == "froze")
    assert froze["term"] == "froze" and froze["to_score"] > 0
    for f in e.features:
        for start, end in f["spans"]:
            assert 0 <= start < end <= len(TEXT)


def test_top_and_repr(stance_model):
    e = stance_model.explain(TEXT)
    neg, pos = e.top(2)
    assert len(pos) <= 2 and all(f["to_score"] > 0 for f in pos)
    assert all(f["to_score"] < 0 for f in neg)
    assert "Explanation(label=" in repr(e)


def test_to_dict_and_frame(stance_model):
    pd = pytest.importorskip("pandas")
    e = stance_model.explain(TEXT)
    d = e.to_dict()
    assert d["text"] == TEXT and d["score"] == e.score
    assert len(d["tokens"]) == len(e.tokens)
    tokens = e.to_frame()
    assert isinstance(tokens, pd.DataFrame)
    assert list(tokens.columns) == ["start", "end", "text", "term", "to_label", "to_score"]
    features = e.to_frame("features")
    assert len(features) == len(e.features)
    with pytest.raises(ValueError, match="tokens"):
        e.to_frame("words")


def test_html_is_self_contained(stance_model):
    e = stance_model.explain(TEXT + " <script>alert(1)</script> & more")
    page = e._repr_html_()
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "javascript" not in page.lower()
    assert not re.search(r"(src|href)\s*=|url\(|@import|https?://", page)
    assert "hd-legend" in page
    assert "conciliatory" in page and "hard-line" in page
    assert f"score {e.score:+.3f}" in page
    highlighted = re.findall(r'<span class="hd-token" title="([^"]*)" data-contribution="([^"]*)"', page)
    assert highlighted, "tokens are highlighted"
    weights = [float(w) for _, w in highlighted]
    assert all(w != 0 for w in weights)
    # One hue per pole (ColorBrewer PuOr), four shades by weight.
    colours = set(re.findall(r'class="hd-token"[^>]*style="background:(#[0-9a-f]{6})', page))
    assert colours and colours <= set(ORANGE + PURPLE)
    assert colours & set(ORANGE) and colours & set(PURPLE)
    # The text survives: stripping the markup (and the printed weights) gives the passage back.
    body = re.search(r'<div class="hd-text"[^>]*>(.*?)</div>', page).group(1)
    body = re.sub(r'<sup class="hd-w"[^>]*>[^<]*</sup>', "", body)
    import html as html_module

    assert html_module.unescape(re.sub(r"<[^>]+>", "", body)) == e.text


def test_empty_text(stance_model):
    e = stance_model.explain("")
    assert e.tokens == [] and e.features == [] and e.n_features == 0
    assert "hd-legend" in e._repr_html_()


def test_explain_takes_a_batch_as_score_document_does():
    import pandas as pd

    m = hawkdove.stance(n_jobs=1)
    texts = pd.Series(["Beijing must stop its provocations.", "We welcome the talks."], index=[7, 9])
    got = m.explain(texts)
    assert isinstance(got, list) and len(got) == 2
    for e, t in zip(got, texts):
        assert e.to_dict() == m.explain(t).to_dict()
    with pytest.raises(TypeError, match=r"texts\[1\] is None"):
        m.explain(["fine", None])
