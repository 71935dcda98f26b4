// A typed use of the package from an ES module under Node: `tsc` must accept
// every line, and reject each line after a `@ts-expect-error`.
import {
  Interface,
  Memory,
  cacheable,
  fingerprint,
  isToolmemoError,
  type EntryMeta,
  type ErrorKind,
  type NormalizedInput,
  type Problem,
  type Spec,
  type StoreName,
} from "toolmemo";
import * as lite from "toolmemo/lite";
import type { BETInputs, BETOutputs } from "./BET.js";

// Specs: a spec written in TypeScript is checked with `satisfies Spec`.
const spec = {
  name: "BET",
  command: "bet",
  output_extension: ".nii.gz",
  inputs: {
    in_file: { type: { File: { exists: true } }, argstr: "%s", position: 0, mandatory: true },
    frac: { type: "Float", argstr: "-f %.2f", desc: "fractional intensity threshold" },
    center: { type: { List: "Int", maxlen: 3 }, argstr: "-c %s" },
    mode: { type: { Enum: ["fast", "slow"] }, argstr: "--%s", "x-widget": "radio" },
  },
  outputs: { out_file: { type: "File" } },
} satisfies Spec;

// @ts-expect-error: a misspelt metadata key
export const misspelt = { name: "X", command: "x", inputs: { a: { type: "Int", mandatroy: true } } } satisfies Spec;
// @ts-expect-error: not a type of the spec format
export const badType = { name: "X", command: "x", inputs: { a: { type: "Double" } } } satisfies Spec;

// Interfaces, with inputs and outputs typed by `toolmemo types` (./BET.d.ts).
const bet = Interface.fromSpec<BETInputs, BETOutputs>(spec);
const line: string = bet.cmdline({ in_file: "f3.nii", frac: 0.5, mask: true }, { files: ["f3.nii"] });
bet.cmdline('{"in_file": "f3.nii", "frac": 1.0}');
// @ts-expect-error: frac is a number
bet.cmdline({ in_file: "f3.nii", frac: "half" });
// @ts-expect-error: in_file is mandatory
bet.cmdline({ frac: 0.5 });
// @ts-expect-error: no such input
bet.cmdline({ in_file: "f3.nii", fracc: 0.5 });
// @ts-expect-error: center is a list of integers
bet.cmdline({ in_file: "f3.nii", center: ["1"] });

const problems: Problem[] = bet.validate({ in_file: "f3.nii" });
const kinds: ErrorKind[] = problems.map((p) => p.kind);
// @ts-expect-error: not an error kind
export const bogus: ErrorKind = "bogus";
const bound = bet.bind({ in_file: "f3.nii" });
const again: string = bound.cmdline();
const help: string = bet.help();
const declarations: string = bet.types();
const firstInput: NormalizedInput | undefined = bet.spec.inputs[0];
const mandatory: boolean = bet.spec.inputs.every((i) => i.mandatory || i.xor.length >= 0);

declare function export_(...values: unknown[]): void;

// Errors are values with a kind.
try {
  bet.cmdline({ in_file: "missing.nii" });
} catch (e: unknown) {
  if (isToolmemoError(e)) {
    const kind: ErrorKind = e.kind;
    const input: string | null = e.input;
    const message: string = e.message;
    export_(kind, input, message);
  }
}

// Without generated types, any input name and any JSON value.
const untyped = Interface.fromSpec(JSON.parse('{"name": "T", "command": "t"}'));
untyped.cmdline({ anything: [1, "two", null, { three: 3 }] });
// @ts-expect-error: a function is not an input value
untyped.cmdline({ f: () => 1 });

// Memory: options, cached functions, cached interface runs, kwneuro's cacheable.
const mem = await Memory.open({ bytesLimit: "500M", itemsLimit: 10_000, ageLimit: "30d", compress: 3 });
const where: StoreName = mem.store;
const folder: string | undefined = mem.location;
await Memory.open({ store: "memory", force: ["score"], hashMethod: "timestamp", maxmem: 0.5 });
// @ts-expect-error: not a size
await Memory.open({ bytesLimit: "big" });
// @ts-expect-error: no such store
await Memory.open({ store: "redis" });
// @ts-expect-error: no such option
await Memory.open({ bytesLimt: "1G" });

const score = mem.cache(
  async function score(subject: string, threshold: number, log: { info(s: string): void } | null) {
    log?.info(subject);
    return { subject, value: threshold * 2 };
  },
  { ignore: ["log"], expiresAfter: "1d", validate: (meta) => meta.hits < 100 },
);
const result = await score("sub-01", 0.5, null);
const value: number = result.value;
// @ts-expect-error: threshold is a number
await score("sub-01", "0.5", null);
const hits: number = (await score.cacheInfo()).hits;
const inCache: boolean = await score.checkCallInCache("sub-01", 0.5, null);
const argsKey: string = score.explain("sub-01", 0.5, null).argsKey;
const removed: EntryMeta[] = await score.cacheClear();

const big = mem.cache(function big(n: number) {
  return new Uint8Array(n);
}, { save: (v) => Array.from(v), load: (stored) => new Uint8Array(stored) });
const bytes: Uint8Array = await big(16);
const summed: number = await mem.eval(function add(a: number, b: number) {
  return a + b;
}, 1, 2);

const runBet = mem.cacheInterface(bet, async (inputs, cmdline) => ({ out_file: `${inputs.in_file}_brain`, mask_file: cmdline }));
const run = await runBet({ in_file: "f3.nii", frac: 0.5 });
const outFile: string = run.outputs.out_file;
const cached: boolean = run.cached;
const runKey: string = runBet.explain({ in_file: "f3.nii" }).parts["in_file"] ?? "";
// @ts-expect-error: the run must give BET's outputs
mem.cacheInterface(bet, async () => ({ out_file: 1 }));

const step = cacheable(function estimate(x: number) {
  return x + 1;
});
const total: number = await mem.activate(async () => (await step(1)) + 1);
const isCached: boolean = (await mem.isCached(score, "sub-01", 0.5, null)) && (await mem.isCached("estimate"));
const entries: EntryMeta[] = await mem.entries();
const evicted: EntryMeta[] = await mem.reduceSize({ itemsLimit: 100 });
const preview: EntryMeta[] = await mem.previewEviction({ bytesLimit: "1G" });
const stats = await mem.stats();
const status: { [step: string]: boolean } = await mem.status([score, "estimate"]);
const key: string = fingerprint({ a: 1, b: [2, 3] });

// toolmemo/lite: Interface alone.
const liteBet = lite.Interface.fromSpec<BETInputs, BETOutputs>(spec);
const liteLine: string = liteBet.cmdline({ in_file: "f3.nii" });
// @ts-expect-error: lite has no Memory
lite.Memory.open();

export const used = [line, kinds, again, help, declarations, firstInput, mandatory, where, folder, value, hits, inCache];
export const more = [argsKey, removed, bytes, summed, outFile, cached, runKey, total, isCached, entries, evicted, preview];
export const rest = [stats.entries, status, key, liteLine, Memory, Interface];
