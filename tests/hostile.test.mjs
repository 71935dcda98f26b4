// No panic crosses the wasm boundary: every export of the Node package is fed
// hostile values (wrong types, huge strings, deep nesting, NaN, cyclic
// objects, throwing getters, proxies) and must either work or throw (or reject
// with) a JS Error — never a WebAssembly.RuntimeError (a Rust panic or an
// abort), and the module must keep working afterwards. Also: random JS values
// get the same keys in wasm as their JSON gets natively (examples/key_of).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolmemo, ROOT } from "./helpers.mjs";

const BET = readFileSync(join(ROOT, "examples/BET.json"), "utf8");

function cyclic() {
  const o = { a: 1 };
  o.self = o;
  return o;
}
function deep(n) {
  let v = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}
function deepObject(n) {
  let v = {};
  for (let i = 0; i < n; i++) v = { x: v };
  return v;
}
const throwing = { get in_file() { throw new Error("getter throws"); } };
const proxy = new Proxy({}, { ownKeys() { throw new Error("proxy throws"); }, get() { throw new Error("proxy get"); } });

const HOSTILE = {
  undefined: undefined,
  null: null,
  true: true,
  zero: 0,
  NaN: NaN,
  Infinity: Infinity,
  negZero: -0,
  huge: 1e308 * 10,
  bigint: 2n ** 100n,
  symbol: Symbol("s"),
  function: () => 1,
  emptyString: "",
  hugeString: "x".repeat(8 * 1024 * 1024),
  badJson: "{\"name\": ",
  controlChars: "\u0000\u0007\u001b[31m\n",
  loneSurrogate: "\ud800",
  deepArray: deep(100000),
  deepObject: deepObject(5000),
  cyclic: cyclic(),
  cyclicArray: (() => { const a = []; a.push(a); return a; })(),
  throwingGetter: throwing,
  proxy,
  map: new Map([[1, 2]]),
  set: new Set([1]),
  date: new Date(NaN),
  typed: new Float64Array([NaN, Infinity]),
  nanInside: { in_file: "a.nii", frac: NaN },
  wrongTypes: { in_file: 3, frac: "x", center: { a: 1 } },
  manyKeys: Object.fromEntries(Array.from({ length: 100000 }, (_, i) => [`k${i}`, i])),
  hugeList: { in_file: "a", center: Array.from({ length: 1000000 }, (_, i) => i) },
};

class Hang extends Error {
  constructor(what) { super(`${what}: never settled within 5 s`); }
}

/** Calls f; a throw or rejection must be an Error and not a wasm trap. */
async function survives(what, f) {
  let result;
  try {
    result = f();
    if (result && typeof result.then === "function") {
      let timer;
      const hang = new Promise((_, reject) => { timer = setTimeout(() => reject(new Hang(what)), 5000); });
      try { result = await Promise.race([result, hang]); } finally { clearTimeout(timer); }
    }
  } catch (e) {
    if (e instanceof Hang) throw e;
    assert.ok(e instanceof Error, `${what}: threw a non-Error ${String(e)}`);
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: a wasm trap (panic or abort): ${e.message}`);
    assert.ok(!/unreachable|panicked|RuntimeError/.test(String(e.message)), `${what}: ${e.message}`);
    return "error";
  }
  return result === undefined ? "ok" : "value";
}

function stillWorks() {
  const bet = toolmemo.Interface.fromSpec(BET);
  assert.equal(bet.cmdline({ in_file: "f3.nii", frac: 0.5, mask: true }, { files: ["f3.nii"] }), "bet f3.nii f3_brain.nii.gz -f 0.50 -m");
}

test("every export survives hostile values with a JS Error or a result", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-hostile-"));
  const bet = toolmemo.Interface.fromSpec(BET);
  const mem = await toolmemo.Memory.open();
  const fsMem = await toolmemo.Memory.open({ store: "fs", location: join(dir, "cache") }).catch(() => null);
  const cached = mem.cache(function f(a, b) { return [a, b]; }, { version: "1" });
  const runner = mem.cacheInterface ? mem.cacheInterface(bet, () => ({})) : null;
  const calls = [];
  for (const [name, v] of Object.entries(HOSTILE)) {
    calls.push([`Interface.fromSpec(${name})`, () => toolmemo.Interface.fromSpec(v)]);
    calls.push([`Interface.fromSpec(BET, {parents: ${name}})`, () => toolmemo.Interface.fromSpec(BET, { parents: v })]);
    calls.push([`Interface.fromSpec(BET, ${name})`, () => toolmemo.Interface.fromSpec(BET, v)]);
    calls.push([`cmdline(${name})`, () => bet.cmdline(v)]);
    calls.push([`cmdline(ok, ${name})`, () => bet.cmdline({ in_file: "f3.nii" }, v)]);
    calls.push([`validate(${name})`, () => bet.validate(v)]);
    calls.push([`bind(${name})`, () => bet.bind(v)]);
    calls.push([`fingerprint(${name})`, () => toolmemo.fingerprint(v)]);
    calls.push([`cached.call(${name})`, () => cached(v, v)]);
    calls.push([`cached.explain(${name})`, () => cached.explain?.(v)]);
    calls.push([`Memory.open(${name})`, () => toolmemo.Memory.open(v)]);
    calls.push([`Memory.open({store: ${name}})`, () => toolmemo.Memory.open({ store: v, location: v })]);
    calls.push([`mem.cache(${name})`, () => mem.cache(v, v)]);
    calls.push([`mem.cacheInterface(${name})`, () => mem.cacheInterface(v, v)]);
    calls.push([`mem.reduceSize(${name})`, () => mem.reduceSize(v)]);
    calls.push([`mem.reduceSize({bytes: ${name}})`, () => mem.reduceSize({ bytes: v, items: v, age: v })]);
    calls.push([`mem.previewEviction(${name})`, () => mem.previewEviction(v)]);
    calls.push([`mem.remove(${name})`, () => mem.remove(v, v)]);
    calls.push([`mem.peek(${name})`, () => mem.peek(v, v)]);
    calls.push([`mem.clearRunsSince(${name})`, () => mem.clearRunsSince(v)]);
    calls.push([`mem.status(${name})`, () => mem.status(v)]);
    calls.push([`mem.status([${name}])`, () => mem.status([v])]);
    calls.push([`mem.activate(${name})`, () => mem.activate(v)]);
    calls.push([`toolmemo.cacheable(${name})`, () => toolmemo.cacheable(v, v)]);
    if (runner) calls.push([`runner(${name})`, () => runner(v)]);
    if (fsMem) {
      const fsCached = fsMem.cache(function g(a) { return a; }, { version: "1" });
      calls.push([`fs cached(${name})`, () => fsCached(v)]);
      calls.push([`fs peek(${name})`, () => fsMem.peek(v, v)]);
    }
  }
  const outcomes = { ok: 0, value: 0, error: 0 };
  for (const [what, f] of calls) {
    if (process.env.HOSTILE_TRACE) console.log(what);
    outcomes[await survives(what, f)]++;
  }
  stillWorks();
  await mem.clear();
  rmSync(dir, { recursive: true, force: true });
  console.log(`hostile: ${calls.length} calls, ${outcomes.error} JS Errors, ${outcomes.ok + outcomes.value} results, 0 traps`);
  assert.ok(outcomes.error > calls.length / 4, "most hostile values are refused");
});

test("specific hostile values are clear errors of the right kind", () => {
  const bet = toolmemo.Interface.fromSpec(BET);
  const kind = (f) => { try { f(); return null; } catch (e) { return e.kind ?? e.name; } };
  assert.equal(kind(() => bet.cmdline(cyclic())), "input");
  assert.equal(kind(() => bet.cmdline({ in_file: "a.nii", frac: NaN })), "input");
  assert.equal(kind(() => bet.cmdline({ in_file: deep(100000) })), "input");
  assert.equal(kind(() => toolmemo.Interface.fromSpec(HOSTILE.badJson)), "spec");
  assert.equal(kind(() => toolmemo.Interface.fromSpec(cyclic())), "spec");
  assert.equal(kind(() => toolmemo.fingerprint(cyclic())), "input");
  assert.equal(kind(() => toolmemo.fingerprint(Symbol("s"))), "input");
  assert.equal(kind(() => bet.cmdline({ in_file: "f3.nii", frac: "x" }, { files: ["f3.nii"] })), "type");
  const wide = toolmemo.Interface.fromSpec({ name: "W", command: "w", inputs: { x: { type: "Int", argstr: "%99999999999d" } } });
  assert.match(String(kind(() => wide.cmdline({ x: 1 }))), /.+/);
  stillWorks();
});

/** A seeded generator of JSON-able JS values (integers within 2^53, finite floats). */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 2 ** 32);
}
function value(r, depth) {
  const t = Math.floor(r() * (depth > 0 ? 9 : 7));
  switch (t) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor((r() - 0.5) * 2 ** 53);
    case 3: return Math.floor((r() - 0.5) * 2000);
    // Any double: 17 significant digits, tiny and huge magnitudes.
    case 4: return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 5: return [0.1, 1e-7, 1e21, 2.5e-7, 0.5, 123456.789, -0.75][Math.floor(r() * 7)];
    case 6: return Array.from({ length: Math.floor(r() * 6) }, () => String.fromCharCode(32 + Math.floor(r() * 0x2000))).join("");
    case 7: return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth - 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`k${Math.floor(r() * 5)}${i}`, value(r, depth - 1)]));
  }
}

test("random JS values get the same keys in wasm as their JSON natively", () => {
  const exe = join(ROOT, "target/release/examples/key_of");
  assert.ok(existsSync(exe), `${exe} is not built (cargo test --release --features native builds it)`);
  const r = rng(20261122);
  const values = Array.from({ length: 5000 }, () => value(r, 3));
  const native = execFileSync(exe, { input: values.map((v) => JSON.stringify(v)).join("\n") + "\n", maxBuffer: 1 << 26 })
    .toString().trim().split("\n");
  assert.equal(native.length, values.length);
  // docs/fingerprint.md: an integral JS number beyond ±(2^53−1) is a float
  // (tag D), while JSON text gives an integer; those values differ by design.
  const unsafe = (v) => typeof v === "number" ? Number.isInteger(v) && !Number.isSafeInteger(v)
    : v && typeof v === "object" ? Object.values(v).some(unsafe) : false;
  const wrong = values.map((v, i) => [v, toolmemo.fingerprint(v), native[i]]).filter(([v, w, n]) => w !== n && !unsafe(v));
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of ${values.length} values differ`);
  const same = values.filter((v) => !unsafe(v)).length;
  console.log(`cross-target keys: ${same} values equal in wasm and natively; ${values.length - same} with integers beyond 2^53 excluded by design`);
  assert.ok(same > 4000);
  // Key order of objects never matters.
  const flip = (v) => Array.isArray(v) ? v.map(flip) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, flip(x)])) : v;
  for (const v of values.slice(0, 1000)) assert.equal(toolmemo.fingerprint(flip(v)), toolmemo.fingerprint(v));
});
