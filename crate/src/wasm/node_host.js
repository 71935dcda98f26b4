// The runner's host under Node (crate/src/runner/host.rs): processes and
// files, for `mem.cacheInterface(iface)` running the tool itself. A snippet of
// its own, so that browser builds (which have no runner) do not carry it.
// Only `export function` declarations and plain top-level code: scripts/build.sh
// turns this file into CommonJS for the Node build.

function nodeModule(name) {
  const p = globalThis.process;
  return p && typeof p.getBuiltinModule === "function" ? p.getBuiltinModule(name) : undefined;
}

const fs = nodeModule("fs");
const childProcess = nodeModule("child_process");
const pathModule = nodeModule("path");

/**
 * Runs `argv` (no shell) in `cwd` with `env` (pairs) added to this process's
 * environment, standard input closed. Resolves to `{exit, signal, stdout,
 * stderr, ms}`; rejects with why when the tool cannot be started.
 */
export function runTool(argv, env, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const environment = { ...process.env };
    for (let i = 0; i + 1 < env.length; i += 2) environment[env[i]] = env[i + 1];
    let child;
    try {
      child = childProcess.spawn(argv[0], argv.slice(1), { cwd, env: environment, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      reject(`cannot start ${JSON.stringify(argv[0])}: ${err.message}`);
      return;
    }
    const out = [];
    const err = [];
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    child.on("error", (e) => reject(`cannot start ${JSON.stringify(argv[0])}: ${e.message}`));
    child.on("close", (code, signal) => {
      const signals = nodeModule("os").constants.signals;
      resolve({
        exit: code,
        signal: signal ? signals[signal] : null,
        stdout: new Uint8Array(Buffer.concat(out)),
        stderr: new Uint8Array(Buffer.concat(err)),
        ms: performance.now() - started,
      });
    });
  });
}
/** `[size, mtimeNs (text), isDirectory]`, or `null` when missing. */
export function hostStat(path, follow) {
  const st = (follow ? fs.statSync : fs.lstatSync)(path, { bigint: true, throwIfNoEntry: false });
  return st ? [Number(st.size), String(st.mtimeNs), st.isDirectory()] : null;
}
export function hostCopyFile(from, to) {
  fs.copyFileSync(from, to);
}
export function hostSymlink(target, link) {
  fs.symlinkSync(target, link);
}
export function hostWrite(path, bytes) {
  fs.writeFileSync(path, bytes);
}
export function hostRemoveAll(path) {
  fs.rmSync(path, { recursive: true, force: true });
}
export function hostHasProgram(name) {
  return (process.env.PATH || "").split(pathModule.delimiter).some((d) => {
    try {
      return fs.statSync(pathModule.join(d, name)).isFile();
    } catch {
      return false;
    }
  });
}
export function hostCwd() {
  return process.cwd();
}
