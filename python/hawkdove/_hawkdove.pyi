"""Type stubs of the compiled module ``hawkdove._hawkdove`` (crates/hawkdove-py)."""

import os
from typing import Any, Callable, Iterable, Sequence, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "__version__",
    "FORMAT_VERSION",
    "MAX_MODEL_BYTES",
    "DEFAULT_MAX_WEIGHT_BYTES",
    "STANCE_LEXICON",
    "SENTIMENT_LEXICON",
    "Model",
    "Featurizer",
    "default_params",
    "cross_validate",
    "parse_lexicon",
    "malformed_model_files",
    "thread_count",
    "thread_pools",
    "clear_thread_pools",
    "get_thread_spin",
    "set_thread_spin",
    "parse_dates",
    "cli_main",
    "HawkdoveError",
    "InvalidParameterError",
    "EmptyTrainingSetError",
    "LengthMismatchError",
    "InvalidSampleWeightError",
    "SingleClassError",
    "UnknownLabelError",
    "EmptyVocabularyError",
    "TextTooLargeError",
    "DimensionMismatchError",
    "ModelFormatError",
    "UnsupportedFormatVersionError",
    "HawkdoveIOError",
]

__version__: str
FORMAT_VERSION: int
MAX_MODEL_BYTES: int
DEFAULT_MAX_WEIGHT_BYTES: int
STANCE_LEXICON: str
SENTIMENT_LEXICON: str

_Texts = Iterable[str]
_Csr = tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.float32], tuple[int, int]
]
_Weight = tuple[str, int, float]
_Progress = Callable[[str], object]

@final
class Model:
    """A trained hawkdove text classifier (featurizer, linear model, calibration, poles)."""

    @staticmethod
    def train(
        texts: _Texts,
        labels: _Texts,
        params: str | None = None,
        *,
        n_jobs: int | None = None,
        sample_weight: Sequence[float] | None = None,
        progress: _Progress | None = None,
    ) -> Model: ...
    @staticmethod
    def bundled(name: str) -> Model: ...
    @staticmethod
    def from_bytes(data: bytes) -> Model: ...
    @staticmethod
    def load(path: str | os.PathLike[str]) -> Model: ...
    def to_bytes(self) -> bytes: ...
    def save(self, path: str | os.PathLike[str]) -> None: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...
    @property
    def classes(self) -> list[str]: ...
    @property
    def poles(self) -> tuple[str, str]: ...
    @property
    def pole_indices(self) -> tuple[int, int]: ...
    @property
    def temperature(self) -> float: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_train(self) -> int: ...
    def params(self) -> str | None: ...
    def tuning(self) -> str | None: ...
    def weights(self) -> npt.NDArray[np.float64]: ...
    def intercepts(self) -> npt.NDArray[np.float64]: ...
    def feature_names(self) -> list[str] | None: ...
    def predict_batch(
        self, texts: _Texts, *, n_jobs: int | None = None
    ) -> tuple[
        npt.NDArray[np.int64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.int64],
        npt.NDArray[np.bool_],
        list[str | None] | None,
    ]: ...
    def transform(self, texts: _Texts, *, n_jobs: int | None = None) -> _Csr: ...
    def explain(self, text: str) -> str: ...
    def score_document(
        self, text: str, options: str | None = None, *, n_jobs: int | None = None
    ) -> tuple[
        str,
        tuple[
            npt.NDArray[np.int64],
            npt.NDArray[np.int64],
            npt.NDArray[np.int64],
            npt.NDArray[np.uint8],
            npt.NDArray[np.float64],
            npt.NDArray[np.int64],
            npt.NDArray[np.float64],
            npt.NDArray[np.float64],
            npt.NDArray[np.int64],
            npt.NDArray[np.bool_],
            list[tuple[int, str]],
        ],
    ]: ...
    def timeline(
        self,
        texts: _Texts,
        days: npt.NDArray[np.int64],
        groups: list[str | None] | None = None,
        options: str | None = None,
        segmentation: str | None = None,
        *,
        n_jobs: int | None = None,
    ) -> tuple[str, list[tuple[int, int, int, int, str]]]: ...
    def top_features(self, n: int) -> list[tuple[str, list[_Weight]]]: ...
    def top_pole_features(self, n: int) -> tuple[list[_Weight], list[_Weight]]: ...

@final
class Featurizer:
    """A fitted hawkdove featurizer (tokenizer, n-grams, vocabulary or hashing, weighting)."""

    @staticmethod
    def fit_transform(
        texts: _Texts,
        config: str | None = None,
        *,
        n_jobs: int | None = None,
        progress: _Progress | None = None,
    ) -> tuple[Featurizer, _Csr]: ...
    def transform(self, texts: _Texts, *, n_jobs: int | None = None) -> _Csr: ...
    def feature_names(self) -> list[str] | None: ...
    @property
    def n_features(self) -> int: ...
    def idf(self) -> npt.NDArray[np.float32] | None: ...
    def config(self) -> str: ...
    def to_bytes(self) -> bytes: ...
    def save(self, path: str | os.PathLike[str]) -> None: ...
    @staticmethod
    def from_bytes(data: bytes) -> Featurizer: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

def default_params() -> str: ...
def cross_validate(
    texts: _Texts,
    labels: _Texts,
    params: str | None = None,
    folds: int = 5,
    seed: int = 0,
    *,
    n_jobs: int | None = None,
    sample_weight: Sequence[float] | None = None,
    progress: _Progress | None = None,
) -> str: ...
def parse_lexicon(text: str) -> list[tuple[str, str]]: ...
def malformed_model_files(valid: bytes) -> list[tuple[str, bytes]]: ...
def thread_count(n_jobs: int | None = None) -> int: ...
def thread_pools() -> list[int]: ...
def clear_thread_pools() -> None: ...
def get_thread_spin() -> float: ...
def set_thread_spin(seconds: float) -> None: ...
def parse_dates(values: _Texts) -> list[int]: ...
def cli_main(argv: list[str]) -> int: ...

class HawkdoveError(ValueError):
    # Set on every instance: the Rust variant, and its offending values (per class below).
    kind: str
class InvalidParameterError(HawkdoveError): ...
class EmptyTrainingSetError(HawkdoveError): ...
class LengthMismatchError(HawkdoveError): ...
class InvalidSampleWeightError(HawkdoveError): ...
class SingleClassError(HawkdoveError): ...
class UnknownLabelError(HawkdoveError): ...
class EmptyVocabularyError(HawkdoveError): ...
class TextTooLargeError(HawkdoveError): ...
class DimensionMismatchError(HawkdoveError): ...
class ModelFormatError(HawkdoveError): ...
class UnsupportedFormatVersionError(ModelFormatError): ...
class HawkdoveIOError(OSError, HawkdoveError): ...
