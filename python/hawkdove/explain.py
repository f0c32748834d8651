"""``Explanation``: why one passage got its score, as data and as highlighted HTML."""

from __future__ import annotations

import html
import math
from typing import Any, Callable, Iterable, Sequence

#: Shades of the two poles, lightest first: ColorBrewer's diverging PuOr scheme (Cynthia
#: Brewer, colorbrewer2.org, 9 classes, flagged colour-blind safe), its four orange classes and
#: its four purple ones. Hard-line and negative sentiment are orange; conciliatory and positive
#: sentiment purple, so positive is never red.
ORANGE = ("#fee0b6", "#fdb863", "#e08214", "#b35806")
PURPLE = ("#d8daeb", "#b2abd2", "#8073ac", "#542788")
#: Page colours of every rendering: an explicit light card, so a dark notebook theme cannot
#: turn the text light on light highlights.
PAPER = "#ffffff"
INK = "#1a1a1a"
MUTED = "#4d4d4d"


def _luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_on(background: str) -> str:
    """Black or white, whichever contrasts more with ``background``."""
    return "#000000" if contrast("#000000", background) >= contrast("#ffffff", background) else "#ffffff"


def pole_shades(negative_pole: Any, positive_pole: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The shades of the (negative, positive) pole: orange marks the hard-line side, and for a
    sentiment scale (a positive pole named ``"positive"``) the negative side, so that positive
    sentiment is purple, never red or orange."""
    if str(positive_pole).lower() == "positive":
        return ORANGE, PURPLE
    return PURPLE, ORANGE


def shade(value: float, strongest: float, shades: tuple[str, ...]) -> tuple[str, str, int]:
    """``(background, text colour, bucket)`` for ``value`` on a scale whose largest magnitude
    is ``strongest``: bucket k of 4 holds magnitudes up to k/4 of it."""
    level = min(len(shades), max(1, math.ceil(len(shades) * abs(value) / strongest - 1e-12)))
    background = shades[level - 1]
    return background, text_on(background), level


CARD = (
    f"font-family:sans-serif;line-height:1.7;max-width:60em;background:{PAPER};color:{INK};"
    "padding:0.6em 0.8em;border:1px solid #767676;border-radius:4px;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact"
)


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


def mark_up(
    text: str,
    marks: Iterable[tuple[int, int, str | None]],
    suffix: dict[int, str] | None = None,
) -> str:
    """``text`` escaped for HTML, each ``(start, end, tag)`` piece wrapped in the opening
    ``<span ...>`` tag given (left plain when the tag is None) and followed by
    ``suffix[end]`` when given. Pieces are in text order; one overlapping an earlier piece is
    skipped."""
    parts: list[str] = []
    at = 0
    for start, end, tag in marks:
        if start < at:
            continue
        parts.append(html.escape(text[at:start]))
        piece = html.escape(text[start:end])
        parts.append(piece if tag is None else f"{tag}{piece}</span>")
        if suffix and tag is not None:
            parts.append(suffix.get(end, ""))
        at = end
    parts.append(html.escape(text[at:]))
    return "".join(parts)


def _highlighted_text(e: Explanation, shades: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    strongest = max((abs(t["to_score"]) for t in e.tokens), default=0.0)

    def tag(t: dict[str, Any]) -> str | None:
        w = t["to_score"]
        if w == 0.0 or strongest == 0.0:
            return None
        background, ink, level = shade(w, strongest, shades[1] if w > 0 else shades[0])
        pole = e.positive_pole if w > 0 else e.negative_pole
        tip = html.escape(f"{t['term']}: {w:+.3f} toward {pole}", quote=True)
        return (
            f'<span class="hd-token" title="{tip}" data-contribution="{w:+.6f}" '
            f'data-level="{level}" style="background:{background};color:{ink};'
            'border-radius:3px;padding:0 1px">'
        )

    def weight(t: dict[str, Any]) -> str:
        if t["to_score"] == 0.0 or strongest == 0.0:
            return ""
        return f'<sup class="hd-w" style="color:{MUTED};font-size:0.7em">{t["to_score"]:+.2f}</sup>'

    suffixes = {t["end"]: weight(t) for t in e.tokens if weight(t)}
    return mark_up(e.text, ((t["start"], t["end"], tag(t)) for t in e.tokens), suffixes)


def _swatches(shades: tuple[str, ...], strongest: float, pole: Any) -> str:
    cells = []
    for k, background in enumerate(shades, start=1):
        bound = strongest * k / len(shades)
        cells.append(
            f'<span class="hd-swatch" style="background:{background};color:{text_on(background)};'
            f'padding:0 0.35em;border-radius:2px;margin-right:1px">&le;{bound:.2f}</span>'
        )
    return f'<span style="margin-right:1em">toward <b>{html.escape(str(pole))}</b>: {"".join(cells)}</span>'


def _table(e: Explanation, n: int = 6) -> str:
    neg, pos = e.top(n)

    def column(features: list[dict[str, Any]], pole: Any) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(f['name'])}</td>"
            f'<td style="text-align:right;font-variant-numeric:tabular-nums">{f["to_score"]:+.3f}</td></tr>'
            for f in features
        ) or '<tr><td colspan="2">none</td></tr>'
        return (
            f'<table class="hd-weights" style="border-collapse:collapse;font-size:0.85em;'
            f'margin-right:2em;color:{INK};background:{PAPER}">'
            f'<caption style="text-align:left;color:{INK}">toward {html.escape(str(pole))}</caption>'
            f"{rows}</table>"
        )

    return (
        '<div class="hd-table" style="display:flex;flex-wrap:wrap;align-items:flex-start;margin-top:0.5em">'
        f"{column(neg, e.negative_pole)}{column(pos, e.positive_pole)}</div>"
    )


def scale_bar(score: float, negative_pole: Any, positive_pole: Any, shades: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    """The [−1, 1] scale with labelled ends and a marker at ``score``."""
    position = (score + 1.0) / 2.0 * 100.0
    gradient = f"linear-gradient(to right, {shades[0][-1]}, {shades[0][0]}, #f7f7f7, {shades[1][0]}, {shades[1][-1]})"
    return (
        '<div class="hd-scale-row" style="display:flex;align-items:center;gap:0.5em;'
        'margin-bottom:0.6em;font-size:0.85em">'
        f'<span class="hd-scale-end">&minus;1 {html.escape(str(negative_pole))}</span>'
        f'<div class="hd-scale" role="img" aria-label="score {score:+.3f} on a scale from -1 '
        f'({html.escape(str(negative_pole), quote=True)}) to +1 ({html.escape(str(positive_pole), quote=True)})" '
        f'style="position:relative;flex:1;height:0.7em;background:{gradient};'
        'border:1px solid #767676;border-radius:3px">'
        f'<div style="position:absolute;left:{position:.1f}%;top:-0.3em;width:3px;height:1.3em;'
        f'margin-left:-1px;background:{INK}"></div></div>'
        f'<span class="hd-scale-end">{html.escape(str(positive_pole))} +1</span></div>'
    )


def render_html(e: Explanation) -> str:
    """The explanation as a self-contained HTML fragment: one colour-blind-safe hue per pole,
    four shades by weight, each highlighted word's contribution printed after it, the strongest
    features in a table, and a labelled scale; an explicit light card so light and dark
    notebook themes show the same contrast (at least 4.5:1 for every text)."""
    shades = pole_shades(e.negative_pole, e.positive_pole)
    strongest = max((abs(t["to_score"]) for t in e.tokens), default=0.0)
    probabilities = ", ".join(
        f"{html.escape(str(c))} {p:.2f}" for c, p in e.probabilities.items()
    )
    legend = (
        f'<div class="hd-legend" style="font-size:0.85em;color:{INK};background:{PAPER};margin-top:0.5em">'
        f"{_swatches(shades[0], strongest, e.negative_pole)}"
        f"{_swatches(shades[1], strongest, e.positive_pole)}"
        f'<span style="color:{MUTED}">superscripts: each word&#8217;s contribution to the '
        "log-odds of the two poles</span></div>"
    )
    return (
        f'<div class="hawkdove-explanation" style="{CARD}">'
        f'<div class="hd-score" style="margin-bottom:0.4em"><b>score {e.score:+.3f}</b> '
        f"(label <b>{html.escape(str(e.label))}</b>; {probabilities})</div>"
        f"{scale_bar(e.score, e.negative_pole, e.positive_pole, shades)}"
        f'<div class="hd-text" style="white-space:pre-wrap">{_highlighted_text(e, shades)}</div>'
        f"{legend}{_table(e)}"
        "</div>"
    )
