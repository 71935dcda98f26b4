// The same package from CommonJS (`require`), typed through the `require`
// condition of the exports map.
import toolmemo = require("toolmemo");
import lite = require("toolmemo/lite");

const bet = toolmemo.Interface.fromSpec({ name: "T", command: "t", inputs: { n: { type: "Int", argstr: "-n %d" } } });
const line: string = bet.cmdline({ n: 3 });
const memory: Promise<toolmemo.Memory> = toolmemo.Memory.open({ store: "memory" });
const error = (e: unknown): toolmemo.ErrorKind | undefined => (toolmemo.isToolmemoError(e) ? e.kind : undefined);
const liteHelp: string = lite.Interface.fromSpec({ name: "T", command: "t" }).help();
// @ts-expect-error: lite has no cacheable
lite.cacheable;

export = { line, memory, error, liteHelp };
