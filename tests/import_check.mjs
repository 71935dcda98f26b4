// The nipype importer's specs in wasm under Node: every case of every exported
// interface (python/toolmemo_nipype wrote SPECS_DIR/<interface>.json) renders
// as nipype rendered it, in a fresh folder holding the case's files, with the
// spec read as JSON text. What check_import.py checks natively, here through
// the npm package. Exits 1 on any difference. SPM interfaces (cases holding
// nipype's MATLAB batch script, "matlab") are checked through `iface.script`.
//
//   node tests/import_check.mjs CASES.jsonl SPECS_DIR
import { mkdtempSync, readFileSync, existsSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolmemo, readLines, makeCaseFiles } from "./helpers.mjs";

const [casesFile, specsDir] = process.argv.slice(2);
const { Interface } = toolmemo;
const here = process.cwd();
let cases = 0;
let interfaces = 0;
const wrong = [];
const byIface = new Map();
const all = readLines(casesFile).map((line) => JSON.parse(line));
const spm = new Set(all.filter((c) => c.matlab !== undefined).map((c) => c.interface));
let scripts = 0;
for (const c of all) {
  const file = join(specsDir, `${c.interface}.json`);
  if (!existsSync(file)) continue;
  if (!byIface.has(c.interface)) byIface.set(c.interface, { text: readFileSync(file, "utf8"), cases: [] });
  byIface.get(c.interface).cases.push(c);
}
for (const [name, { text, cases: list }] of byIface) {
  interfaces++;
  const iface = Interface.fromSpec(text);
  for (const c of list) {
    cases++;
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "toolmemo-import-")));
    try {
      makeCaseFiles(dir, c.files);
      process.chdir(dir);
      const key = spm.has(name) ? "matlab" : "cmdline";
      let got;
      try {
        got = { [key]: key === "matlab" ? iface.script(c.inputs) : iface.cmdline(c.inputs) };
      } catch (e) {
        got = { error: e.kind };
      }
      if (key === "matlab") scripts++;
      const want = c[key] !== undefined ? { [key]: c[key].replaceAll("{cwd}", dir) } : { error: c.error };
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push({ name, id: c.id, want, got });
    } finally {
      process.chdir(here);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
for (const w of wrong.slice(0, 8)) console.log(`WRONG ${w.name} ${w.id}\n  want: ${JSON.stringify(w.want)}\n  got:  ${JSON.stringify(w.got)}`);
console.log(`wasm under Node: ${interfaces} exported interfaces (${[...byIface.keys()].filter((n) => spm.has(n)).length} SPM), ${cases} cases (${scripts} scripts), ${wrong.length} wrong`);
process.exit(wrong.length === 0 && interfaces > 0 ? 0 : 1);
