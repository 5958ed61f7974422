#!/bin/sh
# Runs every fuzz target for N seconds each (default 60), one after another, with a
# 512 MiB memory limit and a per-input time limit. New inputs go to fuzz/work/<target>
# (not committed); findings to fuzz/artifacts/<target>; one log per target in fuzz/logs.
# Usage: fuzz/run.sh 600 [target ...]     (needs nightly and cargo-fuzz)
set -u
secs=${1:-60}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")"
export CARGO_INCREMENTAL=0
# No sanitizer: the fuzzed code is safe Rust; debug assertions catch overflow.
flags="--sanitizer none --debug-assertions"
cargo +nightly fuzz build $flags || exit 1
targets=${*:-$(cargo +nightly fuzz list)}
mkdir -p logs
status=0
for t in $targets; do
    mkdir -p "work/$t" "corpus/$t"
    echo "== $t: $secs s"
    cargo +nightly fuzz run $flags "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=512 -malloc_limit_mb=512 -timeout=10 \
        -print_final_stats=1 >"logs/$t.log" 2>&1 || { status=1; echo "   FINDING: see logs/$t.log"; }
    grep -E 'DONE[[:space:]]+cov' "logs/$t.log" | tail -1
    grep -E 'stat::number_of_executed_units' "logs/$t.log" | tail -1
done
exit $status
