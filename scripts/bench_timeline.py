"""Time hawkdove.timeline against scoring the same sentences with score_texts, in one run
(docs/timeline.md, "Speed"): 20,000 documents drawn from examples/timeline/halver_strait.csv.
Run from the repository root: python scripts/bench_timeline.py"""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd

import hawkdove

a = pd.read_csv("examples/timeline/halver_strait.csv")
rng = np.random.default_rng(0)
n = 20000
texts = list(a["text"].to_numpy()[rng.integers(0, len(a), n)])
dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
sents = [p for t in texts for p in re.split(r"(?<=\.) ", t)]
def best(f, k=3):
    out = []
    for _ in range(k):
        s = time.perf_counter(); f(); out.append(time.perf_counter() - s)
    return min(out)
for jobs in (1, 2):
    c = hawkdove.stance(n_jobs=jobs)
    sc = best(lambda: c.score_texts(sents))
    bare = best(lambda: hawkdove.timeline(text=texts, date=dates, n_boot=0, max_shifts=0, n_jobs=jobs))
    full = best(lambda: hawkdove.timeline(text=texts, date=dates, n_jobs=jobs))
    print(f"n_jobs={jobs}: {n} documents / {len(sents)} sentences: score_texts(sentences) {sc:.2f}s, timeline(n_boot=0, max_shifts=0) {bare:.2f}s ({bare/sc:.2f}x), timeline(defaults) {full:.2f}s ({full/sc:.2f}x)")
