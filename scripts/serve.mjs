// Serves the web page (index.html, www/, the wasm package in pkg/web/ and the
// example specs) on 127.0.0.1, and nothing else of the repository.
//
//   node scripts/serve.mjs            # http://127.0.0.1:8080/ (or the next free port)
//   PORT=9000 node scripts/serve.mjs
//
// Also imported by tests/page.test.mjs: `serve({ port: 0 })` picks a free port.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};

/** What the page needs; everything else (.git, target/, sources) is not served. */
const PUBLIC = [/^index\.html$/, /^www\//, /^pkg\/web\//, /^pkg\/nipype\/.*\.json$/, /^examples\/.*\.json$/, /^docs\/screenshots\//];

/** The repository-relative path a URL asks for, or null if it is not public. */
function publicPath(url) {
  let path;
  try {
    path = decodeURIComponent(new URL(url, "http://x").pathname);
  } catch {
    return null;
  }
  path = posix.normalize(path).replace(/^\/+/, "");
  if (path === "" || path === ".") path = "index.html";
  if (path.split("/").includes("..") || path.includes("\0")) return null;
  return PUBLIC.some((re) => re.test(path)) ? path : null;
}

async function handle(root, req, res) {
  const path = publicPath(req.url);
  if ((req.method !== "GET" && req.method !== "HEAD") || path === null) {
    res.writeHead(path === null ? 404 : 405, { "content-type": "text/plain" }).end("not found");
    return;
  }
  try {
    const file = join(root, path);
    if (!(await stat(file)).isFile()) throw new Error("not a file");
    const body = await readFile(file);
    res.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "content-length": body.length,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
}

/**
 * Starts serving; resolves to `{url, close}`. A busy `port` is tried again one
 * higher, up to `tries` times (port 0 asks the system for a free one).
 */
export function serve({ root = ROOT, host = "127.0.0.1", port = 8080, tries = 20 } = {}) {
  const server = createServer((req, res) => handle(root, req, res));
  return new Promise((resolve, reject) => {
    const attempt = (p, left) => {
      server.once("error", (err) => {
        if (err.code === "EADDRINUSE" && p !== 0 && left > 1) attempt(p + 1, left - 1);
        else reject(err);
      });
      server.listen(p, host, () => {
        server.removeAllListeners("error");
        const { port: bound } = server.address();
        resolve({ url: `http://${host}:${bound}/`, close: () => new Promise((r) => server.close(r)) });
      });
    };
    attempt(port, tries);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { url } = await serve({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? "127.0.0.1" });
  console.log(`toolmemo's web page: ${url}  (Ctrl-C to stop)`);
}
