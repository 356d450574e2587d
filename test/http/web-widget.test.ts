import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeHttpServer } from "../../src/testing/close-http-server.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { chromiumPath, openPage as openBrowserPage } from "../helpers/chromium.js";
import { startTestServer, type TestServer } from "../helpers/start-test-server.js";

/**
 * The embeddable chat (`GET /widget.js`) on another site's page, in headless Chromium (see
 * helpers/chromium.ts). The "site" is a second HTTP server on another port: another origin, as a
 * company's website would be.
 */
/** A site serving one page that embeds the widget from `widgetUrl`. */
async function startSite(): Promise<{ server: Server; origin: string; setWidget: (url: string) => void }> {
  let widgetUrl = "";
  const server = createServer((request, response) => {
    if (request.url !== "/") {
      response.writeHead(204).end(); // the browser's favicon request
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><html><head><title>Acme</title>
<style>button { background: red; } li { color: green; }</style></head>
<body><h1>Acme Corp</h1>
<script src="${widgetUrl}" data-title="Ask Acme" defer></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    setWidget: (url) => {
      widgetUrl = url;
    },
  };
}

describe.skipIf(!chromiumPath)("GET /widget.js on another site (Chromium)", () => {
  let switchboard: TestServer;
  let allowed: Awaited<ReturnType<typeof startSite>>;
  let other: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;

  beforeAll(async () => {
    allowed = await startSite();
    other = await startSite();
    const model = createScriptedModel((options) => {
      const last = JSON.stringify(options.prompt.at(-1));
      if (last.includes("markup")) return { text: "<img src=x onerror=alert(1)> is just text" };
      return { text: last.includes("hours") ? ["We are open ", "9 to 5."] : "Noted." };
    });
    switchboard = await startTestServer({ WEB_CHAT_ORIGINS: allowed.origin }, { model });
    allowed.setWidget(`${switchboard.baseUrl}/widget.js`);
    other.setWidget(`${switchboard.baseUrl}/widget.js`);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    await switchboard?.close();
    if (allowed) await closeHttpServer(allowed.server);
    if (other) await closeHttpServer(other.server);
  });

  const openSite = (origin: string) => openBrowserPage(browser, origin);

  it("serves the script to any site, with the headers a cross-origin script needs", async () => {
    const response = await fetch(`${switchboard.baseUrl}/widget.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(await response.text()).toContain("/web/chat");
  });

  it("chats from an allowed site, streams the reply, shows markup as text and keeps the conversation across a reload", async () => {
    const { page, errors } = await openSite(allowed.origin);
    await page.locator(".switchboard-widget .launcher", { hasText: "Ask Acme" }).click();
    await page.locator(".switchboard-widget .panel").waitFor();
    await page.fill(".switchboard-widget input", "What are your hours?");
    await page.press(".switchboard-widget input", "Enter");
    await page.locator(".switchboard-widget li.assistant", { hasText: "We are open 9 to 5." }).waitFor();
    await expect(page.locator(".switchboard-widget li.user").allTextContents()).resolves.toEqual([
      "What are your hours?",
    ]);

    await page.fill(".switchboard-widget input", "Show me markup");
    await page.press(".switchboard-widget input", "Enter");
    await page.locator(".switchboard-widget li.assistant", { hasText: "is just text" }).waitFor();
    await expect(page.locator(".switchboard-widget li img").count()).resolves.toBe(0);
    // The site's own styles do not reach into the widget's shadow root.
    // (Evaluated in the page: strings, as this project's TypeScript has no DOM types.)
    const launcherColor = await page.evaluate(
      `getComputedStyle(document.querySelector(".switchboard-widget").shadowRoot.querySelector("form button")).backgroundColor`,
    );
    expect(launcherColor).not.toBe("rgb(255, 0, 0)");

    // The visitor id is kept in the site's storage: after a reload the history comes back.
    await page.reload();
    await page.locator(".switchboard-widget .launcher").click();
    await page.locator(".switchboard-widget li.assistant", { hasText: "We are open 9 to 5." }).waitFor();
    const visitor = await page.evaluate(
      `Object.keys(localStorage).find((key) => key.startsWith("switchboard-visitor:"))`,
    );
    expect(visitor).toBeDefined();
    // Escape closes the panel and gives the focus back to the button.
    await page.press(".switchboard-widget input", "Escape");
    await page.locator(".switchboard-widget .panel").waitFor({ state: "hidden" });
    await expect(page.locator(".switchboard-widget .launcher").isVisible()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("cannot open a chat from a site that is not in WEB_CHAT_ORIGINS, and says so", async () => {
    const webConversations = async () =>
      (await switchboard.app.store.listConversations()).filter(
        (conversation) => conversation.channel === "web",
      ).length;
    const before = await webConversations();
    const { page } = await openSite(other.origin);
    const warnings: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(message.text());
    });
    await page.locator(".switchboard-widget .launcher").click();
    await page
      .locator(".switchboard-widget .status.error", { hasText: "Cannot reach the assistant" })
      .waitFor();
    // The site's developer learns what to change from the console.
    await expect.poll(() => warnings.join("\n")).toContain(`add ${other.origin} to WEB_CHAT_ORIGINS`);
    await page.fill(".switchboard-widget input", "Hello?");
    await page.press(".switchboard-widget input", "Enter");
    await page.locator(".switchboard-widget .status.error", { hasText: "not sent" }).waitFor();
    await expect(page.locator(".switchboard-widget li").count()).resolves.toBe(0);
    expect(await webConversations()).toBe(before);
    await page.context().close();
  });
});
