// The filesystem store from Node: entries outlive the Memory that wrote them,
// values round-trip, damaged entries are recomputed, and the native build reads
// what Node wrote (one layout, docs/cache-layout.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { serialize } from "node:v8";
import { toolmemo, ROOT } from "./helpers.mjs";

const { Memory } = toolmemo;
const fresh = () => mkdtempSync(join(tmpdir(), "toolmemo-fs-"));

test("entries outlive the Memory that wrote them", async () => {
  const location = fresh();
  let runs = 0;
  const work = function work(x) {
    runs++;
    return { x, at: "first" };
  };
  const first = await Memory.open({ store: "fs", location });
  assert.deepEqual(await first.cache(work)(4), { x: 4, at: "first" });
  const second = await Memory.open({ store: "fs", location });
  assert.deepEqual(await second.cache(work)(4), { x: 4, at: "first" });
  assert.equal(runs, 1, "the second Memory hit what the first stored");
  const [entry] = await second.entries();
  assert.equal(entry.hits, 1);
  assert.ok(existsSync(join(location, "layout.json")) && existsSync(join(location, ".gitignore")));
  assert.equal((await second.clearPreviousRuns()).length, 0, "used in this run");
  assert.equal((await second.clear()).length, 1);
});

test("values round-trip through the store", async () => {
  const mem = await Memory.open({ store: "fs", location: fresh() });
  const values = [
    new Float64Array([0.5, 2]),
    new Map([[1, "one"]]),
    new Date(86400000),
    { nested: [1, "a", null, true], big: 12345678901234567890n },
    "text",
    null,
  ];
  for (const [i, v] of values.entries()) {
    const f = mem.cache(() => v, { name: `v${i}` });
    await f();
    assert.deepEqual(await f(), v);
  }
  assert.equal((await mem.stats()).hits, values.length);
});

test("values of every size read back exact from a new process's view of the folder", async () => {
  // Reads go through one reused 16 KiB buffer, then a buffer of the file's
  // size: sizes on both sides of the boundary, and well past it.
  const location = fresh();
  // The stored file holds V8's serialization: a few bytes more than the array.
  const header = serialize(new Uint8Array(16 * 1024)).length - 16 * 1024;
  const edge = 16 * 1024 - header;
  const sizes = [0, 1, edge - 1, edge, edge + 1, 3 * 1024 * 1024 + 7];
  const bytes = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) % 251);
  let computed = 0;
  // One function text for both openings (a changed text is other code: a miss).
  const cached = (mem, n) => mem.cache(() => (computed++, bytes(n)), { name: `b${n}` });
  const mem = await Memory.open({ store: "fs", location });
  for (const n of sizes) await cached(mem, n)();
  assert.equal(computed, sizes.length);
  const again = await Memory.open({ store: "fs", location });
  for (const n of sizes) assert.deepEqual(await cached(again, n)(), bytes(n), `${n} bytes`);
  assert.equal(computed, sizes.length, "every value was read back, none computed again");
});

test("a damaged value is recomputed", async () => {
  const location = fresh();
  const mem = await Memory.open({ store: "fs", location });
  let runs = 0;
  const f = mem.cache(function twice(x) { runs++; return x * 2; });
  await f(21);
  const nameDir = join(location, "twice");
  const fan = readdirSync(nameDir).find((d) => !d.startsWith("."));
  const [key] = readdirSync(join(nameDir, fan));
  writeFileSync(join(nameDir, fan, key, "value"), "garbage");
  const again = await Memory.open({ store: "fs", location });
  assert.equal(await again.cache(function twice(x) { runs++; return x * 2; })(21), 42);
  assert.equal(runs, 2);
});

test("the native build reads a cache that Node wrote", async () => {
  const location = fresh();
  const mem = await Memory.open({ store: "fs", location });
  const sq = mem.cache(function sq(x) { return x * x; });
  await sq(3);
  await sq(3);
  const lister = join(ROOT, "target/release/examples/cache_ls");
  assert.ok(existsSync(lister), "cargo test --release --features native builds examples/cache_ls");
  const listed = JSON.parse(execFileSync(lister, [location], { encoding: "utf8" }));
  const ours = await mem.entries();
  assert.deepEqual(listed.incidents, []);
  assert.deepEqual(listed.entries.map((e) => [e.name, e.key, e.hits, e.readable]), ours.map((e) => [e.name, e.key, e.hits, true]));
});

test("Node processes racing on one folder each get the result, and one whole entry stands", async () => {
  // Three processes call one slow cached function on one folder at once. The
  // filesystem store has no single-flight across processes (as joblib's has
  // none): each computes, each publishes a whole entry, the last one stands.
  // What must hold: every answer is right, nothing fails, one readable entry,
  // and a later process hits it.
  const location = fresh();
  const counter = join(location, "runs.log");
  const child = `
    const { Memory } = require(${JSON.stringify(join(ROOT, "pkg/node/toolmemo.js"))});
    const { appendFileSync } = require("node:fs");
    (async () => {
      const mem = await Memory.open({ store: "fs", location: ${JSON.stringify(location)} });
      const slow = mem.cache(async function slow(x) {
        appendFileSync(${JSON.stringify(counter)}, "run\\n");
        await new Promise((r) => setTimeout(r, 500));
        return { x, twice: 2 * x };
      });
      process.stdout.write(JSON.stringify(await slow(7)));
    })();`;
  const race = () =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ["-e", child], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`))));
    });
  const racers = (n) => Promise.all(Array.from({ length: n }, race));
  assert.deepEqual(await racers(3), [0, 1, 2].map(() => ({ x: 7, twice: 14 })));
  const entries = await (await Memory.open({ store: "fs", location })).entries();
  assert.equal(entries.length, 1, "one entry stands");
  const runs = readFileSync(counter, "utf8");
  assert.deepEqual(await racers(1), [{ x: 7, twice: 14 }]);
  assert.equal(readFileSync(counter, "utf8"), runs, "a later process hits it");
});

test("a miss leaves the process's error stacks as they were", async () => {
  // A miss's first read finds no file and is made without a stack trace
  // (crate/src/wasm/node_disk.js, openQuietly): the limit must come back.
  const location = fresh();
  const mem = await Memory.open({ store: "fs", location, durable: false });
  const twice = mem.cache(function twice(x) { return 2 * x; });
  const limit = Error.stackTraceLimit;
  assert.equal(await twice(21), 42);
  assert.equal(await twice(21), 42);
  assert.equal(Error.stackTraceLimit, limit);
  assert.ok(new Error("here").stack.split("\n").length > 1, "errors still have stacks");
  Error.stackTraceLimit = 3;
  try {
    assert.equal(await twice(4), 8);
    assert.equal(Error.stackTraceLimit, 3, "a limit the user set is kept too");
  } finally {
    Error.stackTraceLimit = limit;
  }
});

test("store 'fs' needs a location", async () => {
  await assert.rejects(Memory.open({ store: "fs" }), (e) => e.kind === "input" && /location/.test(e.message));
});

test("compress stores values smaller, and any opener reads them", async () => {
  const location = fresh();
  const mem = await Memory.open({ store: "fs", location, compress: 9 });
  const text = mem.cache(function text(n) { return "voxel ".repeat(n); });
  const value = await text(10000);
  const nameDir = join(location, "text");
  const fan = readdirSync(nameDir).find((d) => !d.startsWith("."));
  const [key] = readdirSync(join(nameDir, fan));
  const stored = statSync(join(nameDir, fan, key, "value")).size;
  assert.ok(stored < value.length / 10, `stored ${stored} bytes`);
  const plain = await Memory.open({ store: "fs", location });
  assert.equal(await plain.cache(function text(n) { return "voxel ".repeat(n); })(10000), value);
  assert.equal((await plain.stats()).hits, 1);
  await assert.rejects(Memory.open({ store: "memory", compress: true }), (e) => e.kind === "input");
  await assert.rejects(Memory.open({ store: "fs", location, compress: 12 }), (e) => e.kind === "input");
});

test("readOnly locations serve hits and are never written", async () => {
  const lab = fresh();
  const own = fresh();
  const shared = await Memory.open({ store: "fs", location: lab });
  let runs = 0;
  const atlas = function atlas(region) { runs++; return `atlas of ${region}`; };
  await shared.cache(atlas)("cortex");
  const mem = await Memory.open({ store: "fs", location: own, readOnly: [lab] });
  assert.equal(await mem.cache(atlas)("cortex"), "atlas of cortex");
  assert.equal(runs, 1, "served from the read-only location");
  await mem.cache(atlas)("thalamus");
  assert.equal(runs, 2);
  assert.deepEqual((await mem.entries()).map((e) => e.sidecar.region), ["thalamus"], "new entries go to the writable location");
  assert.equal((await shared.entries())[0].hits, 0, "the read-only entry was not touched");
});

test("a file handed over in the browser's way keys as the native runner keys the file on disk", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-handed-"));
  const spec = { name: "Count", command: "wc", inputs: { in_file: { type: { File: { exists: true } }, argstr: "%s", mandatory: true } } };
  writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
  writeFileSync(join(dir, "data.txt"), "the same bytes\n");
  const native = JSON.parse(execFileSync(join(ROOT, "target/release/toolmemo"),
    ["explain", "--json", "--spec", "spec.json", "--set", "in_file=data.txt", "--cache-dir", join(dir, "cache")],
    { cwd: dir, encoding: "utf8" }));
  const mem = await toolmemo.Memory.open({ store: "memory" });
  const pf = mem.cacheInterface(toolmemo.Interface.fromSpec(spec), async () => ({}));
  const run = await pf({ in_file: "data.txt" }, { contents: { "data.txt": "the same bytes\n" } });
  assert.equal(run.key, native.key);
});

test("a bulk eviction from Node, then from the CLI, on one folder: gone at once, folders deleted later, nothing else lost", async () => {
  const location = fresh();
  const mem = await Memory.open({ store: "fs", location });
  let runs = 0;
  const sq = mem.cache(function sq(x) { runs++; return x * x; });
  for (let i = 0; i < 30; i++) await sq(i);
  const before = await mem.entries();
  const oldest = before.sort((x, y) => x.lastAccess - y.lastAccess).slice(0, 20);
  const removed = await mem.reduceSize({ itemsLimit: 10 });
  assert.equal(removed.length, 20);
  // The entries the listing named, key for key (keys cross from wasm as bytes).
  assert.deepEqual(removed.map((m) => m.key).sort(), oldest.map((m) => m.key).sort());
  assert.deepEqual(removed.map((m) => [m.key, m.lastAccess, m.created, m.bytes]).sort(), oldest.map((m) => [m.key, m.lastAccess, m.created, m.bytes]).sort());
  // Gone at once, for the totals and for readers, before any folder is deleted.
  assert.equal((await mem.stats()).entries, 10);
  assert.equal((await mem.entries()).length, 10);
  assert.equal(await sq(0), 0);
  assert.equal(runs, 31, "an evicted call is computed again");
  assert.equal(await sq(29), 841);
  assert.equal(runs, 31, "a kept one is a hit");
  // The folders go in later tasks of the event loop.
  const evicted = join(location, ".index", "evicted");
  const pending = () => (existsSync(evicted) ? readdirSync(evicted).flatMap((g) => readdirSync(join(evicted, g))).length : 0);
  for (let i = 0; i < 200 && pending() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(pending(), 0, "every shed entry drained");
  const folders = () => readdirSync(join(location, "sq")).filter((d) => !d.startsWith(".")).flatMap((f) => readdirSync(join(location, "sq", f)));
  assert.equal(folders().length, 11, "ten kept and the one computed again");
  // The CLI evicts from the same folder; Node sees the result and keeps hitting what stayed.
  const cli = JSON.parse(execFileSync(join(ROOT, "target/release/toolmemo"), ["--cache-dir", location, "evict", "--items", "4", "--json"], { encoding: "utf8" }));
  assert.equal(cli.removed.length, 7);
  assert.equal((await mem.stats()).entries, 4);
  assert.equal(await sq(0), 0);
  assert.equal(await sq(29), 841);
  assert.equal(runs, 31, "the most recently used stayed");
  const again = await Memory.open({ store: "fs", location });
  for (let i = 0; i < 200 && pending() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(folders().length, 4, "the CLI's leftovers are deleted by the next opening");
  assert.equal((await again.entries()).length, 4);
});
