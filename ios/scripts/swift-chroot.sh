#!/usr/bin/env bash
# Builds (once) the Debian 13 chroot that holds the Swift 6 toolchain: Debian 12 has no Swift
# compiler and trixie's swiftlang needs a newer libc than the host (docs: ios/README section).
# Cached outside the clone so a second run on the same machine skips it (about 6 min cold).
#   ios/scripts/swift-chroot.sh        prints the chroot's path on its last line
# Needs root and debootstrap (.ci/run installs it).
set -euo pipefail

root=${VIGIL_SWIFT_CHROOT:-$HOME/.cache/vigil/swift-trixie}
ready="$root/.vigil-swift-ready"
packages=(swiftlang libc6-dev libstdc++-14-dev)

# The Debian mirror the host's apt sources already name (deb822 or one-line format).
host_mirror() {
  local uri
  uri=$( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true) |
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' |
    grep -E '/debian/?$' | head -n1 || true)
  if [ -z "$uri" ]; then
    uri=$( (cat /etc/apt/sources.list 2>/dev/null || true) |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' |
      grep -E '/debian/?$' | head -n1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ -f "$ready" ]; then
  echo "$root"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "building the Swift chroot needs root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "debootstrap is required (apt-get install debootstrap)" >&2; exit 1; }

mkdir -p "$(dirname "$root")"
# One builder at a time; a half-built chroot from an interrupted run is started again.
exec 9>"$root.lock"
flock 9
if [ ! -f "$ready" ]; then
  partial="$root.partial"
  if mountpoint -q "$partial/proc" 2>/dev/null; then umount "$partial/proc"; fi
  rm -rf "$partial" "$root"
  start=$SECONDS
  mirror=$(host_mirror)
  echo "building the Swift chroot in $root from $mirror" >&2
  debootstrap --variant=minbase trixie "$partial" "$mirror" >&2
  echo "   debootstrap took $((SECONDS - start)) s" >&2
  cp /etc/resolv.conf "$partial/etc/resolv.conf"
  chroot "$partial" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${packages[@]}" >&2
  chroot "$partial" apt-get clean
  mv "$partial" "$root"
  date -u +%FT%TZ >"$ready"
  echo "   Swift chroot built in $((SECONDS - start)) s" >&2
fi
echo "$root"
