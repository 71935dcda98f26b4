// A cached tool run's hit from Node (issue 14), against nipype's PipeFunc
// (bench/peer/bench_pipefunc.py, the same `cp` interface on the same 1.3 MB file):
//
//   `await cp({ in_file })` on `mem.cacheInterface(Interface.fromSpec(spec))` with no
//   run function, so toolmemo runs the real `cp` itself on the miss; the filesystem
//   store, files keyed by size and modification time (hashMethod 'timestamp', as
//   nipype's Memory does by default). The input's time is set a minute back: a file
//   changed in the last 2 s is keyed by content (a write may not move its time), so a
//   fresh file would change key once it settles. Each hit is timed on its own; median
//   in ms.
//
//   node bench/hit.mjs [PIPEFUNC.json]
//
// Prints one JSON object; given the peer's JSON (bench_pipefunc.py's output), it
// adds nipype's figure and the ratio (nipype's time / ours). bench/report.py puts
// it in bench/README.md.
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { Memory, Interface } = require(join(ROOT, "pkg/node/toolmemo.js"));

// bench_pipefunc.py's CpInterface: `cp IN IN_copy.EXT`, the copy's name generated.
const spec = {
  name: "Copy",
  command: "cp",
  inputs: {
    in_file: { type: { File: { exists: true } }, argstr: "%s", position: 0, mandatory: true },
    out_file: { type: "File", argstr: "%s", position: 1, name_source: ["in_file"],
                name_template: "%s_copy", keep_extension: true, hash_files: false },
  },
  outputs: { out_file: { type: "File" } }, // filled by the input of the same name
};

const SIZE = 1_300_000;
const seconds = Number(process.env.BENCH_HIT_SECONDS ?? 5);
const dir = mkdtempSync(join(tmpdir(), "toolmemo-hit-bench-"));
try {
  const in_file = join(dir, "input.dat");
  const bytes = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) bytes[i] = (i * 7) % 251;
  writeFileSync(in_file, bytes);
  const settled = Date.now() / 1000 - 60;
  utimesSync(in_file, settled, settled);

  const mem = await Memory.open({ location: join(dir, "cache"), hashMethod: "timestamp" });
  const cp = mem.cacheInterface(Interface.fromSpec(spec)); // no run function: runs `cp`
  const miss = await cp({ in_file });
  if (miss.cached || statSync(miss.outputs.out_file).size !== SIZE) {
    throw new Error(`the first call did not copy the file: ${JSON.stringify(miss)}`);
  }
  const times = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || times.length < 20) {
    const t = process.hrtime.bigint();
    const r = await cp({ in_file });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (!r.cached) throw new Error("a call after the first was not a hit");
  }
  times.sort((a, b) => a - b);
  const out = { node: process.version, run_hit_ms: times[times.length >> 1], runs: times.length };
  if (process.argv[2]) {
    const peer = JSON.parse(readFileSync(process.argv[2], "utf8"));
    out.pipefunc_hit_ms = peer.pipefunc_hit_ms;
    out.ratio = peer.pipefunc_hit_ms / out.run_hit_ms;
  }
  console.log(JSON.stringify(out));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
