import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkTwilioNumber } from "../../src/app/check-twilio-number.js";
import { loadConfig } from "../../src/config/config.js";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../src/testing/create-fake-twilio-server.js";
import { captureLogs } from "../helpers/capture-logs.js";

const accountSid = "AC66666666666666666666666666666666";
const authToken = "check-number-token";
const publicUrl = "https://switchboard.example.test";

describe("the start-up check of where the Twilio number points", () => {
  let twilio: FakeTwilioServer;
  const config = (overrides: Record<string, string> = {}) =>
    loadConfig({
      PUBLIC_URL: publicUrl,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_PHONE_NUMBER: "+18885550100",
      TWILIO_API_BASE_URL: twilio.url,
      ...overrides,
    });
  const messages = (lines: Array<Record<string, unknown>>, level: number) =>
    lines.filter((line) => line.level === level).map((line) => String(line.msg));

  beforeEach(async () => {
    twilio = await createFakeTwilioServer({
      accountSid,
      authToken,
      numbers: [
        // Set up last week through a tunnel whose URL has changed since.
        {
          phoneNumber: "+18885550100",
          voiceUrl: "https://old-tunnel.ngrok.app/twilio/voice",
          smsUrl: "https://old-tunnel.ngrok.app/twilio/sms",
        },
        {
          phoneNumber: "+18885550111",
          voiceUrl: `${publicUrl}/twilio/voice`,
          smsUrl: `${publicUrl}/twilio/sms`,
        },
      ],
    });
  });
  afterEach(() => twilio.close());

  it("warns when the number sends calls and texts elsewhere, and changes nothing", async () => {
    const { logger, lines } = captureLogs("info");
    expect(await checkTwilioNumber(config(), logger)).toBe("elsewhere");
    expect(messages(lines, 40)).toEqual([
      `Twilio number +18885550100 sends calls to https://old-tunnel.ngrok.app/twilio/voice and texts to https://old-tunnel.ngrok.app/twilio/sms, not to this server's PUBLIC_URL (${publicUrl}): run \`npm run connect:twilio\` to point it here`,
    ]);
    expect(twilio.numberUpdates).toEqual([]);
  });

  it("says so when the number already points here", async () => {
    const { logger, lines } = captureLogs("info");
    expect(await checkTwilioNumber(config({ TWILIO_PHONE_NUMBER: "+18885550111" }), logger)).toBe("here");
    expect(messages(lines, 40)).toEqual([]);
    expect(messages(lines, 30)).toContain(
      `Twilio number +18885550111 sends calls and texts to this server (${publicUrl})`,
    );
  });

  it("warns without failing when Twilio cannot be asked, and asks nothing without a public URL", async () => {
    const { logger, lines } = captureLogs("info");
    expect(await checkTwilioNumber(config({ TWILIO_AUTH_TOKEN: "wrong-token-000" }), logger)).toBe("failed");
    expect(messages(lines, 40)[0]).toMatch(
      /^Could not check where Twilio number \+18885550100 sends calls and texts: Twilio rejected the request \(HTTP 401, error 20003\)/,
    );
    const asked = twilio.requests.length;
    expect(await checkTwilioNumber(config({ PUBLIC_URL: "http://localhost:3000" }), logger)).toBe("skipped");
    expect(await checkTwilioNumber(loadConfig({}), logger)).toBe("skipped");
    expect(twilio.requests).toHaveLength(asked);
  });

  it("warns when a Messaging Service takes the number's texts, naming the option that fixes it", async () => {
    await twilio.close();
    twilio = await createFakeTwilioServer({
      accountSid,
      authToken,
      numbers: [
        {
          phoneNumber: "+18885550100",
          voiceUrl: `${publicUrl}/twilio/voice`,
          smsUrl: `${publicUrl}/twilio/sms`,
        },
      ],
      services: [
        {
          sid: "MG33333333333333333333333333333333",
          phoneNumbers: ["+18885550100"],
          useInboundWebhookOnNumber: false,
          inboundRequestUrl: null,
        },
      ],
    });
    const { logger, lines } = captureLogs("info");
    expect(await checkTwilioNumber(config(), logger)).toBe("elsewhere");
    expect(messages(lines, 40)).toEqual([
      `Twilio number +18885550100 sends texts to Messaging Service MG33333333333333333333333333333333's webhook (none: Twilio drops them), not to this server's PUBLIC_URL (${publicUrl}): run \`npm run connect:twilio -- --messaging-service\` to point it here`,
    ]);
    expect(twilio.serviceUpdates).toEqual([]);
    expect(twilio.numberUpdates).toEqual([]);
  });
});
