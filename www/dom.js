// Building the page without HTML strings: text always goes in as text nodes,
// so nothing read from a spec, a file or the cache can ever become markup.

/** Properties set as properties (they have no faithful attribute form). */
const PROPS = new Set(["value", "checked", "disabled", "readOnly", "hidden", "selected", "open"]);

/**
 * `h("button", {class: "primary", onclick}, "Run")`: an element with
 * attributes, event listeners (`on…`), `dataset` and children (nodes or
 * strings; null, undefined and false are skipped, arrays are flattened).
 */
export function h(tag, props, ...children) {
  return fill(document.createElement(tag), props, children);
}

const SVG = "http://www.w3.org/2000/svg";

/** The same for SVG elements. */
export function s(tag, props, ...children) {
  return fill(document.createElementNS(SVG, tag), props, children);
}

function fill(el, props, children) {
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.setAttribute("class", v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Tells listeners on `el`'s ancestors that a value changed (for custom editors). */
export function changed(el) {
  el.dispatchEvent(new Event("input", { bubbles: true }));
}
