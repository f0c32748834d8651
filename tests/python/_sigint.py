"""Send Ctrl-C to a script while it is inside a long call (shared by the Ctrl-C tests)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time


def interrupt(script: str, args: list[str], *, wait: float, timeout: float) -> tuple[int, str, float]:
    """Run ``python -c script *args``; once it prints ``ready``, wait ``wait`` seconds, send
    SIGINT and collect its output. Returns (exit code, output, seconds from SIGINT to exit)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first == "ready", first + proc.stdout.read()
        time.sleep(wait)
        assert proc.poll() is None, proc.stdout.read()
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=timeout)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, took
