"""The ``hawkdove`` command-line program from Python: ``python -m hawkdove ...`` and the
``hawkdove`` console script that ``pip install`` creates. It is the Rust program itself
(crates/hawkdove-cli), run through the extension module: ``hawkdove --help`` lists the
subcommands, and docs/cli.md describes them."""

from __future__ import annotations

import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``hawkdove`` with ``argv`` (default: ``sys.argv[1:]``) and return its exit code
    (130 after Ctrl-C)."""
    from hawkdove._hawkdove import cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    # The program writes to the process's standard streams directly: flush Python's first.
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return cli_main(["hawkdove", *args])
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
