// The inspector: the cache's entries as a sortable, filterable, paged table,
// with totals, charts of bytes by name and of the cache's growth, one entry's
// details, and eviction. The entries come from a source (cache-source.js):
// the page's own Memory, or the cache folder of `toolmemo serve`.
import { h, replace } from "./dom.js";
import { formatAgo, formatBytes, formatDate } from "./format.js";
import { bytesByName } from "./chart.js";
import { growthChart } from "./growth-chart.js";
import { entryDetails } from "./entry-details.js";
import { eviction } from "./eviction.js";

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

/** `onChange(total)` is told the number of entries whenever they were read again. */
export function inspector(root, source, { onChange }) {
  const $ = (sel) => root.querySelector(sel);
  const tbody = $("#entries tbody");
  const headRow = $("#entries thead tr");
  const filter = $("#entries-filter");
  const details = $("#details");
  const pager = $("#entries-pager");
  // Rows on a page: the server pages a cache of any size; the browser's is small.
  const rowsPerPage = source.server ? 100 : 500;
  let shown = { entries: [], total: 0, matched: 0 };
  let sort = { column: "lastAccess", descending: true };
  let offset = 0;
  let selected = null;
  let doomed = new Set();
  // Only the answer to the latest query is drawn.
  let asked = 0;

  const sortButtons = COLUMNS.map((c) => {
    const button = h("button", { type: "button", class: "sort", onclick: () => sortBy(c) }, c.label);
    headRow.append(h("th", { scope: "col", class: c.numeric ? "num" : null, dataset: { column: c.id } }, button));
    return button;
  });

  function sortBy(c) {
    sort = sort.column === c.id ? { column: c.id, descending: !sort.descending } : { column: c.id, descending: Boolean(c.numeric) };
    offset = 0;
    load();
  }

  /** Reads the entries again (`fresh`: the server walks its folder again). */
  async function refresh({ fresh = false } = {}) {
    await load({ reread: true, fresh });
  }

  async function load({ reread = false, fresh = false } = {}) {
    const mine = ++asked;
    let r;
    try {
      r = await source.list({ sort: sort.column, descending: sort.descending, filter: filter.value, offset, limit: rowsPerPage, reread, fresh });
    } catch (err) {
      if (mine === asked) replace($("#entries-note"), h("span", { class: "field-error" }, `Could not read the cache: ${err.message ?? err}`));
      return;
    }
    if (mine !== asked) return;
    if (offset > 0 && offset >= r.matched) {
      offset = Math.max(0, Math.floor((r.matched - 1) / rowsPerPage) * rowsPerPage);
      return load({ reread, fresh });
    }
    shown = r;
    replace(
      $("#totals"),
      h("span", { class: "big", dataset: { entries: r.total } }, String(r.total)),
      ` ${r.total === 1 ? "entry" : "entries"} · `,
      h("span", { class: "big", dataset: { bytes: r.bytes } }, formatBytes(r.bytes)),
    );
    replace($("#session"), r.note ?? "");
    replace($("#chart"), bytesByName(r.byName));
    replace($("#growth"), growthChart(r.growth));
    draw();
    if (reread) onChange(r.total);
  }

  function draw() {
    COLUMNS.forEach((c, i) => {
      const th = sortButtons[i].parentElement;
      if (c.id === sort.column) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
    replace(tbody, shown.entries.map(row));
    const { total, matched } = shown;
    const last = Math.min(offset + shown.entries.length, matched);
    replace(
      $("#entries-note"),
      total === 0
        ? source.server
          ? "The cache is empty."
          : "The cache is empty. Run a demo in the Composer and its result is stored here."
        : matched < total || matched > rowsPerPage
          ? `Showing ${matched === 0 ? 0 : offset + 1}–${last} of ${matched}${matched < total ? ` matching (${total} in all)` : ""} entries.`
          : "",
    );
    pager.hidden = matched <= rowsPerPage;
    pager.querySelector(".prev").disabled = offset === 0;
    pager.querySelector(".next").disabled = last >= matched;
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
      h("td", { class: "num", dataset: { bytes: e.bytes } }, formatBytes(e.bytes)),
      h("td", { class: "num", title: formatDate(e.created) }, formatAgo(e.created)),
      h("td", { class: "num", title: formatDate(e.lastAccess) }, formatAgo(e.lastAccess)),
      h("td", { class: "num" }, String(e.hits)),
    );
  }

  function showDetails(e) {
    selected = id(e);
    details.hidden = false;
    replace(details, entryDetails(e, source, { onRemoved: () => {
      closeDetails();
      refresh();
    }, onClose: closeDetails }));
    draw();
    details.querySelector("h2")?.scrollIntoView({ block: "nearest" });
  }

  function closeDetails() {
    selected = null;
    details.hidden = true;
    replace(details);
    draw();
  }

  const page = (step) => {
    offset = Math.max(0, offset + step * rowsPerPage);
    load();
  };
  replace(
    pager,
    h("button", { type: "button", class: "prev", onclick: () => page(-1) }, "← Previous"),
    h("button", { type: "button", class: "next", onclick: () => page(1) }, "Next →"),
  );
  filter.addEventListener("input", () => {
    offset = 0;
    load();
  });
  $("#refresh").addEventListener("click", () => refresh({ fresh: true }));
  eviction(root, source, {
    onPreview: (ids) => {
      doomed = ids ?? new Set();
      draw();
    },
    onDone: () => {
      if (selected) closeDetails();
      return refresh();
    },
  });

  return { refresh };
}
