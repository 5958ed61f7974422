#!/usr/bin/env bash
# Compiles the app's resources with aapt2 and links them against the framework jar:
# R.java for the Kotlin build and a resource APK (manifest + resources.arsc) that
# Robolectric loads and build-apk.sh starts from.
#   android/resources.sh <android.jar or android-all.jar> <output dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
framework=$1
out=$2
command -v aapt2 >/dev/null || { echo "aapt2 is required (Debian: apt-get install aapt)" >&2; exit 1; }
[ -f "$framework" ] || { echo "framework jar not found: $framework" >&2; exit 1; }
mkdir -p "$out/generated-sources/r"
rm -f "$out/resources-compiled.zip"
# The manifest has no package attribute (the Android Gradle Plugin refuses one); aapt2 needs it.
sed 's|<manifest xmlns:android="http://schemas.android.com/apk/res/android">|<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="app.vigil.android">|' \
  "$here/app/src/main/AndroidManifest.xml" > "$out/AndroidManifest.xml"
grep -q 'package="app.vigil.android"' "$out/AndroidManifest.xml" || { echo "could not add the package to the manifest" >&2; exit 1; }
aapt2 compile --dir "$here/app/src/main/res" -o "$out/resources-compiled.zip"
# aapt2 from Debian warns "Unknown chunk type '200'" on the API 34 jar and goes on.
aapt2 link -I "$framework" --manifest "$out/AndroidManifest.xml" \
  --min-sdk-version 26 --target-sdk-version 34 --version-code 1 --version-name 0.1.0 \
  --java "$out/generated-sources/r" -o "$out/resources.ap_" "$out/resources-compiled.zip" \
  2> >(grep -v "Unknown chunk type '200'" >&2)
