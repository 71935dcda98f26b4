// The demo: BET from the spec format's example, rendered by the wasm build in Node.
// Run with `npm start` (which installs and builds first).
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Interface } = require("../pkg/node/toolmemo.js");

const spec = readFileSync(new URL("./BET.json", import.meta.url), "utf8");
const bet = Interface.fromSpec(spec);

// `exists` is checked against the real filesystem: work in a folder with f3.nii.
const dir = mkdtempSync(join(tmpdir(), "toolmemo-demo-"));
writeFileSync(join(dir, "f3.nii"), "");
process.chdir(dir);

console.log(bet.help());
const inputs = { in_file: "f3.nii", frac: 0.5, mask: true };
console.log("inputs:  ", JSON.stringify(inputs));
console.log("cmdline: ", bet.cmdline(inputs));

for (const bad of [{ frac: 0.5 }, { in_file: "f3.nii", frac: "half" }, { in_file: "f3.nii", functional: true, reduce_bias: true }]) {
  try {
    bet.cmdline(bad);
  } catch (err) {
    console.log(`error[${err.kind}]: ${err.message}`);
  }
}
