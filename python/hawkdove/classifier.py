"""``TextClassifier``: hawkdove's model as a scikit-learn classifier, and ``Scores``."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from hawkdove import _hawkdove, _inputs, _params, _progress
from hawkdove._base import (
    BaseEstimator,
    ClassifierMixin,
    NotFittedError,
    effective_n_jobs,
    pandas_index,
    store_params,
)
from hawkdove.document import DocumentScore, DocumentScores
from hawkdove.explain import Explanation
from hawkdove.featurizer import Matrix, feature_names, to_matrix, to_output, vocabulary

if TYPE_CHECKING:
    import scipy.sparse as _sparse  # noqa: F401  (names the sparse type inside `Matrix`)


class Scores:
    """Predictions for a batch, one entry per text in input order.

    Attributes: ``labels`` (the predicted classes), ``probabilities`` (n × classes, rows sum to
    1), ``scores`` (in [−1, 1]: negative leans toward ``poles[0]``, positive toward
    ``poles[1]``), ``n_features`` (non-zero features per text; 0 means nothing the model knows:
    the prediction is then the prior), ``truncated`` (True where a text was longer than the
    core's token cap and only its beginning was read), ``abstained`` (an object array: the reason
    the model declined to label a text, such as ``"language rus"`` or ``"no known feature"``,
    else None; the label of such a text is None, and its score and probabilities are only the
    model's prior), ``classes``, ``poles``, ``index`` (the input's pandas index when the texts
    came as a pandas Series or DataFrame, else None; :meth:`to_frame` uses it).
    """

    def __init__(
        self,
        labels: np.ndarray,
        probabilities: np.ndarray,
        scores: np.ndarray,
        n_features: np.ndarray,
        classes: np.ndarray,
        poles: tuple[Any, Any],
        truncated: np.ndarray | None = None,
        abstained: list[str | None] | None = None,
        index: Any = None,
    ) -> None:
        self.abstained = np.array(
            [None] * len(scores) if abstained is None else abstained, dtype=object
        )
        if abstained is not None and any(a is not None for a in abstained):
            labels = labels.astype(object)
            labels[[a is not None for a in abstained]] = None
        self.labels = labels
        self.probabilities = probabilities
        self.scores = scores
        self.n_features = n_features
        self.classes = classes
        self.poles = poles
        self.truncated = np.zeros(len(scores), dtype=bool) if truncated is None else truncated
        self.index = index

    def __len__(self) -> int:
        return len(self.scores)

    def to_dict(self) -> dict[str, Any]:
        """Columns as lists: ``label``, ``score``, ``p_<class>`` for each class,
        ``n_features``, ``truncated``, ``abstained``."""
        out: dict[str, Any] = {"label": self.labels.tolist(), "score": self.scores.tolist()}
        for j, c in enumerate(self.classes):
            out[f"p_{c}"] = self.probabilities[:, j].tolist()
        out["n_features"] = self.n_features.tolist()
        out["truncated"] = self.truncated.tolist()
        out["abstained"] = self.abstained.tolist()
        return out

    def to_frame(self, index: Any = None) -> Any:
        """A pandas DataFrame with the columns of :meth:`to_dict` (needs pandas), indexed by
        ``index``, else by the input's index when the texts were a pandas Series or DataFrame,
        else 0..n-1."""
        import pandas as pd

        if index is None:
            index = self.index

        data: dict[str, Any] = {"label": self.labels, "score": self.scores}
        for j, c in enumerate(self.classes):
            data[f"p_{c}"] = self.probabilities[:, j]
        data["n_features"] = self.n_features
        data["truncated"] = self.truncated
        data["abstained"] = self.abstained
        return pd.DataFrame(data, index=index)

    def __repr__(self) -> str:
        return f"Scores(n={len(self)}, classes={list(self.classes)}, poles={self.poles})"


def _cv_results(candidates: list[dict[str, Any]], class_weight: Any) -> dict[str, Any]:
    """scikit-learn's ``cv_results_`` layout of the core's tuning candidates."""
    n_folds = max((len(c["fold_macro_f1"]) for c in candidates), default=0)
    weights = [class_weight(c["class_weight"]) for c in candidates]
    out: dict[str, Any] = {
        "params": [
            {"C": float(c["c"]), "class_weight": w, "nb_alpha": c["nb_alpha"]}
            for c, w in zip(candidates, weights)
        ],
        "param_C": np.array([float(c["c"]) for c in candidates]),
        "param_class_weight": np.array(weights + [None], dtype=object)[:-1],
        "param_nb_alpha": np.array([c["nb_alpha"] for c in candidates] + [None], dtype=object)[
            :-1
        ],
    }
    for k in range(n_folds):
        out[f"split{k}_test_score"] = np.array([c["fold_macro_f1"][k] for c in candidates])
    out["mean_test_score"] = np.array([c["mean_macro_f1"] for c in candidates])
    out["std_test_score"] = np.array([c["std_macro_f1"] for c in candidates])
    out["rank_test_score"] = np.array([c["rank"] for c in candidates], dtype=np.int32)
    out["mean_test_log_loss"] = np.array([c["mean_log_loss"] for c in candidates])
    out["n_iter"] = np.array([c["iterations"] for c in candidates], dtype=np.int64)
    return out


class TextClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """hawkdove's sparse linear text classifier, with scikit-learn's estimator interface.

    Featurizer: ``ngram_range`` (word n-gram orders, up to 4), ``char_ngram_range`` (character
    n-grams within words, or None), ``min_df`` / ``max_df`` (an int counts documents, a float is
    a fraction), ``max_features``, ``hashing_bits`` (feature hashing into 2**bits columns instead
    of a vocabulary) and ``hashing_seed``, ``weighting`` (``"binary"``, ``"tf"`` or
    ``"sublinear_tf"``), ``use_idf``, ``normalize`` (l2 rows), ``lowercase``, ``strip_markup``,
    ``fold_numbers``, ``fold_urls``, ``split_hyphens``, ``negation`` (True: English rules,
    False: off, or a dict of rules overriding some of ``words``, ``phrases``,
    ``scope_breakers``, ``max_scope`` and ``double_negation``, the last a phrase negator inside
    a scope cancelling it: "did not rule out talks"), ``stop_words`` (None, ``"english"`` or a list),
    ``stemmer`` (a Snowball language such as ``"english"``, or None), ``lexicon`` (domain
    phrases whose matches become extra features, two per pole, negation-aware: None,
    ``"stance"`` for the lexicon shipped with hawkdove, ``{pole: [phrase, ...]}`` or
    ``(pole, phrase)`` pairs, e.g. from :func:`hawkdove.read_lexicon`).

    Model: ``C`` (inverse L2 regularization; ``"auto"``, the default, chooses it by internal
    stratified 3-fold cross-validation on the training data among 0.25, 0.5, …, 32, with warm
    starts along the path, as scikit-learn's ``LogisticRegressionCV`` does; a number fixes it),
    ``solver`` (``"auto"`` or ``"dual_cd"``: dual
    coordinate descent, binary or multinomial by the number of classes; ``"lbfgs"``: multinomial
    L-BFGS with an unregularized intercept), ``class_weight`` (``"auto"``, the default: uniform
    or balanced, whichever the same cross-validation prefers; None (uniform), ``"balanced"`` or
    ``{label: weight}`` fix it), ``tol`` (None: the solver's
    default, 0.1 for dual CD as in LIBLINEAR and 1e-4 for L-BFGS),
    ``max_iter``, ``fit_intercept``, ``intercept_scaling``, ``nb_alpha`` (Naive-Bayes feature
    scaling, None to turn off), ``calibration_folds`` (temperature scaling fitted on that many
    cross-validation folds, or None), ``poles`` (``(negative, positive)`` classes of the score),
    ``abstain`` (None: label every text; an ISO 639-3 language code such as ``"eng"``: give no
    label to texts in another language or with no known feature, reported in
    ``Scores.abstained`` and left out of document scores; ``predict`` still returns the prior's
    class for them), ``random_state`` (None keeps the fixed default seeds), ``n_jobs`` (threads
    for fitting and batch prediction, scikit-learn's convention: None is one thread unless
    inside a joblib ``parallel_config(n_jobs=...)`` context, -1 every core; the bundled
    :func:`hawkdove.stance` and :func:`hawkdove.sentiment` models default to every core),
    ``max_weight_bytes`` (the largest dense weight matrix, classes × features × 8 bytes, that
    training may build; default 256 MiB; a larger problem raises ``HawkdoveError`` before
    anything of that size is allocated), ``verbose`` (False: quiet; True: show training
    progress, featurization, solver iterations and folds, as a tqdm bar when tqdm is
    installed, else lines on stderr).

    Self-tuning picks the setting with the best mean held-out macro-F1 (near-ties within 0.002
    go to the smaller log loss), then refits on all the data with it: after ``fit``, ``C_``,
    ``class_weight_`` and ``nb_alpha_`` are the values used (also for fixed settings), and,
    when something was tuned, ``best_params_``, ``best_score_`` (mean macro-F1) and
    ``cv_results_`` (a dict of arrays as in scikit-learn's ``GridSearchCV``: ``params``,
    ``param_C``, ``param_class_weight``, ``param_nb_alpha``, ``split{k}_test_score``,
    ``mean_test_score``, ``std_test_score``, ``rank_test_score``, ``mean_test_log_loss``,
    ``n_iter``). Fixing both ``C`` and ``class_weight`` turns tuning off.

    Ctrl-C during ``fit`` raises ``KeyboardInterrupt`` within about a second (the core checks
    for it between solver iterations); an interrupted ``fit`` leaves the estimator as it was.

    Defaults are the core's (see the README). Labels may be str or int; ``classes_`` keeps
    their type and sorted order. :meth:`stance_score` is the score in [−1, 1]:
    ``P(poles[1]) − P(poles[0])``, which for two classes is ``2·P(poles[1]) − 1``.
    :meth:`decision_function` is scikit-learn's: log-probabilities, one column per class, or
    for two classes one column whose positive values mean ``classes_[1]``.
    """

    _fitted_attribute = "model_"

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
        C: float | str = "auto",
        solver: str = "auto",
        class_weight: str | dict[Any, float] | None = "auto",
        tol: float | None = None,
        max_iter: int = 1000,
        fit_intercept: bool = True,
        intercept_scaling: float = 1.0,
        nb_alpha: float | None = 1.0,
        calibration_folds: int | None = None,
        poles: tuple[Any, Any] | None = None,
        abstain: str | None = None,
        random_state: int | None = None,
        n_jobs: int | None = None,
        max_weight_bytes: int = 256 * 2**20,
        verbose: bool | int = False,
    ) -> None:
        store_params(self, locals())

    # -- fitting ------------------------------------------------------------------------------

    def _params_json(self, classes: np.ndarray, int_labels: bool) -> str:
        poles: tuple[str, str] | None = None
        if self.poles is not None:
            negative, positive = self.poles
            poles = (str(negative), str(positive))
        elif int_labels:
            # The core sorts labels as strings ("10" < "2"); give it the numeric order's poles.
            poles = (str(classes[0]), str(classes[-1]))
        return json.dumps(_params.model_params(self.get_params(), poles))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TextClassifier:
        """Train on the texts ``X`` with labels ``y`` (str or int); returns ``self``.

        ``sample_weight`` (scikit-learn's convention): one non-negative, finite weight per
        text, not all zero, or ``None`` for all 1. A text's loss counts its weight times in the
        solver, the Naive-Bayes ratios and the calibration folds, so an integer weight trains
        the model of the text repeated that many times; a weight of 0 drops the text (the
        vocabulary and idf count each kept text once, as scikit-learn's vectorizers do).
        Bad weights raise ``InvalidSampleWeightError`` or ``LengthMismatchError``.
        """
        texts = _inputs.texts(X)
        labels, int_labels = _inputs.labels(y)
        classes = np.unique(labels)
        core_labels = labels.astype(str) if int_labels else labels
        weights = _inputs.sample_weight(sample_weight)
        params = self._params_json(classes, int_labels)
        n_jobs = effective_n_jobs(self.n_jobs)
        model = _progress.run(
            self.verbose,
            "fit",
            lambda progress: _hawkdove.Model.train(
                texts,
                core_labels,
                params,
                n_jobs=n_jobs,
                sample_weight=weights,
                progress=progress,
            ),
        )
        self._set_model(model, classes)
        column = _inputs.column_name(X)
        if column is not None:
            self.feature_names_in_ = np.array([column], dtype=object)
            self.n_features_in_ = 1
        else:
            self.__dict__.pop("feature_names_in_", None)
            self.__dict__.pop("n_features_in_", None)
        return self

    def _set_model(self, model: _hawkdove.Model, classes: np.ndarray) -> None:
        core = {c: i for i, c in enumerate(model.classes)}
        order = np.array([core[str(c)] for c in classes], dtype=np.intp)
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        self.model_ = model
        self.classes_ = classes
        self._order = order  # core class index of each entry of classes_
        self._inverse = inverse  # entry of classes_ of each core class index
        self._by_name = {str(c): c.item() if isinstance(c, np.generic) else c for c in classes}
        self._cached: dict[str, Any] = {}
        self._set_tuning(model)

    def _set_tuning(self, model: _hawkdove.Model) -> None:
        """``C_``, ``class_weight_``, ``nb_alpha_`` and, when self-tuning ran,
        ``best_params_``, ``best_score_`` and ``cv_results_``."""
        for name in ("C_", "class_weight_", "nb_alpha_", "best_params_", "best_score_", "cv_results_"):
            self.__dict__.pop(name, None)
        raw_tuning = model.tuning()
        raw_params = model.params()
        if raw_tuning is not None:
            report = json.loads(raw_tuning)
            self.C_ = float(report["c"])
            self.class_weight_ = self._user_class_weight(report["class_weight"])
            self.nb_alpha_ = report["nb_alpha"]
            candidates = report["candidates"]
            if report.get("best") is not None:
                self.cv_results_ = _cv_results(candidates, self._user_class_weight)
                best = candidates[report["best"]]
                self.best_params_ = {
                    "C": float(best["c"]),
                    "class_weight": self._user_class_weight(best["class_weight"]),
                    "nb_alpha": best["nb_alpha"],
                }
                self.best_score_ = float(best["mean_macro_f1"])
        elif raw_params is not None:
            logistic = json.loads(raw_params)["logistic"]
            self.C_ = float(logistic["c"])
            self.class_weight_ = self._user_class_weight(logistic["class_weight"])
            self.nb_alpha_ = logistic.get("nb_alpha")

    def _user_class_weight(self, weight: Any) -> Any:
        value = _params.class_weight_kwarg(weight)
        if isinstance(value, dict):
            return {self._by_name.get(k, k): v for k, v in value.items()}
        return value

    def _model(self) -> _hawkdove.Model:
        model = self.__dict__.get("model_")
        if model is None:
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit first, or use "
                f"TextClassifier.load / hawkdove.stance()"
            )
        return model  # type: ignore[no-any-return]

    def _user_label(self, core_label: str) -> Any:
        return self._by_name.get(core_label, core_label)

    # -- prediction ---------------------------------------------------------------------------

    def _predict_raw(
        self, X: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str | None] | None]:
        texts = _inputs.texts(X)
        return self._model().predict_batch(texts, n_jobs=effective_n_jobs(self.n_jobs))  # type: ignore[no-any-return]

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each text (dtype of ``classes_``)."""
        index = self._predict_raw(X)[0]
        return self.classes_[self._inverse[index]]  # type: ignore[no-any-return]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_texts, n_classes), columns in ``classes_`` order."""
        return self._predict_raw(X)[1][:, self._order]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))  # type: ignore[no-any-return]

    def decision_function(self, X: Any) -> np.ndarray:
        """Confidence per class as scikit-learn defines it: for three or more classes the
        log-probabilities, shape (n_texts, n_classes) in ``classes_`` order (the logits up to
        a per-row constant); for two classes the log-odds ``log P(classes_[1]) −
        log P(classes_[0])``, shape (n_texts,), positive meaning ``classes_[1]``. What
        ``CalibratedClassifierCV`` and the ``roc_auc`` scorer read; the score in [−1, 1] is
        :meth:`stance_score`."""
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            log_proba = np.log(np.maximum(proba, np.finfo(np.float64).tiny))
        if log_proba.shape[1] == 2:
            return log_proba[:, 1] - log_proba[:, 0]  # type: ignore[no-any-return]
        return log_proba  # type: ignore[no-any-return]

    def stance_score(self, X: Any) -> np.ndarray:
        """The score of each text in [−1, 1]: ``P(poles_[1]) − P(poles_[0])`` (for the bundled
        sentiment model, P(positive) − P(negative)); the ``scores`` of :meth:`score_texts`."""
        return self._predict_raw(X)[2]

    def score_texts(self, X: Any) -> Scores:
        """Labels, probabilities, scores and feature counts of a batch, in one pass."""
        index, proba, score, n_features, truncated, abstained = self._predict_raw(X)
        return Scores(
            labels=self.classes_[self._inverse[index]],
            probabilities=proba[:, self._order],
            scores=score,
            n_features=n_features,
            classes=self.classes_,
            poles=self.poles_,
            truncated=truncated,
            abstained=abstained,
            index=pandas_index(X),
        )

    def transform(self, X: Any) -> Matrix:
        """The texts' feature matrix as the model sees it (``csr_matrix`` with SciPy; a
        DataFrame of sparse columns after ``set_output(transform="pandas")``)."""
        raw = self._model().transform(_inputs.texts(X), n_jobs=effective_n_jobs(self.n_jobs))
        return to_output(self, to_matrix(raw), X)

    # -- inspection ---------------------------------------------------------------------------

    @overload
    def explain(self, text: str) -> Explanation: ...
    @overload
    def explain(self, text: Any) -> list[Explanation]: ...
    def explain(self, text: Any) -> Explanation | list[Explanation]:
        """Why ``text`` got its score: exact per-feature and per-token contributions. In a
        notebook the result displays as the highlighted passage. Given a batch of texts (a
        pandas Series, list, array...) instead of one str, a list of explanations in order."""
        model = self._model()
        if isinstance(text, str):
            return Explanation(json.loads(model.explain(text)), model.classes, self._user_label)
        return [
            Explanation(json.loads(model.explain(one)), model.classes, self._user_label)
            for one in _inputs.str_items(text, "texts", "text")
        ]

    @overload
    def score_document(
        self,
        text: str,
        *,
        segmentation: str = ...,
        bootstrap: int = ...,
        confidence: float = ...,
        seed: int = ...,
    ) -> DocumentScore: ...
    @overload
    def score_document(
        self,
        text: Any,
        *,
        segmentation: str = ...,
        bootstrap: int = ...,
        confidence: float = ...,
        seed: int = ...,
    ) -> DocumentScores: ...
    def score_document(
        self,
        text: Any,
        *,
        segmentation: str = "sentences",
        bootstrap: int = 1000,
        confidence: float = 0.95,
        seed: int = 0,
    ) -> DocumentScore | DocumentScores:
        """Cut ``text`` into passages (``"sentences"``, ``"paragraphs"`` or ``"lines"``),
        score each, and aggregate: the word-weighted mean score with a bootstrap interval
        (``bootstrap`` resamples, 0 for none) at ``confidence``. Given a batch of documents
        (a pandas Series, list, array...) instead of one str, returns :class:`DocumentScores`,
        one per document in order, whose ``to_frame()`` keeps a Series' index."""
        model = self._model()
        options = json.dumps(
            {
                "segmentation": segmentation,
                "bootstrap": bootstrap,
                "confidence": confidence,
                "seed": seed,
            }
        )
        n_jobs = effective_n_jobs(self.n_jobs)

        def one(doc: str) -> DocumentScore:
            summary, columns = model.score_document(doc, options, n_jobs=n_jobs)
            return DocumentScore(
                json.loads(summary), doc, model.classes, self.poles_, self._user_label, columns=columns
            )

        if isinstance(text, str):
            return one(text)
        docs = _inputs.str_items(text, "documents", "document")
        return DocumentScores([one(doc) for doc in docs], index=pandas_index(text))

    def top_features(self, n: int = 10) -> dict[Any, list[tuple[str, float]]]:
        """The ``n`` largest weights of each class: ``{class: [(feature, weight), ...]}``. For
        two classes, the first class's list holds the most negative weights, sign flipped."""
        top = self._model().top_features(_params.count("n", n))
        return {self._user_label(c): [(name, w) for name, _, w in ws] for c, ws in top}

    def top_pole_features(self, n: int = 10) -> dict[Any, list[tuple[str, float]]]:
        """The ``n`` features pushing hardest toward each pole, with their weight on the pole
        log-odds: ``{negative pole: [...], positive pole: [...]}``."""
        neg, pos = self._model().top_pole_features(_params.count("n", n))
        negative, positive = self.poles_
        return {
            negative: [(name, w) for name, _, w in neg],
            positive: [(name, w) for name, _, w in pos],
        }

    @property
    def poles_(self) -> tuple[Any, Any]:
        """The classes at −1 and +1 of the score."""
        negative, positive = self._model().poles
        return self._user_label(negative), self._user_label(positive)

    @property
    def temperature_(self) -> float:
        """Calibration temperature dividing every logit (1.0 when uncalibrated)."""
        return float(self._model().temperature)

    @property
    def n_features_out_(self) -> int:
        """Number of feature columns."""
        return int(self._model().n_features)

    def _cache(self, key: str, build: Any) -> Any:
        self._model()
        if key not in self._cached:
            self._cached[key] = build()
        return self._cached[key]

    def _coef_intercept(self) -> tuple[np.ndarray, np.ndarray]:
        model = self._model()
        w = model.weights() / model.temperature
        b = model.intercepts() / model.temperature
        if len(self.classes_) == 2:
            # One row: the logit of the core's second class; scikit-learn's row is classes_[1].
            sign = 1.0 if self._order[1] == 1 else -1.0
            return sign * w, sign * b
        return w[self._order], b[self._order]

    @property
    def coef_(self) -> np.ndarray:
        """Weights on the feature columns, divided by the calibration temperature: one row
        (toward ``classes_[1]``) for two classes, else one row per class, so that
        ``softmax(X @ coef_.T + intercept_)`` is ``predict_proba`` for ``X = transform(texts)``.
        Naive-Bayes scaling is already folded in."""
        return self._cache("coef", lambda: self._coef_intercept()[0])  # type: ignore[no-any-return]

    @property
    def intercept_(self) -> np.ndarray:
        """Intercepts matching :attr:`coef_`."""
        return self._cache("intercept", lambda: self._coef_intercept()[1])  # type: ignore[no-any-return]

    def _names(self) -> list[str] | None:
        return self._cache("names", lambda: self._model().feature_names())  # type: ignore[no-any-return]

    @property
    def vocabulary_(self) -> dict[str, int] | None:
        """``{feature name: column}``; None in hashing mode."""
        return vocabulary(self._names())

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names in column order (``hash:COL`` in hashing mode)."""
        return feature_names(self._names(), self.n_features_out_)

    # -- persistence --------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The model in hawkdove's versioned file format (the bytes :meth:`save` writes)."""
        return self._model().to_bytes()

    @classmethod
    def from_model(cls, model: _hawkdove.Model, **overrides: Any) -> TextClassifier:
        """Wrap a compiled model; parameters are read back from the model file when it
        records them. ``classes_`` are the model's labels (str)."""
        raw = model.params()
        kwargs = _params.model_kwargs(json.loads(raw)) if raw is not None else {}
        kwargs.update(overrides)
        est = cls(**kwargs)
        est._set_model(model, np.array(model.classes))
        return est

    @classmethod
    def from_bytes(cls, data: bytes, **overrides: Any) -> TextClassifier:
        """A fitted classifier from :meth:`to_bytes` output."""
        return cls.from_model(_hawkdove.Model.from_bytes(bytes(data)), **overrides)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model file (readable from Rust with ``hawkdove::Model::load``). Labels are
        stored as str: integer labels come back as str from :meth:`load` (pickling keeps
        them)."""
        self._model().save(os.fspath(path))

    @classmethod
    def load(cls, path: str | os.PathLike[str], **overrides: Any) -> TextClassifier:
        """Read a model file written by :meth:`save` or by the Rust library."""
        return cls.from_model(_hawkdove.Model.load(os.fspath(path)), **overrides)

    def __getstate__(self) -> dict[str, Any]:
        # The compiled model pickles through the versioned bytes; caches are dropped.
        state = dict(self.__dict__)
        state.pop("_cached", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.pop("_sklearn_version", None)
        self.__dict__.update(state)
        if "model_" in state:
            self._cached = {}

