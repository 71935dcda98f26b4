"""Tests of the SPM exporter and its reference renderer (toolmemo_nipype.spm).

Run from python/: FSLOUTPUTTYPE=NIFTI_GZ ../.venv-peers/bin/python -m unittest tests.test_spm
"""

import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("FSLOUTPUTTYPE", "NIFTI_GZ")

import toolmemo_nipype  # noqa: E402

toolmemo_nipype._quiet()
from toolmemo_nipype import core, spm  # noqa: E402
from toolmemo_nipype.probe import make_files  # noqa: E402
from toolmemo_nipype.types import Unsupported  # noqa: E402

PRE = "nipype.interfaces.spm."
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("TOOLMEMO_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
CASES = os.path.join(SHARED, "conformance", "nipype-all-dev.jsonl")
BIN = os.environ.get("TOOLMEMO_BIN", os.path.join(ROOT, "target", "release", "toolmemo"))


def nipype_script(cls, values, folder):
    """nipype's script for `values`, rendered in `folder` (which holds the files)."""
    old = os.getcwd()
    os.chdir(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            iface = cls()
            for n, v in values.items():
                setattr(iface.inputs, n, v)
            return iface._make_matlab_command(copy.deepcopy(iface._parse_inputs()))
    finally:
        os.chdir(old)


class Folder:
    def __enter__(self):
        self.t = tempfile.TemporaryDirectory()
        self.d = os.path.realpath(self.t.name)
        return self.d

    def __exit__(self, *a):
        self.t.cleanup()


_SPECS = {}


def exported(name):
    if name not in _SPECS:
        _SPECS[name] = spm.export_spm(core.load_class(PRE + name))
    return _SPECS[name]


class RealignTest(unittest.TestCase):
    def test_realign_spec(self):
        spec = exported("preprocess.Realign")
        self.assertNotIn("command", spec)
        m = spec["matlab"]
        self.assertEqual(m["jobtype"], "spatial")
        self.assertEqual(m["jobname"], "realign")
        self.assertEqual(m["job_path"], [{"input": "jobtype"}])
        self.assertNotIn("derived", m)
        ins = spec["inputs"]
        # the job's field order is nipype's trait order: fielded inputs first
        self.assertEqual(list(ins)[0], "in_files")
        self.assertEqual(ins["in_files"]["field"], "data")
        self.assertEqual(ins["in_files"]["field_form"], {
            "switch": "jobtype", "cases": {"write": "scans_concat"}, "default": "sessions"})
        self.assertEqual(ins["quality"]["field"], "eoptions.quality")
        self.assertNotIn("field_form", ins["quality"])
        for n in ("matlab_cmd", "paths", "mfile", "use_mcr", "use_v8struct", "jobtype"):
            self.assertIn(n, ins)
            self.assertNotIn("field", ins[n])
        self.assertEqual(ins["mfile"].get("default"), True)
        self.assertTrue(ins["jobtype"]["usedefault"])

    def test_realign_scripts(self):
        spec = exported("preprocess.Realign")
        samples = [
            {"in_files": [["a.nii", "b.nii"], ["c.nii"]]},
            {"in_files": [["a.nii", "b.nii"], []], "jobtype": "write", "use_mcr": True},
            {"in_files": [["a.nii"]], "jobtype": "estimate", "use_v8struct": False,
             "quality": 0.5, "wrap": [1, 0, 1], "register_to_mean": True, "out_prefix": "x y"},
            {"in_files": [["my a.nii", "sub/b.nii"]], "mfile": False, "use_mcr": True,
             "write_which": [0, 1], "fwhm": 2},
        ]
        for values in samples:
            with Folder() as d:
                make_files(d, ["a.nii", "b.nii", "c.nii", "my a.nii", "sub/b.nii"])
                want = nipype_script(core.load_class(PRE + "preprocess.Realign"), values, d)
                held = json.loads(json.dumps(values))
                if "fwhm" in held:
                    held["fwhm"] = float(held["fwhm"])  # a Float input holds a float
                got = spm.render_script(spec, held, cwd=d)
                self.assertEqual(got, want, values)

    def test_single_file_session_is_unsupported(self):
        spec = exported("preprocess.Realign")
        for files in (["a.nii", "b.nii"], [["a.nii"], "b.nii"]):
            with self.assertRaises(spm.ScriptError) as e:
                spm.render_script(spec, {"in_files": files}, cwd="/x")
            self.assertEqual(e.exception.kind, "unsupported")
        # the self-check counts the volumes of its own images
        got = spm.render_script(spec, {"in_files": ["a_4d.nii"]}, cwd="/x",
                                volumes=spm.sample_volumes)
        self.assertIn("'a_4d.nii,1';...\n'a_4d.nii,2';...\n", got)

    def test_mfile_false(self):
        # nipype 1.12.0 means to save the job in pyjobs_JOBNAME.mat and fails
        # (reformat_dict_for_savemat does not exist): no script, an `unsupported` error;
        # under use_mcr nipype writes the job out regardless
        spec = exported("preprocess.Realign")
        values = {"in_files": [["a.nii"]], "mfile": False}
        with Folder() as d:
            make_files(d, ["a.nii"])
            with self.assertRaises(AttributeError):
                nipype_script(core.load_class(PRE + "preprocess.Realign"), values, d)
        with self.assertRaises(spm.ScriptError) as e:
            spm.render_script(spec, values, cwd="/x")
        self.assertEqual(e.exception.kind, "unsupported")
        self.assertIn("mfile", str(e.exception))
        got = spm.render_script(spec, dict(values, use_mcr=True), cwd="/x")
        self.assertIn("jobs{1}.spm.spatial.realign.estwrite.data = {...", got)


class RefusalTest(unittest.TestCase):
    def test_custom_matlab_script_with_conditions(self):
        # conditions on Booleans, loops over contrasts: no template writes them
        for name in ("model.EstimateContrast", "model.Threshold"):
            spec, reason = core.export_class(core.load_class(PRE + name))
            self.assertIsNone(spec)
            self.assertTrue(reason.startswith(spm.CUSTOM_SCRIPT + ": "), reason)
            self.assertIn("changes the script", reason)

    def test_matlab_command_still_refused(self):
        spec, reason = core.export_class(
            core.load_class("nipype.interfaces.matlab.MatlabCommand"))
        self.assertIsNone(spec)
        self.assertEqual(reason, core.SPM_REASON)

    def test_spm_command_itself(self):
        with self.assertRaises(Unsupported):
            spm.export_spm(core.load_class(PRE + "base.SPMCommand"))


def _script_class(body, **traits_):
    """An SPMCommand subclass writing its own script: `body(self)` returns it."""
    from nipype.interfaces.base import File
    from nipype.interfaces.spm.base import SPMCommand, SPMCommandInputSpec
    attrs = {"in_file": File(exists=True, mandatory=True)}
    attrs.update(traits_)
    In = type("In", (SPMCommandInputSpec,), attrs)
    return type("Own", (SPMCommand,), {"input_spec": In,
                                       "_make_matlab_command": lambda self, _: body(self)})


class ScriptTest(unittest.TestCase):
    """Interfaces that write their own script: `matlab.script`, inferred from nipype."""

    def _same_as_nipype(self, name, spec, samples, files):
        cls = core.load_class(PRE + name)
        for values in samples:
            with Folder() as d:
                make_files(d, files)
                want = nipype_script(cls, values, d)
                self.assertEqual(spm.render_script(spec, values, cwd=d), want, values)

    def test_reslice(self):
        spec = exported("utils.Reslice")
        self.assertEqual(set(spec["matlab"]), {"script"})
        self.assertEqual(spec["matlab"]["script"], (
            "\n        flags.mean = 0;\n        flags.which = 1;\n        flags.mask = 0;\n"
            "        flags.interp = {interp};\n"
            "        infiles = strvcat('{space_defining}', '{in_file}');\n"
            "        invols = spm_vol(infiles);\n        spm_reslice(invols, flags);\n        "))
        self.assertTrue(all("field" not in d for d in spec["inputs"].values()))
        self._same_as_nipype("utils.Reslice", spec, [
            {"in_file": "b.nii", "space_defining": "sub/a.nii.gz"},
            {"in_file": "b.nii", "space_defining": "sub/a.nii.gz", "interp": 4,
             "out_file": "x.nii", "mfile": False}], ["b.nii", "sub/a.nii.gz"])

    def test_apply_transform_generates_its_output_name(self):
        spec = exported("utils.ApplyTransform")
        self.assertIn("outfile = '{out_file}'", spec["matlab"]["script"])
        out = spec["inputs"]["out_file"]
        self.assertEqual(out["path_form"], "absolute")
        self.assertEqual(out["genfile_template"], [{"template": "{in_file.stem}_trans.nii"}])
        self._same_as_nipype("utils.ApplyTransform", spec, [
            {"in_file": "sub/x.nii.gz", "mat": "m.mat"},
            {"in_file": "sub/x.nii.gz", "mat": "m.mat", "out_file": "../o.nii"},
            {"in_file": "sub/x.nii.gz", "mat": "m.mat", "out_file": "/abs/o.nii"}],
            ["sub/x.nii.gz", "m.mat"])

    def test_analyze2nii_writes_the_folder(self):
        spec = exported("utils.Analyze2nii")
        self.assertIn("V.fname = '{@cwd}/{analyze_file.stem}.nii';", spec["matlab"]["script"])
        self._same_as_nipype("utils.Analyze2nii", spec, [{"analyze_file": "sub/y.tar.gz"}],
                             ["sub/y.tar.gz"])

    def test_value_written_with_str(self):
        from nipype.interfaces.base import traits
        cls = _script_class(lambda self: "x = spm_vol('%s'); %% {level} %s\nl = '%s';\n" % (
            self.inputs.in_file, self.inputs.level, self.inputs.label),
            level=traits.Float(), label=traits.Str())
        spec = spm.export_spm(cls)
        self.assertEqual(spec["matlab"]["script"],
                         "x = spm_vol('{in_file}'); % {{level}} {level}\nl = '{label}';\n")
        got = spm.render_script(spec, {"in_file": "a.nii"}, cwd="/x")
        self.assertEqual(got, "x = spm_vol('a.nii'); % {level} <undefined>\nl = '<undefined>';\n")

    def test_refusals(self):
        from nipype.interfaces.base import isdefined, traits

        def conditional(self):
            s = "x = spm_vol('%s');\n" % self.inputs.in_file
            if isdefined(self.inputs.label):
                s += "label = '%s';\n" % self.inputs.label
            return s
        cases = [
            (_script_class(conditional, label=traits.Str()), "unset, input label"),
            (_script_class(lambda self: "f = %d; %s" % (self.inputs.flag, self.inputs.in_file),
                           flag=traits.Bool()), "input flag changes the script"),
            (_script_class(lambda self: "t = %f; %s" % (self.inputs.t, self.inputs.in_file),
                           t=traits.Float()), "input t changes the script"),
            (_script_class(lambda self: "d = '%s';" % os.path.dirname(self.inputs.in_file)),
             "a part of input in_file's value"),
        ]
        for cls, why in cases:
            with self.assertRaises(Unsupported) as e:
                spm.export_spm(cls)
            self.assertTrue(str(e.exception).startswith(spm.CUSTOM_SCRIPT), str(e.exception))
            self.assertIn(why, str(e.exception))

    @unittest.skipUnless(os.access(BIN, os.X_OK), "needs toolmemo")
    def test_toolmemo_script_agrees(self):
        for name, values, files in (
                ("utils.Reslice", {"in_file": "./b.nii", "space_defining": "a.nii", "interp": 3},
                 ["a.nii", "b.nii"]),
                ("utils.ApplyTransform", {"in_file": "sub/x.nii.gz", "mat": "m.mat"},
                 ["sub/x.nii.gz", "m.mat"]),
                ("utils.Analyze2nii", {"analyze_file": "sub/y.tar.gz", "mfile": False},
                 ["sub/y.tar.gz"])):
            with Folder() as d:
                make_files(d, files)
                sp = os.path.join(d, ".spec.json")
                ip = os.path.join(d, ".inputs.json")
                json.dump(exported(name), open(sp, "w"))
                json.dump(values, open(ip, "w"))
                r = subprocess.run([BIN, "script", "--spec", sp, "--inputs", ip], cwd=d,
                                   capture_output=True, text=True, timeout=30)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout, nipype_script(core.load_class(PRE + name), values, d))


class DerivedTest(unittest.TestCase):
    def test_factorial_design_dir(self):
        spec = exported("model.OneSampleTTestDesign")
        self.assertEqual(spec["matlab"]["derived"], [
            {"field": "dir", "from": "folder", "form": "cell", "when": [{"unset": "spm_mat_dir"}]}])
        self.assertEqual(spec["inputs"]["covariates"]["field_form"], {"rename": {
            "vector": "c", "name": "cname", "interaction": "iCFI", "centering": "iCC"}})
        cls = core.load_class(PRE + "model.OneSampleTTestDesign")
        for values in ({"in_files": ["a.nii", "b.nii"], "use_v8struct": False},
                       {"in_files": ["a.nii", "b.nii"], "spm_mat_dir": "out",
                        "covariates": [{"name": "age", "vector": [1, 2], "centering": 1}],
                        "threshold_mask_none": True, "global_normalization": 2}):
            with Folder() as d:
                make_files(d, ["a.nii", "b.nii", "out/"])
                want = nipype_script(cls, values, d)
                got = spm.render_script(spec, values, cwd=d)
                self.assertEqual(got, want)
                if "spm_mat_dir" not in values:
                    self.assertIn("factorial_design(1).dir = {...\n'%s';...\n};" % d, got)

    def test_dartel_value_map_and_structs(self):
        spec = exported("preprocess.DARTEL")
        ins = spec["inputs"]
        self.assertEqual(ins["regularization_form"]["value_map"],
                         {"Linear": 0, "Membrane": 1, "Bending": 2})
        self.assertEqual(ins["optimization_parameters"]["field_form"], {"struct": [
            {"name": "lmreg", "item": 0}, {"name": "cyc", "item": 1}, {"name": "its", "item": 2}]})
        values = {"image_files": [["a.nii", "b.nii"], ["c.nii"]], "regularization_form": "Bending",
                  "iteration_parameters": [[3, [4.0, 2.0, 1e-06], 1, 16], [1, [2.0, 1.0, 0.5], 2, 0.5],
                                           [10, [0.5, 0.25, 1e-06], 64, 0]],
                  "optimization_parameters": [0.01, 3, 3]}
        with Folder() as d:
            make_files(d, ["a.nii", "b.nii", "c.nii"])
            want = nipype_script(core.load_class(PRE + "preprocess.DARTEL"), values, d)
        self.assertEqual(spm.render_script(spec, values, cwd="/x"), want)


class RendererTest(unittest.TestCase):
    def test_generate_job(self):
        got = spm.generate_job("p", {"a": [[1, 2.5], [True]], "b": spm.Cell(["x", 1.0, spm.Cell([])]),
                                     "c": "t", "d": [{"e": 1}]})
        self.assertEqual(got, "p.a(1,1) = 1;\np.a(1,2) = 2.5;\np.a(2,1) = True;\n"
                              "p.b = {...\n'x';...\n1.0;...\n{...\n};\n};\n"
                              "p.c = 't';\np.d(1).e = 1;\n")

    def test_hand_written_spec(self):
        # DicomImport written by hand from the doc: the renderer alone, against nipype
        spec = {"name": "DicomImport", "matlab": {"jobtype": "util", "jobname": "dicom"},
                "inputs": {
                    "in_files": {"type": {"MultiPath": "File"}, "field": "data", "field_form": "cell"},
                    "output_dir_struct": {"type": {"Enum": ["flat", "series"]}, "field": "root",
                                          "usedefault": True, "default": "flat"},
                    "output_dir": {"type": "Str", "field": "outdir", "field_form": "cell",
                                   "usedefault": True, "default": "./converted_dicom"},
                    "format": {"type": {"Enum": ["nii", "img"]}, "field": "convopts.format",
                               "usedefault": True, "default": "nii"},
                    "icedims": {"type": "Bool", "field": "convopts.icedims", "usedefault": True,
                                "default": False},
                    "mfile": {"type": "Bool", "usedefault": True, "default": True},
                    "use_mcr": {"type": "Bool"},
                    "use_v8struct": {"type": "Bool", "usedefault": True, "default": True}}}
        cls = core.load_class(PRE + "utils.DicomImport")
        for values in ({"in_files": ["x.dcm"]},
                       {"in_files": ["x.dcm", "y.dcm"], "output_dir_struct": "series",
                        "icedims": True, "use_v8struct": False, "use_mcr": True}):
            with Folder() as d:
                make_files(d, ["x.dcm", "y.dcm"])
                self.assertEqual(spm.render_script(spec, values, cwd=d),
                                 nipype_script(cls, values, d))

    def test_check_inputs(self):
        spec = exported("preprocess.Normalize")
        self.assertEqual(spm.check_inputs(spec, {}), "mandatory")
        self.assertEqual(spm.check_inputs(spec, {"source": ["a"], "template": "t"}), None)
        self.assertEqual(spm.check_inputs(spec, {"source": ["a"], "template": "t",
                                                 "parameter_file": "p"}), "xor")


@unittest.skipUnless(os.path.exists(CASES), "no conformance cases")
class ConformanceTest(unittest.TestCase):
    def test_cases_of_exported_interfaces(self):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))), "tools"))
        import check_spm_reference as c
        n = 0
        for line in open(CASES):
            case = json.loads(line)
            q = case["interface"]
            if q not in (PRE + "preprocess.Realign", PRE + "preprocess.DARTEL",
                         PRE + "preprocess.Normalize", PRE + "utils.Reslice",
                         PRE + "utils.ApplyTransform", PRE + "utils.Analyze2nii"):
                continue
            spec = exported(q[len(PRE):])
            ok, want, got = c.run_case(spec, case)
            self.assertTrue(ok, f"{case['id']}: want {want!r}, got {got!r}")
            n += 1
        self.assertGreater(n, 50)


if __name__ == "__main__":
    unittest.main()
