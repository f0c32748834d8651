"""``Explanation``: why one passage got its score, as data and as highlighted HTML."""

from __future__ import annotations

import html
from typing import Any, Callable, Iterable, Sequence

#: Highlight colours (red, green, blue) of the negative and the positive pole.
NEGATIVE_RGB = (33, 102, 172)
POSITIVE_RGB = (178, 24, 43)


def _rgba(rgb: tuple[int, int, int], alpha: float) -> str:
    r, g, b = rgb
    return f"rgba({r}, {g}, {b}, {alpha:.3f})"


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns))


class Explanation:
    """Why a passage got its prediction.

    A linear model's log-odds are a sum over features, so each contribution is exact:
    ``to_score`` is a feature's (or token's) part in ``log P(positive pole) − log P(negative
    pole)``, ``to_label`` its part in the predicted class's (centred) logit. Spans are ``str``
    offsets into :attr:`text` (``text[start:end]``).

    Attributes: ``text``, ``label``, ``score``, ``probabilities`` (``{class: p}``),
    ``negative_pole``, ``positive_pole``, ``bias`` (the intercept's part of the pole log-odds),
    ``features`` (dicts: ``name``, ``column``, ``value``, ``to_label``, ``to_score``,
    ``spans``; largest ``|to_score|`` first) and ``tokens`` (dicts in text order: ``start``,
    ``end``, ``text``, ``term``, ``to_label``, ``to_score``).
    """

    def __init__(
        self,
        raw: dict[str, Any],
        classes: Sequence[Any],
        to_user: Callable[[str], Any] = lambda label: label,
    ) -> None:
        prediction = raw["prediction"]
        self.text: str = raw["text"]
        self.label = to_user(prediction["label"])
        self.score = float(prediction["score"])
        self.n_features = int(prediction["n_features"])
        self.truncated = bool(prediction.get("truncated", False))
        self.probabilities = {
            to_user(c): float(p) for c, p in zip(classes, prediction["probabilities"])
        }
        self.negative_pole = to_user(raw["negative_pole"])
        self.positive_pole = to_user(raw["positive_pole"])
        self.bias = float(raw["bias_to_score"])
        self.features = [
            {
                "name": f["name"],
                "column": int(f["column"]),
                "value": float(f["value"]),
                "to_label": float(f["to_label"]),
                "to_score": float(f["to_score"]),
                "spans": [(int(s["start"]), int(s["end"])) for s in f["spans"]],
            }
            for f in raw["features"]
        ]
        self.tokens = [
            {
                "start": int(t["span"]["start"]),
                "end": int(t["span"]["end"]),
                "text": t["text"],
                "term": t["term"],
                "to_label": float(t["to_label"]),
                "to_score": float(t["to_score"]),
            }
            for t in raw["tokens"]
        ]

    def top(self, n: int = 10) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The ``n`` features pushing hardest toward each pole: ``(negative, positive)``."""
        neg = sorted((f for f in self.features if f["to_score"] < 0), key=lambda f: f["to_score"])
        pos = sorted((f for f in self.features if f["to_score"] > 0), key=lambda f: -f["to_score"])
        return neg[:n], pos[:n]

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain Python data (JSON-serializable when the labels are)."""
        return {
            "text": self.text,
            "label": self.label,
            "score": self.score,
            "n_features": self.n_features,
            "truncated": self.truncated,
            "probabilities": dict(self.probabilities),
            "negative_pole": self.negative_pole,
            "positive_pole": self.positive_pole,
            "bias": self.bias,
            "features": [dict(f, spans=list(f["spans"])) for f in self.features],
            "tokens": [dict(t) for t in self.tokens],
        }

    def to_frame(self, what: str = "tokens") -> Any:
        """A pandas DataFrame of the ``"tokens"`` (text order) or the ``"features"`` (largest
        ``|to_score|`` first). Needs pandas."""
        if what == "tokens":
            return _frame(self.tokens, ["start", "end", "text", "term", "to_label", "to_score"])
        if what == "features":
            return _frame(
                self.features, ["name", "column", "value", "to_label", "to_score", "spans"]
            )
        raise ValueError(f"what must be 'tokens' or 'features', got {what!r}")

    def __repr__(self) -> str:
        neg, pos = self.top(3)
        return (
            f"Explanation(label={self.label!r}, score={self.score:+.3f}, "
            f"toward {self.negative_pole!r}: {[f['name'] for f in neg]}, "
            f"toward {self.positive_pole!r}: {[f['name'] for f in pos]})"
        )

    # -- HTML ---------------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        """The passage with each token highlighted by its contribution to the score: one
        colour per pole, opacity by weight. Self-contained (inline styles; no scripts, no
        network)."""
        return render_html(self)


def mark_up(text: str, marks: Iterable[tuple[int, int, str | None]]) -> str:
    """``text`` escaped for HTML, each ``(start, end, tag)`` piece wrapped in the opening
    ``<span ...>`` tag given (left plain when the tag is None). Pieces are in text order;
    one overlapping an earlier piece is skipped."""
    parts: list[str] = []
    at = 0
    for start, end, tag in marks:
        if start < at:
            continue
        parts.append(html.escape(text[at:start]))
        piece = html.escape(text[start:end])
        parts.append(piece if tag is None else f"{tag}{piece}</span>")
        at = end
    parts.append(html.escape(text[at:]))
    return "".join(parts)


def _highlighted_text(e: Explanation) -> str:
    strongest = max((abs(t["to_score"]) for t in e.tokens), default=0.0)

    def tag(t: dict[str, Any]) -> str | None:
        w = t["to_score"]
        if w == 0.0 or strongest == 0.0:
            return None
        alpha = 0.15 + 0.75 * abs(w) / strongest
        rgb = POSITIVE_RGB if w > 0 else NEGATIVE_RGB
        pole = e.positive_pole if w > 0 else e.negative_pole
        tip = html.escape(f"{t['term']}: {w:+.3f} toward {pole}", quote=True)
        return (
            f'<span class="hd-token" title="{tip}" data-contribution="{w:+.6f}" '
            f'style="background:{_rgba(rgb, alpha)};border-radius:3px;padding:0 1px">'
        )

    return mark_up(e.text, ((t["start"], t["end"], tag(t)) for t in e.tokens))


def _swatch(rgb: tuple[int, int, int], label: str) -> str:
    return (
        f'<span style="display:inline-block;width:0.9em;height:0.9em;vertical-align:middle;'
        f'background:{_rgba(rgb, 0.8)};border-radius:2px;margin:0 0.3em 0 0.8em"></span>'
        f"{html.escape(str(label))}"
    )


def render_html(e: Explanation) -> str:
    """The explanation as a self-contained HTML fragment."""
    position = (e.score + 1.0) / 2.0 * 100.0
    probabilities = ", ".join(
        f"{html.escape(str(c))} {p:.2f}" for c, p in e.probabilities.items()
    )
    gradient = (
        f"linear-gradient(to right, {_rgba(NEGATIVE_RGB, 0.8)}, #f0f0f0, "
        f"{_rgba(POSITIVE_RGB, 0.8)})"
    )
    return (
        '<div class="hawkdove-explanation" style="font-family:sans-serif;line-height:1.6;'
        'max-width:60em">'
        f'<div class="hd-score" style="margin-bottom:0.4em"><b>score {e.score:+.3f}</b> '
        f"(label <b>{html.escape(str(e.label))}</b>; {probabilities})</div>"
        f'<div class="hd-scale" style="position:relative;height:0.6em;background:{gradient};'
        'border-radius:3px;margin-bottom:0.6em">'
        f'<div style="position:absolute;left:{position:.1f}%;top:-0.2em;width:2px;height:1em;'
        'background:#000"></div></div>'
        f'<div class="hd-text" style="white-space:pre-wrap">{_highlighted_text(e)}</div>'
        '<div class="hd-legend" style="font-size:0.85em;color:#444;margin-top:0.5em">'
        f"toward:{_swatch(NEGATIVE_RGB, e.negative_pole)}{_swatch(POSITIVE_RGB, e.positive_pole)}"
        '<span style="margin-left:0.8em">(stronger colour, larger contribution; '
        "hover a word for its weight)</span></div>"
        "</div>"
    )
