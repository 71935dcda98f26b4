// Reading the types of a normalized spec (`iface.spec.inputs[i].type`): their
// kind, their parts, and a short human description for the form.

/**
 * `{kind, arg, minlen, maxlen}` of a type: `"Float"` gives `{kind: "Float"}`,
 * `{"List": "Int", "maxlen": 3}` gives `{kind: "List", arg: "Int", maxlen: 3}`.
 */
export function typeOf(type) {
  if (typeof type === "string") return { kind: type };
  const kind = Object.keys(type).find((k) => k !== "minlen" && k !== "maxlen");
  return { kind, arg: type[kind], minlen: type.minlen, maxlen: type.maxlen };
}

/** Whether a Range holds integers (both bounds, where given, are integers). */
export function rangeIsInt(r) {
  return [r.low, r.high].every((b) => b === undefined || b === null || Number.isInteger(b));
}

function literal(v) {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** `"integer from 0 to 10"`, `"list of integer (at most 3)"`, `"existing file"`… */
export function describeType(type) {
  const t = typeOf(type);
  switch (t.kind) {
    case "Any":
      return "any value";
    case "Bool":
      return "boolean";
    case "Int":
      return "integer";
    case "Float":
      return "number";
    case "Str":
      return "text";
    case "File":
    case "Directory": {
      const what = t.kind === "File" ? "file" : "folder";
      const exts = t.arg?.extensions?.length ? ` (${t.arg.extensions.join(", ")})` : "";
      return `${t.arg?.exists ? "existing " : ""}${what}${exts}`;
    }
    case "Enum":
      return `one of ${t.arg.map(literal).join(", ")}`;
    case "Range": {
      const r = t.arg;
      const what = rangeIsInt(r) ? "integer" : "number";
      const has = (b) => b !== undefined && b !== null;
      if (has(r.low) && has(r.high)) {
        const excluded = [r.exclude_low && r.low, r.exclude_high && r.high].filter((b) => b !== false);
        return `${what} from ${r.low} to ${r.high}${excluded.length ? ` (excluding ${excluded.join(" and ")})` : ""}`;
      }
      if (has(r.low)) return `${what} ${r.exclude_low ? ">" : "≥"} ${r.low}`;
      if (has(r.high)) return `${what} ${r.exclude_high ? "<" : "≤"} ${r.high}`;
      return what;
    }
    case "List":
    case "MultiPath": {
      const n = [t.minlen ? `at least ${t.minlen}` : null, t.maxlen ? `at most ${t.maxlen}` : null].filter(Boolean);
      const head = t.kind === "List" ? "list of" : "one or more";
      return `${head} ${describeType(t.arg)}${n.length ? ` (${n.join(", ")})` : ""}`;
    }
    case "Tuple":
      return `tuple of (${t.arg.map(describeType).join(", ")})`;
    case "Either":
      return t.arg.map(describeType).join(" or ");
    case "Dict":
      return `map of names to ${describeType(t.arg)}`;
    default:
      return String(t.kind);
  }
}

/** A value for display: strings as they are, the rest as JSON. */
export function showValue(v) {
  return typeof v === "string" ? v : JSON.stringify(v);
}
