// SPM interfaces (spec 1.1 `matlab`) under Node: the batch script nipype wrote
// for the same inputs (the vectors the native tests render too), and a run
// with a stand-in MATLAB shared by the CLI and Node on one cache folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, toolmemo } from "./helpers.mjs";

const { Interface, Memory } = toolmemo;
const BIN = join(ROOT, "target/release/toolmemo");
const VECTORS = JSON.parse(readFileSync(join(ROOT, "tests/vectors/spm-realign.json"), "utf8"));

test("iface.script is nipype's batch script, byte for byte", () => {
  const iface = Interface.fromSpec(VECTORS.spec);
  assert.ok(VECTORS.cases.length >= 3);
  for (const c of VECTORS.cases) assert.equal(iface.script(c.inputs), c.matlab, c.id);
  // The spec survives toSpec() as a plain object.
  const again = Interface.fromSpec(JSON.parse(JSON.stringify(iface.toSpec())));
  assert.equal(again.script(VECTORS.cases[0].inputs), VECTORS.cases[0].matlab);
});

test("an SPM interface has no command line, and says so as a ToolmemoError", () => {
  const iface = Interface.fromSpec(VECTORS.spec);
  assert.throws(() => iface.cmdline(VECTORS.cases[0].inputs), (e) => e.kind === "unsupported" && /script/.test(e.message));
  assert.throws(() => iface.script({ in_files: ["a.nii"] }), (e) => e.kind === "unsupported" && e.input === "in_files");
  assert.throws(() => iface.script({}), (e) => e.kind === "mandatory");
});

test("a run by the CLI is a hit for Node's cacheInterface, and Node's run one for the CLI", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-spm-"));
  const log = join(dir, "calls.log");
  writeFileSync(join(dir, "matlab"), `#!/bin/sh\necho "$@" >> '${log}'\necho stand-in\n`);
  chmodSync(join(dir, "matlab"), 0o755);
  writeFileSync(join(dir, "spec.json"), JSON.stringify(VECTORS.spec));
  for (const f of ["a.nii", "b.nii"]) writeFileSync(join(dir, f), f);
  const calls = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0);
  // The MATLAB command as an input: Node's runner has no --matlab-cmd.
  const inputs = (fwhm) => ({ in_files: [["a.nii", "b.nii"]], fwhm, matlab_cmd: join(dir, "matlab") });
  const cli = (fwhm) => {
    writeFileSync(join(dir, "in.json"), JSON.stringify(inputs(fwhm)));
    const r = spawnSync(BIN, ["run", "--json", "--spec", "spec.json", "--inputs", "in.json"], {
      cwd: dir, env: { ...process.env, TOOLMEMO_CACHE_DIR: join(dir, "cache") }, encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const first = cli(4);
  assert.equal(first.cached, false);
  assert.equal(calls(), 1);
  const here = process.cwd();
  process.chdir(dir);
  try {
    const realign = (await Memory.open({ location: join(dir, "cache") })).cacheInterface(Interface.fromSpec(VECTORS.spec));
    const hit = await realign(inputs(4));
    assert.equal(hit.cached, true, "the CLI's run is a hit under Node");
    assert.equal(hit.key, first.key);
    assert.equal(calls(), 1);
    const ran = await realign(inputs(6));
    assert.equal(ran.cached, false);
    assert.equal(calls(), 2);
    assert.match(readFileSync(join(ran.dir, "work/pyscript_realign.m"), "utf8"), /eoptions\.fwhm = 6\.0;\n/);
  } finally {
    process.chdir(here);
  }
  assert.equal(cli(6).cached, true, "Node's run is a hit for the CLI");
  assert.equal(calls(), 2, "MATLAB ran once per distinct input");
});
