// The form generated from a normalized spec (`iface.spec`): one field per
// input, mandatory inputs first and the implicit `args`/`environ` last, each
// labelled with its name and description, its type, argument and default
// shown, `requires` hinted, and xor partners of a set input disabled. Errors
// from `iface.validate` are shown next to their input.
import { h } from "./dom.js";
import { makeControl, Unreadable } from "./controls.js";
import { typeOf, describeType, showValue } from "./types.js";

/** The inputs every interface has (spec-format.md), shown apart at the end. */
const COMMON = new Set(["args", "environ"]);

/**
 * Options: `files` (a Map name → File, for specs that run in the page: File
 * inputs get a picker), `browse` (choosing a path on `toolmemo serve`'s
 * machine), `derived` (names of inputs the page sets itself, shown read-only).
 */
export function buildForm(spec, { files = null, browse = null, derived = [] } = {}) {
  const fields = spec.inputs.map((input) => makeField(input, { files, browse, derived: derived.includes(input.name) }));
  const byName = new Map(fields.map((f) => [f.name, f]));
  const touched = new Set();

  const own = fields.filter((f) => !COMMON.has(f.name));
  const required = own.filter((f) => f.input.mandatory);
  const optional = own.filter((f) => !f.input.mandatory);
  const common = fields.filter((f) => COMMON.has(f.name));

  const el = h(
    "form",
    { class: "spec-form", novalidate: true, onsubmit: (e) => e.preventDefault() },
    required.length > 0 && section("Required", required),
    optional.length > 0 && section("Optional", optional),
    common.length > 0 &&
      h(
        "details",
        { class: "common" },
        h("summary", {}, "Every command also takes ", common.map((f, i) => [i ? " and " : "", h("code", {}, f.name)])),
        common.map((f) => f.el),
      ),
  );
  el.addEventListener("input", (e) => {
    const name = e.target.closest?.("[data-input]")?.dataset.input;
    if (name) touched.add(name);
  });

  return {
    el,

    /** `{values, problems}`: the inputs that are set, and values that could not be read. */
    read() {
      const values = {};
      const problems = [];
      for (const f of fields) {
        try {
          const v = f.control.read();
          if (v !== undefined) values[f.name] = v;
        } catch (e) {
          if (!(e instanceof Unreadable)) throw e;
          problems.push({ kind: "value", input: f.name, message: `${f.name}: ${e.message}` });
        }
      }
      return { values, problems };
    },

    /** Shows the value the page chose for a derived input. */
    setDerived(name, text) {
      byName.get(name)?.control.set(text ?? "");
    },

    /** Disables the inputs whose xor partner is set, saying which. */
    update(values) {
      for (const f of fields) {
        const set = f.input.xor.filter((n) => n !== f.name && values[n] !== undefined);
        const off = set.length > 0 && values[f.name] === undefined;
        f.disable(off ? `Unavailable while ${set.join(", ")} ${set.length > 1 ? "are" : "is"} set (mutually exclusive).` : null);
      }
    },

    /**
     * Shows each error next to its input (a missing mandatory value only once
     * the input was touched); returns the errors that name no field.
     */
    showErrors(errors) {
      for (const f of fields) {
        const mine = errors.filter((e) => e.input === f.name);
        const quiet = !touched.has(f.name) && mine.every((e) => e.kind === "mandatory");
        f.showErrors(quiet ? [] : mine, mine.length > 0 && quiet);
      }
      return errors.filter((e) => !byName.has(e.input));
    },

    focus(name) {
      byName.get(name)?.focus();
    },
  };
}

function section(title, fields) {
  const id = `fields-${title.toLowerCase()}`;
  return h("section", { class: "field-group", "aria-labelledby": id }, h("h3", { id }, title), fields.map((f) => f.el));
}

/** One input: label, control, what it is, hints, and its errors. */
function makeField(input, { files, browse, derived }) {
  const name = input.name;
  const id = `in-${name}`;
  const t = typeOf(input.type);
  // A checkbox can only say "set" or "not set": a Bool that must be able to say
  // false (its argument formats the value, or it defaults to true) gets a select.
  const flag = t.kind === "Bool" && !String(input.argstr ?? "").includes("%") && !(input.usedefault && input.default === true);
  const hasDefault = input.default !== undefined && !isEmpty(input.default);
  const control = derived
    ? derivedControl(id)
    : makeControl(input.type, {
        id,
        labelId: `${id}-label`,
        flag,
        files,
        browse,
        name,
        placeholder: hasDefault ? showValue(input.default) : undefined,
        usedefault: input.usedefault,
        defaultValue: input.default,
      });
  const single = derived || !["List", "MultiPath", "Tuple", "Dict"].includes(t.kind);

  const label = h(
    "label",
    { id: `${id}-label`, for: single ? id : undefined, class: "field-label" },
    h("code", { class: "name" }, name),
    input.desc ? h("span", { class: "desc" }, input.desc) : null,
  );
  const badge = input.mandatory ? h("span", { class: "badge required" }, "required") : null;
  const meta = h("p", { class: "field-meta", id: `${id}-meta` }, metaText(input, t, hasDefault));
  const hints = h("ul", { class: "field-hints" }, hintItems(input, derived));
  const note = h("p", { class: "field-note", hidden: true });
  const error = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });

  // A fieldset, so that disabling it disables whatever its control is made of.
  const el = h(
    "fieldset",
    { class: `field${flag ? " flag" : ""}${derived ? " derived" : ""}`, "aria-labelledby": `${id}-label`, dataset: { input: name } },
    flag ? h("div", { class: "flag-row" }, control.el, label, badge) : h("div", { class: "field-head" }, label, badge),
    flag ? null : h("div", { class: "field-control" }, control.el),
    meta,
    hints.children.length ? hints : null,
    note,
    error,
  );
  const described = el.querySelector(`[id="${id}"]`) ?? control.el;
  described.setAttribute("aria-describedby", `${id}-meta ${id}-error`);

  return {
    name,
    input,
    el,
    control,
    focus: () => (el.querySelector("input:not([type=file]), select, textarea, button") ?? el).focus(),
    disable(why) {
      el.disabled = why !== null;
      note.hidden = why === null;
      note.textContent = why ?? "";
    },
    showErrors(errors, missing) {
      error.textContent = errors.map((e) => e.message).join("\n");
      el.classList.toggle("invalid", errors.length > 0);
      el.classList.toggle("missing", missing);
      if (errors.length) described.setAttribute("aria-invalid", "true");
      else described.removeAttribute("aria-invalid");
    },
  };
}

/** "number · argument -f %.2f · default 0.5, passed when not set" */
function metaText(input, t, hasDefault) {
  const parts = [describeType(input.type)];
  if (input.argstr !== undefined) parts.push(["argument ", h("code", {}, input.argstr)]);
  else parts.push("not on the command line");
  if (input.position !== undefined) parts.push(`position ${input.position}`);
  if (input.sep !== undefined && ["List", "MultiPath"].includes(t.kind)) parts.push(["separator ", h("code", {}, JSON.stringify(input.sep))]);
  const passed = input.usedefault ? ", passed when not set" : "";
  if (hasDefault) parts.push(["default ", h("code", {}, showValue(input.default)), passed]);
  else if (input.usedefault && t.kind === "Enum") parts.push(["default ", h("code", {}, showValue(t.arg[0])), passed]);
  return parts.map((p, i) => [i ? " · " : "", p]);
}

function hintItems(input, derived) {
  const items = [];
  const partners = input.xor.filter((n) => n !== input.name);
  if (derived) items.push("Set by the page from the chosen file.");
  if (input.requires.length) items.push(["Needs ", codes(input.requires), " to be set too."]);
  if (partners.length) items.push(["Exclusive with ", codes(partners), "."]);
  if (input.name_source !== undefined) {
    const source = [input.name_source].flat();
    const template = input.name_template ?? "%s_generated";
    items.push([
      input.genfile ? "Generated when not set: " : "Named after ",
      h("code", {}, template),
      " from ",
      codes(source),
      input.keep_extension ? ", keeping its extension." : ".",
    ]);
  }
  if (input.deprecated !== undefined) {
    items.push([`Deprecated from version ${input.deprecated}`, input.new_name ? ["; use ", h("code", {}, input.new_name)] : null, "."]);
  }
  if (input.min_ver !== undefined || input.max_ver !== undefined) {
    const range = [input.min_ver && `from ${input.min_ver}`, input.max_ver && `up to ${input.max_ver}`].filter(Boolean);
    items.push(`For tool versions ${range.join(" ")}.`);
  }
  return items.map((content) => h("li", {}, content));
}

function codes(names) {
  return names.map((n, i) => [i ? ", " : "", h("code", {}, n)]);
}

function isEmpty(v) {
  return v === null || (typeof v === "object" && Object.keys(v).length === 0);
}

/** A read-only text field whose value the page sets. */
function derivedControl(id) {
  const el = h("input", { type: "text", id, class: "mono", readOnly: true, placeholder: "chosen with the file" });
  return {
    el,
    read: () => (el.value === "" ? undefined : el.value),
    set: (text) => {
      el.value = text;
    },
    setLabel: (label) => el.setAttribute("aria-label", label),
  };
}
