// Runs the shared Memory suite in this browser, on the memory and IndexedDB
// stores, and leaves the results in `window.__suite` for tests/chromium.test.mjs.
// `?phase=write` stores an entry in a named IndexedDB cache and `?phase=read`
// looks for it, so a reload between the two shows entries survive the page.
import init, * as toolmemo from "../../pkg/web/toolmemo.js";
import { memorySuite } from "../suites/memory.mjs";
import { assert } from "../suites/assert.mjs";

const out = document.getElementById("out");
const phase = new URLSearchParams(location.search).get("phase");

async function suite() {
  const results = [];
  let n = 0;
  for (const store of ["memory", "indexeddb"]) {
    const open = (options = {}) => {
      const chosen = options.store ?? store;
      const where = chosen === "indexeddb" ? { name: `suite-${Date.now()}-${n++}` } : {};
      return toolmemo.Memory.open({ ...options, ...where, store: chosen });
    };
    for (const [name, fn] of memorySuite({ toolmemo, open, assert })) {
      try {
        await fn();
        results.push({ name: `[${store}] ${name}`, ok: true });
      } catch (e) {
        results.push({ name: `[${store}] ${name}`, ok: false, error: String(e && e.stack ? e.stack : e) });
      }
    }
  }
  return results;
}

async function persistence() {
  const mem = await toolmemo.Memory.open({ store: "indexeddb", name: "reload-check" });
  let runs = 0;
  const f = mem.cache(function survive(x) { runs++; return { x, typed: new Uint16Array([7, 8]) }; });
  const value = await f(42);
  return { runs, value: { x: value.x, typed: Array.from(value.typed), isTyped: value.typed instanceof Uint16Array }, entries: (await mem.entries()).length };
}

try {
  await init();
  window.__suite = phase ? { done: true, persistence: await persistence() } : { done: true, results: await suite() };
} catch (e) {
  window.__suite = { done: true, fatal: String(e && e.stack ? e.stack : e) };
}
out.textContent = JSON.stringify(window.__suite, null, 2);
