// The web page (index.html, www/) end to end in headless Chromium (Debian's,
// driven by playwright-core), served by scripts/serve.mjs as `npm start`
// serves it. The tests share one browser profile and run in order: what the
// composer runs is what the inspector finds after a reload.
//
// Screenshots go to tests/screenshots/ (not committed); with
// TOOLMEMO_DOCS_SCREENSHOTS=1 the two views are also written to
// docs/screenshots/ for the README.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { serve } from "../scripts/serve.mjs";
import { openBrowser, shoot as shootPage } from "./page-browser.mjs";

// What toolmemo renders for these BET inputs (computed once with pkg/node and
// written here, so the page is checked end to end against a fixed answer).
const BET_LINE = "bet f3.nii f3_brain.nii.gz -c 10 20 30 -f 0.50 -m";
const BET_LINE_B = "bet f3.nii f3_brain.nii.gz -c 10 20 30 -f 0.50 -m -B";
const CENTER_ERROR =
  "BET: input 'center' must be a list of at most 3 items which are an integer, but a value of [10, 2.5, 30] <class 'list'> was specified";
const NOTES = "one two three\nfour five\n";

let server;
let browser;
let page;
const problems = [];

before(async () => {
  server = await serve({ port: 0 });
  browser = await openBrowser(problems);
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url.replace(/\/$/, "") });
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the page at `path` and waits until it has started. */
async function open(path = "") {
  await page.goto(server.url + path);
  await page.waitForFunction(() => document.body.dataset.ready);
  assert.equal(await page.evaluate(() => document.body.dataset.ready), "true", await page.textContent("#boot"));
}

const field = (name) => page.locator(`[data-input="${name}"]`);
const cmdline = async () => ({ state: await page.getAttribute("#cmdline", "data-state"), text: await page.textContent("#cmdline") });
const rows = () => page.locator("#entries tbody tr");

/** Chooses a bundled spec and waits until its form is on show. */
async function choose(id) {
  await page.selectOption("#example", id);
  await page.waitForSelector("#composer:not([aria-busy])");
  assert.equal(await page.inputValue("#example"), id);
  assert.ok(await page.locator("#spec-error").isHidden(), `${id}: ${await page.textContent("#spec-error")}`);
}

const shoot = (name) => shootPage(page, name);

function noProblems() {
  assert.deepEqual(problems.splice(0), [], "no error in the page");
}

test("composing BET gives nipype's command line, live", async () => {
  await open("?example=bet");
  assert.equal(await page.inputValue("#example"), "bet");
  assert.equal(await page.locator("fieldset.field").first().getAttribute("data-input"), "in_file", "mandatory inputs first");
  assert.match(await field("in_file").textContent(), /input file to skull strip/, "labelled with its description");
  assert.equal((await cmdline()).state, "invalid", "no command line before in_file is set");

  await page.fill("#in-in_file", "f3.nii");
  await page.fill("#in-frac", "0.5");
  await page.check("#in-mask");
  const center = field("center");
  await center.locator("input").nth(0).fill("10");
  await center.getByRole("button", { name: "+ Add item" }).click();
  await center.locator("input").nth(1).fill("20");
  await center.getByRole("button", { name: "+ Add item" }).click();
  await center.locator("input").nth(2).fill("30");
  assert.ok(await center.getByRole("button", { name: "+ Add item" }).isDisabled(), "at most 3 items");
  assert.deepEqual(await cmdline(), { state: "ok", text: BET_LINE });

  // xor: setting reduce_bias disables functional, and says why.
  await page.check("#in-reduce_bias");
  assert.deepEqual(await cmdline(), { state: "ok", text: BET_LINE_B });
  assert.ok(await page.locator("#in-functional").isDisabled());
  assert.match(await field("functional").locator(".field-note").textContent(), /reduce_bias is set/);
  await shoot("composer");
  await page.uncheck("#in-reduce_bias");
  assert.ok(await page.locator("#in-functional").isEnabled());
  assert.deepEqual(await cmdline(), { state: "ok", text: BET_LINE });

  await page.click("#copy");
  await page.waitForFunction(() => document.querySelector("#copy-status").textContent !== "");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), BET_LINE);

  await page.click("#help-open");
  assert.ok(await page.locator("#help-dialog").isVisible());
  assert.match(await page.textContent("#help-text"), /^Wraps the executable command ``bet``\./);
  await page.keyboard.press("Escape");
  assert.ok(await page.locator("#help-dialog").isHidden());

  noProblems();
});

test("a bad value shows toolmemo's error next to its input; a bad spec its JSON path", async () => {
  const center = field("center");
  await center.locator("input").nth(1).fill("2.5");
  assert.equal(await center.locator(".field-error").textContent(), CENTER_ERROR);
  assert.equal(await center.locator("[aria-invalid=true]").count(), 1);
  assert.equal((await cmdline()).state, "invalid");
  assert.match(await page.textContent("#problems"), /must be a list of at most 3 items/);

  await center.locator("input").nth(1).fill("20");
  assert.equal(await center.locator(".field-error").textContent(), "");
  assert.deepEqual(await cmdline(), { state: "ok", text: BET_LINE });

  const bad = { name: "BET", command: "bet", inputs: { frac: { type: "Float", argstr: "-f %.2f", position: "1" } }, outputs: {} };
  await page.click("#paste-toggle");
  await page.fill("#spec-text", JSON.stringify(bad));
  await page.click("#paste-use");
  assert.ok(await page.locator("#spec-error").isVisible());
  assert.equal(await page.textContent("#spec-error .path"), "inputs.frac.position");
  assert.match(await page.textContent("#spec-error"), /inputs\.frac\.position: expected an integer, got "1"/);
  assert.equal(await page.inputValue("#example"), "bet", "the previous spec stays");
  assert.deepEqual(await cmdline(), { state: "ok", text: BET_LINE });
  noProblems();
});

test("a pasted spec may extend a bundled one", async () => {
  const child = { name: "BETLite", extends: "BET", inputs: { frac: { type: "Float", argstr: "-f %.3f", position: 3 } } };
  if (await page.locator("#paste-panel").isHidden()) await page.click("#paste-toggle");
  await page.fill("#spec-text", JSON.stringify(child));
  await page.click("#paste-use");
  await page.waitForSelector("#composer:not([aria-busy])");
  assert.ok(await page.locator("#spec-error").isHidden(), await page.textContent("#spec-error"));
  assert.match(await page.locator("#example option:checked").textContent(), /Your spec/);
  await page.fill("#in-in_file", "f3.nii");
  await page.fill("#in-frac", "0.5");
  // BET's inputs, the child's own argstr for frac.
  assert.deepEqual(await cmdline(), { state: "ok", text: "bet f3.nii f3_brain.nii.gz -f 0.500" });
  await choose("bet");
  noProblems();
});

test("real tools made from nipype are offered, and compose as nipype renders them", async () => {
  // scripts/nipype-specs.sh (run by the test command and by `npm start`) wrote
  // pkg/nipype/ with the importer; the page offers what it wrote.
  const group = page.locator('#example optgroup[label^="Real tools"] option');
  await group.first().waitFor({ state: "attached" });
  assert.ok((await group.count()) >= 5, `${await group.count()} real tools offered`);
  await choose("nipype:nipype.interfaces.afni.preprocess.SkullStrip");
  assert.match(await field("in_file").textContent(), /input file to 3dSkullStrip/, "described by the user's nipype");
  await page.fill("#in-in_file", "t1.nii");
  // What nipype 1.12 renders (the AFNI extension chosen by `outputtype`, 1.1).
  assert.deepEqual(await cmdline(), { state: "ok", text: "3dSkullStrip -input t1.nii -prefix t1_skullstrip" });
  noProblems();
});

test("every bundled spec loads into a form", async () => {
  const ids = await page.locator("#example option").evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(ids.length >= 4, ids.join());
  for (const id of ids) await choose(id);
  noProblems();
});

test("a demo runs in the page: a miss, then a hit", async () => {
  await choose("wc");
  await field("in_file").locator("input[type=file]").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from(NOTES) });
  assert.equal(await page.inputValue("#in-in_file"), "notes.txt");
  assert.match(await page.inputValue("#in-file_stamp"), /^24 bytes, modified /);
  await page.check("#in-lines");
  await page.check("#in-words");
  assert.deepEqual(await cmdline(), { state: "ok", text: "wc -l -w notes.txt" });

  const run = async (cached) => {
    await page.click("#run");
    await page.waitForFunction((c) => document.querySelector("#run-status").dataset.cached === c, String(cached));
    return page.textContent("#run-status");
  };
  assert.match(await run(false), /^cache miss Ran in [\d.]+ m?s/);
  assert.equal(await page.textContent('[data-output="words"] pre'), "5");
  assert.equal(await page.textContent('[data-output="stdout"] pre'), " 2  5 notes.txt\n");
  assert.match(await run(true), /^cache hit Returned in [\d.]+ m?s without running; the run itself took/);
  assert.equal(await page.textContent('[data-output="words"] pre'), "5");
  assert.deepEqual(await page.locator("#run-history .badge").allTextContents(), ["hit", "miss"]);

  // Two more entries for the inspector: a checksum and a sequence.
  await choose("shasum");
  await field("in_file").locator("input[type=file]").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from(NOTES) });
  assert.deepEqual(await cmdline(), { state: "ok", text: "shasum -a 256 notes.txt" });
  assert.match(await run(false), /cache miss/);
  const sha = createHash("sha256").update(NOTES).digest("hex");
  assert.equal(await page.textContent('[data-output="stdout"] pre'), `${sha}  notes.txt\n`);

  await choose("seq");
  await page.fill("#in-last", "5");
  await page.fill("#in-separator", ",");
  assert.deepEqual(await cmdline(), { state: "ok", text: "seq -s , 5" });
  assert.match(await run(false), /cache miss/);
  assert.equal(await page.textContent('[data-output="stdout"] pre'), "1,2,3,4,5\n");
  assert.equal(await page.textContent("#entry-count"), "3");
  noProblems();
});

test("after a reload the inspector still finds the entries", async () => {
  await open("#inspector");
  assert.ok(await page.locator("#inspector").isVisible());
  assert.equal(await rows().count(), 3);
  assert.equal(await page.getAttribute("#totals .big", "data-entries"), "3");
  const wc = page.locator('#entries tbody tr[data-name="wc"]');
  assert.equal(await wc.locator("td").nth(6).textContent(), "1", "one hit");

  await wc.getByRole("button").click();
  const details = page.locator("#details");
  await details.locator("pre.value").waitFor();
  assert.equal(await details.locator("pre.cmdline").textContent(), "wc -l -w notes.txt");
  assert.match(await details.locator("table.inputs").textContent(), /in_filenotes\.txt sha256 [0-9a-f]{12}/, "a file input: its path and content hash");
  assert.match(await details.locator("pre.value").textContent(), /words: 5/);
  assert.equal(await details.locator("dl.hashes dd").first().textContent(), await wc.getAttribute("data-key"));

  // Sorting and filtering.
  await page.getByRole("button", { name: "Name", exact: true }).click();
  assert.deepEqual(await rows().evaluateAll((trs) => trs.map((tr) => tr.dataset.name)), ["seq", "shasum", "wc"]);
  await page.fill("#entries-filter", "sha");
  assert.deepEqual(await rows().evaluateAll((trs) => trs.map((tr) => tr.dataset.name)), ["shasum"]);
  await page.fill("#entries-filter", "");
  assert.equal(await page.locator("#chart svg g").count(), 3, "one bar per name");

  await shoot("inspector");
  noProblems();
});

test("eviction shows what would go, then removes it", async () => {
  await open("#inspector");
  await page.fill('#evict-form [name="itemsLimit"]', "2");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.locator("#evict-preview .doomed-list").waitFor();
  assert.match(await page.textContent("#evict-preview"), /^1 entry \(.+\) would be removed/);
  assert.deepEqual(await page.locator("#entries tbody tr.doomed").evaluateAll((trs) => trs.map((tr) => tr.dataset.name)), ["wc"]);
  assert.equal(await rows().count(), 3, "a preview removes nothing");

  await page.getByRole("button", { name: "Remove 1 entry" }).click();
  await page.waitForFunction(() => document.querySelectorAll("#entries tbody tr").length === 2);
  assert.equal(await page.locator('#entries tbody tr[data-name="wc"]').count(), 0);
  assert.ok(await page.locator("#details").isHidden(), "the details of the removed entry close");
  assert.match(await page.textContent("#evict-preview"), /Removed 1 entry/);
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.ready === "true");
  assert.equal(await rows().count(), 2, "still gone after a reload");
  noProblems();
});

test("cached HTML is shown as text and never runs", async () => {
  await open("#inspector");
  const before = await rows().count();
  const name = "<img src=x onerror=\"window.__xss = 'name'\">";
  const payload = '<img src=x onerror="window.__xss = true">';
  const arg = '<script>window.__xss = "script"</script>';
  await page.evaluate(
    async ([name, payload, arg]) => {
      const { Memory } = await import("/pkg/web/toolmemo.js");
      const mem = await Memory.open({ store: "indexeddb", name: "toolmemo-page" });
      await mem.cache((text) => payload + text, { name, version: "1" })(arg);
    },
    [name, payload, arg],
  );
  const untouched = async () => {
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__xss), undefined, "no payload ran");
    assert.equal(await page.locator("img, script:not([src])").count(), 0, "no element was made from cached text");
  };

  await page.click("#refresh");
  await page.waitForFunction((n) => document.querySelectorAll("#entries tbody tr").length === n, before + 1);
  await untouched();
  const names = await rows().evaluateAll((trs) => trs.map((tr) => tr.dataset.name));
  assert.ok(names.includes(name), "the name is shown as it is");
  await rows().nth(names.indexOf(name)).getByRole("button").click();
  const value = page.locator("#details pre.value");
  await value.waitFor();
  assert.equal(await value.textContent(), JSON.stringify(payload + arg));
  assert.equal(await page.textContent("#details h2 code"), name);
  assert.match(await page.textContent("#details table.inputs"), /<script>window\.__xss/);
  await untouched();

  await page.getByRole("button", { name: "Delete this entry" }).click();
  await page.waitForFunction((n) => document.querySelectorAll("#entries tbody tr").length === n, before);

  await page.click("#clear-all");
  await page.getByRole("button", { name: /^Remove all \d+ entr/ }).click();
  await page.waitForFunction(() => document.querySelectorAll("#entries tbody tr").length === 0);
  assert.match(await page.textContent("#entries-note"), /The cache is empty/);
  assert.equal(await page.getAttribute("#totals .big", "data-entries"), "0");
  noProblems();
});
