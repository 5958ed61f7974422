#!/usr/bin/env bash
# The whole test suite: Rust (unit, integration, doc tests) and, where present, the
# binding suites that drive the real built library from Python and Kotlin.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust tests"
cargo test --workspace --all-targets
cargo test --workspace --doc
