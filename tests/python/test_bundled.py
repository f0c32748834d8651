"""The bundled models, one-line scoring and document scoring."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

import hawkdove

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = (ROOT / "examples" / "texts" / "sanctions-shift.txt").read_text(encoding="utf-8")


def test_bundled_models_are_fitted_estimators():
    st, se = hawkdove.stance(), hawkdove.sentiment()
    assert st.classes_.tolist() == ["conciliatory", "hard-line", "neutral"]
    assert se.classes_.tolist() == ["negative", "neutral", "positive"]
    assert st.poles_ == ("conciliatory", "hard-line")
    assert se.poles_ == ("negative", "positive")
    assert st.temperature_ != 1.0  # calibrated
    assert st.lexicon == "stance" and se.lexicon == "sentiment"
    assert hawkdove.stance(n_jobs=1).n_jobs == 1
    st.set_params(C=1.0)  # a fresh estimator each call: the next one is unchanged
    assert hawkdove.stance().C == 8.0


@pytest.mark.parametrize("name", ["stance", "sentiment"])
def test_bundled_parameters_read_back_exactly(name):
    est = getattr(hawkdove, name)()
    core = json.loads(est.model_.params())
    rebuilt = clone(est)._params_json(est.classes_, False)
    assert json.loads(rebuilt) == core


def test_score():
    s = hawkdove.score(
        [
            "The government froze the assets of the ministry and expelled its diplomats.",
            "The two leaders welcomed the resumption of talks and agreed to ease tariffs.",
        ]
    )
    assert isinstance(s, hawkdove.Scores)
    assert s.labels.tolist() == ["hard-line", "conciliatory"]
    assert s.scores[0] > 0 > s.scores[1]
    sentiment = hawkdove.score(["A welcome and hopeful agreement."], "sentiment")
    assert sentiment.classes.tolist() == ["negative", "neutral", "positive"]
    own = hawkdove.score(["x"], hawkdove.stance())
    assert own.probabilities.shape == (1, 3)
    with pytest.raises(ValueError, match="'stance', 'sentiment'"):
        hawkdove.score(["x"], "hawkishness")
    with pytest.raises(hawkdove.InvalidParameterError, match="bundled models"):
        hawkdove._hawkdove.Model.bundled("hawkishness")


def test_score_document():
    doc = hawkdove.score_document(ARTICLE)
    assert isinstance(doc, hawkdove.DocumentScore)
    assert len(doc) > 10
    low, high = doc.interval
    assert -1 <= low <= doc.score <= high <= 1
    assert doc.confidence == 0.95 and doc.bootstrap == 1000
    assert sum(doc.class_shares.values()) == pytest.approx(1.0)
    assert sum(doc.mean_probabilities.values()) == pytest.approx(1.0)
    weights = np.array([p["weight"] for p in doc.passages])
    scores = np.array([p["score"] for p in doc.passages])
    assert doc.score == pytest.approx(np.average(scores, weights=weights), abs=1e-12)
    for p in doc.passages:
        assert ARTICLE[p["start"] : p["end"]] == p["text"]
        assert p["kind"] in {"sentence", "headline", "line"}
    # Passage scores are the model's scores of the passage texts.
    texts = [p["text"] for p in doc.passages]
    np.testing.assert_array_equal(scores, hawkdove.stance().stance_score(texts))
    assert doc.passages[0]["kind"] == "headline"


def test_document_options_and_outputs():
    est = hawkdove.stance()
    lines = est.score_document(ARTICLE, segmentation="lines", bootstrap=0)
    assert lines.interval == (lines.score, lines.score)
    assert all(p["kind"] == "line" for p in lines.passages)
    paragraphs = est.score_document(ARTICLE, segmentation="paragraphs", confidence=0.5, seed=3)
    assert len(paragraphs) < len(est.score_document(ARTICLE))
    frame = paragraphs.to_frame()
    assert list(frame.columns[:8]) == ["start", "end", "paragraph", "kind", "text", "weight", "label", "score"]
    assert "p_hard-line" in frame.columns and len(frame) == len(paragraphs)
    d = paragraphs.to_dict()
    assert d["confidence"] == 0.5 and len(d["passages"]) == len(paragraphs)
    assert "DocumentScore(score=" in repr(paragraphs)
    page = paragraphs._repr_html_()
    assert "<script" not in page and "hd-passage" in page and "document score" in page
    back = pickle.loads(pickle.dumps(paragraphs))
    assert back.to_dict() == d
    empty = est.score_document("")
    assert len(empty) == 0 and empty.score == 0.0
    with pytest.raises(hawkdove.InvalidParameterError, match="confidence"):
        est.score_document(ARTICLE, confidence=1.5)
    with pytest.raises(hawkdove.InvalidParameterError, match="segmentation"):
        est.score_document(ARTICLE, segmentation="words")
    # A batch of documents gives one DocumentScore each (issue 26); other types are refused.
    batch = est.score_document([ARTICLE], segmentation="paragraphs", confidence=0.5, seed=3)
    assert len(batch) == 1 and batch[0].to_dict() == d
    with pytest.raises(TypeError, match="documents must be a sized batch of str"):
        est.score_document(42)


def test_document_offsets_with_non_ascii():
    text = "Ministry: “We won’t yield.” Talks collapsed — again.\n\nBut Zürich hosted a café summit."
    doc = hawkdove.score_document(text, "sentiment")
    assert [text[p["start"] : p["end"]] for p in doc.passages] == [p["text"] for p in doc.passages]


def test_trained_model_scores_documents(stance_model):
    doc = stance_model.score_document(ARTICLE, bootstrap=200)
    assert doc.bootstrap == 200 and len(doc) > 10


def test_lexicon_parameter(texts, stance_labels, samples, tmp_path):
    with_lexicon = hawkdove.TextClassifier(lexicon="stance").fit(texts, stance_labels)
    names = with_lexicon.get_feature_names_out().tolist()
    assert "lexicon:hard-line" in names and "lexicon:not_hard-line" in names
    own = {"hard-line": ["froze assets", "expelled diplomats"], "conciliatory": ["welcomed talks"]}
    est = hawkdove.TextClassifier(lexicon=own).fit(texts, stance_labels)
    assert "lexicon:conciliatory" in est.get_feature_names_out().tolist()
    path = tmp_path / "lexicon.tsv"
    path.write_text("# mine\nhard-line\tfroze assets\nhard-line\texpelled diplomats\n"
                    "conciliatory\twelcomed talks\n", encoding="utf-8")
    pairs = hawkdove.read_lexicon(path)
    assert pairs[0] == ("hard-line", "froze assets")
    from_file = hawkdove.TextClassifier(lexicon=pairs).fit(texts, stance_labels)
    assert from_file.to_bytes() == est.to_bytes()
    assert hawkdove.TextClassifier.from_bytes(est.to_bytes()).lexicon == pairs
    with pytest.raises(ValueError, match="read_lexicon"):
        hawkdove.TextClassifier(lexicon="my-words.tsv").fit(texts, stance_labels)
    with pytest.raises(hawkdove.InvalidParameterError, match="lexicon"):
        hawkdove.TextClassifier(lexicon={"bad pole": ["x"]}).fit(texts, stance_labels)
    with pytest.raises(hawkdove.HawkdoveError):
        hawkdove._hawkdove.parse_lexicon("no tab here")


def test_bundled_models_abstain_on_other_languages():
    texts = [
        "The ministry froze the assets of three state banks.",
        "Министерство иностранных дел вызвало посла и выразило решительный протест.",
        "外交部发言人表示，中方坚决反对任何形式的制裁。",
        "zzqx vbnmw",
    ]
    for model in ("stance", "sentiment"):
        scores = hawkdove.score(texts, model)
        assert scores.abstained.tolist() == [None, "language rus", "language cmn", "no known feature"]
        assert scores.labels[0] is not None
        assert scores.labels[1:].tolist() == [None, None, None]
        frame = scores.to_frame()
        assert frame["abstained"].tolist()[1] == "language rus"
    est = hawkdove.stance()
    assert est.abstain == "eng"
    assert len(est.predict(texts)) == 4  # scikit-learn's predict still gives a class per text
    # pickling keeps the policy, and so does a clone refitted on other data
    again = pickle.loads(pickle.dumps(est))
    assert again.score_texts(texts).abstained.tolist()[1] == "language rus"
    refit = clone(est).set_params(calibration_folds=None, lexicon=None, min_df=1)
    refit.fit(["froze assets", "resumed talks", "budget vote"], ["hard-line", "conciliatory", "neutral"])
    assert refit.abstain == "eng"
    assert refit.score_texts(texts).abstained.tolist()[1] == "language rus"


def test_document_scores_leave_abstained_passages_out():
    english = "The ministry froze the assets of three state banks.\n\nBoth sides agreed to resume talks in Oman."
    mixed = english + "\n\nМинистерство иностранных дел вызвало посла и выразило решительный протест."
    a, b = hawkdove.score_document(english), hawkdove.score_document(mixed)
    assert (a.n_abstained, b.n_abstained) == (0, 1)
    assert b.score == a.score and b.interval == a.interval
    last = b.passages[-1]
    assert last["label"] is None and last["abstained"] == "language rus" and last["weight"] == 0.0
    assert b.to_frame()["abstained"].tolist()[-1] == "language rus"


def test_user_models_never_abstain_by_default():
    model = hawkdove.TextClassifier().fit(["froze assets", "resumed talks"], ["hard-line", "conciliatory"])
    s = model.score_texts(["Министерство иностранных дел"])
    assert s.abstained.tolist() == [None] and s.labels[0] is not None
    opted = hawkdove.TextClassifier(abstain="eng").fit(
        ["froze assets", "resumed talks"], ["hard-line", "conciliatory"]
    )
    assert opted.score_texts(["Министерство иностранных дел"]).abstained.tolist() == ["language rus"]
