// `toolmemo serve` over HTTP, against the real program (no browser): the URL
// and its token, each security check (token, Host, Origin, paths outside the
// root, links out of it, form posts), and the API over a cache made by
// `toolmemo run`: listing, details, deletion (gone from the folder),
// eviction, and runs (a counter: run once, then a hit).
//
//   TOOLMEMO_BIN=/path/to/toolmemo node --test tests/serve-cli.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { BIN, ROOT, fixture, raw, startServe } from "./serve-fixture.mjs";

let fx;
let srv;

before(async () => {
  fx = fixture();
  srv = await startServe(fx);
});

after(async () => {
  await srv?.stop();
  fx?.remove();
});

/** The API with the token (a script's way: the header), from no browser. */
const call = (method, path, body, headers = {}) =>
  raw(srv.base, method, path, {
    headers: { "x-toolmemo-token": srv.token, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body,
  });

async function waitForRun(id) {
  for (let i = 0; i < 200; i++) {
    const r = await call("GET", `/api/run/${id}`);
    if (r.json.state !== "running") return r.json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the run did not end");
}

test("the first line is the page's URL on loopback, with a fresh random token", async () => {
  assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  const other = await startServe(fx);
  try {
    assert.notEqual(other.token, srv.token, "a new token each start");
  } finally {
    await other.stop();
  }
  assert.match(srv.stderr(), /only this machine can connect/);
});

test("every API call needs the token", async () => {
  const none = await raw(srv.base, "GET", "/api/entries");
  assert.equal(none.status, 401);
  assert.equal(none.json.error.kind, "auth");
  assert.equal((await call("GET", "/api/entries", undefined, { "x-toolmemo-token": "0".repeat(64) })).status, 401);
  assert.equal((await raw(srv.base, "GET", "/api/entries", { headers: { cookie: `toolmemo-token-${srv.port}=nope` } })).status, 401);
  for (const [m, p] of [["POST", "/api/remove"], ["POST", "/api/clear"], ["POST", "/api/run"], ["GET", "/api/files"], ["GET", "/api/entry?name=Sort&key=00"]]) {
    const r = await raw(srv.base, m, p, { headers: { "content-type": "application/json" }, body: m === "POST" ? { dryRun: false } : undefined });
    assert.equal(r.status, 401, `${m} ${p}`);
  }
  // Nothing was cleared by the refused calls.
  assert.equal((await call("GET", "/api/entries")).json.total, 1);
});

test("the page with ?token= sets a same-site cookie and drops the token from the URL; a wrong token is refused", async () => {
  const r = await raw(srv.base, "GET", `/?token=${srv.token}&example=bet`);
  assert.equal(r.status, 302);
  assert.equal(r.headers.location, "/?example=bet");
  const cookie = r.headers["set-cookie"][0];
  assert.match(cookie, new RegExp(`^toolmemo-token-${srv.port}=${srv.token}; `));
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /HttpOnly/);
  const withCookie = await raw(srv.base, "GET", "/api/info", { headers: { cookie: cookie.split(";")[0] } });
  assert.equal(withCookie.status, 200);
  assert.equal(withCookie.json.mode, "server");
  assert.equal((await raw(srv.base, "GET", `/?token=${"1".repeat(64)}`)).status, 403);
  // The page itself (no secret in it) loads without a token, marked for server mode.
  const page = await raw(srv.base, "GET", "/");
  assert.equal(page.status, 200);
  assert.match(page.text, /<meta name="toolmemo-server"/);
  assert.equal(page.headers["x-frame-options"], "DENY");
  // Only the page's files are served.
  for (const p of ["/Cargo.toml", "/crate/src/lib.rs", "/www/../Cargo.toml", "/%2e%2e/etc/passwd", "/.git/config"]) {
    assert.equal((await raw(srv.base, "GET", p)).status, 404, p);
  }
});

test("a request whose Host is not this server is refused (DNS rebinding)", async () => {
  for (const host of [`evil.example:${srv.port}`, `127.0.0.1.nip.io:${srv.port}`, `localhost:${srv.port + 1}`, "localhost"]) {
    const api = await call("GET", "/api/entries", undefined, { host });
    assert.equal(api.status, 403, host);
    assert.equal(api.json.error.kind, "forbidden");
    assert.equal((await raw(srv.base, "GET", "/", { headers: { host } })).status, 403, `the page, ${host}`);
  }
  for (const host of [`localhost:${srv.port}`, `127.0.0.1:${srv.port}`]) {
    assert.equal((await call("GET", "/api/info", undefined, { host })).status, 200, host);
  }
});

test("cross-origin requests are refused (CSRF), and bodies must be JSON", async () => {
  const evil = await call("POST", "/api/clear", { dryRun: false }, { origin: "http://evil.example" });
  assert.equal(evil.status, 403);
  assert.equal(evil.json.error.kind, "forbidden");
  assert.equal((await call("POST", "/api/clear", { dryRun: false }, { origin: `http://localhost:${srv.port + 1}` })).status, 403);
  assert.equal((await call("GET", "/api/entries", undefined, { "sec-fetch-site": "cross-site" })).status, 403);
  // A form (no preflight) can only send form bodies: refused.
  const form = await raw(srv.base, "POST", "/api/clear", {
    headers: { "x-toolmemo-token": srv.token, "content-type": "application/x-www-form-urlencoded" },
    body: "dryRun=false",
  });
  assert.equal(form.status, 400);
  assert.equal((await call("GET", "/api/entries")).json.total, 1, "nothing was cleared");
  // The page's own origin is fine.
  assert.equal((await call("GET", "/api/info", undefined, { origin: srv.base, "sec-fetch-site": "same-origin" })).status, 200);
});

test("nothing outside --root can be listed, read or used as an input, links resolved", async () => {
  const files = await call("GET", "/api/files?path=data");
  assert.equal(files.status, 200);
  assert.deepEqual(files.json.entries.map((e) => e.name), ["link.txt", "notes.txt", "numbers.txt"]);
  for (const path of ["..", "../outside", "/etc", fx.outside, "data/../../outside"]) {
    const r = await call("GET", `/api/files?${new URLSearchParams({ path })}`);
    assert.equal(r.status, 403, path);
    assert.equal(r.json.error.kind, "path");
  }
  // A link under the root to a file outside it is outside.
  const link = await call("GET", `/api/spec?path=specs/Link.json`);
  assert.equal(link.status, 403);
  assert.equal((await call("GET", `/api/spec?path=${encodeURIComponent(join(fx.outside, "Secret.json"))}`)).status, 403);
  assert.equal((await call("GET", `/api/spec?path=specs/Counter.json`)).json.text.includes('"Counter"'), true);
  for (const in_file of ["/etc/passwd", "../outside/secret.txt", "data/link.txt", join(fx.outside, "secret.txt")]) {
    const r = await call("POST", "/api/run", { spec: JSON.stringify(fx.counterSpec), inputs: { in_file } });
    assert.equal(r.status, 403, in_file);
    assert.equal(r.json.error.kind, "path");
    assert.match(r.json.error.message, /outside the folder/);
  }
  assert.equal(fx.runs(), 0, "nothing ran");
});

test("the entries of a cache made by `toolmemo run`: listed with sizes, details, deleted from the folder", async () => {
  const list = await call("GET", "/api/entries?sort=bytes&order=desc&limit=10");
  assert.equal(list.status, 200);
  assert.equal(list.json.total, 1);
  const [sort] = list.json.entries;
  assert.equal(sort.name, "Sort");
  assert.ok(sort.bytes > 0);
  assert.equal(list.json.bytes, sort.bytes);
  assert.deepEqual(list.json.byName, [["Sort", sort.bytes, 1]]);
  assert.equal(list.json.fromIndex, true, "sorted by size, unfiltered: from the store's index");
  assert.equal(list.json.growth.at(-1)[1], sort.bytes);
  const walked = await call("GET", "/api/entries?sort=name");
  assert.equal(walked.json.fromIndex, undefined, "sorted by name: from a walk");
  assert.deepEqual(walked.json.entries.map((e) => e.key), [sort.key]);
  assert.deepEqual(walked.json.byName, list.json.byName, "the index and the walk agree");
  assert.deepEqual(walked.json.growth, list.json.growth);
  assert.equal((await call("GET", "/api/entries?filter=nothing-like-this")).json.matched, 0);
  assert.equal((await call("GET", "/api/entries?filter=SORT%20-n")).json.matched, 1, "the command line is searched");

  const detail = await call("GET", `/api/entry?name=Sort&key=${sort.key}`);
  assert.equal(detail.status, 200);
  assert.match(detail.json.run.cmdline, /^sort -n -o numbers_sorted\.txt \S+numbers\.txt$/);
  assert.equal(detail.json.run.exit, 0);
  assert.deepEqual(detail.json.outputs.map((o) => [o.name, o.bytes, o.exists]), [["out_file", 6, true]]);
  assert.equal(detail.json.meta.hits, 0, "looking is not using");
  assert.ok(existsSync(detail.json.dir));

  // An output file downloads as it is on disk: saved, never shown.
  const file = `/api/entry/file?name=Sort&key=${sort.key}&output=out_file`;
  const got = await call("GET", file);
  assert.equal(got.status, 200);
  assert.equal(got.text, "1\n2\n3\n");
  assert.equal(got.headers["content-type"], "application/octet-stream");
  assert.equal(got.headers["content-disposition"], 'attachment; filename="numbers_sorted.txt"');
  assert.equal((await raw(srv.base, "GET", file)).status, 401, "not without the token");
  assert.equal((await call("GET", `/api/entry/file?name=Sort&key=${sort.key}&output=nothing`)).status, 404);
  // An output replaced by a link out of the entry's folder is not followed.
  const out = join(detail.json.dir, "work", "numbers_sorted.txt");
  rmSync(out);
  symlinkSync(join(fx.outside, "secret.txt"), out);
  const refused = await call("GET", file);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.error.kind, "path");
  assert.ok(!refused.text.includes("not for the page"));

  assert.equal((await call("POST", "/api/evict", { itemsLimit: 0, dryRun: true })).json.count, 1);
  assert.equal((await call("GET", "/api/entries")).json.total, 1, "a preview removes nothing");
  const removed = await call("POST", "/api/remove", { name: "Sort", key: sort.key });
  assert.deepEqual(removed.json, { removed: true });
  assert.equal(existsSync(detail.json.dir), false, "the entry's folder is gone");
  assert.equal((await call("GET", "/api/entries")).json.total, 0);
  assert.equal((await call("GET", `/api/entry?name=Sort&key=${sort.key}`)).status, 404);
});

test("a run from the API runs the tool once; the same inputs again are a hit", async () => {
  const body = { spec: JSON.stringify(fx.counterSpec), inputs: { in_file: "data/notes.txt" } };
  const first = await call("POST", "/api/run", body);
  assert.equal(first.status, 200, first.text);
  const done = await waitForRun(first.json.id);
  assert.equal(done.state, "done", JSON.stringify(done.error));
  assert.equal(done.result.cached, false);
  assert.match(done.stdout, /^counting \S+notes\.txt\nlines: 2\n$/);
  assert.equal(done.stderr, "a note on stderr\n");
  assert.equal(fx.runs(), 1);
  const again = await waitForRun((await call("POST", "/api/run", body)).json.id);
  assert.equal(again.result.cached, true);
  assert.equal(again.result.stdout, done.stdout, "the output, replayed from the cache");
  assert.equal(fx.runs(), 1, "the tool did not run again");
  // A spec from a file under the root, the same run: a hit too.
  const byPath = await waitForRun((await call("POST", "/api/run", { specPath: "specs/Counter.json", inputs: { in_file: "data/notes.txt" } })).json.id);
  assert.equal(byPath.result.cached, true);
  // A bad input is an error value with its kind.
  const bad = await waitForRun((await call("POST", "/api/run", { spec: JSON.stringify(fx.counterSpec), inputs: {} })).json.id);
  assert.equal(bad.state, "failed");
  assert.equal(bad.error.kind, "mandatory");
  const list = await call("GET", "/api/entries");
  assert.deepEqual(list.json.entries.map((e) => e.name), ["Counter"]);
});

test("listening beyond loopback says so loudly", async () => {
  const child = spawn(BIN, ["--cache-dir", fx.cache, "serve", "--port", "0", "--host", "0.0.0.0", "--root", fx.root, "--page", ROOT], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  await new Promise((resolve) => {
    child.stderr.on("data", () => err.includes("Ctrl-C") && resolve());
    child.on("exit", resolve);
  });
  child.kill("SIGTERM");
  assert.match(err, /WARNING: listening on 0\.0\.0\.0:\d+, not on loopback: anyone who can reach this port and has the\s+token can run programs/);
});
