"""hawkdove.timeline and hawkdove.plot_timeline: the score of dated documents per period, with
bootstrap intervals and detected shifts (crates/hawkdove/src/timeline, docs/timeline.md)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pytest

import hawkdove

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "timeline" / "halver_strait.csv"
NOTEBOOK = ROOT / "examples" / "notebooks" / "timeline.ipynb"
#: The shift written into the example collection (examples/timeline/README.md).
WRITTEN_SHIFT = pd.Timestamp("2025-03-01")

STANCE_SHARES = ["share_conciliatory", "share_hard-line", "share_neutral"]
FRAME = ["period", "score", "lower", "upper", "n_documents", "n_passages", "n_abstained"]


@pytest.fixture(scope="module")
def articles() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE)


@pytest.fixture(scope="module")
def monthly(articles: pd.DataFrame) -> hawkdove.TimelineResult:
    return hawkdove.timeline(articles, text="text", date="date", freq="M")


def months_apart(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return abs((a.year - b.year) * 12 + a.month - b.month)


def test_the_written_shift_is_found_within_one_month(monthly: hawkdove.TimelineResult) -> None:
    shifts = monthly.shifts
    assert len(shifts) >= 1
    biggest = shifts.loc[shifts["size"].abs().idxmax()]
    assert months_apart(biggest["date"], WRITTEN_SHIFT) <= 1, shifts
    assert biggest["size"] > 0, "the posture turns hard-line"
    assert biggest["lower"] > 0, "the interval of the size excludes zero"
    assert biggest["lower"] <= biggest["size"] <= biggest["upper"]
    assert biggest["p_value"] <= 0.05
    assert biggest["before"] < 0 < biggest["after"]


def test_the_quarterly_shift_is_within_one_quarter(articles: pd.DataFrame) -> None:
    result = hawkdove.timeline(articles, freq="Q")
    assert len(result.frame) == 8
    assert (result.frame["period"].dt.month % 3 == 1).all()
    first = result.shifts.iloc[0]
    assert abs(first["date"] - pd.Timestamp("2025-01-01")) <= pd.Timedelta(days=92)
    assert first["lower"] > 0


def test_frame_has_the_documented_columns(
    articles: pd.DataFrame, monthly: hawkdove.TimelineResult
) -> None:
    frame = monthly.frame
    assert list(frame.columns) == FRAME + STANCE_SHARES
    assert len(frame) == 24
    assert frame["period"].is_monotonic_increasing
    assert (frame["period"].dt.day == 1).all()
    assert frame["n_documents"].sum() == len(articles)
    assert (frame["lower"] <= frame["score"]).all() and (frame["score"] <= frame["upper"]).all()
    shares = frame[STANCE_SHARES].sum(axis=1)
    assert np.allclose(shares[frame["n_passages"] > 0], 1.0)
    assert list(monthly.shifts.columns) == [
        "date", "before", "after", "size", "lower", "upper", "p_value"
    ]
    assert monthly.classes == ["conciliatory", "hard-line", "neutral"]
    assert monthly.poles == ("conciliatory", "hard-line")
    assert "shift" in repr(monthly) and "2025-03-01" in monthly._repr_html_()


def test_period_scores_are_passage_weighted_means_of_the_document_scoring(
    articles: pd.DataFrame, monthly: hawkdove.TimelineResult
) -> None:
    # The same passages and scores as score_document gives, each labelled passage counted once.
    model = hawkdove.stance()
    months = pd.to_datetime(articles["date"]).dt.to_period("M").dt.to_timestamp()
    for period in [pd.Timestamp("2024-05-01"), pd.Timestamp("2025-09-01")]:
        scores = []
        for text in articles.loc[months == period, "text"]:
            doc = model.score_document(text)
            scores += [p["score"] for p in doc.passages if p["abstained"] is None]
        row = monthly.frame.loc[monthly.frame["period"] == period].iloc[0]
        assert row["n_passages"] == len(scores)
        assert row["score"] == pytest.approx(np.mean(scores), abs=1e-12)


def test_evidence_is_hard_line_passages_after_the_shift(
    articles: pd.DataFrame, monthly: hawkdove.TimelineResult
) -> None:
    evidence = monthly.evidence
    first = monthly.shifts.iloc[0]
    mine = evidence[evidence["shift"] == 0]
    assert len(mine) == 5
    assert list(evidence.columns) == [
        "shift", "document", "date", "passage", "start", "end", "text", "score"
    ]
    assert (mine["date"] >= first["date"]).all()
    assert (mine["score"] > first["before"]).all()
    assert mine["score"].is_monotonic_decreasing
    for row in mine.itertuples():
        document = articles.loc[row.document, "text"]
        assert document[row.start : row.end] == row.text
        assert pd.Timestamp(articles.loc[row.document, "date"]) == row.date


def test_series_and_arrays_give_the_same_result(
    articles: pd.DataFrame, monthly: hawkdove.TimelineResult
) -> None:
    from_series = hawkdove.timeline(text=articles["text"], date=articles["date"])
    pd.testing.assert_frame_equal(from_series.frame, monthly.frame)
    pd.testing.assert_frame_equal(from_series.shifts, monthly.shifts)
    dates = pd.to_datetime(articles["date"]).to_numpy()  # datetime64[ns]
    from_arrays = hawkdove.timeline(articles["text"].tolist(), date=dates)
    pd.testing.assert_frame_equal(from_arrays.frame, monthly.frame)
    as_dates = [dt.date.fromisoformat(d) for d in articles["date"]]
    from_dates = hawkdove.timeline(np.array(articles["text"]), date=as_dates)
    pd.testing.assert_frame_equal(from_dates.frame, monthly.frame)
    pd.testing.assert_frame_equal(from_dates.evidence, monthly.evidence)


def test_dates_with_times_keep_the_written_day(articles: pd.DataFrame) -> None:
    texts = articles["text"].tolist()[:6]
    days = ["2024-01-31", "2024-01-31T23:30:00-05:00", "2024-02-01T00:10:00+02:00",
            "2024-02-01 08:00:00", "2024-02-29T12:00:00Z", "2024-03-01"]
    result = hawkdove.timeline(text=texts, date=days, n_boot=0)
    assert result.frame["n_documents"].tolist() == [2, 3, 1]
    stamps = pd.to_datetime(["2024-01-31 23:30", "2024-02-01 00:10"]).tz_localize("Europe/Oslo")
    aware = hawkdove.timeline(text=texts[:2], date=stamps, n_boot=0)
    assert aware.frame["period"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]


def test_groups_get_their_own_rows_and_shifts(articles: pd.DataFrame) -> None:
    result = hawkdove.timeline(articles, by="source")
    frame = result.frame
    assert list(frame.columns) == ["period", "group"] + FRAME[1:] + STANCE_SHARES
    assert sorted(frame["group"].unique()) == sorted(articles["source"].unique())
    assert frame.groupby("group")["n_documents"].sum().to_dict() == (
        articles["source"].value_counts().to_dict()
    )
    assert "group" in result.shifts.columns and "group" in result.evidence.columns
    ministry = result.shifts[result.shifts["group"] == "Kestrian Foreign Ministry"]
    assert len(ministry) == 1 and months_apart(ministry["date"].iloc[0], WRITTEN_SHIFT) <= 1
    by_series = hawkdove.timeline(text=articles["text"], date=articles["date"], by=articles["source"])
    pd.testing.assert_frame_equal(by_series.frame, frame)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_shift_when_the_dates_are_shuffled(articles: pd.DataFrame, seed: int) -> None:
    shuffled = articles.copy()
    shuffled["date"] = np.random.default_rng(seed).permutation(articles["date"].to_numpy())
    result = hawkdove.timeline(shuffled)
    assert result.shifts.empty, result.shifts
    assert result.evidence.empty


def test_results_are_seeded_and_do_not_depend_on_threads(articles: pd.DataFrame) -> None:
    one = hawkdove.timeline(articles, n_jobs=1)
    two = hawkdove.timeline(articles, n_jobs=2)
    pd.testing.assert_frame_equal(one.frame, two.frame)
    pd.testing.assert_frame_equal(one.shifts, two.shifts)
    other = hawkdove.timeline(articles, seed=7)
    assert (other.frame["score"] == one.frame["score"]).all()
    assert not (other.frame["lower"] == one.frame["lower"]).all()


def test_options_reach_the_core(articles: pd.DataFrame) -> None:
    none = hawkdove.timeline(articles, max_shifts=0)
    assert none.shifts.empty
    no_boot = hawkdove.timeline(articles, n_boot=0)
    assert (no_boot.frame["lower"] == no_boot.frame["score"]).all()
    narrow = hawkdove.timeline(articles, confidence=0.5)
    wide = hawkdove.timeline(articles, confidence=0.99)
    assert ((narrow.frame["upper"] - narrow.frame["lower"]) <= (wide.frame["upper"] - wide.frame["lower"])).all()
    few = hawkdove.timeline(articles, n_evidence=2)
    assert len(few.evidence) == 2 * len(few.shifts)
    weekly = hawkdove.timeline(articles, freq="week")
    assert (weekly.frame["period"].dt.day_of_week == 0).all()


def test_other_models(articles: pd.DataFrame) -> None:
    sentiment = hawkdove.timeline(articles, model="sentiment", max_shifts=0)
    assert list(sentiment.frame.columns)[-3:] == [
        "share_negative", "share_neutral", "share_positive"
    ]
    assert sentiment.poles == ("negative", "positive")
    clf = hawkdove.TextClassifier(min_df=1).fit(
        ["we welcome the talks", "warm dialogue and cooperation", "we condemn the attack",
         "sanctions and an asset freeze"],
        [0, 0, 1, 1],
    )
    custom = hawkdove.timeline(articles, model=clf, max_shifts=0)
    assert list(custom.frame.columns)[-2:] == ["share_0", "share_1"]
    with pytest.raises(ValueError, match="model must be"):
        hawkdove.timeline(articles, model="weather")


def test_empty_input_gives_empty_frames() -> None:
    result = hawkdove.timeline(text=[], date=[])
    assert result.frame.empty and list(result.frame.columns) == FRAME + STANCE_SHARES
    assert result.shifts.empty and result.evidence.empty


def test_bad_input_raises_clear_errors(articles: pd.DataFrame) -> None:
    with pytest.raises(hawkdove.HawkdoveError, match="invalid date \"yesterday\"") as info:
        hawkdove.timeline(text=["a", "b"], date=["2024-01-01", "yesterday"])
    assert info.value.kind == "invalid_date" and "dates[1]" in info.value.reason
    with pytest.raises(ValueError, match="date is missing at position 1"):
        hawkdove.timeline(text=["a", "b"], date=[pd.Timestamp("2024-01-01"), None])
    with pytest.raises(hawkdove.LengthMismatchError):
        hawkdove.timeline(text=["a", "b"], date=["2024-01-01"])
    with pytest.raises(hawkdove.InvalidParameterError, match="fortnight"):
        hawkdove.timeline(articles, freq="fortnight")
    with pytest.raises(hawkdove.InvalidParameterError, match="shift_alpha"):
        hawkdove.timeline(articles, alpha=1.5)
    with pytest.raises(KeyError, match="'when' is not a column"):
        hawkdove.timeline(articles, date="when")
    with pytest.raises(TypeError, match="names a column"):
        hawkdove.timeline(date=articles["date"])
    with pytest.raises(TypeError, match=r"texts\[1\] is None"):
        hawkdove.timeline(text=["a", None], date=["2024-01-01", "2024-01-02"])
    with pytest.raises(ValueError, match="group .* missing at position 0"):
        hawkdove.timeline(text=["a"], date=["2024-01-01"], by=[None])


def test_plot_timeline_draws_the_band_and_the_shifts(monthly: hawkdove.TimelineResult) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = hawkdove.plot_timeline(monthly)
    try:
        assert len(ax.collections) == 1, "one interval band"
        series = ax.lines[0]
        assert len(series.get_xdata()) == 24
        shift_lines = [line for line in ax.lines if line.get_linestyle() == "--"]
        assert len(shift_lines) == len(monthly.shifts)
        x = matplotlib.dates.date2num(monthly.shifts["date"].iloc[0])
        assert matplotlib.dates.date2num(shift_lines[0].get_xdata()[0]) == pytest.approx(x)
        assert "hard-line" in ax.get_ylabel()
        fig, own = plt.subplots()
        assert monthly.plot(ax=own) is own
        plt.close(fig)
    finally:
        plt.close(ax.figure)


def test_plot_timeline_names_matplotlib_when_it_is_missing(
    monthly: hawkdove.TimelineResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        hawkdove.plot_timeline(monthly)
    with pytest.raises(TypeError, match="result of hawkdove.timeline"):
        hawkdove.plot_timeline([1, 2, 3])


def test_the_timeline_notebook_executes() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = [k for o in outputs for k in o.get("data", {})]
    assert kinds.count("image/png") == 2, "the monthly and the per-source plots are drawn"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "shift found on 2025-03-01, 0 month(s) from the written 2025-03" in text
    assert "shifts with shuffled dates: 0" in text
    assert not [o for o in outputs if o.get("name") == "stderr"], "no warnings"


def test_segmentation_chooses_the_passages() -> None:
    texts = ["We welcome the talks. We praise the dialogue.\nWe condemn the seizure."] * 2
    dates = ["2024-01-05", "2024-01-20"]
    by_sentence = hawkdove.timeline(text=texts, date=dates, n_boot=0)
    by_line = hawkdove.timeline(text=texts, date=dates, n_boot=0, segmentation="lines")
    assert by_sentence.frame["n_passages"].tolist() == [6]
    assert by_line.frame["n_passages"].tolist() == [4]
    with pytest.raises(hawkdove.InvalidParameterError, match="segmentation"):
        hawkdove.timeline(text=texts, date=dates, segmentation="words")
