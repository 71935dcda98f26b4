// The Memory behaviour suite, shared by every store and every host: Node runs it
// on the memory, filesystem and IndexedDB (fake-indexeddb) stores
// (tests/memory.test.mjs), headless Chromium on the memory and real IndexedDB
// stores (tests/chromium.test.mjs). Only the JS API and a small assert API are used.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function counting(fn) {
  const f = (...args) => {
    f.calls++;
    return fn(...args);
  };
  f.calls = 0;
  return f;
}

/**
 * The cases: `[name, async () => ...]`. `open(options)` opens a Memory on the store
 * under test (options may name another store, e.g. 'none').
 */
export function memorySuite({ toolmemo, open, assert }) {
  const { cacheable } = toolmemo;
  return [
    ['a second call is a hit and does not run the function', async () => {
      const mem = await open();
      let runs = 0;
      const add = mem.cache(function add(a, b) {
        runs++;
        return a + b;
      });
      assert.equal(await add(1, 2), 3);
      assert.equal(await add(1, 2), 3);
      assert.equal(runs, 1);
      assert.deepEqual(await add.cacheInfo(), { hits: 1, misses: 1, currsize: 1 });
      assert.equal(await add.checkCallInCache(1, 2), true);
      assert.equal(await add.checkCallInCache(2, 2), false);
      assert.deepEqual(await mem.stats(), { hits: 1, misses: 1, entries: 1, bytes: (await mem.entries())[0].bytes });
      assert.equal(typeof add.wrapped, "function");
    }],
    ['primitive arguments: every distinct value its own entry, each hit and miss counted once', async () => {
      // Calls with a few primitives find their key by a handle kept beside the
      // function (crate/src/wasm/memory.js); values a Map confuses must not share one.
      const mem = await open();
      const seen = [];
      const echo = mem.cache(function echo(...xs) {
        seen.push(xs);
        return xs.map((x) => (Object.is(x, -0) ? "-0" : typeof x + ":" + String(x))).join("|");
      });
      const calls = [[1], ["1"], [true], [null], [undefined], [], [0], [-0], [NaN], [1, 2], [12], ["a", "b"], ["ab"], ["x".repeat(300)]];
      const first = [];
      for (const args of calls) first.push(await echo(...args));
      for (const [i, args] of calls.entries()) assert.equal(await echo(...args), first[i], JSON.stringify(args));
      // `f(undefined)` and `f()` are one call (trailing undefined arguments are
      // dropped), and so are `f(0)` and `f(-0)` (a key holds numbers by value).
      const distinct = calls.length - 2;
      assert.equal(first[calls.findIndex((a) => Object.is(a[0], -0))], "number:0");
      assert.equal(seen.length, distinct);
      assert.deepEqual(await echo.cacheInfo(), { hits: 2 * calls.length - distinct, misses: distinct, currsize: distinct });
      const stats = await mem.stats();
      assert.deepEqual([stats.hits, stats.misses], [2 * calls.length - distinct, distinct]);
      // An entry removed behind the handle is a miss again, counted once.
      await echo.cacheClear();
      assert.equal(await echo(1, 2), first[9]);
      assert.equal(seen.length, distinct + 1);
      assert.equal((await mem.stats()).misses, distinct + 1);
      assert.equal(await echo(1, 2), first[9]);
      assert.equal(seen.length, distinct + 1);
    }],
    ['results come back unchanged, and callers cannot alter the cache', async () => {
      const mem = await open();
      const values = { obj: { a: [1, "x", null, true] }, str: "s", num: 1.5, nil: null, u8: new Uint8Array([1, 2, 3]), f64: new Float64Array([0.5]), buf: new Uint8Array([9, 8]).buffer };
      for (const [name, v] of Object.entries(values)) {
        const f = mem.cache(() => v, { name });
        const first = await f();
        const second = await f();
        assert.deepEqual(second, v, name);
        if (typeof first === "object" && first !== null) {
          assert.notEqual(second, first, `${name}: a hit is a fresh copy`);
        }
      }
      const g = mem.cache(() => ({ list: [1] }), { name: "g" });
      (await g()).list.push(2);
      assert.deepEqual(await g(), { list: [1] });
    }],
    ['an ignored argument does not change the key; a changed body misses', async () => {
      const mem = await open();
      let calls = 0;
      const cached = mem.cache(function double(x, verbose) { calls++; return x * 2; }, { ignore: ["verbose"] });
      await cached(2, true);
      await cached(2, false);
      assert.equal(calls, 1);
      const byIndex = mem.cache(counting((x, log) => x), { name: "byIndex", ignore: [1] });
      assert.deepEqual(byIndex.explain(1, "a").parts, byIndex.explain(1, "b").parts);

      const v1 = mem.cache(function step(x) { return x + 1; });
      const v2 = mem.cache(function step(x) { return x + 2; });
      assert.equal(await v1(1), 2);
      assert.equal(await v2(1), 3, "a new body is a miss");
      assert.notEqual(v1.explain(1).code, v2.explain(1).code);
      assert.equal(v1.explain(1).argsKey, v2.explain(1).argsKey);
      // joblib: the old code's results are dropped when the new code first runs.
      assert.equal((await mem.entries()).filter((e) => e.name === "step").length, 1);
      // An explicit version decides instead of the source.
      const w1 = mem.cache((x) => x, { name: "w", version: "1" });
      const w2 = mem.cache((x) => x + 0, { name: "w", version: "1" });
      assert.equal(w1.explain(5).key, w2.explain(5).key);
    }],
    ['force recomputes everything, or only the named steps', async () => {
      const all = await open({ force: true });
      const f = counting((x) => x);
      const cf = all.cache(f, { name: "f" });
      await cf(1);
      await cf(1);
      assert.equal(f.calls, 2);
      const some = await open({ force: ["a"] });
      const a = counting((x) => x);
      const b = counting((x) => x);
      const ca = some.cache(a, { name: "a" });
      const cb = some.cache(b, { name: "b" });
      for (let i = 0; i < 2; i++) {
        await ca(1);
        await cb(1);
      }
      assert.equal(a.calls, 2);
      assert.equal(b.calls, 1);
    }],
    ['validate and expiresAfter refuse stale entries', async () => {
      const mem = await open();
      const f = counting((x) => x);
      let seen;
      const v = mem.cache(f, { name: "v", validate: (meta) => { seen = meta; return meta.hits < 1; } });
      await v(1);
      await v(1);
      await v(1);
      assert.equal(f.calls, 2, "the second hit is refused by validate");
      assert.equal(seen.name, "v");
      assert.ok(seen.created > 0 && "durationMs" in seen);
      const g = counting((x) => x);
      const e = mem.cache(g, { name: "e", expiresAfter: 30 });
      await e(1);
      await e(1);
      await sleep(50);
      await e(1);
      assert.equal(g.calls, 2);
    }],
    ['concurrent identical calls run once; a throwing call caches nothing', async () => {
      const mem = await open();
      const slow = counting(async (x) => {
        await sleep(20);
        return x * 3;
      });
      const c = mem.cache(slow, { name: "slow" });
      const results = await Promise.all([c(2), c(2), c(2), c(3)]);
      assert.deepEqual(results, [6, 6, 6, 9]);
      assert.equal(slow.calls, 2);
      let fail = true;
      const flaky = mem.cache(async (x) => {
        if (fail) throw new Error("boom");
        return x;
      }, { name: "flaky" });
      await assert.rejects(flaky(1), /boom/);
      assert.equal(await flaky.checkCallInCache(1), false);
      fail = false;
      assert.equal(await flaky(1), 1);
    }],
    ['arguments that cannot be fingerprinted are errors naming them', async () => {
      const mem = await open();
      const f = mem.cache((x, cb) => x, { name: "f" });
      await assert.rejects(f(1, () => 2), (e) => e.kind === "input" && /'cb'/.test(e.message) && /ignore/.test(e.message));
      const g = mem.cache((x, cb) => x, { name: "g", ignore: ["cb"] });
      assert.equal(await g(1, () => 2), 1);
      assert.throws(() => mem.cache(() => 1), (e) => e.kind === "input" && /name/.test(e.message));
      await assert.rejects(open({ bytesLimt: 5 }), (e) => e.kind === "input" && /bytesLimt/.test(e.message));
    }],
    ['a value that cannot be stored is returned, uncached', async () => {
      const mem = await open();
      const f = counting(() => ({ fn: () => 1 }));
      const c = mem.cache(f, { name: "unstorable" });
      const warn = console.warn;
      const warnings = [];
      console.warn = (m) => warnings.push(m);
      try {
        assert.equal(typeof (await c()).fn, "function");
        await c();
      } finally {
        console.warn = warn;
      }
      assert.equal(f.calls, 2);
      assert.match(warnings[0], /cannot be stored/);
    }],
    ['limits are enforced on every insert, keeping the most recently used', async () => {
      const mem = await open({ itemsLimit: 2 });
      const id = mem.cache((x) => x, { name: "id" });
      await id(1);
      await sleep(2);
      await id(2);
      await sleep(2);
      await id(1); // 1 is now more recent than 2
      await sleep(2);
      await id(3);
      const kept = (await mem.entries()).map((e) => e.sidecar.x).sort();
      assert.deepEqual(kept, [1, 3]);

      const bytes = await open({ bytesLimit: "1K" });
      const blob = bytes.cache((n) => new Uint8Array(n), { name: "blob" });
      await blob(600);
      await sleep(2);
      await blob(601);
      assert.equal((await bytes.stats()).entries, 1);
    }],
    ["stats() agrees with the entries after inserts, replacements and removals (the store's totals)", async () => {
      // Stores keep running totals (issue 15) instead of listing: they must
      // stay equal to what a listing adds up, whatever happened.
      const mem = await open();
      const agree = async (what) => {
        const entries = await mem.entries();
        const stats = await mem.stats();
        assert.deepEqual([stats.entries, stats.bytes], [entries.length, entries.reduce((n, e) => n + e.bytes, 0)], what);
      };
      const blob = mem.cache(function blob(n, tag) { return new Uint8Array(n).fill(tag.length); });
      await agree("empty");
      for (let i = 0; i < 6; i++) await blob(100 * (i + 1), "a");
      await agree("after six inserts");
      let size = 50;
      const expiring = mem.cache(function grows() { size *= 2; return new Uint8Array(size); }, { expiresAfter: "5ms" });
      await expiring();
      await sleep(10);
      await expiring(); // expired: removed, recomputed larger, stored again
      await agree("after an expired entry was replaced");
      await mem.reduceSize({ itemsLimit: 4 });
      await agree("after reduceSize");
      await blob.cacheClear();
      await agree("after clearing the function");
    }],
    ['reduceSize, clearPreviousRuns, clearRunsSince and clear return what they removed', async () => {
      const mem = await open();
      const id = mem.cache((x) => x, { name: "id" });
      for (let i = 0; i < 5; i++) {
        await id(i);
        await sleep(2);
      }
      // reduceSize returns what the index records (the filesystem store evicts
      // in bulk without reading each entry): keys, sizes, times.
      const x = new Map((await mem.entries()).map((m) => [m.key, m.sidecar.x]));
      const removed = await mem.reduceSize({ itemsLimit: 3 });
      assert.deepEqual(removed.map((m) => x.get(m.key)), [0, 1]);
      assert.ok(removed.every((m) => m.bytes > 0 && m.lastAccess >= m.created));
      const since = Date.now();
      await sleep(5);
      await id(4); // used after `since`
      const old = await mem.clearRunsSince(since);
      assert.deepEqual(old.map((m) => m.sidecar.x).sort(), [2, 3]);
      assert.equal((await mem.clearPreviousRuns()).length, 0, "everything left was used in this run");
      assert.equal((await mem.clear()).length, 1);
      assert.equal((await mem.stats()).entries, 0);
    }],
    ["ageLimit and entries' metadata", async () => {
      const mem = await open({ ageLimit: "40ms" });
      const id = mem.cache((x) => x, { name: "id" });
      await id("a");
      await sleep(60);
      await id("b");
      const entries = await mem.entries();
      assert.deepEqual(entries.map((e) => e.sidecar.x), ["b"]);
      const e = entries[0];
      assert.equal(e.kind, "function");
      assert.match(e.key, /^[0-9a-f]{64}$/);
      assert.ok(e.created <= e.lastAccess && e.hits === 0 && e.bytes > 0);
      assert.equal(e.lastRun, mem.runId);
    }],
    ["store 'none' is transparent; eval, prefix and callback", async () => {
      const none = await open({ store: "none" });
      const f = counting((x) => x);
      const c = none.cache(f, { name: "f" });
      await c(1);
      await c(1);
      assert.equal(f.calls, 2);
      const mem = await open({ prefix: "proj:" });
      assert.equal(await mem.eval(function sq(x) { return x * x; }, 9), 81);
      assert.equal((await mem.entries())[0].name, "proj:sq");
      const seen = [];
      const cb = mem.cache((x) => x + 1, { name: "cb", callback: (r) => seen.push(r) });
      await cb(1);
      await cb(1);
      assert.deepEqual(seen, [2, 2]);
    }],
    ["save/load give a value its own stored form (kwneuro's CacheSpec)", async () => {
      const mem = await open();
      class Point {
        constructor(x) { this.x = x; }
      }
      const make = mem.cache((x) => new Point(x), { name: "point", save: (p) => ({ x: p.x }), load: (s) => new Point(s.x) });
      await make(3);
      const hit = await make(3);
      assert.ok(hit instanceof Point);
      assert.equal(hit.x, 3);
    }],
    ['cacheable caches only while a Memory is active, and status reports steps', async () => {
      const f = counting((x) => x * 10);
      const step = cacheable(f, { name: "step" });
      assert.equal(step(1), 10, "inactive: a plain synchronous call");
      assert.equal(step(1), 10);
      assert.equal(f.calls, 2);
      const mem = await open();
      const out = await mem.activate(async () => [await step(1), await step(1)]);
      assert.deepEqual(out, [10, 10]);
      assert.equal(f.calls, 3);
      assert.deepEqual(await mem.status([step, "other"]), { step: true, other: false });
      assert.equal(await mem.isCached("step"), true);
      assert.equal(await mem.isCached("other"), false);
      const sq = mem.cache(function sq(x) { return x * x; });
      await sq(3);
      assert.equal(await mem.isCached(sq, 3), true);
      assert.equal(await mem.isCached(sq, 4), false);
      assert.equal(step(1), 10, "inactive again after activate");
    }],
    ['an entry can be inspected without a use, previewed for eviction and removed', async () => {
      const mem = await open();
      const f = mem.cache(function tag(x) { return { x, html: "<b>" + x + "</b>" }; });
      for (const x of [1, 2, 3]) await f(x);
      await f(1);
      const byX = new Map((await mem.entries()).map((e) => [e.sidecar.x, e]));
      const two = byX.get(2);
      assert.deepEqual(await mem.peek("tag", two.key), { x: 2, html: "<b>2</b>" });
      assert.equal(await mem.peek("tag", "0".repeat(64)), undefined);
      const after = (await mem.entries()).find((e) => e.key === two.key);
      assert.equal(after.hits, 0, "peek counts no hit");
      const preview = await mem.previewEviction({ itemsLimit: 1 });
      assert.equal(preview.length, 2);
      assert.equal((await mem.entries()).length, 3, "a preview removes nothing");
      assert.equal(await mem.remove("tag", two.key), true);
      assert.equal(await mem.remove("tag", two.key), false);
      assert.equal((await mem.entries()).length, 2);
      await assert.rejects(mem.remove("tag", "nope"), (e) => e.kind === "input");
    }],
    ['files handed over with a call enter the key by their bytes', async () => {
      const mem = await open();
      const iface = toolmemo.Interface.fromSpec({ name: "Count", command: "wc",
        inputs: { in_file: { type: { File: { exists: true } }, argstr: "%s", mandatory: true } } });
      let runs = 0;
      const pf = mem.cacheInterface(iface, async () => ({ n: ++runs }));
      const one = await pf({ in_file: "handed.txt" }, { contents: { "handed.txt": new TextEncoder().encode("one") } });
      assert.equal(one.cached, false);
      const again = await pf({ in_file: "handed.txt" }, { contents: { "handed.txt": "one" } });
      assert.equal(again.cached, true, "the same bytes, as text: a hit");
      assert.equal(again.key, one.key);
      const two = await pf({ in_file: "handed.txt" }, { contents: { "handed.txt": new TextEncoder().encode("two").buffer } });
      assert.equal(two.cached, false, "other bytes under the same name: a miss");
      assert.notEqual(two.key, one.key);
      assert.equal(runs, 2);
      assert.equal(pf.explain({ in_file: "handed.txt" }, { contents: { "handed.txt": "one" } }).key, one.key);
      await assert.rejects(pf({ in_file: "handed.txt" }, { contents: { "handed.txt": 5 } }), (e) => e.kind === "input");
      await assert.rejects(pf({ in_file: "handed.txt" }, { content: {} }), (e) => e.kind === "input");
    }],
  ];
}
