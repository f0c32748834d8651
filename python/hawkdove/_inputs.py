"""Batches of texts and labels from the containers people hold them in.

Texts: list or tuple of str, NumPy arrays of str or object, pandas Series (or a one-column
DataFrame), pyarrow string arrays. The compiled module checks every item (a ``None``, a number
or ``bytes`` inside a batch is a ``TypeError`` naming its position); this module only unwraps
containers and refuses a bare ``str`` where a batch is expected.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _is_pyarrow(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "pyarrow" and hasattr(obj, "to_pylist")


def _is_dataframe(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "columns") and hasattr(obj, "iloc")


def column_name(obj: Any) -> str | None:
    """The column name of a one-column DataFrame, else None (for ``feature_names_in_``)."""
    if _is_dataframe(obj) and len(obj.columns) == 1 and isinstance(obj.columns[0], str):
        return str(obj.columns[0])
    return None


def texts(obj: Any, what: str = "texts") -> Any:
    """Unwrap ``obj`` into a sequence the compiled module can check item by item."""
    if isinstance(obj, str):
        raise TypeError(
            f"{what} must be a batch of str (a list, tuple, array or Series), not a single str; "
            f"wrap one text in a list: [text]"
        )
    if isinstance(obj, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be a batch of str, not {type(obj).__name__}; decode it first")
    if obj is None:
        raise TypeError(f"{what} must be a batch of str, not None")
    if _is_pyarrow(obj):
        return obj.to_pylist()
    if _is_dataframe(obj):
        if len(obj.columns) != 1:
            raise ValueError(
                f"{what} must be one column of text; got a DataFrame with {len(obj.columns)} "
                f"columns (select the text column: df['text'])"
            )
        return obj.iloc[:, 0]
    if isinstance(obj, np.ndarray):
        if obj.ndim == 2 and obj.shape[1] == 1:
            return obj[:, 0]
        if obj.ndim != 1:
            raise ValueError(f"{what} must be one-dimensional; got an array of shape {obj.shape}")
        return obj
    if not hasattr(obj, "__len__") or not hasattr(obj, "__iter__"):
        raise TypeError(
            f"{what} must be a sized batch of str (list, tuple, array, Series), "
            f"not {type(obj).__name__}"
        )
    return obj


def str_items(obj: Any, what: str, item: str) -> list[str]:
    """The items of a batch (see :func:`texts`), each checked to be a str here in Python, for
    calls that take one text at a time: ``what[i] is <type>; every <item> must be a str``."""
    out = []
    for i, one in enumerate(texts(obj, what)):
        if not isinstance(one, str):
            shown = "None" if one is None else type(one).__name__
            raise TypeError(f"{what}[{i}] is {shown}; every {item} must be a str")
        out.append(one)
    return out


def labels(obj: Any) -> tuple[np.ndarray, bool]:
    """Labels as an array, and whether they are integers (else str). Mixed kinds, missing
    values and other types raise ``TypeError`` naming the first offending position."""
    items = texts(obj, "labels")
    typed = hasattr(items, "dtype")  # NumPy arrays and pandas Series keep their dtype
    arr = np.asarray(items) if typed else np.asarray(items, dtype=object)
    if arr.ndim != 1:
        raise ValueError(f"labels must be one-dimensional; got shape {arr.shape}")
    if arr.dtype.kind in "iu":
        return arr, True
    if arr.dtype.kind == "U":
        return arr, False
    if arr.dtype.kind == "b":
        raise TypeError("labels must be str or int, not bool")
    kind = None
    for i, v in enumerate(arr):
        if isinstance(v, str):
            k = "str"
        elif isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
            k = "int"
        else:
            shown = "None" if v is None else type(v).__name__
            raise TypeError(f"labels[{i}] is {shown}; labels must be str or int")
        if kind is None:
            kind = k
        elif k != kind:
            raise TypeError(f"labels[{i}] is {k} but earlier labels are {kind}; do not mix them")
    if kind == "int":
        for i, v in enumerate(arr):
            if not -(2**63) <= int(v) < 2**63:
                from hawkdove._params import _invalid  # noqa: PLC0415 (import cycle)

                raise _invalid(f"labels[{i}]", int(v), "an int label must fit in 64 bits")
        return arr.astype(np.int64), True
    if not typed and len(arr):
        return np.array(arr.tolist()), False  # a list of str: a str array, as scikit-learn has
    return arr, False


def sample_weight(obj: Any) -> list[float] | None:
    """``sample_weight`` as a list of floats for the core (which checks the values), or None.

    Anything numpy reads as a one-dimensional array of numbers is accepted (lists, arrays,
    pandas Series); other shapes and non-numeric values raise ``InvalidSampleWeightError``.
    """
    if obj is None:
        return None
    from hawkdove._hawkdove import InvalidSampleWeightError

    try:
        array = np.asarray(obj, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InvalidSampleWeightError(f"sample_weight must be numbers: {e}") from None
    if array.ndim != 1:
        raise InvalidSampleWeightError(
            f"sample_weight must be one-dimensional, got shape {array.shape}"
        )
    weights: list[float] = array.tolist()
    return weights
