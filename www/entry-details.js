// One cache entry in full: its readable inputs (the sidecar), hashes, command
// line, and its outputs or stored value (from the source: `entry-value.js`,
// which counts no hit). Every string from the cache is put in as text.
import { h, replace } from "./dom.js";
import { formatBytes, formatDate, formatMs } from "./format.js";

/** An element showing `meta` of `source` (cache-source.js); `onRemoved()` after "Delete" removed it. */
export function entryDetails(meta, source, { onRemoved, onClose }) {
  const value = h("div", { class: "entry-value" }, h("p", { class: "quiet" }, "Reading the stored value…"));
  const remove = h("button", { type: "button", class: "danger" }, "Delete this entry");
  remove.addEventListener("click", async () => {
    remove.disabled = true;
    try {
      await source.remove(meta);
    } catch (err) {
      remove.disabled = false;
      replace(value, h("p", { class: "field-error" }, `Could not delete: ${err.message ?? err}`));
      return;
    }
    onRemoved();
  });
  const inputs = meta.kind === "interface" ? meta.sidecar?.inputs : meta.sidecar;
  const el = h(
    "div",
    { class: "entry-details", dataset: { key: meta.key } },
    h(
      "div",
      { class: "card-head" },
      h("h2", { id: "details-title" }, h("span", { class: "visually-hidden" }, "Entry "), h("code", {}, meta.name)),
      h("span", { class: "badge" }, meta.kind),
      h("button", { type: "button", class: "icon", "aria-label": "Close the details", onclick: onClose }, "×"),
    ),
    dl([
      ["Created", formatDate(meta.created)],
      ["Last used", formatDate(meta.lastAccess)],
      ["Hits", String(meta.hits)],
      ["Size", formatBytes(meta.bytes)],
      ["Run took", formatMs(meta.durationMs)],
    ]),
    meta.sidecar?.cmdline !== undefined ? [h("h3", {}, "Command line"), h("pre", { class: "cmdline small" }, meta.sidecar.cmdline)] : null,
    h("h3", {}, meta.kind === "interface" ? "Inputs" : "Arguments"),
    inputTable(inputs),
    h("h3", {}, "Hashes"),
    dl(
      [
        ["Key", meta.key],
        ["Arguments", meta.args],
        ["Code", meta.code],
        ["Run", meta.lastRun],
      ].filter(([, v]) => typeof v === "string"),
      "hashes",
    ),
    h("h3", {}, meta.kind === "interface" ? "Outputs" : "Stored value"),
    value,
    h("div", { class: "actions" }, remove),
  );

  source.value(meta).then(
    (nodes) => replace(value, nodes),
    (err) => replace(value, h("p", { class: "field-error" }, `Could not read the value: ${err.message ?? err}`)),
  );
  return el;
}

function dl(rows, cls = "facts") {
  return h("dl", { class: cls }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/** The sidecar's readable inputs: scalars as they are, the rest as their hashes. */
function inputTable(inputs) {
  const rows = Object.entries(inputs ?? {});
  if (rows.length === 0) return h("p", { class: "quiet" }, "None.");
  return h(
    "table",
    { class: "inputs" },
    h(
      "tbody",
      {},
      rows.map(([name, v]) => h("tr", {}, h("th", { scope: "row" }, h("code", {}, name)), h("td", {}, sidecarValue(v)))),
    ),
  );
}

function sidecarValue(v) {
  if (v !== null && typeof v === "object" && typeof v.sha256 === "string") {
    const what = typeof v.path === "string" ? h("code", {}, v.path) : h("em", {}, String(v.type ?? "value"));
    return [what, " ", h("span", { class: "hash", title: v.sha256 }, `sha256 ${v.sha256.slice(0, 12)}…`)];
  }
  return h("code", {}, typeof v === "string" ? JSON.stringify(v) : String(JSON.stringify(v)));
}
