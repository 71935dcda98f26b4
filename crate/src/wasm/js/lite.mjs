// `toolmemo/lite` in browsers and bundlers: Interface alone (specs, validation,
// command lines, help, types) from a build without Memory, under half the size.
import init from "../lite/toolmemo.js";

await init();

export { BoundInputs, Interface, isToolmemoError } from "../lite/toolmemo.js";
