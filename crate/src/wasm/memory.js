// The JavaScript that toolmemo's wasm bindings need to look native: functions
// that take any number of arguments, parameter names read from source text,
// and a few host services (structured clone, Node's sha256 and files; the
// filesystem store's disk is node_disk.js, Node only).
// Loaded by wasm-bindgen as a snippet of the generated package.
// Only `export function` declarations and plain top-level code: scripts/build.sh
// turns this file into CommonJS for the Node build.

const HANDLES_MAX = 10000;
const END = Symbol("end of arguments");

/**
 * Whether `v` may name a handle: a primitive that a `Map` tells apart from
 * every other the way keys do (not -0, which a `Map` takes for 0; not a long
 * string, which would stay in memory).
 */
function primitive(v) {
  switch (typeof v) {
    case "number":
      return !Object.is(v, -0);
    case "string":
      return v.length <= 256;
    case "boolean":
    case "undefined":
      return true;
    default:
      return v === null;
  }
}

/**
 * A cached function: callable like `fn`, with joblib's helpers attached.
 *
 * A call with a few primitive arguments finds its key by a handle that the
 * core made for them on their first call, in a tree of `Map`s with one level
 * per argument: no conversion, no hashing, no allocation, so a hit costs one
 * call into the core. Anything else takes `core.call`.
 */
export function makeCached(core, wrapped) {
  const [MISSED, SLOW] = core.markers();
  let handles = new Map();
  let count = 0;
  const f = (...args) => {
    let node = handles;
    if (args.length > 8) return core.call(args);
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      if (!primitive(v)) return core.call(args);
      let next = node.get(v);
      if (next === undefined) node.set(v, (next = new Map()));
      node = next;
    }
    let h = node.get(END);
    if (h === undefined) {
      if (count >= HANDLES_MAX) {
        handles = new Map();
        count = 0;
        core.forget();
        return core.call(args);
      }
      h = core.intern(args);
      node.set(END, h);
      count++;
    }
    if (h < 0) return core.call(args);
    let v;
    try {
      v = core.hit(h, Date.now());
    } catch (err) {
      return Promise.reject(err);
    }
    if (v === MISSED) return core.callMissed(args, h);
    if (v === SLOW) return core.call(args);
    return Promise.resolve(v);
  };
  f.checkCallInCache = (...args) => core.check(args);
  f.cacheInfo = () => core.info();
  f.cacheClear = () => core.clear();
  f.explain = (...args) => core.explain(args);
  f.wrapped = wrapped;
  f.cacheName = core.name;
  return f;
}

/** nipype's PipeFunc: `await pf(inputs)`. */
export function makePipeFunc(core) {
  const pf = (inputs, options) => core.call(inputs, options);
  pf.checkCallInCache = (inputs, options) => core.check(inputs, options);
  pf.explain = (inputs, options) => core.explain(inputs, options);
  pf.cacheName = core.name;
  return pf;
}

/** kwneuro's @cacheable: cached while a Memory is active, a plain call otherwise. */
export function makeCacheable(core, fn) {
  const f = (...args) => (core.active() ? core.call(args) : fn(...args));
  f.wrapped = fn;
  f.cacheName = core.name;
  return f;
}

export function applyFn(fn, args) {
  return fn(...args);
}

export function isThenable(v) {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";
}

/** A structured clone, or an Error saying why the value cannot be cloned. */
export function tryClone(v) {
  try {
    return { ok: true, value: structuredClone(v) };
  } catch (err) {
    return { ok: false, error: String(err && err.message ? err.message : err) };
  }
}

/** Indices of `ch` in `text` outside brackets and string literals. */
function topLevel(text, ch) {
  const found = [];
  let depth = 0;
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === ch && depth === 0) found.push(i);
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
  }
  return found;
}

/**
 * The parameter names of `fn`, read from its source (`null` for a destructured
 * parameter, which then goes by its position).
 */
export function paramNames(fn) {
  const src = Function.prototype.toString.call(fn).replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  const single = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (single) return [single[1]];
  const open = src.indexOf("(");
  if (open < 0) return [];
  // The parameter list ends at the first `)` that closes the opening `(`.
  const close = open + 1 + topLevel(src.slice(open + 1), ")")[0];
  const list = src.slice(open + 1, close);
  const cuts = [-1, ...topLevel(list, ","), list.length];
  const params = cuts.slice(1).map((end, i) => list.slice(cuts[i] + 1, end).trim()).filter((p) => p !== "");
  return params.map((p) => {
    const bare = p.replace(/^\.\.\./, "");
    const name = bare.slice(0, topLevel(bare, "=")[0] ?? bare.length).trim();
    return /^[A-Za-z_$][\w$]*$/.test(name) ? name : null;
  });
}

function nodeModule(name) {
  const p = globalThis.process;
  return p && typeof p.getBuiltinModule === "function" ? p.getBuiltinModule(name) : undefined;
}

const crypto = nodeModule("crypto");
const fs = nodeModule("fs");

/** sha256 of a buffer with Node's native digest, or `undefined` outside Node. */
export function nodeDigest(view) {
  if (!crypto) return undefined;
  return new Uint8Array(crypto.createHash("sha256").update(view).digest());
}

function u64le(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

function hashFile(path, hash) {
  const fd = fs.openSync(path, "r");
  const buf = new Uint8Array(1 << 20);
  let size = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return size;
      hash.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

// The same walk as the native hasher (fingerprint/files.rs), so keys agree.
function hashDir(path, hash) {
  const names = fs.readdirSync(path).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let size = 0;
  for (const name of names) {
    const child = `${path}/${name}`;
    const bytes = Buffer.from(name);
    hash.update(u64le(bytes.length));
    hash.update(bytes);
    if (fs.statSync(child).isDirectory()) {
      hash.update("d");
      size += hashDir(child, hash);
    } else {
      const inner = crypto.createHash("sha256");
      const n = hashFile(child, inner);
      hash.update("f");
      hash.update(u64le(n));
      hash.update(inner.digest());
      size += n;
    }
  }
  return size;
}

/**
 * How a file enters a key under Node: `null` when missing, `{size, mtimeNs}` by
 * timestamp (once older than `graceMs`), else `{size, digest}` (hex sha256).
 * `undefined` when there is no Node filesystem.
 */
export function nodeFileId(path, timestamp, graceMs) {
  if (!fs || !crypto) return undefined;
  const st = fs.statSync(path, { bigint: true, throwIfNoEntry: false });
  if (!st) return null;
  if (timestamp && Date.now() - Number(st.mtimeMs) > graceMs) {
    return { size: Number(st.size), mtimeNs: String(st.mtimeNs) };
  }
  const hash = crypto.createHash("sha256");
  const size = st.isDirectory() ? hashDir(path, hash) : hashFile(path, hash);
  return { size, digest: hash.digest("hex") };
}

/** Physical memory in bytes, where the host tells (for `maxmem`). */
export function totalMemory() {
  const os = nodeModule("os");
  if (os) return os.totalmem();
  const gb = globalThis.navigator && globalThis.navigator.deviceMemory;
  return typeof gb === "number" ? gb * 2 ** 30 : undefined;
}

/**
 * Methods of the Memory class that take any number of arguments, added to its
 * prototype on first open: joblib's `eval(fn, ...args)` and kwneuro's
 * `isCached(step, ...args)` (a cached function and its arguments, or a step name).
 */
export function installSugar(memory) {
  const proto = Object.getPrototypeOf(memory);
  const define = (name, value) => {
    if (!Object.prototype.hasOwnProperty.call(proto, name)) {
      Object.defineProperty(proto, name, { value, writable: true, configurable: true });
    }
  };
  define("eval", function (fn, ...args) {
    return this.cache(fn)(...args);
  });
  define("isCached", async function (step, ...args) {
    if (typeof step === "function" && typeof step.checkCallInCache === "function") {
      return step.checkCallInCache(...args);
    }
    const status = await this.status([step]);
    return Object.values(status)[0] === true;
  });
}

// Whether the filesystem store can run here (its disk: node_disk.js).
const os = nodeModule("os");
const v8 = nodeModule("v8");

export function hasNodeFs() {
  return Boolean(fs && v8);
}

/**
 * Where the filesystem store goes by default under Node: `TOOLMEMO_CACHE_DIR`,
 * else the platform's cache folder (as the native program finds it: Linux
 * `$XDG_CACHE_HOME` or `~/.cache`, macOS `~/Library/Caches`, Windows
 * `%LOCALAPPDATA%`) + `toolmemo`.
 */
export function defaultCacheDir() {
  const env = process.env;
  if (env.TOOLMEMO_CACHE_DIR) return env.TOOLMEMO_CACHE_DIR;
  const path = nodeModule("path");
  const home = os.homedir();
  let base;
  if (process.platform === "win32") base = env.LOCALAPPDATA || path.join(home, "AppData", "Local");
  else if (process.platform === "darwin") base = path.join(home, "Library", "Caches");
  else base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, ".cache");
  return path.join(base, "toolmemo");
}

/** JSON text (bytes) as a JS value; `undefined` when it does not parse. */
export function parseJsonBytes(bytes) {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}
