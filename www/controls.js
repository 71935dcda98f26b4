// One form control per spec type. A control is `{el, read(), setLabel(text)}`:
// `el` goes in the page, `read()` gives the value to pass to toolmemo
// (`undefined` when not set) or throws `Unreadable`, and `setLabel` names it
// for assistive technology when it has no <label> of its own (list items).
// Checking values is toolmemo's job (`iface.validate`): controls only collect.
import { h, changed } from "./dom.js";
import { typeOf, rangeIsInt, showValue } from "./types.js";

/** A value the control cannot even read (a number field holding "1e"). */
export class Unreadable extends Error {}

/**
 * A control for `type`. Options: `id` (for the <label for> of a simple
 * control), `labelId` (for a composite one), `placeholder`, `flag` (a Bool as
 * a checkbox: checked or not set), `files` (a Map name → File: File inputs get
 * a picker and accept drops), `browse` (a function answering a path chosen on
 * `toolmemo serve`'s machine, or null: File and Directory inputs get a Browse
 * button), `usedefault`/`defaultValue` (Enum's empty choice).
 */
export function makeControl(type, opts = {}) {
  const t = typeOf(type);
  switch (t.kind) {
    case "Bool":
      return opts.flag ? checkbox(opts) : choice([true, false], opts);
    case "Int":
    case "Float":
      return number(t.kind === "Int", {}, opts);
    case "Range":
      return number(rangeIsInt(t.arg), t.arg, opts);
    case "Enum":
      return choice(t.arg, opts);
    case "File":
    case "Directory":
      return path(t, opts);
    case "List":
    case "MultiPath":
      return list(t, opts);
    case "Tuple":
      return tuple(t, opts);
    case "Dict":
      return dict(t, opts);
    case "Either":
      return text({ ...opts, parse: t.arg.some((b) => !isTextual(b)) });
    case "Any":
      return text({ ...opts, parse: true });
    default:
      return text(opts);
  }
}

/** Whether every value of a type is a string (then typed text is never JSON). */
function isTextual(type) {
  const t = typeOf(type);
  if (t.kind === "Enum") return t.arg.every((v) => typeof v === "string");
  if (t.kind === "Either") return t.arg.every(isTextual);
  return ["Str", "File", "Directory"].includes(t.kind);
}

/** A control around one element: its accessible name is its <label> or `setLabel`. */
function simple(el, read, root = el) {
  return { el: root, read, setLabel: (label) => el.setAttribute("aria-label", label), focus: () => el.focus() };
}

function checkbox(opts) {
  const box = h("input", { type: "checkbox", id: opts.id });
  return simple(box, () => (box.checked ? true : undefined));
}

/** A <select> of `values` (any JSON), with an empty "not set" choice first. */
function choice(values, opts) {
  const none = opts.usedefault ? `default (${showValue(opts.defaultValue ?? values[0])})` : "not set";
  const sel = h(
    "select",
    { id: opts.id },
    h("option", { value: "" }, none),
    values.map((v, i) => h("option", { value: String(i) }, showValue(v))),
  );
  return simple(sel, () => (sel.value === "" ? undefined : values[Number(sel.value)]));
}

function number(isInt, bounds, opts) {
  const el = h("input", {
    type: "number",
    id: opts.id,
    inputmode: isInt ? "numeric" : "decimal",
    step: isInt ? "1" : "any",
    min: bounds.low ?? undefined,
    max: bounds.high ?? undefined,
    placeholder: opts.placeholder,
  });
  return simple(el, () => {
    if (el.validity.badInput) throw new Unreadable("not a number");
    return el.value === "" ? undefined : numberValue(el.value);
  });
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A typed number, kept as typed where the browser can (`JSON.rawJSON`): as
 * JSON, `2.0` is a float that an Int input refuses and an Any input renders
 * as `2.0`, as nipype would; `Number("2.0")` would make it the integer 2.
 */
function numberValue(text) {
  return JSON.rawJSON && JSON_NUMBER.test(text) ? JSON.rawJSON(text) : Number(text);
}

/** Free text; with `parse`, text that is JSON (`3`, `[1, 2]`, `true`) is that value. */
function text(opts) {
  const el = h("input", { type: "text", id: opts.id, placeholder: opts.placeholder, autocomplete: "off", spellcheck: "false" });
  return simple(el, () => {
    if (el.value === "") return undefined;
    if (!opts.parse) return el.value;
    try {
      const v = JSON.parse(el.value);
      return typeof v === "number" ? numberValue(el.value.trim()) : v;
    } catch {
      return el.value;
    }
  });
}

/** A file or folder name; with `opts.files`, File names can be picked or dropped. */
function path(t, opts) {
  const what = t.kind === "File" ? "file name" : "folder name";
  const el = h("input", { type: "text", id: opts.id, class: "mono", placeholder: opts.placeholder ?? what, autocomplete: "off", spellcheck: "false" });
  const read = () => (el.value === "" ? undefined : el.value);
  if (opts.browse) return browsed(t, el, read, opts);
  if (!opts.files || t.kind !== "File") return simple(el, read);

  const take = (file) => {
    if (!file) return;
    opts.files.set(file.name, file);
    el.value = file.name;
    changed(el);
  };
  const picker = h("input", {
    type: "file",
    class: "visually-hidden",
    onchange: () => {
      take(picker.files[0]);
      picker.value = ""; // choosing the same name again (a changed file) is a change too
    },
  });
  const root = h(
    "div",
    {
      class: "file-control",
      ondragover: (e) => {
        e.preventDefault();
        root.classList.add("dropping");
      },
      ondragleave: () => root.classList.remove("dropping"),
      ondrop: (e) => {
        e.preventDefault();
        root.classList.remove("dropping");
        take(e.dataTransfer.files[0]);
      },
    },
    el,
    h("label", { class: "button small" }, "Choose file…", picker),
  );
  const control = simple(el, read, root);
  const setLabel = control.setLabel;
  control.setLabel = (label) => {
    setLabel(label);
    picker.setAttribute("aria-label", `Choose a file for ${label}`);
  };
  control.setLabel(opts.name ?? "the file");
  if (opts.id) el.removeAttribute("aria-label"); // its <label> names it
  return control;
}

/** A path typed, or chosen with the server's file browser (`opts.browse`). */
function browsed(t, el, read, opts) {
  const button = h("button", { type: "button", class: "small browse" }, "Browse…");
  button.addEventListener("click", async () => {
    const chosen = await opts.browse({ title: `Choose ${t.kind === "File" ? "a file" : "a folder's file"} for ${opts.name ?? "the input"}` });
    if (chosen === null) return;
    el.value = t.kind === "File" ? chosen : chosen.replace(/\/[^/]*$/, "") || ".";
    changed(el);
  });
  const control = simple(el, read, h("div", { class: "file-control" }, el, button));
  const setLabel = control.setLabel;
  control.setLabel = (label) => {
    setLabel(label);
    button.setAttribute("aria-label", `Browse for ${label}`);
  };
  control.setLabel(opts.name ?? "the file");
  if (opts.id) el.removeAttribute("aria-label");
  return control;
}

/** A group of controls named by a label elsewhere (`labelId`) or by `setLabel`. */
function group(cls, opts, ...children) {
  const el = h("div", { class: cls, role: "group", "aria-labelledby": opts.labelId }, ...children);
  return { el, setLabel: (label) => el.setAttribute("aria-label", label) };
}

/**
 * Adds a row of an editable list (`list.rows`, shown in `list.items`): its
 * `parts` and a × button that removes it; the row object gets `remove` and `li`.
 */
function mountRow(list, row, parts) {
  const remove = h("button", { type: "button", class: "icon" }, "×");
  Object.assign(row, { remove, li: h("li", {}, ...parts, remove) });
  remove.addEventListener("click", () => {
    list.rows.splice(list.rows.indexOf(row), 1);
    row.li.remove();
    list.relabel();
    changed(list.el);
  });
  list.rows.push(row);
  list.items.append(row.li);
  list.relabel();
  return row;
}

/** Items of one type: add and remove rows; empty rows are ignored. */
function list(t, opts) {
  const rows = [];
  const items = h("ol", { class: "items" });
  const add = h("button", { type: "button", class: "small" }, "+ Add item");
  const g = group("list-editor", opts, items, add);
  const name = opts.name ?? "item";

  const relabel = () => {
    rows.forEach((r, i) => {
      r.control.setLabel(`${name}, item ${i + 1}`);
      r.remove.setAttribute("aria-label", `Remove ${name} item ${i + 1}`);
    });
    add.disabled = t.maxlen !== undefined && rows.length >= t.maxlen;
  };
  const addRow = () => {
    const control = makeControl(t.arg, { files: opts.files, browse: opts.browse, name: `${name} item` });
    return mountRow({ rows, items, relabel, el: g.el }, { control }, [control.el]);
  };
  add.addEventListener("click", () => {
    addRow().control.focus?.();
    changed(g.el);
  });
  addRow();

  return {
    ...g,
    read() {
      const values = rows.map((r) => r.control.read()).filter((v) => v !== undefined);
      return values.length ? values : undefined;
    },
  };
}

/** A fixed row of controls, one per item type. */
function tuple(t, opts) {
  const name = opts.name ?? "value";
  const parts = t.arg.map((type, i) => {
    const c = makeControl(type, { files: opts.files, browse: opts.browse, name: `${name} part ${i + 1}` });
    c.setLabel(`${name}, part ${i + 1} of ${t.arg.length}`);
    return c;
  });
  const g = group("tuple-editor", opts, parts.map((p) => p.el));
  return {
    ...g,
    read() {
      const values = parts.map((p) => p.read());
      if (values.every((v) => v === undefined)) return undefined;
      return values.map((v) => (v === undefined ? null : v));
    },
  };
}

/** Name → value rows; rows without a name are ignored. */
function dict(t, opts) {
  const rows = [];
  const items = h("ol", { class: "items" });
  const add = h("button", { type: "button", class: "small" }, "+ Add entry");
  const g = group("list-editor dict-editor", opts, items, add);
  const name = opts.name ?? "entry";

  const relabel = () => {
    rows.forEach((r, i) => {
      r.key.setAttribute("aria-label", `${name}, entry ${i + 1}: name`);
      r.value.setLabel(`${name}, entry ${i + 1}: value`);
      r.remove.setAttribute("aria-label", `Remove ${name} entry ${i + 1}`);
    });
  };
  const addRow = () => {
    const key = h("input", { type: "text", class: "mono", placeholder: "name", autocomplete: "off", spellcheck: "false" });
    const value = makeControl(t.arg, { files: opts.files, browse: opts.browse, name: `${name} value`, placeholder: "value" });
    const eq = h("span", { class: "eq", "aria-hidden": "true" }, "=");
    return mountRow({ rows, items, relabel, el: g.el }, { key, value }, [key, eq, value.el]);
  };
  add.addEventListener("click", () => {
    addRow().key.focus();
    changed(g.el);
  });

  return {
    ...g,
    read() {
      const entries = rows.filter((r) => r.key.value !== "").map((r) => [r.key.value, r.value.read() ?? null]);
      return entries.length ? Object.fromEntries(entries) : undefined;
    },
  };
}
