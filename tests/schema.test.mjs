// The spec format as a JSON Schema (schema/spec-v1.json, shipped in the package
// for editors): every example spec validates, and for malformed specs the
// schema and the parser agree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import Ajv from "ajv";
import { ROOT, SHARED, toolmemo, caseFiles, readLines } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const SCHEMA = JSON.parse(readFileSync(join(ROOT, "schema/spec-v1.json"), "utf8"));
const ajv = new Ajv({ strict: true, allErrors: true, allowUnionTypes: true });
const validate = ajv.compile(SCHEMA);
const BET = JSON.parse(readFileSync(join(ROOT, "examples/BET.json"), "utf8"));

const jsonFiles = (dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".json"))
    .map((f) => join(dir, f));

function parses(spec) {
  try {
    toolmemo.Interface.fromSpec(spec);
    return true;
  } catch (e) {
    assert.equal(e.kind, "spec", `${e.kind}: ${e.message}`);
    return false;
  }
}

test("the package ships the schema under toolmemo/schema/spec-v1.json", () => {
  assert.equal(require.resolve("toolmemo/schema/spec-v1.json"), join(ROOT, "schema/spec-v1.json"));
  assert.equal(SCHEMA.$schema, "http://json-schema.org/draft-07/schema#");
});

test("every example spec validates: examples/, the page's demos, an SPM spec, the conformance cases, the nipype probes", () => {
  const failures = [];
  let n = 0;
  const check = (where, spec) => {
    n++;
    if (!validate(spec)) failures.push(`${where}: ${ajv.errorsText(validate.errors)}`);
  };
  for (const f of ["examples/BET.json", ...jsonFiles("examples/specs"), ...jsonFiles("www/demos")]) {
    check(f, JSON.parse(readFileSync(join(ROOT, f), "utf8")));
  }
  // An SPM interface (spec 1.1 `matlab`): no command.
  check("tests/vectors/spm-realign.json", JSON.parse(readFileSync(join(ROOT, "tests/vectors/spm-realign.json"), "utf8")).spec);
  const seen = new Set();
  let refused = 0;
  for (const file of caseFiles()) {
    for (const line of readLines(file)) {
      const c = JSON.parse(line);
      const text = JSON.stringify(c.spec);
      if (seen.has(text)) continue;
      seen.add(text);
      // A case about a malformed spec is the parser's to refuse (below).
      if (c.error === "spec") {
        refused++;
        continue;
      }
      check(c.id, c.spec);
    }
  }
  assert.ok(n > 500, `only ${n} distinct specs checked`);
  assert.ok(refused >= 1 && refused < 10, `${refused} spec-error probes skipped`);
  assert.deepEqual(failures, []);
});

// Each mutation of BET, and whether the parser accepts it: the schema must say
// the same (cross-references such as a dangling xor are beyond a schema).
const MUTATIONS = [
  ["as is", () => {}, true],
  ["an x- key anywhere", (s) => Object.assign(s, { "x-ui": 1 }, { inputs: { ...s.inputs, frac: { ...s.inputs.frac, "x-widget": "slider" } } }), true],
  ["$schema and description", (s) => Object.assign(s, { $schema: "./schema/spec-v1.json", description: "skull stripping" }), true],
  ["nulls for optional keys", (s) => Object.assign(s.inputs.frac, { desc: null, position: null, xor: null, mandatory: null }), true],
  ["a version as a number", (s) => Object.assign(s.inputs.frac, { min_ver: 5.0 }), true],
  ["name_source as a one-item list or a string", (s) => Object.assign(s.inputs.out_file, { name_source: "in_file" }), true],
  ["redirect_x", (s) => Object.assign(s, { redirect_x: true }), true],
  ["every type constructor", (s) => Object.assign(s.inputs, {
    a: { type: { Enum: ["x", 1] } }, b: { type: { Range: { low: 0, exclude_low: true } } }, c: { type: { List: "Int", minlen: 1, maxlen: 3 } },
    d: { type: { Tuple: ["Float", "Str"] } }, e: { type: { Either: ["File", { Directory: { exists: true } }] } }, f: { type: { Dict: "Any" } },
    g: { type: { MultiPath: { File: { exists: true, extensions: [".nii"] } } } } }), true],
  ["a misspelt key", (s) => Object.assign(s.inputs.frac, { mandatroy: true }), false],
  ["an unknown top-level key", (s) => Object.assign(s, { cmd: "bet" }), false],
  ["a position as a string", (s) => Object.assign(s.inputs.frac, { position: "1" }), false],
  ["a fractional position", (s) => Object.assign(s.inputs.frac, { position: 1.5 }), false],
  ["an input without a type", (s) => delete s.inputs.frac.type, false],
  ["an unknown type name", (s) => Object.assign(s.inputs.frac, { type: "Double" }), false],
  ["an empty Enum", (s) => Object.assign(s.inputs.frac, { type: { Enum: [] } }), false],
  ["a Range without bounds", (s) => Object.assign(s.inputs.frac, { type: { Range: { exclude_low: true } } }), false],
  ["a key beside a constructor", (s) => Object.assign(s.inputs.frac, { type: { Dict: "Int", maxlen: 2 } }), false],
  ["two constructors", (s) => Object.assign(s.inputs.frac, { type: { List: "Int", Dict: "Int" } }), false],
  ["an empty Either", (s) => Object.assign(s.inputs.frac, { type: { Either: [] } }), false],
  ["a negative minlen", (s) => Object.assign(s.inputs.center, { type: { List: "Int", minlen: -1 } }), false],
  ["mandatory as a string", (s) => Object.assign(s.inputs.frac, { mandatory: "yes" }), false],
  ["xor as a string", (s) => Object.assign(s.inputs.frac, { xor: "mask" }), false],
  ["a list of non-strings in xor", (s) => Object.assign(s.inputs.frac, { xor: [1] }), false],
  ["no command", (s) => delete s.command, false],
  ["an empty command", (s) => Object.assign(s, { command: "  " }), false],
  ["no name", (s) => delete s.name, false],
  ["inputs as a list", (s) => Object.assign(s, { inputs: [] }), false],
  ["an empty input name", (s) => Object.assign(s.inputs, { "": { type: "Int" } }), false],
  ["an unknown output key", (s) => Object.assign(s.outputs.out_file, { exists: true }), false],
  ["an output type as a number", (s) => Object.assign(s.outputs.out_file, { type: 3 }), false],
];

test("for malformed specs, the schema and the parser agree", () => {
  const disagree = [];
  for (const [what, mutate, valid] of MUTATIONS) {
    const spec = structuredClone(BET);
    mutate(spec);
    const bySchema = validate(spec);
    const byParser = parses(spec);
    assert.equal(byParser, valid, `${what}: the parser ${byParser ? "accepts" : "refuses"} it`);
    if (bySchema !== byParser) disagree.push(`${what}: schema ${bySchema}, parser ${byParser}`);
  }
  assert.deepEqual(disagree, []);
});

test("a child spec may leave its command to the parent it extends", () => {
  const child = { name: "BETChild", extends: "BET", inputs: { robust: { type: "Bool", argstr: "-R" } } };
  assert.ok(validate(child), ajv.errorsText(validate.errors));
  const iface = toolmemo.Interface.fromSpec(child, { parents: { BET } });
  assert.equal(iface.cmdline({ in_file: "f.nii", robust: true }, { files: ["f.nii"] }), "bet f.nii f_brain.nii.gz -R");
});
