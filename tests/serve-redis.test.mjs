// `toolmemo serve --store redis://…`: a run from the API goes through the same
// runner as without Redis (the store's tiering), so its output streams while
// it runs, its entry is shared, and the same inputs again are a hit.
//
//   TOOLMEMO_BIN=/path/to/toolmemo node --test tests/serve-redis.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, Socket } from "node:net";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fixture, raw, startServe } from "./serve-fixture.mjs";

let fx;
let redis;
let srv;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** A redis-server of our own, answering PING. */
async function startRedis() {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const s = new Socket();
      s.once("error", () => resolve(false));
      s.connect(port, "127.0.0.1", () => {
        s.write("PING\r\n");
        s.once("data", (d) => {
          s.destroy();
          resolve(String(d).startsWith("+PONG"));
        });
      });
    });
    if (up) return { url: `redis://127.0.0.1:${port}/0`, stop: () => child.kill("SIGTERM") };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  throw new Error("redis-server did not start");
}

before(async () => {
  fx = fixture();
  redis = await startRedis();
  srv = await startServe(fx, ["--store", redis.url]);
});

after(async () => {
  await srv?.stop();
  redis?.stop();
  fx?.remove();
});

const call = (method, path, body) =>
  raw(srv.base, method, path, {
    headers: { "x-toolmemo-token": srv.token, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body,
  });

test("a run over a Redis store streams its output while it runs, then is a hit", async () => {
  // A tool that prints, then waits until the test lets it finish.
  const gate = join(fx.root, "gate");
  const tool = join(fx.root, "slow.sh");
  writeFileSync(tool, `#!/bin/sh\necho started\necho "$1" >> ${join(fx.root, "slow.log")}\nwhile [ ! -e ${gate} ]; do sleep 0.05; done\necho finished\n`);
  chmodSync(tool, 0o755);
  const spec = { name: "Slow", command: tool, inputs: { word: { type: "Str", argstr: "%s", mandatory: true } }, outputs: {} };
  const body = { spec: JSON.stringify(spec), inputs: { word: "hello" } };
  const started = await call("POST", "/api/run", body);
  assert.equal(started.status, 200, started.text);
  let seen;
  for (let i = 0; i < 200 && !seen; i++) {
    const r = (await call("GET", `/api/run/${started.json.id}`)).json;
    if (r.state === "running" && r.stdout.includes("started")) seen = r;
    else await new Promise((res) => setTimeout(res, 50));
  }
  assert.ok(seen, "the first line was shown while the tool ran");
  assert.equal(seen.executing, true);
  assert.ok(!seen.stdout.includes("finished"));
  writeFileSync(gate, "");
  let done;
  for (let i = 0; i < 200; i++) {
    done = (await call("GET", `/api/run/${started.json.id}`)).json;
    if (done.state !== "running") break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(done.state, "done", JSON.stringify(done.error));
  assert.equal(done.result.cached, false);
  assert.equal(done.stdout, "started\nfinished\n");
  // The entry is in the shared store: the page lists it from there.
  const list = await call("GET", "/api/entries");
  assert.ok(list.json.entries.some((e) => e.name === "Slow"), list.text);
  // Again: a hit, nothing ran.
  const again = (await call("POST", "/api/run", body)).json.id;
  let hit;
  for (let i = 0; i < 200; i++) {
    hit = (await call("GET", `/api/run/${again}`)).json;
    if (hit.state !== "running") break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(hit.result.cached, true);
  assert.equal(hit.result.stdout, "started\nfinished\n");
  assert.ok(existsSync(join(fx.root, "slow.log")));
  assert.equal(readFileSync(join(fx.root, "slow.log"), "utf8"), "hello\n", "the tool ran once");
});
