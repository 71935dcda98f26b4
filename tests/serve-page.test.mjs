// The page in headless Chromium (Debian's, driven by playwright-core) against
// a real `toolmemo serve` over a cache made by `toolmemo run`: the entries
// listed with their sizes and details, one deleted (and gone from the
// folder), a spec run from the composer (a counter: its output shown as it
// comes, then again a hit), a page without the token that lists nothing.
//
//   TOOLMEMO_BIN=/path/to/toolmemo node --test tests/serve-page.test.mjs
//   TOOLMEMO_DOCS_SCREENSHOTS=1 ... also writes docs/screenshots/serve-*.png
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { fixture, startServe } from "./serve-fixture.mjs";
import { ARGS, EXECUTABLE, openBrowser, shoot as shootPage } from "./page-browser.mjs";

let fx;
let srv;
let browser;
let page;
const problems = [];

before(async () => {
  fx = fixture();
  srv = await startServe(fx);
  browser = await openBrowser(problems);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  fx?.remove();
});

async function ready(p = page) {
  await p.waitForFunction(() => document.body.dataset.ready);
  assert.equal(await p.evaluate(() => document.body.dataset.ready), "true", await p.textContent("#boot"));
}

const shoot = (name) => shootPage(page, name);

function noProblems() {
  assert.deepEqual(problems.splice(0), [], "no error in the page");
}

const rows = () => page.locator("#entries tbody tr");

test("the page opened with the printed URL is connected to the cache folder", async () => {
  await page.goto(`${srv.url}#inspector`);
  await ready();
  assert.equal(new URL(page.url()).search, "", "the token left the address bar");
  assert.equal(await page.evaluate(() => document.body.dataset.mode), "server");
  assert.match(await page.textContent("#mode"), new RegExp(`Connected to the cache folder ${fx.cache}`));
  assert.match(await page.textContent("#store"), /on the machine running toolmemo serve/);
  noProblems();
});

test("the entries made by `toolmemo run` are listed with their sizes and details", async () => {
  assert.equal(await rows().count(), 1);
  const sort = page.locator('#entries tbody tr[data-name="Sort"]');
  const bytes = Number(await sort.locator("td").nth(3).getAttribute("data-bytes"));
  assert.ok(bytes > 0);
  assert.equal(await page.getAttribute("#totals .big", "data-entries"), "1");
  assert.equal(await page.textContent("#entry-count"), "1");
  await sort.getByRole("button").click();
  const details = page.locator("#details");
  await details.locator(".entry-outputs").waitFor();
  assert.match(await details.locator("pre.cmdline").textContent(), /^sort -n -o numbers_sorted\.txt \S+numbers\.txt$/);
  assert.match(await details.locator("table.inputs").textContent(), /numerictrue/);
  assert.match(await details.locator('[data-output="out_file"]').textContent(), /numbers_sorted\.txt6 bytesdownload$/);
  // Its output saves as a file (the cookie authorizes the link).
  const [saved] = await Promise.all([page.waitForEvent("download"), details.locator('[data-output="out_file"] a.download').click()]);
  assert.equal(saved.suggestedFilename(), "numbers_sorted.txt");
  assert.equal(readFileSync(await saved.path(), "utf8"), "1\n2\n3\n");
  assert.match(await details.locator(".run-facts").textContent(), /Exit status0/);
  assert.match(await details.locator(".folder").textContent(), new RegExp(fx.cache));
  await shoot("serve-inspector");
  noProblems();
});

test("deleting an entry in the page removes it from the folder", async () => {
  const key = await page.getAttribute('#entries tbody tr[data-name="Sort"]', "data-key");
  const dir = join(fx.cache, "Sort", key.slice(0, 2), key);
  assert.ok(existsSync(dir));
  await page.getByRole("button", { name: "Delete this entry" }).click();
  await page.waitForFunction(() => document.querySelectorAll("#entries tbody tr").length === 0);
  assert.equal(existsSync(dir), false, "gone from the cache folder");
  const left = readdirSync(join(fx.cache, "Sort"))
    .filter((kk) => !kk.startsWith("."))
    .flatMap((kk) => readdirSync(join(fx.cache, "Sort", kk)));
  assert.deepEqual(left, [], "no entry left under Sort/");
  assert.match(await page.textContent("#entries-note"), /The cache is empty/);
  noProblems();
});

test("a spec from the server's folder runs from the composer: output as it comes, then a hit", async () => {
  await page.click("#tab-composer");
  await page.click("#spec-server-button");
  const files = page.locator("#files-dialog");
  await files.locator('[data-path="specs"] button').click();
  await files.locator('[data-path="specs/Counter.json"] button').click();
  await page.waitForSelector("#composer:not([aria-busy])");
  assert.ok(await page.locator("#spec-error").isHidden(), await page.textContent("#spec-error"));
  assert.equal(await page.textContent("#spec-head h2"), "Counter");
  assert.ok(await page.locator("#run-panel").isVisible(), "every spec can run with a server");
  assert.equal(await page.textContent("#run-title"), "Run on the server");

  // The file input, chosen with the file browser (rooted at --root).
  await page.locator('[data-input="in_file"] button.browse').click();
  await files.locator('[data-path="data"] button').click();
  await files.locator('[data-path="data/notes.txt"] button').click();
  assert.equal(await page.inputValue("#in-in_file"), "data/notes.txt");
  assert.equal(await page.getAttribute("#cmdline", "data-state"), "ok");

  await page.click("#run");
  // While it runs: the state, and what it printed so far.
  await page.waitForFunction(() => document.querySelector("#run-stdout").textContent.startsWith("counting"));
  assert.equal(await page.locator("#run-status .badge.running").count(), 1, "it says it is running");
  assert.equal(fx.runs(), 0, "still running: its output came before its end");
  await page.waitForFunction(() => document.querySelector("#run-status").dataset.cached === "false");
  assert.match(await page.textContent("#run-status"), /^cache miss Ran in/);
  assert.match(await page.textContent("#run-stdout"), /^counting \S+notes\.txt\nlines: 2\n$/);
  assert.equal(await page.textContent("#run-stderr"), "a note on stderr\n");
  assert.equal(fx.runs(), 1);
  await shoot("serve-composer");

  await page.click("#run");
  await page.waitForFunction(() => document.querySelector("#run-status").dataset.cached === "true");
  assert.match(await page.textContent("#run-status"), /^cache hit Returned in .+ without running/);
  assert.match(await page.textContent("#run-stdout"), /lines: 2/, "the output, replayed from the cache");
  assert.equal(fx.runs(), 1, "the tool did not run again");
  assert.deepEqual(await page.locator("#run-history .badge").allTextContents(), ["hit", "miss"]);

  await page.click("#tab-inspector");
  await page.waitForFunction(() => document.querySelectorAll("#entries tbody tr").length === 1);
  assert.equal(await page.getAttribute("#entries tbody tr", "data-name"), "Counter");

  // Eviction over the folder: a preview names what would go and removes nothing.
  await page.fill('#evict-form [name="itemsLimit"]', "0");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.locator("#evict-preview .doomed-list").waitFor();
  assert.match(await page.textContent("#evict-preview"), /^1 entry \(.+\) would be removed/);
  assert.equal(await page.locator("#entries tbody tr.doomed").count(), 1);
  await page.getByRole("button", { name: "Cancel" }).click();
  assert.match(await page.textContent("#evict-preview"), /Nothing was removed/);
  assert.equal(fx.runs(), 1);
  noProblems();
});

test("a file outside --root cannot be used: the run is refused with the path error", async () => {
  await page.click("#tab-composer");
  await page.fill("#in-in_file", "../outside/secret.txt");
  await page.click("#run");
  await page.waitForFunction(() => document.querySelector("#run-status").dataset.cached === "error");
  assert.match(await page.textContent("#run-status"), /outside the folder this server may use/);
  problems.splice(0); // the refused request is logged by the browser as a failed resource
});

test("a page without the token lists nothing and says why", async () => {
  // Another browser: no cookie, no token.
  const browser = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true });
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  try {
    await p.goto(`${srv.base}/#inspector`);
    await ready(p);
    assert.equal(await p.evaluate(() => document.body.dataset.mode), "locked");
    assert.match(await p.textContent("#mode"), /not connected: open the URL that toolmemo serve printed/);
    assert.equal(await p.locator("#entries tbody tr").count(), 0);
    assert.equal(await p.getAttribute("#totals .big", "data-entries"), "0");
    // The server has an entry (the counter's): the page without the token sees none of it.
    assert.equal(fx.runs(), 1);
  } finally {
    await browser.close();
  }
});
