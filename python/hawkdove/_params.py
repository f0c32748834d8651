"""Estimator keyword arguments to the JSON parameters of the Rust core.

The core's parameter types are serde structures; this module starts from the core's own
defaults (``_hawkdove.default_params()``) and overrides the fields an estimator sets, so a
default here can never drift from the core's. The Rust side rejects unknown keys and checks
every range (raising ``InvalidParameterError``); this module checks only the Python types it
needs to build the JSON.
"""

from __future__ import annotations

import copy
import json
import math
import numbers
from functools import lru_cache
from typing import Any, Mapping

from hawkdove import _hawkdove

#: Featurizer keyword arguments (shared by ``Featurizer`` and ``TextClassifier``) and defaults.
FEATURIZER_PARAMS: dict[str, Any] = {
    "ngram_range": (1, 2),
    "char_ngram_range": None,
    "min_df": 1,
    "max_df": 1.0,
    "max_features": None,
    "hashing_bits": None,
    "hashing_seed": 0,
    "weighting": "sublinear_tf",
    "use_idf": True,
    "normalize": True,
    "lowercase": True,
    "strip_markup": True,
    "fold_numbers": False,
    "fold_urls": True,
    "split_hyphens": False,
    "negation": True,
    "stop_words": None,
    "stemmer": "english",
    "lexicon": None,
}

#: Classifier keyword arguments beyond the featurizer's, and defaults.
MODEL_PARAMS: dict[str, Any] = {
    "C": "auto",
    "solver": "auto",
    "class_weight": "auto",
    "tol": None,
    "max_iter": 1000,
    "fit_intercept": True,
    "intercept_scaling": 1.0,
    "nb_alpha": 1.0,
    "calibration_folds": None,
    "poles": None,
    "abstain": None,
    "random_state": None,
    "max_weight_bytes": 256 * 2**20,
}


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return json.loads(_hawkdove.default_params())  # type: ignore[no-any-return]


def defaults() -> dict[str, Any]:
    """A fresh copy of the core's default ``ModelParams`` as a dict."""
    return copy.deepcopy(_defaults())


def _invalid(parameter: str, value: Any, reason: str) -> Exception:
    e = _hawkdove.InvalidParameterError(
        f"invalid parameter `{parameter}` = {value!r}: {reason}"
    )
    e.kind = "invalid_parameter"
    e.parameter, e.value, e.reason = parameter, repr(value), reason  # type: ignore[attr-defined]
    return e


_MAX_COUNT = 2**63 - 1


def count(name: str, value: Any) -> int:
    """``value`` as a non-negative int the core can take (below 2**63), or
    ``InvalidParameterError``: never ``OverflowError`` from the conversion."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _invalid(name, value, f"must be an int, not {type(value).__name__}")
    n = int(value)
    if not 0 <= n <= _MAX_COUNT:
        raise _invalid(name, value, f"must be in [0, {_MAX_COUNT}]")
    return n


def _float(name: str, value: Any) -> float:
    # JSON has no infinity or NaN, so non-finite values are refused here, not in the core.
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    f = float(value)
    if not math.isfinite(f):
        raise _invalid(name, value, "must be finite")
    return f


def _pair(name: str, value: Any) -> list[int] | None:
    if value is None:
        return None
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (min, max), got {value!r}") from None
    for v in (lo, hi):
        if not isinstance(v, numbers.Integral) or isinstance(v, bool):
            raise TypeError(f"{name} must hold two ints, got {value!r}")
    return [int(lo), int(hi)]


def _doc_frequency(name: str, value: Any) -> dict[str, Any]:
    # scikit-learn's convention: an int is a count of documents, a float a fraction.
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int (documents) or a float (fraction), not bool")
    if isinstance(value, numbers.Integral):
        return {"count": int(value)}
    if isinstance(value, numbers.Real):
        return {"fraction": _float(name, value)}
    raise TypeError(f"{name} must be an int (documents) or a float (fraction), got {value!r}")


def _optional_int(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int or None, got {value!r}")
    return int(value)


#: The lexicons shipped with hawkdove, by the name the ``lexicon`` parameter accepts.
SHIPPED_LEXICONS = {"stance": _hawkdove.STANCE_LEXICON, "sentiment": _hawkdove.SENTIMENT_LEXICON}


def _lexicon(value: Any) -> dict[str, Any] | None:
    # None; "stance" or "sentiment" (the lexicons shipped with hawkdove); {pole: [phrase, ...]};
    # or a sequence of (pole, phrase) pairs. The core checks poles and phrases.
    if value is None:
        return None
    if isinstance(value, str):
        if value not in SHIPPED_LEXICONS:
            raise ValueError(
                f"lexicon must be None, 'stance', 'sentiment', a dict {{pole: [phrases]}} or "
                f"(pole, phrase) pairs; got the str {value!r} (read a lexicon file with "
                f"hawkdove.read_lexicon)"
            )
        pairs = _hawkdove.parse_lexicon(SHIPPED_LEXICONS[value])
    elif isinstance(value, Mapping):
        pairs = []
        for pole, phrases in value.items():
            if isinstance(phrases, str):
                raise TypeError(f"lexicon[{pole!r}] must be a list of phrases, not a str")
            pairs.extend((pole, phrase) for phrase in phrases)
    else:
        pairs = list(value)
    entries = []
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(f"lexicon entry {i} must be a (pole, phrase) pair, got {pair!r}")
        entries.append({"pole": str(pair[0]), "phrase": str(pair[1])})
    return {"entries": entries}


def featurizer_config(p: Mapping[str, Any]) -> dict[str, Any]:
    """The core's ``FeaturizerConfig`` for the featurizer keyword arguments in ``p``."""
    config = defaults()["featurizer"]
    text = config["text"]
    for key in ("lowercase", "strip_markup", "fold_numbers", "fold_urls", "split_hyphens"):
        text[key] = bool(p[key])
    negation = p["negation"]
    if negation is False or negation is None:
        text["negation"] = None
    elif isinstance(negation, Mapping):
        text["negation"] = {**text["negation"], **dict(negation)}
    elif negation is not True:
        raise TypeError(f"negation must be True, False or a dict of rules, got {negation!r}")
    stop = p["stop_words"]
    if stop is None:
        text["stop_words"] = None
    elif isinstance(stop, str):
        if stop != "english":
            raise ValueError(f"stop_words must be 'english', a list of words or None, got {stop!r}")
        text["stop_words"] = "english"
    else:
        text["stop_words"] = {"custom": [str(w) for w in stop]}
    stemmer = p["stemmer"]
    text["stemmer"] = None if stemmer is None else str(stemmer).lower()
    config["word_ngrams"] = _pair("ngram_range", p["ngram_range"])
    config["char_ngrams"] = _pair("char_ngram_range", p["char_ngram_range"])
    bits = _optional_int("hashing_bits", p["hashing_bits"])
    if bits is None:
        config["space"] = {
            "vocabulary": {
                "min_df": _doc_frequency("min_df", p["min_df"]),
                "max_df": _doc_frequency("max_df", p["max_df"]),
                "max_features": _optional_int("max_features", p["max_features"]),
            }
        }
    else:
        seed = _optional_int("hashing_seed", p["hashing_seed"]) or 0
        config["space"] = {"hashing": {"bits": bits, "seed": seed}}
    config["lexicon"] = _lexicon(p["lexicon"])
    config["weighting"] = str(p["weighting"])
    config["idf"] = bool(p["use_idf"])
    config["normalize"] = bool(p["normalize"])
    return config  # type: ignore[no-any-return]


def model_params(p: Mapping[str, Any], poles: tuple[str, str] | None) -> dict[str, Any]:
    """The core's ``ModelParams`` for the classifier keyword arguments in ``p``; ``poles`` are
    the pole labels as the core sees them (str), or None to let it choose."""
    params = defaults()
    params["featurizer"] = featurizer_config(p)
    logistic = params["logistic"]
    # Self-tuning (the core's `tune`): "auto" keeps a setting in the core's default grid, a
    # value fixes it; nothing left to tune turns tuning off.
    tune = logistic.get("tune")
    C = p["C"]
    if isinstance(C, str):
        if C != "auto":
            raise ValueError(f"C must be a positive number or 'auto', got {C!r}")
        if tune is None or tune.get("c") is None:
            raise ValueError("C='auto' needs the core's self-tuning, which is off")
    else:
        logistic["c"] = _float("C", C)
        if tune is not None:
            tune["c"] = None
    logistic["solver"] = str(p["solver"])
    weight = p["class_weight"]
    if isinstance(weight, str) and weight == "auto":
        pass
    elif tune is not None:
        tune["class_weight"] = None
    if tune is not None and all(tune.get(key) is None for key in ("c", "class_weight", "nb_alpha")):
        logistic.pop("tune", None)
    if isinstance(weight, str) and weight == "auto":
        pass
    elif weight is None:
        logistic["class_weight"] = "uniform"
    elif isinstance(weight, str):
        logistic["class_weight"] = weight
    elif isinstance(weight, Mapping):
        logistic["class_weight"] = {
            "explicit": [[str(k), _float("class_weight", v)] for k, v in weight.items()]
        }
    else:
        raise TypeError(
            f"class_weight must be 'auto', None, 'balanced' or a dict, got {weight!r}"
        )
    logistic["tol"] = None if p["tol"] is None else _float("tol", p["tol"])
    max_iter = _optional_int("max_iter", p["max_iter"])
    if max_iter is None:
        raise TypeError("max_iter must be an int")
    logistic["max_iter"] = max_iter
    logistic["fit_intercept"] = bool(p["fit_intercept"])
    logistic["intercept_scaling"] = _float("intercept_scaling", p["intercept_scaling"])
    logistic["nb_alpha"] = None if p["nb_alpha"] is None else _float("nb_alpha", p["nb_alpha"])
    limit = p.get("max_weight_bytes")
    limit = None if limit is None else count("max_weight_bytes", limit)
    if limit is not None and limit != _hawkdove.DEFAULT_MAX_WEIGHT_BYTES:
        # Written only when changed, as the core writes it.
        logistic["max_weight_bytes"] = limit
    folds = _optional_int("calibration_folds", p["calibration_folds"])
    params["calibration"] = "none" if folds is None else {"temperature": {"folds": folds}}
    seed = _optional_int("random_state", p["random_state"])
    if seed is not None:
        logistic["seed"] = seed
        params["seed"] = seed
    params["poles"] = None if poles is None else {"negative": poles[0], "positive": poles[1]}
    abstain = p.get("abstain")
    if abstain is not None:
        if not isinstance(abstain, str):
            raise TypeError(f"abstain must be None or an ISO 639-3 language code, got {abstain!r}")
        params["abstain"] = {"no_features": True, "language": abstain}
    return params


# -- back from the core's parameters to keyword arguments (for loaded models) -----------------


def _df_value(df: Mapping[str, Any]) -> int | float:
    if "count" in df:
        return int(df["count"])
    return float(df["fraction"])


def _tuple(value: Any) -> tuple[int, int] | None:
    return None if value is None else (int(value[0]), int(value[1]))


def _lexicon_kwarg(lexicon: Mapping[str, Any] | None) -> Any:
    if lexicon is None:
        return None
    pairs = [(e["pole"], e["phrase"]) for e in lexicon["entries"]]
    for name, text in SHIPPED_LEXICONS.items():
        if pairs == _hawkdove.parse_lexicon(text):
            return name
    return pairs


def featurizer_kwargs(config: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments that rebuild the core's ``FeaturizerConfig`` ``config`` (fields the
    keyword arguments cannot express keep their defaults)."""
    text = config["text"]
    default_negation = _defaults()["featurizer"]["text"]["negation"]
    negation: Any = text.get("negation")
    if negation is None:
        negation = False
    elif negation == default_negation:
        negation = True
    stop = text.get("stop_words")
    if isinstance(stop, Mapping):
        stop = list(stop.get("custom", []))
    kwargs = {
        "ngram_range": _tuple(config["word_ngrams"]),
        "char_ngram_range": _tuple(config.get("char_ngrams")),
        "weighting": config["weighting"],
        "use_idf": bool(config["idf"]),
        "normalize": bool(config["normalize"]),
        "negation": negation,
        "stop_words": stop,
        "stemmer": text.get("stemmer"),
        "lexicon": _lexicon_kwarg(config.get("lexicon")),
    }
    for key in ("lowercase", "strip_markup", "fold_numbers", "fold_urls", "split_hyphens"):
        kwargs[key] = bool(text[key])
    space = config["space"]
    if "hashing" in space:
        kwargs["hashing_bits"] = int(space["hashing"]["bits"])
        kwargs["hashing_seed"] = int(space["hashing"]["seed"])
    else:
        vocab = space["vocabulary"]
        kwargs["min_df"] = _df_value(vocab["min_df"])
        kwargs["max_df"] = _df_value(vocab["max_df"])
        kwargs["max_features"] = vocab.get("max_features")
    return kwargs


def class_weight_kwarg(weight: Any) -> Any:
    """The ``class_weight`` keyword argument of the core's ``ClassWeight`` ``weight``: None
    (uniform), ``"balanced"`` or ``{label: weight}``."""
    if weight == "uniform":
        return None
    if isinstance(weight, Mapping):
        return {str(k): float(v) for k, v in weight["explicit"]}
    return weight


def model_kwargs(params: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments that rebuild the core's ``ModelParams`` ``params``."""
    kwargs = featurizer_kwargs(params["featurizer"])
    logistic = params["logistic"]
    tune = logistic.get("tune") or {}
    weight = class_weight_kwarg(logistic["class_weight"])
    if tune.get("class_weight") is not None:
        weight = "auto"
    calibration = params.get("calibration", "none")
    defaults = _defaults()
    seeds_default = (
        logistic["seed"] == defaults["logistic"]["seed"] and params["seed"] == defaults["seed"]
    )
    poles = params.get("poles")
    kwargs.update(
        C="auto" if tune.get("c") is not None else float(logistic["c"]),
        solver=logistic["solver"],
        class_weight=weight,
        tol=None if logistic.get("tol") is None else float(logistic["tol"]),
        max_iter=int(logistic["max_iter"]),
        fit_intercept=bool(logistic["fit_intercept"]),
        intercept_scaling=float(logistic["intercept_scaling"]),
        nb_alpha=logistic.get("nb_alpha"),
        calibration_folds=None
        if calibration == "none"
        else int(calibration["temperature"]["folds"]),
        poles=None if poles is None else (poles["negative"], poles["positive"]),
        abstain=(params.get("abstain") or {}).get("language"),
        random_state=None if seeds_default else int(logistic["seed"]),
        max_weight_bytes=int(
            logistic.get("max_weight_bytes", _hawkdove.DEFAULT_MAX_WEIGHT_BYTES)
        ),
    )
    return kwargs
