// The inspector: the cache's entries as a sortable, filterable table, with
// totals, a chart of bytes by name, one entry's details, and eviction.
import { h, replace } from "./dom.js";
import { formatAgo, formatBytes, formatDate } from "./format.js";
import { bytesByName } from "./chart.js";
import { entryDetails } from "./entry-details.js";
import { eviction } from "./eviction.js";

/** Rows drawn at most; a filter narrows the rest. */
const ROWS = 500;

const COLUMNS = [
  { id: "name", label: "Name", value: (e) => e.name },
  { id: "key", label: "Key", value: (e) => e.key },
  { id: "kind", label: "Kind", value: (e) => e.kind },
  { id: "bytes", label: "Size", value: (e) => e.bytes, numeric: true },
  { id: "created", label: "Created", value: (e) => e.created, numeric: true },
  { id: "lastAccess", label: "Last used", value: (e) => e.lastAccess, numeric: true },
  { id: "hits", label: "Hits", value: (e) => e.hits, numeric: true },
];

const id = (e) => `${e.name}/${e.key}`;

/** `onChange(entries)` is told whenever the entries were read again. */
export function inspector(root, mem, { onChange }) {
  const $ = (sel) => root.querySelector(sel);
  const tbody = $("#entries tbody");
  const headRow = $("#entries thead tr");
  const filter = $("#entries-filter");
  const details = $("#details");
  let entries = [];
  let sort = { column: "lastAccess", descending: true };
  let selected = null;
  let doomed = new Set();

  const sortButtons = COLUMNS.map((c) => {
    const button = h("button", { type: "button", class: "sort", onclick: () => sortBy(c) }, c.label);
    headRow.append(h("th", { scope: "col", class: c.numeric ? "num" : null, dataset: { column: c.id } }, button));
    return button;
  });

  function sortBy(c) {
    sort = sort.column === c.id ? { column: c.id, descending: !sort.descending } : { column: c.id, descending: Boolean(c.numeric) };
    draw();
  }

  async function refresh() {
    entries = await mem.entries();
    const stats = await mem.stats();
    if (selected && !entries.some((e) => id(e) === selected)) closeDetails();
    const bytes = entries.reduce((n, e) => n + e.bytes, 0);
    replace(
      $("#totals"),
      h("span", { class: "big", dataset: { entries: entries.length } }, String(entries.length)),
      ` ${entries.length === 1 ? "entry" : "entries"} · `,
      h("span", { class: "big" }, formatBytes(bytes)),
    );
    replace($("#session"), `This page so far: ${stats.hits} ${stats.hits === 1 ? "hit" : "hits"}, ${stats.misses} ${stats.misses === 1 ? "miss" : "misses"}.`);
    replace($("#chart"), bytesByName(entries));
    draw();
    onChange(entries);
  }

  function draw() {
    const needle = filter.value.trim().toLowerCase();
    const column = COLUMNS.find((c) => c.id === sort.column);
    const shown = entries
      .filter((e) => !needle || [e.name, e.key, e.kind, e.sidecar?.cmdline ?? ""].some((v) => v.toLowerCase().includes(needle)))
      .sort((a, b) => compare(column.value(a), column.value(b)) * (sort.descending ? -1 : 1));

    COLUMNS.forEach((c, i) => {
      const th = sortButtons[i].parentElement;
      if (c.id === sort.column) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
    replace(tbody, shown.slice(0, ROWS).map(row));
    const hidden = entries.length - Math.min(shown.length, ROWS);
    replace(
      $("#entries-note"),
      entries.length === 0
        ? "The cache is empty. Run a demo in the Composer and its result is stored here."
        : hidden > 0
          ? `Showing ${Math.min(shown.length, ROWS)} of ${entries.length} entries.`
          : "",
    );
  }

  function row(e) {
    const open = h("button", { type: "button", class: "link", "aria-label": `Details of ${e.name} ${e.key.slice(0, 10)}` }, e.name);
    open.addEventListener("click", () => showDetails(e));
    return h(
      "tr",
      { class: [id(e) === selected && "selected", doomed.has(id(e)) && "doomed"].filter(Boolean).join(" ") || null, dataset: { name: e.name, key: e.key } },
      h("td", {}, open),
      h("td", {}, h("code", { title: e.key }, e.key.slice(0, 10))),
      h("td", {}, e.kind),
      h("td", { class: "num" }, formatBytes(e.bytes)),
      h("td", { class: "num", title: formatDate(e.created) }, formatAgo(e.created)),
      h("td", { class: "num", title: formatDate(e.lastAccess) }, formatAgo(e.lastAccess)),
      h("td", { class: "num" }, String(e.hits)),
    );
  }

  function showDetails(e) {
    selected = id(e);
    details.hidden = false;
    replace(details, entryDetails(e, mem, { onRemoved: refresh, onClose: closeDetails }));
    draw();
    details.querySelector("h2")?.scrollIntoView({ block: "nearest" });
  }

  function closeDetails() {
    selected = null;
    details.hidden = true;
    replace(details);
    draw();
  }

  filter.addEventListener("input", draw);
  $("#refresh").addEventListener("click", refresh);
  eviction(root, mem, {
    onPreview: (ids) => {
      doomed = ids ?? new Set();
      draw();
    },
    onDone: refresh,
  });

  return { refresh };
}

function compare(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}
