// The cache's growth: the bytes it holds now, by when each entry was stored
// (a step line in SVG). Entries already evicted are not in it: a cache keeps
// no history of what it no longer holds.
import { h, s } from "./dom.js";
import { formatBytes } from "./format.js";

const WIDTH = 360;
const HEIGHT = 110;
const PAD = { left: 8, right: 8, top: 10, bottom: 22 };

/** `points`: `[[ms since the epoch, bytes held]…]`, in time order. */
export function growthChart(points) {
  if (points.length === 0) return h("p", { class: "quiet" }, "Nothing stored yet.");
  const t0 = points[0][0];
  const t1 = Math.max(points[points.length - 1][0], t0 + 1);
  const max = Math.max(points[points.length - 1][1], 1);
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * (WIDTH - PAD.left - PAD.right);
  const y = (b) => HEIGHT - PAD.bottom - (b / max) * (HEIGHT - PAD.top - PAD.bottom);
  let d = `M ${x(t0)} ${y(0)}`;
  for (const [t, b] of points) d += ` H ${x(t).toFixed(1)} V ${y(b).toFixed(1)}`;
  const day = (t) => new Date(t).toLocaleDateString(undefined, { month: "short", day: "numeric" });
  return s(
    "svg",
    { class: "chart growth", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, role: "img", "aria-label": `Bytes held: ${formatBytes(max)} now` },
    s("title", {}, `${formatBytes(max)} held, stored between ${new Date(t0).toLocaleString()} and ${new Date(t1).toLocaleString()}`),
    s("path", { d, class: "growth-line" }),
    s("text", { x: PAD.left, y: HEIGHT - 6, class: "chart-value" }, day(t0)),
    s("text", { x: WIDTH - PAD.right, y: HEIGHT - 6, class: "chart-value", "text-anchor": "end" }, day(t1)),
    s("text", { x: WIDTH - PAD.right, y: PAD.top + 2, class: "chart-value", "text-anchor": "end", "dominant-baseline": "hanging" }, formatBytes(max)),
  );
}
