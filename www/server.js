// The page's server, when `toolmemo serve` serves it: the server marks
// index.html with <meta name="toolmemo-server">, so a page served by
// `npm start` (browser only) never asks for an API it does not have.
// `api()` calls the server's JSON API; its errors are values with a kind and a
// message, as toolmemo's own. The token travels in a same-site cookie the
// server set when the page was first opened with ?token=….

/** The API's base URL, or null in browser-only mode. */
export function serverBase() {
  const mark = document.querySelector('meta[name="toolmemo-server"]');
  return mark ? new URL(mark.content || "api/", document.baseURI) : null;
}

/** The URL of an API route for a link (a download): the cookie authorizes it. */
export function apiUrl(path) {
  const base = serverBase();
  return base ? new URL(path, base).href : null;
}

/** An error the API answered (`kind`: auth, forbidden, path, spec, run, …). */
export class ApiError extends Error {
  constructor(kind, message, status) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

/** `api("entries?limit=10")`, `api("remove", {body: {name, key}})` (a body makes it a POST). */
export async function api(path, { body } = {}) {
  const base = serverBase();
  if (!base) throw new ApiError("mode", "this page is not served by `toolmemo serve`", 0);
  const init = body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  let res;
  try {
    res = await fetch(new URL(path, base), { ...init, credentials: "same-origin", cache: "no-store" });
  } catch (err) {
    throw new ApiError("network", `the server does not answer (is toolmemo serve still running?): ${err.message ?? err}`, 0);
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // A reply that is not JSON: said below.
  }
  if (!res.ok || data === null) {
    const e = data?.error;
    throw new ApiError(e?.kind ?? "server", e?.message ?? `HTTP ${res.status}`, res.status);
  }
  return data;
}
