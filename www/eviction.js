// Evicting by bytes, items or age, and clearing: first a preview of what
// would go (`previewEviction`, which removes nothing), then a confirmation.
// `source` is the inspector's (cache-source.js): previews answer `{count,
// bytes, entries}`, entries being what goes (the server names the first 200).
import { h, replace } from "./dom.js";
import { formatAgo, formatBytes } from "./format.js";

/** `onPreview(ids)` marks the entries that would go (a Set of "name/key", or null). */
export function eviction(root, source, { onPreview, onDone }) {
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
      plan(await source.previewEviction(l), "evict", () => source.reduceSize(l));
    } catch (err) {
      say(err.message ?? String(err), "field-error");
    }
  });
  root.querySelector("#clear-all").addEventListener("click", async () => {
    try {
      plan(await source.previewClear(), "clear", () => source.clear());
    } catch (err) {
      say(err.message ?? String(err), "field-error");
    }
  });

  function say(text, cls = "quiet") {
    onPreview(null);
    replace(out, h("p", { class: cls }, text));
  }

  function plan({ count: n, bytes, entries: metas }, what, act) {
    if (n === 0) {
      say(what === "clear" ? "The cache is already empty." : "Nothing would go: the cache already holds within these limits.");
      return;
    }
    onPreview(new Set(metas.map((m) => `${m.name}/${m.key}`)));
    const count = `${n} ${n === 1 ? "entry" : "entries"}`;
    const confirm = h("button", { type: "button", class: "danger" }, what === "clear" ? `Remove all ${count}` : `Remove ${count}`);
    const cancel = h("button", { type: "button" }, "Cancel");
    confirm.addEventListener("click", async () => {
      confirm.disabled = cancel.disabled = true;
      let removed;
      try {
        removed = await act();
      } catch (err) {
        say(err.message ?? String(err), "field-error");
        return;
      }
      say(what === "clear" ? `Removed every entry (${count}).` : `Removed ${removed.count} ${removed.count === 1 ? "entry" : "entries"}.`);
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
        n > 20 ? h("li", {}, `… and ${n - Math.min(20, metas.length)} more`) : null,
      ),
      h("div", { class: "actions" }, confirm, cancel),
    );
    confirm.focus();
  }
}
