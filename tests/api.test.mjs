// The JS API of the wasm build: what a form, a script or a test would call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { toolmemo, ROOT } from "./helpers.mjs";

const { Interface } = toolmemo;
const BET = JSON.parse(readFileSync(join(ROOT, "examples/BET.json"), "utf8"));

test("fromSpec takes an object or JSON text and renders the spec format's example", () => {
  for (const spec of [BET, JSON.stringify(BET)]) {
    const bet = Interface.fromSpec(spec);
    assert.equal(bet.name, "BET");
    const line = bet.cmdline({ in_file: "f3.nii", frac: 0.5, mask: true }, { files: ["f3.nii"] });
    assert.equal(line, "bet f3.nii f3_brain.nii.gz -f 0.50 -m");
  }
});

test("errors are Error objects with a kind, an input and a message naming both", () => {
  const bet = Interface.fromSpec(BET);
  const cases = [
    [{}, "mandatory", "in_file"],
    [{ in_file: "f3.nii", frac: "half" }, "type", "frac"],
    [{ in_file: "missing.nii" }, "exists", "in_file"],
    [{ in_file: "f3.nii", functional: true, reduce_bias: true }, "xor", "reduce_bias"],
    [{ in_file: "f3.nii", fracc: 0.5 }, "input", "fracc"],
  ];
  for (const [inputs, kind, input] of cases) {
    assert.throws(
      () => bet.cmdline(inputs, { files: ["f3.nii"] }),
      (err) => err instanceof Error && err.kind === kind && err.input === input && err.message.startsWith("BET: ") && err.message.includes(`'${input}'`),
      `${JSON.stringify(inputs)} should fail with ${kind}`,
    );
  }
});

test("malformed specs fail with kind spec and the JSON path", () => {
  const bad = structuredClone(BET);
  bad.inputs.frac.position = "1";
  assert.throws(() => Interface.fromSpec(bad), (e) => e.kind === "spec" && e.message.startsWith("inputs.frac.position: expected an integer"));
  assert.throws(() => Interface.fromSpec("{not json"), (e) => e.kind === "spec");
  assert.throws(() => Interface.fromSpec(42), (e) => e.kind === "spec");
  const dangling = structuredClone(BET);
  dangling.inputs.mask.xor = ["nope"];
  assert.throws(() => Interface.fromSpec(dangling), (e) => e.kind === "spec" && e.message.includes("inputs.mask.xor"));
});

test("validate returns every problem, and none exactly when cmdline works", () => {
  const bet = Interface.fromSpec(BET);
  const problems = bet.validate({ frac: "half", center: [1, 2, 3, 4] }, { files: [] });
  assert.deepEqual(problems.map((p) => [p.kind, p.input]), [["type", "frac"], ["type", "center"], ["mandatory", "in_file"]]);
  assert.deepEqual(bet.validate({ in_file: "f3.nii" }, { files: ["f3.nii"] }), []);
});

test("exists is checked against node:fs by default, relative to the working directory", () => {
  const bet = Interface.fromSpec(BET);
  const here = join(ROOT, "examples", "BET.json");
  assert.equal(bet.cmdline({ in_file: here }).split(" ")[1], here);
  assert.throws(() => bet.cmdline({ in_file: join(ROOT, "no-such-file.nii") }), (e) => e.kind === "exists");
});

test("JSON text keeps 1.0 apart from 1, which JS numbers cannot", () => {
  const spec = { name: "T", command: "t", inputs: { x: { type: "Any", argstr: "-x %s" } } };
  const t = Interface.fromSpec(spec);
  assert.equal(t.cmdline('{"x": 1.0}'), "t -x 1.0");
  assert.equal(t.cmdline({ x: 1.5 }), "t -x 1.5");
  assert.equal(t.cmdline({ x: [1, "a"] }), "t -x [1, 'a']");
});

test("help lists mandatory and optional inputs and outputs, nipype-style", () => {
  const help = Interface.fromSpec(BET).help();
  assert.match(help, /^Wraps the executable command ``bet``\./);
  assert.match(help, /\[Mandatory\]\n\s+in_file: \(a pathlike object or string representing an existing file\)\n\s+input file to skull strip\n\s+argument: ``%s``, position: 0/);
  assert.match(help, /\[Optional\][\s\S]*functional: \(a boolean\)[\s\S]*mutually_exclusive: functional, reduce_bias/);
  assert.match(help, /Outputs::[\s\S]*mask_file: \(a pathlike object or string representing a file\)/);
});

test("the spec getter exposes every input with its metadata, for building forms", () => {
  const s = Interface.fromSpec(BET).spec;
  assert.equal(s.name, "BET");
  const names = s.inputs.map((i) => i.name);
  assert.deepEqual(names, ["args", "environ", "in_file", "out_file", "frac", "mask", "center", "functional", "reduce_bias"]);
  const center = s.inputs.find((i) => i.name === "center");
  assert.deepEqual(center.type, { List: "Int", maxlen: 3 });
  assert.equal(center.argstr, "-c %s");
  assert.equal(s.inputs.find((i) => i.name === "in_file").mandatory, true);
  assert.deepEqual(s.outputs.map((o) => o.name), ["out_file", "mask_file"]);
});

test("extends merges a parent's inputs, given in options.parents", () => {
  const parent = { name: "FSLCommand", command: "fsl", output_extension: ".nii.gz", inputs: { verbose: { type: "Bool", argstr: "-v" } } };
  const child = { name: "Child", command: "child", extends: "FSLCommand", inputs: { x: { type: "Int", argstr: "-x %d" } } };
  const c = Interface.fromSpec(child, { parents: { FSLCommand: parent } });
  assert.equal(c.cmdline({ x: 3, verbose: true }), "child -v -x 3");
  assert.throws(() => Interface.fromSpec(child), (e) => e.kind === "spec" && e.message.includes("FSLCommand"));
  const loop = { name: "A", command: "a", extends: "B" };
  assert.throws(() => Interface.fromSpec(loop, { parents: { B: { name: "B", command: "b", extends: "A" } } }), (e) => e.kind === "spec" && /cyclic/.test(e.message));
});

test("hostile values give errors, not traps", () => {
  const t = Interface.fromSpec({ name: "T", command: "t", inputs: { x: { type: "Str", argstr: "%s" } } });
  assert.throws(() => t.cmdline(null), (e) => e.kind === "input");
  assert.throws(() => t.cmdline("[1,2"), (e) => e.kind === "input");
  assert.throws(() => t.cmdline({ x: NaN }), (e) => e.kind === "input" && /NaN/.test(e.message));
  const cyclic = { x: "a" };
  cyclic.self = cyclic;
  assert.throws(() => t.cmdline(cyclic), (e) => e.kind === "input" && /cyclic/.test(e.message));
  assert.throws(() => t.cmdline({ x: () => 1 }), (e) => e.kind === "input");
  assert.throws(() => t.cmdline({ x: 5 }), (e) => e.kind === "type" && e.input === "x");
  const huge = "é ; rm -rf /".repeat(1000);
  assert.equal(t.cmdline({ x: huge }), `t ${huge}`);
});

test("bind checks once; the bound inputs render any number of times", () => {
  const bet = Interface.fromSpec(BET);
  const bound = bet.bind({ in_file: "f3.nii", frac: 0.5 }, { files: ["f3.nii"] });
  assert.equal(bound.cmdline(), "bet f3.nii f3_brain.nii.gz -f 0.50");
  assert.equal(bound.cmdline(), "bet f3.nii f3_brain.nii.gz -f 0.50");
  assert.throws(() => bet.bind({ frac: 0.5 }, { files: [] }), (e) => e.kind === "mandatory");
});

test("a value_map host replacement is this machine's CPU count, as natively, and survives toSpec", async () => {
  const { cpus } = await import("node:os");
  const spec = {
    name: "M",
    command: "mrconvert",
    inputs: { nthreads: { type: "Int", argstr: "-nthreads %d", value_map: { 0: { host: "cpu_count" } } } },
  };
  const iface = toolmemo.Interface.fromSpec(spec);
  const online = cpus().length; // the online CPUs: what CPython's os.cpu_count() says
  assert.equal(iface.cmdline({ nthreads: 0 }), `mrconvert -nthreads ${online}`);
  assert.equal(iface.cmdline({ nthreads: 4 }), "mrconvert -nthreads 4");
  const again = toolmemo.Interface.fromSpec(JSON.parse(JSON.stringify(iface.toSpec())));
  assert.equal(again.cmdline({ nthreads: 0 }), `mrconvert -nthreads ${online}`);
});
