"""Tests of the spec-format 1.1 keys: the reference renderer (probe.render) against the rules
of docs/spec-format.md "Version 1.1", their recognition in nipype interfaces, and the
toolmemo binary rendering them.

Run: /work/main/.venv-peers/bin/python -m unittest discover -s python/tests -v
The binary comes from $TOOLMEMO_BIN (default: target/release/toolmemo); the binary tests run
whenever it exists (they fail, not skip, on a binary without the 1.1 keys).
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
ROOT = os.path.dirname(PYDIR)
sys.path.insert(0, PYDIR)
os.environ.setdefault("FSLOUTPUTTYPE", "NIFTI_GZ")

import toolmemo_nipype  # noqa: E402
from toolmemo_nipype import core, probe  # noqa: E402

BIN = os.environ.get("TOOLMEMO_BIN", os.path.join(ROOT, "target", "release", "toolmemo"))

SEM_LIKE = {"name": "T", "command": "tool", "inputs": {
    "out": {"type": {"Either": ["Bool", "File"]}, "argstr": "--out %s", "absolute": True,
            "value_map": {"true": "out.nii", "false": None}},
    "src": {"type": "File", "argstr": "%s", "position": -1}}}

TABLE = {"name": "T", "command": "tool", "inputs": {
    "interp": {"type": {"Enum": ["trilinear", "NN", "other"]}, "argstr": "-interp %s",
               "value_map": {"trilinear": 0, "NN": "1"}},
    "n": {"type": "Int", "argstr": "-n %d", "value_map": {"3": 30}},
    "x": {"type": "Float", "argstr": "-x %s", "value_map": {"1e-05": "tiny"}},
    "q": {"type": "File", "argstr": "-q %s", "value_map": {"a": "my file"}}}}

GENFILE = {"name": "T", "command": "tool", "output_extension": ".nii.gz", "inputs": {
    "in_file": {"type": "File", "argstr": "%s", "position": 0, "xor": ["in_file", "other"]},
    "other": {"type": "Str", "xor": ["in_file", "other"]},
    "out_file": {"type": "File", "argstr": "-o %s", "genfile": True, "absolute": True,
                 "xor": ["other"],
                 "genfile_template": {"source": "in_file", "template": "%s_out.mif"}},
    "rel": {"type": "File", "argstr": "-r %s",
            "genfile_template": {"source": "in_file", "template": "%s_r"}}}}

PATHS = {"name": "T", "command": "tool", "output_extension": ".nii.gz", "inputs": {
    "in_file": {"type": "File", "argstr": "%s", "position": 0, "path_form": "relative"},
    "ref": {"type": "File", "argstr": "-r %s", "path_form": "basename"},
    "abs": {"type": {"List": "File"}, "argstr": "-a %s", "path_form": "absolute"},
    "flag": {"type": {"Either": ["Bool", "File"]}, "argstr": "-f %s", "path_form": "basename",
             "value_map": {"true": "d/x.nii", "false": None}},
    "out": {"type": "File", "argstr": "-o %s", "path_form": "basename",
            "name_source": ["in_file"], "name_template": "%s_o"},
    "gen": {"type": "File", "argstr": "-g %s", "absolute": True,
            "genfile_template": {"source": "in_file", "template": "%s_g", "extension": True}}}}

FSL = {"input": "output_type", "mode": "append",
       "map": {"NIFTI": ".nii", "NIFTI_GZ": ".nii.gz"}}
AFNI = {"input": "outputtype", "mode": "replace",
        "map": {"NIFTI": ".nii", "AFNI": "", "NIFTI_GZ": ".nii.gz"}}


OMIT = {"name": "T", "command": "tool", "inputs": {
    "in_file": {"type": "File", "argstr": "%s", "position": 0},
    "show": {"type": "Bool", "default": False, "usedefault": True},
    "hist": {"type": "File", "argstr": "> %s", "position": -1, "name_source": ["in_file"],
             "name_template": "%s_h", "omit_when": [{"false": "show"}]},
    "chained": {"type": "File", "argstr": "-c %s", "name_source": ["hist"], "name_template": "%s_c"},
    "grad": {"type": "File", "argstr": "-g %s"},
    "bvec": {"type": "File", "argstr": "-b %s %s", "argstr_inputs": ["bval"],
             "omit_when": [{"set": "grad"}, {"true": "n"}]},
    "bval": {"type": "File"},
    "n": {"type": "Int"}}}

ITEMS = {"name": "T", "command": "tool", "inputs": {
    "pairs": {"type": {"List": {"Tuple": ["File", "Str"]}}, "argstr": "-in %s",
              "item_argstr": "%s'%s'"},
    "nums": {"type": {"List": "Int"}, "argstr": "[%s]", "item_argstr": "%02d", "sep": ","},
    "flag": {"type": "Bool", "argstr": "-b", "value_map": {"true": "-b y", "false": "-b n"}},
    "show": {"type": "Bool", "argstr": "-u", "value_map": {"true": None, "false": ""}}}}

ALTS = {"name": "T", "command": "tool", "inputs": {
    "in_file": {"type": "File", "argstr": "%s", "position": 0},
    "hdr": {"type": "File"},
    "kind": {"type": {"Enum": ["fa", "md"]}, "default": "fa", "usedefault": True},
    "lab": {"type": "Int"},
    "out": {"type": "File", "argstr": "-o %s", "absolute": True, "genfile": True,
            "genfile_template": [
                {"when": ["hdr"], "template": "{in_file.stem}_{kind}.nii.gz"},
                {"when": ["in_file"], "template": "{in_file.prefix}{{x}}.B{kind}{in_file.ext}"},
                {"template": "bedpostx_{lab}"}]},
    "name": {"type": "File", "argstr": "-n %s",
             "genfile_template": [{"template": "{in_file.name}_{lab}"}]}}}


HOST = {"name": "T", "command": "tool", "inputs": {
    "n": {"type": "Int", "argstr": "-nthreads %d", "value_map": {"0": {"host": "cpu_count"}}}}}


def ext_spec(oe, typ_input, values, default):
    return {"name": "T", "command": "tool", "output_extension": oe, "inputs": {
        typ_input: {"type": {"Enum": values}, "default": default, "usedefault": True},
        "in_file": {"type": "File", "argstr": "%s", "position": 0},
        "out_file": {"type": "File", "argstr": "-o %s", "name_source": ["in_file"],
                     "name_template": "%s_x"},
        "keep": {"type": "File", "argstr": "-k %s", "name_source": ["in_file"],
                 "name_template": "%s_k", "keep_extension": True}}}


class ReferenceRenderer(unittest.TestCase):
    """probe.render follows the 1.1 rules of docs/spec-format.md."""

    def test_value_map_bool_or_file(self):
        r = probe.render
        self.assertEqual(r(SEM_LIKE, {"out": True, "src": "a.nii"}, cwd="/w/d"),
                         "tool --out /w/d/out.nii a.nii")
        # null: the argument is "" but keeps its place (two spaces)
        self.assertEqual(r(SEM_LIKE, {"out": False, "src": "a.nii"}, cwd="/w/d"), "tool  a.nii")
        # a value the user sets is used as written, not made absolute
        self.assertEqual(r(SEM_LIKE, {"out": "x/y.nii", "src": "a.nii"}, cwd="/w/d"),
                         "tool --out x/y.nii a.nii")
        self.assertEqual(r(SEM_LIKE, {"src": "a.nii"}, cwd="/w/d"), "tool a.nii")

    def test_absolute_is_normalized(self):
        spec = json.loads(json.dumps(SEM_LIKE))
        spec["inputs"]["out"]["value_map"]["true"] = "./sub//../o.nii"
        self.assertEqual(probe.render(spec, {"out": True}, cwd="/w/d/"), "tool --out /w/d/o.nii")

    def test_value_map_table(self):
        r = lambda v: probe.render(TABLE, v, cwd="/w")  # noqa: E731
        self.assertEqual(r({"interp": "trilinear"}), "tool -interp 0")
        self.assertEqual(r({"interp": "NN"}), "tool -interp 1")
        self.assertEqual(r({"interp": "other"}), "tool -interp other")  # not in the map
        self.assertEqual(r({"n": 3}), "tool -n 30")                      # integers: digits
        self.assertEqual(r({"n": 4}), "tool -n 4")
        self.assertEqual(r({"x": 1e-05}), "tool -x tiny")                # floats: str()
        # the replacement is formatted as the value would have been: File values are quoted
        self.assertEqual(r({"q": "a"}), "tool -q 'my file'")

    def test_value_map_host_cpu_count(self):
        # {"host": "cpu_count"}: the host's CPU count, formatted with argstr (MRtrix3 nthreads=0)
        self.assertEqual(probe.render(HOST, {"n": 0}, cwd="/w"), f"tool -nthreads {os.cpu_count()}")
        self.assertEqual(probe.render(HOST, {"n": 3}, cwd="/w"), "tool -nthreads 3")

    def test_genfile_template(self):
        r = lambda v: probe.render(GENFILE, v, cwd="/w")  # noqa: E731
        # base without folder and extension; neither keep_extension nor output_extension
        self.assertEqual(r({"in_file": "sub/a.NII.GZ"}), "tool a.NII.GZ"[:5] + "sub/a.NII.GZ"
                         + " -o /w/a_out.mif -r a_r")
        self.assertEqual(r({"in_file": "data.v2.nii"}), "tool data.v2.nii -o /w/data.v2_out.mif -r data.v2_r")
        # a set value is used as written, even with %s, and not made absolute
        self.assertEqual(r({"in_file": "a.nii", "out_file": "%s_o", "rel": "b"}),
                         "tool a.nii -o %s_o -r b")
        # no name when the source is not set; xor does not stop it
        self.assertEqual(r({"other": "z"}), "tool")
        spec = json.loads(json.dumps(GENFILE))
        spec["inputs"]["out_file"]["xor"] = ["in_file"]
        self.assertEqual(probe.render(spec, {"in_file": "a.nii"}, cwd="/w"),
                         "tool a.nii -o /w/a_out.mif -r a_r")

    def test_output_extension_append(self):
        spec = ext_spec(FSL, "output_type", ["NIFTI", "NIFTI_GZ", "GIFTI"], "NIFTI_GZ")
        r = lambda v: probe.render(spec, v, cwd="/w")  # noqa: E731
        self.assertEqual(r({"in_file": "a.nii"}), "tool a.nii -k a_k.nii -o a_x.nii.gz")
        self.assertEqual(r({"in_file": "a.nii", "output_type": "NIFTI"}),
                         "tool a.nii -k a_k.nii -o a_x.nii")
        # a value not in the map: no extension
        self.assertEqual(r({"in_file": "a.nii", "output_type": "GIFTI"}), "tool a.nii -k a_k.nii -o a_x")
        # keep_extension without any extension: output_extension goes where v1 puts it
        self.assertEqual(r({"in_file": "a"}), "tool a -k a_k.nii.gz -o a_x.nii.gz")

    def test_output_extension_replace(self):
        spec = ext_spec(AFNI, "outputtype", ["AFNI", "NIFTI", "NIFTI_GZ"], "AFNI")
        spec["inputs"]["out_file"]["name_template"] = "%s_x.1D"
        r = lambda v: probe.render(spec, v, cwd="/w")  # noqa: E731
        self.assertEqual(r({"in_file": "a.nii"}), "tool a.nii -k a_k.nii -o a_x")
        self.assertEqual(r({"in_file": "a.nii", "outputtype": "NIFTI_GZ"}),
                         "tool a.nii -k a_k.nii -o a_x.nii.gz")
        self.assertEqual(r({"in_file": "a", "outputtype": "NIFTI"}), "tool a -k a_k.nii -o a_x.nii")
        # a set value with %s is the template; its folder stays
        self.assertEqual(r({"in_file": "a.nii", "outputtype": "NIFTI", "out_file": "d/%s.y.nii.gz"}),
                         "tool a.nii -k a_k.nii -o d/a.y.nii")

    def test_path_form(self):
        r = lambda v: probe.render(PATHS, v, cwd="/w/d")  # noqa: E731
        self.assertEqual(r({"in_file": "/w/d/sub/../a.nii"}),
                         "tool a.nii -g /w/d/a_g.nii.gz -o a_o.nii.gz")
        self.assertEqual(r({"in_file": "/elsewhere/a.nii"}),
                         "tool ../../elsewhere/a.nii -g /w/d/a_g.nii.gz -o a_o.nii.gz")
        self.assertEqual(r({"ref": "x/y/my file.nii"}), "tool -r 'my file.nii'")  # then quoted
        self.assertEqual(r({"abs": ["a.nii", "/b.nii", "s/../c"]}), "tool -a /w/d/a.nii /b.nii /w/d/c")
        # set values too (a set name_source value)
        self.assertEqual(r({"out": "q/z.nii"}), "tool -o z.nii")
        # a value_map replacement is not path-formed; an unmapped value is
        self.assertEqual(r({"flag": True}), "tool -f d/x.nii")
        self.assertEqual(r({"flag": "q/true"}), "tool -f true")
        # the folder only changes absolute/relative forms
        self.assertEqual(probe.render(PATHS, {"in_file": "a.nii"}, cwd="/other"),
                         "tool a.nii -g /other/a_g.nii.gz -o a_o.nii.gz")

    def test_genfile_template_extension(self):
        spec = ext_spec(FSL, "output_type", ["NIFTI", "NIFTI_GZ", "GIFTI"], "NIFTI_GZ")
        spec["inputs"]["gen"] = {"type": "File", "argstr": "-g %s", "absolute": True, "genfile": True,
                                 "genfile_template": {"source": "in_file", "template": "%s_g",
                                                      "extension": True}}
        r = lambda v: probe.render(spec, v, cwd="/w")  # noqa: E731
        self.assertEqual(r({"in_file": "a.nii"}), "tool a.nii -g /w/a_g.nii.gz -k a_k.nii -o a_x.nii.gz")
        self.assertEqual(r({"in_file": "a.nii", "output_type": "NIFTI"}),
                         "tool a.nii -g /w/a_g.nii -k a_k.nii -o a_x.nii")
        self.assertEqual(r({"in_file": "a.nii", "output_type": "GIFTI"}),
                         "tool a.nii -g /w/a_g -k a_k.nii -o a_x")
        # replace mode: the template's own extension is replaced
        spec["output_extension"] = AFNI
        spec["inputs"]["outputtype"] = {"type": {"Enum": ["AFNI", "NIFTI"]}, "default": "NIFTI",
                                        "usedefault": True}
        spec["inputs"]["gen"]["genfile_template"]["template"] = "%s_g.1D"
        self.assertEqual(probe.render(spec, {"in_file": "a.nii"}, cwd="/w").split(" -k")[0],
                         "tool a.nii -g /w/a_g.nii")
        # without "extension" nothing is added
        del spec["inputs"]["gen"]["genfile_template"]["extension"]
        self.assertEqual(probe.render(spec, {"in_file": "a.nii"}, cwd="/w").split(" -k")[0],
                         "tool a.nii -g /w/a_g.1D")

    def test_v1_spec_unchanged(self):
        spec = ext_spec(".nii.gz", "output_type", ["NIFTI"], "NIFTI")
        self.assertFalse(probe.uses_v11(spec))
        self.assertEqual(probe.render(spec, {"in_file": "a"}, cwd="/w"),
                         "tool a -k a_k.nii.gz -o a_x.nii.gz")


    def test_omit_when(self):
        r = lambda v: probe.render(OMIT, v, cwd="/w")  # noqa: E731
        # "false": not set or false (show defaults to false); the name is still made for chains
        self.assertEqual(r({"in_file": "a.nii"}), "tool a.nii -c a_h_c")
        self.assertEqual(r({"in_file": "a.nii", "show": True}), "tool a.nii -c a_h_c > a_h")
        # "set" (grad set) and "true" (n non-zero) each leave bvec out
        self.assertEqual(r({"bvec": "v", "bval": "l"}), "tool -b v l")
        self.assertEqual(r({"bvec": "v", "grad": "g"}), "tool -g g")
        self.assertEqual(r({"bvec": "v", "n": 0}), "tool -b v <undefined>")
        self.assertEqual(r({"bvec": "v", "n": 3}), "tool")

    def test_argstr_inputs_unquoted(self):
        # argstr % (value, self.inputs.bval): Python's own formatting, no shell quoting
        self.assertEqual(probe.render(OMIT, {"bvec": "my v", "bval": "l l"}, cwd="/w"),
                         "tool -b my v l l")

    def test_item_argstr_and_flag_maps(self):
        r = lambda v: probe.render(ITEMS, v, cwd="/w")  # noqa: E731
        self.assertEqual(r({"pairs": [["a.nii", "[0]"], ["b", "x"]]}), "tool -in a.nii'[0]' b'x'")
        self.assertEqual(r({"nums": [1, 22]}), "tool [01,22]")
        self.assertEqual(r({"pairs": []}), "tool -in ")
        # on a flag the replacement is the argument itself; null: none; "": an empty argument
        self.assertEqual(r({"flag": True}), "tool -b y")
        self.assertEqual(r({"flag": False}), "tool -b n")
        self.assertEqual(r({"show": True, "flag": True}), "tool -b y")
        self.assertEqual(r({"show": False, "flag": True}), "tool -b y ")

    def test_genfile_template_alternatives(self):
        r = lambda v: probe.render(ALTS, v, cwd="/w")  # noqa: E731
        self.assertEqual(r({"in_file": "d/x.v2.nii.gz", "hdr": "h"}),
                         "tool d/x.v2.nii.gz -o /w/x.v2_fa.nii.gz")
        # {{ }} are braces; .prefix cuts at the first dot, .ext as split_filename
        self.assertEqual(r({"in_file": "d/x.v2.nii.gz", "kind": "md", "lab": 3}),
                         "tool d/x.v2.nii.gz -n x.v2.nii.gz_3 -o '/w/x{x}.Bmd.nii.gz'")
        # a part naming an unset input: no name; no "when" left: always taken
        self.assertEqual(r({"lab": 2}), "tool -o /w/bedpostx_2")
        self.assertEqual(r({}), "tool")
        # a set value is used as written
        self.assertEqual(r({"out": "o", "in_file": "a"}), "tool a -o o")
        # "when" needs true in Python's sense: an empty string is not
        spec = json.loads(json.dumps(ALTS))
        spec["inputs"]["hdr"]["type"] = "Str"
        self.assertEqual(probe.render(spec, {"in_file": "a.nii", "hdr": ""}, cwd="/w"),
                         "tool a.nii -o '/w/a{x}.Bfa.nii'")
        # "extension": the output_extension is added, before absolute
        spec["output_extension"] = ".gz"
        spec["inputs"]["out"]["genfile_template"][0]["extension"] = True
        self.assertEqual(probe.render(spec, {"in_file": "a.nii", "hdr": "h"}, cwd="/w"),
                         "tool a.nii -o /w/a_fa.nii.gz.gz")

    def test_explicit_floats(self):
        spec = {"name": "T", "command": "tool", "inputs": {
            "f": {"type": {"Range": {"low": 0.0, "high": 1.0}}, "argstr": "-f %s", "default": 1.0,
                  "usedefault": True},
            "e": {"type": {"Enum": [2.0, 0.5, "x", 3]}, "argstr": "-e %s"},
            "l": {"type": {"List": "Float"}, "argstr": "-l %s", "default": [1.0, 2.5],
                  "usedefault": True},
            "m": {"type": "Int", "argstr": "-m %s", "value_map": {"1": 4.0, "2": 5}}}}
        enc = probe.encode_floats(spec)
        ins = enc["inputs"]
        self.assertEqual(ins["f"]["type"], {"Range": {"low": {"$float": 0}, "high": {"$float": 1}}})
        self.assertEqual(ins["f"]["default"], {"$float": 1})
        self.assertEqual(ins["e"]["type"], {"Enum": [{"$float": 2}, 0.5, "x", 3]})
        self.assertEqual(ins["l"]["default"], [{"$float": 1}, 2.5])
        self.assertEqual(ins["m"]["value_map"], {"1": {"$float": 4}, "2": 5})
        # what a bundler keeps of it (1.0 and 1 are the same JS number) renders the same
        js = json.loads(json.dumps(enc).replace(".0,", ",").replace(".0}", "}"))
        for v in ({}, {"m": 1, "e": 2.0}, {"m": 2}):
            self.assertEqual(probe.render(js, v, cwd="/w"), probe.render(spec, v, cwd="/w"))
        self.assertEqual(probe.render(js, {"m": 1}, cwd="/w"), "tool -f 1.0 -l 1.0 2.5 -m 4.0")
        self.assertEqual(probe.decode_floats(enc), spec)


def _export(q):
    spec, reason = toolmemo_nipype.export("nipype.interfaces." + q)
    return spec, reason


class Recognized(unittest.TestCase):
    """nipype patterns become 1.1 keys, checked by probing nipype."""

    def test_sem_bool_or_file_outputs(self):
        from nipype.interfaces.slicer.filtering.morphology import GrayscaleFillHoleImageFilter as C
        spec, reason = _export("slicer.filtering.morphology.GrayscaleFillHoleImageFilter")
        self.assertIsNone(reason)
        d = spec["inputs"]["outputVolume"]
        self.assertEqual(d["value_map"], {"true": C._outputs_filenames["outputVolume"], "false": None})
        self.assertTrue(d["absolute"])

    def test_fsl_output_type_appends_nipype_table(self):
        from nipype.interfaces.fsl.base import Info
        spec, reason = _export("fsl.utils.ConvertWarp")
        self.assertIsNone(reason)
        self.assertEqual(spec["output_extension"],
                         {"input": "output_type", "mode": "append", "map": dict(Info.ftypes)})

    def test_afni_outputtype_replaces_nipype_table(self):
        from nipype.interfaces.afni.base import Info
        spec, reason = _export("afni.preprocess.Automask")
        self.assertIsNone(reason)
        self.assertEqual(spec["output_extension"],
                         {"input": "outputtype", "mode": "replace", "map": dict(Info.ftypes)})

    def test_format_arg_value_table(self):
        spec, reason = _export("afni.utils.ReHo")
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["neighborhood"]["value_map"],
                         {"faces": "7", "edges": "19", "vertices": "27"})

    def test_gen_filename_template(self):
        spec, reason = _export("mrtrix.preprocess.Tensor2Vector")
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["out_filename"]["genfile_template"],
                         {"source": "in_file", "template": "%s_vector.mif"})

    def test_gen_filename_absolute(self):
        spec, reason = _export("fsl.utils.ImageMeants")
        self.assertIsNone(reason)
        d = spec["inputs"]["out_file"]
        self.assertTrue(d["absolute"])
        self.assertEqual(d["genfile_template"], {"source": "in_file", "template": "%s_ts.txt"})

    def test_fsl_gen_fname_extension(self):
        # FSL _gen_fname(in_file, suffix="_mean"): /cwd/base_mean + the output_type extension
        from nipype.interfaces.fsl.base import Info
        spec, reason = _export("fsl.maths.MeanImage")
        self.assertIsNone(reason)
        d = spec["inputs"]["out_file"]
        self.assertEqual(d["genfile_template"],
                         {"source": "in_file", "template": "%s_mean", "extension": True})
        self.assertTrue(d["absolute"])
        self.assertEqual(spec["output_extension"],
                         {"input": "output_type", "mode": "append", "map": dict(Info.ftypes)})

    def test_format_arg_abspath(self):
        spec, reason = _export("fsl.aroma.ICA_AROMA")
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["out_dir"]["path_form"], "absolute")

    def test_format_arg_basename_unquoted_refused(self):
        # SegmentCC writes os.path.basename(value) without shell quoting: not path_form
        spec, reason = _export("freesurfer.preprocess.SegmentCC")
        self.assertIsNone(spec)
        self.assertIn("overrides _format_arg", reason)

    def test_name_from_either_xor_alternative(self):
        # PRELUDE names its output from phase_file or complex_phase_file (FSL _gen_fname):
        # alternatives in the list form; the samples set magnitude_file + phase_file together
        spec, reason = _export("fsl.preprocess.PRELUDE")
        self.assertIsNone(reason)
        d = spec["inputs"]["unwrapped_phase_file"]
        self.assertEqual(d["genfile_template"], [
            {"when": ["complex_phase_file"], "template": "{complex_phase_file.stem}_phase_unwrapped",
             "extension": True},
            {"template": "{phase_file.stem}_unwrapped", "extension": True}])
        self.assertTrue(d["absolute"])

    def test_gen_filename_alternatives(self):
        spec, reason = _export("camino.dti.Track")  # in_file unset: "bedpostx"
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["out_file"]["genfile_template"], [
            {"when": ["in_file"], "template": "{in_file.stem}_tracked"},
            {"template": "bedpostx_tracked"}])
        spec, reason = _export("camino.convert.Image2Voxel")  # name + ".B" + out_type
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["out_file"]["genfile_template"],
                         [{"template": "{in_file.stem}.B{out_type}"}])

    def test_gen_filename_alternatives_in_nipype_order(self):
        # MRIsConvert: the first set of annot, parcstats, label, scalarcurv, functional
        # (no xor between them); pairs of them set together fix the order
        spec, reason = _export("freesurfer.utils.MRIsConvert")
        self.assertIsNone(reason)
        alts = spec["inputs"]["out_file"]["genfile_template"]
        self.assertEqual([a.get("when", [None])[0] for a in alts],
                         ["annot_file", "parcstats_file", "label_file", "scalarcurv_file",
                          "functional_file", None])
        self.assertEqual(alts[-1]["template"], "{in_file.name}_converted.{out_datatype}")
        self.assertTrue(probe.when_pair_cases(spec))
        bad = json.loads(json.dumps(spec))
        bad["inputs"]["out_file"]["genfile_template"][1:5] = alts[4:5] + alts[1:4]
        from nipype.interfaces.freesurfer.utils import MRIsConvert
        self.assertIn("self-check", probe.probe_spec(MRIsConvert, bad) or "")

    def test_parse_inputs_skip(self):
        spec, reason = _export("afni.preprocess.Hist")  # skip out_show unless showhist
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["out_show"]["omit_when"], [{"false": "showhist"}])

    def test_item_argstr_and_flag_tables(self):
        spec, reason = _export("afni.utils.Bucket")  # " ".join(i[0] + "'" + i[1] + "'")
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["in_file"]["item_argstr"], "%s'%s'")
        spec, reason = _export("freesurfer.registration.Register")  # curv: always "-curv"
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["curv"]["value_map"], {"false": "-curv"})

    def test_synthetic_path_forms(self):
        import os as _os
        from nipype.interfaces.base import CommandLine, CommandLineInputSpec, File, InputMultiPath

        class In(CommandLineInputSpec):
            src = File(argstr="%s", position=0, mandatory=True)
            ref = File(argstr="-r %s")
            many = InputMultiPath(File(), argstr="-m %s...")

        class Paths(CommandLine):
            _cmd = "tool"
            input_spec = In

            def _format_arg(self, name, spec, value):
                if name == "src":
                    value = _os.path.relpath(value)
                if name == "ref":
                    value = _os.path.basename(value)
                if name == "many":
                    value = [_os.path.abspath(v) for v in value]
                return super()._format_arg(name, spec, value)

        spec, reason = core.export_class(Paths)
        self.assertIsNone(reason)
        forms = {n: d.get("path_form") for n, d in spec["inputs"].items() if d.get("path_form")}
        self.assertEqual(forms, {"src": "relative", "ref": "basename", "many": "absolute"})
        self.assertIsNone(probe.probe_spec(Paths, spec))
        bad = json.loads(json.dumps(spec))
        bad["inputs"]["ref"]["path_form"] = "relative"
        self.assertIn("self-check", probe.probe_spec(Paths, bad) or "")

    def test_gen_filename_first_dot_prefix(self):
        # brainsuite's getFileName cuts at the first "." ("in_x.v2.nii" shows it): {IN.prefix}
        spec, reason = _export("brainsuite.brainsuite.Dewisp")
        self.assertIsNone(reason)
        d = spec["inputs"]["outputMaskFile"]
        self.assertEqual(d["genfile_template"],
                         [{"template": "{inputMaskFile.prefix}.cortex.dewisp.mask.nii.gz"}])
        self.assertTrue(d["absolute"])

    def test_gen_filename_from_any_of_an_xor_group_refused(self):
        # Label2Vol names its output from whichever of several xor inputs is set, and
        # "aparc+aseg" when aparc_aseg is set even to False: `when` needs true
        spec, reason = _export("freesurfer.model.Label2Vol")
        self.assertIsNone(spec)
        self.assertIn("overrides _gen_filename", reason)

    def test_synthetic_patterns(self):
        from nipype.interfaces.base import CommandLine, CommandLineInputSpec, File, traits

        class In(CommandLineInputSpec):
            src = File(exists=True, argstr="%s", position=0, mandatory=True)
            out = File(argstr="-o %s", genfile=True, position=1)
            mode = traits.Enum("fast", "slow", argstr="-m %d")
            n = traits.Int(argstr="-n %d")

        class Table(CommandLine):
            _cmd = "tool"
            input_spec = In

            def _format_arg(self, name, spec, value):
                if name == "mode":
                    value = {"fast": 1, "slow": 2}[value]
                return super()._format_arg(name, spec, value)

            def _gen_filename(self, name):
                if name == "out":
                    import os
                    from nipype.utils.filemanip import split_filename
                    return os.path.abspath(split_filename(self.inputs.src)[1] + "_o.txt")

        spec, reason = core.export_class(Table)
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["mode"]["value_map"], {"fast": 1, "slow": 2})
        self.assertEqual(spec["inputs"]["out"]["genfile_template"],
                         {"source": "src", "template": "%s_o.txt"})
        self.assertTrue(spec["inputs"]["out"]["absolute"])
        self.assertIsNone(probe.probe_spec(Table, spec))
        # the self-check notices a wrong table and a wrong template
        bad = json.loads(json.dumps(spec))
        bad["inputs"]["mode"]["value_map"]["slow"] = 3
        self.assertIn("self-check", probe.probe_spec(Table, bad) or "")
        bad = json.loads(json.dumps(spec))
        del bad["inputs"]["out"]["absolute"]
        self.assertIn("self-check", probe.probe_spec(Table, bad) or "")

        class ReadsInputs(Table):
            def _format_arg(self, name, spec, value):
                if name == "n" and self.inputs.mode == "slow":
                    value = value * 2
                return super()._format_arg(name, spec, value)

        spec, reason = core.export_class(ReadsInputs)
        self.assertIsNone(spec)
        self.assertIn("overrides _format_arg (inputs: n)", reason)

        class DependsOnOther(Table):
            def _gen_filename(self, name):
                if name == "out":
                    return self.inputs.src.split(".")[0] + ("_s" if self.inputs.n == 2 else "_o")

        spec, reason = core.export_class(DependsOnOther)
        self.assertIsNone(spec)
        self.assertIn("overrides _gen_filename (inputs: out)", reason)

    def test_synthetic_parse_inputs(self):
        from nipype.interfaces.base import CommandLine, CommandLineInputSpec, File, traits

        class In(CommandLineInputSpec):
            src = File(argstr="%s", position=0, mandatory=True)
            grad = File(argstr="-g %s")
            bvec = File(argstr="-b %s")
            log = traits.Bool(argstr="-log")
            never = traits.Int(argstr="-n %d")

        class Skips(CommandLine):
            _cmd = "tool"
            input_spec = In

            def _parse_inputs(self, skip=None):
                if skip is None:
                    skip = []
                if isdefined(self.inputs.grad) or self.inputs.log:
                    skip += ["bvec"]
                skip.append("never")
                return super()._parse_inputs(skip=skip)

        from nipype.interfaces.base.traits_extension import isdefined
        spec, reason = core.export_class(Skips)
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["bvec"]["omit_when"], [{"set": "grad"}, {"true": "log"}])
        self.assertNotIn("argstr", spec["inputs"]["never"])  # always skipped
        self.assertIsNone(probe.probe_spec(Skips, spec))

        class Other(Skips):
            def _parse_inputs(self, skip=None):
                if self.inputs.log:
                    skip = ["bvec"]
                else:
                    skip = ["grad"]
                return super()._parse_inputs(skip=skip)

        spec, reason = core.export_class(Other)
        self.assertIsNone(spec)
        self.assertIn("overrides _parse_inputs", reason)

    def test_mrtrix3_base(self):
        # MRTrix3Base: nthreads=0 is the CPU count; in_bvec/out_bvec fill "%s %s" with
        # in_bval/out_bval; in_bvec is skipped when a gradient file is given; setting only
        # one of in_bvec/in_bval raises (requires, both ways)
        spec, reason = _export("mrtrix3.utils.MRConvert")
        self.assertIsNone(reason)
        ins = spec["inputs"]
        self.assertEqual(ins["nthreads"]["value_map"], {"0": {"host": "cpu_count"}})
        self.assertEqual(ins["in_bvec"]["argstr_inputs"], ["in_bval"])
        self.assertEqual(ins["out_bvec"]["argstr_inputs"], ["out_bval"])
        self.assertEqual(ins["in_bvec"]["omit_when"], [{"set": "grad_file"}, {"set": "grad_fsl"}])
        self.assertEqual((ins["in_bvec"]["requires"], ins["in_bval"]["requires"]),
                         (["in_bval"], ["in_bvec"]))
        # an interface without the gradient inputs: the try block reads none of them
        spec, reason = _export("mrtrix3.connectivity.BuildConnectome")
        self.assertIsNone(reason)
        self.assertNotIn("requires", spec["inputs"]["nthreads"])
        self.assertEqual(spec["inputs"]["nthreads"]["value_map"], {"0": {"host": "cpu_count"}})

    def test_synthetic_parse_inputs_raises(self):
        from nipype.interfaces.base import CommandLine, CommandLineInputSpec, File
        from nipype.interfaces.base.traits_extension import isdefined

        class In(CommandLineInputSpec):
            src = File(argstr="%s", position=0, mandatory=True)
            vec = File(argstr="-v %s")
            val = File()

        class Pair(CommandLine):
            _cmd = "tool"
            input_spec = In

            def _parse_inputs(self, skip=None):
                if skip is None:
                    skip = []
                has_vec = isdefined(self.inputs.vec)
                if has_vec or isdefined(self.inputs.val):
                    if not has_vec or not isdefined(self.inputs.val):
                        raise RuntimeError("both or neither")
                return super()._parse_inputs(skip=skip)

        spec, reason = core.export_class(Pair)
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["vec"]["requires"], ["val"])
        self.assertEqual(spec["inputs"]["val"]["requires"], ["vec"])

        class Both(Pair):
            def _parse_inputs(self, skip=None):
                if isdefined(self.inputs.vec) and isdefined(self.inputs.val):
                    raise RuntimeError("not both")  # an xor, not requires: refused
                return super()._parse_inputs(skip=skip)

        spec, reason = core.export_class(Both)
        self.assertIsNone(spec)
        self.assertIn("overrides _parse_inputs", reason)

    def test_synthetic_format_arg_reads_an_input(self):
        from nipype.interfaces.base import CommandLine, CommandLineInputSpec, File, traits

        class In(CommandLineInputSpec):
            src = File(argstr="%s", position=0, mandatory=True)
            vec = File(argstr="-v %s,%s")
            val = File()
            level = traits.Int(argstr="-l %d")

        class Reads(CommandLine):
            _cmd = "tool"
            input_spec = In

            def _format_arg(self, name, spec, value):
                if name == "vec":
                    return spec.argstr % (value, self.inputs.val)
                return super()._format_arg(name, spec, value)

        spec, reason = core.export_class(Reads)
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["vec"]["argstr_inputs"], ["val"])
        self.assertIsNone(probe.probe_spec(Reads, spec))

        class Doubles(Reads):
            def _format_arg(self, name, spec, value):
                if name == "level" and self.inputs.val == "x":
                    return spec.argstr % (value * 2)  # depends on another input otherwise
                return super()._format_arg(name, spec, value)

        spec, reason = core.export_class(Doubles)
        self.assertIsNone(spec)
        self.assertIn("overrides _format_arg", reason)

    def test_gen_filename_when_set(self):
        # ImageMaths: suffix when isdefined (even ""), else "_maths"; FSL's extension
        spec, reason = _export("fsl.utils.ImageMaths")
        self.assertIsNone(reason)
        d = spec["inputs"]["out_file"]
        self.assertEqual(d["genfile_template"], [
            {"when": [{"set": "suffix"}], "template": "{in_file.stem}{suffix}", "extension": True},
            {"template": "{in_file.stem}_maths", "extension": True}])
        self.assertTrue(d["absolute"])

    def test_gen_filename_never(self):
        # StdOutCommandLine without _gen_outfilename: nipype cannot render without out_file
        spec, reason = _export("minc.minc.Extract")
        self.assertIsNone(reason)
        self.assertTrue(spec["inputs"]["out_file"]["mandatory"])
        self.assertNotIn("genfile_template", spec["inputs"]["out_file"])

    def test_xor_naming_unknown_input(self):
        # Calc's output_nan/output_zero/output_illegal list "output_illegal_value", which Calc
        # does not have: nipype's _xor_warn raises whenever one is set; the spec leaves them out
        from nipype.interfaces.minc import Calc
        spec, reason = _export("minc.minc.Calc")
        self.assertIsNone(reason)
        for n in ("output_nan", "output_zero", "output_illegal"):
            self.assertNotIn(n, spec["inputs"])
            iface = Calc()
            with self.assertRaises(Exception):
                setattr(iface.inputs, n, True)

    def test_export_writes_explicit_floats(self):
        q = "nipype.interfaces.ants.utils.AffineInitializer"
        with tempfile.TemporaryDirectory() as d:
            toolmemo_nipype.export_to_dir([q], d)
            text = open(os.path.join(d, q + ".json")).read()
            spec = json.loads(text)
            self.assertEqual(spec["inputs"]["radian_fraction"]["type"]["Range"],
                             {"low": {"$float": 0}, "high": {"$float": 1}})
            self.assertEqual(spec["inputs"]["search_factor"]["default"], {"$float": 15})
            self.assertNotRegex(text, r"[0-9]\.0\b")  # no integral float left as 1.0
            toolmemo_nipype.export_to_dir([q], d, spec_version="1.0")
            self.assertNotIn("$float", open(os.path.join(d, q + ".json")).read())

    def test_spec_version_1_0_refuses_v11(self):
        spec, reason = toolmemo_nipype.export("nipype.interfaces.fsl.utils.ConvertWarp",
                                              spec_version="1.0")
        self.assertIsNone(spec)
        self.assertIn("needs spec-format 1.1 keys (output_extension)", reason)
        spec, reason = toolmemo_nipype.export("nipype.interfaces.fsl.utils.Split", spec_version="1.0")
        self.assertIsNone(reason)


def render_with_binary(spec, inputs):
    with tempfile.TemporaryDirectory() as d:
        d = os.path.realpath(d)
        sp, ip = os.path.join(d, ".spec.json"), os.path.join(d, ".inputs.json")
        for path, data in ((sp, spec), (ip, inputs)):
            with open(path, "w") as fh:
                json.dump(data, fh)
        r = subprocess.run([BIN, "cmdline", "--spec", sp, "--inputs", ip], cwd=d,
                           capture_output=True, text=True, timeout=30)
        return d, r


@unittest.skipUnless(os.access(BIN, os.X_OK), "needs toolmemo")
class Binary(unittest.TestCase):
    """The binary renders the 1.1 keys as the reference renderer does (fails on an old binary)."""

    def test_binary_matches_reference_renderer(self):
        samples = [
            (SEM_LIKE, {"out": True, "src": "a.nii"}), (SEM_LIKE, {"out": False, "src": "a.nii"}),
            (SEM_LIKE, {"out": "x/y.nii"}),
            (TABLE, {"interp": "trilinear", "n": 3, "x": 1e-05}), (TABLE, {"interp": "other", "n": 4}),
            (TABLE, {"q": "a"}),
            (GENFILE, {"in_file": "sub/a.NII.GZ"}), (GENFILE, {"in_file": "a", "out_file": "%s_o"}),
            (GENFILE, {"other": "z"}),
            (ext_spec(FSL, "output_type", ["NIFTI", "NIFTI_GZ", "GIFTI"], "NIFTI_GZ"),
             {"in_file": "a.nii"}),
            (ext_spec(FSL, "output_type", ["NIFTI", "NIFTI_GZ", "GIFTI"], "NIFTI_GZ"),
             {"in_file": "a", "output_type": "GIFTI"}),
            (ext_spec(AFNI, "outputtype", ["AFNI", "NIFTI", "NIFTI_GZ"], "AFNI"), {"in_file": "a.nii"}),
            (ext_spec(AFNI, "outputtype", ["AFNI", "NIFTI", "NIFTI_GZ"], "AFNI"),
             {"in_file": "a.nii", "outputtype": "NIFTI"}),
            (PATHS, {"in_file": "a.nii", "ref": "x/y/my file.nii", "abs": ["a.nii", "/b.nii", "s/../c"]}),
            (PATHS, {"in_file": "/elsewhere/a.nii", "out": "q/z.nii", "flag": True}),
            (PATHS, {"in_file": "sub/../b.nii.gz", "flag": "q/true"}),
            (PATHS, {"flag": False}),
            (OMIT, {"in_file": "a.nii"}), (OMIT, {"in_file": "a.nii", "show": True}),
            (OMIT, {"bvec": "v", "bval": "l"}), (OMIT, {"bvec": "v", "grad": "g"}),
            (OMIT, {"bvec": "v", "n": 0}), (OMIT, {"bvec": "v", "n": 3}),
            (OMIT, {"bvec": "my v", "bval": "l l"}),
            (ITEMS, {"pairs": [["a.nii", "[0]"], ["b", "x"]], "nums": [1, 22]}),
            (ITEMS, {"pairs": [], "flag": True, "show": True}),
            (ITEMS, {"flag": False, "show": False}),
            (ALTS, {"in_file": "d/x.v2.nii.gz", "hdr": "h"}),
            (ALTS, {"in_file": "d/x.v2.nii.gz", "kind": "md", "lab": 3}),
            (ALTS, {"lab": 2}), (ALTS, {}), (ALTS, {"out": "o", "in_file": "a"}),
            (HOST, {"n": 0}), (HOST, {"n": 2}),
        ]
        for spec, inputs in samples:
            d, r = render_with_binary(spec, inputs)
            want = probe.render(spec, inputs, cwd=d)
            self.assertEqual((r.returncode, r.stdout.rstrip("\n")), (0, want),
                             f"{json.dumps(inputs)}: {r.stderr.strip()}")

    def test_binary_reads_explicit_floats(self):
        # docs "Explicit floats": default, Enum values, Range bounds, value_map replacements
        spec = probe.encode_floats({"name": "T", "command": "tool", "inputs": {
            "f": {"type": {"Range": {"low": 0.0, "high": 2.0}}, "argstr": "-f %s",
                  "default": 1.0, "usedefault": True},
            "l": {"type": {"List": "Float"}, "argstr": "-l %s", "default": [1.0, 2.5],
                  "usedefault": True},
            "e": {"type": {"Enum": [2.0, 0.5]}, "argstr": "-e %s"},
            "m": {"type": "Int", "argstr": "-m %s", "value_map": {"1": 4.0}}}})
        for inputs in ({"e": 0.5}, {"m": 1}):
            d, r = render_with_binary(spec, inputs)
            want = probe.render(spec, inputs, cwd=d)
            self.assertEqual((r.returncode, r.stdout.rstrip("\n")), (0, want),
                             f"{json.dumps(inputs)}: {r.stderr.strip()}")


if __name__ == "__main__":
    unittest.main()
