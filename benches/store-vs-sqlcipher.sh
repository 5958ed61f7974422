#!/bin/sh
# Plain SQLite, the vault, and SQLCipher on the same booking workload, interleaved round
# by round (the machine is shared: load hits all three alike), then the median of each.
# SQLCipher is a separate crate (benches/sqlcipher): it cannot link beside bundled SQLite.
#
#   benches/store-vs-sqlcipher.sh [rounds] [bookings]     (default 9 rounds, 10000)
#
# Prints one table row per kind: median wall milliseconds and CPU milliseconds (the
# thread's time on a CPU over the same span: the machine is shared, and CPU time moves
# much less with the others' load), each with its ratio to plain; file bytes, ratio.
# With VAULT_BEFORE=<a store_workload binary built from an earlier commit>, that binary's
# vault run joins every round too (kind "vault-before"): a before/after in one run.
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-9}
n=${2:-10000}
cargo build --profile bench -p vigil-core --example store_workload >&2
target=${CARGO_TARGET_DIR:-target}
# The bench profile builds into target/release.
store="$target/release/examples/store_workload"
cipher=""
if cargo build --release --manifest-path benches/sqlcipher/Cargo.toml >&2; then
    cipher="$target/release/vigil-bench-sqlcipher"
else
    echo "SQLCipher bench did not build (vendored OpenSSL); plain and vault only" >&2
fi
out=$(mktemp)
i=0
while [ "$i" -lt "$rounds" ]; do
    "$store" plain "$n" >>"$out"
    "$store" vault "$n" >>"$out"
    if [ -n "${VAULT_BEFORE:-}" ]; then
        "$VAULT_BEFORE" vault "$n" | sed 's/^vault /vault-before /' >>"$out"
    fi
    if [ -n "$cipher" ]; then "$cipher" "$n" >>"$out" 2>/dev/null; fi
    i=$((i + 1))
done
awk '
{ t[$1] = t[$1] " " $2; b[$1] = $3; if ($4 != "" && $4 != "-") c[$1] = c[$1] " " $4 }
function median(list,   a, n, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; j = i - 1; while (j > 0 && a[j] + 0 > x + 0) { a[j + 1] = a[j]; j-- } a[j + 1] = x }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
    p = median(t["plain"])
    pc = ("plain" in c) ? median(c["plain"]) : 0
    printf "| kind | median ms | x plain | CPU ms | x plain | file bytes | x plain |\n|---|---|---|---|---|---|---|\n"
    split("plain vault-before vault sqlcipher", kinds, " ")
    for (k = 1; k <= 4; k++) {
        name = kinds[k]
        if (!(name in t)) continue
        m = median(t[name])
        if ((name in c) && pc > 0) { mc = median(c[name]); cpu = sprintf("%.1f | %.2f", mc, mc / pc) } else cpu = "- | -"
        printf "| %s | %.1f | %.2f | %s | %d | %.2f |\n", name, m, m / p, cpu, b[name], b[name] / b["plain"]
    }
}' "$out"
rm -f "$out"
