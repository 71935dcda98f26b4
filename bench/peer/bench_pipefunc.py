#!/usr/bin/env python3
"""nipype's cached tool run, for a side-by-side figure with bench/hit.mjs (issue 14).

A tiny CommandLine interface wrapping `cp` (the same interface as bench/hit.mjs's
spec: `cp IN IN_copy.EXT`, the output name generated from `in_file`) is cached with
``nipype.caching.Memory(base_dir).cache(CpInterface)`` (a PipeFunc) and called on a
1.3 MB file: once to run `cp` (the miss), then timed on hits. Files enter the key by
size and modification time (hash_method 'timestamp', nipype's default, set
explicitly); the input's time is set a minute back, as bench/hit.mjs does. The
PipeFunc is made once, as toolmemo's cached interface is.

Prints one JSON object: the median per-hit time in ms and the number of hits timed.

    NIPYPE_NO_ET=1 .venv-peers/bin/python bench/peer/bench_pipefunc.py [--seconds S]
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time

import nipype
from nipype import config, logging
from nipype.caching import Memory
from nipype.interfaces.base import CommandLine, CommandLineInputSpec, File, TraitedSpec

config.set("execution", "hash_method", "timestamp")
config.set("logging", "workflow_level", "WARNING")  # no "[Node] Cached ..." per hit
logging.update_logging(config)


class CpInputSpec(CommandLineInputSpec):
    in_file = File(exists=True, argstr="%s", position=0, mandatory=True, desc="file to copy")
    out_file = File(argstr="%s", position=1, name_source=["in_file"], name_template="%s_copy",
                    keep_extension=True, hash_files=False, desc="the copy")


class CpOutputSpec(TraitedSpec):
    out_file = File(exists=True, desc="the copy")


class CpInterface(CommandLine):
    """cp IN_FILE OUT_FILE (CommandLine._list_outputs gives the generated out_file)."""
    _cmd = "cp"
    input_spec = CpInputSpec
    output_spec = CpOutputSpec


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="time spent on hits")
    a = ap.parse_args()

    d = tempfile.mkdtemp(prefix="pipefunc-bench-")
    old = os.getcwd()
    try:
        in_file = os.path.join(d, "input.dat")
        with open(in_file, "wb") as fh:
            fh.write(bytes(i * 7 % 251 for i in range(1_300_000)))
        settled = time.time() - 60
        os.utime(in_file, (settled, settled))
        cp = Memory(d).cache(CpInterface)
        first = cp(in_file=in_file)  # the miss: runs cp
        out = first.outputs.out_file
        assert os.path.getsize(out) == 1_300_000, out
        samples = []
        end = time.perf_counter() + a.seconds
        while time.perf_counter() < end or len(samples) < 20:
            t = time.perf_counter()
            r = cp(in_file=in_file)
            samples.append((time.perf_counter() - t) * 1e3)
        assert r.outputs.out_file == out
    finally:
        os.chdir(old)
        shutil.rmtree(d, ignore_errors=True)
    print(json.dumps({
        "peer": "nipype " + nipype.__version__, "python": platform.python_version(),
        "hash_method": config.get("execution", "hash_method"),
        "pipefunc_hit_ms": statistics.median(samples), "runs": len(samples),
    }))


if __name__ == "__main__":
    main()
