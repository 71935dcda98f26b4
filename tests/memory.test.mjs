// Memory through the JS API under Node: the shared behaviour suite
// (tests/suites/memory.mjs) on every store Node has, plus what needs Node's
// filesystem (cached interface runs on real files) and fingerprints.
// Node has no IndexedDB; fake-indexeddb gives it one, so the IndexedDB store runs
// the suite here too (and on the real thing in tests/chromium.test.mjs).
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolmemo, ROOT } from "./helpers.mjs";
import { memorySuite } from "./suites/memory.mjs";

const { Memory, Interface, fingerprint } = toolmemo;

// The behaviour suite runs against every store: in memory, on disk, IndexedDB.
const STORES = ["memory", "fs", "indexeddb"];
let databases = 0;
function open(store, options = {}) {
  const chosen = options.store ?? store;
  const where =
    chosen === "fs" ? { location: mkdtempSync(join(tmpdir(), "toolmemo-mem-")) } : chosen === "indexeddb" ? { name: `suite-${process.pid}-${databases++}` } : {};
  return Memory.open({ ...options, ...where, store: chosen });
}
for (const store of STORES) {
  for (const [name, fn] of memorySuite({ toolmemo, open: (options) => open(store, options), assert })) {
    test(`[${store}] ${name}`, fn);
  }

  test(`[${store}] cacheInterface is nipype's PipeFunc: run once per inputs, files by content`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "toolmemo-iface-"));
    const here = process.cwd();
    process.chdir(dir);
    try {
      writeFileSync("f3.nii", "voxels");
      const bet = Interface.fromSpec(JSON.parse(readFileSync(join(ROOT, "examples/BET.json"), "utf8")));
      const mem = await open(store);
      let runs = 0;
      const pf = mem.cacheInterface(bet, async (inputs, cmdline) => {
        runs++;
        return { out_file: inputs.in_file.replace(".nii", "_brain.nii.gz"), cmdline };
      });
      const first = await pf({ in_file: "f3.nii", frac: 0.5 });
      assert.equal(first.cached, false);
      assert.equal(first.cmdline, "bet f3.nii f3_brain.nii.gz -f 0.50");
      assert.deepEqual(first.outputs, { out_file: "f3_brain.nii.gz", cmdline: first.cmdline });
      const second = await pf({ in_file: "f3.nii", frac: 0.5 });
      assert.equal(second.cached, true);
      assert.equal(second.key, first.key);
      assert.equal(runs, 1);
      // Same path, new content: a miss.
      writeFileSync("f3.nii", "other voxels");
      assert.equal((await pf({ in_file: "f3.nii", frac: 0.5 })).cached, false);
      const why = pf.explain({ in_file: "f3.nii", frac: 0.6 });
      assert.equal(why.kind, "interface");
      assert.match(why.parts.frac, /^[0-9a-f]{64}$/);
      assert.match(why.code, /^spec:[0-9a-f]{64}$/);
      await assert.rejects(pf({ frac: 0.5 }), (e) => e.kind === "mandatory");
      const entry = (await mem.entries()).find((e) => e.kind === "interface");
      assert.equal(entry.name, "BET");
      assert.equal(entry.sidecar.inputs.frac, 0.5);
    } finally {
      process.chdir(here);
    }
  });
}

test("fingerprint: types matter, key order does not", () => {
  assert.equal(fingerprint({ a: 1, b: [2, "x"] }), fingerprint({ b: [2, "x"], a: 1 }));
  assert.notEqual(fingerprint(1), fingerprint("1"));
  assert.notEqual(fingerprint(null), fingerprint(undefined));
  assert.notEqual(fingerprint(new Uint8Array([1])), fingerprint(new Int8Array([1])));
  assert.notEqual(fingerprint(1e-11), fingerprint(0));
  const big = new Uint8Array(1 << 20).fill(7);
  assert.equal(fingerprint(big), fingerprint(big.slice()), "large buffers by content, whichever sha256 computes them");
  assert.throws(() => fingerprint(() => 1), (e) => e.kind === "input");
  assert.throws(() => fingerprint(Symbol("s")), (e) => e.kind === "input");
});
