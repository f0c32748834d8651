"""scikit-learn's estimator base classes when scikit-learn is installed, small stand-ins when not.

scikit-learn stays optional: without it the estimators still have ``get_params``,
``set_params``, ``score`` and ``fit_transform`` with the same meaning, so code written against
them does not change when scikit-learn is added.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
    from sklearn.exceptions import NotFittedError

    HAVE_SKLEARN = True
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    HAVE_SKLEARN = False

    class NotFittedError(ValueError, AttributeError):  # type: ignore[no-redef]
        """Raised when an estimator is used before ``fit`` (as scikit-learn's)."""

    class BaseEstimator:  # type: ignore[no-redef]
        """``get_params``/``set_params`` read from the keyword-only ``__init__`` signature."""

        @classmethod
        def _get_param_names(cls) -> list[str]:
            sig = inspect.signature(cls.__init__)
            return sorted(
                p.name
                for p in sig.parameters.values()
                if p.name != "self" and p.kind == p.KEYWORD_ONLY
            )

        def get_params(self, deep: bool = True) -> dict[str, Any]:
            return {name: getattr(self, name) for name in self._get_param_names()}

        def set_params(self, **params: Any) -> Any:
            valid = set(self._get_param_names())
            for name, value in params.items():
                if name not in valid:
                    raise ValueError(
                        f"invalid parameter {name!r} for estimator {type(self).__name__}; "
                        f"valid parameters are {sorted(valid)}"
                    )
                setattr(self, name, value)
            return self

        def __repr__(self) -> str:
            sig = inspect.signature(type(self).__init__)
            changed = [
                f"{name}={value!r}"
                for name, value in self.get_params().items()
                if sig.parameters[name].default is not value
                and sig.parameters[name].default != value
            ]
            return f"{type(self).__name__}({', '.join(changed)})"

    class ClassifierMixin:  # type: ignore[no-redef]
        """``score``: mean accuracy, as scikit-learn's."""

        _estimator_type = "classifier"

        def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
            predicted = self.predict(X)  # type: ignore[attr-defined]
            truth = np.asarray(y)
            hits = (predicted == truth).astype(float)
            if sample_weight is None:
                return float(hits.mean())
            return float(np.average(hits, weights=np.asarray(sample_weight, dtype=float)))

    class TransformerMixin:  # type: ignore[no-redef]
        """``fit_transform``: ``fit`` then ``transform``, as scikit-learn's."""

        def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
            return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]


def store_params(estimator: Any, arguments: dict[str, Any]) -> None:
    """Store the keyword arguments of ``__init__`` (its ``locals()``) unchanged, as
    scikit-learn's convention asks: no validation, no conversion."""
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


__all__ = [
    "HAVE_SKLEARN",
    "BaseEstimator",
    "ClassifierMixin",
    "NotFittedError",
    "TransformerMixin",
    "store_params",
]
