// Loaded by wasm-bindgen as a snippet of the Node package only (the
// filesystem store's reductions and listings return tens of thousands of
// entries; browsers parse JSON). `export function` declarations only, as in
// memory.js (scripts/build.sh turns them into CommonJS).

/**
 * Metadata objects from columns (crate/src/wasm/memory/metas.rs, `Columns`):
 * every key's 32 bytes in `keyBytes` (written as hex here, in one call); the
 * distinct strings of the other fields in `table`, joined by NUL; per run of
 * entries that share them, 8 numbers in `runs`: how many entries, then the
 * places in the table of their 7 strings (kind, name, lastRun, format, code as
 * `-` or `+code`, args or empty, sidecar as JSON); per entry 5 numbers
 * (created, lastAccess, hits, bytes, durationMs). The fields of the JSON form,
 * in its order; a number that is not finite is null, as JSON has it. A run's
 * strings are read once (a reduction's entries are one run); a sidecar is
 * parsed per entry: entries never share an object.
 */
export function metasFromColumns(keyBytes, table, runs, numbers) {
  const keys = Buffer.from(keyBytes.buffer, keyBytes.byteOffset, keyBytes.length).toString("hex");
  const u = table.split("\0");
  const out = new Array(numbers.length / 5);
  const num = (x) => (Number.isFinite(x) ? x : null);
  let i = 0;
  for (let r = 0; r < runs.length; r += 8) {
    const kind = u[runs[r + 1]];
    const name = u[runs[r + 2]];
    const lastRun = u[runs[r + 3]];
    const format = u[runs[r + 4]];
    const codeText = u[runs[r + 5]];
    const code = codeText === "-" ? null : codeText.slice(1);
    const argsText = u[runs[r + 6]];
    const args = argsText === "" ? null : argsText;
    const sidecar = u[runs[r + 7]];
    const parse = sidecar !== "null";
    for (const end = i + runs[r]; i < end; i++) {
      const k = 5 * i;
      out[i] = {
        key: keys.slice(64 * i, 64 * i + 64),
        kind,
        name,
        created: num(numbers[k]),
        lastAccess: num(numbers[k + 1]),
        lastRun,
        hits: numbers[k + 2],
        bytes: numbers[k + 3],
        durationMs: num(numbers[k + 4]),
        code,
        args,
        sidecar: parse ? JSON.parse(sidecar) : null,
        format,
      };
    }
  }
  return out;
}
