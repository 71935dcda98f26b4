// seq in the page: the numbers from `first` to `last` by `increment`.
export async function run(inputs) {
  const first = inputs.first ?? 1;
  const step = inputs.increment ?? 1;
  const last = inputs.last;
  if (step === 0) throw new Error("seq: invalid Zero increment value: '0'");
  const numbers = [];
  for (let n = first; step > 0 ? n <= last : n >= last; n += step) numbers.push(n);
  const width = Math.max(String(first).length, String(last).length);
  const text = inputs.equal_width ? numbers.map((n) => pad(n, width)) : numbers.map(String);
  const stdout = numbers.length ? `${text.join(inputs.separator ?? "\n")}\n` : "";
  return { stdout, count: numbers.length };
}

/** Zero-padded to `width` characters, the sign first (-05). */
function pad(n, width) {
  const digits = String(Math.abs(n));
  return n < 0 ? `-${digits.padStart(width - 1, "0")}` : digits.padStart(width, "0");
}
