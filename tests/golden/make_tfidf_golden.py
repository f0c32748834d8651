"""Compute golden TF-IDF values with scikit-learn for hawkdove's featurizer tests.

Run: python tests/golden/make_tfidf_golden.py > crates/hawkdove/tests/fixtures/tfidf_golden.json

The texts are chosen so that scikit-learn's default tokenizer (words of 2+ word characters)
and hawkdove's (with negation marking off) split them identically: lowercase words of at least
two letters separated by spaces.
"""
import json

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

TEXTS = [
    "talks resumed after the ceasefire held",
    "the ministry imposed sanctions and froze assets",
    "sanctions sanctions and more sanctions were imposed",
    "the envoy welcomed the talks and the ceasefire",
    "assets were frozen after talks collapsed",
]

out = {"sklearn_version": sklearn.__version__, "texts": TEXTS, "cases": []}
for sublinear in (False, True):
    for ngram in ((1, 1), (1, 2)):
        vec = TfidfVectorizer(ngram_range=ngram, sublinear_tf=sublinear, smooth_idf=True, norm="l2")
        x = vec.fit_transform(TEXTS).tocsr()
        names = vec.get_feature_names_out()
        rows = []
        for i in range(x.shape[0]):
            start, end = x.indptr[i], x.indptr[i + 1]
            rows.append({str(names[j]): float(v) for j, v in zip(x.indices[start:end], x.data[start:end])})
        out["cases"].append({
            "sublinear_tf": sublinear,
            "ngram_range": list(ngram),
            "idf": {str(n): float(v) for n, v in zip(names, vec.idf_)},
            "rows": rows,
        })
print(json.dumps(out, indent=1, sort_keys=True))
