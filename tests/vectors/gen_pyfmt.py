#!/usr/bin/env python3
"""Writes pyfmt.jsonl: Python's own answers for `fmt % arg`, the oracle for
toolmemo's `%` formatter on every target (native, wasm in Node, browser).

Each line is {"fmt", "arg", "out"} or {"fmt", "arg", "error"}. Values keep
Python's types through JSON: ints and floats as JSON numbers (a float always
with a '.' or exponent), {"$tuple": [...]}, {"$float": "inf"|"-inf"|"nan"},
{"$dict": {...}}. Deterministic: rerunning gives the same file.
"""
import json
import math
import random
import sys

INTS = [0, 1, -1, 7, 42, 255, -255, 1000, 12345678901234, 2**62]
FLOATS = [0.0, -0.0, 0.5, 1.5, 2.5, 0.1, 1e-5, 1e-4, 2.5e-7, 1e16, 1e15, 123456789.0,
          1 / 3, -12.75, 9.999999, 99.5, 0.05, 0.000123456, 1e300, 5e-324, 1.0,
          100000.0, 1e6, -0.001, 3.14159, 1234.5, 0.125, 2.675, float("inf"),
          float("-inf"), float("nan")]
STRS = ["", "abc", "my file.nii", "a'b", "é", "x" * 20, "%s"]
OTHERS = [True, False, None, [1, "a", 2.5], [], {"k": "v"}, (1,), ("a", 2)]
CONVS = "diuoxXeEfFgGcrsa"
FLAGS = ["", "-", "+", " ", "#", "0", "-0", "+0", " 0", "#0", "-#", "+ "]
WIDTHS = ["", "1", "5", "12"]
PRECS = ["", ".0", ".1", ".3", ".10", ".17"]
TEMPLATES = ["-x %s", "--a=%d", "%s_brain", "-lam %03d %s %s", "%d %d", "-f %.2f",
             "100%%", "%%%s%%", "-x", "%(k)s", "%*d", "%.*f", "%", "%q", "%5%",
             "%s %s", "'%s'", "%ld", "%-5s|", "a%sb%sc"]


def enc(v):
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        if math.isnan(v):
            return {"$float": "nan"}
        if math.isinf(v):
            return {"$float": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, tuple):
        return {"$tuple": [enc(x) for x in v]}
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, dict):
        return {"$dict": {k: enc(x) for k, x in v.items()}}
    raise TypeError(v)


def case(fmt, arg):
    try:
        return {"fmt": fmt, "arg": enc(arg), "out": fmt % arg}
    except Exception as exc:  # every failure is an error; the kind is not compared
        return {"fmt": fmt, "arg": enc(arg), "error": type(exc).__name__}


def main():
    rng = random.Random(20261122)
    values = INTS + FLOATS + STRS + OTHERS
    out = []
    for conv in CONVS:
        for v in values:
            out.append(case("%" + conv, v))
    specs = ["%" + f + w + p + c for f in FLAGS for w in WIDTHS for p in PRECS for c in CONVS]
    for spec in rng.sample(specs, 900):
        for v in rng.sample(values, 6):
            out.append(case(spec, v))
    for t in TEMPLATES:
        for v in values + [(1, "a", "b"), (1, 2), (5, 3.14159), (3, 7), {"k": 1}]:
            out.append(case(t, v))
    for line in out:
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
