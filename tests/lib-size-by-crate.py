#!/usr/bin/env python3
"""Where the bytes of libvigil_ffi go, per crate and per section, for one or two builds
(docs/bindings.md "Size"). `cargo bloat --crates` refuses this package (its crate types
include staticlib and lib), so this does what it does from the symbol table: each function
or named static is counted for the first crate its demangled name starts with (generic
code instantiated for Vigil's types counts for `core`, `alloc`, `serde_core`...; C code
such as SQLite has no `::` and counts as "[C]"). Data without a symbol (string and table
constants) is in no crate: see the section sizes.

Needs a library with its symbols: build with CARGO_PROFILE_RELEASE_STRIP=none, as the
library ships (the cdylib alone: with the rlib in the same rustc run it is ~0.69 MB larger), e.g.
    CARGO_PROFILE_RELEASE_STRIP=none cargo rustc --release -p vigil-ffi --lib --crate-type cdylib
    python3 tests/lib-size-by-crate.py BEFORE.so AFTER.so [-n 30]
"""

import argparse
import collections
import re
import subprocess


def crates(lib):
    out = subprocess.run(
        ["nm", "-S", "--defined-only", "-C", lib], check=True, capture_output=True, text=True
    ).stdout
    total = collections.Counter()
    for line in out.splitlines():
        parts = line.split(" ", 3)
        if len(parts) < 4:
            continue
        size, name = int(parts[1], 16), parts[3]
        if "::" not in name:
            total["[C]"] += size
            continue
        m = re.match(r"[<&*]*(?:dyn |mut )?([A-Za-z_][A-Za-z0-9_]*)", name)
        total[m.group(1) if m else "?"] += size
    return total


def sections(lib):
    out = subprocess.run(["size", "-A", lib], check=True, capture_output=True, text=True).stdout
    result = {}
    for line in out.splitlines():
        parts = line.split()
        # Debug info and the symbol table are stripped from what ships.
        shipped = not parts[0].startswith((".debug", ".symtab", ".strtab", ".comment")) if parts else False
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit() and shipped:
            result[parts[0]] = int(parts[1])
    return result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("libs", nargs="+")
    p.add_argument("-n", type=int, default=30)
    args = p.parse_args()
    tables = [crates(lib) for lib in args.libs]
    keys = sorted(set().union(*tables), key=lambda k: -max(t[k] for t in tables))
    print("| crate (code and named statics) | " + " | ".join(args.libs) + " |")
    print("|---" + "|---:" * len(args.libs) + "|")
    for k in keys[: args.n]:
        print(f"| {k} | " + " | ".join(f"{t[k]:,}" for t in tables) + " |")
    print("| all symbols | " + " | ".join(f"{sum(t.values()):,}" for t in tables) + " |")
    secs = [sections(lib) for lib in args.libs]
    names = sorted(set().union(*secs), key=lambda k: -max(s.get(k, 0) for s in secs))
    print()
    print("| section | " + " | ".join(args.libs) + " |")
    print("|---" + "|---:" * len(args.libs) + "|")
    for k in names:
        if max(s.get(k, 0) for s in secs) >= 10_000:
            print(f"| {k} | " + " | ".join(f"{s.get(k, 0):,}" for s in secs) + " |")


if __name__ == "__main__":
    main()
