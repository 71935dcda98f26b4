// What each entry of the npm package weighs: the files it loads (its entry
// module, the wasm-bindgen glue, JS snippets, the wasm), raw, gzipped (zlib
// level 9, as a server compresses them) and brotli'd. Browser entries are
// what a page downloads, against the 150 kB target; Node entries are listed
// for completeness (nothing is downloaded there).
//
//   node scripts/size.mjs          a table
//   node scripts/size.mjs --json   the same as JSON (tests/size.test.mjs)
//
// Needs a build (npm run build). kB = 1000 bytes.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const TARGET = 150_000;

/** The package's entries: [name, who loads it, entry file, downloaded?]. */
const ENTRIES = [
  ["toolmemo", "browsers, bundlers", "pkg/entry/browser.mjs", true],
  ["toolmemo/lite", "browsers, bundlers", "pkg/entry/lite.mjs", true],
  ["toolmemo", "Node (import, require)", "pkg/entry/node.mjs", false],
];

/** The files `file` loads, itself first: relative imports and requires, and the wasm its glue fetches or reads. */
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(join(ROOT, file), "utf8");
  const deps = [
    ...text.matchAll(/\bfrom\s*["'](\.[^"']+)["']/g),
    ...text.matchAll(/\bimport\s*\(?\s*["'](\.[^"']+)["']/g),
    ...text.matchAll(/\brequire\(\s*(?:String\.raw)?[`"'](\.[^`"']+)[`"']\s*\)/g),
  ].map((m) => m[1]);
  for (const d of deps) closure(relative(ROOT, join(ROOT, dirname(file), d)), seen);
  if (/toolmemo_bg\.wasm/.test(text)) {
    const wasm = join(dirname(file), "toolmemo_bg.wasm");
    if (existsSync(join(ROOT, wasm))) seen.add(wasm);
  }
  return seen;
}

function measure(path) {
  const bytes = readFileSync(join(ROOT, path));
  return {
    path,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

export function report() {
  return ENTRIES.map(([entry, host, file, downloaded]) => {
    const files = [...closure(file)].map(measure);
    const sum = (k) => files.reduce((a, f) => a + f[k], 0);
    const wasm = files.filter((f) => f.path.endsWith(".wasm"));
    const out = { entry, host, file, files, raw: sum("raw"), gzip: sum("gzip"), brotli: sum("brotli") };
    out.wasmGzip = wasm.reduce((a, f) => a + f.gzip, 0);
    out.jsGzip = out.gzip - out.wasmGzip;
    if (downloaded) {
      out.target = TARGET;
      out.withinTarget = out.gzip <= TARGET;
    }
    return out;
  });
}

const kB = (n) => (n / 1000).toFixed(1);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const entries = report();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(entries, null, 2));
  } else {
    console.log("toolmemo package size (kB = 1000 bytes; gzip level 9, brotli quality 11)\n");
    for (const e of entries) {
      console.log(`${e.entry} (${e.host}): ${e.file}`);
      for (const f of e.files) console.log(`  ${f.path.padEnd(62)} ${kB(f.raw).padStart(7)} raw ${kB(f.gzip).padStart(7)} gzip ${kB(f.brotli).padStart(7)} br`);
      const verdict = e.target === undefined ? "not downloaded" : e.withinTarget ? `within the ${kB(e.target)} kB target` : `OVER the ${kB(e.target)} kB target`;
      console.log(`  ${"total (wasm " + kB(e.wasmGzip) + " + JS " + kB(e.jsGzip) + " gzip)".padEnd(62)} ${kB(e.raw).padStart(7)} raw ${kB(e.gzip).padStart(7)} gzip ${kB(e.brotli).padStart(7)} br   ${verdict}\n`);
    }
  }
}
