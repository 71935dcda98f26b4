// `import "toolmemo/lite"` under Node: Interface from the Node build.
import toolmemo from "./node.cjs";

export const { BoundInputs, Interface, isToolmemoError } = toolmemo;
