// The page: loads toolmemo's wasm package, opens the page's cache on
// IndexedDB, and starts the two views. `document.body.dataset.ready` is set
// once everything is on screen (tests wait for it).
import { composer } from "./composer.js";
import { inspector } from "./inspector.js";
import { tabs } from "./tabs.js";

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

async function main() {
  const toolmemo = await import("../pkg/web/toolmemo.js");
  await toolmemo.default();
  const { mem, where } = await openMemory(toolmemo.Memory);

  const count = document.querySelector("#entry-count");
  const cache = inspector(document.querySelector("#inspector"), mem, {
    onChange: (entries) => {
      count.textContent = String(entries.length);
    },
  });
  const compose = composer(document.querySelector("#composer"), { Interface: toolmemo.Interface, mem, onRun: () => cache.refresh() });

  document.querySelector("#store").textContent = where;
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
