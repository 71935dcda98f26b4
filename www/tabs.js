// The two views as tabs (WAI-ARIA tabs: arrow keys move between them), kept
// in the URL's hash so a reload comes back to the same view.
export function tabs(onShow) {
  const list = [...document.querySelectorAll('[role="tab"]')];
  const names = list.map((t) => t.getAttribute("aria-controls"));

  function show(name, focus = false) {
    if (!names.includes(name)) name = names[0];
    for (const t of list) {
      const on = t.getAttribute("aria-controls") === name;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
      if (on && focus) t.focus();
    }
    if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
    onShow(name);
  }

  list.forEach((t, i) => {
    t.addEventListener("click", () => show(names[i]));
    t.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (step) show(names[(i + step + names.length) % names.length], true);
    });
  });
  addEventListener("hashchange", () => show(location.hash.slice(1)));
  show(location.hash.slice(1));
}
