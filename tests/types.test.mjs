// The TypeScript side of the package: `tsc --noEmit` over typed usage examples
// (tests/types/: ESM and CommonJS under Node, a bundler's resolution), the
// `.d.ts` that `iface.types()` writes for every example spec, and the hand-written
// declarations (types/) against the runtime: every export, class member and
// returned object's key declared, nothing declared that is not there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { ROOT, caseFiles, readLines } from "./helpers.mjs";

const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const toolmemo = await import("toolmemo");
const BET = JSON.parse(readFileSync(join(ROOT, "examples/BET.json"), "utf8"));

function tsc(project) {
  const r = spawnSync(process.execPath, [TSC, "-p", project], { encoding: "utf8" });
  assert.equal(r.status, 0, `tsc -p ${project}:\n${r.stdout}${r.stderr}`);
}

test("tsc accepts the typed usage examples and rejects each line marked @ts-expect-error", () => {
  tsc(join(ROOT, "tests/types/tsconfig.json")); // Node: import (.mts) and require (.cts)
  tsc(join(ROOT, "tests/types/tsconfig.bundler.json")); // browsers, through a bundler
});

test("iface.types() writes tests/types/BET.d.ts, which the usage example relies on", () => {
  const want = readFileSync(join(ROOT, "tests/types/BET.d.ts"), "utf8");
  assert.equal(toolmemo.Interface.fromSpec(BET).types(), want, "regenerate tests/types/BET.d.ts if the generator changed on purpose");
});

test("the declarations generated for every example spec compile under strict settings", () => {
  const dir = mkdtempSync(join(tmpdir(), "toolmemo-types-"));
  const seen = new Set();
  const specs = [BET];
  for (const f of readdirSync(join(ROOT, "examples/specs"))) specs.push(JSON.parse(readFileSync(join(ROOT, "examples/specs", f), "utf8")));
  for (const file of caseFiles()) {
    for (const line of readLines(file)) {
      const c = JSON.parse(line);
      if (c.error !== "spec") specs.push(c.spec);
    }
  }
  let n = 0;
  for (const spec of specs) {
    const text = JSON.stringify(spec);
    if (seen.has(text)) continue;
    seen.add(text);
    const out = toolmemo.Interface.fromSpec(spec).types();
    assert.match(out, /^export interface \w+Inputs \{$/m);
    writeFileSync(join(dir, `spec${n++}.d.ts`), out);
  }
  assert.ok(n > 500, `${n} specs`);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, noUnusedLocals: true, skipLibCheck: false, lib: ["es2022"] }, include: ["*.d.ts"] }),
  );
  tsc(join(dir, "tsconfig.json"));
});

// ---- the declarations against the runtime

const program = ts.createProgram(
  ["index.d.ts", "lite.d.ts"].map((f) => join(ROOT, "pkg/types", f)),
  { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
);
const checker = program.getTypeChecker();

function moduleExports(file) {
  const sf = program.getSourceFile(join(ROOT, "pkg/types", file));
  return checker.getExportsOfModule(checker.getSymbolAtLocation(sf)).map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
}

const INDEX = new Map(moduleExports("index.d.ts").map((s) => [s.getName(), s]));
const isPublic = (p) => !(ts.getDeclarationModifierFlagsFromSymbol(p) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));

/** The declared members of an exported interface or class (instance side). */
function declared(name) {
  const sym = INDEX.get(name);
  assert.ok(sym, `${name} is declared`);
  const type = checker.getDeclaredTypeOfSymbol(sym);
  const props = checker.getPropertiesOfType(type).filter(isPublic);
  return {
    all: props.map((p) => p.getName()).sort(),
    required: props.filter((p) => !(p.flags & ts.SymbolFlags.Optional)).map((p) => p.getName()).sort(),
    statics: sym.flags & ts.SymbolFlags.Class ? checker.getPropertiesOfType(checker.getTypeOfSymbol(sym)).filter(isPublic).map((p) => p.getName()).filter((n) => n !== "prototype").sort() : [],
  };
}

const valueExports = (file) => moduleExports(file).filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => s.getName()).sort();

test("every entry exports exactly the values its declarations declare", async () => {
  const full = valueExports("index.d.ts");
  const liteNames = valueExports("lite.d.ts");
  assert.deepEqual(full, ["BoundInputs", "Interface", "Memory", "cacheable", "fingerprint", "isToolmemoError"]);
  assert.deepEqual(liteNames, ["BoundInputs", "Interface", "isToolmemoError"]);
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  assert.deepEqual(Object.keys(await import("toolmemo")).sort(), full);
  assert.deepEqual(Object.keys(require("toolmemo")).sort(), full);
  assert.deepEqual(Object.keys(await import("toolmemo/lite")).sort(), liteNames);
  assert.deepEqual(Object.keys(require("toolmemo/lite")).sort(), liteNames);
  // The browser entries load wasm through fetch, so their export lists are read.
  const exported = (f) => readFileSync(join(ROOT, "pkg/entry", f), "utf8").match(/export \{([^}]*)\}/)[1].split(",").map((s) => s.trim()).sort();
  assert.deepEqual(exported("browser.mjs"), full);
  assert.deepEqual(exported("lite.mjs"), liteNames);
});

/** Own methods and accessors of a class's prototype and of the class. */
function runtimeMembers(cls) {
  const skip = new Set(["constructor", "__destroy_into_raw", "__wbg_ptr"]);
  return {
    instance: Object.getOwnPropertyNames(cls.prototype).filter((n) => !skip.has(n)).sort(),
    statics: Object.getOwnPropertyNames(cls).filter((n) => !["length", "name", "prototype", "__wrap"].includes(n)).sort(),
  };
}

/** Keys of runtime objects against a declared interface: nothing undeclared, nothing required missing. */
function matches(name, ...objects) {
  const d = declared(name);
  for (const o of objects) {
    const keys = Object.keys(o).sort();
    assert.deepEqual(keys.filter((k) => !d.all.includes(k)), [], `${name}: keys not declared`);
    assert.deepEqual(d.required.filter((k) => !keys.includes(k)), [], `${name}: declared required, missing`);
  }
}

test("classes: every member at runtime is declared, and every declared member exists", async () => {
  const { Interface, BoundInputs, Memory } = toolmemo;
  await Memory.open({ store: "none" }); // Memory's variadic methods are added on the first open
  for (const [name, cls] of [["Interface", Interface], ["BoundInputs", BoundInputs], ["Memory", Memory]]) {
    const d = declared(name);
    const r = runtimeMembers(cls);
    assert.deepEqual(d.all, r.instance, `${name}: instance members`);
    assert.deepEqual(d.statics, r.statics, `${name}: static members`);
  }
});

test("returned objects have the declared shapes", async () => {
  const { Interface, Memory, cacheable } = toolmemo;
  const bet = Interface.fromSpec(BET);
  matches("NormalizedSpec", bet.spec);
  matches("NormalizedInput", ...bet.spec.inputs);
  matches("NormalizedOutput", ...bet.spec.outputs);
  matches("Problem", ...bet.validate({ frac: "half" }, { files: [] }));
  try {
    bet.cmdline({}, { files: [] });
    assert.fail("mandatory");
  } catch (e) {
    assert.ok(toolmemo.isToolmemoError(e));
    assert.equal(e.name, "ToolmemoError");
    assert.ok(!toolmemo.isToolmemoError(new Error("other")));
  }

  const mem = await Memory.open({ store: "memory" });
  const add = mem.cache(function add(a, b) {
    return a + b;
  });
  matches("CachedFunction", add);
  await add(1, 2);
  await add(1, 2);
  matches("CacheInfo", await add.cacheInfo());
  matches("FunctionExplanation", add.explain(1, 2));
  matches("MemoryStats", await mem.stats());
  const run = mem.cacheInterface(bet, async (inputs) => ({ out_file: `${inputs.in_file}_brain`, mask_file: "m" }), { files: ["f3.nii"] });
  matches("CachedInterface", run);
  matches("CachedRun", await run({ in_file: "f3.nii" }));
  matches("InterfaceExplanation", run.explain({ in_file: "f3.nii" }));
  matches("EntryMeta", ...(await mem.entries()));
  matches("Cacheable", cacheable(function step(x) {
    return x;
  }));
});

test("ErrorKind lists exactly the kinds the core has", () => {
  const rust = readFileSync(join(ROOT, "crate/src/error.rs"), "utf8");
  const codes = [...rust.matchAll(/ErrorKind::\w+ => "(\w+)"/g)].map((m) => m[1]).sort();
  const sym = INDEX.get("ErrorKind");
  const union = checker.getDeclaredTypeOfSymbol(sym).types.map((t) => t.value).sort();
  assert.ok(codes.length >= 8);
  assert.deepEqual(union, codes);
});
