#!/usr/bin/env python3
"""Rewrites the results section of bench/README.md from bench/out/*.json.

    report.py OUT_DIR README.md
"""
import datetime
import json
import os
import platform
import sys

START, END = "<!-- results:start -->", "<!-- results:end -->"


def load(out, name):
    with open(os.path.join(out, name)) as fh:
        return json.loads(fh.read().strip().splitlines()[-1] if name != "nipype.json" else fh.read())


def cpu():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(out, readme):
    peer, native, wasm = load(out, "nipype.json"), load(out, "native.json"), load(out, "wasm.json")
    rows = [
        ("render checked inputs (nipype: `.cmdline` with inputs set)", peer["cmdline_us_median"],
         [("native `Bound::cmdline`", native["cmdline_us_median"]),
          ("wasm in Node `bound.cmdline()`", wasm["cmdline_us_median"])]),
        ("check JSON inputs + render (nipype: instantiate, set inputs, `.cmdline`)", peer["full_us_median"],
         [("native `Interface::cmdline`", native["full_us_median"]),
          ("wasm in Node, object inputs, node:fs", wasm["full_us_median"]),
          ("wasm in Node, JSON-text inputs, node:fs", wasm["text_us_median"]),
          ("wasm in Node, object inputs, declared files", wasm["files_us_median"])]),
    ]
    lines = [START, "",
             f"Measured {datetime.date.today()} on {cpu()} ({os.cpu_count()} cores), "
             f"{peer['cases']} valid conformance cases sampled evenly from "
             f"shared/conformance/*.jsonl; {peer['peer']} on Python {peer['python']}, "
             f"Node {wasm['node']}. Medians over cases of per-call medians, in µs; "
             "ratio = nipype's time / ours.", "",
             "| what | nipype µs | ours | µs | ratio |", "| --- | ---: | --- | ---: | ---: |"]
    for what, theirs, ours in rows:
        for i, (name, us) in enumerate(ours):
            lines.append(f"| {what if i == 0 else ''} | {theirs if i == 0 else ''} | {name} | {us:.2f} | **{theirs / us:.0f}×** |")
    mem_path = os.path.join(out, "memory.json")
    if os.path.exists(mem_path):
        m = load(out, "memory.json")
        sm, lg = m["small"], m["large"]
        lines += ["", "Memory hits from JS (`bench/memory.mjs`, Node "
                  f"{m['node']}): a hit of `add(1, 2)` against the named peers, and a hit whose argument is a "
                  "fresh 64 MiB Uint8Array against hashing those bytes. Ratio = our time / theirs.", "",
                  "| what | toolmemo | peer | peer time | ratio |", "| --- | ---: | --- | ---: | ---: |",
                  f"| small hit, `await cached(1, 2)` | {sm['toolmemo_hit_ns']:.0f} ns | lru-cache `get` (key built) | {sm['lru_cache_get_ns']:.0f} ns | **{sm['toolmemo_hit_ns'] / sm['lru_cache_get_ns']:.1f}×** |",
                  f"| | | memoizee hit | {sm['memoizee_hit_ns']:.0f} ns | **{sm['toolmemo_hit_ns'] / sm['memoizee_hit_ns']:.1f}×** |"]
        if "p_memoize_hit_ns" in sm:
            lines.append(f"| | | p-memoize hit, `await` | {sm['p_memoize_hit_ns']:.0f} ns | **{sm['toolmemo_hit_ns'] / sm['p_memoize_hit_ns']:.1f}×** |")
        lines += [f"| 64 MiB hit | {lg['toolmemo_hit_ms']:.1f} ms | hash-wasm sha256 | {lg['hash_wasm_ms']:.1f} ms | **{lg['toolmemo_hit_ms'] / lg['hash_wasm_ms']:.2f}×** |",
                  f"| | | node:crypto sha256 | {lg['node_crypto_ms']:.1f} ms | **{lg['toolmemo_hit_ms'] / lg['node_crypto_ms']:.2f}×** |"]
    hit_path, pipefunc_path = os.path.join(out, "hit.json"), os.path.join(out, "pipefunc.json")
    if os.path.exists(hit_path) and os.path.exists(pipefunc_path):
        h, pf = load(out, "hit.json"), load(out, "pipefunc.json")
        lines += ["", f"A cached tool run's hit (`bench/hit.mjs`, Node {h['node']}) against {pf['peer']}'s "
                  f"`Memory(base_dir).cache(Interface)` (Python {pf['python']}, `bench/peer/bench_pipefunc.py`): "
                  "the same `cp` interface called again on the same 1.3 MB file, files keyed by size and "
                  "modification time (`timestamp`) on both sides, toolmemo's filesystem store. Medians of "
                  "per-hit times; ratio = nipype's time / ours.", "",
                  "| what | toolmemo | nipype PipeFunc | ratio |", "| --- | ---: | ---: | ---: |",
                  "| cached tool run hit: toolmemo (Node, runs the tool itself) vs nipype PipeFunc | "
                  f"{h['run_hit_ms']:.3f} ms | {pf['pipefunc_hit_ms']:.3f} ms | **{pf['pipefunc_hit_ms'] / h['run_hit_ms']:.1f}×** |"]
    idb_path = os.path.join(out, "idb.json")
    if os.path.exists(idb_path):
        i = load(out, "idb.json")
        lines += ["", f"The IndexedDB store in headless Chromium ({i['browser']}, `bench/idb.mjs`): a cached "
                  "`add(i, 1)` on a Memory with `store: 'indexeddb'`, against raw IndexedDB doing the least "
                  "the same call needs in one transaction (insert: put a value and its metadata; hit: read "
                  "both, write the metadata back). Medians of batches of awaited calls; ratio = ours / raw.", "",
                  "| what | toolmemo | raw IndexedDB | ratio |", "| --- | ---: | ---: | ---: |",
                  f"| insert (a miss) | {i['toolmemo_insert_ms']:.2f} ms | {i['raw_insert_ms']:.2f} ms | **{i['toolmemo_insert_ms'] / i['raw_insert_ms']:.1f}×** |",
                  f"| hit | {i['toolmemo_hit_ms']:.2f} ms | {i['raw_hit_ms']:.2f} ms | **{i['toolmemo_hit_ms'] / i['raw_hit_ms']:.1f}×** |"]
    store_path, joblib_path = os.path.join(out, "store.json"), os.path.join(out, "joblib.json")
    if os.path.exists(store_path) and os.path.exists(joblib_path):
        st, jb = load(out, "store.json"), load(out, "joblib.json")
        lines += ["", f"The native filesystem store (Rust API, `bench/store.rs`) against {jb['peer']} "
                  f"(Python {jb['python']}, `bench/peer/bench_joblib.py`), both on this machine's ext4. "
                  "Ratio = joblib's time / ours, except for the 1 MB hit: ours / sha256 alone.", "",
                  "| what | ours | joblib | ratio |", "| --- | ---: | ---: | ---: |",
                  f"| hit, two small ints | {st['small_hit_us']:.1f} µs | {jb['small_hit_us']:.1f} µs | **{jb['small_hit_us'] / st['small_hit_us']:.1f}×** |",
                  f"| hit, 1 MB argument | {st['mb_hit_us']:.0f} µs (sha256 alone: {st['mb_sha256_us']:.0f} µs) | {jb['mb_numpy_hit_us']:.0f} µs numpy, {jb['mb_bytes_hit_us']:.0f} µs bytes | **{st['mb_hit_us'] / st['mb_sha256_us']:.2f}× sha256** |",
                  f"| reduce to half of 10,000 entries | {st['reduce_10k_ms']:.0f} ms | {jb['reduce_10k_ms']:.0f} ms | **{jb['reduce_10k_ms'] / st['reduce_10k_ms']:.1f}×** |"]
        if st.get("reduce_100k_ms"):
            lines.append(f"| reduce to half of 100,000 entries | {st['reduce_100k_ms']:.0f} ms | — | |")
    redis_path = os.path.join(out, "redis.json")
    if os.path.exists(redis_path):
        r = load(out, "redis.json")
        ping = f" A bare `PING` round trip took {r['redis_ping_us']:.0f} µs here; a hit makes one." if "redis_ping_us" in r else ""
        lines += ["", "The Redis store (`bench/redis.rs`, redis-server on loopback, started by the bench) against "
                  f"the local filesystem store, same Rust API. Ratio = Redis time / filesystem time.{ping}", "",
                  "| what | Redis | filesystem | ratio |", "| --- | ---: | ---: | ---: |",
                  f"| hit, two small ints | {r['redis_small_hit_us']:.1f} µs | {r['fs_small_hit_us']:.1f} µs | **{r['redis_small_hit_us'] / r['fs_small_hit_us']:.1f}×** |",
                  f"| hit, a stored 1 MB value (read + sha256 check) | {r['redis_mb_hit_us']:.0f} µs | {r['fs_mb_hit_us']:.0f} µs | **{r['redis_mb_hit_us'] / r['fs_mb_hit_us']:.1f}×** |"]
    lines += ["", END]
    text = open(readme).read() if os.path.exists(readme) else f"# Benchmarks\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    with open(readme, "w") as fh:
        fh.write(head + "\n".join(lines) + tail)
    print("\n".join(lines[2:-2]))


if __name__ == "__main__":
    main(*sys.argv[1:])
