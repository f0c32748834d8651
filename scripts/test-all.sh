#!/usr/bin/env bash
# Run every test of hawkdove on a fresh machine: formatting, lints, the Rust tests, the
# dependency check (one ndarray), and a smoke run of the evaluate example.
# Usage: bash scripts/test-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

echo "== one ndarray in the dependency graph"
if [ "$(cargo tree --workspace -e normal -i ndarray --depth 0 2>/dev/null | grep -c '^ndarray v')" != "1" ]; then
  cargo tree -d
  echo "more than one ndarray version in Cargo.lock" >&2
  exit 1
fi

echo "== cargo test (release)"
cargo test --workspace --release

echo "== the main job: the bundled classifier on a sample text"
cargo run --release --quiet --example classify -- examples/texts/short-mixed.txt | tail -2
