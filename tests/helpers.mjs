// Shared by the Node tests: loading the built package and reading case files.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SHARED = process.env.TOOLMEMO_SHARED ?? join(ROOT, "..", "shared");
const require = createRequire(import.meta.url);
export const toolmemo = require(join(ROOT, "pkg/node/toolmemo.js"));

/**
 * Every spec conformance case file: shared/conformance/*.jsonl whose cases
 * carry their spec, and our nipype probes. (Files of cases that name a nipype
 * interface instead, such as nipype-all-dev.jsonl, test the nipype importer
 * with check_import.py, not the spec engine.)
 */
export function caseFiles() {
  const dir = join(SHARED, "conformance");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl") && carriesSpecs(join(dir, f)))
    .sort()
    .map((f) => join(dir, f))
    .concat([join(ROOT, "tests/vectors/nipype-probes.jsonl")]);
}

/** Whether a case file's cases carry their spec (its first case tells). */
export function carriesSpecs(file) {
  const first = readFileSync(file, "utf8").split("\n", 1)[0];
  return first.trim() !== "" && JSON.parse(first).spec !== undefined;
}

/** Creates a case's `files` under `dir`, empty (a trailing `/` makes a folder). */
export function makeCaseFiles(dir, files = []) {
  for (const f of files) {
    const p = join(dir, f);
    if (f.endsWith("/")) mkdirSync(p, { recursive: true });
    else {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, "");
    }
  }
}

export function readLines(file) {
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
}

/**
 * The raw JSON text of top-level `key` in the object `line`. JSON.parse would
 * turn `1.0` into `1`; the text keeps Python's int/float distinction, which the
 * package reads when given JSON text.
 */
export function rawMember(line, key) {
  let depth = 0;
  let i = 0;
  let lastString = null;
  while (i < line.length) {
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
      lastString = line.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ":" && depth === 1 && lastString === JSON.stringify(key)) {
      let start = i + 1;
      while (line[start] === " ") start++;
      let end = start;
      let d = 0;
      for (; end < line.length; end++) {
        const e = line[end];
        if (e === '"') {
          end++;
          while (line[end] !== '"') end += line[end] === "\\" ? 2 : 1;
        } else if (e === "{" || e === "[") d++;
        else if (e === "}" || e === "]") d--;
        if (d < 0 || (d === 0 && e === ",")) break;
      }
      return line.slice(start, end).trim();
    }
    if (c === "{" || c === "[") depth++;
    if (c === "}" || c === "]") depth--;
    i++;
  }
  return undefined;
}

const TYPED = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array,
  int32: Int32Array, float32: Float32Array, float64: Float64Array, bigint64: BigInt64Array, biguint64: BigUint64Array,
};

/** A value of tests/vectors/fingerprint.jsonl built as the JS value it stands for. */
export function decodeVector(v) {
  if (Array.isArray(v)) return v.map(decodeVector);
  if (v === null || typeof v !== "object") return v;
  const [tag, arg] = Object.entries(v)[0] ?? [];
  const single = Object.keys(v).length === 1;
  if (single && tag === "$undefined") return undefined;
  if (single && tag === "$float") return Number(arg === "inf" ? Infinity : arg === "-inf" ? -Infinity : NaN);
  if (single && tag === "$bigint") return BigInt(arg);
  if (single && tag === "$date") return new Date(arg);
  if (single && tag === "$bytes") {
    const bytes = arg.hex !== undefined ? Uint8Array.from(arg.hex.match(/../g) ?? [], (h) => parseInt(h, 16)) : new Uint8Array(arg.len).fill(arg.fill);
    if (arg.dtype === "arraybuffer") return bytes.buffer;
    return new TYPED[arg.dtype](bytes.buffer, 0, bytes.byteLength / TYPED[arg.dtype].BYTES_PER_ELEMENT);
  }
  if (single && tag === "$map") return new Map(arg.map(([k, x]) => [decodeVector(k), decodeVector(x)]));
  if (single && tag === "$set") return new Set(arg.map(decodeVector));
  if (single && tag === "$object") {
    const Class = { [arg.class]: class {} }[arg.class];
    return Object.assign(new Class(), Object.fromEntries(Object.entries(arg.fields).map(([k, x]) => [k, decodeVector(x)])));
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeVector(x)]));
}
