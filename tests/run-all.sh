#!/usr/bin/env bash
# The whole test suite: the Rust tests (unit, integration, doc), then the generated
# bindings driven from Python (pytest) and Kotlin on a JVM (Maven + JUnit) against the real
# built library, including the age interop tests against pyrage.
# Then the Android shell (Robolectric against the same library, and a signed debug APK) and
# the iOS shell's VigilKit package with XCTest in a Debian 13 chroot with Swift 6
# (ios/scripts/swift-test.sh; the chroot is cached in ~/.cache/vigil).
# Needs: Rust, Python 3 with pytest and pyrage, JDK 17 and Maven, Node.js with npm, aapt2,
# zipalign and apksigner for the APK, root and debootstrap for the Swift chroot (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

stage_start=$SECONDS
stage() {
  [ "$stage_start" -eq "$SECONDS" ] || echo "   (took $((SECONDS - stage_start)) s; $(df -Ph . | awk 'NR == 2 { print $4 }') disk free)"
  stage_start=$SECONDS
  echo "== $*"
}

stage "Rust tests"
# Benchmarks are left out (they would run once each, unoptimized, for minutes): clippy
# --all-targets in .ci/run compiles them, and `cargo bench` runs them.
cargo test --workspace --lib --bins --tests --examples
cargo test --workspace --doc
# Built alone, with only the features the library ships (the workspace run above unifies
# dev-dependencies' features, which turn every regex Unicode table back on): a phone
# pattern that needs a trimmed table fails here (docs/bindings.md "Size").
cargo test -p vigil-ffi --test shipped_features

stage "Bindings: build the release library (once), check its size, generate Kotlin, Swift and Python"
# The suites below run against the library as the apps ship it (release profile: fat LTO,
# sized for phones, the trimmed SQLite), so what is tested is what ships; the release build
# is the one slow step here (docs/bindings.md "Size" has its time).
bash tests/generate-bindings.sh --release
bash tests/check-lib-size.sh bindings/generated/lib/libvigil_ffi.so

stage "Python suite (generated bindings, age interop with pyrage)"
python3 -m pytest -q tests/python

stage "Kotlin suite on the JVM"
# clean: classes of types that moved between packages must not linger from an older run.
mvn -B --no-transfer-progress -f tests/kotlin/pom.xml clean test

stage "iOS shell: VigilKit XCTest against the core (Swift 6 chroot), swift-format, tree-sitter"
bash ios/scripts/swift-test.sh

stage "Android shell: Robolectric against the real core, then a signed debug APK"
# android/README section in README.md; needs aapt2, zipalign, apksigner (see .ci/run).
mvn -B --no-transfer-progress -f android/pom.xml clean test
bash android/build-apk.sh
stage "All suites passed in ${SECONDS} s"
