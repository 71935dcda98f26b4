// `node bench/idb.mjs`: the IndexedDB store in headless Chromium (Debian's,
// through playwright-core) against raw IndexedDB transactions doing the least
// an insert and a hit need (bench/idb.html). Prints one JSON line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT } from "../tests/helpers.mjs";
import { serve } from "../tests/serve.mjs";

const profile = mkdtempSync(join(tmpdir(), "toolmemo-idb-bench-"));
const server = await serve(ROOT);
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  headless: true,
});
try {
  const page = await context.newPage();
  await page.goto(`${server.url}/bench/idb.html`);
  await page.waitForFunction(() => window.__bench, null, { timeout: 300_000 });
  const result = await page.evaluate(() => window.__bench);
  if (result.error) throw new Error(result.error);
  console.log(JSON.stringify(result));
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
