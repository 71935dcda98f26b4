// wc in the page: counts a chosen file's lines, words, characters and bytes,
// and prints them as GNU wc does (in the order lines, words, chars, bytes,
// longest line; all but the last three when no option is given).
export const stamps = { file_stamp: "in_file" };

const ORDER = ["lines", "words", "chars", "bytes", "max_line_length"];

export async function run(inputs, { file }) {
  const f = file(inputs.in_file);
  if (!f) throw new Error(`choose the file ${inputs.in_file} first`);
  const text = await f.text();
  const counts = {
    lines: (text.match(/\n/g) ?? []).length,
    words: (text.match(/\S+/gu) ?? []).length,
    chars: [...text].length,
    bytes: f.size,
    max_line_length: Math.max(0, ...text.split("\n").map(width)),
  };
  let shown = ORDER.filter((k) => inputs[k]);
  if (shown.length === 0) shown = ["lines", "words", "bytes"];
  // One number alone is not padded; several are padded to the digits of the size.
  const pad = shown.length === 1 ? 1 : String(f.size).length;
  const stdout = `${shown.map((k) => String(counts[k]).padStart(pad)).join(" ")} ${inputs.in_file}\n`;
  return { ...counts, stdout };
}

/** A line's width with tabs at every 8th column, as wc -L measures it. */
function width(line) {
  let w = 0;
  for (const ch of line.replace(/\r$/, "")) w = ch === "\t" ? w + 8 - (w % 8) : w + 1;
  return w;
}
