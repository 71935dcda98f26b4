// Eviction at the sizes caches reach (issue 15), from Node: the cost of a
// cached call's miss (which inserts) into the filesystem store with
// `itemsLimit` set, once the store is full (each insert evicts the least
// recently used entry), at 400 and at 20,000 entries; and `reduceSize` to half
// of 20,000 entries. The same Rust store as natively, over node:fs. Prints one
// JSON object (µs per insert, ms); bench/eviction.rs is the native side, and
// bench/eviction_rounds.py runs both next to joblib, round after round.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { Memory } = require(join(ROOT, "pkg/node/toolmemo.js"));

const firstCallMs = {};

async function filled(n, options = {}) {
  const location = mkdtempSync(join(tmpdir(), "toolmemo-evict-"));
  const fill = await Memory.open({ location, durable: false });
  const filling = fill.cache(function ident(i) { return i; });
  for (let i = 0; i < n; i++) await filling(i);
  const mem = await Memory.open({ location, durable: false, ...options });
  const ident = mem.cache(function ident(i) { return i; });
  // A cached function's first call checks its code against the stored
  // entries (joblib's drop of an old version's results): once per function
  // and process, by a walk, so not part of what an insert costs. Timed apart.
  const t = performance.now();
  if (n > 0) await ident(n - 1);
  firstCallMs[n] = performance.now() - t;
  return { mem, location, ident };
}

async function insertUs(n) {
  const { location, ident } = await filled(n, { itemsLimit: n });
  const calls = 1000;
  const t = performance.now();
  for (let i = n; i < n + calls; i++) await ident(i);
  const us = ((performance.now() - t) * 1000) / calls;
  rmSync(location, { recursive: true, force: true });
  return us;
}

/** µs per miss (a cached call that computes and writes its entry) without limits: joblib's miss's counterpart. */
async function missUs(calls = 2000) {
  const { location, ident } = await filled(0);
  const t = performance.now();
  for (let i = 0; i < calls; i++) await ident(i);
  const us = ((performance.now() - t) * 1000) / calls;
  rmSync(location, { recursive: true, force: true });
  return us;
}

async function reduceMs(n) {
  const { mem, location } = await filled(n);
  const t = performance.now();
  const removed = await mem.reduceSize({ itemsLimit: n / 2 });
  const ms = performance.now() - t;
  if (removed.length !== n / 2) throw new Error(`removed ${removed.length}, not ${n / 2}`);
  rmSync(location, { recursive: true, force: true });
  return ms;
}

/** The same reduction, but the process's second: V8 runs a wasm function's
 * first calls as baseline code and optimizes it in the background, for
 * later calls (never within a call), so the first reduction in a process
 * (what `reduce_20k_ms` times, what a script that opens, reduces and ends
 * pays) runs mostly unoptimized code. */
async function reduceAgainMs(n) {
  await reduceMs(n);
  await new Promise((done) => setTimeout(done, 500));
  return reduceMs(n);
}

// BENCH_ONLY=reduce_20k_ms,miss_us (names, comma-separated) measures only those.
const only = process.env.BENCH_ONLY?.split(",");
const figures = {
  miss_us: () => missUs(),
  insert_400_us: () => insertUs(400),
  insert_20k_us: () => insertUs(20_000),
  reduce_20k_ms: () => reduceMs(20_000),
  reduce_20k_again_ms: () => reduceAgainMs(20_000),
};
const out = {};
for (const [name, measure] of Object.entries(figures)) out[name] = !only || only.includes(name) ? await measure() : null;
out.first_call_400_ms = firstCallMs[400] ?? null;
out.first_call_20k_ms = firstCallMs[20_000] ?? null;
console.log(JSON.stringify(out));
