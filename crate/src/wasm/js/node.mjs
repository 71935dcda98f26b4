// `import "toolmemo"` under Node: the same module as `require` gives (one wasm
// instance, one set of classes, however the package is reached).
import toolmemo from "./node.cjs";

export const { BoundInputs, Interface, Memory, cacheable, fingerprint, isToolmemoError } = toolmemo;
