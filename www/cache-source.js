// Where the inspector's entries come from, behind one small interface:
//
// - `localSource(mem)`: the page's own Memory (IndexedDB), every entry read
//   and then sorted, filtered and paged here (browser-only mode);
// - `serverSource()`: the cache folder `toolmemo serve` was started on, sorted,
//   filtered and paged by the server, which holds the listing (a cache of
//   100,000 entries never travels whole).
//
// `list(query)` answers `{entries, total, bytes, matched, matchedBytes, byName:
// [[name, bytes]…], growth: [[ms, bytes]…], note}` for `query = {sort,
// descending, filter, offset, limit, fresh}`; evictions answer `{count,
// bytes, entries}` (a sample of what goes).
import { api } from "./server.js";
import { localValue, serverValue } from "./entry-value.js";

/** The page's Memory as a source (everything in the browser). */
export function localSource(mem) {
  const summary = (metas) => ({ count: metas.length, bytes: metas.reduce((n, m) => n + m.bytes, 0), entries: metas });
  // The entries as last read: sorting, filtering and paging reuse them.
  let all = null;
  let stats = null;
  return {
    server: false,
    async list({ sort, descending, filter, offset, limit, reread }) {
      if (reread || all === null) {
        all = await mem.entries();
        stats = await mem.stats();
      }
      const needle = filter.trim().toLowerCase();
      const value = (e) => e[sort];
      const shown = all
        .filter((e) => !needle || [e.name, e.key, e.kind, e.sidecar?.cmdline ?? ""].some((v) => v.toLowerCase().includes(needle)))
        .sort((a, b) => compare(value(a), value(b)) * (descending ? -1 : 1));
      return {
        entries: shown.slice(offset, offset + limit),
        total: all.length,
        bytes: all.reduce((n, e) => n + e.bytes, 0),
        matched: shown.length,
        matchedBytes: shown.reduce((n, e) => n + e.bytes, 0),
        byName: byName(all),
        growth: growth(all),
        note: `This page so far: ${stats.hits} ${stats.hits === 1 ? "hit" : "hits"}, ${stats.misses} ${stats.misses === 1 ? "miss" : "misses"}.`,
      };
    },
    remove: (meta) => mem.remove(meta.name, meta.key),
    value: (meta) => localValue(mem, meta),
    previewEviction: async (limits) => summary(await mem.previewEviction(limits)),
    reduceSize: async (limits) => summary(await mem.reduceSize(limits)),
    previewClear: async () => summary(await mem.entries()),
    clear: async () => summary(await mem.clear()),
  };
}

/** The server's cache as a source. */
export function serverSource(info) {
  const where = info.store ? `the shared store (${info.store}) in front of ${info.cache}` : info.cache;
  return {
    server: true,
    async list({ sort, descending, filter, offset, limit, fresh }) {
      const q = new URLSearchParams({ sort, order: descending ? "desc" : "asc", filter, offset, limit });
      if (fresh) q.set("fresh", "1");
      const r = await api(`entries?${q}`);
      return { ...r, byName: r.byName.map(([name, bytes]) => [name, bytes]), note: `Cache folder ${where} · listed in ${Math.round(r.walkMs)} ms.` };
    },
    remove: async (meta) => (await api("remove", { body: { name: meta.name, key: meta.key } })).removed,
    value: (meta) => serverValue(meta),
    previewEviction: (limits) => api("evict", { body: { ...limits, dryRun: true } }),
    reduceSize: (limits) => api("evict", { body: { ...limits, dryRun: false } }),
    previewClear: () => api("clear", { body: { dryRun: true } }),
    clear: () => api("clear", { body: { dryRun: false } }),
  };
}

/** A source that has nothing: a server page opened without its token. */
export function emptySource(note) {
  const none = { count: 0, bytes: 0, entries: [] };
  return {
    server: true,
    list: async () => ({ entries: [], total: 0, bytes: 0, matched: 0, matchedBytes: 0, byName: [], growth: [], note }),
    remove: async () => false,
    value: async () => [],
    previewEviction: async () => none,
    reduceSize: async () => none,
    previewClear: async () => none,
    clear: async () => none,
  };
}

function compare(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/** `[[name, bytes]…]`, largest first. */
function byName(entries) {
  const totals = new Map();
  for (const e of entries) totals.set(e.name, (totals.get(e.name) ?? 0) + e.bytes);
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** The bytes held now by when they were stored: `[[created, running total]…]`. */
function growth(entries) {
  let sum = 0;
  return entries
    .map((e) => [e.created, e.bytes])
    .sort((a, b) => a[0] - b[0])
    .map(([t, b]) => [t, (sum += b)]);
}
