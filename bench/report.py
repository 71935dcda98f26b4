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
                  f"| | | memoizee hit | {sm['memoizee_hit_ns']:.0f} ns | **{sm['toolmemo_hit_ns'] / sm['memoizee_hit_ns']:.1f}×** |",
                  f"| 64 MiB hit | {lg['toolmemo_hit_ms']:.1f} ms | hash-wasm sha256 | {lg['hash_wasm_ms']:.1f} ms | **{lg['toolmemo_hit_ms'] / lg['hash_wasm_ms']:.2f}×** |",
                  f"| | | node:crypto sha256 | {lg['node_crypto_ms']:.1f} ms | **{lg['toolmemo_hit_ms'] / lg['node_crypto_ms']:.2f}×** |"]
    lines += ["", END]
    text = open(readme).read() if os.path.exists(readme) else f"# Benchmarks\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    with open(readme, "w") as fh:
        fh.write(head + "\n".join(lines) + tail)
    print("\n".join(lines[2:-2]))


if __name__ == "__main__":
    main(*sys.argv[1:])
