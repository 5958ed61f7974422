#!/usr/bin/env bash
# Fails when the release libvigil_ffi is larger than the limit: every phone app ships three
# or four ABIs of it. Issue 16's target is 5,000,000 bytes stripped on x86_64. Session 4's
# cuts and features left it at 10,856,848; session 5's cuts (chrono-tz compact, zxcvbn's and
# phonenumber's data deflated, one regex-syntax with only the Unicode tables used) brought it
# to 8,609,416; session 6's (the cdylib built alone, one shared sort, vigil-core and SQLite
# at opt-level 2, regex without literal prefilters) to 7,221,856; session 7's (legacy JSON
# rows read through the MessagePack decoder: one typed deserializer per record type) to
# 7,004,136 (docs/bindings.md "Size").
# The limit is that plus ~3 %, to stop growth; lower it with each cut, down to 5,000,000.
#   tests/check-lib-size.sh [LIBRARY]
# Without LIBRARY it checks target/release/libvigil_ffi.so, building it first if missing.
# VIGIL_LIB_SIZE_LIMIT (bytes) overrides the limit, e.g. for a target other than x86_64.
set -euo pipefail
cd "$(dirname "$0")/.."

limit=${VIGIL_LIB_SIZE_LIMIT:-7215000}
lib=${1:-}
if [ -z "$lib" ]; then
  target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  lib="$target_dir/release/libvigil_ffi.so"
  # As the apps ship it: the cdylib alone (see tests/generate-bindings.sh).
  [ -f "$lib" ] || cargo rustc -q --release -p vigil-ffi --lib --crate-type cdylib
fi
[ -f "$lib" ] || { echo "check-lib-size: no library at $lib" >&2; exit 1; }

size=$(stat -c %s "$lib")
# The profile strips symbols; a library that still has them measures something else.
if command -v file >/dev/null && file "$lib" | grep -q 'not stripped'; then
  echo "check-lib-size: $lib is not stripped (is it a release build?)" >&2
  exit 1
fi
if [ "$size" -gt "$limit" ]; then
  echo "check-lib-size: $lib is $size bytes, over the limit of $limit ($(uname -m))." >&2
  echo "  See docs/bindings.md (Size) for where the bytes go and how it was measured." >&2
  exit 1
fi
echo "check-lib-size: $size bytes (limit $limit, $(uname -m))"
