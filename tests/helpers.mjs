// Shared by the Node tests: loading the built package and reading case files.
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SHARED = process.env.TOOLMEMO_SHARED ?? join(ROOT, "..", "shared");
const require = createRequire(import.meta.url);
export const toolmemo = require(join(ROOT, "pkg/node/toolmemo.js"));

/** Every conformance case file: shared/conformance/*.jsonl and our nipype probes. */
export function caseFiles() {
  const dir = join(SHARED, "conformance");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => join(dir, f))
    .concat([join(ROOT, "tests/vectors/nipype-probes.jsonl")]);
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
