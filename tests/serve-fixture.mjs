// A real `toolmemo serve` for the tests of tests/serve-*.test.mjs: a folder
// with a root (data, a counter tool and its spec), a file outside the root
// (and a link to it inside), and a cache made by `toolmemo run`. The binary is
// $TOOLMEMO_BIN, else target/release/toolmemo (what CI builds).
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "node:http";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = process.env.TOOLMEMO_BIN ?? join(ROOT, "target/release/toolmemo");

/** The counter: prints, waits a moment, counts lines, and logs each real run. */
const COUNTER = `#!/bin/sh
echo "counting $1"
echo "a note on stderr" >&2
sleep 1
echo "lines: $(wc -l < "$1")"
echo ran >> "$(dirname "$0")/counter.log"
`;

/** Makes the folders and the cache; `{dir, root, cache, outside, counterSpec, runs()}`. */
export function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-serve-"));
  const root = join(dir, "root");
  const cache = join(dir, "cache");
  const outside = join(dir, "outside");
  mkdirSync(join(root, "data"), { recursive: true });
  mkdirSync(join(root, "specs"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, "data", "numbers.txt"), "3\n1\n2\n");
  writeFileSync(join(root, "data", "notes.txt"), "one\ntwo\n");
  writeFileSync(join(outside, "secret.txt"), "not for the page\n");
  writeFileSync(join(outside, "Secret.json"), JSON.stringify({ name: "Secret", command: "true", inputs: {}, outputs: {} }));
  symlinkSync(join(outside, "secret.txt"), join(root, "data", "link.txt"));
  symlinkSync(join(outside, "Secret.json"), join(root, "specs", "Link.json"));
  writeFileSync(join(root, "count.sh"), COUNTER);
  chmodSync(join(root, "count.sh"), 0o755);
  const counterSpec = {
    name: "Counter",
    command: join(root, "count.sh"),
    description: "Counts the lines of a file (and logs each real run).",
    inputs: { in_file: { type: { File: { exists: true } }, argstr: "%s", position: 0, mandatory: true, desc: "the file whose lines are counted" } },
    outputs: {},
  };
  writeFileSync(join(root, "specs", "Counter.json"), JSON.stringify(counterSpec, null, 2));
  // A run made by the command line: the page must show it.
  execFileSync(BIN, ["--cache-dir", cache, "run", "--spec", join(ROOT, "examples/specs/sort.json"), "--set", "in_files=data/numbers.txt", "--set", "numeric=true", "--quiet"], { cwd: root });
  const runs = () => {
    try {
      return readFileSync(join(root, "counter.log"), "utf8").split("\n").filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  return { dir, root, cache, outside, counterSpec, runs, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `toolmemo serve`; resolves to `{url, base, token, port, stderr(), stop()}` once it printed its URL. */
export function startServe({ cache, root }, extra = []) {
  const child = spawn(BIN, ["--cache-dir", cache, "serve", "--port", "0", "--root", root, "--page", ROOT, ...extra], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  return new Promise((resolve, reject) => {
    let out = "";
    const fail = (why) => reject(new Error(`${why}\n${err}`));
    child.on("exit", (code) => fail(`toolmemo serve exited (${code})`));
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        const url = new URL(line);
        resolve({
          url: line,
          base: `${url.protocol}//${url.host}`,
          host: url.host,
          port: Number(url.port),
          token: url.searchParams.get("token"),
          stderr: () => err,
          stop: () =>
            new Promise((done) => {
              child.removeAllListeners("exit");
              child.on("exit", done);
              child.kill("SIGTERM");
            }),
        });
      }
    });
  });
}

/**
 * An HTTP request with any headers (fetch would not let a test send a
 * foreign Host); resolves to `{status, headers, json, text}`.
 */
export function raw(base, method, path, { headers = {}, body } = {}) {
  const url = new URL(path, base);
  const data = body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  if (data) headers = { "content-length": data.length, ...headers };
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.on("error", reject);
    if (data) req.write(data);
    req.end();
  });
}
