// The filesystem store's disk under Node (crate/src/memory/disk.rs, `Disk`;
// crate/src/wasm/host.rs, `NodeDisk`), and JS values as bytes for it. A
// snippet of its own, so that browser builds (which have no filesystem store)
// do not carry it. Each function throws Node's error, whose `code` says why.
// Only `export function` declarations and plain top-level code: scripts/build.sh
// turns this file into CommonJS for the Node build.

function nodeModule(name) {
  const p = globalThis.process;
  return p && typeof p.getBuiltinModule === "function" ? p.getBuiltinModule(name) : undefined;
}

const fs = nodeModule("fs");
const os = nodeModule("os");
const v8 = nodeModule("v8");

let chunk;
/** The whole of the open file `fd`, valid until the next read: a first read
 * into a reused buffer (most files read are small: metadata, access records,
 * small values), then, for a larger file, the rest into a buffer of its size
 * (`readFileSync` always asks the size first: one more system call per file). */
function readAll(fd) {
  chunk ??= Buffer.allocUnsafe(16 * 1024);
  let filled = 0;
  for (let n; filled < chunk.length && (n = fs.readSync(fd, chunk, filled, chunk.length - filled, null)) > 0; ) {
    filled += n;
  }
  // A view of the reused buffer: the caller (Rust) copies it at once.
  if (filled < chunk.length) return chunk.subarray(0, filled);
  // One byte more than the size, so that the read which finds the end needs
  // no bigger buffer (for a 1 GB value, a second gigabyte).
  const size = Math.max(fs.fstatSync(fd).size, filled) + 1;
  let out = Buffer.allocUnsafe(size);
  chunk.copy(out);
  for (let n; ; filled += n) {
    if (filled === out.length) {
      const bigger = Buffer.allocUnsafe(out.length * 2);
      out.copy(bigger);
      out = bigger;
    }
    n = fs.readSync(fd, out, filled, out.length - filled, null);
    if (n === 0) break;
  }
  return new Uint8Array(out.buffer, out.byteOffset, filled);
}
export function diskRead(path) {
  const fd = openQuietly(path);
  try {
    return readAll(fd);
  } finally {
    fs.closeSync(fd);
  }
}
/**
 * Opens `path` for reading. Every miss's first read finds no file, and the
 * error Node makes for it captures a stack trace that nothing reads: half the
 * cost of the failed call (~5 of ~10 µs), so it is made without one.
 */
function openQuietly(path) {
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    // Frozen (a locked-down realm): errors keep their stacks.
  }
  try {
    return fs.openSync(path, "r");
  } finally {
    try {
      Error.stackTraceLimit = limit;
    } catch {
      // As above.
    }
  }
}
let small;
/** Reads the file, then rewrites its start with what `change` makes of it
 * (unless it answers `undefined`), in one opening; whether it was rewritten.
 * The files updated so are small records (the index's totals: 24 bytes, on
 * every write): one read that comes back short has read them whole, where
 * `readAll` would ask again to see the end. */
export function diskUpdate(path, change) {
  const fd = fs.openSync(path, "r+");
  try {
    small ??= Buffer.allocUnsafe(256);
    const n = fs.readSync(fd, small, 0, small.length, 0);
    const next = change(n < small.length ? small.subarray(0, n) : readAll(fd));
    if (next === undefined) return false;
    fs.writeSync(fd, next, 0, next.length, 0);
    return true;
  } finally {
    fs.closeSync(fd);
  }
}
export function diskWrite(path, bytes, sync) {
  const fd = fs.openSync(path, "w");
  try {
    if (bytes.length > 0) fs.writeSync(fd, bytes);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
export function diskOverwrite(path, bytes) {
  const fd = fs.openSync(path, "r+");
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, 0);
  } finally {
    fs.closeSync(fd);
  }
}
export function diskRename(from, to) {
  fs.renameSync(from, to);
}
export function diskMkdir(path, recursive) {
  fs.mkdirSync(path, { recursive });
}
export function diskRemoveDir(path) {
  fs.rmSync(path, { recursive: true, force: false });
}
/** Deletes a folder nobody reaches any more (in the trash) on libuv's thread pool; a
 * process that exits first leaves it for the next open to delete. */
export function diskRemoveDirLater(path) {
  fs.rm(path, { recursive: true, force: true, maxRetries: 2 }, () => {});
}
let laterQueued = false;
/** Calls `run` (the store's background work, one job) in a later task of the
 * event loop, once however often asked before then; the timer does not keep
 * the process alive. */
export function diskLater(run) {
  if (laterQueued) return;
  laterQueued = true;
  const timer = setTimeout(() => {
    laterQueued = false;
    run();
  }, 0);
  timer.unref?.();
}
export function diskRemoveFile(path) {
  fs.unlinkSync(path);
}
export function diskRemoveEmptyDir(path) {
  fs.rmdirSync(path);
}
/** A folder's entries as UTF-8 bytes, copied into wasm in one go however many
 * there are (a string would be copied character by character): each name
 * preceded by `/` if a folder, `-` if not, and followed by a NUL, which no
 * file name holds. */
export function diskList(path) {
  const names = [];
  for (const d of fs.readdirSync(path, { withFileTypes: true })) names.push((d.isDirectory() ? "/" : "-") + d.name);
  names.push("");
  return Buffer.from(names.join("\0"), "utf8");
}
/** A folder's names as `diskList` gives them, but without saying which are
 * folders: no `Dirent` object per name, for the folders of the index's
 * markers (a reduction lists tens of thousands). */
export function diskListNames(path) {
  const names = fs.readdirSync(path);
  names.push("");
  return Buffer.from(names.join("\0"), "utf8");
}
export function diskAge(path) {
  const st = fs.statSync(path, { throwIfNoEntry: false });
  return st ? (Date.now() - st.mtimeMs) / 1000 : undefined;
}
export function diskSyncDir(path) {
  try {
    const fd = fs.openSync(path, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not every platform can sync a folder; correctness does not depend on it.
  }
}
let hostName;
export function writerSeed() {
  // The host name read once (a system call each time otherwise), as natively.
  hostName ??= os ? os.hostname() : "";
  return `${hostName}-${process.pid}-${process.hrtime.bigint()}-${Math.random()}`;
}
/** A JS value as bytes (V8's structured-clone serialization) and back. */
export function serializeValue(v) {
  return new Uint8Array(v8.serialize(v));
}
export function deserializeValue(bytes) {
  // A copy: `bytes` views wasm memory, and V8 hands back typed arrays that view
  // the buffer they were read from.
  return v8.deserialize(Buffer.from(bytes));
}
