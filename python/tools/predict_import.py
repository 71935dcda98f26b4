#!/usr/bin/env python3
"""Predicts check_import.py's result for specs using spec-format 1.1 keys, for a toolmemo
binary that does not support them yet.

Usage: predict_import.py CASES.jsonl SPECS_DIR TOOLMEMO_BIN
Specs without 1.1 keys are checked with the binary, as check_import.py does. For a spec
with 1.1 keys: error cases run through the binary on the spec with the 1.1 keys removed
(they change no check); command-line cases are rendered by the importer's reference
renderer (probe.render) from the values nipype holds after setting the case's inputs,
with the case folder as rendering folder, and compared with the case's `cmdline`.
"""
import collections
import copy
import json
import os
import subprocess
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("FSLOUTPUTTYPE", "NIFTI_GZ")
import toolmemo_nipype  # noqa: E402

toolmemo_nipype._quiet()
from nipype.interfaces.base.traits_extension import isdefined  # noqa: E402
from toolmemo_nipype import core, probe  # noqa: E402


def strip11(spec):
    s = copy.deepcopy(spec)
    if isinstance(s.get("output_extension"), dict):
        del s["output_extension"]
    for d in s["inputs"].values():
        if d.pop("genfile_template", None) is not None:
            d.pop("genfile", None)  # the old binary refuses genfile without name_source
        if d.get("argstr_inputs") is not None:
            d.pop("argstr", None)  # its placeholders are filled by other inputs: checks only
        for k in probe.V11_INPUT_KEYS:
            d.pop(k, None)
    return s


from toolmemo_nipype.probe import make_files  # noqa: E402  (after the path set-up above)


def run_bin(binary, spec_path, case, d):
    inp = os.path.join(d, ".inputs.json")
    with open(inp, "w") as fh:
        json.dump(case["inputs"], fh)
    return subprocess.run([binary, "cmdline", "--spec", spec_path, "--inputs", inp],
                          cwd=d, capture_output=True, text=True, timeout=30)


def check_case(cls, spec, spec_path, v11, case, binary):
    with tempfile.TemporaryDirectory() as d:
        d = os.path.realpath(d)
        make_files(d, case.get("files", []))
        if not v11 or "cmdline" not in case:
            if v11:
                sp = os.path.join(d, ".spec.json")
                json.dump(strip11(spec), open(sp, "w"))
                spec_path = sp
            r = run_bin(binary, spec_path, case, d)
            if "cmdline" in case:
                want = case["cmdline"].replace("{cwd}", d)
                got = r.stdout.rstrip("\n") if r.returncode == 0 else r.stderr.strip()
                return r.returncode == 0 and got == want, want, got
            want = f"error[{case['error']}]"
            return r.returncode == 2 and want in r.stderr, want, (r.stdout + r.stderr).strip()
        # checks by the binary (the 1.1 keys change none), the line by the reference renderer
        sp = os.path.join(d, ".spec.json")
        json.dump(strip11(spec), open(sp, "w"))
        r = run_bin(binary, sp, case, d)
        if r.returncode != 0:
            return False, case["cmdline"], r.stderr.strip()
        old = os.getcwd()
        os.chdir(d)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                iface = probe._set_nipype(cls, case["inputs"])
                held = {n: probe._jsonish(getattr(iface.inputs, n)) for n in spec["inputs"]
                        if n in case["inputs"] and case["inputs"][n] is not None
                        and isdefined(getattr(iface.inputs, n))}
            full = dict(spec, inputs=dict(spec["inputs"]))
            full["inputs"].setdefault("args", {"type": "Str", "argstr": "%s"})  # implicit in v1
            if "args" in case["inputs"] and case["inputs"]["args"] is not None:
                held.setdefault("args", iface.inputs.args)
            got = probe.render(full, held, cwd=d)
        except Exception as e:  # noqa: BLE001
            got = f"{type(e).__name__}: {e}"
        finally:
            os.chdir(old)
        want = case["cmdline"].replace("{cwd}", d)
        return got == want, want, got


def main(cases_file, specs_dir, binary):
    by_iface, spm = collections.defaultdict(list), set()
    for line in open(cases_file):
        c = json.loads(line)
        if "matlab" in c:
            spm.add(c["interface"])
        by_iface[c["interface"]].append(c)
    for i in spm:
        del by_iface[i]
    refused = json.load(open(os.path.join(specs_dir, "refused.json")))
    covered, wrong, missing = [], [], []
    real = predicted = 0
    for iface, cases in sorted(by_iface.items()):
        spec_path = os.path.join(specs_dir, iface + ".json")
        if not os.path.exists(spec_path):
            missing.append(iface)
            continue
        spec = json.load(open(spec_path))
        v11 = probe.uses_v11(spec)
        cls = core.load_class(iface) if v11 else None
        bad = None
        for c in cases:
            ok, want, got = check_case(cls, spec, os.path.abspath(spec_path), v11, c, binary)
            if not ok:
                bad = (c.get("id"), want, got[:300])
                break
        if bad:
            wrong.append(iface)
            print(f"WRONG {iface} case {bad[0]}\n  want: {bad[1]}\n  got:  {bad[2]}")
        else:
            covered.append(iface)
            if v11:
                predicted += 1
            else:
                real += 1
    n = len(by_iface)
    unexplained = [i for i in missing if i not in refused]
    print(f"command-line interfaces {n}: covered {len(covered)} ({len(covered) / n:.1%}; "
          f"{real} by the binary, {predicted} predicted for 1.1 keys), exported but wrong "
          f"{len(wrong)}, refused {len(missing) - len(unexplained)}, "
          f"neither exported nor refused {len(unexplained)}")
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
