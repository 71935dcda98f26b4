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

FSL = {"input": "output_type", "mode": "append",
       "map": {"NIFTI": ".nii", "NIFTI_GZ": ".nii.gz"}}
AFNI = {"input": "outputtype", "mode": "replace",
        "map": {"NIFTI": ".nii", "AFNI": "", "NIFTI_GZ": ".nii.gz"}}


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

    def test_v1_spec_unchanged(self):
        spec = ext_spec(".nii.gz", "output_type", ["NIFTI"], "NIFTI")
        self.assertFalse(probe.uses_v11(spec))
        self.assertEqual(probe.render(spec, {"in_file": "a"}, cwd="/w"),
                         "tool a -k a_k.nii.gz -o a_x.nii.gz")


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

    def test_gen_filename_first_dot_split_refused(self):
        # brainsuite's getFileName cuts at the first ".", not as split_filename does:
        # the sample "in_x.v2.nii" shows it, so no template is written
        spec, reason = _export("brainsuite.brainsuite.Dewisp")
        self.assertIsNone(spec)
        self.assertIn("overrides _gen_filename (inputs: outputMaskFile)", reason)

    def test_gen_filename_from_any_of_an_xor_group_refused(self):
        # Label2Vol names its output from whichever of several xor inputs is set
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
        ]
        for spec, inputs in samples:
            d, r = render_with_binary(spec, inputs)
            want = probe.render(spec, inputs, cwd=d)
            self.assertEqual((r.returncode, r.stdout.rstrip("\n")), (0, want),
                             f"{json.dumps(inputs)}: {r.stderr.strip()}")


if __name__ == "__main__":
    unittest.main()
