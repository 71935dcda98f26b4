// A small horizontal bar chart of the cache's bytes by name, in SVG. Names
// come from the cache, so they go in as text nodes like everything else.
import { h, s } from "./dom.js";
import { formatBytes } from "./format.js";

/** Bars shown; the rest are summed as "other names". */
const BARS = 6;
const ROW = 26;
const WIDTH = 360;
const LABEL = 120;
const VALUE = 70;

/** `totals`: `[[name, bytes]…]`, largest first. Returns an element to put in the page. */
export function bytesByName(totals) {
  let rows = [...totals];
  if (rows.length > BARS) {
    const rest = rows.slice(BARS - 1);
    rows = [...rows.slice(0, BARS - 1), [`${rest.length} other names`, rest.reduce((n, [, b]) => n + b, 0)]];
  }
  if (rows.length === 0) return h("p", { class: "quiet" }, "Nothing stored yet.");

  const max = Math.max(...rows.map(([, b]) => b), 1);
  const span = WIDTH - LABEL - VALUE;
  const height = rows.length * ROW;
  return s(
    "svg",
    { class: "chart", viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: "img", "aria-label": "Bytes stored by name" },
    rows.map(([name, bytes], i) => {
      const y = i * ROW;
      const w = Math.max(2, (bytes / max) * span);
      return s(
        "g",
        {},
        s("title", {}, `${name}: ${formatBytes(bytes)}`),
        s("text", { x: LABEL - 8, y: y + ROW / 2, class: "chart-label", "text-anchor": "end", "dominant-baseline": "middle" }, clip(name)),
        s("rect", { x: LABEL, y: y + 5, width: w, height: ROW - 10, rx: 3, class: "chart-bar" }),
        s("text", { x: LABEL + w + 6, y: y + ROW / 2, class: "chart-value", "dominant-baseline": "middle" }, formatBytes(bytes)),
      );
    }),
  );
}

function clip(name) {
  return name.length > 16 ? `${name.slice(0, 15)}…` : name;
}
