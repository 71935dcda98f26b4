// Every conformance case through the wasm build under Node, in a real temporary
// directory so `exists` is checked by node:fs, as a user's call would be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, basename } from "node:path";
import { toolmemo, caseFiles, readLines, rawMember, makeCaseFiles } from "./helpers.mjs";

const { Interface } = toolmemo;

/** The spec as the case's JSON text, or (issue 16) through `toSpec()` as a plain object. */
const SPEC_FORMS = {
  text: (line) => Interface.fromSpec(rawMember(line, "spec")),
  "toSpec() object": (line) =>
    Interface.fromSpec(JSON.parse(JSON.stringify(Interface.fromSpec(rawMember(line, "spec")).toSpec()))),
};

function runCase(line, form = SPEC_FORMS.text) {
  const c = JSON.parse(line);
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-conf-"));
  const cwd = process.cwd();
  try {
    makeCaseFiles(dir, c.files);
    process.chdir(dir);
    let got;
    try {
      const iface = form(line);
      got = { cmdline: iface.cmdline(rawMember(line, "inputs")) };
    } catch (err) {
      assert.ok(err instanceof Error, `${c.id}: threw a non-Error`);
      got = { error: err.kind, message: err.message };
    }
    if ("cmdline" in c) return got.cmdline === c.cmdline ? null : `${c.id}: expected ${JSON.stringify(c.cmdline)}, got ${JSON.stringify(got)}`;
    return got.error === c.error ? null : `${c.id}: expected error[${c.error}], got ${JSON.stringify(got)}`;
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const file of caseFiles()) {
  for (const [name, form] of Object.entries(SPEC_FORMS)) {
    test(`conformance (spec as ${name}): ${basename(file)}`, () => {
      const lines = readLines(file);
      const failures = lines.map((line) => runCase(line, form)).filter(Boolean);
      assert.ok(lines.length > 100, `only ${lines.length} cases in ${file}`);
      assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${lines.length} cases fail`);
    });
  }
}
