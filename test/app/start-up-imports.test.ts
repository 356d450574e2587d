import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * Vendor packages a server with the embedded defaults does not use stay unloaded at start (cold
 * start, memory): Twilio's REST client until there is a number to check, SendGrid's Event Webhook
 * package until a key is configured. Run in a fresh process, since this one has loaded them all.
 */
const script = `
import { createRequire } from "node:module";
import { generateKeyPairSync } from "node:crypto";
const loaded = (name) =>
  Object.keys(createRequire(import.meta.url)("node:module")._cache).some((file) => file.includes("/node_modules/" + name + "/"));
const { checkTwilioNumber } = await import("./src/app/check-twilio-number.ts");
const { createSendGridEventVerifier } = await import("./src/channels/email/verify-sendgrid-event-signature.ts");
const skipped = await checkTwilioNumber({ twilio: {}, publicUrl: "http://127.0.0.1:3000" }, console);
const atStart = { axios: loaded("axios"), eventWebhook: loaded("@sendgrid/eventwebhook") };
const key = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" }).toString("base64");
createSendGridEventVerifier(key);
console.log(JSON.stringify({ skipped, atStart, eventWebhookWithKey: loaded("@sendgrid/eventwebhook") }));
`;

describe("start-up imports", () => {
  it("loads Twilio's REST client and SendGrid's event-webhook package only when they are needed", () => {
    const output = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(JSON.parse(output.trim().split("\n").at(-1) ?? "{}")).toEqual({
      skipped: "skipped",
      atStart: { axios: false, eventWebhook: false },
      eventWebhookWithKey: true,
    });
  });
});
