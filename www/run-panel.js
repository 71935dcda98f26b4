// "Run in browser" for specs bundled with a JS implementation: the run goes
// through toolmemo's `mem.cacheInterface`, so the same inputs again are a
// cache hit (the implementation does not run) and the panel says so, with
// its timing. With `toolmemo serve` behind the page, every spec runs on the
// server's machine through its native runner and cache instead
// (server-run.js), its standard output and error shown as they come.
import { h, replace } from "./dom.js";
import { formatMs, previewValue } from "./format.js";
import { runOnServer } from "./server-run.js";

/** `onRun()` is told after each run, so other views can refresh; `server` is set with `toolmemo serve`. */
export function runPanel(root, mem, onRun, server = null) {
  const button = root.querySelector("#run");
  const status = root.querySelector("#run-status");
  const outputs = root.querySelector("#run-outputs");
  const history = root.querySelector("#run-history");
  const live = root.querySelector("#run-live");
  const stdout = root.querySelector("#run-stdout");
  const stderr = root.querySelector("#run-stderr");
  let pf = null;
  let inputs = null;
  let files = new Map();
  let busy = false;

  if (server) {
    root.querySelector("#run-title").textContent = "Run on the server";
    replace(
      root.querySelector("#run-about"),
      "Runs the tool on the machine ",
      h("code", {}, "toolmemo serve"),
      " runs on, through its cache: the same inputs again are a cache hit, and the run is in the Inspector. Paths are relative to ",
      h("code", { class: "path" }, server.root),
      ".",
    );
  }

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
      if (server && r.cached) {
        // Nothing ran: what the tool said when it ran, replayed from the cache.
        stdout.textContent = r.stdout;
        stderr.textContent = r.stderr;
      }
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

  /** A run on the server, its output shown as it comes. */
  function onServer(spec, runInputs) {
    live.hidden = false;
    stdout.textContent = "";
    stderr.textContent = "";
    status.dataset.state = "running";
    return runOnServer(spec, runInputs, {
      onOutput: (out, err) => {
        stdout.append(out);
        stderr.append(err);
      },
      onState: (r) => {
        replace(status, h("span", { class: "badge running" }, r.executing ? "running" : "checking"), ` ${formatMs(r.elapsedMs)} so far…`);
      },
    }).finally(() => {
      status.dataset.state = "";
    });
  }

  return {
    /** A spec was loaded: `demo` is its implementation module, or null; `spec` its `{text, parents}`. */
    setup(iface, demo, chosen, spec) {
      files = chosen ?? new Map();
      root.hidden = demo === null && !server;
      live.hidden = true;
      if (server) pf = (runInputs) => onServer(spec, runInputs);
      else pf = demo ? mem.cacheInterface(iface, (runInputs, cmdline) => demo.run(runInputs, { file: (name) => files.get(name), cmdline })) : null;
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
