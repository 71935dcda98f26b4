// The package as a user gets it: `npm pack`, installed into a fresh project,
// then used from Node (ESM and CommonJS, the filesystem store by default), from
// TypeScript, from a page built by Vite and from a plain <script type="module">
// page, both in headless Chromium: render a command line, cache a call, get a hit.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT } from "./helpers.mjs";
import { serve } from "./serve.mjs";

const BET = readFileSync(join(ROOT, "examples/BET.json"), "utf8");
const LINE = "bet f3.nii f3_brain.nii.gz -f 0.50 -m";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let work; // the temporary folder: the tarball, the consumer project, its cache
let app; // the consumer project
let packed; // npm pack's account of the tarball

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...options, env: { ...process.env, ...options.env } });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "toolmemo-package-"));
  packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], { cwd: ROOT }))[0];
  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
  // The tarball has no dependencies: nothing is fetched.
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", join(work, packed.filename)], { cwd: app });
  writeFileSync(join(app, "BET.json"), BET);
  writeFileSync(join(app, "f3.nii"), "voxels");
});

after(() => {
  if (work && !process.env.KEEP) rmSync(work, { recursive: true, force: true });
});

test("npm pack ships the entries, the builds, the declarations, the schema and the licences, and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const want of [
    "package.json",
    "README.md",
    "LICENSE-MIT",
    "LICENSE-APACHE",
    "pkg/entry/browser.mjs",
    "pkg/entry/lite.mjs",
    "pkg/entry/node.mjs",
    "pkg/entry/node.cjs",
    "pkg/entry/types-cli.cjs",
    "pkg/web/toolmemo.js",
    "pkg/web/toolmemo_bg.wasm",
    "pkg/lite/toolmemo_bg.wasm",
    "pkg/node/toolmemo_bg.wasm",
    "pkg/types/index.d.ts",
    "pkg/types/index.d.mts",
    "schema/spec-v1.json",
  ]) {
    assert.ok(files.includes(want), `${want} is in the tarball`);
  }
  const outside = files.filter((f) => !/^(package\.json|README\.md|LICENSE.*|pkg\/(entry|node|web|lite|types)\/.+|schema\/spec-v1\.json)$/.test(f));
  assert.deepEqual(outside, []);
  assert.equal(files.filter((f) => f.endsWith(".wasm")).length, 3);
});

// One program, written once, run as ESM and as CommonJS: render, then a cached
// call and a cached interface run whose results must come from the cache in a
// second process.
const program = (load) => `
${load}
const bet = Interface.fromSpec(readFileSync("BET.json", "utf8"));
const mem = await Memory.open();
let runs = 0;
const square = mem.cache(function square(x) { runs++; return x * x; });
const first = await square(12);
const second = await square(12);
const betRun = mem.cacheInterface(bet, async (inputs, cmdline) => { runs++; return { out_file: "f3_brain.nii.gz", cmdline }; });
const run = await betRun({ in_file: "f3.nii", frac: 0.5, mask: true });
let kind;
try { bet.cmdline({ frac: 0.5 }); } catch (e) { kind = isToolmemoError(e) && e.kind; }
console.log(JSON.stringify({
  cmdline: bet.cmdline({ in_file: "f3.nii", frac: 0.5, mask: true }),
  lite: LiteInterface.fromSpec(readFileSync("BET.json", "utf8")).cmdline({ in_file: "f3.nii", frac: 0.5, mask: true }),
  store: mem.store, location: mem.location, runs, first, second,
  runCached: run.cached, runCmdline: run.cmdline, kind,
  info: await square.cacheInfo(),
}));
`;

const ESM = program(`import { readFileSync } from "node:fs";
import { Interface, Memory, isToolmemoError } from "toolmemo";
import { Interface as LiteInterface } from "toolmemo/lite";`);
const CJS = `(async () => {${program(`const { readFileSync } = require("node:fs");
const { Interface, Memory, isToolmemoError } = require("toolmemo");
const { Interface: LiteInterface } = require("toolmemo/lite");`)}})().catch((e) => { console.error(e); process.exit(1); });`;

function node(file, source, cache) {
  writeFileSync(join(app, file), source);
  return JSON.parse(run(process.execPath, [file], { cwd: app, env: { TOOLMEMO_CACHE_DIR: cache } }));
}

test("Node, import: renders, caches in the filesystem store by default, and a second process gets hits", () => {
  const cache = join(work, "cache-esm");
  const one = node("use.mjs", ESM, cache);
  assert.equal(one.cmdline, LINE);
  assert.equal(one.lite, LINE);
  assert.equal(one.kind, "mandatory");
  assert.deepEqual([one.store, one.location], ["fs", cache]);
  assert.deepEqual([one.first, one.second, one.runs, one.runCached, one.runCmdline], [144, 144, 2, false, LINE]);
  assert.deepEqual(one.info, { hits: 1, misses: 1, currsize: 1 });
  assert.ok(existsSync(join(cache, "layout.json")), "the store's folder is TOOLMEMO_CACHE_DIR");
  const two = node("use.mjs", ESM, cache);
  assert.deepEqual([two.runs, two.runCached], [0, true], "both from the cache");
  assert.deepEqual(two.info, { hits: 2, misses: 0, currsize: 1 });
});

test("Node, require: the same, and it reads what the ESM program cached", () => {
  const cache = join(work, "cache-esm");
  const three = node("use.cjs", CJS, cache);
  assert.equal(three.cmdline, LINE);
  assert.equal(three.kind, "mandatory");
  assert.deepEqual([three.store, three.runs, three.runCached], ["fs", 0, true]);
  const fresh = node("use.cjs", CJS, join(work, "cache-cjs"));
  assert.deepEqual([fresh.runs, fresh.runCached, fresh.second], [2, false, 144]);
});

test("TypeScript resolves the installed package's declarations, for import and for require", () => {
  writeFileSync(join(app, "BET.d.ts"), readFileSync(join(ROOT, "tests/types/BET.d.ts")));
  writeFileSync(
    join(app, "check.mts"),
    `import { Interface, Memory, type EntryMeta } from "toolmemo";
import { Interface as Lite } from "toolmemo/lite";
import type { BETInputs, BETOutputs } from "./BET.js";
const bet = Interface.fromSpec<BETInputs, BETOutputs>({ name: "BET", command: "bet" });
export const line: string = bet.cmdline({ in_file: "f3.nii", frac: 0.5 });
// @ts-expect-error: frac is a number
bet.cmdline({ in_file: "f3.nii", frac: "half" });
export const entries: Promise<EntryMeta[]> = Memory.open().then((m) => m.entries());
export const help: string = Lite.fromSpec("{}").help();
`,
  );
  writeFileSync(join(app, "check.cts"), `import toolmemo = require("toolmemo");\nexport const mem: Promise<toolmemo.Memory> = toolmemo.Memory.open({ store: "memory" });\n`);
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2022"] }, files: ["check.mts", "check.cts"] }),
  );
  run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: app });
});

test("npx toolmemo-types writes a spec's declarations, reading a parent it extends from beside it", () => {
  const bin = join(app, "node_modules/.bin/toolmemo-types");
  assert.equal(run(bin, ["BET.json"], { cwd: app }), readFileSync(join(ROOT, "tests/types/BET.d.ts"), "utf8"));
  writeFileSync(join(app, "BETChild.json"), JSON.stringify({ name: "BETChild", extends: "BET", inputs: { robust: { type: "Bool", argstr: "-R" } } }));
  run(bin, ["BETChild.json", "--out", "BETChild.d.ts"], { cwd: app });
  const child = readFileSync(join(app, "BETChild.d.ts"), "utf8");
  assert.match(child, /export interface BETChildInputs \{/);
  assert.match(child, /\n {2}in_file: string;\n/);
  assert.match(child, /\n {2}robust\?: boolean;\n/);
  const bad = spawnSync(bin, ["BETChild.json"], { cwd: work, encoding: "utf8" });
  assert.equal(bad.status, 2);
});

// What both pages run in the browser; `toolmemo` and `toolmemo/lite` are bare
// imports, resolved by Vite or by an import map.
const PAGE = `
import { Interface, Memory } from "toolmemo";
import { Interface as Lite } from "toolmemo/lite";
import betSpec from "./BET.json" with { type: "json" };

const inputs = { in_file: "f3.nii", frac: 0.5, mask: true };
const bet = Interface.fromSpec(betSpec);
const mem = await Memory.open({ store: "indexeddb", name: "package-test" });
let runs = 0;
// A bundler's minifier drops function names: bundled code names what it caches.
const square = mem.cache(function square(x) { runs++; return x * x; }, { name: "square" });
const first = await square(12);
const second = await square(12);
const betRun = mem.cacheInterface(bet, async (_inputs, cmdline) => { runs++; return { out_file: "f3_brain.nii.gz", cmdline }; }, { files: ["f3.nii"] });
const a = await betRun(inputs);
const b = await betRun(inputs);
window.__result = {
  cmdline: bet.cmdline(inputs, { files: ["f3.nii"] }),
  lite: Lite.fromSpec(betSpec).cmdline(inputs, { files: ["f3.nii"] }),
  store: mem.store, runs, first, second, cached: [a.cached, b.cached],
  info: await square.cacheInfo(),
  entries: (await mem.entries()).length,
};
`;

async function inChromium(url, t) {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(work, "chromium-")), {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ARGS,
    headless: true,
  });
  try {
    const page = await context.newPage();
    const errors = [];
    const wasm = [];
    page.on("pageerror", (e) => errors.push(e.stack));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", (r) => r.url().endsWith(".wasm") && wasm.push(`${r.status()} ${new URL(r.url()).pathname}`));
    await page.goto(url);
    await page.waitForFunction(() => window.__result, null, { timeout: 60_000 });
    const result = await page.evaluate(() => window.__result);
    assert.deepEqual(errors, [], "no error in the page");
    t.diagnostic(`wasm fetched: ${wasm.join(", ")}`);
    return { result, wasm };
  } finally {
    await context.close();
  }
}

function checkPage({ result, wasm }) {
  assert.equal(result.cmdline, LINE);
  assert.equal(result.lite, LINE);
  assert.equal(result.store, "indexeddb");
  assert.deepEqual([result.first, result.second, result.runs, result.cached], [144, 144, 2, [false, true]]);
  assert.deepEqual(result.info, { hits: 1, misses: 1, currsize: 1 });
  assert.equal(result.entries, 2);
  assert.equal(wasm.length, 2, "the full and the lite wasm, once each");
  assert.ok(wasm.every((w) => w.startsWith("200 ")));
}

/** A page project in the app: index.html loading main.js (PAGE), and the spec. */
function page(name, head = "", script = "./main.js") {
  const web = join(app, name);
  mkdirSync(web, { recursive: true });
  writeFileSync(join(web, "BET.json"), BET);
  writeFileSync(join(web, "main.js"), PAGE);
  writeFileSync(
    join(web, "index.html"),
    `<!doctype html><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,">${head}\n<script type="module" src="${script}"></script>\n`,
  );
  return web;
}

async function served(dir, t) {
  const server = await serve(dir);
  try {
    checkPage(await inChromium(`${server.url}/index.html`, t));
  } finally {
    await server.close();
  }
}

test("a page built by Vite, in headless Chromium: render, cache in IndexedDB, hit", async (t) => {
  const web = page("vite");
  // Vite from this repository's devDependencies, with no configuration but the
  // project's folder; it resolves `toolmemo` from the app's node_modules.
  const { build } = await import("vite");
  await build({ root: web, logLevel: "warn", configFile: false, build: { outDir: join(web, "dist") } });
  const assets = readdirSync(join(web, "dist/assets"));
  t.diagnostic(`Vite's output: ${assets.join(", ")}`);
  assert.equal(assets.filter((f) => f.endsWith(".wasm")).length, 2, "Vite emitted both wasm files");
  await served(join(web, "dist"), t);
});

test("the same page from Vite's dev server (dependencies pre-bundled), no configuration", async (t) => {
  const web = page("vite-dev");
  const { createServer } = await import("vite");
  const server = await createServer({ root: web, configFile: false, logLevel: "warn", server: { host: "127.0.0.1", port: 0 } });
  await server.listen();
  try {
    checkPage(await inChromium(new URL("index.html", server.resolvedUrls.local[0]).href, t));
  } finally {
    await server.close();
  }
});

test("a page bundled by webpack 5 with its defaults (src/index.js to dist/main.js), in headless Chromium", async (t) => {
  const web = page("webpack", "", "./main.js");
  mkdirSync(join(web, "src"));
  cpSync(join(web, "main.js"), join(web, "src/index.js"));
  cpSync(join(web, "BET.json"), join(web, "src/BET.json"));
  const { default: webpack } = await import("webpack");
  const stats = await new Promise((resolve, reject) =>
    // (The CLI run in the project's folder: output.path defaults to the working folder's dist/.)
    webpack({ context: web, mode: "production", output: { path: join(web, "dist") } }, (err, s) => (err ? reject(err) : resolve(s))),
  );
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  const out = readdirSync(join(web, "dist"));
  t.diagnostic(`webpack's output: ${out.join(", ")}`);
  assert.equal(out.filter((f) => f.endsWith(".wasm")).length, 2, "webpack emitted both wasm files");
  // webpack's bundle is a classic script.
  writeFileSync(join(web, "dist/index.html"), `<!doctype html><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,">\n<script src="./main.js"></script>\n`);
  await served(join(web, "dist"), t);
});

test("a plain <script type=module> page with an import map, in headless Chromium", async (t) => {
  const imports = { toolmemo: "./node_modules/toolmemo/pkg/entry/browser.mjs", "toolmemo/lite": "./node_modules/toolmemo/pkg/entry/lite.mjs" };
  const web = page("plain", `\n<script type="importmap">${JSON.stringify({ imports })}</script>`);
  cpSync(join(app, "node_modules"), join(web, "node_modules"), { recursive: true });
  await served(web, t);
});

/** The README's code block that starts with `// <name>`. */
function readmeExample(name) {
  const blocks = [...readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.startsWith(`// ${name}\n`));
  assert.ok(block, `README has an example starting with // ${name}`);
  return block;
}

test("the README's Node example runs as written, and hits on its second run", () => {
  writeFileSync(join(app, "bet.mjs"), readmeExample("bet.mjs"));
  const env = { TOOLMEMO_CACHE_DIR: join(work, "cache-readme") };
  const once = run(process.execPath, ["bet.mjs"], { cwd: app, env });
  assert.equal(once, `${LINE}\n144 { hits: 0, misses: 1, currsize: 1 }\n`);
  const twice = run(process.execPath, ["bet.mjs"], { cwd: app, env });
  assert.equal(twice, `${LINE}\n144 { hits: 1, misses: 0, currsize: 1 }\n`);
});

test("the README's browser example runs as written in a page built by Vite", async () => {
  const web = join(app, "readme-page");
  mkdirSync(web);
  writeFileSync(join(web, "BET.json"), BET);
  writeFileSync(join(web, "main.js"), readmeExample("main.js"));
  writeFileSync(join(web, "index.html"), `<!doctype html><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,">\n<script type="module" src="./main.js"></script>\n`);
  const { build } = await import("vite");
  await build({ root: web, logLevel: "warn", configFile: false, build: { outDir: join(web, "dist") } });
  const server = await serve(join(web, "dist"));
  const context = await chromium.launchPersistentContext(mkdtempSync(join(work, "chromium-")), { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ARGS, headless: true });
  try {
    const p = await context.newPage();
    const errors = [];
    p.on("pageerror", (e) => errors.push(e.stack));
    await p.goto(`${server.url}/index.html`);
    await p.waitForFunction(() => document.body && document.body.textContent.includes("→"), null, { timeout: 60_000 });
    assert.equal(await p.evaluate(() => document.body.textContent), `${LINE} → 144`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.close();
  }
});
