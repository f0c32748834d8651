"""The estimator base classes: scikit-learn's estimator interface without importing scikit-learn.

``import hawkdove`` must stay fast (scikit-learn takes seconds to import), so the estimators do
not inherit from ``sklearn.base``: they implement the protocol scikit-learn reads instead —
``get_params``/``set_params`` from the keyword-only ``__init__``, ``__sklearn_tags__`` (built
from ``sklearn.utils.Tags`` only when scikit-learn asks for them, so scikit-learn is already
imported), ``_estimator_type`` for scikit-learn before 1.6, ``__sklearn_is_fitted__``,
``set_output`` (kept in ``_sklearn_output_config``, which ``sklearn.base.clone`` copies),
``score`` and ``fit_transform``. ``clone``, ``Pipeline``, ``GridSearchCV``,
``cross_val_predict`` and ``CalibratedClassifierCV`` work with them, and without scikit-learn
the same methods keep their meaning.
"""

from __future__ import annotations

import inspect
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

#: Output containers ``set_output(transform=...)`` accepts.
OUTPUTS = ("default", "pandas")


class NotFittedError(ValueError, AttributeError):
    """Raised when an estimator is used before ``fit`` (like scikit-learn's, a ``ValueError``
    and an ``AttributeError``)."""


class BaseEstimator:
    """``get_params``/``set_params`` read from the keyword-only ``__init__`` signature, tags and
    ``set_output`` as scikit-learn defines them."""

    #: Name of the learned attribute whose presence means "fitted" (set by subclasses).
    _fitted_attribute = ""

    if TYPE_CHECKING:
        # The constructor's parameters are stored by ``store_params`` under their own names.
        def __getattr__(self, name: str) -> Any: ...

    @classmethod
    def _get_param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind == p.KEYWORD_ONLY
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters as stored (``deep`` is accepted for scikit-learn; these
        estimators hold no nested estimators)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor parameters by name; returns ``self``."""
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
        changed = []
        for name, value in self.get_params().items():
            default = sig.parameters[name].default
            same = default is value
            if not same:
                try:
                    same = bool(default == value)
                except Exception:  # noqa: BLE001 - e.g. an array compared elementwise
                    same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` has run (read by ``sklearn.utils.validation.check_is_fitted``)."""
        return self.__dict__.get(self._fitted_attribute) is not None

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags (scikit-learn >= 1.6 calls this): the input is a
        one-dimensional batch of strings, not a two-dimensional numeric array."""
        from sklearn.utils import (  # noqa: PLC0415 - only scikit-learn calls this
            ClassifierTags,
            InputTags,
            Tags,
            TargetTags,
            TransformerTags,
        )

        classifier = getattr(self, "_estimator_type", None) == "classifier"
        return Tags(
            estimator_type="classifier" if classifier else None,
            target_tags=TargetTags(required=classifier),
            transformer_tags=TransformerTags(preserves_dtype=[])
            if hasattr(self, "transform")
            else None,
            classifier_tags=ClassifierTags(multi_class=True, multi_label=False)
            if classifier
            else None,
            input_tags=InputTags(one_d_array=True, two_d_array=False, string=True),
            requires_fit=True,
        )

    # -- set_output ---------------------------------------------------------------------------

    def set_output(self, *, transform: str | None = None) -> Any:
        """The container ``transform`` returns: ``"default"`` (a ``scipy.sparse.csr_matrix``)
        or ``"pandas"`` (a DataFrame of sparse columns named by ``get_feature_names_out()``,
        indexed like the input when it is a pandas Series or DataFrame); None leaves it
        unchanged. Returns ``self``. Without a call, scikit-learn's global
        ``set_config(transform_output=...)`` applies when scikit-learn is in use."""
        if transform is None:
            return self
        if transform not in OUTPUTS:
            raise ValueError(
                f"transform must be one of {list(OUTPUTS)} or None, got {transform!r} (the "
                f"features are sparse; pandas keeps them sparse, other containers cannot)"
            )
        self._sklearn_output_config = {"transform": transform}
        return self

    def _transform_output(self) -> str:
        config = self.__dict__.get("_sklearn_output_config") or {}
        if "transform" in config:
            return str(config["transform"])
        sklearn = sys.modules.get("sklearn")
        if sklearn is None:  # nobody can have set a global config without importing sklearn
            return "default"
        output = str(sklearn.get_config().get("transform_output", "default"))
        if output not in OUTPUTS:
            raise ValueError(
                f"sklearn.set_config(transform_output={output!r}) cannot hold hawkdove's sparse "
                f"features; use 'default' or 'pandas', or {type(self).__name__}.set_output"
            )
        return output


class ClassifierMixin:
    """``score``: mean accuracy, as scikit-learn's; marks the estimator as a classifier."""

    _estimator_type = "classifier"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y`` (weighted by ``sample_weight``)."""
        predicted = self.predict(X)  # type: ignore[attr-defined]
        truth = np.asarray(y)
        hits = (predicted == truth).astype(float)
        if sample_weight is None:
            return float(hits.mean())
        return float(np.average(hits, weights=np.asarray(sample_weight, dtype=float)))


class TransformerMixin:
    """``fit_transform``: ``fit`` then ``transform``, as scikit-learn's."""

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """``fit(X, y)`` then ``transform(X)``."""
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]


def store_params(estimator: Any, arguments: dict[str, Any]) -> None:
    """Store the keyword arguments of ``__init__`` (its ``locals()``) unchanged, as
    scikit-learn's convention asks: no validation, no conversion."""
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


def effective_n_jobs(n_jobs: int | None) -> int:
    """scikit-learn's meaning of ``n_jobs`` for the estimators: None is one job unless a joblib
    ``parallel_config`` (or ``parallel_backend``) context gives ``n_jobs``; anything else is
    passed on unchanged (-1: every core; the extension checks it)."""
    if n_jobs is not None:
        return n_jobs
    joblib = sys.modules.get("joblib")
    if joblib is None:  # no joblib context can be active without joblib imported
        return 1
    try:
        return int(joblib.effective_n_jobs(None))
    except Exception:  # noqa: BLE001 - an unusual joblib: fall back to scikit-learn's default
        return 1


def pandas_index(obj: Any) -> Any:
    """The index of a pandas Series or DataFrame, else None."""
    if type(obj).__module__.split(".")[0] == "pandas" and hasattr(obj, "index"):
        return obj.index
    return None


__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "NotFittedError",
    "TransformerMixin",
    "effective_n_jobs",
    "pandas_index",
    "store_params",
]
