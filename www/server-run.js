// A run on the server (`toolmemo serve`): the spec and inputs are posted,
// then the run is polled every POLL_MS with the offsets of the output already
// shown, so standard output and error appear as the tool writes them (see
// the server's jobs.rs for why polling). Resolves to what `toolmemo run
// --json` prints: {cached, key, cmdline, outputs, exit, durationMs, stdout, stderr, dir}.
import { api, ApiError } from "./server.js";

const POLL_MS = 250;

/**
 * `spec`: `{text, parents}` as the composer loaded it; `inputs`: JSON text.
 * `onOutput(stdout, stderr)` gets each new piece; `onState(poll)` each answer.
 */
export async function runOnServer(spec, inputs, { onOutput, onState, force = false }) {
  const { id } = await api("run", { body: { spec: spec.text, parents: spec.parents ?? {}, inputs: JSON.parse(inputs), force } });
  let out = 0;
  let err = 0;
  for (;;) {
    const r = await api(`run/${id}?out=${out}&err=${err}`);
    if (r.stdout || r.stderr) onOutput(r.stdout, r.stderr);
    out = r.out;
    err = r.err;
    if (r.state === "done") return r.result;
    if (r.state === "failed") throw new ApiError(r.error.kind, r.error.message, 0);
    onState(r);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
