#!/usr/bin/env bash
# Builds libvigil_ffi and generates the Kotlin, Swift and Python bindings from it
# (uniffi library mode) into bindings/generated/ (ignored by git).
#   tests/generate-bindings.sh [--release]
# --release builds the library as the apps ship it (tests/run-all.sh uses it, and checks
# its size with tests/check-lib-size.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
if [ "${1:-}" = "--release" ]; then
  profile=release
fi
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
if [ "$profile" = release ]; then
  # The shipped library alone (`--crate-type cdylib`): with the package's `lib` (rlib) crate
  # type in the same rustc run, fat LTO must keep every Rust-visible symbol for other crates
  # and the library is ~0.69 MB larger (docs/bindings.md "Size", session 6).
  cargo rustc -q --release -p vigil-ffi --lib --crate-type cdylib
else
  cargo build -q -p vigil-ffi --lib
fi
# The generator and the test fixtures do not ship: always the quick-to-build debug profile
# (a fat-LTO link of each would add minutes to a --release run for nothing). uniffi-bindgen
# reads the metadata from the symbol table, which the release profile strips, so the
# bindings are generated from the debug library (same source, same metadata and checksums)
# and the library chosen above is the one put beside them.
cargo build -q -p vigil-ffi --lib
cargo build -q -p vigil-uniffi-bindgen
lib="$target_dir/$profile/libvigil_ffi.so"
metadata_lib="$target_dir/debug/libvigil_ffi.so"
bindgen="$target_dir/debug/uniffi-bindgen"
out=bindings/generated
rm -rf "$out"
mkdir -p "$out"
for language in kotlin swift python; do
  "$bindgen" generate --library "$metadata_lib" --language "$language" \
    --out-dir "$out/$language" --no-format >/dev/null
done
# The Python module and the JVM tests load the library from beside the bindings.
cp "$lib" "$out/python/"
mkdir -p "$out/lib"
cp "$lib" "$out/lib/"
echo "bindings generated in $out (library: $profile)"
# A publisher key and a signed directory bundle for the binding suites.
cargo run -q -p vigil-ffi --example sample_bundles -- "$out/fixtures"
