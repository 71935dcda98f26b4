// Every conformance case through the wasm build under Node, in a real temporary
// directory so `exists` is checked by node:fs, as a user's call would be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, basename } from "node:path";
import { toolmemo, caseFiles, readLines, rawMember } from "./helpers.mjs";

const { Interface } = toolmemo;

function runCase(line) {
  const c = JSON.parse(line);
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-conf-"));
  const cwd = process.cwd();
  try {
    for (const f of c.files) {
      const p = join(dir, f);
      if (f.endsWith("/")) mkdirSync(p, { recursive: true });
      else {
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, "");
      }
    }
    process.chdir(dir);
    let got;
    try {
      const iface = Interface.fromSpec(rawMember(line, "spec"));
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
  test(`conformance: ${basename(file)}`, () => {
    const lines = readLines(file);
    const failures = lines.map(runCase).filter(Boolean);
    assert.ok(lines.length > 100, `only ${lines.length} cases in ${file}`);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${lines.length} cases fail`);
  });
}
