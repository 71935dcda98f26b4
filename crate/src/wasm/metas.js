// Loaded by wasm-bindgen as a snippet of the Node package only (the
// filesystem store's reductions and listings return tens of thousands of
// entries; browsers parse JSON). `export function` declarations only, as in
// memory.js (scripts/build.sh turns them into CommonJS).

/**
 * Metadata objects from columns (crate/src/wasm/memory/metas.rs, `Columns`):
 * every key's 64 hex digits in `keys`; the distinct strings of the other
 * fields in `table`, joined by NUL, and per entry the places in it of its 7
 * (kind, name, lastRun, format, code as `-` or `+code`, args or empty,
 * sidecar as JSON) in `strings`; per entry 5 numbers (created, lastAccess,
 * hits, bytes, durationMs). The fields of the JSON form, in its order; a
 * number that is not finite is null, as JSON has it. A sidecar is parsed per
 * entry: entries never share an object.
 */
export function metasFromColumns(keys, table, strings, numbers) {
  const u = table.split("\0");
  const n = numbers.length / 5;
  const out = new Array(n);
  const num = (x) => (Number.isFinite(x) ? x : null);
  for (let i = 0, j = 0, k = 0; i < n; i++, j += 7, k += 5) {
    const code = u[strings[j + 4]];
    const args = u[strings[j + 5]];
    const sidecar = u[strings[j + 6]];
    out[i] = {
      key: keys.slice(64 * i, 64 * i + 64),
      kind: u[strings[j]],
      name: u[strings[j + 1]],
      created: num(numbers[k]),
      lastAccess: num(numbers[k + 1]),
      lastRun: u[strings[j + 2]],
      hits: numbers[k + 2],
      bytes: numbers[k + 3],
      durationMs: num(numbers[k + 4]),
      code: code === "-" ? null : code.slice(1),
      args: args === "" ? null : args,
      sidecar: sidecar === "null" ? null : JSON.parse(sidecar),
      format: u[strings[j + 3]],
    };
  }
  return out;
}
