// `toolmemo/lite`: Interface alone (specs, validation, command lines, help,
// types), from a build without Memory.
export { BoundInputs, Interface, isToolmemoError } from "./index.js";
export type {
  CheckOptions,
  ErrorKind,
  FromSpecOptions,
  InputValue,
  Inputs,
  JsonObject,
  JsonValue,
  NormalizedInput,
  NormalizedOutput,
  NormalizedSpec,
  Outputs,
  Problem,
  Spec,
  SpecInput,
  SpecOutput,
  SpecType,
  ToolmemoError,
} from "./index.js";
