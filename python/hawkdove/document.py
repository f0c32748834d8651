"""``DocumentScore``: a document cut into passages, each scored, and its overall position."""

from __future__ import annotations

import html
from collections.abc import Iterator
from collections.abc import Sequence as SequenceABC
from typing import Any, Callable, Sequence, overload

from hawkdove.explain import CARD, INK, MUTED, PAPER, mark_up, pole_shades, scale_bar, shade, text_on

#: Columns of :meth:`DocumentScore.to_frame` before the probability columns.
PASSAGE_COLUMNS = ["start", "end", "paragraph", "kind", "text", "weight", "label", "score"]


def _reason(abstained: Any) -> str | None:
    """The core's abstention record as the text ``Scores.abstained`` uses."""
    if not abstained:
        return None
    if abstained.get("reason") == "language":
        return f"language {abstained.get('detected')}"
    return "no known feature"


_KINDS = ("headline", "sentence", "line")


class _Passages(SequenceABC[dict[str, Any]]):
    """The passages of a long document, kept as the columns the extension returns (about 80
    bytes a passage, the text not copied) and made into dicts only when read: a 50 MB document
    has about a million passages, which as dicts took gigabytes."""

    def __init__(self, columns: tuple[Any, ...], text: str, classes: list[Any]) -> None:
        (
            self._start,
            self._end,
            self._paragraph,
            self._kind,
            self._weight,
            self._class,
            self._score,
            self._proba,
            self._n_features,
            self._truncated,
            abstained,
        ) = columns
        self._abstained = dict(abstained)
        self._text = text
        self._classes = classes

    def __len__(self) -> int:
        return len(self._score)

    def _one(self, i: int) -> dict[str, Any]:
        start, end = int(self._start[i]), int(self._end[i])
        return {
            "start": start,
            "end": end,
            "paragraph": int(self._paragraph[i]),
            "kind": _KINDS[int(self._kind[i])],
            "text": self._text[start:end],
            "weight": float(self._weight[i]),
            "label": None if i in self._abstained else self._classes[int(self._class[i])],
            "score": float(self._score[i]),
            "probabilities": {
                c: float(v) for c, v in zip(self._classes, self._proba[i].tolist())
            },
            "n_features": int(self._n_features[i]),
            "truncated": bool(self._truncated[i]),
            "abstained": self._abstained.get(i),
        }

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self._one(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError("passage index out of range")
        return self._one(i % n)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (self._one(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (_Passages, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"<{len(self)} passages>"


class DocumentScore:
    """A document's position on the score scale, with an honest uncertainty.

    Attributes: ``score`` (word-weighted mean of the passage scores, in [−1, 1]), ``interval``
    (bootstrap percentile interval ``(low, high)`` at ``confidence``), ``confidence``,
    ``bootstrap`` (number of resamples), ``class_shares`` (``{class: share of passages}``),
    ``mean_probabilities`` (``{class: weighted mean probability}``), ``negative_pole`` and
    ``positive_pole``, ``text`` and ``passages``: one dict per passage in document order with
    ``start``, ``end`` (``str`` offsets: ``text[start:end]``), ``paragraph``, ``kind``
    (``"sentence"``, ``"headline"`` or ``"line"``), ``text``, ``weight`` (its word count),
    ``label``, ``score``, ``probabilities`` (``{class: p}``), ``n_features``, ``truncated``
    and ``abstained`` (why the model declined to label the passage, e.g. ``"language rus"``,
    else None; such a passage has label None and weight 0, and is left out of the score, the
    interval and the shares); ``n_abstained`` counts them.
    """

    def __init__(
        self,
        raw: dict[str, Any],
        text: str,
        classes: Sequence[Any],
        poles: tuple[Any, Any],
        to_user: Callable[[str], Any] = lambda label: label,
        columns: tuple[Any, ...] | None = None,
    ) -> None:
        self.text = text
        self.score = float(raw["score"])
        low, high = raw["interval"]
        self.interval = (float(low), float(high))
        self.confidence = float(raw["confidence"])
        self.bootstrap = int(raw["bootstrap"])
        self.classes = [to_user(c) for c in classes]
        self.negative_pole, self.positive_pole = poles
        self.class_shares = {to_user(c): float(v) for c, v in raw["class_shares"]}
        self.mean_probabilities = {to_user(c): float(v) for c, v in raw["mean_probabilities"]}
        self.n_abstained = int(raw.get("n_abstained", 0))
        self.passages: Sequence[dict[str, Any]]
        if columns is not None:
            self.passages = _Passages(columns, text, self.classes)
            return
        passages = []
        for p in raw["passages"]:
            segment, prediction = p["segment"], p["prediction"]
            abstained = prediction.get("abstained")
            passages.append(
                {
                    "start": int(segment["span"]["start"]),
                    "end": int(segment["span"]["end"]),
                    "paragraph": int(segment["paragraph"]),
                    "kind": segment["kind"],
                    "text": p["text"],
                    "weight": float(p["weight"]),
                    "label": None if abstained else to_user(prediction["label"]),
                    "score": float(prediction["score"]),
                    "probabilities": {
                        to_user(c): float(v) for c, v in zip(classes, prediction["probabilities"])
                    },
                    "n_features": int(prediction["n_features"]),
                    "truncated": bool(prediction.get("truncated", False)),
                    "abstained": _reason(abstained),
                }
            )
        self.passages = passages

    def __len__(self) -> int:
        return len(self.passages)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain Python data."""
        return {
            "score": self.score,
            "interval": list(self.interval),
            "confidence": self.confidence,
            "bootstrap": self.bootstrap,
            "class_shares": dict(self.class_shares),
            "mean_probabilities": dict(self.mean_probabilities),
            "negative_pole": self.negative_pole,
            "positive_pole": self.positive_pole,
            "n_abstained": self.n_abstained,
            "passages": [dict(p, probabilities=dict(p["probabilities"])) for p in self.passages],
        }

    def to_frame(self) -> Any:
        """The passages as a pandas DataFrame: one row each, with ``p_<class>`` columns."""
        import pandas as pd

        rows = []
        for p in self.passages:
            row = {k: p[k] for k in PASSAGE_COLUMNS}
            row.update({f"p_{c}": p["probabilities"][c] for c in self.classes})
            row["n_features"] = p["n_features"]
            row["truncated"] = p["truncated"]
            row["abstained"] = p["abstained"]
            rows.append(row)
        extra = ["n_features", "truncated", "abstained"]
        columns = PASSAGE_COLUMNS + [f"p_{c}" for c in self.classes] + extra
        return pd.DataFrame(rows, columns=columns)

    def __repr__(self) -> str:
        low, high = self.interval
        return (
            f"DocumentScore(score={self.score:+.3f}, interval=({low:+.3f}, {high:+.3f}), "
            f"confidence={self.confidence}, passages={len(self.passages)}, "
            f"poles=({self.negative_pole!r}, {self.positive_pole!r}))"
        )

    def _repr_html_(self) -> str:
        """The document with each passage shaded by its score and the score printed after it
        (self-contained HTML; the colours of :meth:`Explanation._repr_html_`)."""
        low, high = self.interval
        shades = pole_shades(self.negative_pole, self.positive_pole)

        def tag(p: dict[str, Any]) -> str:
            s = p["score"]
            background, ink, level = shade(s, 1.0, shades[1] if s > 0 else shades[0])
            tip = html.escape(f"{p['label']}: score {s:+.3f}", quote=True)
            return (
                f'<span class="hd-passage" title="{tip}" data-score="{s:+.6f}" '
                f'data-level="{level}" style="background:{background};color:{ink};'
                'border-radius:3px">'
            )

        def badge(p: dict[str, Any]) -> str:
            return (
                f'<sup class="hd-pscore" style="color:{MUTED};font-size:0.75em">'
                f"{p['score']:+.2f}</sup>"
            )

        passages = list(self.passages)
        marked = mark_up(
            self.text,
            ((p["start"], p["end"], tag(p)) for p in passages),
            {p["end"]: badge(p) for p in passages},
        )
        shares = ", ".join(f"{html.escape(str(c))} {v:.0%}" for c, v in self.class_shares.items())

        def swatches(side: tuple[str, ...], pole: Any) -> str:
            cells = "".join(
                f'<span class="hd-swatch" style="background:{b};color:{text_on(b)};'
                f'padding:0 0.35em;border-radius:2px;margin-right:1px">&le;{k / len(side):.2f}</span>'
                for k, b in enumerate(side, start=1)
            )
            return f'<span style="margin-right:1em">toward <b>{html.escape(str(pole))}</b>: {cells}</span>'

        return (
            f'<div class="hawkdove-document" style="{CARD}">'
            f'<div class="hd-score"><b>document score {self.score:+.3f}</b> '
            f"({self.confidence:.0%} interval {low:+.3f} to {high:+.3f}; "
            f"{len(self.passages)} passages: {shares})</div>"
            f"{scale_bar(self.score, self.negative_pole, self.positive_pole, shades)}"
            f'<div class="hd-legend" style="font-size:0.85em;color:{INK};background:{PAPER};'
            'margin:0.3em 0">'
            f"{swatches(shades[0], self.negative_pole)}{swatches(shades[1], self.positive_pole)}"
            f'<span style="color:{MUTED}">superscripts: passage scores</span></div>'
            f'<div class="hd-text" style="white-space:pre-wrap">{marked}</div></div>'
        )


class DocumentScores:
    """One :class:`DocumentScore` per document of a batch, in input order (what
    ``score_document`` returns for a pandas Series, list or array of documents).

    ``index`` is the input's pandas index when the documents came as a Series, else None;
    :meth:`to_frame` uses it.
    """

    def __init__(self, documents: list[DocumentScore], index: Any = None) -> None:
        self.documents = documents
        self.index = index

    def __len__(self) -> int:
        return len(self.documents)

    @overload
    def __getitem__(self, i: int) -> DocumentScore: ...
    @overload
    def __getitem__(self, i: slice) -> list[DocumentScore]: ...
    def __getitem__(self, i: int | slice) -> DocumentScore | list[DocumentScore]:
        return self.documents[i]

    def __iter__(self) -> Iterator[DocumentScore]:
        return iter(self.documents)

    def to_frame(self, index: Any = None) -> Any:
        """One row per document (needs pandas): ``score``, ``low``, ``high`` (the interval),
        ``n_passages``, ``n_abstained`` and ``share_<class>`` for each class; indexed by
        ``index``, else by the input Series' index, else 0..n-1."""
        import pandas as pd

        classes = self.documents[0].classes if self.documents else []
        rows = [
            {
                "score": d.score,
                "low": d.interval[0],
                "high": d.interval[1],
                "n_passages": len(d.passages),
                "n_abstained": d.n_abstained,
                **{f"share_{c}": d.class_shares.get(c, 0.0) for c in classes},
            }
            for d in self.documents
        ]
        columns = ["score", "low", "high", "n_passages", "n_abstained"]
        columns += [f"share_{c}" for c in classes]
        return pd.DataFrame(rows, columns=columns, index=self.index if index is None else index)

    def __repr__(self) -> str:
        return f"DocumentScores(n={len(self)})"
