#!/usr/bin/env bash
# Builds libvigil_ffi and generates the Kotlin, Swift and Python bindings from it
# (uniffi library mode) into bindings/generated/ (ignored by git).
#   tests/generate-bindings.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
if [ "${1:-}" = "--release" ]; then
  profile=release
  cargo_flags=(--release)
fi
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
cargo build -q "${cargo_flags[@]}" -p vigil-ffi --lib --bin uniffi-bindgen
lib="$target_dir/$profile/libvigil_ffi.so"
bindgen="$target_dir/$profile/uniffi-bindgen"
out=bindings/generated
rm -rf "$out"
mkdir -p "$out"
for language in kotlin swift python; do
  "$bindgen" generate --library "$lib" --language "$language" \
    --out-dir "$out/$language" --no-format >/dev/null
done
# The Python module and the JVM tests load the library from beside the bindings.
cp "$lib" "$out/python/"
mkdir -p "$out/lib"
cp "$lib" "$out/lib/"
echo "bindings generated in $out (library: $profile)"
# A publisher key and a signed directory bundle for the binding suites.
cargo run -q "${cargo_flags[@]}" -p vigil-ffi --example sample_bundles -- "$out/fixtures"
