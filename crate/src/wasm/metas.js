// Loaded by wasm-bindgen as a snippet of the Node package only (the
// filesystem store's reductions and listings return tens of thousands of
// entries; browsers parse JSON). `export function` declarations only, as in
// memory.js (scripts/build.sh turns them into CommonJS).

/**
 * Metadata objects from two columns (crate/src/wasm/memory/metas.rs): per
 * entry 8 strings (key, kind, name, lastRun, format, code as `-` or `+code`,
 * args or empty, sidecar as JSON) and 5 numbers (created, lastAccess, hits,
 * bytes, durationMs). The fields of the JSON form, in its order; a number that
 * is not finite is null, as JSON has it.
 */
export function metasFromColumns(text, numbers) {
  const s = text.split("\0");
  const n = numbers.length / 5;
  const out = new Array(n);
  const num = (x) => (Number.isFinite(x) ? x : null);
  for (let i = 0, j = 0, k = 0; i < n; i++, j += 8, k += 5) {
    const code = s[j + 5];
    const sidecar = s[j + 7];
    out[i] = {
      key: s[j],
      kind: s[j + 1],
      name: s[j + 2],
      created: num(numbers[k]),
      lastAccess: num(numbers[k + 1]),
      lastRun: s[j + 3],
      hits: numbers[k + 2],
      bytes: numbers[k + 3],
      durationMs: num(numbers[k + 4]),
      code: code === "-" ? null : code.slice(1),
      args: s[j + 6] === "" ? null : s[j + 6],
      sidecar: sidecar === "null" ? null : JSON.parse(sidecar),
      format: s[j + 4],
    };
  }
  return out;
}
