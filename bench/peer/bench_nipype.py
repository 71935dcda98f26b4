#!/usr/bin/env python3
"""Time nipype 1.12 rendering the valid conformance cases, as a peer figure for
toolmemo's renderer.

    bench_nipype.py [--cases FILE ...] [--limit N] [--budget S] [--per-case-ms MS]

Per case, inside a temporary directory holding the case's files (existence checks
are part of assignment, so they must succeed), two per-call medians are taken:

  cmdline  ``iface.cmdline`` alone, inputs already set: nipype's mandatory/requires
           checks, name generation and formatting;
  full     instantiate the interface + set the inputs in JSON order + ``.cmdline``:
           what one render costs from scratch. The class itself is built once per
           spec beforehand, as nipype's classes exist from import time.

Each call is timed on its own with time.perf_counter (its overhead, ~0.1 µs, is far
below a call) and each measurement runs for at least half of --per-case-ms. When all
cases would not fit --budget seconds, cases are sampled evenly over the list. Prints
one JSON object; the summary figures are the median/mean over cases of the per-case
medians, in microseconds.
"""

import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import nipype_peer  # noqa: E402
from check_peer import DEFAULT_CASES, make_files  # noqa: E402


def load_valid_cases(paths):
    cases = []
    for path in paths:
        with open(path) as fh:
            for line in fh:
                if line.strip():
                    case = json.loads(line)
                    if "cmdline" in case:
                        case["_file"] = os.path.basename(path)
                        cases.append(case)
    return cases


def sample_evenly(items, n):
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def per_call_median(fn, min_seconds, min_calls=20):
    samples = []
    clock = time.perf_counter
    deadline = clock() + min_seconds
    while len(samples) < min_calls or clock() < deadline:
        t0 = clock()
        fn()
        samples.append(clock() - t0)
    return statistics.median(samples) * 1e6, len(samples)


def bench_case(case, half_seconds):
    """Return (cmdline_us, full_us, calls) or None if nipype does not reproduce the case."""
    cls = nipype_peer.interface_class(case["spec"])
    items = [(k, v) for k, v in case["inputs"].items() if v is not None]

    def full():
        iface = cls()
        inputs = iface.inputs
        for k, v in items:
            setattr(inputs, k, v)
        return iface.cmdline

    old = os.getcwd()
    d = tempfile.mkdtemp(prefix="peer-bench-")
    try:
        make_files(d, case.get("files", []))
        os.chdir(d)
        if full() != case["cmdline"]:  # also warms up caches
            return None
        iface = cls()
        for k, v in items:
            setattr(iface.inputs, k, v)
        cmd_us, n1 = per_call_median(lambda: iface.cmdline, half_seconds)
        full_us, n2 = per_call_median(full, half_seconds)
        return cmd_us, full_us, n1 + n2
    finally:
        os.chdir(old)
        shutil.rmtree(d, ignore_errors=True)


def summary(values, prefix):
    values = sorted(values)
    return {
        prefix + "_median": round(statistics.median(values), 2),
        prefix + "_mean": round(statistics.fmean(values), 2),
        prefix + "_p10": round(values[int(0.1 * (len(values) - 1))], 2),
        prefix + "_p90": round(values[int(0.9 * (len(values) - 1))], 2),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=None, metavar="FILE",
                    help="conformance .jsonl files (default: all in ../shared/conformance)")
    ap.add_argument("--limit", type=int, default=None, help="at most N cases (sampled evenly)")
    ap.add_argument("--budget", type=float, default=60.0, help="target total seconds")
    ap.add_argument("--per-case-ms", type=float, default=200.0,
                    help="measuring time per case, split between the two measurements")
    a = ap.parse_args(argv)

    paths = a.cases or sorted(glob.glob(os.path.join(DEFAULT_CASES, "*.jsonl")))
    valid = load_valid_cases(paths)
    n = max(1, int(a.budget * 1000 / a.per_case_ms))
    if a.limit is not None:
        n = min(n, a.limit)
    chosen = sample_evenly(valid, n)

    half = a.per_case_ms / 2000.0
    t0 = time.perf_counter()
    cmd, full, calls, skipped, by_file = [], [], 0, [], {}
    for case in chosen:
        r = bench_case(case, half)
        if r is None:
            skipped.append(case["id"])
            continue
        cmd.append(r[0])
        full.append(r[1])
        calls += r[2]
        by_file.setdefault(case["_file"], ([], []))
        by_file[case["_file"]][0].append(r[0])
        by_file[case["_file"]][1].append(r[1])
    if not cmd:
        sys.exit("no case could be measured")

    import traits

    out = {
        "peer": "nipype " + nipype_peer.NIPYPE_VERSION,
        "traits": traits.__version__,
        "python": platform.python_version(),
        "machine": "%s, %d cores" % (platform.machine(), os.cpu_count() or 0),
        "case_files": [os.path.basename(p) for p in paths],
        "cases_available": len(valid),
        "cases": len(cmd),
        "skipped_mismatch": skipped,
        "calls": calls,
    }
    out.update(summary(cmd, "cmdline_us"))
    out.update(summary(full, "full_us"))
    # nipype's real interfaces (nipype-dev) and the synthetic specs differ in size.
    out["by_file"] = {
        f: {"cases": len(c), "cmdline_us_median": round(statistics.median(c), 2),
            "full_us_median": round(statistics.median(fl), 2)}
        for f, (c, fl) in sorted(by_file.items())
    }
    out["total_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
