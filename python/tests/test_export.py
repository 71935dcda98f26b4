"""Tests of the nipype importer (unittest; pytest collects them too).

Run: /work/main/.venv-peers/bin/python -m unittest discover -s python/tests -v
 or: /work/main/.venv-peers/bin/python -m pytest python/tests
The conformance files come from $TOOLMEMO_SHARED (default: ../shared beside the repository),
the renderer from $TOOLMEMO_BIN (default: target/release/toolmemo); tests needing them skip
when they are missing.
"""

import contextlib
import io
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
os.environ.setdefault("FSLOUTPUTTYPE", "NIFTI_GZ")  # what the conformance cases assume

import toolmemo_nipype  # noqa: E402
from toolmemo_nipype import __main__ as cli  # noqa: E402
from toolmemo_nipype.probe import make_files  # noqa: E402
from toolmemo_nipype import core, probe  # noqa: E402

SHARED = os.environ.get("TOOLMEMO_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
CONF = os.path.join(SHARED, "conformance")
BIN = os.environ.get("TOOLMEMO_BIN", os.path.join(ROOT, "target", "release", "toolmemo"))
ALL_DEV = os.path.join(CONF, "nipype-all-dev.jsonl")
DEV = os.path.join(CONF, "nipype-dev.jsonl")


def _lines(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_case(spec_path, case):
    """Render one case through toolmemo as check_import.py does; return (ok, want, got)."""
    with tempfile.TemporaryDirectory() as d:
        d = os.path.realpath(d)
        make_files(d, case.get("files", []))
        inp = os.path.join(d, ".inputs.json")
        with open(inp, "w") as fh:
            json.dump(case["inputs"], fh)
        r = subprocess.run([BIN, "cmdline", "--spec", spec_path, "--inputs", inp],
                           cwd=d, capture_output=True, text=True, timeout=30)
        if "cmdline" in case:
            want = case["cmdline"].replace("{cwd}", d)
            got = r.stdout.rstrip("\n") if r.returncode == 0 else r.stderr.strip()
            return r.returncode == 0 and got == want, want, got
        want = f"error[{case['error']}]"
        return r.returncode == 2 and want in r.stderr, want, (r.stdout + r.stderr).strip()


@unittest.skipUnless(os.path.exists(DEV) and os.access(BIN, os.X_OK), "needs conformance files and toolmemo")
class DevCases(unittest.TestCase):
    """Exported specs render the hand-checked nipype-dev.jsonl cases exactly."""

    def test_dev_cases_render_identically(self):
        cases = {}
        for c in _lines(DEV):
            cases.setdefault("nipype.interfaces." + c["id"].split("#")[0], []).append(c)
        with tempfile.TemporaryDirectory() as out:
            exported, refused = toolmemo_nipype.export_to_dir(sorted(cases), out)
            self.assertTrue(exported, "nothing exported")
            for q in exported:
                for c in cases[q]:
                    ok, want, got = run_case(os.path.join(out, q + ".json"), c)
                    self.assertTrue(ok, f"{c['id']}: want {want!r}, got {got!r}")
            for q, reason in refused.items():
                self.assertTrue(reason and reason.strip(), q)


@unittest.skipUnless(os.path.exists(ALL_DEV), "needs conformance files")
class AllDev(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cases = _lines(ALL_DEV)
        cls.names = sorted({c["interface"] for c in cls.cases})
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = cls.tmp.name
        toolmemo_nipype.export_to_dir(cls.names, cls.out)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_interface_exported_or_refused_with_reason(self):
        refused = json.load(open(os.path.join(self.out, "refused.json")))
        for q in self.names:
            exported = os.path.exists(os.path.join(self.out, q + ".json"))
            self.assertNotEqual(exported, q in refused, q)
            if not exported:
                self.assertIsInstance(refused[q], str)
                self.assertTrue(refused[q].strip(), q)

    def test_spm_exported_or_refused_with_reason(self):
        # SPM interfaces: a spec of the MATLAB script (`matlab`), or refused with the reason
        from toolmemo_nipype import spm as spm_mod
        refused = json.load(open(os.path.join(self.out, "refused.json")))
        spm = {c["interface"] for c in self.cases if "matlab" in c}
        pre = "nipype.interfaces.spm."
        for q in spm:
            path = os.path.join(self.out, q + ".json")
            if os.path.exists(path):
                spec = json.load(open(path))
                self.assertIn("matlab", spec, q)
                self.assertNotIn("command", spec, q)
            else:
                self.assertNotEqual(refused[q], core.SPM_REASON, q)
        self.assertTrue(refused[pre + "model.Threshold"].startswith(spm_mod.CUSTOM_SCRIPT + ": "))
        realign = json.load(open(os.path.join(self.out, pre + "preprocess.Realign.json")))
        self.assertEqual(realign["matlab"]["jobname"], "realign")
        reslice = json.load(open(os.path.join(self.out, pre + "utils.Reslice.json")))
        self.assertIn("strvcat('{space_defining}', '{in_file}')", reslice["matlab"]["script"])
        self.assertGreaterEqual(len(spm - set(refused)), 13)

    @unittest.skipUnless(os.access(BIN, os.X_OK), "needs toolmemo")
    def test_no_exported_spm_spec_renders_wrong(self):
        checker = os.path.join(CONF, "check_import.py")
        r = subprocess.run([sys.executable, checker, ALL_DEV, self.out, BIN, "--matlab"],
                           capture_output=True, text=True, timeout=1800)
        self.assertIn("exported but wrong 0,", r.stdout, r.stdout)
        self.assertIn("neither exported nor refused 0", r.stdout, r.stdout)

    @unittest.skipUnless(os.access(BIN, os.X_OK), "needs toolmemo")
    def test_no_exported_spec_renders_wrong(self):
        checker = os.path.join(CONF, "check_import.py")
        r = subprocess.run([sys.executable, checker, ALL_DEV, self.out, BIN],
                           capture_output=True, text=True, timeout=1800)
        self.assertIn("exported but wrong 0,", r.stdout, r.stdout)
        self.assertIn("neither exported nor refused 0", r.stdout, r.stdout)

    @unittest.skipUnless(os.access(BIN, os.X_OK), "needs toolmemo")
    def test_reference_renderer_predicts_no_wrong(self):
        # tools/predict_import.py: 1.1 specs rendered by probe.render (checks by the binary)
        tool = os.path.join(PYDIR, "tools", "predict_import.py")
        r = subprocess.run([sys.executable, tool, ALL_DEV, self.out, BIN],
                           capture_output=True, text=True, timeout=1800)
        self.assertIn("exported but wrong 0,", r.stdout, r.stdout[-3000:] + r.stderr[-2000:])


class Cli(unittest.TestCase):
    def _run(self, *argv):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(argv))
            except SystemExit as e:
                code = e.code
        return code, err.getvalue()

    def test_needs_names_or_all(self):
        with tempfile.TemporaryDirectory() as d:
            code, err = self._run("export", "--out", d)
            self.assertEqual(code, 2)
            self.assertIn("QUALNAME", err)

    def test_names_and_all_conflict(self):
        with tempfile.TemporaryDirectory() as d:
            code, _ = self._run("export", "--all", "nipype.interfaces.fsl.utils.Split", "--out", d)
            self.assertEqual(code, 2)

    def test_out_required(self):
        code, _ = self._run("export", "nipype.interfaces.fsl.utils.Split")
        self.assertEqual(code, 2)

    def test_export_writes_spec_and_refused(self):
        with tempfile.TemporaryDirectory() as d:
            code, _ = self._run("export", "-q", "nipype.interfaces.fsl.utils.Split",
                                "nipype.interfaces.no.such.Thing",
                                "nipype.interfaces.spm.preprocess.Realign", "--out", d)
            self.assertEqual(code, 0)
            spec = json.load(open(os.path.join(d, "nipype.interfaces.fsl.utils.Split.json")))
            self.assertEqual(spec["command"], "fslsplit")
            self.assertEqual(spec["inputs"]["dimension"]["argstr"], "-%s")
            self.assertEqual(spec["inputs"]["dimension"]["position"], 2)
            self.assertTrue(spec["inputs"]["dimension"]["mandatory"])
            self.assertNotIn("args", spec["inputs"])  # implicit in v1
            refused = json.load(open(os.path.join(d, "refused.json")))
            self.assertIn("cannot import", refused["nipype.interfaces.no.such.Thing"])
            # an SPM interface: a spec of its MATLAB batch job, no command line
            self.assertNotIn("nipype.interfaces.spm.preprocess.Realign", refused)
            realign = json.load(open(os.path.join(
                d, "nipype.interfaces.spm.preprocess.Realign.json")))
            self.assertNotIn("command", realign)
            self.assertEqual(realign["matlab"]["jobtype"], "spatial")
            self.assertEqual(realign["inputs"]["in_files"]["field"], "data")

    def test_spm_spec_needs_1_1(self):
        spec, reason = toolmemo_nipype.export("nipype.interfaces.spm.utils.Reslice",
                                              spec_version="1.0")
        self.assertIsNone(spec)
        self.assertIn("matlab", reason)
        spec, reason = toolmemo_nipype.export("nipype.interfaces.spm.utils.Reslice")
        self.assertIsNone(reason)
        self.assertIn("script", spec["matlab"])

    def test_all_lists_spm_commands(self):
        names = toolmemo_nipype.all_interfaces()
        self.assertIn("nipype.interfaces.spm.preprocess.Realign", names)
        self.assertIn("nipype.interfaces.spm.utils.Reslice", names)
        self.assertIn("nipype.interfaces.cat12.preprocess.CAT12Segment", names)
        self.assertIn("nipype.interfaces.fsl.utils.Split", names)
        self.assertNotIn("nipype.interfaces.spm.base.SPMCommand", names)

    def test_module_entry_point(self):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, PYTHONPATH=PYDIR)
            r = subprocess.run([sys.executable, "-m", "toolmemo_nipype", "export",
                                "nipype.interfaces.fsl.utils.Split", "--out", d],
                               capture_output=True, text=True, env=env, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(os.path.join(d, "nipype.interfaces.fsl.utils.Split.json")))


class Strictness(unittest.TestCase):
    def test_format_arg_override_refused_naming_inputs(self):
        from nipype.interfaces.base import CommandLine, CommandLineInputSpec, File, traits

        class In(CommandLineInputSpec):
            foo = traits.Int(argstr="-f %d")
            bar = File(argstr="%s", position=0)

        class Tool(CommandLine):
            _cmd = "tool"
            input_spec = In

            def _format_arg(self, name, spec, value):
                if name == "foo":
                    return "-f %d" % (value * 2)
                return super()._format_arg(name, spec, value)

        spec, reason = core.export_class(Tool)
        self.assertIsNone(spec)
        self.assertIn("overrides _format_arg (inputs: foo)", reason)

    def test_plain_class_exported(self):
        from nipype.interfaces.base import CommandLine, CommandLineInputSpec, File, traits

        class In(CommandLineInputSpec):
            foo = traits.Int(argstr="-f %d")
            src = File(exists=True, argstr="%s", position=0, mandatory=True)
            dst = File(argstr="-o %s", name_source="src", name_template="%s_x",
                       keep_extension=True, hash_files=False)

        class Tool(CommandLine):
            _cmd = "tool"
            input_spec = In

        spec, reason = core.export_class(Tool)
        self.assertIsNone(reason)
        self.assertEqual(spec["inputs"]["dst"]["name_source"], ["src"])
        self.assertEqual(spec["inputs"]["src"]["type"], {"File": {"exists": True}})
        self.assertIsNone(probe.probe_spec(Tool, spec))
        # the self-check notices a spec that renders differently
        bad = json.loads(json.dumps(spec))
        bad["inputs"]["foo"]["argstr"] = "--foo %d"
        self.assertIn("self-check", probe.probe_spec(Tool, bad) or "")

    def test_fsl_generated_names_need_v11(self):
        spec, reason = toolmemo_nipype.export("nipype.interfaces.fsl.utils.ConvertWarp")
        self.assertIsNone(reason)
        self.assertEqual(spec["output_extension"]["input"], "output_type")
        spec, reason = toolmemo_nipype.export("nipype.interfaces.fsl.utils.ConvertWarp",
                                              spec_version="1.0")
        self.assertIsNone(spec)
        self.assertIn("output_extension", reason)

if __name__ == "__main__":
    unittest.main()
