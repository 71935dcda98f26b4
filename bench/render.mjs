// wasm-in-Node rendering speed over the benchmark cases (bench/out/cases.jsonl),
// timed per call as bench/render.rs and bench/peer/bench_nipype.py time theirs.
//
//   full_us      inputs as a JS object, `exists` asked of node:fs (what a Node user pays)
//   files_us     inputs as a JS object, `exists` against a declared file list (no syscalls,
//                what a browser user pays; the closest to nipype's `.cmdline` alone)
//   text_us      inputs as JSON text, node:fs
//   cmdline_us   rendering inputs checked beforehand by `iface.bind` (nipype: `.cmdline`
//                with the inputs already set)
import { readFileSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { Interface } = createRequire(import.meta.url)(join(ROOT, "pkg/node/toolmemo.js"));
const { rawMember } = await import(join(ROOT, "tests/helpers.mjs"));
const casesPath = join(ROOT, process.env.BENCH_CASES ?? "bench/out/cases.jsonl");
const budgetMs = Number(process.env.BENCH_MS_PER_CASE ?? 60);

function perCallUs(fn, ms) {
  let batch = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    if (Number(process.hrtime.bigint() - t) >= 50_000 || batch >= 1 << 20) break;
    batch *= 2;
  }
  const samples = [];
  const end = performance.now() + ms;
  while (samples.length < 11 || performance.now() < end) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1000 / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

function summary(name, v) {
  v.sort((a, b) => a - b);
  const r = (x) => Math.round(x * 1000) / 1000;
  const p = (q) => v[Math.floor((v.length - 1) * q)];
  return {
    [`${name}_median`]: r(v[v.length >> 1]),
    [`${name}_mean`]: r(v.reduce((a, b) => a + b, 0) / v.length),
    [`${name}_p10`]: r(p(0.1)),
    [`${name}_p90`]: r(p(0.9)),
  };
}

const full = [], files = [], text = [], cmd = [];
const home = process.cwd();
for (const line of readFileSync(casesPath, "utf8").split("\n").filter((l) => l.trim())) {
  const c = JSON.parse(line);
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-bench-"));
  for (const f of c.files) {
    if (f.endsWith("/")) mkdirSync(join(dir, f), { recursive: true });
    else {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), "");
    }
  }
  process.chdir(dir);
  try {
    const iface = Interface.fromSpec(rawMember(line, "spec"));
    const inputsText = rawMember(line, "inputs");
    if (iface.cmdline(inputsText) !== c.cmdline) throw new Error(`${c.id}: wrong command line`);
    const opts = { files: c.files };
    full.push(perCallUs(() => iface.cmdline(c.inputs), budgetMs / 4));
    files.push(perCallUs(() => iface.cmdline(c.inputs, opts), budgetMs / 4));
    text.push(perCallUs(() => iface.cmdline(inputsText), budgetMs / 4));
    const bound = iface.bind(inputsText);
    cmd.push(perCallUs(() => bound.cmdline(), budgetMs / 4));
    bound.free();
  } finally {
    process.chdir(home);
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(JSON.stringify({ target: "wasm-node", node: process.version, cases: full.length, ...summary("cmdline_us", cmd), ...summary("full_us", full), ...summary("files_us", files), ...summary("text_us", text) }));
