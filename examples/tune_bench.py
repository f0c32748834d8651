#!/usr/bin/env python3
"""Self-tuning defaults against scikit-learn's tuned pipeline (issue 23, item 2), in one run.

    python examples/tune_bench.py [--data DIR] [--datasets corpus-stance,corpus-sentiment,imdb3]
                                  [--n 6000] [--splits 3]

For each three-class dataset, ``--splits`` seeded stratified 80/20 train/test splits of a
stratified subsample of ``--n`` texts (seeds 0, 1, 2): ``hawkdove.TextClassifier()`` with its
defaults (C and the class weight chosen by stratified 3-fold CV over C = 0.25 … 32, powers of
two, uniform or balanced: 16 settings) against scikit-learn's ``TfidfVectorizer(ngram_range=(1,
2), sublinear_tf=True)`` + ``LogisticRegressionCV(Cs=[0.25, …, 32], cv=3, multinomial lbfgs,
max_iter=1000)`` (the same 8 values of C and the same number of folds, class weights not
searched: half of hawkdove's settings), and hawkdove with the fixed settings it had before
(C = 8, uniform). Reported per dataset: mean fit time (wall and CPU seconds, one process, one
thread for hawkdove: ``n_jobs=1``) and held-out accuracy and macro-F1, mean over the splits.
Datasets: the corpus bundled in this repository with its stance or sentiment labels, and
IMDB's 50k reviews relabelled into three classes (``compare_peers.imdb3_label``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import compare_peers as cp  # noqa: E402

GRID = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0]


def load(name: str, data: Path) -> tuple[list[str], np.ndarray]:
    if name.startswith("corpus-"):
        texts, labels = cp.read_bundled_corpus(name.split("-", 1)[1])
    elif name == "imdb3":
        texts, labels = [], []
        for part in ("train", "test"):
            t, lab = cp.read_label_tsv(data / "imdb" / f"{part}.tsv")
            texts += t
            labels += [cp.imdb3_label(a, b) for a, b in zip(lab, t)]
    else:
        raise SystemExit(f"unknown dataset {name}")
    return texts, np.array(labels)


def split(y: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rows = cp.stratified_subset(np.arange(len(y)), y, min(1.0, n / len(y)), seed)
    fold = cp.stratified_fold_ids(y[rows], 5, seed)
    return rows[fold != 0], rows[fold == 0]


def timed(fit):
    wall, cpu = time.perf_counter(), time.process_time()
    model = fit()
    return model, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=cp.DEFAULT_DATA)
    parser.add_argument("--datasets", default="corpus-stance,corpus-sentiment,imdb3")
    parser.add_argument("--n", type=int, default=6000)
    parser.add_argument("--splits", type=int, default=3)
    args = parser.parse_args()
    import hawkdove
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.pipeline import make_pipeline

    contenders = {
        "hawkdove auto": lambda: hawkdove.TextClassifier(n_jobs=1),
        "hawkdove fixed C=8": lambda: hawkdove.TextClassifier(C=8.0, class_weight=None, n_jobs=1),
        "sklearn LRCV": lambda: make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            LogisticRegressionCV(Cs=GRID, cv=3, solver="lbfgs", max_iter=1000, random_state=0),
        ),
    }
    out = {}
    for name in args.datasets.split(","):
        texts, y = load(name, args.data)
        rows = {c: {"fit_s": [], "fit_cpu_s": [], "accuracy": [], "macro_f1": [], "chosen": []} for c in contenders}
        for seed in range(args.splits):
            train, test = split(y, args.n, seed)
            tr_t, te_t = [texts[i] for i in train], [texts[i] for i in test]
            for c, make in contenders.items():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model, wall, cpu = timed(lambda: make().fit(tr_t, y[train]))
                pred = np.asarray(model.predict(te_t))
                r = rows[c]
                r["fit_s"].append(wall)
                r["fit_cpu_s"].append(cpu)
                r["accuracy"].append(cp.accuracy(y[test], pred))
                r["macro_f1"].append(cp.macro_f1(y[test], pred))
                if c == "hawkdove auto":
                    r["chosen"].append([model.C_, model.class_weight_])
                elif c == "sklearn LRCV":
                    r["chosen"].append([float(np.ravel(model[-1].C_)[0]), None])
                print(f"{name} split {seed} {c}: fit {wall:.2f} s ({cpu:.2f} CPU s), macro-F1 {r['macro_f1'][-1]:.4f}",
                      file=sys.stderr, flush=True)
        print(f"\n### {name}: {args.splits} splits of {len(train) + len(test)} texts (train {len(train)}, test {len(test)})\n")
        print("| contender | fit s | fit CPU s | accuracy | macro-F1 | chosen (C, class weight) |")
        print("|---|---|---|---|---|---|")
        for c, r in rows.items():
            print(f"| {c} | {np.mean(r['fit_s']):.2f} | {np.mean(r['fit_cpu_s']):.2f} | {np.mean(r['accuracy']):.4f} | "
                  f"{np.mean(r['macro_f1']):.4f} | {r['chosen'] or '-'} |")
        lr, hd = rows["sklearn LRCV"], rows["hawkdove auto"]
        print(f"\nhawkdove auto vs LRCV: fit {np.mean(lr['fit_s']) / np.mean(hd['fit_s']):.1f}× faster "
              f"(CPU {np.mean(lr['fit_cpu_s']) / np.mean(hd['fit_cpu_s']):.1f}×), macro-F1 "
              f"{np.mean(hd['macro_f1']) - np.mean(lr['macro_f1']):+.4f}")
        out[name] = rows
    Path("target").mkdir(exist_ok=True)
    Path("target/tune_bench.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
