// Numbers, times and stored values as short readable text.

/** 1536 → "1.5 KiB" (binary units, as the cache's own limits: '1M' is 1 MiB). */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return "–";
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  if (i === 0) return `${n} ${n === 1 ? "byte" : "bytes"}`;
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

/** Milliseconds as "0.42 ms", "12.3 ms", "2.10 s". */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A time (ms since the epoch) in the reader's locale. */
export function formatDate(ms) {
  return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", else the date. */
export function formatAgo(ms, now = Date.now()) {
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 10) return "just now";
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 30 * 86400) return `${Math.round(s / 86400)} days ago`;
  return new Date(ms).toLocaleDateString();
}

/** Number of items shown in a preview of an array, set or map. */
const ITEMS = 50;
/** Numbers shown of a typed array. */
const TYPED = 16;
/** Characters of a preview before it is cut. */
const CHARS = 20_000;

/**
 * A stored value (anything structured clone keeps: typed arrays, Map, Set,
 * Date, Blob…) as indented, JSON-like text, cut after `CHARS` characters.
 * Strings are quoted, so what a string holds is always visibly a string.
 */
export function previewValue(value) {
  const text = preview(value, "", new WeakSet());
  return text.length > CHARS ? `${text.slice(0, CHARS)}\n… (${text.length - CHARS} more characters)` : text;
}

function preview(v, indent, seen) {
  if (v === null) return "null";
  switch (typeof v) {
    case "undefined":
      return "undefined";
    case "string":
      return JSON.stringify(v);
    case "bigint":
      return `${v}n`;
    case "number":
    case "boolean":
      return String(v);
    case "object":
      break;
    default:
      return `<${typeof v}>`;
  }
  if (seen.has(v)) return "<circular>";
  seen.add(v);
  try {
    return container(v, indent, seen);
  } finally {
    seen.delete(v);
  }
}

function container(v, indent, seen) {
  const inner = `${indent}  `;
  const block = (open, lines, close, more) => {
    if (lines.length === 0 && !more) return `${open}${close}`;
    const tail = more ? [`${inner}… ${more} more`] : [];
    const flat = `${open}${open.endsWith("{") ? " " : ""}${lines.join(", ")}${close === "}" ? " " : ""}${close}`;
    if (!more && flat.length <= 72 && !lines.some((l) => l.includes("\n"))) return flat;
    return `${open}\n${[...lines.map((l) => `${inner}${l}`), ...tail].join(",\n")}\n${indent}${close}`;
  };
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? "invalid" : v.toISOString()})`;
  if (v instanceof RegExp) return String(v);
  if (v instanceof Error) return `${v.name}(${JSON.stringify(v.message)})`;
  if (typeof Blob !== "undefined" && v instanceof Blob) {
    const name = typeof File !== "undefined" && v instanceof File ? ` ${JSON.stringify(v.name)}` : "";
    return `${v.constructor.name}${name} (${v.size} bytes${v.type ? `, ${v.type}` : ""})`;
  }
  if (v instanceof ArrayBuffer) return `ArrayBuffer(${v.byteLength} bytes)`;
  if (ArrayBuffer.isView(v)) {
    const items = v instanceof DataView ? [] : Array.from(v.subarray(0, TYPED), String);
    const more = v.length > TYPED ? `, … ${v.length - TYPED} more` : "";
    return `${v.constructor.name}(${v.length ?? v.byteLength}) [${items.join(", ")}${more}]`;
  }
  if (Array.isArray(v)) {
    const lines = v.slice(0, ITEMS).map((x) => preview(x, inner, seen));
    return block("[", lines, "]", Math.max(0, v.length - ITEMS));
  }
  if (v instanceof Map) {
    const lines = [...v].slice(0, ITEMS).map(([k, x]) => `${preview(k, inner, seen)} => ${preview(x, inner, seen)}`);
    return block(`Map(${v.size}) {`, lines, "}", Math.max(0, v.size - ITEMS));
  }
  if (v instanceof Set) {
    const lines = [...v].slice(0, ITEMS).map((x) => preview(x, inner, seen));
    return block(`Set(${v.size}) {`, lines, "}", Math.max(0, v.size - ITEMS));
  }
  const keys = Object.keys(v);
  const lines = keys.slice(0, ITEMS).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${preview(v[k], inner, seen)}`);
  return block("{", lines, "}", Math.max(0, keys.length - ITEMS));
}
