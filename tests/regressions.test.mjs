// Regressions of bugs the reliability suite found at the wasm boundary and in
// number parsing (docs/reliability.md): each failed before its fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { toolmemo, ROOT } from "./helpers.mjs";

// wasm-bindgen passes a `String` parameter without checking that it is one:
// `mem.remove(true, true)` trapped ("memory access out of bounds", a wasm trap,
// not a JS Error). `remove`/`peek` now take any value and refuse non-strings.
test("remove and peek refuse non-string names and keys with an Error", async () => {
  const mem = await toolmemo.Memory.open({ store: "memory" });
  for (const v of [true, 42, null, undefined, {}, [], Symbol("s")]) {
    for (const f of [() => mem.remove(v, v), () => mem.peek(v, v)]) {
      try {
        await f();
      } catch (e) {
        assert.ok(!(e instanceof WebAssembly.RuntimeError), `a wasm trap for ${String(v)}: ${e.message}`);
        assert.ok(e instanceof Error);
      }
    }
  }
});

// `status(steps)` with a non-array: the TypeError escaped as an uncaught
// exception (fatal in Node) and the promise never settled.
test("status() of a non-array rejects with an Error", async () => {
  const mem = await toolmemo.Memory.open({ store: "memory" });
  const settled = await Promise.race([
    mem.status(undefined).then(() => "resolved", (e) => (e instanceof Error ? "rejected" : "rejected with a non-Error")),
    new Promise((r) => setTimeout(() => r("never settled"), 2000)),
  ]);
  assert.equal(settled, "rejected");
});

// Memory.open(options) where reading an option throws (a Proxy) returned a
// promise that never settled: the throw unwound through the wasm frame.
test("Memory.open with options that throw when read rejects", async () => {
  const proxy = new Proxy({}, { ownKeys() { throw new Error("proxy throws"); }, get() { throw new Error("proxy get"); } });
  const settled = await Promise.race([
    toolmemo.Memory.open(proxy).then(() => "resolved", () => "rejected"),
    new Promise((r) => setTimeout(() => r("never settled"), 2000)),
  ]);
  assert.notEqual(settled, "never settled");
});

// serde_json's default float parser is not always correctly rounded: JSON text
// -11184.830195270479 was read natively as a neighbouring double, so the CLI
// rendered -11184.83019527048 (nipype: -11184.830195270479) and native keys
// differed from wasm keys. Fixed by serde_json's float_roundtrip feature.
test("17-digit floats get the same key natively as in wasm", () => {
  const values = [-11184.830195270479, 0.1 + 0.2, 1 / 3, Math.PI * 1e5, 2 / 3 * 1e-10, -3.96959032630548e-19, 5e-324];
  const native = execFileSync(join(ROOT, "target/release/examples/key_of"), { input: values.map((v) => JSON.stringify(v)).join("\n") + "\n" })
    .toString().trim().split("\n");
  assert.deepEqual(values.map((v) => toolmemo.fingerprint(v)), native);
});
