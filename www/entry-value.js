// What an entry holds, for its details: in the browser the stored value (read
// with `mem.peek`, which counts no hit); from `toolmemo serve` the run record
// (exit status, duration, standard output and error) and the output files
// with their sizes, or a preview of a function's value. Everything as text.
import { h } from "./dom.js";
import { formatBytes, formatMs, previewValue } from "./format.js";
import { api, apiUrl } from "./server.js";

/** The stored value in the page's Memory, as elements. */
export async function localValue(mem, meta) {
  const stored = await mem.peek(meta.name, meta.key);
  if (stored === undefined) return h("p", { class: "quiet" }, "No stored value: the entry is gone.");
  // A run's record: what its run function returned, or the tool's output files.
  return h("pre", { class: "value" }, previewValue(meta.kind === "interface" ? (stored.result ?? stored.outputs) : stored));
}

/** The entry as the server reads it from the cache folder, as elements. */
export async function serverValue(meta) {
  let e;
  try {
    e = await api(`entry?${new URLSearchParams({ name: meta.name, key: meta.key })}`);
  } catch (err) {
    if (err.status === 404) return h("p", { class: "quiet" }, "No stored value: the entry is gone.");
    throw err;
  }
  if (!e.run) return [h("pre", { class: "value" }, e.value ?? ""), folder(e.dir)];
  const r = e.run;
  return [
    h(
      "table",
      { class: "outputs entry-outputs" },
      h("tbody", {}, e.outputs.map((o) =>
        h(
          "tr",
          { dataset: { output: o.name } },
          h("th", { scope: "row" }, h("code", {}, o.name)),
          h("td", {}, h("code", { class: "path", title: o.path }, o.rel ?? o.path)),
          h("td", { class: "num" }, o.exists ? formatBytes(o.bytes) : "missing"),
          h("td", {}, o.exists && e.dir ? download(meta, o.name) : null),
        ),
      )),
    ),
    e.outputs.length === 0 ? h("p", { class: "quiet" }, "No output files.") : null,
    h("h3", {}, "Run"),
    h(
      "dl",
      { class: "facts run-facts" },
      [
        ["Exit status", r.exit === null ? "none (a signal)" : String(r.exit)],
        ["Took", formatMs(r.durationMs)],
        ["Started", new Date(r.started).toLocaleString()],
      ].map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    ),
    log("Standard output", "stdout", r.stdout),
    log("Standard error", "stderr", r.stderr),
    folder(e.dir),
  ];
}

/** A link that saves an output file (the server sends it as a download, never to show). */
function download(meta, output) {
  const href = apiUrl(`entry/file?${new URLSearchParams({ name: meta.name, key: meta.key, output })}`);
  return h("a", { href, download: "", class: "download", title: `Save ${output}` }, "download");
}

function log(title, cls, text) {
  return [h("h4", {}, title), text ? h("pre", { class: `log ${cls}` }, text) : h("p", { class: "quiet" }, "Nothing.")];
}

function folder(dir) {
  return dir ? h("p", { class: "quiet folder" }, "Folder ", h("code", { class: "path" }, dir)) : null;
}
