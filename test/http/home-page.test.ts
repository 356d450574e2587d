import { readFileSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { chromiumPath, openPage as openBrowserPage } from "../helpers/chromium.js";
import { startTestServer, type TestServer } from "../helpers/start-test-server.js";

/** The home page (playground and dashboard) in headless Chromium (see helpers/chromium.ts). */
describe.skipIf(!chromiumPath)("GET / in a browser (Chromium)", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    const model = createScriptedModel((options) => {
      const last = JSON.stringify(options.prompt.at(-1));
      return { text: last.includes("party") ? ["The re:Play party ", "is on Thursday."] : "Noted." };
    });
    server = await startTestServer({ PUBLIC_URL: "https://switchboard.example.test" }, { model });
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const openPage = () => openBrowserPage(browser, server.baseUrl);

  it("chats with the agent, keeps the conversation across a reload, and shows text as text", async () => {
    const { page, errors } = await openPage();
    await page.getByText(/^Connected\. Conversation /).waitFor();
    await expect(page.locator("#model-label").textContent()).resolves.toBe("Model: scripted:scripted-model");

    await page.fill("#chat-input", "When is the party?");
    await page.press("#chat-input", "Enter");
    await page.locator("#chat-log li.assistant", { hasText: "The re:Play party is on Thursday." }).waitFor();
    await expect(page.locator("#chat-log li.user").allTextContents()).resolves.toEqual([
      "When is the party?",
    ]);

    const markup = '<img src="x" onerror="window.injected=1">';
    await page.fill("#chat-input", markup);
    await page.click("#chat-send");
    await page.locator("#chat-log li.assistant", { hasText: "Noted." }).waitFor();
    // Sent with the button, the next message is typed without reaching for the field.
    await expect(page.evaluate("document.activeElement.id")).resolves.toBe("chat-input");
    await expect(page.locator("#chat-log li.user").nth(1).textContent()).resolves.toBe(markup);
    await expect(page.locator("#chat-log img").count()).resolves.toBe(0);

    await page.reload();
    await page.getByText(/^Connected\. Conversation /).waitFor();
    await expect(page.locator("#chat-log li").allTextContents()).resolves.toEqual([
      "When is the party?",
      "The re:Play party is on Thursday.",
      markup,
      "Noted.",
    ]);

    // "New visitor" starts over at once, without the outage notice a dropped connection gets.
    await page.evaluate(`
      window.statuses = [];
      new MutationObserver(() => window.statuses.push(document.getElementById("chat-status").textContent))
        .observe(document.getElementById("chat-status"), { childList: true, characterData: true, subtree: true });
    `);
    const before = await page.locator("#chat-status").textContent();
    await page.click("#chat-new");
    await expect.poll(() => page.locator("#chat-status").textContent()).toMatch(/^Connected\. Conversation /);
    await expect.poll(() => page.locator("#chat-status").textContent()).not.toBe(before);
    await expect(page.evaluate("window.statuses.join('|')")).resolves.not.toContain("Disconnected");
    await expect(page.locator("#chat-log li").count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("keeps secondary text at 4.5:1 contrast or more, in light and dark schemes", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const { page } = await openPage();
      await page.emulateMedia({ colorScheme });
      const ratio = await page.evaluate(`(() => {
        const channels = (color) => color.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const luminance = (color) => {
          const [r, g, b] = channels(color).map((value) => {
            const c = value / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        let node = document.body;
        let background = getComputedStyle(node).backgroundColor;
        if (channels(background).length < 3 || background === "rgba(0, 0, 0, 0)")
          background = getComputedStyle(document.documentElement).backgroundColor;
        if (background === "rgba(0, 0, 0, 0)") background = matchMedia("(prefers-color-scheme: dark)").matches ? "rgb(18, 18, 18)" : "rgb(255, 255, 255)";
        const text = getComputedStyle(document.getElementById("chat-status")).color;
        const [light, dark] = [luminance(text), luminance(background)].sort((a, b) => b - a);
        return (light + 0.05) / (dark + 0.05);
      })()`);
      expect(ratio, colorScheme).toBeGreaterThanOrEqual(4.5);
      await page.context().close();
    }
  });

  it("opens the dashboard with the admin token: conversations, a timeline and the outbox", async () => {
    const conversation = await server.app.store.createConversation({
      channel: "sms",
      externalRef: "+14155550100",
    });
    await server.app.store.appendMessage({
      conversationId: conversation.id,
      role: "user",
      channel: "sms",
      text: "Text me the details",
    });
    await server.app.stores.outbox.enqueueOutbound({
      idempotencyKey: "dashboard-test-1",
      conversationId: conversation.id,
      payload: { kind: "sms", to: "+14155550100", body: "re:Play: Thursday 8 pm" },
    });
    const { page, errors } = await openPage();

    await page.fill("#token-input", "wrong-token");
    await page.click("#token-form button");
    await page.locator("#dashboard-status.error").waitFor();
    await expect(page.locator("#dashboard-body").isHidden()).resolves.toBe(true);
    // The server's own message, not the bare status.
    await expect(page.locator("#dashboard-status").textContent()).resolves.toContain(
      "Missing or wrong admin token",
    );

    await page.fill("#token-input", "test-admin-token");
    await page.press("#token-input", "Enter");
    // From the keyboard: the dashboard takes the focus, a row opens its timeline with Enter.
    const row = page.locator("#conversations tbody tr", { hasText: conversation.id });
    await row.focus();
    await page.keyboard.press("Enter");
    await page.locator("#timeline-messages li", { hasText: "Text me the details" }).waitFor();
    await page.locator("#outbox tbody tr", { hasText: "re:Play: Thursday 8 pm" }).waitFor();
    await expect(page.locator("#token-form").isHidden()).resolves.toBe(true);
    await expect(page.locator("#outbox tbody tr", { hasText: "re:Play" }).textContent()).resolves.toContain(
      "+14155550100",
    );
    // A refresh that changes nothing keeps the rows (and so a selection in them, a code being copied).
    await page.evaluate("window.kept = document.querySelector('#outbox tbody tr')");
    const updated = await page.locator("#dashboard-status").textContent();
    await expect
      .poll(() => page.locator("#dashboard-status").textContent(), { timeout: 10_000 })
      .not.toBe(updated);
    await expect(page.evaluate("window.kept === document.querySelector('#outbox tbody tr')")).resolves.toBe(
      true,
    );
    // The selected conversation erased elsewhere: the timeline closes, no error stays.
    await server.app.store.deleteConversation(conversation.id);
    await page.locator("#timeline").waitFor({ state: "hidden" });
    await page.locator("#dashboard-status:not(.error)", { hasText: "Updated" }).waitFor();
    // The page's own 401, and the 404 of the erased conversation, are expected; nothing else went wrong.
    expect(errors.filter((error) => !error.includes("401") && !error.includes("404"))).toEqual([]);
    await page.context().close();
  });

  it("fits a phone's width with the dashboard open: wide tables scroll in their own box", async () => {
    const { page } = await openPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await server.app.stores.outbox.enqueueOutbound({
      idempotencyKey: "dashboard-phone-1",
      payload: { kind: "sms", to: "+14155550100", body: "A long message ".repeat(20) },
    });
    await page.fill("#token-input", "test-admin-token");
    await page.press("#token-input", "Enter");
    await page.locator("#outbox tbody tr", { hasText: "A long message" }).first().waitFor();
    await expect(page.evaluate("document.documentElement.scrollWidth")).resolves.toBeLessThanOrEqual(390);
    await page.context().close();
  });

  it("shows inbox events whose handling failed only when there are some, and tries one again", async () => {
    const { messagingState } = server.app.stores;
    const { page, errors } = await openPage();
    await page.fill("#token-input", "test-admin-token");
    await page.click("#token-form button");
    await page.locator("#dashboard-body").waitFor();
    await expect(page.locator("#failed-inbox").isHidden()).resolves.toBe(true);

    const payload = {
      MessageSid: "SMstuck",
      From: "+14155550111",
      To: "+14155550000",
      Body: "still there?",
      media: [],
    };
    await messagingState.acceptInbound({
      provider: "twilio-sms",
      eventId: "SMstuck",
      payload,
      receivedAt: Date.now(),
    });
    for (let round = 0; round < 3; round++)
      await messagingState.recordInboundFailure("twilio-sms", "SMstuck", "Error: <b>disk full</b>");
    const stuck = page.locator("#failed tbody tr", { hasText: "SMstuck" });
    await stuck.waitFor();
    await expect(stuck.textContent()).resolves.toContain("3 (waiting for you)");
    // The error is shown as text, not markup.
    await expect(stuck.textContent()).resolves.toContain("Error: <b>disk full</b>");
    await expect(page.locator("#failed b").count()).resolves.toBe(0);

    await stuck.locator("button", { hasText: "Try again" }).click();
    await page.locator("#failed-inbox").waitFor({ state: "hidden" });
    await server.app.idle();
    expect(await messagingState.listUnhandledInbound("twilio-sms")).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("shows why an outbound message failed and sends it again from the dashboard", async () => {
    const { outbox } = server.app.stores;
    const { entry } = await outbox.enqueueOutbound({
      idempotencyKey: "dashboard-failed-1",
      payload: { kind: "sms", to: "+14155550177", body: "Your table is ready" },
    });
    // As a send with wrong credentials leaves it (the dev outbox would deliver it at once).
    const now = Date.now();
    await outbox.claimDueOutbound({ now: now + 60_000, limit: 50, workerId: "test", leaseMs: 60_000 });
    await outbox.markOutboundFailed(entry.id, {
      error: "Twilio rejected the request (HTTP 401, error 20003): <i>authentication failed</i>",
      errorCode: "20003",
      dead: false,
    });
    const { page, errors } = await openPage();
    await page.fill("#token-input", "test-admin-token");
    await page.click("#token-form button");
    const failed = page.locator("#outbox tbody tr", { hasText: "Your table is ready" });
    await failed.waitFor();
    await expect(failed.textContent()).resolves.toContain(
      "failed: Twilio rejected the request (HTTP 401, error 20003): <i>authentication failed</i>",
    );
    await expect(page.locator("#outbox i").count()).resolves.toBe(0);

    await failed.locator("button", { hasText: "Send again" }).click();
    // The dev outbox delivers it; the dashboard (refreshed every 3 s) shows so, with no button.
    const delivered = page
      .locator("#outbox tbody tr", { hasText: "Your table is ready" })
      .filter({ hasText: "delivered" });
    await delivered.waitFor({ timeout: 10_000 });
    await expect(delivered.locator("button").count()).resolves.toBe(0);
    expect((await outbox.getOutbound(entry.id))?.status).toBe("delivered");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("exports a customer's data and erases the customer from the dashboard", async () => {
    const posted = await fetch(`${server.baseUrl}/twilio/sms`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        MessageSid: "SMdashboardprivacy01",
        AccountSid: "ACtest",
        From: "+14155550155",
        To: "+14155550100",
        Body: "Please forget me",
      }).toString(),
    });
    expect(posted.status).toBe(200);
    await server.app.idle();
    let conversation: Awaited<ReturnType<typeof server.app.store.getConversation>>;
    for (const candidate of await server.app.store.listConversations()) {
      const texts = (await server.app.store.listMessages(candidate.id)).map((message) => message.text);
      if (texts.includes("Please forget me")) conversation = candidate;
    }
    const customerId = conversation?.customerId;
    expect(customerId).toEqual(expect.any(String));

    const { page, errors } = await openPage();
    await page.fill("#token-input", "test-admin-token");
    await page.click("#token-form button");
    await page.locator("#conversations tbody tr", { hasText: conversation!.id }).click();
    await page.locator("#customer-line", { hasText: "+14155550155" }).waitFor();

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-customer")]);
    expect(download.suggestedFilename()).toBe(`${customerId}.json`);
    const exported = JSON.parse(readFileSync(await download.path(), "utf8")) as {
      customer: { id: string };
      conversations: Array<{ messages: Array<{ text: string }> }>;
    };
    expect(exported.customer.id).toBe(customerId);
    expect(exported.conversations.flatMap((item) => item.messages.map((message) => message.text))).toContain(
      "Please forget me",
    );

    const dialogs: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      dialog.accept().catch(() => undefined);
    });
    await page.click("#erase-customer");
    await page.locator("#dashboard-status", { hasText: `Erased ${customerId}` }).waitFor();
    expect(dialogs).toEqual([expect.stringContaining("cannot be undone")]);
    // The next refresh leaves the confirmation in place (once a second one starts, the first is over).
    for (let refresh = 0; refresh < 2; refresh++)
      await page.waitForResponse((response) => response.url().includes("/api/conversations?"));
    await expect(page.locator("#dashboard-status").textContent()).resolves.toContain(`Erased ${customerId}`);
    await expect(
      page.locator("#conversations tbody tr", { hasText: conversation!.id }).count(),
    ).resolves.toBe(0);
    expect(await server.app.store.getConversation(conversation!.id)).toBeUndefined();
    expect(await server.app.stores.customers.getCustomer(customerId!)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("serves the page with a content security policy and no unknown assets", async () => {
    const page = await fetch(`${server.baseUrl}/`);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain("https://switchboard.example.test/twilio/voice");
    expect((await fetch(`${server.baseUrl}/assets/app.js`)).headers.get("content-type")).toMatch(
      /javascript/,
    );
    expect((await fetch(`${server.baseUrl}/assets/constructor`)).status).toBe(404);
  });
});
