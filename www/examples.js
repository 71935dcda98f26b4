// The specs the page offers, in menu order. Paths are relative to index.html.
//
// - `spec`: the spec's JSON file.
// - `run` (optional): an ES module with `run(inputs, {file, cmdline})` that
//   computes the outputs in the page; such specs get "Run in browser",
//   memoized by toolmemo's Memory on IndexedDB. It may export `stamps`
//   (`{stampInput: fileInput}`): inputs the page fills with the chosen file's
//   size and modification time, so that another file of the same name misses.
// - `parents` (optional): `{Name: path}` of the specs this one `extends`.
//
// Adding a spec (e.g. one of examples/specs/) is adding a line here.
export const EXAMPLES = [
  { id: "bet", title: "BET — FSL brain extraction", spec: "examples/BET.json" },
  { id: "wc", title: "wc — count lines, words and bytes of a file", spec: "www/demos/wc.json", run: "www/demos/wc.js" },
  { id: "shasum", title: "shasum — checksum of a file", spec: "www/demos/shasum.json", run: "www/demos/shasum.js" },
  { id: "seq", title: "seq — a sequence of numbers", spec: "www/demos/seq.json", run: "www/demos/seq.js" },
  { id: "sha256sum", title: "sha256sum — checksums of files", spec: "examples/specs/sha256sum.json" },
  { id: "sort", title: "sort — the lines of files, sorted", spec: "examples/specs/sort.json" },
  { id: "tar", title: "tar — a .tar.gz archive of files", spec: "examples/specs/tar.json" },
  { id: "wordcount", title: "wc — counts for several files", spec: "examples/specs/wc.json" },
];

/**
 * Real tools: the specs the nipype importer made when the page was built
 * (`scripts/nipype-specs.sh`, from www/nipype-tools.txt), or none when it was
 * not run (no nipype where the page was built).
 */
export async function nipypeExamples() {
  try {
    const r = await fetch("pkg/nipype/index.json");
    if (!r.ok) return [];
    const list = await r.json();
    return Array.isArray(list) ? list.filter((e) => typeof e?.id === "string" && typeof e?.spec === "string") : [];
  } catch {
    return [];
  }
}
