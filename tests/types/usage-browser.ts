// In a browser, through a bundler's resolution (the `types`/`default`
// conditions): the same API, with IndexedDB.
import { Interface, Memory, type Spec } from "toolmemo";

const spec: Spec = { name: "wc", command: "wc", inputs: { lines: { type: "Bool", argstr: "-l" }, file: { type: "File", argstr: "%s" } } };
const wc = Interface.fromSpec(spec);
const mem = await Memory.open({ store: "indexeddb", name: "my-app" });
const count = mem.cacheInterface(wc, async (_inputs, cmdline) => ({ stdout: `ran ${cmdline}` }));
const { outputs } = await count({ lines: true, file: "notes.txt" }, );
export const stdout: string = outputs.stdout;
