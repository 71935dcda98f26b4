// Choosing a file on the server's machine (`toolmemo serve`): a dialog that
// lists the folders under the server's root (`GET api/files`), which refuses
// anything outside it. Names are shown as text.
import { h, replace } from "./dom.js";
import { formatBytes } from "./format.js";
import { api } from "./server.js";

/** `pick({title, accept})` resolves to a path relative to the root, or null. */
export function fileBrowser(dialog) {
  const title = dialog.querySelector("#files-title");
  const where = dialog.querySelector("#files-where");
  const list = dialog.querySelector("#files-list");
  const note = dialog.querySelector("#files-note");
  let done = null;
  let accept = null;

  dialog.addEventListener("close", () => finish(null));

  function finish(path) {
    const d = done;
    done = null;
    if (dialog.open) dialog.close();
    d?.(path);
  }

  async function show(path) {
    let r;
    try {
      r = await api(`files?${new URLSearchParams({ path })}`);
    } catch (err) {
      replace(note, h("span", { class: "field-error" }, err.message ?? String(err)));
      return;
    }
    replace(note);
    replace(where, h("code", { class: "path" }, r.path ? `${r.root}/${r.path}` : r.root));
    const items = r.entries.filter((e) => e.dir || !accept || accept.some((x) => e.name.toLowerCase().endsWith(x)));
    replace(
      list,
      r.parent !== null ? h("li", {}, h("button", { type: "button", class: "link folder", onclick: () => show(r.parent) }, "↑ ..")) : null,
      items.map((e) =>
        h(
          "li",
          { dataset: { path: e.path } },
          h(
            "button",
            { type: "button", class: `link ${e.dir ? "folder" : "file"}`, onclick: () => (e.dir ? show(e.path) : finish(e.path)) },
            e.dir ? `${e.name}/` : e.name,
          ),
          e.dir ? null : h("span", { class: "quiet" }, ` ${formatBytes(e.bytes)}`),
        ),
      ),
      items.length === 0 ? h("li", { class: "quiet" }, accept ? `No ${accept.join(" or ")} file here.` : "Empty folder.") : null,
    );
  }

  return {
    pick({ title: text = "Choose a file", accept: kinds = null } = {}) {
      finish(null);
      accept = kinds;
      title.textContent = text;
      dialog.showModal();
      show("");
      return new Promise((resolve) => {
        done = resolve;
      });
    },
  };
}
