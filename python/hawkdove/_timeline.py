"""Stance over time: :func:`timeline` scores a collection of dated documents and returns the
score per period with a bootstrap interval and the detected shifts (:class:`TimelineResult`);
:func:`plot_timeline` draws it with matplotlib. The method is described in docs/timeline.md."""

from __future__ import annotations

import html
import json
from typing import Any

import numpy as np

from hawkdove import _hawkdove
from hawkdove.bundled import ModelLike, _resolve

#: Columns of :attr:`TimelineResult.frame` before the ``share_<class>`` columns (``group``
#: only when ``by`` was given).
FRAME_COLUMNS = [
    "period",
    "group",
    "score",
    "lower",
    "upper",
    "n_documents",
    "n_passages",
    "n_abstained",
]
#: Columns of :attr:`TimelineResult.shifts` (``group`` only when ``by`` was given).
SHIFT_COLUMNS = ["group", "date", "before", "after", "size", "lower", "upper", "p_value"]
#: Columns of :attr:`TimelineResult.evidence` (``group`` only when ``by`` was given).
EVIDENCE_COLUMNS = ["shift", "group", "document", "date", "passage", "start", "end", "text", "score"]


class TimelineResult:
    """The result of :func:`timeline`.

    Attributes:

    * ``frame``: a pandas DataFrame, one row per period (and group) holding a document, in
      order: ``period`` (its first day), ``group`` (only when ``by`` was given), ``score``
      (passage-weighted mean score: every labelled passage of the period counts once; NaN when
      the model abstained on every passage), ``lower`` and ``upper`` (bootstrap interval at
      ``confidence``, resampling the period's documents), ``n_documents``, ``n_passages``
      (passages labelled), ``n_abstained`` (passages the model declined to label),
      ``share_<class>`` for each class (share of the labelled passages);
    * ``shifts``: a DataFrame, one row per detected change of level: ``group`` (with ``by``),
      ``date`` (first day of the first period of the new level), ``before`` and ``after`` (the
      mean score of the segments on each side), ``size`` (``after − before``), ``lower`` and
      ``upper`` (its bootstrap interval), ``p_value`` (permutation test);
    * ``evidence``: a DataFrame of the passages after each shift that moved farthest from the
      earlier level in the shift's direction: ``shift`` (row of ``shifts``), ``group``,
      ``document`` (the input's index label), ``date``, ``passage`` (its rank among the
      document's labelled passages), ``start`` and ``end`` (``str`` offsets in the document),
      ``text``, ``score``;
    * ``freq``, ``confidence``, ``alpha``, ``by``, ``classes``, ``poles``.

    :meth:`plot` draws it (:func:`plot_timeline`); in a notebook it displays as its tables.
    """

    def __init__(
        self,
        frame: Any,
        shifts: Any,
        evidence: Any,
        *,
        freq: str,
        confidence: float,
        alpha: float,
        by: Any,
        classes: list[Any],
        poles: tuple[Any, Any],
    ) -> None:
        self.frame = frame
        self.shifts = shifts
        self.evidence = evidence
        self.freq = freq
        self.confidence = confidence
        self.alpha = alpha
        self.by = by
        self.classes = classes
        self.poles = poles

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the series with its interval band and the shifts; see :func:`plot_timeline`."""
        return plot_timeline(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        groups = f", {self.frame['group'].nunique()} groups" if "group" in self.frame else ""
        return (
            f"TimelineResult({len(self.frame)} periods of one {self.freq}{groups}, "
            f"{len(self.shifts)} shifts at alpha={self.alpha})"
        )

    def _repr_html_(self) -> str:
        if len(self.shifts):
            lines = []
            for row in self.shifts.itertuples(index=False):
                where = f"{html.escape(str(row.group))}: " if "group" in self.shifts else ""
                lines.append(
                    f"<li>{where}<b>{row.date:%Y-%m-%d}</b>: {row.before:+.3f} → "
                    f"{row.after:+.3f} (size {row.size:+.3f}, {self.confidence:.0%} interval "
                    f"{row.lower:+.3f} to {row.upper:+.3f}; p = {row.p_value:.3g})</li>"
                )
            shifts = "<ul>" + "".join(lines) + "</ul>"
        else:
            shifts = f"<p>No shift at alpha = {self.alpha}.</p>"
        return (
            '<div class="hawkdove-timeline">'
            f"<p><b>Shifts</b></p>{shifts}"
            f"<p><b>Score per {html.escape(self.freq)}</b></p>{self.frame.to_html(index=False)}"
            "</div>"
        )


def _is_frame(obj: Any) -> bool:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is needed below anyway
        return False
    return isinstance(obj, pd.DataFrame)


def _column(frame: Any, value: Any, name: str) -> Any:
    """``frame[value]`` when ``value`` names a column, else ``value`` itself (an array)."""
    if isinstance(value, str):
        if frame is None or not _is_frame(frame):
            raise TypeError(
                f"{name}={value!r} names a column, but no DataFrame was given; pass the "
                f"{name} values themselves (a Series, list or array)"
            )
        if value not in frame.columns:
            raise KeyError(
                f"{name}={value!r} is not a column of the DataFrame (columns: "
                f"{', '.join(map(str, frame.columns))})"
            )
        return frame[value]
    return value


def _days(values: Any, n: int) -> np.ndarray:
    """Days since 1970-01-01 of each date: strings are read as the command line reads them
    (the date as written, see ``hawkdove.timeline.parse_date`` in Rust); datetimes, pandas
    Timestamps and ``datetime64`` by their calendar date (a time zone's wall clock)."""
    import pandas as pd

    if isinstance(values, (str, bytes)):
        raise TypeError("date must be a column name or a batch of dates, not a single str")
    series = pd.Series(values.to_numpy() if hasattr(values, "to_numpy") else list(values))
    if len(series) != n:
        raise _hawkdove.LengthMismatchError(
            f"length mismatch: texts has {n} items but dates has {len(series)}"
        )
    missing = series.isna().to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ValueError(f"date is missing at position {first} ({int(missing.sum())} missing)")
    textual = series.dtype == object or pd.api.types.is_string_dtype(series.dtype)
    if textual and all(isinstance(v, str) for v in series):
        return np.asarray(_hawkdove.parse_dates(series.tolist()), dtype=np.int64)
    stamps = pd.to_datetime(series)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return np.asarray(stamps.to_numpy().astype("datetime64[D]").astype(np.int64))


def _groups(values: Any, n: int) -> list[str | None]:
    import pandas as pd

    series = pd.Series(values.to_numpy() if hasattr(values, "to_numpy") else list(values))
    if len(series) != n:
        raise _hawkdove.LengthMismatchError(
            f"length mismatch: texts has {n} items but by has {len(series)}"
        )
    missing = series.isna().to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ValueError(
            f"the group (by) is missing at position {first}; fill or drop those rows first"
        )
    return [str(v) for v in series]


def timeline(
    frame: Any = None,
    text: Any = "text",
    date: Any = "date",
    freq: str = "M",
    by: Any = None,
    model: ModelLike = "stance",
    *,
    n_boot: int = 1000,
    confidence: float = 0.95,
    alpha: float = 0.05,
    min_documents: int = 5,
    max_shifts: int = 3,
    n_permutations: int = 999,
    n_evidence: int = 5,
    seed: int = 0,
    segmentation: str = "sentences",
    n_jobs: int | None = None,
) -> TimelineResult:
    """Score dated documents and follow their score over time, with shifts.

    ``frame`` is a pandas DataFrame whose columns ``text``, ``date`` and ``by`` (optional) are
    named; or leave ``frame`` out (or pass the texts as ``frame``) and give ``text``, ``date``
    and ``by`` as Series, lists or arrays of equal length. Dates may be strings (``2024-03-05``,
    ``2024-03-05T10:00:00Z``: the date as written), datetimes, Timestamps or ``datetime64``.

    Every document is cut into passages (``segmentation``: ``"sentences"``,
    ``"paragraphs"`` or ``"lines"``, as :meth:`TextClassifier.score_document` does) and
    scored by ``model`` (``"stance"``, ``"sentiment"`` or a fitted :class:`TextClassifier`)
    on ``n_jobs`` threads without the GIL (``None``: the classifier's own ``n_jobs``; every
    core for the bundled models). Then,
    per period of ``freq`` (``"D"``, ``"W"`` (weeks from Monday), ``"M"``, ``"Q"``, ``"Y"``,
    or ``"day"`` ... ``"year"``) and per group of ``by``: the passage-weighted mean score with
    a bootstrap interval over the period's documents (``n_boot`` resamples at
    ``confidence``), the counts and the class shares. Shifts are found by binary segmentation
    of the documents in date order (a change starts with a period), each kept when its
    permutation p-value (``n_permutations``) is at most ``alpha``, with at least
    ``min_documents`` documents on each side and at most ``max_shifts`` per group; each has a
    bootstrap interval for its size and ``n_evidence`` passages as evidence. Seeded by
    ``seed``: the same call gives the same numbers.

    Returns a :class:`TimelineResult` (``.frame``, ``.shifts``, ``.evidence``, ``.plot()``).
    """
    import pandas as pd

    if _is_frame(frame):
        texts = _column(frame, text, "text")
        index = frame.index
    else:
        texts = frame if frame is not None else _column(None, text, "text")
        index = texts.index if isinstance(texts, pd.Series) else None
    dates = _column(frame, date, "date")
    groups = None if by is None else _column(frame, by, "by")
    if not isinstance(freq, str):
        raise TypeError(f"freq must be a str such as 'M' or 'month', not {type(freq).__name__}")
    clf = _resolve(model, n_jobs)
    core = clf._model()  # noqa: SLF001
    text_list = texts.tolist() if hasattr(texts, "tolist") else list(texts)
    n = len(text_list)
    days = _days(dates, n)
    group_list = None if groups is None else _groups(groups, n)
    options = {
        "period": freq,
        "n_boot": n_boot,
        "confidence": confidence,
        "seed": seed,
        "shift_alpha": alpha,
        "min_documents": min_documents,
        "max_shifts": max_shifts,
        "n_permutations": n_permutations,
        "n_evidence": n_evidence,
    }
    raw, passages = core.timeline(
        text_list,
        days,
        group_list,
        json.dumps(options),
        segmentation,
        n_jobs=clf.n_jobs if n_jobs is None else n_jobs,
    )
    result = json.loads(raw)
    classes = [clf._user_label(c) for c in core.classes]  # noqa: SLF001
    with_group = by is not None

    rows = []
    for r in result["rows"]:
        row = {k: r[k] for k in FRAME_COLUMNS if k != "group"}
        row["group"] = r["group"]
        row["score"] = np.nan if r["score"] is None else r["score"]
        row["lower"] = np.nan if r["lower"] is None else r["lower"]
        row["upper"] = np.nan if r["upper"] is None else r["upper"]
        for c, share in zip(classes, r["class_shares"]):
            row[f"share_{c}"] = share
        rows.append(row)
    frame_columns = [c for c in FRAME_COLUMNS if with_group or c != "group"]
    frame_columns += [f"share_{c}" for c in classes]
    out = pd.DataFrame(rows, columns=frame_columns)
    out["period"] = pd.to_datetime(out["period"])
    for c in ("score", "lower", "upper"):
        out[c] = out[c].astype(float)

    shift_columns = [c for c in SHIFT_COLUMNS if with_group or c != "group"]
    shifts = pd.DataFrame(
        [{k: s[k] for k in shift_columns} for s in result["shifts"]], columns=shift_columns
    )
    shifts["date"] = pd.to_datetime(shifts["date"])

    spans = {(d, p): (start, end, body) for d, p, start, end, body in passages}
    evidence_rows = []
    for k, s in enumerate(result["shifts"]):
        for e in s["evidence"]:
            d, p = int(e["document"]), int(e["passage"])
            start, end, body = spans.get((d, p), (None, None, None))
            evidence_rows.append(
                {
                    "shift": k,
                    "group": s["group"],
                    "document": index[d] if index is not None else d,
                    "date": pd.Timestamp(np.datetime64(int(days[d]), "D")),
                    "passage": p,
                    "start": start,
                    "end": end,
                    "text": body,
                    "score": e["score"],
                }
            )
    evidence_columns = [c for c in EVIDENCE_COLUMNS if with_group or c != "group"]
    evidence = pd.DataFrame(
        [{k: r[k] for k in evidence_columns} for r in evidence_rows], columns=evidence_columns
    )
    return TimelineResult(
        out,
        shifts,
        evidence,
        freq=_period_name(freq),
        confidence=confidence,
        alpha=alpha,
        by=by if isinstance(by, str) else None,
        classes=classes,
        poles=clf.poles_,
    )


def _period_name(freq: str) -> str:
    letter = freq.strip().lower()[:1]
    return {"d": "day", "w": "week", "m": "month", "q": "quarter", "y": "year", "a": "year"}.get(
        letter, freq
    )


def plot_timeline(
    result: TimelineResult | Any,
    ax: Any = None,
    *,
    groups: Any = None,
    band: bool = True,
    shifts: bool = True,
) -> Any:
    """Draw a :func:`timeline` result with matplotlib: the score per period as a line with
    markers, its interval as a shaded band (``band``), a dashed vertical line at each detected
    shift (``shifts``) labelled with its size, and the zero line. One line per group (``groups``
    picks some). Draws on ``ax`` (default: a new figure's axes) and returns the Axes.

    Needs matplotlib (``pip install matplotlib``), imported only when called.
    """
    if isinstance(result, TimelineResult):
        frame, shift_frame, poles = result.frame, result.shifts, result.poles
        confidence = result.confidence
    elif _is_frame(result):
        frame, shift_frame, poles, confidence = result, None, None, None
    else:
        raise TypeError(
            f"plot_timeline takes the result of hawkdove.timeline, not {type(result).__name__}"
        )
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "hawkdove.plot_timeline needs matplotlib; install it with `pip install matplotlib`"
        ) from e
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    has_groups = "group" in frame.columns
    names = list(dict.fromkeys(frame["group"])) if has_groups else [None]
    if groups is not None:
        wanted = [groups] if isinstance(groups, str) else list(groups)
        names = [g for g in names if g in wanted]
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    for i, name in enumerate(names):
        color = colors[i % len(colors)]
        part = frame if name is None else frame[frame["group"] == name]
        label = "score" if name is None else str(name)
        ax.plot(part["period"], part["score"], marker="o", color=color, label=label)
        if band:
            ax.fill_between(
                part["period"].to_numpy(),
                part["lower"].to_numpy(dtype=float),
                part["upper"].to_numpy(dtype=float),
                color=color,
                alpha=0.2,
                linewidth=0,
                label=None if confidence is None or i > 0 else f"{confidence:.0%} interval",
            )
        if shifts and shift_frame is not None and len(shift_frame):
            mine = shift_frame if name is None else shift_frame[shift_frame["group"] == name]
            for row in mine.itertuples(index=False):
                ax.axvline(row.date, color=color, linestyle="--", linewidth=1.2)
                ax.annotate(
                    f"shift {row.size:+.2f}\n[{row.lower:+.2f}, {row.upper:+.2f}]",
                    xy=(row.date, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(4, -4 - 24 * i),
                    textcoords="offset points",
                    va="top",
                    fontsize=8,
                    color=color,
                )
    ax.axhline(0.0, color="grey", linewidth=0.8)
    if poles is not None:
        ax.set_ylabel(f"score (− {poles[0]}, + {poles[1]})")
    else:
        ax.set_ylabel("score")
    ax.set_xlabel("period")
    ax.legend(loc="best", fontsize=8)
    return ax
