#!/usr/bin/env python3
"""Checks the importer's SPM specs against nipype's own cases, with the importer's Python
reference renderer (toolmemo_nipype.spm.render_script): a cross-check of `toolmemo script`
(check_import.py --matlab) that needs no binary.

Usage: check_spm_reference.py [CASES.jsonl] [--only TEXT] [--show N] [--specs DIR]

For every SPM interface of the cases (those whose expected output is "matlab", and their
error cases): the spec is exported with spm.export_spm (or read from DIR/<interface>.json
with --specs). Each case is rendered in a fresh folder holding the case's files ("{cwd}" in
the expected script is that folder): the inputs are type-checked against the spec's types
(here, as docs/spec-format.md says; nipype is not asked), then mandatory/xor/requires, then
the script is rendered. A script case passes when the script is byte for byte the case's;
an error case when the same kind of error is found. An exported interface with any failing
case is WRONG. Exit status 0 when no exported interface is wrong.
"""
import argparse
import collections
import json
import os
import pathlib
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("FSLOUTPUTTYPE", "NIFTI_GZ")
import toolmemo_nipype  # noqa: E402

toolmemo_nipype._quiet()
from toolmemo_nipype import spm  # noqa: E402
from toolmemo_nipype.core import load_class  # noqa: E402
from toolmemo_nipype.probe import make_files, decode_floats  # noqa: E402

DEFAULT_CASES = "/work/shared/conformance/nipype-all-dev.jsonl"


class TypeCheck(Exception):
    pass


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _path(v):
    if not isinstance(v, str):
        raise TypeCheck(f"not a path: {v!r}")
    return str(pathlib.PurePosixPath(v)) if v else v


def check(t, v):
    """The value as the spec holds it after type-checking (docs/spec-format.md, Types)."""
    if t == "Any":
        return v
    if t == "Bool":
        if not isinstance(v, bool):
            raise TypeCheck(f"not a Bool: {v!r}")
        return v
    if t == "Int":
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeCheck(f"not an Int: {v!r}")
        return v
    if t == "Float":
        if not _num(v):
            raise TypeCheck(f"not a Float: {v!r}")
        return float(v)
    if t == "Str":
        if not isinstance(v, str):
            raise TypeCheck(f"not a Str: {v!r}")
        return v
    if t in ("File", "Directory"):
        return _path(v)
    (key, val), = [(k, x) for k, x in t.items() if k not in ("minlen", "maxlen", "keys")]
    if key == "File":
        p = _path(v)
        if val.get("extensions") and not any(p.endswith(e) for e in val["extensions"]):
            raise TypeCheck(f"extension of {p}")
        if val.get("exists") and not os.path.isfile(p):
            raise TypeCheck(f"no file {p}")
        return p
    if key == "Directory":
        p = _path(v)
        if val.get("exists") and not os.path.isdir(p):
            raise TypeCheck(f"no folder {p}")
        return p
    if key == "Enum":
        for x in val:
            if type(x) is type(v) and x == v or (_num(x) and _num(v) and x == v):
                return v
        raise TypeCheck(f"not in Enum: {v!r}")
    if key == "Range":
        if not _num(v):
            raise TypeCheck(f"not a number: {v!r}")
        is_int = all(isinstance(x, int) for x in (val.get("low"), val.get("high")) if x is not None)
        if is_int and not isinstance(v, int):
            raise TypeCheck(f"not an integer: {v!r}")
        lo, hi = val.get("low"), val.get("high")
        if lo is not None and (v < lo or (val.get("exclude_low") and v == lo)):
            raise TypeCheck("below range")
        if hi is not None and (v > hi or (val.get("exclude_high") and v == hi)):
            raise TypeCheck("above range")
        return v if is_int else float(v)
    if key in ("List", "MultiPath"):
        if key == "MultiPath" and not isinstance(v, list):
            v = [v]
        if not isinstance(v, list):
            raise TypeCheck(f"not a list: {v!r}")
        if len(v) < t.get("minlen", 0) or len(v) > t.get("maxlen", len(v)):
            raise TypeCheck("list length")
        return [check(val, x) for x in v]
    if key == "Tuple":
        if not isinstance(v, list) or len(v) != len(val):
            raise TypeCheck(f"not a {len(val)}-tuple: {v!r}")
        return [check(x, e) for x, e in zip(val, v)]
    if key == "Either":
        first = [b for b in val if b in ("Bool", "Int", "Float", "Str")
                 or (isinstance(b, dict) and "Enum" in b)]
        for b in first + [b for b in val if b not in first]:
            try:
                return check(b, v)
            except TypeCheck:
                continue
        raise TypeCheck(f"no branch of Either takes {v!r}")
    if key == "Dict":
        if not isinstance(v, dict):
            raise TypeCheck(f"not a Dict: {v!r}")
        if t.get("keys") is not None and any(k not in t["keys"] for k in v):
            raise TypeCheck("Dict key")
        return {k: check(val, x) for k, x in v.items()}
    raise TypeCheck(f"type {t!r}")


def run_case(spec, case):
    """(ok, want, got) for one case, rendered in a fresh folder holding its files."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as d:
        d = os.path.realpath(d)
        make_files(d, case.get("files", []))
        os.chdir(d)
        try:
            got = render(spec, case["inputs"], d)
        finally:
            os.chdir(old)
        if "matlab" in case:
            want = case["matlab"].replace("{cwd}", d)
            return got == want, want, got
        want = "error[%s]" % case["error"]
        return got == want, want, got


def render(spec, inputs, d):
    ins = decode_floats(spec)["inputs"]
    values = {}
    for n, v in inputs.items():
        if n not in ins:
            return "error[spec]"
        if v is None:
            continue
        try:
            values[n] = check(ins[n]["type"], v)
        except TypeCheck:
            return "error[type]"
        if values[n] == [] and "MultiPath" in ins[n]["type"]:
            del values[n]  # an empty MultiPath is not set
    kind = spm.check_inputs(spec, values)
    if kind:
        return "error[%s]" % kind
    try:
        return spm.render_script(spec, values, cwd=d)
    except spm.ScriptError as e:
        return "error[%s] %s" % (e.kind, e)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", nargs="?", default=DEFAULT_CASES)
    ap.add_argument("--only", default=None, help="interfaces whose name contains this")
    ap.add_argument("--show", type=int, default=1, help="failing cases to show per interface")
    ap.add_argument("--specs", default=None, help="read specs from this folder instead")
    a = ap.parse_args(argv)
    by_iface = collections.defaultdict(list)
    spm_ifaces = set()
    for line in open(a.cases):
        c = json.loads(line)
        if "matlab" in c:
            spm_ifaces.add(c["interface"])
        by_iface[c["interface"]].append(c)
    covered, wrong, refused = [], [], []
    for q in sorted(spm_ifaces):
        if a.only and a.only not in q:
            continue
        cases = by_iface[q]
        short = q.replace("nipype.interfaces.", "")
        if a.specs:
            p = os.path.join(a.specs, q + ".json")
            spec = json.load(open(p)) if os.path.exists(p) else None
            reason = "no spec file" if spec is None else None
        else:
            try:
                spec, reason = spm.export_spm(load_class(q)), None
            except spm.Unsupported as e:
                spec, reason = None, str(e)
        if spec is None:
            refused.append(q)
            print(f"REFUSED {short} ({len(cases)} cases): {reason}")
            continue
        bad = []
        for c in cases:
            ok, want, got = run_case(spec, c)
            if not ok:
                bad.append((c, want, got))
        if bad:
            wrong.append(q)
            print(f"WRONG   {short}: {len(cases) - len(bad)}/{len(cases)} cases exact")
            for c, want, got in bad[: a.show]:
                print(f"  case {c['id']}\n  inputs: {json.dumps(c['inputs'])}")
                wl, gl = want.split("\n"), got.split("\n")
                for i in range(max(len(wl), len(gl))):
                    x = wl[i] if i < len(wl) else "<none>"
                    y = gl[i] if i < len(gl) else "<none>"
                    if x != y:
                        print(f"  line {i + 1}: want {x!r}\n          got  {y!r}")
                        break
        else:
            covered.append(q)
            kind = "script" if spec["matlab"].get("script") is not None else "job"
            print(f"OK      {short}: {len(cases)}/{len(cases)} cases exact ({kind})")
    n = len(covered) + len(wrong) + len(refused)
    print(f"SPM interfaces {n}: exported and exact {len(covered)}, exported but wrong "
          f"{len(wrong)}, refused {len(refused)}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
