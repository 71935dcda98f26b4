// What the page tests share (page.test.mjs, serve-page.test.mjs): headless
// Chromium (Debian's, through playwright-core) on a fresh profile, the page's
// errors collected, and screenshots (with TOOLMEMO_DOCS_SCREENSHOTS=1 also
// written to docs/screenshots/ for the README).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT } from "./helpers.mjs";

export const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
export const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = join(ROOT, "tests", "screenshots");
const DOCS = process.env.TOOLMEMO_DOCS_SCREENSHOTS ? join(ROOT, "docs", "screenshots") : null;

/**
 * A browser on a profile of its own and one page in it; the page's uncaught
 * errors and console errors go to `problems`. `close()` ends both.
 */
export async function openBrowser(problems) {
  mkdirSync(SHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "toolmemo-page-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    args: ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (e) => problems.push(`page error: ${e.stack}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, close };
}

/** A full-page screenshot named `name`, taken at the top with nothing focused. */
export async function shoot(page, name) {
  const path = join(SHOTS, `${name}.png`);
  await page.evaluate(() => {
    document.activeElement?.blur();
    scrollTo(0, 0);
  });
  await page.screenshot({ path, fullPage: true });
  if (DOCS) {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(path, join(DOCS, `${name}.png`));
  }
}
