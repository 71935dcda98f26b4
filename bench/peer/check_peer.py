#!/usr/bin/env python3
"""Run the conformance cases through nipype_peer.render and report agreement.

    check_peer.py [--show N] [--only SUBSTR] [CASES.jsonl ...]

Each case runs the way check_conformance.py runs one: in a fresh empty temporary
directory (the current directory while rendering) holding the case's "files".
Defaults to every .jsonl in ../shared/conformance beside the repo.
"""

import argparse
import glob
import json
import os
import shutil
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import nipype_peer  # noqa: E402

# nipype warns (UserWarning) when a deprecated-but-still-allowed input is set; the
# outcome is what counts here.
warnings.simplefilter("ignore", UserWarning)

DEFAULT_CASES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "conformance"))


def make_files(root, files):
    for f in files:
        if os.path.isabs(f) or ".." in f.split("/"):
            raise ValueError("unsafe path in case: %r" % f)
        p = os.path.join(root, f)
        if f.endswith("/"):
            os.makedirs(p, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(p) or root, exist_ok=True)
            open(p, "a").close()


def run_case(case):
    """Return (status, value) from render, run inside a fresh case directory."""
    old = os.getcwd()
    d = tempfile.mkdtemp(prefix="peer-")
    try:
        make_files(d, case.get("files", []))
        os.chdir(d)
        return nipype_peer.render(case["spec"], case["inputs"])
    finally:
        os.chdir(old)
        shutil.rmtree(d, ignore_errors=True)


def expected(case):
    return ("ok", case["cmdline"]) if "cmdline" in case else ("error", case["error"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*")
    ap.add_argument("--show", type=int, default=-1, help="disagreements to print (-1: all)")
    ap.add_argument("--only", default=None, help="only cases whose id contains this")
    a = ap.parse_args(argv)
    files = a.cases or sorted(glob.glob(os.path.join(DEFAULT_CASES, "*.jsonl")))
    if not files:
        ap.error("no case files (looked in %s)" % DEFAULT_CASES)

    total_ok = total = shown = 0
    for path in files:
        ok = n = 0
        with open(path) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                case = json.loads(line)
                if a.only and a.only not in case.get("id", ""):
                    continue
                n += 1
                want, got = expected(case), run_case(case)
                if want == got:
                    ok += 1
                    continue
                if a.show < 0 or shown < a.show:
                    shown += 1
                    print("DIFF %s (%s:%d)\n  inputs:   %s\n  files:    %s\n  expected: %r\n  got:      %r"
                          % (case.get("id"), os.path.basename(path), lineno,
                             json.dumps(case["inputs"], ensure_ascii=False),
                             case.get("files", []), want, got))
        print("%s: %d/%d agree" % (os.path.basename(path), ok, n))
        total_ok += ok
        total += n
    pct = 100.0 * total_ok / total if total else 0.0
    print("total: %d/%d agree (%.2f%%)" % (total_ok, total, pct))
    return 0 if total_ok == total else 1


if __name__ == "__main__":
    sys.exit(main())
