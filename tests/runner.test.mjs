// The runner under Node (`mem.cacheInterface(iface)` with no run function),
// alone and mixed with the native program on one cache folder: the same
// entries, each front end's run a hit for the other, nothing lost in any mix.
// The tools are shell scripts that count their own executions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, toolmemo } from "./helpers.mjs";

const { Memory, Interface } = toolmemo;
const BIN = join(ROOT, "target/release/toolmemo");

/** A folder with a script `tool.sh` that logs each execution, then runs `body`. */
function lab(body) {
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-runner-"));
  const log = join(dir, "runs.log");
  writeFileSync(join(dir, "tool.sh"), `#!/bin/sh\necho run >> '${log}'\n${body}\n`);
  chmodSync(join(dir, "tool.sh"), 0o755);
  return {
    dir,
    cache: join(dir, "cache"),
    runs: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0),
    write: (name, text) => writeFileSync(join(dir, name), text),
    spec(spec) {
      const s = { ...spec, command: spec.command === "TOOL" ? join(dir, "tool.sh") : spec.command };
      writeFileSync(join(dir, "spec.json"), JSON.stringify(s));
      return s;
    },
    /** `toolmemo run --json` in this folder, on this cache. */
    cli(sets, extra = []) {
      const args = ["run", "--json", "--spec", "spec.json", ...sets.flatMap((s) => ["--set", s]), ...extra];
      const r = spawnSync(BIN, args, { cwd: dir, env: { ...process.env, TOOLMEMO_CACHE_DIR: join(dir, "cache") }, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`toolmemo run failed (${r.status}): ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
  };
}

/** Runs `fn` with the process in `dir` (the Node runner resolves inputs from the cwd). */
async function inside(dir, fn) {
  const here = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(here);
  }
}

const UPPER = 'tr a-z A-Z < "$1" > "$2"';
const upperSpec = {
  name: "Upper",
  command: "TOOL",
  inputs: {
    in_file: { type: { File: { exists: true } }, argstr: "%s", position: 0, mandatory: true },
    out_file: {
      type: "File", argstr: "%s", position: 1, genfile: true, hash_files: false,
      name_source: ["in_file"], name_template: "%s_upper", keep_extension: true,
    },
  },
  outputs: { out_file: { type: "File" } },
};

test("a second identical run is a hit and does not execute the tool; a changed input runs it", async () => {
  const l = lab(UPPER);
  const iface = Interface.fromSpec(l.spec(upperSpec));
  l.write("in.txt", "hello\n");
  await inside(l.dir, async () => {
    const mem = await Memory.open({ location: l.cache });
    const upper = mem.cacheInterface(iface);
    const first = await upper({ in_file: "in.txt" });
    assert.equal(first.cached, false);
    assert.match(first.outputs.out_file, /\/work\/in_upper\.txt$/);
    assert.equal(readFileSync(first.outputs.out_file, "utf8"), "HELLO\n");
    assert.equal(first.exit, 0);
    const second = await upper({ in_file: "in.txt" });
    assert.equal(second.cached, true);
    assert.equal(second.outputs.out_file, first.outputs.out_file);
    assert.equal(l.runs(), 1);
    l.write("in.txt", "other\n");
    assert.equal((await upper({ in_file: "in.txt" })).cached, false);
    assert.equal(l.runs(), 2);
  });
});

test("a deleted or altered output makes the next run recompute", async () => {
  const l = lab(UPPER);
  const iface = Interface.fromSpec(l.spec(upperSpec));
  l.write("in.txt", "abc\n");
  await inside(l.dir, async () => {
    const upper = (await Memory.open({ location: l.cache })).cacheInterface(iface);
    const first = await upper({ in_file: "in.txt" });
    rmSync(first.outputs.out_file);
    const again = await upper({ in_file: "in.txt" });
    assert.equal(again.cached, false);
    assert.match(again.stale, /deleted/);
    writeFileSync(again.outputs.out_file, "TAMPERED\n");
    const third = await upper({ in_file: "in.txt" });
    assert.equal(third.cached, false);
    assert.match(third.stale, /changed/);
    assert.equal(readFileSync(third.outputs.out_file, "utf8"), "ABC\n");
    assert.equal(l.runs(), 3);
  });
});

test("a failed run stores nothing and leaves a crash record; output names cannot leave the folder", async () => {
  const l = lab('echo "it went wrong" >&2; exit 3');
  const iface = Interface.fromSpec(l.spec(upperSpec));
  l.write("in.txt", "x\n");
  await inside(l.dir, async () => {
    const mem = await Memory.open({ location: l.cache });
    const upper = mem.cacheInterface(iface);
    await assert.rejects(upper({ in_file: "in.txt" }), (e) => e.kind === "run" && /exited with status 3/.test(e.message) && /it went wrong/.test(e.message));
    assert.deepEqual(await mem.entries(), []);
    const crashes = readdirSync(join(l.cache, ".crashes"));
    assert.equal(crashes.length, 1);
    assert.match(readFileSync(join(l.cache, ".crashes", crashes[0]), "utf8"), /exit status: 3/);
    await assert.rejects(upper({ in_file: "in.txt", out_file: "../escape.txt" }), (e) => e.kind === "path");
    assert.equal(l.runs(), 1, "a refused output name runs nothing");
  });
});

test("shell metacharacters stay literal; copyfile copies or links; environ reaches the tool", async () => {
  const l = lab('printf "%s|" "$@" > args.txt; printf "%s" "$GREETING" > env.txt; cat "$1" > copy.txt; [ -L "$1" ] && echo link > kind.txt || echo file > kind.txt');
  const spec = {
    name: "Args", command: "TOOL",
    inputs: {
      in_file: { type: { File: { exists: true } }, argstr: "%s", position: 0, mandatory: true, copyfile: false },
      note: { type: "Str", argstr: "%s", position: 1 },
    },
    outputs: {},
  };
  const iface = Interface.fromSpec(l.spec(spec));
  l.write("in.txt", "data\n");
  await inside(l.dir, async () => {
    const mem = await Memory.open({ location: l.cache });
    const run = await mem.cacheInterface(iface)({ in_file: "in.txt", note: "a b; rm -rf / $(x)", environ: { GREETING: "hi" } });
    const work = join(run.dir, "work");
    assert.equal(readFileSync(join(work, "args.txt"), "utf8"), "in.txt|a b; rm -rf / $(x)|");
    assert.equal(readFileSync(join(work, "env.txt"), "utf8"), "hi");
    assert.equal(readFileSync(join(work, "kind.txt"), "utf8"), "link\n");
    assert.ok(lstatSync(join(work, "in.txt")).isSymbolicLink());
    const copying = Interface.fromSpec({ ...spec, name: "ArgsCopy", inputs: { ...spec.inputs, in_file: { ...spec.inputs.in_file, copyfile: true } }, command: join(l.dir, "tool.sh") });
    const copied = await mem.cacheInterface(copying)({ in_file: "in.txt" });
    assert.equal(readFileSync(join(copied.dir, "work", "kind.txt"), "utf8"), "file\n");
    assert.ok(!lstatSync(join(copied.dir, "work", "in.txt")).isSymbolicLink());
  });
});

test("one cache, two front ends: the CLI's run is Node's hit and Node's run the CLI's, nothing lost", async () => {
  const l = lab(UPPER);
  const iface = Interface.fromSpec(l.spec(upperSpec));
  l.write("a.txt", "alpha\n");
  l.write("b.txt", "beta\n");
  const cliA = l.cli(["in_file=a.txt"]);
  assert.equal(cliA.cached, false);
  await inside(l.dir, async () => {
    const mem = await Memory.open({ location: l.cache });
    const upper = mem.cacheInterface(iface);
    const nodeA = await upper({ in_file: "a.txt" });
    assert.equal(nodeA.cached, true, "Node hits the CLI's run");
    assert.equal(nodeA.key, cliA.key);
    assert.deepEqual(nodeA.outputs, cliA.outputs, "with the CLI's output files");
    const nodeB = await upper({ in_file: "b.txt" });
    assert.equal(nodeB.cached, false, "a changed input runs the tool under Node");
    // A cached function beside them, in the same folder.
    const twice = mem.cache(function twice(x) { return 2 * x; });
    assert.equal(await twice(21), 42);
  });
  const cliB = l.cli(["in_file=b.txt"]);
  assert.equal(cliB.cached, true, "the CLI hits Node's run");
  assert.equal(l.cli(["in_file=a.txt"]).cached, true, "the CLI's own run is still there");
  assert.equal(l.runs(), 2, "the tool ran once per distinct input");
  for (const out of [cliA.outputs.out_file, cliB.outputs.out_file]) assert.ok(existsSync(out), out);
  assert.equal(readFileSync(cliA.outputs.out_file, "utf8"), "ALPHA\n");
  assert.equal(readFileSync(cliB.outputs.out_file, "utf8"), "BETA\n");
  const ls = JSON.parse(execFileSync(BIN, ["ls", "--json"], { cwd: l.dir, env: { ...process.env, TOOLMEMO_CACHE_DIR: l.cache }, encoding: "utf8" }));
  assert.deepEqual(ls.map((e) => e.kind).sort(), ["function", "interface", "interface"], "every entry is still there");
});

test("a run function's entry and a tool run's entry never destroy each other", async () => {
  const l = lab(UPPER);
  const iface = Interface.fromSpec(l.spec(upperSpec));
  l.write("a.txt", "alpha\n");
  const cli = l.cli(["in_file=a.txt"]);
  await inside(l.dir, async () => {
    const mem = await Memory.open({ location: l.cache });
    let custom = 0;
    const byHand = mem.cacheInterface(iface, async () => ({ made: ++custom }));
    const seen = await byHand({ in_file: "a.txt" });
    assert.equal(seen.cached, true, "a tool run is a hit for a run function too");
    assert.deepEqual(seen.outputs, cli.outputs, "with the tool's output paths");
    assert.equal(custom, 0);
  });
  assert.equal(readFileSync(cli.outputs.out_file, "utf8"), "ALPHA\n", "the CLI's files are intact");
  assert.equal(l.cli(["in_file=a.txt"]).cached, true);
  assert.equal(l.runs(), 1);
});

test("without the filesystem store, running the tool is refused with a clear error", async () => {
  const mem = await Memory.open({ store: "memory" });
  const iface = Interface.fromSpec({ name: "Echo", command: "echo", inputs: { word: { type: "Str", argstr: "%s" } } });
  await assert.rejects(mem.cacheInterface(iface)({ word: "x" }), (e) => e.kind === "unsupported" && /filesystem store/.test(e.message));
  assert.throws(() => mem.cacheInterface(iface, 42), (e) => e.kind === "input");
});
