import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";

/**
 * Debian's `chromium` for the page tests, driven by playwright-core (never `playwright install`).
 * `.ci/run` installs it and sets SWITCHBOARD_REQUIRE_BROWSER=1, so in CI a missing browser fails;
 * elsewhere the page tests are skipped (`describe.skipIf(!chromiumPath)`).
 */
export const chromiumPath =
  process.env.CHROMIUM_PATH ??
  ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((candidate) => existsSync(candidate));
if (!chromiumPath && process.env.SWITCHBOARD_REQUIRE_BROWSER === "1")
  throw new Error("Chromium is required (apt-get install chromium) but not found");

/** A page in a fresh context at `url`, with the page's errors and console errors collected. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.goto(url);
  return { page, errors };
}
