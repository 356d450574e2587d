import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectSendGrid } from "../../src/cli/connect-sendgrid.js";
import {
  createFakeSendGridServer,
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
      "Done: mail to any address @acme.example now reaches https://switchboard.example.test.",
    );
    expect(printed).toContain("an MX record for acme.example: mx.sendgrid.net");
    expect(printed).not.toContain(inboundToken);

    printed = "";
    const writes = sendgrid.requests.filter((request) => request.method !== "GET").length;
    expect(await connectSendGrid([], environment(), output)).toBe(0);
    expect(printed).toContain("Nothing to change.");
    expect(sendgrid.requests.filter((request) => request.method !== "GET")).toHaveLength(writes);
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
