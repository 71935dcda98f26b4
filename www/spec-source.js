// Where a spec comes from: a bundled example (www/examples.js), pasted JSON,
// a file, or (with `toolmemo serve`) a file under the server's root. Each hands
// `{label, text, parents, example}` to `load`, which answers whether the spec
// was usable; fetch failures go to `fail`.
import { h } from "./dom.js";
import { EXAMPLES, nipypeExamples } from "./examples.js";
import { api } from "./server.js";

export function specSource(root, { load, fail, server = null }) {
  const select = root.querySelector("#example");
  const pasteToggle = root.querySelector("#paste-toggle");
  const pastePanel = root.querySelector("#paste-panel");
  const pasteText = root.querySelector("#spec-text");
  const fileButton = root.querySelector("#spec-file-button");
  const fileInput = root.querySelector("#spec-file");

  // A choice that stands for a spec from elsewhere, shown only while one is loaded.
  const yours = h("option", { value: "", hidden: true }, "Your spec");
  const group = (label, list) => h("optgroup", { label }, list.map((e) => h("option", { value: e.id }, e.title)));
  // Every spec offered: the bundled ones, then the importer's real tools once known.
  const offered = [...EXAMPLES];
  select.append(
    yours,
    group("Runs in this page", EXAMPLES.filter((e) => e.run)),
    group("Command line only", EXAMPLES.filter((e) => !e.run)),
  );
  const realTools = nipypeExamples().then((list) => {
    if (list.length === 0) return;
    offered.push(...list);
    select.append(group("Real tools (specs made from nipype)", list));
  });

  // What the page shows, to come back to when a new spec cannot be used.
  let shown = select.value;
  const chosen = (ok) => {
    if (ok) shown = select.value;
    else select.value = shown;
    root.removeAttribute("aria-busy");
    return ok;
  };

  async function choose(id) {
    if (String(id).startsWith("nipype:")) await realTools;
    const example = offered.find((e) => e.id === id) ?? EXAMPLES[0];
    root.setAttribute("aria-busy", "true");
    select.value = example.id;
    try {
      const text = await fetchText(example.spec);
      const parents = {};
      for (const [name, path] of Object.entries(example.parents ?? {})) parents[name] = JSON.parse(await fetchText(path));
      return chosen(await load({ label: example.title, text, parents, example }));
    } catch (err) {
      fail(example.title, err);
      return chosen(false);
    }
  }

  async function useText(label, text, given = {}) {
    root.setAttribute("aria-busy", "true");
    const ok = await load({ label, text, parents: { ...(await bundledParents(text)), ...given } });
    if (ok) {
      yours.textContent = `Your spec (${label})`;
      yours.selected = true;
    }
    return chosen(ok);
  }

  // A spec of yours may extend a bundled one (`"extends": "BET"`): the
  // bundled specs are offered as its parents, by name. Only fetched when asked.
  let bundled = null;
  async function bundledParents(text) {
    let spec;
    try {
      spec = JSON.parse(text);
    } catch {
      return {}; // `load` reports the syntax error
    }
    if (typeof spec?.extends !== "string") return {};
    bundled ??= Promise.all(
      offered.map((e) => fetchText(e.spec).then((t) => JSON.parse(t), () => null)),
    ).then((specs) => Object.fromEntries(specs.filter((s) => typeof s?.name === "string").map((s) => [s.name, s])));
    return await bundled;
  }

  select.addEventListener("change", () => choose(select.value));
  pasteToggle.addEventListener("click", () => {
    const open = pastePanel.hidden;
    pastePanel.hidden = !open;
    pasteToggle.setAttribute("aria-expanded", String(open));
    if (open) pasteText.focus();
  });
  root.querySelector("#paste-use").addEventListener("click", async () => {
    if (await useText("pasted JSON", pasteText.value)) {
      pastePanel.hidden = true;
      pasteToggle.setAttribute("aria-expanded", "false");
    }
  });
  fileButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    fileInput.value = "";
    if (file) await useText(file.name, await file.text());
  });

  const serverButton = root.querySelector("#spec-server-button");
  serverButton.hidden = !server;
  serverButton.addEventListener("click", async () => {
    const path = await server.browse({ title: "Open a spec (JSON) under the server's folder", accept: [".json"] });
    if (path === null) return;
    try {
      const r = await api(`spec?${new URLSearchParams({ path })}`);
      await useText(path, r.text, r.parents);
    } catch (err) {
      fail(path, err);
    }
  });

  return { choose };
}

async function fetchText(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`could not load ${path} (HTTP ${res.status})`);
  return res.text();
}
