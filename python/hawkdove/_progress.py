"""Training progress for ``verbose=True``: a tqdm bar when tqdm is installed, else plain lines
on stderr.

The Rust core reports its training events (featurization, each solver iteration, each fold) to
a callback; the extension hands them to Python, as JSON, on the calling thread about every
0.1 s, between its checks for Ctrl-C. :func:`reporter` turns them into a display.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable


def _tqdm_class() -> Any:
    """tqdm's auto class, or None without tqdm. Imported only when a bar is about to be shown:
    importing ``tqdm.auto`` in a notebook without ipywidgets prints a warning, which a quiet
    ``fit`` must not."""
    try:  # tqdm is optional
        from tqdm.auto import tqdm  # type: ignore[import-untyped, import-not-found]
    except ImportError:  # pragma: no cover - exercised only without tqdm
        return None
    return tqdm


def _has_tqdm() -> bool:
    import importlib.util

    return importlib.util.find_spec("tqdm") is not None

#: Names of the core's solvers as shown.
SOLVERS = {"dual_cd": "dual CD", "lbfgs": "L-BFGS"}


class Reporter:
    """A progress display fed with the core's training events (JSON strings), in order.

    With ``use_tqdm`` (default: when tqdm is installed) each stage (featurizing, the solver)
    is a tqdm bar; otherwise a line on ``stream`` (default stderr) per stage and at most one
    line every ``interval`` seconds while a stage runs.
    """

    def __init__(
        self,
        what: str,
        *,
        use_tqdm: bool | None = None,
        stream: Any = None,
        interval: float = 1.0,
    ) -> None:
        self.what = what
        self.use_tqdm = _has_tqdm() if use_tqdm is None else use_tqdm
        self.stream = sys.stderr if stream is None else stream
        self.interval = interval
        self.fold = ""
        self.bar: Any = None
        self.last_line = 0.0
        self.events: list[dict[str, Any]] = []
        self.tuning = False

    def __call__(self, raw: str) -> None:
        event = json.loads(raw)
        self.events.append(event)
        kind = event["event"]
        if kind == "tune_started":
            # Self-tuning: one bar over its fits; the fits' own featurization and solver
            # events are not shown.
            self._start("tuning", event["folds"] * event["candidates"], "fit")
            self.tuning = True
            self.done_fits = 0
        elif kind == "tune_fitted":
            self.done_fits += 1
            weight = event["class_weight"]
            weight = weight if isinstance(weight, str) else "explicit"
            self._advance(
                self.done_fits,
                f"tuning: fold {event['fold'] + 1}/{event['folds']}, C={event['c']:g} {weight}: "
                f"macro-F1 {event['macro_f1']:.4f}",
                postfix={"C": f"{event['c']:g}", "F1": f"{event['macro_f1']:.4f}"},
            )
        elif kind == "tune_finished":
            self.tuning = False
            weight = event["class_weight"]
            weight = weight if isinstance(weight, str) else "explicit"
            self._finish(
                f"tuning: chose C={event['c']:g}, class weight {weight} "
                f"(mean macro-F1 {event['macro_f1']:.4f})"
            )
        elif self.tuning:
            pass
        elif kind == "fold_started":
            purpose = event["purpose"].replace("_", "-")
            self.fold = f"{purpose} fold {event['fold'] + 1}/{event['folds']}: "
            self._line(f"{self.fold}started")
        elif kind == "fold_finished":
            self._line(f"{self.fold}done")
            self.fold = ""
        elif kind == "featurize_started":
            self._start("featurizing", event["texts"], "text")
        elif kind == "featurizing":
            self._advance(event["done"], f"featurizing: {event['done']}/{event['total']} texts")
        elif kind == "featurized":
            self._finish(f"featurized: {event['rows']} texts, {event['features']} features")
        elif kind == "solver_started":
            name = SOLVERS.get(event["solver"], event["solver"])
            self._start(name, event["max_iter"], "it")
        elif kind == "solver_iteration":
            name = SOLVERS.get(event["solver"], event["solver"])
            self._advance(
                event["iteration"],
                f"{name}: iteration {event['iteration']} (value {event['value']:.6g})",
                value=event["value"],
            )
        elif kind == "solver_finished":
            name = SOLVERS.get(event["solver"], event["solver"])
            self._finish(f"{name}: done after {event['iterations']} iterations")

    # -- display ----------------------------------------------------------------------------

    def _line(self, text: str) -> None:
        if self.bar is None:
            print(f"hawkdove {self.what}: {text}", file=self.stream, flush=True)

    def _start(self, desc: str, total: int, unit: str) -> None:
        self._close()
        tqdm = _tqdm_class() if self.use_tqdm else None
        if tqdm is not None:
            self.bar = tqdm(
                total=total, desc=f"{self.fold}{desc}", unit=unit, leave=False, file=self.stream
            )
        else:
            self._line(f"{self.fold}{desc}")
            self.last_line = time.monotonic()

    def _advance(
        self, n: int, text: str, value: float | None = None, postfix: dict[str, str] | None = None
    ) -> None:
        if self.bar is not None:
            self.bar.update(n - self.bar.n)
            if value is not None:
                self.bar.set_postfix(value=f"{value:.6g}", refresh=False)
            if postfix is not None:
                self.bar.set_postfix(postfix, refresh=False)
        elif time.monotonic() - self.last_line >= self.interval:
            self._line(f"{self.fold}{text}")
            self.last_line = time.monotonic()

    def _finish(self, text: str) -> None:
        self._close()
        self._line(f"{self.fold}{text}")

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def close(self) -> None:
        """Close any open bar (after training, or when it was interrupted)."""
        self._close()


def reporter(verbose: Any, what: str) -> Reporter | None:
    """A :class:`Reporter` when ``verbose`` is true, else None (no events are gathered)."""
    if not verbose:
        return None
    return Reporter(what)


def run(verbose: Any, what: str, call: Callable[[Any], Any]) -> Any:
    """``call(progress callback or None)``, closing the display however it ends."""
    display = reporter(verbose, what)
    try:
        return call(display)
    finally:
        if display is not None:
            display.close()
