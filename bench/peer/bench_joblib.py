#!/usr/bin/env python3
"""joblib.Memory on the workloads of bench/store.rs, for a side-by-side figure.

- a hit of a cached function with two small integers;
- a hit whose argument is 1 MB, as a numpy array and as bytes (joblib hashes both);
- reduce_size to half of 10,000, 20,000 and 100,000 entries (items_limit).

Prints one JSON object (µs for hits, ms for eviction).
"""
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import joblib
import numpy as np


def add(a, b):
    return a + b


def length(x):
    return len(x)


def ident(i):
    return i


def per_call_us(fn, seconds=2.0, min_calls=20):
    for _ in range(5):
        fn()
    samples = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < min_calls:
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1e6)
    return statistics.median(samples)


def reduce(n):
    """ms for reduce_size(items_limit=n // 2) on n entries (issue 15's peer figure)."""
    rd = tempfile.mkdtemp(prefix="joblib-reduce-")
    try:
        rmem = joblib.Memory(rd, verbose=0)
        cid = rmem.cache(ident)
        for i in range(n):
            cid(i)
        t = time.perf_counter()
        rmem.reduce_size(items_limit=n // 2)
        return (time.perf_counter() - t) * 1e3
    finally:
        shutil.rmtree(rd, ignore_errors=True)


def miss_us(n=2000):
    """µs per miss that writes its entry (a new argument each call), on a
    store of n entries: what an insert is compared with (issue 15)."""
    md = tempfile.mkdtemp(prefix="joblib-miss-")
    try:
        mmem = joblib.Memory(md, verbose=0)
        cid = mmem.cache(ident)
        t = time.perf_counter()
        for i in range(n):
            cid(i)
        return (time.perf_counter() - t) * 1e6 / n
    finally:
        shutil.rmtree(md, ignore_errors=True)


def main():
    d = tempfile.mkdtemp(prefix="joblib-bench-")
    try:
        mem = joblib.Memory(d, verbose=0)
        cadd = mem.cache(add)
        cadd(1, 2)
        small = per_call_us(lambda: cadd(1, 2))
        clen = mem.cache(length)
        arr = np.frombuffer(bytes(i * 7 % 251 for i in range(1 << 20)), dtype=np.uint8).copy()
        clen(arr)
        mb_numpy = per_call_us(lambda: clen(arr))
        raw = arr.tobytes()
        clen(raw)
        mb_bytes = per_call_us(lambda: clen(raw), seconds=1.0, min_calls=5)

        miss = miss_us()
        reduce_ms = reduce(10_000)
        reduce_20k_ms = reduce(20_000)
        # 100,000 entries take minutes to write; BENCH_SKIP_100K=1 skips them.
        reduce_100k_ms = None if os.environ.get("BENCH_SKIP_100K") else reduce(100_000)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(json.dumps({
        "peer": "joblib " + joblib.__version__, "python": sys.version.split()[0],
        "small_hit_us": small, "mb_numpy_hit_us": mb_numpy, "mb_bytes_hit_us": mb_bytes,
        "miss_us": miss, "reduce_10k_ms": reduce_ms, "reduce_20k_ms": reduce_20k_ms, "reduce_100k_ms": reduce_100k_ms,
    }))


if __name__ == "__main__":
    main()
