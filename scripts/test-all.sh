#!/usr/bin/env bash
# Run every test of hawkdove on a fresh machine: formatting, lints, the Rust tests, the
# rustdoc, the dependency check (one ndarray), a run of the hawkdove command on a sample
# collection, then the Python bindings: the abi3 wheel built in release mode and installed into
# a fresh .venv-wheel with no Rust toolchain on PATH, then stubtest, mypy and pytest (Spark and
# Ray included when Java is present).
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

echo "== the main job: the hawkdove command, installed with cargo install, on a collection of dated articles"
# Installed as a user would (cargo install --path), into target/cli-install, reusing the release
# build above (same target directory), then run from there.
cargo install --quiet --locked --path crates/hawkdove-cli --root target/cli-install --target-dir target
target/cli-install/bin/hawkdove timeline examples/timeline/halver_strait.csv \
  --date-column date --by month --format table --plot target/halver-timeline.svg
test -s target/halver-timeline.svg

# ---- Python: the bindings (crates/hawkdove-py) and the package (python/hawkdove) ------------
# The extension is built once, as the abi3 wheel users install (one wheel for CPython >= 3.9),
# with maturin from .venv; the wheel is then installed into a fresh virtual environment,
# .venv-wheel, with no Rust toolchain on PATH, and the stubs, types and Python tests run there.
PY_DEPS=(pytest numpy scipy pandas scikit-learn pyarrow mypy "dask[distributed]"
  nbclient nbformat ipykernel matplotlib tqdm pdoc)
if command -v java >/dev/null 2>&1; then
  PY_DEPS+=(pyspark "ray[data]")
else
  echo "== Spark and Ray stage skipped: no java on PATH (tests/python/test_spark_ray.py skips)"
fi

echo "== Python: build the abi3 wheel (maturin build --release)"
if [ ! -x .venv/bin/maturin ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check maturin
fi
rm -rf target/wheels-test
.venv/bin/maturin build --release --quiet --out target/wheels-test
WHEEL=$(ls target/wheels-test/hawkdove-*-abi3-*.whl)
echo "$WHEEL"

echo "== Python: a fresh .venv-wheel with the wheel and the test dependencies, no Rust on PATH"
NO_RUST_PATH=""
IFS=: read -r -a PATH_DIRS <<<"$PATH"
for d in "${PATH_DIRS[@]}"; do
  if [ -n "$d" ] && [ ! -e "$d/cargo" ] && [ ! -e "$d/rustc" ] && [ ! -e "$d/maturin" ]; then
    NO_RUST_PATH="${NO_RUST_PATH:+$NO_RUST_PATH:}$d"
  fi
done
python3 -m venv --clear .venv-wheel
env PATH="$NO_RUST_PATH" sh -c '! command -v cargo && ! command -v rustc' >/dev/null
env PATH="$NO_RUST_PATH" .venv-wheel/bin/python -m pip install --quiet --disable-pip-version-check \
  --only-binary hawkdove "${PY_DEPS[@]}" "$WHEEL"
env PATH="$NO_RUST_PATH" .venv-wheel/bin/python -c \
  "import hawkdove, sys; assert 'site-packages' in hawkdove.__file__, hawkdove.__file__; print('hawkdove', hawkdove.__version__, 'from', hawkdove.__file__)"

echo "== Python: stubs against the compiled module, and the package's types"
env PATH="$NO_RUST_PATH" .venv-wheel/bin/python -m mypy.stubtest hawkdove._hawkdove
env PATH="$NO_RUST_PATH" .venv-wheel/bin/python -m mypy python/hawkdove

echo "== Python: pytest tests/python (against the installed wheel; Spark and Ray when Java is present)"
env PATH="$NO_RUST_PATH" .venv-wheel/bin/python -m pytest tests/python -q -rs \
  --deselect tests/python/test_parity.py
echo "== Python: the API reference (pdoc, from the docstrings and stubs), warnings as errors"
env PATH="$NO_RUST_PATH" .venv-wheel/bin/python -W error::UserWarning -m pdoc hawkdove -o target/python-api
ls target/python-api/hawkdove.html >/dev/null

echo "== Python: parity with the Rust example classifier (cargo on PATH; the wheel's hawkdove)"
.venv-wheel/bin/python -m pytest tests/python/test_parity.py -q
