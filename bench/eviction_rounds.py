"""Eviction next to joblib, round after round (issue 15).

This machine kind's timings drift by 2x within minutes (other tenants, the
disk's writeback), so one figure per side says little. Each round measures
joblib, then Node (bench/eviction.mjs), then natively (bench/eviction.rs), one
right after the other, and the ratio pairs figures of the same round. Prints
each round and the medians as JSON.

    .venv-peers/bin/python bench/eviction_rounds.py [ROUNDS]

Run it with TMPDIR=/dev/shm to take the disk out (tmpfs), as bench/README.md's
figures were. Needs the npm package built (scripts/build.sh) and joblib
installed (bench/peer/setup.sh).
"""

import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench", "peer"))
import bench_joblib  # noqa: E402


def node(only):
    out = subprocess.run(["node", "bench/eviction.mjs"], cwd=ROOT, check=True, capture_output=True, text=True,
                         env={**os.environ, "BENCH_ONLY": only}).stdout
    return json.loads(out)


def native(only):
    out = subprocess.run(["cargo", "bench", "--quiet", "--features", "native", "--bench", "eviction"], cwd=ROOT,
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "BENCH_ONLY": only, "BENCH_SKIP_100K": "1"}).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rows = []
    for _ in range(rounds):
        row = {"joblib_reduce_20k_ms": bench_joblib.reduce(20_000), "joblib_miss_us": bench_joblib.miss_us(2000)}
        n = node("reduce_20k_ms,miss_us")
        row["node_reduce_20k_ms"], row["node_miss_us"] = n["reduce_20k_ms"], n["miss_us"]
        # A second reduction in one process (bench/eviction.mjs says why apart).
        row["node_reduce_again_ms"] = node("reduce_20k_again_ms")["reduce_20k_again_ms"]
        row["native_reduce_20k_ms"] = native("reduce_20k_ms")["reduce_20k_ms"]
        # Ratios: joblib's time over ours (above 1: we are faster).
        row["node_reduce_x"] = row["joblib_reduce_20k_ms"] / row["node_reduce_20k_ms"]
        row["node_reduce_again_x"] = row["joblib_reduce_20k_ms"] / row["node_reduce_again_ms"]
        row["native_reduce_x"] = row["joblib_reduce_20k_ms"] / row["native_reduce_20k_ms"]
        row["node_miss_x"] = row["joblib_miss_us"] / row["node_miss_us"]
        rows.append({k: round(v, 2) for k, v in row.items()})
        print(json.dumps(rows[-1]), file=sys.stderr)
    medians = {k: round(statistics.median(r[k] for r in rows), 2) for k in rows[0]}
    print(json.dumps({"rounds": rows, "median": medians}))


if __name__ == "__main__":
    main()
