// The composer: a spec becomes an Interface, the Interface a form, and every
// change of the form re-validates and re-renders the command line (toolmemo
// does both; the page only shows the answers).
import { h, replace } from "./dom.js";
import { buildForm } from "./form.js";
import { specSource } from "./spec-source.js";
import { runPanel } from "./run-panel.js";

/**
 * `Interface` comes from the wasm package, `mem` is the page's Memory;
 * `server` (with `toolmemo serve`): `{browse}`, and runs go to the server.
 */
export function composer(root, { Interface, mem, onRun, server = null }) {
  const $ = (sel) => root.querySelector(sel);
  const specError = $("#spec-error");
  const head = $("#spec-head");
  const formHost = $("#form-host");
  const cmdline = $("#cmdline");
  const problems = $("#problems");
  const inputsJson = $("#inputs-json");
  const copyStatus = $("#copy-status");
  const helpDialog = document.querySelector("#help-dialog");
  const run = runPanel($("#run-panel"), mem, onRun, server);

  /** The spec on show: its Interface, form, demo module and chosen files. */
  let current = null;

  async function load({ label, text, parents, example }) {
    let iface;
    try {
      iface = Interface.fromSpec(text, { parents });
    } catch (err) {
      fail(label, err);
      return false;
    }
    // With a server, every spec runs there (its real tool); else the demos run here.
    const demo = !server && example?.run ? await import(new URL(example.run, document.baseURI)) : null;
    const files = new Map();
    const spec = iface.spec;
    const form = buildForm(spec, { files: demo ? files : null, browse: server?.browse ?? null, derived: Object.keys(demo?.stamps ?? {}) });
    current?.iface.free();
    current = { iface, spec, form, demo, files };

    specError.hidden = true;
    replace(head, specHead(spec, demo));
    replace(formHost, form.el);
    form.el.addEventListener("input", refresh);
    form.el.addEventListener("change", refresh);
    run.setup(iface, demo, files, { text, parents });
    refresh();
    return true;
  }

  /** A spec that could not be used: its error, with the JSON path it names. */
  function fail(label, err) {
    const message = String(err?.message ?? err);
    const at = /^([\w$.[\]-]+): ([\s\S]*)$/.exec(message);
    replace(
      specError,
      h("strong", {}, `This spec cannot be used (${label})`),
      h("p", {}, err?.kind ? h("span", { class: "badge error" }, err.kind) : null, " ", at ? [h("code", { class: "path" }, at[1]), `: ${at[2]}`] : message),
    );
    specError.hidden = false;
  }

  function refresh() {
    const { iface, form, demo, files } = current;
    const { values, problems: unreadable } = form.read();
    for (const [stamp, source] of Object.entries(demo?.stamps ?? {})) {
      const file = files.get(values[source]);
      const text = file ? `${file.size} bytes, modified ${new Date(file.lastModified).toISOString()}` : undefined;
      form.setDerived(stamp, text);
      if (text) values[stamp] = text;
    }
    form.update(values);
    // A page that runs the tool knows its files; one that only composes does not.
    const options = demo ? { files: [...files.keys()] } : undefined;
    // As JSON text: numbers keep their spelling (see numberValue in controls.js).
    const json = JSON.stringify(values);
    const errors = [...unreadable, ...iface.validate(json, options)];
    let line = null;
    if (errors.length === 0) {
      try {
        line = iface.cmdline(json, options);
      } catch (err) {
        errors.push({ kind: err.kind, input: err.input, message: err.message });
      }
    }
    form.showErrors(errors);
    showCommand(line, errors);
    inputsJson.textContent = JSON.stringify(values, null, 2);
    run.setInputs(line === null ? null : json);
  }

  function showCommand(line, errors) {
    cmdline.dataset.state = line === null ? "invalid" : "ok";
    cmdline.textContent = line ?? "No command line yet: see the problems below.";
    copyStatus.textContent = "";
    $("#copy").disabled = line === null;
    // Some errors concern several inputs (one of an xor group is mandatory): list them once.
    const unique = errors.filter((e, i) => errors.findIndex((o) => o.message === e.message) === i);
    replace(
      problems,
      unique.map((e) =>
        h(
          "li",
          {},
          h("span", { class: "badge error" }, e.kind),
          " ",
          e.input && current.spec.inputs.some((i) => i.name === e.input)
            ? h("button", { type: "button", class: "link", onclick: () => current.form.focus(e.input) }, e.message)
            : e.message,
        ),
      ),
    );
  }

  $("#copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(cmdline.textContent);
      copyStatus.textContent = "Copied to the clipboard.";
    } catch {
      getSelection().selectAllChildren(cmdline);
      copyStatus.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  });
  $("#help-open").addEventListener("click", () => {
    helpDialog.querySelector("#help-title").textContent = `Help: ${current.spec.name}`;
    helpDialog.querySelector("#help-text").textContent = current.iface.help();
    helpDialog.showModal();
  });

  const source = specSource(root, { load, fail, server });
  return { choose: source.choose };
}

/** Name, command, version and outputs of the spec on show. */
function specHead(spec, demo) {
  return [
    h("div", { class: "spec-title" }, h("h2", {}, spec.name), demo ? h("span", { class: "badge run" }, "runs in this page") : null),
    h(
      "p",
      { class: "spec-command" },
      "Runs ",
      h("code", {}, spec.command),
      spec.version ? ` version ${spec.version}` : null,
      spec.output_extension ? [" · generated names end in ", h("code", {}, spec.output_extension)] : null,
    ),
    spec.outputs.length
      ? h(
          "p",
          { class: "spec-outputs" },
          "Outputs: ",
          spec.outputs.map((o, i) => [i ? ", " : "", h("code", { title: o.desc ?? "" }, o.name)]),
        )
      : null,
  ];
}
