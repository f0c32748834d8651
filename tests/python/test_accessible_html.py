"""Accessible explanations (issue 26, item 5): every text/background pair the HTML renderers
emit has a WCAG 2.x contrast of at least 4.5:1 — computed here from the colours in the HTML,
for every weight bucket of both poles, stance and sentiment scales — weights and passage scores
are printed (no hover needed), the scale ends are labelled, the card carries its own background
(light and dark notebook themes look the same), positive sentiment is never red; and, where a
headless Chromium is installed, a screenshot of the rendering on a dark page is checked."""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import hawkdove
from hawkdove.document import DocumentScore
from hawkdove.explain import ORANGE, PURPLE, Explanation

# -- WCAG 2.x, written out here independently of the renderer -------------------------------


def luminance(rgb: tuple[int, int, int]) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def parse_colour(value: str) -> tuple[int, int, int]:
    value = value.strip()
    m = re.fullmatch(r"#([0-9a-fA-F]{6})", value)
    assert m, f"an opaque #rrggbb colour, not {value!r} (alpha would make contrast page-dependent)"
    h = m.group(1)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


class Pairs(HTMLParser):
    """Every run of text with the colour and background in force around it (inline styles)."""

    VOID = {"br", "img", "hr", "meta", "input"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple | None, tuple | None]] = []
        self.pairs: list[tuple[str, tuple[int, int, int], tuple[int, int, int]]] = []

    def handle_starttag(self, tag, attrs):
        style = dict(attrs).get("style") or ""
        decl = dict(
            (k.strip(), v.strip())
            for k, v in (d.split(":", 1) for d in style.split(";") if ":" in d)
        )
        fg = parse_colour(decl["color"]) if "color" in decl else None
        bg = None
        if "background" in decl and not decl["background"].startswith("linear-gradient"):
            bg = parse_colour(decl["background"])
        if tag not in self.VOID:
            self.stack.append((tag, fg, bg))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1][0] == tag, f"unbalanced </{tag}>"
        self.stack.pop()

    def handle_data(self, data):
        if not data.strip():
            return
        fg = next((f for _, f, _ in reversed(self.stack) if f is not None), None)
        bg = next((b for _, _, b in reversed(self.stack) if b is not None), None)
        assert fg is not None and bg is not None, f"text {data!r} has no explicit colour pair"
        self.pairs.append((data, fg, bg))


def pairs_of(page: str):
    p = Pairs()
    p.feed(page)
    p.close()
    assert not p.stack
    return p.pairs


def synthetic_explanation(negative: str, positive: str, labels: list[str]) -> Explanation:
    # Token weights in every bucket of both poles (buckets are quarters of the strongest).
    weights = [-1.0, -0.7, -0.45, -0.2, 0.2, 0.45, 0.7, 1.0, 0.0]
    words = [f"w{i}" for i in range(len(weights))]
    text = " ".join(words)
    tokens, at = [], 0
    for word, w in zip(words, weights):
        tokens.append({"span": {"start": at, "end": at + len(word)}, "text": word, "term": word,
                       "to_label": w, "to_score": w})
        at += len(word) + 1
    raw = {
        "text": text,
        "prediction": {"label": labels[0], "score": 0.3, "n_features": 8,
                       "probabilities": [1 / len(labels)] * len(labels)},
        "negative_pole": negative,
        "positive_pole": positive,
        "bias_to_score": 0.0,
        "features": [{"name": t["term"], "column": i, "value": 1.0, "to_label": t["to_score"],
                      "to_score": t["to_score"], "spans": [[t["span"]["start"], t["span"]["end"]]]}
                     for i, t in enumerate(tokens)],
        "tokens": tokens,
    }
    for f in raw["features"]:
        f["spans"] = [{"start": s, "end": e} for s, e in f["spans"]]
    return Explanation(raw, labels)


SCALES = [
    ("conciliatory", "hard-line", ["conciliatory", "hard-line", "neutral"]),
    ("negative", "positive", ["negative", "neutral", "positive"]),
]


@pytest.mark.parametrize("negative,positive,labels", SCALES)
def test_every_explanation_text_pair_is_at_least_4_5(negative, positive, labels):
    e = synthetic_explanation(negative, positive, labels)
    page = e._repr_html_()
    levels = set(re.findall(r'data-contribution="([+-])[^"]*" data-level="(\d)"', page))
    assert levels == {(s, str(k)) for s in "+-" for k in range(1, 5)}, "every bucket of both poles"
    pairs = pairs_of(page)
    worst = min(pairs, key=lambda p: ratio(p[1], p[2]))
    assert ratio(worst[1], worst[2]) >= 4.5, worst
    # Every shade, with the text colour the renderer put on it, was among the pairs checked.
    backgrounds = {bg for _, _, bg in pairs}
    assert {parse_colour(c) for c in ORANGE + PURPLE} <= backgrounds


def test_document_view_pairs_and_scores_without_hover(stance_model):
    text = (
        "The army sealed the border and froze the ministry's assets.\n\n"
        "Both sides welcomed the talks and agreed to ease tariffs.\n\n"
        "The delegation arrived on Tuesday.\n\n"
        "Tokyo called for restraint and further dialogue."
    )
    d = stance_model.score_document(text, bootstrap=0)
    page = d._repr_html_()
    pairs = pairs_of(page)
    assert min(ratio(fg, bg) for _, fg, bg in pairs) >= 4.5
    shown = re.findall(r'<sup class="hd-pscore"[^>]*>([^<]*)</sup>', page)
    assert shown == [f"{p['score']:+.2f}" for p in d.passages]
    # Every passage bucket: a synthetic document whose passages take scores across the scale.
    raw = d.to_dict()
    columns = None
    synthetic = DocumentScore(
        {"score": 0.0, "interval": [0, 0], "confidence": 0.95, "bootstrap": 0,
         "class_shares": [], "mean_probabilities": [],
         "passages": [
             {"segment": {"span": {"start": i * 2, "end": i * 2 + 1}, "paragraph": i, "kind": "sentence"},
              "text": "x", "weight": 1.0,
              "prediction": {"label": "neutral", "score": s, "probabilities": [0.2, 0.3, 0.5], "n_features": 1}}
             for i, s in enumerate([-1.0, -0.6, -0.4, -0.1, 0.1, 0.4, 0.6, 1.0])
         ]},
        " ".join("x" * 8), ["conciliatory", "hard-line", "neutral"], ("conciliatory", "hard-line"),
        columns=columns,
    )
    page = synthetic._repr_html_()
    assert len(set(re.findall(r'data-level="(\d)"', page))) == 4
    assert min(ratio(fg, bg) for _, fg, bg in pairs_of(page)) >= 4.5
    assert raw["passages"]


def test_weights_scale_ends_and_legend_without_hover(stance_model):
    e = stance_model.explain("The government imposed sweeping sanctions but welcomed the talks.")
    page = e._repr_html_()
    supers = re.findall(r'<sup class="hd-w"[^>]*>([^<]*)</sup>', page)
    highlighted = [t for t in e.tokens if t["to_score"] != 0]
    assert supers == [f"{t['to_score']:+.2f}" for t in highlighted]
    assert "&minus;1 conciliatory" in page and "hard-line +1" in page
    table = re.findall(r'<table class="hd-weights".*?</table>', page)
    assert len(table) == 2 and "toward conciliatory" in table[0] and "toward hard-line" in table[1]
    neg, pos = e.top(6)
    for f in pos:
        assert f"{f['to_score']:+.3f}" in table[1]
    # The card and the legend carry their own background and text colour (dark themes).
    assert re.search(r'class="hawkdove-explanation" style="[^"]*background:#ffffff;color:#1a1a1a', page)
    assert re.search(r'class="hd-legend" style="[^"]*color:#1a1a1a;background:#ffffff', page)
    assert "print-color-adjust:exact" in page
    assert "rgba(" not in page


def test_positive_sentiment_is_never_red():
    e = synthetic_explanation("negative", "positive", ["negative", "neutral", "positive"])
    page = e._repr_html_()
    positive = {parse_colour(bg) for bg in re.findall(r'data-contribution="\+[^"]*" data-level="\d" style="background:(#[0-9a-f]{6})', page)}
    assert positive == {parse_colour(c) for c in PURPLE}
    for r, g, b in positive:
        assert b >= r, "purple/blue, not red or orange"


# -- headless Chromium --------------------------------------------------------------------------

CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "chromium-headless-shell", "google-chrome")
     if shutil.which(n)),
    None,
)


@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed (apt install chromium-headless-shell)")
def test_chromium_screenshot_on_a_dark_page(tmp_path: Path, stance_model):
    np = pytest.importorskip("numpy")
    image = pytest.importorskip("matplotlib.image")
    e = stance_model.explain("The government imposed sweeping sanctions but welcomed the talks.")
    page = tmp_path / "dark.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head>"
        "<body style='background:#111111;color:#eeeeee;margin:0;padding:20px'>"
        f"{e._repr_html_()}</body></html>",
        encoding="utf-8",
    )
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={shot}", "--window-size=900,500", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    pixels = (image.imread(str(shot))[..., :3] * 255).round().astype(int)
    colours = {tuple(p) for p in pixels.reshape(-1, 3)}
    # The card is painted white on the dark page, and the shades of both poles are on screen.
    assert (255, 255, 255) in colours and (17, 17, 17) in colours
    drawn = {c for c in ORANGE + PURPLE if parse_colour(c) in colours}
    assert any(c in ORANGE for c in drawn) and any(c in PURPLE for c in drawn), drawn
    # Inside the card (white background rows), nearly every pixel is the card, a shade, or dark ink.
    card = pixels[(pixels == 255).all(axis=2).any(axis=1)]
    assert len(card) > 50
    assert html_module.escape("x") == "x" and hawkdove.__version__
