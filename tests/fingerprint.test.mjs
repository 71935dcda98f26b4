// The golden keys of tests/vectors/fingerprint.jsonl, computed from real JS values
// through the package: the same keys as native and wasm-in-Rust tests compute.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { toolmemo, ROOT, readLines, decodeVector } from "./helpers.mjs";

test("golden fingerprint keys agree with the native ones", () => {
  const lines = readLines(join(ROOT, "tests/vectors/fingerprint.jsonl")).map((l) => JSON.parse(l));
  assert.ok(lines.length >= 30);
  const wrong = lines
    .map((v) => ({ name: v.name, want: v.key, got: toolmemo.fingerprint(decodeVector(v.value)) }))
    .filter((r) => r.got !== r.want);
  assert.deepEqual(wrong, []);
});

test("a cached call's key is the function key of its named arguments", async () => {
  const mem = await toolmemo.Memory.open({ store: "memory" });
  const add = mem.cache(function add(a, b) { return a + b; }, { version: "1" });
  const why = add.explain(1, 2);
  const args = readLines(join(ROOT, "tests/vectors/fingerprint.jsonl")).map((l) => JSON.parse(l)).find((v) => v.name === "arguments of add(1, 2)");
  assert.equal(why.code, "v:1");
  assert.equal(why.argsKey, toolmemo.fingerprint({ a: 1, b: 2 }));
  assert.notEqual(why.argsKey, args.key, "arguments go by name, not position");
  assert.equal(toolmemo.fingerprint({ 0: 1, 1: 2 }), args.key);
});
