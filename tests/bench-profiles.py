#!/usr/bin/env python3
"""Runs `runBenchmark` of two builds of libvigil_ffi in alternating processes and prints
each figure's median side by side (docs/bindings.md "Size": the release profile beside
opt-level 3). Each folder holds generated Python bindings (vigil_ffi.py, vigil_core.py)
with its own libvigil_ffi.so beside them.

    python3 tests/bench-profiles.py A_DIR B_DIR [--rounds N] [--quick] [--json OUT]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

CHILD = """
import json, sys, tempfile
sys.path.insert(0, sys.argv[1])
import vigil_ffi
with tempfile.TemporaryDirectory() as d:
    print(vigil_ffi.run_benchmark(d, sys.argv[2] == "quick"))
"""


def run_once(folder, quick):
    out = subprocess.run(
        [sys.executable, "-c", CHILD, folder, "quick" if quick else "full"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json")
    args = p.parse_args()
    runs = {args.a: [], args.b: []}
    for r in range(args.rounds):
        # Alternate which goes first, so that a machine getting busier or quieter over the
        # run does not favour one side.
        order = [args.a, args.b] if r % 2 == 0 else [args.b, args.a]
        for folder in order:
            runs[folder].append(run_once(folder, args.quick))
            print(f"round {r + 1}: {folder} done", file=sys.stderr)
    names = [f["name"] for f in runs[args.a][0]["figures"]]

    def median(folder, name):
        return statistics.median(
            next(f["median_us"] for f in rep["figures"] if f["name"] == name)
            for rep in runs[folder]
        )

    rows = []
    print(f"| figure | {args.a} | {args.b} | b / a |")
    print("|---|---:|---:|---:|")
    for name in names:
        a, b = median(args.a, name), median(args.b, name)
        rows.append({"name": name, "a_us": a, "b_us": b, "ratio": b / a})
        print(f"| {name} | {a:,.1f} µs | {b:,.1f} µs | {b / a:.2f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
