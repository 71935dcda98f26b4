// The part of node:assert/strict the shared suites use, for browsers.

function fail(message, detail) {
  throw new Error(detail ? `${message}: ${detail}` : message);
}

function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === b.getTime();
  if (ArrayBuffer.isView(a)) return a.byteLength === b.byteLength && same(Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)), Array.from(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
  if (a instanceof ArrayBuffer) return same(new Uint8Array(a), new Uint8Array(b));
  if (a instanceof Map || a instanceof Set) return same([...a], [...b]);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
}

const show = (v) => {
  try {
    return JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x));
  } catch {
    return String(v);
  }
};

export const assert = {
  equal: (a, b, m) => Object.is(a, b) || fail(m ?? "not equal", `${show(a)} !== ${show(b)}`),
  notEqual: (a, b, m) => !Object.is(a, b) || fail(m ?? "equal", show(a)),
  deepEqual: (a, b, m) => same(a, b) || fail(m ?? "not deep-equal", `${show(a)} vs ${show(b)}`),
  ok: (v, m) => v || fail(m ?? "not ok", show(v)),
  match: (s, re, m) => re.test(s) || fail(m ?? "no match", `${show(s)} !~ ${re}`),
  throws: (fn, check, m) => {
    try {
      fn();
    } catch (e) {
      if (typeof check === "function" && !check(e)) fail(m ?? "wrong error", e && e.message);
      return;
    }
    fail(m ?? "did not throw");
  },
  rejects: async (p, check, m) => {
    try {
      await (typeof p === "function" ? p() : p);
    } catch (e) {
      if (typeof check === "function" && !check(e)) fail(m ?? "wrong rejection", e && e.message);
      if (check instanceof RegExp && !check.test(e && e.message)) fail(m ?? "wrong rejection", e && e.message);
      return;
    }
    fail(m ?? "did not reject");
  },
};
