"""``Featurizer``: hawkdove's text-to-sparse-features stage as a scikit-learn transformer."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, NamedTuple, Union

import numpy as np

from hawkdove import _hawkdove, _inputs, _params, _progress
from hawkdove._base import (
    BaseEstimator,
    NotFittedError,
    TransformerMixin,
    effective_n_jobs,
    pandas_index,
    store_params,
)

if TYPE_CHECKING:
    import scipy.sparse as _sparse


# The functional form keeps the field types as objects rather than strings (this module uses
# postponed annotations), so documentation tools can resolve them.
CsrArrays = NamedTuple(
    "CsrArrays",
    [("data", np.ndarray), ("indices", np.ndarray), ("indptr", np.ndarray), ("shape", tuple[int, int])],
)
CsrArrays.__doc__ = """A CSR matrix as plain arrays, returned when SciPy is not installed:
``scipy.sparse.csr_matrix((m.data, m.indices, m.indptr), shape=m.shape)`` rebuilds it."""


Matrix = Union["_sparse.csr_matrix", CsrArrays]


def to_matrix(raw: tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]) -> Matrix:
    """The compiled module's ``(indptr, indices, data, shape)`` as a ``csr_matrix`` when SciPy
    is installed, else as ``CsrArrays``."""
    indptr, indices, data, shape = raw
    try:
        import scipy.sparse  # noqa: PLC0415 - imported when first needed: import hawkdove stays fast
    except ImportError:  # pragma: no cover - exercised only without SciPy
        return CsrArrays(data, indices, indptr, shape)
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=shape)


def to_output(estimator: Any, matrix: Matrix, X: Any) -> Any:
    """``matrix`` in the container ``estimator.set_output`` chose: as is, or a pandas
    DataFrame of sparse columns named by the feature names, indexed like ``X`` when ``X`` is a
    pandas Series or DataFrame."""
    if estimator._transform_output() != "pandas":  # noqa: SLF001
        return matrix
    import pandas as pd  # noqa: PLC0415

    if isinstance(matrix, CsrArrays):
        raise ImportError("set_output(transform='pandas') needs SciPy for the sparse columns")
    return pd.DataFrame.sparse.from_spmatrix(
        matrix, index=pandas_index(X), columns=estimator.get_feature_names_out()
    )


def feature_names(raw_names: list[str] | None, n_features: int) -> np.ndarray:
    """Feature names as an object array (``hash:COL`` for hashed columns)."""
    if raw_names is None:
        return np.array([f"hash:{i}" for i in range(n_features)], dtype=object)
    return np.array(raw_names, dtype=object)


def vocabulary(raw_names: list[str] | None) -> dict[str, int] | None:
    """``{feature name: column}``, or None in hashing mode."""
    if raw_names is None:
        return None
    return {name: i for i, name in enumerate(raw_names)}


class Featurizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Texts to sparse TF-IDF-style rows: word and character n-grams, a learned vocabulary or
    feature hashing, negation marking, stemming, sublinear tf, idf and l2 normalization.

    Every keyword argument is stored unchanged (scikit-learn's convention) and means what the
    same argument of :class:`hawkdove.TextClassifier` means (``verbose``: show the progress
    of ``fit``; Ctrl-C stops it within about a second). ``transform`` returns a
    ``scipy.sparse.csr_matrix`` (float32) when SciPy is installed, else :class:`CsrArrays`;
    after ``set_output(transform="pandas")``, a DataFrame of sparse columns. ``n_jobs``: threads
    for fitting and transforming; None is one unless inside a joblib ``parallel_config(n_jobs=...)``
    context (scikit-learn's convention), -1 every core.
    """

    _fitted_attribute = "featurizer_"

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] | None = None,
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        hashing_bits: int | None = None,
        hashing_seed: int = 0,
        weighting: str = "sublinear_tf",
        use_idf: bool = True,
        normalize: bool = True,
        lowercase: bool = True,
        strip_markup: bool = True,
        fold_numbers: bool = False,
        fold_urls: bool = True,
        split_hyphens: bool = False,
        negation: bool | dict[str, Any] = True,
        stop_words: str | list[str] | None = None,
        stemmer: str | None = "english",
        lexicon: str | dict[str, list[str]] | list[tuple[str, str]] | None = None,
        n_jobs: int | None = None,
        verbose: bool | int = False,
    ) -> None:
        store_params(self, locals())

    # -- fitting ------------------------------------------------------------------------------

    def _config_json(self) -> str:
        return json.dumps(_params.featurizer_config(self.get_params()))

    def fit(self, X: Any, y: Any = None) -> Featurizer:
        """Learn the vocabulary and idf from the texts ``X``; returns ``self``."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Matrix:
        """Fit on the texts ``X`` and return their feature matrix."""
        texts, config = _inputs.texts(X), self._config_json()
        n_jobs = effective_n_jobs(self.n_jobs)
        featurizer, raw = _progress.run(
            self.verbose,
            "fit_transform",
            lambda progress: _hawkdove.Featurizer.fit_transform(
                texts, config, n_jobs=n_jobs, progress=progress
            ),
        )
        self._set_fitted(featurizer)
        return to_output(self, to_matrix(raw), X)

    def _set_fitted(self, featurizer: _hawkdove.Featurizer) -> None:
        self.featurizer_ = featurizer
        self.n_features_ = featurizer.n_features
        self._cached_names: list[str] | None = None

    def _fitted(self) -> _hawkdove.Featurizer:
        featurizer = self.__dict__.get("featurizer_")
        if featurizer is None:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit or fit_transform first"
            )
        return featurizer  # type: ignore[no-any-return]

    # -- use ----------------------------------------------------------------------------------

    def transform(self, X: Any) -> Matrix:
        """The feature matrix of the texts ``X``, one row per text in input order."""
        raw = self._fitted().transform(_inputs.texts(X), n_jobs=effective_n_jobs(self.n_jobs))
        return to_output(self, to_matrix(raw), X)

    def _names(self) -> list[str] | None:
        if self.__dict__.get("_cached_names") is None:
            self._cached_names = self._fitted().feature_names()
        return self._cached_names

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names in column order (n-grams; ``[gram]`` for character n-grams;
        ``hash:COL`` in hashing mode)."""
        return feature_names(self._names(), self._fitted().n_features)

    @property
    def vocabulary_(self) -> dict[str, int] | None:
        """``{feature name: column}``; None in hashing mode."""
        return vocabulary(self._names())

    @property
    def idf_(self) -> np.ndarray | None:
        """The fitted idf weights (float32), or None when ``use_idf=False``."""
        return self._fitted().idf()

    # -- persistence --------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The fitted featurizer in hawkdove's versioned file format."""
        return self._fitted().to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Featurizer:
        """A fitted featurizer from :meth:`to_bytes` output; its parameters are read back from
        the file."""
        inner = _hawkdove.Featurizer.from_bytes(bytes(data))
        kwargs = _params.featurizer_kwargs(json.loads(inner.config()))
        est = cls(**kwargs)
        est._set_fitted(inner)
        return est

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted featurizer to ``path``, atomically as :meth:`TextClassifier.save`
        does: if the write fails (a full disk, a file-size limit), the file already at ``path``
        is left whole."""
        self._fitted().save(os.fspath(path))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Featurizer:
        """Read a featurizer written by :meth:`save`."""
        with open(path, "rb") as f:
            return cls.from_bytes(f.read())

    def __getstate__(self) -> dict[str, Any]:
        # The compiled featurizer pickles through the versioned bytes; caches are dropped.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_cached")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.pop("_sklearn_version", None)
        self.__dict__.update(state)
