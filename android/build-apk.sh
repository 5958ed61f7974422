#!/usr/bin/env bash
# Assembles and signs a debug APK of the Android shell without Gradle or the Android SDK
# (/work/shared/docs/SHELLS.md): aapt2 (manifest + resources, via resources.sh), D8 from
# r8 8.5.35 on Maven Central (classes -> dex), zipalign, apksigner with a throwaway key
# generated here and deleted after signing (never committed), then `apksigner verify` and
# `aapt2 dump badging`. The APK has NO core library (libvigil_ffi.so needs the NDK, which
# this machine lacks; README "Android"): it proves the manifest, resources and dex.
#   android/build-apk.sh            (after `mvn -f android/pom.xml test` or `compile`)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
for tool in aapt2 zipalign apksigner keytool java mvn; do
  command -v "$tool" >/dev/null || { echo "$tool is required (Debian: aapt zipalign apksigner; JDK 17; maven)" >&2; exit 1; }
done
mvn_q=(mvn -B -q --no-transfer-progress -Dstyle.color=never -f "$here/pom.xml")
[ -d target/classes/app/vigil/android ] || "${mvn_q[@]}" compile
out=target/apk
rm -rf "$out"
mkdir -p "$out/dex"

repo=$("${mvn_q[@]}" help:evaluate -Dexpression=settings.localRepository -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")
framework="$repo/org/robolectric/android-all/14-robolectric-10818077/android-all-14-robolectric-10818077.jar"
r8="$repo/com/android/tools/r8/8.5.35/r8-8.5.35.jar"
[ -f "$r8" ] || "${mvn_q[@]}" dependency:get -Dartifact=com.android.tools:r8:8.5.35 -Dtransitive=false
# What the app carries besides its own classes: the Kotlin standard library and JNA's
# classes (the real build takes JNA's aar, with libjnidispatch.so for each ABI).
pom_prop() { sed -n "s|.*<$1>\(.*\)</$1>.*|\1|p" pom.xml | head -1; }
kotlin_version=$(pom_prop kotlin.version)
jna_version=$(pom_prop jna.version)
libs=("$repo/org/jetbrains/kotlin/kotlin-stdlib/$kotlin_version/kotlin-stdlib-$kotlin_version.jar"
      "$repo/net/java/dev/jna/jna/$jna_version/jna-$jna_version.jar")
for lib in "${libs[@]}"; do [ -f "$lib" ] || { echo "missing $lib: run the Maven build first" >&2; exit 1; }; done

# Resources and manifest (the same link the Maven build did), then the code as dex.
bash resources.sh "$framework" "$out"
(cd target/classes && jar cf "$here/$out/app.jar" .)
java -cp "$r8" com.android.tools.r8.D8 --release --min-api 26 --lib "$framework" \
  --output "$out/dex" "$out/app.jar" "${libs[@]}"

cp "$out/resources.ap_" "$out/unsigned.apk"
python3 - "$out/unsigned.apk" "$out/dex" <<'PY'
import os, sys, zipfile
apk, dex = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(apk, "a", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(dex)):
        z.write(os.path.join(dex, name), name)
PY
zipalign -p -f 4 "$out/unsigned.apk" "$out/aligned.apk"

# A throwaway debug key: made now, used once, deleted.
pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
keytool -genkeypair -keystore "$out/debug.p12" -storetype PKCS12 -alias debug -keyalg RSA \
  -keysize 2048 -validity 30 -dname "CN=Vigil debug build" -storepass "$pass" -keypass "$pass" >/dev/null 2>&1
apksigner sign --ks "$out/debug.p12" --ks-pass "pass:$pass" --out "$out/vigil-debug.apk" "$out/aligned.apk"
rm -f "$out/debug.p12"

apksigner verify --verbose "$out/vigil-debug.apk" | grep -E "^Verifies|v2 scheme|v3 scheme"
aapt2 dump badging "$out/vigil-debug.apk" > "$out/badging.txt" 2> >(grep -v "Unknown chunk type '200'" >&2)
grep -q "^package: name='app.vigil.android'" "$out/badging.txt" || { echo "aapt2 dump badging: unexpected output" >&2; exit 1; }
grep -E "^(package|sdkVersion|targetSdkVersion|application-label:|uses-permission)" "$out/badging.txt"
echo "APK: $out/vigil-debug.apk ($(stat -c %s "$out/vigil-debug.apk") bytes, no core .so inside)"
