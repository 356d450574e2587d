import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSendGridEventVerifier } from "../../src/channels/email/verify-sendgrid-event-signature.js";
import { connectSendGrid } from "../../src/cli/connect-sendgrid.js";
import { loadConfig } from "../../src/config/config.js";
import {
  createFakeSendGridServer,
  eventWebhookFlags,
  type FakeEventWebhook,
  type FakeSendGridServer,
} from "../../src/testing/create-fake-sendgrid-server.js";

const apiKey = "SG.connect-test-key";
const inboundToken = "connect-inbound-token-42";

describe("npm run connect:sendgrid", () => {
  let sendgrid: FakeSendGridServer;
  let printed: string;
  const output = { write: (text: string) => (printed += text) };
  const environment = (overrides: Record<string, string> = {}) => ({
    PUBLIC_URL: "https://switchboard.example.test",
    SENDGRID_API_KEY: apiKey,
    SENDGRID_INBOUND_TOKEN: inboundToken,
    EMAIL_FROM: "Acme Support <support@acme.example>",
    SENDGRID_API_BASE_URL: sendgrid.url,
    ...overrides,
  });
  const expectedUrl = `https://switchboard.example.test/sendgrid/inbound?token=${inboundToken}`;
  const eventsUrl = "https://switchboard.example.test/sendgrid/events";
  const allEvents = (value: boolean) =>
    Object.fromEntries(eventWebhookFlags.map((flag) => [flag, value])) as FakeEventWebhook["events"];

  beforeEach(async () => {
    printed = "";
    sendgrid = await createFakeSendGridServer({
      apiKey,
      parseSettings: [
        {
          hostname: "other.example",
          url: "https://elsewhere.example/parse",
          spam_check: true,
          send_raw: false,
        },
      ],
    });
  });
  afterEach(() => sendgrid.close());

  it("creates the Inbound Parse setting for EMAIL_FROM's domain, then leaves it alone, and never prints the token", async () => {
    expect(await connectSendGrid([], environment(), output)).toBe(0);
    expect(sendgrid.parseSettings).toContainEqual({
      hostname: "acme.example",
      url: expectedUrl,
      spam_check: false,
      send_raw: false,
    });
    expect(printed).toContain(
      "Inbound Parse for acme.example:\n  (none)  →  https://switchboard.example.test/sendgrid/inbound?token=…",
    );
    expect(printed).toContain(
      "Done: mail to any address @acme.example and SendGrid's delivery events now reach https://switchboard.example.test.",
    );
    expect(printed).toContain("an MX record for acme.example: mx.sendgrid.net");
    expect(printed).not.toContain(inboundToken);

    // The Event Webhook: created for this server, enabled with the events it reads, and signed.
    expect(sendgrid.eventWebhooks).toHaveLength(1);
    const webhook = sendgrid.eventWebhooks[0];
    expect(webhook).toMatchObject({ url: eventsUrl, enabled: true, friendly_name: "Switchboard" });
    expect(webhook?.events).toMatchObject({
      processed: true,
      delivered: true,
      deferred: true,
      bounce: true,
      dropped: true,
      spam_report: true,
      unsubscribe: true,
      group_unsubscribe: true,
      open: false,
      click: false,
    });
    expect(printed).toContain(
      `Event Webhook (delivery, bounces, unsubscribes):\n  (none)  →  POST ${eventsUrl}, signed`,
    );
    const key = /SENDGRID_EVENT_PUBLIC_KEY=(\S+)/.exec(printed)?.[1] ?? "";
    expect(key).toBe(webhook?.publicKey);
    // The printed key is one the server accepts, and it verifies what SendGrid signs.
    expect(loadConfig({ SENDGRID_EVENT_PUBLIC_KEY: key }).sendgrid.eventPublicKey).toBe(key);
    const body = JSON.stringify([{ email: "a@b.example", event: "delivered", sg_event_id: "e1" }]);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const verifier = createSendGridEventVerifier(key);
    expect(verifier.verify(Buffer.from(body), webhook?.sign?.(body, timestamp) ?? "", timestamp)).toEqual({
      ok: true,
    });
    expect(
      verifier.verify(Buffer.from(`${body} `), webhook?.sign?.(body, timestamp) ?? "", timestamp).ok,
    ).toBe(false);

    printed = "";
    const writes = sendgrid.requests.filter((request) => request.method !== "GET").length;
    expect(await connectSendGrid([], environment({ SENDGRID_EVENT_PUBLIC_KEY: key }), output)).toBe(0);
    expect(printed).toContain("Nothing to change.");
    expect(printed).toContain(`POST ${eventsUrl}, signed (unchanged)`);
    expect(printed).not.toContain("SENDGRID_EVENT_PUBLIC_KEY=");
    expect(sendgrid.requests.filter((request) => request.method !== "GET")).toHaveLength(writes);
  });

  it("repairs this server's Event Webhook and leaves the account's others alone", async () => {
    await sendgrid.close();
    sendgrid = await createFakeSendGridServer({
      apiKey,
      eventWebhooks: [
        { url: "https://analytics.example/sendgrid", events: allEvents(true) },
        { url: eventsUrl, enabled: false, events: { ...allEvents(false), open: true, delivered: true } },
      ],
    });
    const [analytics, ours] = sendgrid.eventWebhooks.map((webhook) =>
      structuredClone({ ...webhook, sign: undefined }),
    );
    expect(await connectSendGrid([], environment(), output)).toBe(0);
    expect(printed).toContain(
      `POST ${eventsUrl}, disabled, without processed, deferred, bounce, dropped, spam_report, unsubscribe, group_unsubscribe, unsigned  →  POST ${eventsUrl}, signed`,
    );
    expect(sendgrid.eventWebhooks).toHaveLength(2);
    expect({ ...sendgrid.eventWebhooks[0], sign: undefined }).toEqual(analytics);
    const repaired = sendgrid.eventWebhooks[1];
    expect(repaired?.id).toBe(ours?.id);
    expect(repaired?.enabled).toBe(true);
    // The events it already sent (opens) are kept.
    expect(repaired?.events).toMatchObject({ open: true, bounce: true, dropped: true, click: false });
    expect(repaired?.publicKey).toBeTruthy();
  });

  it("shows the Event Webhook it would create with --dry-run, and reports a plan's limit", async () => {
    expect(await connectSendGrid(["--dry-run"], environment(), output)).toBe(0);
    expect(printed).toContain(`(none)  →  POST ${eventsUrl}, signed`);
    expect(sendgrid.eventWebhooks).toEqual([]);
    expect(sendgrid.requests.filter((request) => request.method !== "GET")).toEqual([]);

    await sendgrid.close();
    sendgrid = await createFakeSendGridServer({
      apiKey,
      maxEventWebhooks: 1,
      eventWebhooks: [{ url: "https://analytics.example/sendgrid" }],
    });
    printed = "";
    expect(await connectSendGrid([], environment(), output)).toBe(1);
    expect(printed).toContain(
      "SendGrid refused the Event Webhook: You have reached the maximum number of webhooks per your current billing plan.",
    );
    expect(printed).toContain("Inbound Parse was set: mail to any address @acme.example now reaches");
    expect(sendgrid.eventWebhooks.filter((webhook) => webhook.enabled)).toHaveLength(1);
  });

  it("updates an existing setting's URL for --hostname, or only shows it with --dry-run", async () => {
    expect(await connectSendGrid(["--hostname", "other.example", "--dry-run"], environment(), output)).toBe(
      0,
    );
    expect(printed).toContain("Dry run: nothing was changed.");
    expect(sendgrid.parseSettings[0]?.url).toBe("https://elsewhere.example/parse");
    expect(await connectSendGrid(["--hostname", "other.example"], environment(), output)).toBe(0);
    expect(sendgrid.parseSettings[0]).toEqual({
      hostname: "other.example",
      url: expectedUrl,
      spam_check: true,
      send_raw: false,
    });
    expect(sendgrid.requests.map((request) => request.method)).toContain("PATCH");
  });

  it("says what is missing or wrong before calling SendGrid, and what SendGrid refused", async () => {
    expect(await connectSendGrid([], environment({ SENDGRID_INBOUND_TOKEN: "" }), output)).toBe(2);
    expect(printed).toContain("Set SENDGRID_INBOUND_TOKEN first");
    expect(await connectSendGrid([], environment({ PUBLIC_URL: "http://localhost:3000" }), output)).toBe(2);
    expect(printed).toContain("SendGrid posts mail only to a public https URL");
    expect(sendgrid.requests).toEqual([]);
    printed = "";
    expect(await connectSendGrid([], environment({ SENDGRID_API_KEY: "SG.wrong" }), output)).toBe(1);
    expect(printed).toContain(
      "SendGrid refused: The provided authorization grant is invalid, expired, or revoked",
    );
  });
});
