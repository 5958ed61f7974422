#!/usr/bin/env bash
# The iOS shell's checks on Linux (tests/run-all.sh runs it after generating the bindings):
#  1. the Debian 13 chroot with Swift 6 (built once, cached outside the clone);
#  2. VigilKit built and its XCTest suite run against the freshly built core
#     (bindings/generated/swift + lib/libvigil_ffi.so);
#  3. swift-format lint --strict over every Swift file of ios/ (ios/.swift-format);
#  4. a tree-sitter parse of every Swift file, so a syntax error in the Apple-only files
#     (which nothing here can compile) fails too.
# Needs root (chroot, mount) and debootstrap; Python 3 with venv for tree-sitter.
set -euo pipefail
cd "$(dirname "$0")/../.."

generated=bindings/generated/swift
lib=bindings/generated/lib/libvigil_ffi.so
[ -f "$generated/VigilCore.swift" ] && [ -f "$lib" ] || {
  echo "run tests/generate-bindings.sh first" >&2
  exit 1
}

step_start=$SECONDS
step() {
  [ "$step_start" -eq "$SECONDS" ] || echo "   (took $((SECONDS - step_start)) s)"
  step_start=$SECONDS
  echo "-- $*"
}

step "Swift chroot"
root=$(bash ios/scripts/swift-chroot.sh | tail -n1)

# Inside the chroot: the package, the generated bindings and the core library. The build
# folder (.build) is kept between runs; the sources are replaced every time.
work="$root/build/vigil"
mkdir -p "$work"
# One run at a time: two runs sharing this build folder replaced each other's sources in
# the middle of a build ("input file was modified during the build"). Held until exit.
exec 9>"$work.lock"
flock 9
cleanup() {
  if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
}
trap cleanup EXIT
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"

step "Copy VigilKit, the generated Swift bindings and the core library into the chroot"
pkg="$work/VigilKit"
mkdir -p "$pkg"
find "$pkg" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
(cd ios/VigilKit && tar --exclude=.build --exclude=lib -cf - .) | (cd "$pkg" && tar -xf -)
cp -p "$generated/VigilCore.swift" "$generated/VigilCoreTypes.swift" "$pkg/Sources/VigilCore/"
cp -p "$generated/VigilCoreFFI.h" "$generated/VigilCoreTypesFFI.h" "$pkg/Sources/VigilCoreFFI/include/"
mkdir -p "$pkg/lib"
cp -p "$lib" "$pkg/lib/"
# The whole of ios/ (without generated or built files) for the lint.
rm -rf "$work/ios"
mkdir -p "$work/ios"
tar --exclude=.build --exclude=lib --exclude='Sources/VigilCore/*.swift' -cf - ios | (cd "$work" && tar -xf -)

in_chroot() {
  chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/libexec/swift/bin HOME=/root LANG=C.UTF-8 \
    /bin/sh -c "$1"
}

step "swift build --build-tests (VigilKit)"
in_chroot "cd /build/vigil/VigilKit && swift build --build-tests"

step "swift test (XCTest against the real core)"
in_chroot "cd /build/vigil/VigilKit && LD_LIBRARY_PATH=/build/vigil/VigilKit/lib swift test --skip-build"

step "swift-format lint --strict (all of ios/)"
in_chroot "cd /build/vigil/ios && swift-format lint --strict --recursive --configuration .swift-format ."

step "tree-sitter parse of every Swift file in ios/"
venv="${VIGIL_TREE_SITTER_VENV:-$HOME/.cache/vigil/tree-sitter-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import tree_sitter, tree_sitter_swift' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    tree-sitter==0.26.1 tree-sitter-swift==0.7.4
fi
"$venv/bin/python" ios/scripts/parse-swift.py ios
step "iOS checks passed"
