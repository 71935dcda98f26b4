// The shared Memory suite in real headless Chromium (Debian's, driven by
// playwright-core), on the memory store and on the browser's own IndexedDB; and
// an entry that survives reloading the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT } from "./helpers.mjs";
import { serve } from "./serve.mjs";

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function withPage(fn) {
  const server = await serve(ROOT);
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "toolmemo-chromium-")), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ARGS,
    headless: true,
  });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.stack));
    await fn(page, server.url);
    assert.deepEqual(errors, [], "no uncaught error in the page");
  } finally {
    await context.close();
    await server.close();
  }
}

async function results(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.__suite && window.__suite.done, null, { timeout: 120_000 });
  const r = await page.evaluate(() => window.__suite);
  assert.equal(r.fatal, undefined, r.fatal);
  return r;
}

test("the Memory suite passes in Chromium, on the memory store and on IndexedDB", async () => {
  await withPage(async (page, base) => {
    const r = await results(page, `${base}/tests/browser/index.html`);
    const failed = r.results.filter((x) => !x.ok);
    assert.ok(r.results.length >= 28, `only ${r.results.length} cases ran`);
    assert.ok(r.results.some((x) => x.name.startsWith("[indexeddb]")));
    assert.deepEqual(failed, []);
  });
});

test("IndexedDB entries survive reloading the page", async () => {
  await withPage(async (page, base) => {
    const first = await results(page, `${base}/tests/browser/index.html?phase=write`);
    assert.equal(first.persistence.runs, 1);
    await page.reload();
    const second = await results(page, `${base}/tests/browser/index.html?phase=read`);
    assert.equal(second.persistence.runs, 0, "a hit after the reload: the function did not run");
    assert.deepEqual(second.persistence.value, { x: 42, typed: [7, 8], isTyped: true });
    assert.equal(second.persistence.entries, 1);
  });
});

test("a full IndexedDB: the least recently used make room; a value larger than the quota is a clear error and loses nothing", async () => {
  await withPage(async (page, base) => {
    await page.goto(`${base}/tests/browser/blank.html`);
    // DevTools' "simulate a custom storage quota": 3 MB for this origin.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin: new URL(base).origin, quotaSize: 3_000_000 });
    await page.reload();
    const r = await page.evaluate(async () => {
      const { Memory } = await import("/pkg/entry/browser.mjs");
      const mem = await Memory.open({ store: "indexeddb", name: "quota" });
      // Incompressible values (Chromium compresses what it stores).
      const noise = (n, tag) => {
        const a = new Uint8Array(n);
        for (let o = 0; o < n; o += 65536) crypto.getRandomValues(a.subarray(o, Math.min(n, o + 65536)));
        a[0] = tag;
        return a;
      };
      const big = mem.cache(function big(i) { return noise(400_000, i); });
      const failures = [];
      for (let i = 0; i < 16; i++) {
        try {
          const v = await big(i);
          if (v.length !== 400_000 || v[0] !== i) failures.push(`${i}: wrong value`);
        } catch (e) {
          failures.push(`${i}: ${e.kind} ${e.message}`);
        }
      }
      const cached = [];
      for (let i = 0; i < 16; i++) if (await big.checkCallInCache(i)) cached.push(i);
      const before = (await mem.entries()).length;
      let huge = null;
      try {
        await mem.cache(function huge() { return noise(4_000_000, 1); })();
      } catch (e) {
        huge = { kind: e.kind, message: e.message };
      }
      const after = [];
      for (let i = 0; i < 16; i++) if (await big.checkCallInCache(i)) after.push(i);
      const again = await big(15); // still a hit, the value whole
      return { failures, cached, before, huge, after, again: [again.length, again[0]] };
    });
    assert.deepEqual(r.failures, [], "every call returned its value, the store making room as needed");
    assert.ok(r.cached.length >= 3 && r.cached.length < 16, `some entries were evicted: ${r.cached}`);
    assert.deepEqual(r.cached, r.cached.map((_, j) => 16 - r.cached.length + j), `the most recently used stayed: ${r.cached}`);
    assert.equal(r.before, r.cached.length);
    assert.equal(r.huge?.kind, "store", JSON.stringify(r.huge));
    assert.match(r.huge.message, /full/);
    assert.ok(r.after.length >= 1 && r.after.includes(15), `what fit stayed: ${r.after}`);
    assert.deepEqual(r.again, [400_000, 15]);
  });
});
