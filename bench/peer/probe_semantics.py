#!/usr/bin/env python3
"""Executable evidence for FINDINGS.md: small specs rendered by nipype via the peer.

    probe_semantics.py            check every probe's recorded outcome, list changes
    probe_semantics.py --jsonl    print the probes as conformance cases (same format
                                  as ../shared/conformance/*.jsonl, outcomes from nipype)

Each probe is (id, inputs of the spec, inputs, expected, extra spec keys, files);
expected is the cmdline or "error:KIND". The ids are referenced from FINDINGS.md.
"""

import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from check_peer import run_case  # noqa: E402  (renders through nipype_peer)

warnings.simplefilter("ignore")  # nipype warns on deprecated-but-allowed inputs

def arg(name, t="Int", fmt=None, **md):
    return dict({"type": t, "argstr": fmt if fmt is not None else "-%s %%s" % name}, **md)


def one(t, fmt="%s", **md):
    return {"x": dict({"type": t, "argstr": fmt}, **md)}


GEN = {"in_file": {"type": "File", "argstr": "%s", "position": 0}}


def gen(**md):
    return dict(GEN, out=dict({"type": "File", "argstr": "-o %s", "name_source": ["in_file"]}, **md))


PROBES = [
    # --- xor: checked on assignment only, against partners already set -------------
    ("xor/asym-a-then-b", {"a": arg("a", xor=["b"]), "b": arg("b")}, {"a": 1, "b": 2}, "t -a 1 -b 2"),
    ("xor/asym-b-then-a", {"a": arg("a", xor=["b"]), "b": arg("b")}, {"b": 2, "a": 1}, "error:xor"),
    ("xor/null-is-unset", {"a": arg("a", xor=["b"]), "b": arg("b")}, {"b": None, "a": 1}, "t -a 1"),
    ("xor/usedefault-partner",
     {"a": arg("a", "Bool", "-a", usedefault=True, default=False, xor=["b"]), "b": arg("b", xor=["a"])},
     {"b": 1}, "error:xor"),
    ("xor/usedefault-self-set",
     {"a": arg("a", "Bool", "-a", usedefault=True, default=False, xor=["b"]), "b": arg("b", xor=["a"])},
     {"a": True}, "t -a"),
    ("xor/same-as-current-value-no-check",
     {"a": arg("a", "Bool", "-a", usedefault=True, default=False, xor=["b"]), "b": arg("b")},
     {"b": 1, "a": False}, "t -b 1"),
    ("xor/equal-after-conversion-no-check",
     {"a": arg("a", "Int", usedefault=True, default=0, xor=["b"]), "b": arg("b")},
     {"b": 1, "a": False}, "t -a 0 -b 1"),
    ("xor/different-value-checks",
     {"a": arg("a", "Str", usedefault=True, default="q", xor=["b"]), "b": arg("b")},
     {"b": 1, "a": "r"}, "error:xor"),
    ("xor/empty-multipath-is-unset",
     {"a": arg("a", {"MultiPath": "Int"}, xor=["b"]), "b": arg("b")}, {"b": 1, "a": []}, "t -b 1"),
    ("xor/empty-list-is-set",
     {"a": arg("a", {"List": "Int"}, xor=["b"]), "b": arg("b")}, {"b": 1, "a": []}, "error:xor"),
    ("xor/type-before-xor", {"a": arg("a", xor=["b"]), "b": arg("b")}, {"a": 1, "b": "x"}, "error:type"),
    # --- mandatory / requires ------------------------------------------------------
    ("mandatory/xor-empty-list-never-fails", one("Int", mandatory=True, xor=[]), {}, "t"),
    ("mandatory/xor-partner-set", {"x": arg("x", mandatory=True, xor=["b"]), "b": {"type": "Int"}}, {"b": 1}, "t"),
    ("mandatory/xor-partner-usedefault",
     {"x": arg("x", mandatory=True, xor=["b"]), "b": {"type": "Int", "usedefault": True, "default": 0}}, {}, "t"),
    ("mandatory/xor-none-set", {"x": arg("x", mandatory=True, xor=["b"]), "b": {"type": "Int"}}, {}, "error:mandatory"),
    ("mandatory/usedefault-counts", one("Int", mandatory=True, usedefault=True, default=3), {}, "t 3"),
    ("mandatory/generatable-name-not-enough",
     {"n": arg("n", "File", "%s"), "o": arg("o", "File", name_source="n", mandatory=True)}, {"n": "x.nii"},
     "error:mandatory"),
    ("mandatory/empty-multipath", one({"MultiPath": "File"}, mandatory=True), {"x": []}, "error:mandatory"),
    ("requires/usedefault-false-bool-is-set",
     {"a": arg("a", "Bool", "-a", usedefault=True, default=False, requires=["b"]), "b": {"type": "Int"}},
     {}, "error:requires"),
    ("requires/skipped-if-mandatory-false",
     {"a": arg("a", mandatory=False, requires=["b"]), "b": {"type": "Int"}}, {"a": 1}, "t -a 1"),
    ("requires/satisfied-by-usedefault",
     {"a": arg("a", requires=["b"]), "b": {"type": "Int", "usedefault": True, "default": 1}}, {"a": 1}, "t -a 1"),
    ("requires/generated-name-not-enough",
     {"n": {"type": "File"}, "a": arg("a", requires=["o"]), "o": arg("o", "File", name_source="n")},
     {"n": "x", "a": 1}, "error:requires"),
    ("order/declared-order-b-first",
     {"b": arg("b", mandatory=True, requires=["c"]), "z": arg("z", mandatory=True), "c": {"type": "Int"}},
     {"b": 1}, "error:requires"),
    ("order/declared-order-z-first",
     {"z": arg("z", mandatory=True), "b": arg("b", mandatory=True, requires=["c"]), "c": {"type": "Int"}},
     {"b": 1}, "error:mandatory"),
    ("order/mandatory-pass-before-plain-requires",
     {"a": arg("a", requires=["c"]), "b": arg("b", mandatory=True), "c": {"type": "Int"}},
     {"a": 1}, "error:mandatory"),
    # --- scalar type checks --------------------------------------------------------
    ("type/int-takes-bool", one("Int"), {"x": True}, "t 1"),
    ("type/int-rejects-float", one("Int"), {"x": 1.0}, "error:type"),
    ("type/float-takes-bool", one("Float"), {"x": True}, "t 1.0"),
    ("type/float-int-becomes-float", one("Float"), {"x": 1}, "t 1.0"),
    ("type/bool-rejects-int", one("Bool", "-b"), {"x": 1}, "error:type"),
    ("type/str-rejects-number", one("Str"), {"x": 1}, "error:type"),
    ("type/enum-is-equality", one({"Enum": [0, 1]}), {"x": True}, "t True"),
    ("type/enum-keeps-given-value", one({"Enum": [1.0, 2.0]}), {"x": 1}, "t 1"),
    ("type/enum-float-equal", one({"Enum": [0, 1]}), {"x": 1.0}, "t 1.0"),
    ("type/range-int-takes-bool", one({"Range": {"low": 0, "high": 3}}), {"x": True}, "t 1"),
    ("type/range-int-rejects-float", one({"Range": {"low": 0, "high": 3}}), {"x": 1.0}, "error:type"),
    ("type/range-mixed-bounds-is-float", one({"Range": {"low": 0.0, "high": 3}}), {"x": 1}, "t 1.0"),
    ("type/range-one-bound", one({"Range": {"high": 4}}, usedefault=True), {}, "t 4"),
    ("type/range-no-bounds", one({"Range": {}}), {"x": 1}, "error:spec"),
    ("type/list-minlen", one({"List": "Int", "minlen": 2}), {"x": [1]}, "error:type"),
    ("type/list-float-items", one({"List": "Float"}, "-x %s"), {"x": [1, 2]}, "t -x 1.0 2.0"),
    ("type/dict-values", one({"Dict": "Int"}), {"x": {"a": "b"}}, "error:type"),
    ("type/environ-values-str", {}, {"environ": {"A": 1}}, "error:type"),
    ("type/either-first-accepting", one({"Either": ["Float", "Int"]}), {"x": 1}, "t 1.0"),
    ("type/either-int-range-is-slow", one({"Either": [{"Range": {"low": 0, "high": 2}}, "Float"]}), {"x": 1}, "t 1.0"),
    ("type/either-float-range-is-fast", one({"Either": [{"Range": {"low": 0.0, "high": 2}}, "Int"]}), {"x": 1},
     "t 1.0"),
    ("type/either-int-before-float-range", one({"Either": ["Int", {"Range": {"low": 0.0, "high": 2}}]}), {"x": 1},
     "t 1"),
    ("type/either-bool-to-int", one({"Either": ["Str", "Int"]}), {"x": True}, "t 1"),
    ("type/either-list-joined", one({"Either": [{"List": "Int"}, "Int"]}, "-x %s", sep=","), {"x": [1, 2]}, "t -x 1,2"),
    ("type/either-tuple-not-list",
     one({"Either": [{"Tuple": ["Int", "Int"]}, {"List": "Int"}]}), {"x": [1, 2]}, "error:type"),
    ("type/multipath-wraps-scalar", one({"MultiPath": {"List": "Int"}}), {"x": [1, 2]}, "t [1, 2]"),
    ("type/multipath-of-int-rejects-nested", one({"MultiPath": "Int"}), {"x": [[1, 2]]}, "error:type"),
    # --- paths ---------------------------------------------------------------------
    ("path/normalized", one("File"), {"x": "./a//b/"}, "t a/b"),
    ("path/empty-is-dot", one("File"), {"x": ""}, "t ."),
    ("path/dotdot-kept", one("File"), {"x": "a/../b"}, "t a/../b"),
    ("path/double-leading-slash-kept", one("File"), {"x": "//x"}, "t //x"),
    ("path/tilde-quoted", one("File"), {"x": "~/x"}, "t '~/x'"),
    ("path/quote-apostrophe", one("File"), {"x": "it's"}, "t 'it'\"'\"'s'"),
    ("path/no-quote-when-argstr-quotes", one("File", "'%s'"), {"x": "my file"}, "t 'my file'"),
    ("path/list-items-normalized-not-quoted", one({"List": "File"}), {"x": ["./a//b/", "my file"]}, "t a/b my file"),
    ("path/tuple-items-not-quoted", one({"Tuple": ["File", "Int"]}, "%s %d"), {"x": ["./a b", 1]}, "t a b 1"),
    ("path/either-file-normalized", one({"Either": ["File", "Int"]}), {"x": "./a/"}, "t a"),
    ("path/either-str-wins", one({"Either": ["File", "Str"]}), {"x": "./a/"}, "t ./a/"),
    ("path/exists-file-is-dir", one({"File": {"exists": True}}), {"x": "d"}, "error:exists", {}, ["d/"]),
    ("path/exists-empty", one({"File": {"exists": True}}), {"x": ""}, "error:exists"),
    ("path/exists-wrong-type-is-type", one({"File": {"exists": True}}), {"x": 3}, "error:type"),
    ("path/exists-in-list", one({"List": {"File": {"exists": True}}}), {"x": ["f", "missing"]}, "error:exists", {}, ["f"]),
    ("path/exists-in-either", one({"Either": [{"File": {"exists": True}}, "Int"]}), {"x": "missing"}, "error:exists"),
    ("path/extension-case-sensitive", one({"File": {"extensions": [".nii"]}}), {"x": "x.NII"}, "error:type"),
    ("path/extension-dot-added", one({"File": {"extensions": ["nii"]}}), {"x": "x.nii"}, "t x.nii"),
    ("path/extension-after-normalizing", one({"File": {"extensions": [".nii"]}}), {"x": "x.nii/"}, "t x.nii"),
    ("path/extension-whole-name", one({"File": {"extensions": [".nii"]}}), {"x": ".nii"}, "t .nii"),
    ("path/extension-wrong-existing", one({"File": {"exists": True, "extensions": [".gz"]}}), {"x": "f.nii"},
     "error:type", {}, ["f.nii"]),
    ("path/extension-wrong-missing", one({"File": {"exists": True, "extensions": [".gz"]}}), {"x": "f.nii"},
     "error:type"),
    ("fmt/bool-shortcut-plain-bool-only", one({"Either": ["Bool", "Int"]}, "-x"), {"x": True}, "error:type"),
    ("fmt/either-bool-percent-s", one({"Either": ["Bool", "Int"]}, "-x %s"), {"x": False}, "t -x False"),
    ("order/xor-before-deprecated",
     {"a": arg("a", xor=["b"], deprecated="0.1"), "b": arg("b")}, {"b": 1, "a": 2}, "error:xor"),
    ("order/version-after-requires",
     {"a": arg("a", min_ver="9", requires=["c"]), "c": {"type": "Int"}}, {"a": 1}, "error:requires",
     {"version": "1"}),
    ("order/format-error-after-mandatory",
     {"a": arg("a", "Str", "-a"), "m": {"type": "Int", "mandatory": True}}, {"a": "x"}, "error:mandatory"),
    ("path/usedefault-dir-not-normalized", one({"Directory": {"exists": True}}, usedefault=True, default="./"), {}, "t ./"),
    ("path/set-dir-normalized", one({"Directory": {"exists": True}}, usedefault=True, default="./"), {"x": "./"}, "t ."),
    ("path/usedefault-not-checked", one({"File": {"exists": True}}, usedefault=True, default="nope"), {}, "t nope"),
    # --- defaults ------------------------------------------------------------------
    ("default/float-int-as-written", one("Float", usedefault=True, default=3), {}, "t 3"),
    ("default/explicit-equal-value-converted", one("Float", usedefault=True, default=0), {"x": 0}, "t 0.0"),
    ("default/enum-first", one({"Enum": ["x", "y"]}, usedefault=True), {}, "t x"),
    ("default/int-natural", one("Int", usedefault=True), {}, "t 0"),
    ("default/file-none", one("File", usedefault=True), {}, "t"),
    ("default/list-empty", one({"List": "Int"}, "-l %s", usedefault=True), {}, "t -l "),
    ("default/multipath-empty-list", one({"MultiPath": "Int"}, "-l %s", usedefault=True), {}, "t -l "),
    ("default/null-stays-none", one("Int", usedefault=True, default=None), {}, "t None"),
    ("default/null-input-uses-default", one("Int", usedefault=True, default=3), {"x": None}, "t 3"),
    # --- formatting ----------------------------------------------------------------
    ("fmt/bool-percent-s", one("Bool"), {"x": False}, "t False"),
    ("fmt/bool-percent-d", one("Bool", "-b %d"), {"x": True}, "t -b 1"),
    ("fmt/no-placeholder-non-bool", one("Str", "-a"), {"x": "x"}, "error:type"),
    ("fmt/tuple-too-few-placeholders", one({"Tuple": ["Float", "Float"]}), {"x": [1, 2]}, "error:type"),
    ("fmt/list-with-%d", one({"List": "Int"}, "%d"), {"x": [1, 2]}, "error:type"),
    ("fmt/list-of-tuples", one({"List": {"Tuple": ["Int", "Int"]}}), {"x": [[1, 2], [3, 4]]}, "t (1, 2) (3, 4)"),
    ("fmt/repeat-tuples", one({"List": {"Tuple": ["Int", "Int"]}}, "-t %d,%d..."), {"x": [[1, 2], [3, 4]]},
     "t -t 1,2 -t 3,4"),
    ("fmt/repeat-sep-empty", one({"List": "Str"}, "%s...", sep=""), {"x": ["a", "b"]}, "t ab"),
    ("fmt/either-repeat-uses-sep", one({"Either": [{"List": "Int"}, "Int"]}, "-x %d...", sep=","),
     {"x": [1, 2]}, "t -x 1,-x 2"),
    ("fmt/dict", one({"Dict": "Int"}), {"x": {"a": 1}}, "t {'a': 1}"),
    ("fmt/list-any", one({"List": "Any"}), {"x": [1, "a", None, 2.5, True]}, "t 1 a None 2.5 True"),
    ("fmt/big-float", one("Float"), {"x": 10 ** 20}, "t 1e+20"),
    ("fmt/big-int", one("Int"), {"x": 10 ** 20}, "t 100000000000000000000"),
    ("fmt/args-empty", {"c": arg("c")}, {"c": 1, "args": ""}, "t  -c 1"),
    ("fmt/args-sorted-with-others", {"c": arg("c"), "b": arg("b")}, {"c": 1, "b": 2, "args": "--x y"},
     "t --x y -b 2 -c 1"),
    ("fmt/position-collision-last-name-wins",
     {"a": arg("a", position=1), "b": arg("b", position=1), "c": arg("c", position=0)}, {"b": 1, "a": 2, "c": 3},
     "t -c 3 -b 1"),
    ("fmt/order", {"a": arg("a", position=5), "b": arg("b", position=-3), "B": arg("B"), "c": arg("c"),
                   "args": {"type": "Str", "argstr": "%s"}}, {"a": 1, "b": 2, "B": 3, "c": 4, "args": "X"},
     "t -a 1 -B 3 X -c 4 -b 2"),
    # --- generated names -----------------------------------------------------------
    ("gen/default-template", gen(), {"in_file": "a/b.nii.gz"}, "t a/b.nii.gz -o b_generated"),
    ("gen/output-extension", gen(name_template="%s_x"), {"in_file": "a/b.nii.gz"}, "t a/b.nii.gz -o b_x.nii.gz",
     {"output_extension": ".nii.gz"}),
    ("gen/keep-extension", gen(name_template="%s_x", keep_extension=True), {"in_file": "b.nii.gz"},
     "t b.nii.gz -o b_x.nii.gz", {"output_extension": ".mgz"}),
    ("gen/keep-extension-template-ext", gen(name_template="%s_x.txt", keep_extension=True), {"in_file": "b.nii.gz"},
     "t b.nii.gz -o b_x.txt", {"output_extension": ".mgz"}),
    ("gen/keep-extension-none-anywhere", gen(name_template="%s_x", keep_extension=True), {"in_file": "b"},
     "t b -o b_x.mgz", {"output_extension": ".mgz"}),
    ("gen/no-keep-template-ext", gen(name_template="%s_x.txt"), {"in_file": "b.nii"}, "t b.nii -o b_x.txt.mgz",
     {"output_extension": ".mgz"}),
    ("gen/special-ext-needs-longer-name", gen(name_template="%s_x"), {"in_file": ".nii.gz"}, "t .nii.gz -o .nii_x"),
    ("gen/special-ext-case-kept", gen(name_template="%s_x", keep_extension=True), {"in_file": "X.NII.GZ"},
     "t X.NII.GZ -o X_x.NII.GZ"),
    ("gen/value-is-template", gen(name_template="%s_x"), {"in_file": "b.nii", "out": "pre_%s"}, "t b.nii -o pre_b.nii",
     {"output_extension": ".nii"}),
    ("gen/value-template-source-unset", gen(name_template="%s_x"), {"out": "pre_%s"}, "t -o pre_%s"),
    ("gen/quoted", gen(name_template="%s x"), {"in_file": "b.nii"}, "t b.nii -o 'b x'"),
    ("gen/either-not-quoted",
     {"n": {"type": "File"}, "o": arg("o", {"Either": ["File", "Bool"]}, name_source="n", name_template="%s (1)")},
     {"n": "x"}, "t -o x (1)"),
    ("gen/xor-self-keeps-literal", gen(xor=["out"]), {"in_file": "b.nii", "out": "p_%s"}, "t b.nii -o p_%s"),
    ("gen/xor-other-set", gen(xor=["in_file"]), {"in_file": "b.nii"}, "t b.nii"),
    ("gen/requires-unknown-name", gen(requires=["zz"]), {"in_file": "b.nii"}, "error:spec"),
    ("gen/int-source", {"n": {"type": "Int"}, "o": arg("o", "File", name_source="n", name_template="s%03d")},
     {"n": 7}, "t -o s007.nii", {"output_extension": ".nii"}),
    ("gen/list-source-first-item",
     {"n": {"type": {"List": "File"}}, "o": arg("o", "File", name_source="n", name_template="%s_m")},
     {"n": ["d/x.nii", "y.nii"]}, "t -o x_m"),
    ("gen/tuple-source-fills-template",
     {"n": {"type": {"Tuple": ["Int", "Int"]}}, "o": arg("o", "File", name_source="n", name_template="%s_%s")},
     {"n": [1, 2]}, "t -o 1_2"),
    ("gen/usedefault-source",
     {"n": {"type": "File", "usedefault": True, "default": "./d/z.nii"}, "o": arg("o", "File", name_source="n")},
     {}, "t -o z_generated"),
    ("gen/usedefault-value-template",
     {"n": {"type": "File"}, "o": arg("o", "File", name_source="n", usedefault=True, default="p_%s")},
     {"n": "x.nii"}, "t -o p_x"),
    ("gen/chain",
     {"a": {"type": "File"}, "b": arg("b", "File", name_source="a", name_template="%s_b"),
      "c": arg("c", "File", name_source="b", name_template="%s_c", keep_extension=True)},
     {"a": "d/x.nii"}, "t -b x_b.nii.gz -c x_b.nii.gz_c", {"output_extension": ".nii.gz"}),
    ("gen/chain-source-set",
     {"a": {"type": "File"}, "b": arg("b", "File", name_source="a", name_template="%s_b"),
      "c": arg("c", "File", name_source="b", name_template="%s_c")},
     {"a": "d/x.nii", "b": "e/y.nii"}, "t -b e/y.nii -c y_c"),
    ("gen/cycle", {"a": arg("a", "File", name_source="b"), "b": arg("b", "File", name_source="a")}, {}, "error:spec"),
    ("gen/genfile-without-source", one("File", genfile=True), {}, "error:spec"),
    ("gen/multi-source-first", {"n": {"type": "File"}, "m": {"type": "File"},
                                "o": arg("o", "File", name_source=["m", "n"])},
     {"n": "x", "m": "y.nii"}, "t -o y_generated"),
    # --- deprecated / versions -----------------------------------------------------
    ("deprecated/older-than-nipype", {"a": arg("a", deprecated="0.9")}, {"a": 1}, "error:deprecated"),
    ("deprecated/same-as-nipype-warns", {"a": arg("a", deprecated="1.12.0")}, {"a": 1}, "t -a 1"),
    ("deprecated/new-name-moves-value", {"a": arg("a", deprecated="2.0", new_name="b"), "b": arg("b")},
     {"a": 1}, "t -b 1"),
    ("deprecated/usedefault-unset-fine", {"a": arg("a", deprecated="0.9", usedefault=True, default=2)}, {}, "t -a 2"),
    ("version/min-too-old-set", {"a": arg("a", min_ver="6.0")}, {"a": 1}, "error:version", {"version": "5.0.9"}),
    ("version/min-too-old-loses-default", {"a": arg("a", min_ver="6.0", usedefault=True, default=3)}, {}, "t",
     {"version": "5.0.9"}),
    ("version/max-equal-ok", {"a": arg("a", max_ver="5.0.9")}, {"a": 1}, "t -a 1", {"version": "5.0.9"}),
    ("version/loose-numeric", {"a": arg("a", min_ver="5.0.10")}, {"a": 1}, "error:version", {"version": "5.0.9"}),
    ("version/unparsable-ignored", {"a": arg("a", min_ver="6.0")}, {"a": 1}, "t -a 1", {"version": "dev"}),
    ("version/no-version-no-check", {"a": arg("a", min_ver="6.0")}, {"a": 1}, "t -a 1"),
    ("version/after-mandatory", {"a": arg("a", min_ver="9"), "m": {"type": "Int", "mandatory": True}}, {"a": 1},
     "error:mandatory", {"version": "1"}),
]


def to_case(probe):
    pid, inputs, values, expected = probe[:4]
    extra = probe[4] if len(probe) > 4 else {}
    files = probe[5] if len(probe) > 5 else []
    spec = dict({"name": "T", "command": "t", "inputs": inputs, "outputs": {}}, **extra)
    case = {"id": "probe/" + pid, "spec": spec, "inputs": values, "files": files}
    if expected.startswith("error:"):
        case["error"] = expected[len("error:"):]
    else:
        case["cmdline"] = expected
    return case


def main(argv):
    cases = [to_case(p) for p in PROBES]
    if "--jsonl" in argv:
        for case in cases:
            status, value = run_case(case)
            case.pop("cmdline", None)
            case.pop("error", None)
            case["cmdline" if status == "ok" else "error"] = value
            print(json.dumps(case, ensure_ascii=False))
        return 0
    changed = 0
    for case in cases:
        want = ("ok", case["cmdline"]) if "cmdline" in case else ("error", case["error"])
        got = run_case(case)
        if got != want:
            changed += 1
            print("CHANGED %s: recorded %r, nipype now %r" % (case["id"], want, got))
    print("%d probes, %d as recorded" % (len(cases), len(cases) - changed))
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
