// toolmemo: typed specs for command-line tools, their command lines rendered
// exactly as nipype renders them, and persistent memoization of tool runs and
// function calls. These declarations describe the JavaScript API of every entry
// (`toolmemo` under Node and in browsers; `toolmemo/lite` re-exports the
// Interface part). tests/types.test.mjs checks them against the runtime.

// ---------------------------------------------------------------- values

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object, e.g. a parsed spec file. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * The value of one input, as JSON data: `null` or `undefined` means not set.
 * A `File` is a string, a `Tuple` an array, a `MultiPath` one value or a list.
 */
export type InputValue = JsonValue | undefined;

/** Inputs of an interface whose spec has no generated types: any input name. */
export interface Inputs {
  readonly [name: string]: InputValue;
}

/** Outputs of an interface whose spec has no generated types. */
export interface Outputs {
  readonly [name: string]: JsonValue | undefined;
}

// ---------------------------------------------------------------- errors

/**
 * What went wrong, as a stable code: the spec format's kinds (`mandatory`,
 * `xor`, `requires`, `type`, `exists`, `version`, `deprecated`, `spec`), and
 * `input` (inputs that are not an object or name no input, bad options),
 * `store` (a cache store failed), `path` and `run` (the native runner).
 */
export type ErrorKind =
  | "spec"
  | "mandatory"
  | "xor"
  | "requires"
  | "type"
  | "exists"
  | "version"
  | "deprecated"
  | "input"
  | "store"
  | "path"
  | "run"
  | "unsupported";

/**
 * Every error toolmemo throws (or rejects with): an `Error` named
 * `ToolmemoError` with its `kind` and the input it concerns. The message names
 * the interface and the input: `BET: input 'in_file' is mandatory (see help)`.
 */
export interface ToolmemoError extends Error {
  readonly name: "ToolmemoError";
  readonly kind: ErrorKind;
  /** The input the error concerns, or `null`. */
  readonly input: string | null;
}

/** Whether `error` is a {@link ToolmemoError}: a type guard for `catch (e: unknown)`. */
export declare function isToolmemoError(error: unknown): error is ToolmemoError;

/** One problem found by {@link Interface.validate}. */
export interface Problem {
  readonly kind: ErrorKind;
  readonly input: string | null;
  readonly message: string;
}

// ---------------------------------------------------------------- specs

/**
 * A type of the spec format (version 1; nipype's traits as JSON). The JSON
 * Schema `toolmemo/schema/spec-v1.json` describes the same.
 */
export type SpecType =
  | "Any"
  | "Bool"
  | "Int"
  | "Float"
  | "Str"
  | "File"
  | "Directory"
  | { File: { exists?: boolean; extensions?: string[] } }
  | { Directory: { exists?: boolean } }
  /** The first value is the default. */
  | { Enum: [JsonValue, ...JsonValue[]] }
  /** Int when both bounds are integers, else Float. */
  | { Range: { low?: number | ExplicitFloat; high?: number | ExplicitFloat; exclude_low?: boolean; exclude_high?: boolean } }
  | { List: SpecType; minlen?: number; maxlen?: number }
  | { Tuple: SpecType[] }
  /** The first branch that accepts the value wins (Bool/Int/Float/Str/Enum first). */
  | { Either: [SpecType, ...SpecType[]] }
  | { Dict: SpecType; keys?: string[] }
  /** One value or a list of them, always held as a list. */
  | { MultiPath: SpecType };

/**
 * 1.1: a float whose JSON text a JS object cannot keep (`1.0` is `1` there), in
 * a `default`, an `Enum`, a `Range` bound or a `value_map` (`toSpec()` writes them).
 */
export interface ExplicitFloat {
  $float: number;
}

/** One input of a spec, with nipype's metadata. */
export interface SpecInput {
  type: SpecType;
  desc?: string;
  mandatory?: boolean;
  default?: JsonValue;
  usedefault?: boolean;
  xor?: string[];
  requires?: string[];
  argstr?: string;
  position?: number;
  sep?: string;
  name_source?: string | [string];
  name_template?: string;
  keep_extension?: boolean;
  genfile?: boolean;
  output_name?: string;
  hash_files?: boolean;
  copyfile?: boolean;
  min_ver?: string | number;
  max_ver?: string | number;
  deprecated?: string | number;
  new_name?: string;
  /** 1.1: names the spec makes for this input are prefixed with the rendering folder. */
  absolute?: boolean;
  /** 1.1: a value's text → its replacement before formatting (`null`: the empty argument; `{host: "cpu_count"}`: this machine's CPU count). */
  value_map?: { [value: string]: string | number | null | ExplicitFloat | { host: "cpu_count" } };
  /** 1.1: the name of this input when unset: from another input's base name, or the first alternative that applies. */
  genfile_template?:
    | { source: string; template: string; extension?: boolean }
    | { when?: (string | { set: string } | { true: string } | { false: string })[]; template: string; extension?: boolean }[];
  /** 1.1: the argument is left out when any condition holds. */
  omit_when?: ({ set: string } | { true: string } | { false: string })[];
  /** 1.1: inputs whose values fill `argstr` after this one's. */
  argstr_inputs?: string[];
  /** 1.1: the format of each item of a list value (joined with `sep`, then through `argstr`). */
  item_argstr?: string;
  /** 1.1: how a path value is written (`os.path.basename`, `abspath`, `relpath`). */
  path_form?: "basename" | "absolute" | "relative";
  /** 1.1 (SPM): where the value goes in the MATLAB job, dotted (`"eoptions.quality"`). */
  field?: string;
  /** 1.1 (SPM): how the value is written at its field (nipype's `_format_arg` idioms). */
  field_form?: FieldForm;
  /** Keys starting with `x-` are yours; toolmemo ignores them. */
  [extension: `x-${string}`]: unknown;
}

/** 1.1 (SPM): how a value is written at its field of the MATLAB job. */
export type FieldForm =
  | "cell" | "scans" | "sessions" | "sessions4d" | "scans_concat" | "list" | "int" | "join" | "cellstr"
  | { struct: { name: string; item?: number | number[]; form?: FieldForm }[] }
  | { rename: { [key: string]: string } }
  | { switch: string; cases: { [value: string]: FieldForm }; default: FieldForm };

/** 1.1: an SPM-mediated interface's MATLAB batch job (nipype's `_jobtype`, `_jobname`, `_parse_inputs`). */
export interface MatlabJob {
  /** Required unless `script` is given. */
  jobtype?: string;
  jobname?: string;
  /** The whole script instead of a job (an interface that writes its own): braced parts `{in}`, `{in.stem}`, `{@cwd}`. */
  script?: string;
  /** Parts between the job name and the fields: a name, or an input's value. */
  job_path?: (string | { input: string })[];
  /** Fields added after the inputs' own. */
  derived?: {
    field: string;
    from: string | string[];
    form?: FieldForm;
    when?: ({ set: string } | { unset: string } | { true: string } | { false: string } | { in: [string, unknown[]] })[];
  }[];
}

/** 1.1: the extension of generated names, chosen by an input (FSL `output_type`, AFNI `outputtype`). */
export interface OutputExtension {
  input: string;
  map: { [value: string]: string };
  /** `append` (FSL, the default) or `replace` the generated name's own extension (AFNI). */
  mode?: "append" | "replace";
}

/** One output of a spec. */
export interface SpecOutput {
  type?: SpecType;
  desc?: string;
  /** The input whose base name fills `template`. */
  source?: string;
  template?: string;
  keep_extension?: boolean;
  [extension: `x-${string}`]: unknown;
}

/**
 * An interface spec (`shared/spec-format.md`, version 1). To have a spec
 * written in TypeScript checked: `const spec = { ... } satisfies Spec`.
 */
export interface Spec {
  $schema?: string;
  name: string;
  /** The executable and any fixed leading words. Inherited with `extends`. */
  command?: string;
  description?: string;
  version?: string;
  /** v1: a fixed extension; 1.1: the one an input's value selects. */
  output_extension?: string | OutputExtension;
  /** The name of a parent spec (see {@link FromSpecOptions.parents}). */
  extends?: string;
  /** The tool needs an X display (the native runner starts it under xvfb-run). */
  redirect_x?: boolean;
  /** 1.1: an SPM interface: a MATLAB batch job instead of a command. */
  matlab?: MatlabJob;
  inputs?: { [name: string]: SpecInput };
  outputs?: { [name: string]: SpecOutput };
  [extension: `x-${string}`]: unknown;
}

/** An input of {@link Interface.spec}: its metadata with defaults filled in. */
export interface NormalizedInput {
  readonly name: string;
  readonly type: SpecType;
  readonly desc?: string;
  readonly mandatory: boolean;
  readonly default?: JsonValue;
  readonly usedefault: boolean;
  readonly xor: readonly string[];
  readonly requires: readonly string[];
  readonly argstr?: string;
  readonly position?: number;
  readonly sep?: string;
  readonly name_source?: string;
  readonly name_template?: string;
  readonly keep_extension: boolean;
  readonly genfile: boolean;
  readonly output_name?: string;
  readonly hash_files: boolean;
  readonly copyfile?: boolean;
  readonly min_ver?: string;
  readonly max_ver?: string;
  readonly deprecated?: string;
  readonly new_name?: string;
  readonly absolute?: true;
  readonly value_map?: { readonly [value: string]: string | number | null };
  readonly genfile_template?:
    | { readonly source: string; readonly template: string; readonly extension?: true }
    | readonly {
        readonly when?: readonly (string | { set: string } | { true: string } | { false: string })[];
        readonly template: string;
        readonly extension?: true;
      }[];
  readonly omit_when?: readonly ({ set: string } | { true: string } | { false: string })[];
  readonly argstr_inputs?: readonly string[];
  readonly item_argstr?: string;
  readonly path_form?: "basename" | "absolute" | "relative";
}

/** An output of {@link Interface.spec}. */
export interface NormalizedOutput {
  readonly name: string;
  readonly type: SpecType;
  readonly desc?: string;
  readonly source?: string;
  readonly template?: string;
  readonly keep_extension: boolean;
}

/** The spec after `extends` is merged: every input (`args` and `environ` too) in declaration order. */
export interface NormalizedSpec {
  readonly name: string;
  readonly command: string;
  readonly version?: string;
  readonly output_extension?: string | OutputExtension;
  readonly extends?: string;
  readonly redirect_x?: true;
  readonly inputs: readonly NormalizedInput[];
  readonly outputs: readonly NormalizedOutput[];
}

/** Options of {@link Interface.fromSpec}. */
export interface FromSpecOptions {
  /** The specs this one may `extends`, by name. */
  parents?: { [name: string]: Spec | JsonObject };
}

/** Options of checking and rendering. */
export interface CheckOptions {
  /**
   * The paths that exist, for `exists` checks (a trailing `/` marks a folder;
   * the folders of listed files exist). Without it, Node asks the real
   * filesystem (relative to `process.cwd()`) and a browser checks nothing.
   */
  files?: readonly string[];
}

// ---------------------------------------------------------------- Interface

/**
 * A command-line tool described by a spec: its command lines, rendered exactly
 * as nipype renders them. `I` and `O` type its inputs and outputs; generate
 * them from the spec with `toolmemo types SPEC.json` or {@link Interface.types}.
 */
export declare class Interface<I extends object = Inputs, O extends object = Outputs> {
  private constructor();
  /**
   * Parses a spec: an object or JSON text. Throws a {@link ToolmemoError} of
   * kind `spec` naming the JSON path of the first mistake.
   */
  static fromSpec<I extends object = Inputs, O extends object = Outputs>(
    spec: Spec | JsonObject | string,
    options?: FromSpecOptions,
  ): Interface<I, O>;
  /** The spec's name, e.g. `"BET"`. */
  readonly name: string;
  /** The normalized spec, e.g. to build a form from. */
  readonly spec: NormalizedSpec;
  /**
   * The spec as a plain object in the explicit form (spec format 1.1): `extends`
   * merged, floats an object would take for integers written `{"$float": N}`.
   * `Interface.fromSpec(JSON.parse(JSON.stringify(iface.toSpec())))` renders as `iface`.
   */
  toSpec(): Spec;
  /**
   * The command line for `inputs` (an object, or JSON text when `1.0` must
   * stay a float); throws the first problem as a {@link ToolmemoError}.
   */
  cmdline(inputs: I | string, options?: CheckOptions): string;
  /**
   * The MATLAB batch script of an SPM interface (a spec with `matlab`) for
   * `inputs`, byte for byte as nipype writes it; throws the first problem
   * (`unsupported` for an interface with a command line).
   */
  script(inputs: I | string, options?: CheckOptions): string;
  /** Every problem with `inputs` (empty exactly when `cmdline` (or `script`) works). */
  validate(inputs: I | string, options?: CheckOptions): Problem[];
  /** Checks `inputs` once, for rendering any number of times. */
  bind(inputs: I | string, options?: CheckOptions): BoundInputs;
  /** nipype-style help text. */
  help(): string;
  /**
   * TypeScript declarations of this interface's inputs and outputs: a `.d.ts`
   * module declaring `<Name>Inputs` and `<Name>Outputs`, to write to a file.
   */
  types(): string;
  /** Releases the wasm memory now rather than when garbage-collected. */
  free(): void;
}

/** Inputs checked against an interface (nipype: an interface whose inputs are set). */
export declare class BoundInputs {
  private constructor();
  /** The command line; throws if a name cannot be generated or a value formatted. */
  cmdline(): string;
  free(): void;
}

// ---------------------------------------------------------------- Memory

/** Where a Memory keeps its entries. */
export type StoreName = "memory" | "fs" | "indexeddb" | "none";

/** Bytes, or a number with a unit: `"500M"`, `"1.5G"`, `"64KiB"` (binary multiples). */
export type Size = number | `${number}${string}`;

/** Milliseconds, or a number with a unit: `"90s"`, `"30d"` (ms, s, m, h, d, w). */
export type Duration = number | `${number}${string}`;

/** Limits on a cache; eviction removes least recently used entries until they hold. */
export interface Limits {
  bytesLimit?: Size;
  itemsLimit?: number;
  /** Time since last use. */
  ageLimit?: Duration;
}

/** Options of {@link Memory.open}. */
export interface MemoryOptions extends Limits {
  /**
   * Where entries go. Under Node the default is `'fs'`, in `location` or else
   * `TOOLMEMO_CACHE_DIR` or the user's cache folder (`~/.cache/toolmemo`,
   * `~/Library/Caches/toolmemo`, `%LOCALAPPDATA%\toolmemo`), as the native
   * program uses; elsewhere `'memory'`. `'indexeddb'` keeps entries in the
   * browser; `'none'` caches nothing.
   */
  store?: StoreName;
  /** The folder of the `'fs'` store (required when `store: 'fs'` is given). */
  location?: string;
  /** The IndexedDB database (`toolmemo:<name>`) of the `'indexeddb'` store; default `'default'`. */
  name?: string;
  /** Compress stored values (`'fs'`): `true` (zlib level 3) or a level. */
  compress?: boolean | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /**
   * With the `'fs'` store: sync every file before publishing an entry (the
   * default, `true`), or not (`false`, as joblib writes: several times faster
   * to insert; a power cut may lose recent entries, never give a wrong value,
   * since every read checks the value's sha256).
   */
  durable?: boolean;
  /** Shared cache folders consulted after one's own, never written (`'fs'`). */
  readOnly?: readonly string[];
  /** Recompute instead of using the cache: everything, or the named functions. */
  force?: boolean | readonly string[];
  /** Cap the bytes at this share of physical memory, in (0, 1] (pyphi's `maxmem`). */
  maxmem?: number;
  /** How files enter interface keys: by content (default) or by size and modification time. */
  hashMethod?: "content" | "timestamp";
  /** Say on the console what was evicted or dropped. */
  verbose?: boolean;
  /** Prepended to every cached function's name. */
  prefix?: string;
}

/** What a cache entry is: a function call or an interface run. */
export type EntryKind = "function" | "interface";

/** The metadata of one cache entry. */
export interface EntryMeta {
  /** The entry's key: 64 hex digits. */
  readonly key: string;
  readonly kind: EntryKind;
  /** The cached function's or interface's name. */
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly created: number;
  readonly lastAccess: number;
  /** The id of the opening that last used it (see {@link Memory.runId}). */
  readonly lastRun: string;
  readonly hits: number;
  readonly bytes: number;
  /** How long computing it took. */
  readonly durationMs: number;
  /** How the function's code entered the key (`"v:<version>"` or `"sha256:…"`). */
  readonly code: string | null;
  /** The key of the arguments alone. */
  readonly args: string | null;
  /** A readable account of the arguments (or the interface's inputs and command line). */
  readonly sidecar: JsonValue;
  /**
   * How the value is encoded: `"run/1"` (a tool run's record), `"json"`,
   * `"v8"` (a JS value under Node), `"js"` (a JS value in memory or IndexedDB),
   * or `""` for entries written before formats were recorded. A front end that
   * meets a format it does not read treats the entry as a miss and leaves it alone.
   */
  readonly format: string;
}

/** {@link Memory.stats}. */
export interface MemoryStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly bytes: number;
}

/** {@link CachedFunction.cacheInfo} (functools' `cache_info`). */
export interface CacheInfo {
  readonly hits: number;
  readonly misses: number;
  /** Entries of this function in the store. */
  readonly currsize: number;
}

/**
 * Why a call would hit or miss: its key and the parts the key is made of. One
 * shape for function calls and interface runs, on every front end (the
 * `toolmemo explain --json` of the native program adds `stored` and `nearest`).
 */
export interface Explanation {
  readonly key: string;
  /** The fingerprint format version. */
  readonly format: number;
  readonly kind: "function" | "interface";
  readonly name: string;
  /** A function's version or source hash (`v:…`, `sha256:…`), or a run's spec (`spec:…`). */
  readonly code: string;
  /** The key of a call's arguments alone (`null` for interface runs). */
  readonly argsKey: string | null;
  /** Each argument's or set input's own key (files by content, or size and time). */
  readonly parts: { readonly [name: string]: string };
}

/** Why a function call would hit or miss. */
export interface FunctionExplanation extends Explanation {
  readonly kind: "function";
  readonly argsKey: string;
}

/** Why an interface run would hit or miss. */
export interface InterfaceExplanation extends Explanation {
  readonly kind: "interface";
  readonly argsKey: null;
  readonly cmdline: string;
}

/**
 * Options of {@link Memory.cache} and {@link cacheable}; `R` is what the
 * function returns, `S` the stored form `save` gives and `load` takes.
 */
export interface CacheOptions<R, S = unknown> {
  /** The name entries go by (default: the function's name; required for an anonymous one). */
  name?: string;
  /** Arguments left out of the key, by parameter name or position. */
  ignore?: ReadonlyArray<string | number>;
  /** The code version, instead of a hash of the function's source. */
  version?: string;
  /** Whether a stored entry may be used. */
  validate?: (meta: EntryMeta) => boolean;
  /** Entries older than this are recomputed (joblib's `expires_after`). */
  expiresAfter?: Duration;
  /** The value's stored form (kwneuro's `CacheSpec.save`). */
  save?: (value: Awaited<R>) => S | Promise<S>;
  /** The value back from its stored form. */
  load?: (stored: S) => Awaited<R> | Promise<Awaited<R>>;
  /** Called with each result, computed or from the cache. */
  callback?: (value: Awaited<R>) => void;
}

/**
 * A cached function (joblib's `MemorizedFunc`): call it as the function; it
 * resolves to the result, computed once per arguments. Arguments are keyed by
 * parameter name; results are stored as structured clones, and a hit returns a
 * fresh copy.
 */
export interface CachedFunction<A extends unknown[], R> {
  (...args: A): Promise<Awaited<R>>;
  /** Whether these arguments are cached (joblib's `check_call_in_cache`). */
  checkCallInCache(...args: A): Promise<boolean>;
  /** Hits and misses of this function, and its entries in the store. */
  cacheInfo(): Promise<CacheInfo>;
  /** Removes this function's entries; resolves to what was removed. */
  cacheClear(): Promise<EntryMeta[]>;
  /** The key of a call and its parts. */
  explain(...args: A): FunctionExplanation;
  /** The function itself. */
  readonly wrapped: (...args: A) => R;
  /** The name its entries go by. */
  readonly cacheName: string;
}

/** A run of a cached interface. */
export interface CachedRun<O> {
  /** What `run` returned (a fresh copy on a hit). */
  readonly outputs: O;
  readonly cmdline: string;
  /** Whether it came from the cache. */
  readonly cached: boolean;
  /** How long the run took (the original run's time on a hit). */
  readonly durationMs: number;
  readonly key: string;
}

/** A run of the tool itself ({@link Memory.cacheInterface} without a run function). */
export interface ToolRun extends CachedRun<{ readonly [output: string]: string }> {
  /** What the tool wrote (replayed from the cache on a hit). */
  readonly stdout: string;
  readonly stderr: string;
  /** Its exit status (`null` when a signal ended it). */
  readonly exit: number | null;
  /** The entry's folder; the tool's files are in its `work/`. */
  readonly dir: string;
  /** Why a stored run was not used (an output was deleted or changed), when there was one. */
  readonly stale?: string;
}

/** A cached interface (nipype's `Memory.cache(Interface)`): `await bet(inputs)`. */
export interface CachedInterface<I extends object, O> {
  (inputs: I | string, options?: CallOptions): Promise<CachedRun<O>>;
  checkCallInCache(inputs: I | string, options?: CallOptions): Promise<boolean>;
  explain(inputs: I | string, options?: CallOptions): InterfaceExplanation;
  readonly cacheName: string;
}

/** A cached interface that runs its tool: `await bet(inputs)`. */
export interface ToolCachedInterface<I extends object> {
  (inputs: I | string): Promise<ToolRun>;
  checkCallInCache(inputs: I | string): Promise<boolean>;
  explain(inputs: I | string): InterfaceExplanation;
  readonly cacheName: string;
}

/** Options of one call of a {@link CachedInterface}. */
export interface CallOptions {
  /**
   * Files handed over with the call, by the path the inputs name them with:
   * they enter the key by these bytes (the key the native runner gives the same
   * file) and count as existing. What a browser needs, having no filesystem.
   */
  contents?: Record<string, Uint8Array | ArrayBuffer | string>;
}

/** Options of {@link Memory.cacheInterface}. */
export interface CacheInterfaceOptions extends CheckOptions {
  /** The name entries go by (default: the spec's name). */
  name?: string;
}

/** kwneuro's `@cacheable`: cached while a Memory is active, a plain call otherwise. */
export interface Cacheable<A extends unknown[], R> {
  (...args: A): R | Promise<Awaited<R>>;
  readonly wrapped: (...args: A) => R;
  readonly cacheName: string;
}

/**
 * A persistent cache of function results and interface runs (joblib's and
 * nipype's `Memory`, kwneuro's `Cache`), with eviction by bytes, items and age.
 */
export declare class Memory {
  private constructor();
  /** Opens a Memory (see {@link MemoryOptions} for where entries go). */
  static open(options?: MemoryOptions): Promise<Memory>;
  /** Which store holds the entries. */
  readonly store: StoreName;
  /** The folder of the `'fs'` store; `undefined` for the others. */
  readonly location: string | undefined;
  /** The id of this opening (what {@link Memory.clearPreviousRuns} keeps). */
  readonly runId: string;
  /** `fn`, cached. */
  cache<A extends unknown[], R, S = unknown>(fn: (...args: A) => R, options?: CacheOptions<R, S>): CachedFunction<A, R>;
  /**
   * An interface, cached: a call validates and renders the inputs, and on a
   * miss awaits `run(inputs, cmdline)` for the outputs (of the interface's
   * output type `O` when it has one). Files in the inputs enter the key by
   * content.
   */
  cacheInterface<I extends object, O extends object, R extends O>(
    iface: Interface<I, O>,
    run: (inputs: I, cmdline: string) => R | Promise<R>,
    options?: CacheInterfaceOptions,
  ): CachedInterface<I, R>;
  /**
   * An interface whose tool runs itself (Node, the `'fs'` store): an argument
   * vector in a working folder staged in the cache and published with the
   * entry, the same runs as `toolmemo run`'s (one is a hit for the other).
   * Outputs are absolute paths.
   */
  cacheInterface<I extends object, O extends object>(
    iface: Interface<I, O>,
    run?: undefined,
    options?: CacheInterfaceOptions,
  ): ToolCachedInterface<I>;
  /** joblib's `memory.eval(fn, *args)`: `fn(...args)` through the cache. */
  eval<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R>>;
  /** kwneuro's `is_cached`: whether a cached function (or interface) holds these arguments. */
  isCached<A extends unknown[]>(step: { checkCallInCache(...args: A): Promise<boolean> }, ...args: A): Promise<boolean>;
  /** Whether the cache holds any result of a step (a name, or a {@link cacheable} function). */
  isCached(step: string | { readonly cacheName: string }): Promise<boolean>;
  /** Metadata of every entry. */
  entries(): Promise<EntryMeta[]>;
  /**
   * Removes least recently used entries until the limits hold (the Memory's own by default).
   * Returns them as the store's index records them: on the filesystem store, which
   * evicts in bulk, `key`, `name` (as its folder), `bytes`, `lastAccess` and `created`.
   */
  reduceSize(limits?: Limits): Promise<EntryMeta[]>;
  /** What {@link Memory.reduceSize} would remove now, without removing it. */
  previewEviction(limits?: Limits): Promise<EntryMeta[]>;
  /** Removes entry `key` of `name`; resolves to whether it was there. */
  remove(name: string, key: string): Promise<boolean>;
  /** The stored value of entry `key` of `name` (a fresh copy), without counting a use. */
  peek(name: string, key: string): Promise<unknown>;
  /** Removes what this opening did not use (nipype's `clear_previous_runs`). */
  clearPreviousRuns(): Promise<EntryMeta[]>;
  /** Removes what was not used since `date` (nipype's `clear_runs_since`). */
  clearRunsSince(date: Date | number | string): Promise<EntryMeta[]>;
  /** Removes every entry. */
  clear(): Promise<EntryMeta[]>;
  stats(): Promise<MemoryStats>;
  /** kwneuro's `status`: for each step, whether the cache holds a result of it. */
  status(steps: ReadonlyArray<string | { readonly cacheName: string }>): Promise<{ [step: string]: boolean }>;
  /** Runs `callback` with this Memory active: {@link cacheable} functions are cached meanwhile. */
  activate<T>(callback: () => T): Promise<Awaited<T>>;
  free(): void;
}

/** kwneuro's `@cacheable`: `fn`, cached whenever a Memory is active ({@link Memory.activate}). */
export declare function cacheable<A extends unknown[], R, S = unknown>(
  fn: (...args: A) => R,
  options?: CacheOptions<R, S>,
): Cacheable<A, R>;

/** The key (64 hex digits) a cache computes for `value` as an argument. */
export declare function fingerprint(value: unknown): string;
