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
