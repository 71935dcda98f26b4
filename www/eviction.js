// Evicting by bytes, items or age, and clearing: first a preview of what
// would go (`mem.previewEviction`, which removes nothing), then a confirmation.
import { h, replace } from "./dom.js";
import { formatAgo, formatBytes } from "./format.js";

/** `onPreview(ids)` marks the entries that would go (a Set of "name/key", or null). */
export function eviction(root, mem, { onPreview, onDone }) {
  const form = root.querySelector("#evict-form");
  const out = root.querySelector("#evict-preview");

  const limits = () => {
    const l = {};
    for (const name of ["bytesLimit", "itemsLimit", "ageLimit"]) {
      const v = form.elements[name].value.trim();
      if (v !== "") l[name] = name === "itemsLimit" ? Number(v) : v;
    }
    return l;
  };

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const l = limits();
    if (Object.keys(l).length === 0) {
      say("Give at least one limit: a size (500K, 1M), a number of entries, or an age (90s, 12h, 30d).");
      return;
    }
    try {
      plan(await mem.previewEviction(l), "evict", () => mem.reduceSize(l));
    } catch (err) {
      say(err.message ?? String(err), "field-error");
    }
  });
  root.querySelector("#clear-all").addEventListener("click", async () => {
    plan(await mem.entries(), "clear", () => mem.clear());
  });

  function say(text, cls = "quiet") {
    onPreview(null);
    replace(out, h("p", { class: cls }, text));
  }

  function plan(metas, what, act) {
    if (metas.length === 0) {
      say(what === "clear" ? "The cache is already empty." : "Nothing would go: the cache already holds within these limits.");
      return;
    }
    onPreview(new Set(metas.map((m) => `${m.name}/${m.key}`)));
    const bytes = metas.reduce((n, m) => n + m.bytes, 0);
    const count = `${metas.length} ${metas.length === 1 ? "entry" : "entries"}`;
    const confirm = h("button", { type: "button", class: "danger" }, what === "clear" ? `Remove all ${count}` : `Remove ${count}`);
    const cancel = h("button", { type: "button" }, "Cancel");
    confirm.addEventListener("click", async () => {
      confirm.disabled = cancel.disabled = true;
      const removed = await act();
      say(what === "clear" ? `Removed every entry (${count}).` : `Removed ${removed.length} ${removed.length === 1 ? "entry" : "entries"}.`);
      onDone();
    });
    cancel.addEventListener("click", () => say("Nothing was removed."));
    replace(
      out,
      h("p", {}, `${count} (${formatBytes(bytes)}) would be removed, least recently used first:`),
      h(
        "ul",
        { class: "doomed-list" },
        metas.slice(0, 20).map((m) => h("li", {}, h("code", {}, m.name), " ", h("code", { class: "hash" }, m.key.slice(0, 10)), ` · used ${formatAgo(m.lastAccess)}`)),
        metas.length > 20 ? h("li", {}, `… and ${metas.length - 20} more`) : null,
      ),
      h("div", { class: "actions" }, confirm, cancel),
    );
    confirm.focus();
  }
}
