#!/usr/bin/env python3
"""Writes the benchmark's case list: valid conformance cases sampled evenly, so that
nipype, the native build and wasm in Node are timed on exactly the same cases.

    select_cases.py OUT.jsonl LIMIT CASES.jsonl...
"""
import json
import sys


def main(out, limit, *paths):
    valid = []
    for path in paths:
        with open(path) as fh:
            # Cases naming a nipype interface (the importer's) carry no spec.
            cases = [(l, json.loads(l)) for l in fh if l.strip()]
            valid += [l for l, c in cases if "cmdline" in c and "spec" in c]
    n = min(int(limit), len(valid))
    step = len(valid) / n
    with open(out, "w") as fh:
        fh.writelines(valid[int(i * step)] for i in range(n))
    print(f"{n} of {len(valid)} valid cases -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])
