// The cost of a Memory hit from JS (issue 3), against the named peers, in one run:
//
//   small     `await cached(1, 2)` (a hit) vs lru-cache's `get` (with the key string
//             built as a caller must), a memoizee-memoized function call and
//             `await` of a p-memoize hit of an async function of the same two args
//             (keyed by both, as its default key is the first argument alone);
//   64 MiB    a hit whose argument is a 64 MiB Uint8Array (a fresh copy before each
//             call, so its content is really hashed; the copy is not timed) vs hashing
//             the same bytes with hash-wasm and with node:crypto.
//
// Prints one JSON object; bench/report.py puts it in bench/README.md.
import { createRequire } from "node:module";
import { createHash } from "node:crypto";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import pMemoize from "p-memoize"; // ESM only

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { Memory } = require(join(ROOT, "pkg/node/toolmemo.js"));
const { LRUCache } = require("lru-cache");
const memoize = require("memoizee");
const { sha256 } = require("hash-wasm");

const ns = () => process.hrtime.bigint();

async function perCallNs(fn, ms = 1500) {
  for (let i = 0; i < 2000; i++) await fn(); // warm up
  const end = performance.now() + ms;
  let calls = 0;
  const t = ns();
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) await fn();
    calls += 1000;
  }
  return Number(ns() - t) / calls;
}

function perCallNsSync(fn, ms = 1500) {
  for (let i = 0; i < 100000; i++) fn();
  const end = performance.now() + ms;
  let calls = 0;
  const t = ns();
  while (performance.now() < end) {
    for (let i = 0; i < 10000; i++) fn();
    calls += 10000;
  }
  return Number(ns() - t) / calls;
}

async function medianMs(fn, prepare, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const arg = prepare();
    const t = ns();
    await fn(arg);
    times.push(Number(ns() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const mem = await Memory.open({ store: "memory" });
const add = mem.cache(function add(a, b) { return a + b; });
await add(1, 2);
const lru = new LRUCache({ max: 1000 });
lru.set("1,2", 3);
const memo = memoize((a, b) => a + b);
memo(1, 2);
const pmemo = pMemoize(async (a, b) => a + b, { cacheKey: ([a, b]) => `${a},${b}` });
await pmemo(1, 2);

let a = 1, b = 2; // keep the key building honest
const small = {
  toolmemo_hit_ns: await perCallNs(() => add(a, b)),
  lru_cache_get_ns: perCallNsSync(() => lru.get(`${a},${b}`)),
  memoizee_hit_ns: perCallNsSync(() => memo(a, b)),
  p_memoize_hit_ns: await perCallNs(() => pmemo(a, b)),
};

const SIZE = 64 << 20;
const base = new Uint8Array(SIZE);
for (let i = 0; i < SIZE; i += 4096) base[i] = i & 255;
const big = mem.cache(function total(bytes) { return bytes.length; });
await big(base.slice());
const runs = Number(process.env.BENCH_BIG_RUNS ?? 9);
const large = {
  toolmemo_hit_ms: await medianMs((x) => big(x), () => base.slice(), runs),
  hash_wasm_ms: await medianMs((x) => sha256(x), () => base.slice(), runs),
  node_crypto_ms: await medianMs((x) => createHash("sha256").update(x).digest(), () => base.slice(), runs),
};
console.log(JSON.stringify({ node: process.version, small, large }));
