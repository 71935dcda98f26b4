// The page: loads toolmemo's wasm package, finds which cache it shows, and
// starts the two views. Two modes (the header says which):
//
// - browser only (`npm start`): the page's cache is IndexedDB, filled by the
//   demos that run in the page;
// - connected (`toolmemo serve`): the inspector shows the server's cache
//   folder and the composer runs tools on the server (server.js).
//
// `document.body.dataset.ready` is set once everything is on screen (tests
// wait for it), `document.body.dataset.mode` says the mode.
import { composer } from "./composer.js";
import { inspector } from "./inspector.js";
import { tabs } from "./tabs.js";
import { api, serverBase } from "./server.js";
import { emptySource, localSource, serverSource } from "./cache-source.js";
import { fileBrowser } from "./file-browser.js";
import { h, replace } from "./dom.js";

/** The IndexedDB database this page keeps its cache in. */
const DATABASE = "toolmemo-page";

async function openMemory(Memory) {
  try {
    return { mem: await Memory.open({ store: "indexeddb", name: DATABASE }), where: `IndexedDB database “${DATABASE}” in this browser` };
  } catch (err) {
    // Some private modes refuse IndexedDB: the page still works, for this visit.
    return { mem: await Memory.open({ store: "memory" }), where: `memory only, for this visit (IndexedDB: ${err.message ?? err})` };
  }
}

/** Which cache the page shows: `{mode, source, server, where, privacy}`. */
async function connect(mem, where) {
  if (!serverBase()) {
    return { mode: "browser", source: localSource(mem), server: null, where, label: "Browser only: the cache is this browser’s IndexedDB" };
  }
  let info;
  try {
    info = await api("info");
  } catch (err) {
    const why = err.kind === "auth" ? "open the URL that toolmemo serve printed (it ends in ?token=…)" : err.message;
    return {
      mode: "locked",
      source: emptySource(`Not connected: ${why}.`),
      server: null,
      where: "none: this page has no access to the server's cache",
      label: `Served by toolmemo serve, not connected: ${why}`,
    };
  }
  const browse = fileBrowser(document.querySelector("#files-dialog")).pick;
  return {
    mode: "server",
    source: serverSource(info),
    server: { browse, root: info.root },
    where: `the folder ${info.cache}${info.store ? ` behind the shared store (${info.store})` : ""}, on the machine running toolmemo serve`,
    label: `Connected to the cache folder ${info.cache}`,
    privacy: `Runs and file choices go to toolmemo serve (files under ${info.root}).`,
  };
}

async function main() {
  const toolmemo = await import("../pkg/web/toolmemo.js");
  await toolmemo.default();
  const { mem, where: local } = await openMemory(toolmemo.Memory);
  const c = await connect(mem, local);
  document.body.dataset.mode = c.mode;
  const mode = document.querySelector("#mode");
  mode.dataset.mode = c.mode;
  replace(mode, h("span", { class: "dot", "aria-hidden": "true" }), c.label);

  const count = document.querySelector("#entry-count");
  const cache = inspector(document.querySelector("#inspector"), c.source, {
    onChange: (total) => {
      count.textContent = String(total);
    },
  });
  const compose = composer(document.querySelector("#composer"), { Interface: toolmemo.Interface, mem, onRun: () => cache.refresh(), server: c.server });

  document.querySelector("#store").textContent = c.where;
  if (c.privacy) document.querySelector("#privacy").textContent = c.privacy;
  if (c.mode === "server") {
    document.querySelector("#tagline").textContent =
      "Typed specs for command-line tools, rendered exactly as nipype renders them, and a cache for their runs — here a cache folder on disk, and the tools run by toolmemo serve.";
  }
  document.querySelector("#boot").hidden = true;
  tabs((view) => {
    if (view === "inspector") cache.refresh();
  });
  await compose.choose(new URLSearchParams(location.search).get("example"));
  await cache.refresh();
  document.body.dataset.ready = "true";
}

main().catch((err) => {
  const boot = document.querySelector("#boot");
  boot.classList.add("failed");
  boot.textContent = `The page could not start: ${err.message ?? err}. It needs the wasm package in pkg/web (npm run build) and a server (npm start); opening index.html as a file does not work.`;
  document.body.dataset.ready = "failed";
  throw err;
});
