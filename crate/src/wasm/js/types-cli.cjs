#!/usr/bin/env node
// `npx toolmemo-types SPEC.json [--out FILE]`: the TypeScript declarations of a
// spec's inputs and outputs (`<Name>Inputs`, `<Name>Outputs`), as the native
// `toolmemo types` writes them, for projects that have only the npm package.
// A parent named by `extends` is read from NAME.json beside the spec.
"use strict";
const { readFileSync, writeFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const { Interface, isToolmemoError } = require("./node.cjs");

function main(argv) {
  const args = argv.slice(2);
  const at = args.indexOf("--out");
  const out = at >= 0 ? args.splice(at, 2)[1] : undefined;
  if (args.length !== 1 || args[0].startsWith("-") || (at >= 0 && !out)) {
    process.stderr.write("usage: toolmemo-types SPEC.json [--out FILE.d.ts]\n");
    return 2;
  }
  const file = args[0];
  try {
    const spec = JSON.parse(readFileSync(file, "utf8"));
    const parents = {};
    for (let s = spec; typeof s.extends === "string" && !(s.extends in parents); ) {
      s = parents[s.extends] = JSON.parse(readFileSync(join(dirname(file), `${s.extends}.json`), "utf8"));
    }
    const text = Interface.fromSpec(spec, { parents }).types();
    if (out) writeFileSync(out, text);
    else process.stdout.write(text);
    return 0;
  } catch (e) {
    process.stderr.write(isToolmemoError(e) ? `error[${e.kind}]: ${e.message}\n` : `error: ${e.message}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv);
