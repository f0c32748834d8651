#!/usr/bin/env python3
"""Check corpus files against the codebook's quality rules (CODEBOOK.md §8-9).

Usage: python3 scripts/check_corpus.py [FILE.tsv ...]   (default: every corpus file)

Checks the header, five fields, labels, registers, ids (file prefix, unique, consecutive),
word counts (15-90 for passage files, 4-60 for `sent-*.tsv`), class shares, and, against the
whole corpus, word 5-gram Jaccard <= 0.3 (near-duplicates) and masked 4-gram Jaccard <= 0.5
(templates) -- the same measures as crates/hawkdove/tests/bundled.rs. Exit status 1 on any
violation. Standard library only.
"""
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "crates/hawkdove/data/corpus"
HEADER = "id\tstance\tsentiment\tregister\ttext"
STANCE = {"conciliatory", "neutral", "hard-line"}
SENTIMENT = {"negative", "neutral", "positive"}
REGISTERS = {"analyst", "brief", "oped", "parliament", "statement", "wire", "headline"}
# Files that are neutral-heavy by design (CODEBOOK.md §9): everyday sentences whose conflict
# words carry no stance, beside foreign-policy sentences that use the same words.
NEUTRAL_HEAVY = {"sent-everyday-figurative.tsv"}
SPLIT = re.compile(r"[^\w']+")


def words(text):
    return [w.lower() for w in SPLIT.split(text) if w and w != "_"]


def skeleton(text):
    out = []
    for w in SPLIT.split(text):
        if not w or w == "_":
            continue
        out.append("X" if (w[0].isupper() or w[0].isdigit()) else w.lower())
    return out


def shingles(ws, n):
    return {" ".join(ws[i : i + n]) for i in range(len(ws) - n + 1)}


def similar_pairs(sets, limit):
    index = defaultdict(list)
    for i, s in enumerate(sets):
        for g in s:
            index[g].append(i)
    shared = Counter()
    for ids in index.values():
        if len(ids) > 50:
            continue
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                shared[(ids[a], ids[b])] += 1
    out = []
    for (i, j), n in shared.items():
        jac = n / max(1, len(sets[i]) + len(sets[j]) - n)
        if jac > limit:
            out.append((jac, i, j))
    return sorted(out, reverse=True)


def parse(path, errors):
    items = []
    lines = path.read_text(encoding="utf-8").split("\n")
    if not lines or lines[0].rstrip("\r") != HEADER:
        errors.append(f"{path.name}:1: expected the header {HEADER!r}")
        return items
    for no, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        f = line.split("\t")
        where = f"{path.name}:{no}"
        if len(f) != 5:
            errors.append(f"{where}: expected 5 tab-separated fields, found {len(f)}")
            continue
        iid, stance, sentiment, register, text = f
        if stance not in STANCE:
            errors.append(f"{where}: unknown stance {stance!r}")
        if sentiment not in SENTIMENT:
            errors.append(f"{where}: unknown sentiment {sentiment!r}")
        if register not in REGISTERS:
            errors.append(f"{where}: unknown register {register!r}")
        items.append(dict(id=iid, stance=stance, sentiment=sentiment, register=register,
                          text=text.strip(), file=path.name, line=no))
    return items


def check_file(path, items, errors):
    sent = path.name.startswith("sent-")
    lo, hi = (4, 60) if sent else (15, 90)
    prefixes = {it["id"].rsplit("-", 1)[0] for it in items}
    if len(prefixes) != 1:
        errors.append(f"{path.name}: one id prefix per file, found {sorted(prefixes)}")
    for k, it in enumerate(items, start=1):
        m = re.fullmatch(r"([a-z]+)-(\d{4,5})", it["id"])
        if not m or int(m.group(2)) != k:
            errors.append(f"{path.name}:{it['line']}: id {it['id']!r} should be <prefix>-{k:04d}")
        n = len(it["text"].split())
        if not lo <= n <= hi:
            errors.append(f"{path.name}:{it['line']}: {it['id']} has {n} words ({lo}-{hi} allowed)")
        if sent and it["register"] == "headline" and n > 25:
            errors.append(f"{path.name}:{it['line']}: {it['id']} is a headline of {n} words")
    if not items:
        return
    n = len(items)
    st = Counter(it["stance"] for it in items)
    se = Counter(it["sentiment"] for it in items)
    lo_share, hi_share = (0.25, 0.42) if sent else (0.28, 0.40)
    for lab in STANCE:
        share = st[lab] / n
        lo, hi = lo_share, hi_share
        if path.name in NEUTRAL_HEAVY:
            lo, hi = (0.45, 0.65) if lab == "neutral" else (0.15, 0.35)
        if not lo <= share <= hi:
            errors.append(f"{path.name}: stance {lab} is {share:.1%} of the file "
                          f"({lo:.0%}-{hi:.0%} wanted)")
    for lab in SENTIMENT:
        if se[lab] / n < 0.12:
            errors.append(f"{path.name}: sentiment {lab} is {se[lab] / n:.1%} of the file (>= 12% wanted)")
    print(f"{path.name}: {n} items; stance {dict(st)}; sentiment {dict(se)}; "
          f"registers {dict(Counter(it['register'] for it in items))}")


def main(argv):
    errors = []
    all_files = sorted(CORPUS.glob("*.tsv"))
    targets = [Path(a).resolve() for a in argv] or all_files
    corpus = []
    for f in sorted(set(all_files) | set(targets)):
        items = parse(f, errors)
        if f in targets:
            check_file(f, items, errors)
        corpus.extend(items)
    ids = Counter(it["id"] for it in corpus)
    for iid, c in ids.items():
        if c > 1:
            errors.append(f"id {iid} appears {c} times in the corpus")
    target_names = {t.name for t in targets}
    for name, limit, sets in [
        ("near-duplicate (word 5-gram Jaccard)", 0.3, [shingles(words(it["text"]), 5) for it in corpus]),
        ("templated (masked 4-gram Jaccard)", 0.5, [shingles(skeleton(it["text"]), 4) for it in corpus]),
    ]:
        for jac, i, j in similar_pairs(sets, limit):
            a, b = corpus[i], corpus[j]
            if a["file"] in target_names or b["file"] in target_names:
                errors.append(f"{name} {jac:.2f}: {a['file']}:{a['line']} {a['id']} / "
                              f"{b['file']}:{b['line']} {b['id']}")
    for e in errors:
        print(e)
    print(f"{len(corpus)} items in the corpus; {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
