// "Run in browser" for specs bundled with a JS implementation: the run goes
// through toolmemo's `mem.cacheInterface`, so the same inputs again are a
// cache hit (the implementation does not run) and the panel says so, with
// its timing.
import { h, replace } from "./dom.js";
import { formatMs, previewValue } from "./format.js";

/** `onRun()` is told after each run, so other views can refresh. */
export function runPanel(root, mem, onRun) {
  const button = root.querySelector("#run");
  const status = root.querySelector("#run-status");
  const outputs = root.querySelector("#run-outputs");
  const history = root.querySelector("#run-history");
  let pf = null;
  let inputs = null;
  let files = new Map();
  let busy = false;

  const sync = () => {
    button.disabled = busy || pf === null || inputs === null;
  };

  button.addEventListener("click", async () => {
    busy = true;
    sync();
    status.dataset.cached = "";
    replace(status, "Running…");
    const started = performance.now();
    try {
      // The chosen files go with the call, so they enter the key by their bytes.
      const contents = Object.fromEntries(
        await Promise.all([...files].map(async ([name, f]) => [name, new Uint8Array(await f.arrayBuffer())])),
      );
      const r = await pf(inputs, { contents });
      show(r, performance.now() - started);
    } catch (err) {
      status.dataset.cached = "error";
      replace(status, h("span", { class: "badge error" }, "failed"), ` ${err.message ?? err}`);
      replace(outputs);
    } finally {
      busy = false;
      sync();
      onRun();
    }
  });

  function show(r, wallMs) {
    status.dataset.cached = String(r.cached);
    const key = h("code", { title: r.key }, r.key.slice(0, 12));
    replace(
      status,
      r.cached
        ? [h("span", { class: "badge hit" }, "cache hit"), ` Returned in ${formatMs(wallMs)} without running; the run itself took ${formatMs(r.durationMs)}. Key `, key, "."]
        : [h("span", { class: "badge miss" }, "cache miss"), ` Ran in ${formatMs(r.durationMs)} and stored the result (${formatMs(wallMs)} in all). Key `, key, "."],
    );
    replace(outputs, outputTable(r.outputs));
    history.prepend(
      h("li", {}, h("span", { class: `badge ${r.cached ? "hit" : "miss"}` }, r.cached ? "hit" : "miss"), ` ${formatMs(wallMs)} · `, h("code", {}, r.cmdline)),
    );
    while (history.children.length > 8) history.lastChild.remove();
  }

  return {
    /** A spec was loaded: `demo` is its implementation module, or null. */
    setup(iface, demo, chosen) {
      files = chosen ?? new Map();
      root.hidden = demo === null;
      pf = demo ? mem.cacheInterface(iface, (runInputs, cmdline) => demo.run(runInputs, { file: (name) => files.get(name), cmdline })) : null;
      inputs = null;
      status.dataset.cached = "";
      replace(status, "Fill in the inputs, then run.");
      replace(outputs);
      replace(history);
      sync();
    },
    /** The current inputs (JSON text) when they render, else null. */
    setInputs(values) {
      inputs = values;
      sync();
    },
  };
}

/** Outputs as a two-column table; each value as text. */
function outputTable(values) {
  if (values === null || typeof values !== "object" || Array.isArray(values)) return h("pre", { class: "value" }, previewValue(values));
  return h(
    "table",
    { class: "outputs" },
    h("caption", {}, "Outputs"),
    h(
      "tbody",
      {},
      Object.entries(values).map(([name, v]) =>
        h("tr", { dataset: { output: name } }, h("th", { scope: "row" }, h("code", {}, name)), h("td", {}, h("pre", { class: "value" }, typeof v === "string" ? v : previewValue(v)))),
      ),
    ),
  );
}
