// shasum in the page: the chosen file's digest with the browser's own
// crypto.subtle, printed as shasum prints it.
export const stamps = { file_stamp: "in_file" };

const ALGORITHMS = { 1: "SHA-1", 256: "SHA-256", 384: "SHA-384", 512: "SHA-512" };

export async function run(inputs, { file }) {
  const f = file(inputs.in_file);
  if (!f) throw new Error(`choose the file ${inputs.in_file} first`);
  if (!globalThis.crypto?.subtle) throw new Error("this page needs a secure context (https or localhost) for crypto.subtle");
  const algorithm = inputs.algorithm ?? 256;
  const digest = await crypto.subtle.digest(ALGORITHMS[algorithm], await f.arrayBuffer());
  const checksum = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  const stdout = inputs.tag
    ? `SHA${algorithm} (${inputs.in_file}) = ${checksum}\n`
    : `${checksum} ${inputs.binary ? "*" : " "}${inputs.in_file}\n`;
  return { checksum, stdout };
}
