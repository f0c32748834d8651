#!/usr/bin/env bash
# Run every test of hawkdove on a fresh machine: formatting, lints, the Rust tests, the
# dependency check (one ndarray), a run of the hawkdove command on a sample collection, then the Python
# bindings: build in release mode into .venv, stubtest, mypy and pytest.
# Usage: bash scripts/test-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

echo "== rustdoc: every public item documented (deny(missing_docs)), warnings as errors"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

echo "== one ndarray in the dependency graph"
if [ "$(cargo tree --workspace -e normal -i ndarray --depth 0 2>/dev/null | grep -c '^ndarray v')" != "1" ]; then
  cargo tree -d
  echo "more than one ndarray version in Cargo.lock" >&2
  exit 1
fi

echo "== cargo test (release)"
cargo test --workspace --release

echo "== the main job: the hawkdove command on a sample collection (dated articles: the timeline and its shift)"
cargo run --release --quiet -p hawkdove-cli --bin hawkdove -- timeline examples/timeline/halver_strait.csv \
  --date-column date --by month --format table --plot "${TMPDIR:-/tmp}/hawkdove-timeline.svg"

# ---- Python: the bindings (crates/hawkdove-py) and the package (python/hawkdove) ------------
# A virtual environment in .venv (created when missing) with the test dependencies from PyPI;
# the extension is built in release mode and installed into it, then checked and tested.
PY_DEPS=(maturin pytest numpy scipy pandas scikit-learn pyarrow mypy "dask[distributed]"
  nbclient nbformat ipykernel matplotlib)

echo "== Python: virtual environment (.venv) and test dependencies"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "${PY_DEPS[@]}"

echo "== Python: build and install the extension (maturin develop --release)"
# (pip's "Ignoring <extra>: markers ..." lines about the optional extras are filtered out.)
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" .venv/bin/maturin develop --release --quiet 2>&1 |
  { grep -v '^Ignoring .*: markers' || true; }

echo "== Python: stubs against the compiled module, and the package's types"
.venv/bin/python -m mypy.stubtest hawkdove._hawkdove
.venv/bin/python -m mypy python/hawkdove

echo "== Python: pytest tests/python"
.venv/bin/python -m pytest tests/python -q
