import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectTwilio } from "../../src/cli/connect-twilio.js";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../src/testing/create-fake-twilio-server.js";

const accountSid = "AC55555555555555555555555555555555";
const authToken = "connect-test-token";

describe("npm run connect:twilio", () => {
  let twilio: FakeTwilioServer;
  let printed: string;
  const output = { write: (text: string) => (printed += text) };
  const environment = () => ({
    NODE_ENV: "test",
    PUBLIC_URL: "https://switchboard.example.test",
    TWILIO_ACCOUNT_SID: accountSid,
    TWILIO_AUTH_TOKEN: authToken,
    TWILIO_PHONE_NUMBER: "+18885550100",
    TWILIO_API_BASE_URL: twilio.url,
  });

  beforeEach(async () => {
    printed = "";
    twilio = await createFakeTwilioServer({
      accountSid,
      authToken,
      numbers: [
        { phoneNumber: "+18885550199" },
        // Bought and left on Twilio's demo URLs, calls taken by an old TwiML App.
        { phoneNumber: "+18885550100", voiceApplicationSid: "AP11111111111111111111111111111111" },
      ],
    });
  });
  afterEach(() => twilio.close());

  it("points the number's voice and SMS webhooks at PUBLIC_URL, and does nothing the second time", async () => {
    expect(await connectTwilio([], environment(), output)).toBe(0);
    const number = twilio.numbers.find((candidate) => candidate.phoneNumber === "+18885550100");
    expect(number).toMatchObject({
      voiceUrl: "https://switchboard.example.test/twilio/voice",
      voiceMethod: "POST",
      smsUrl: "https://switchboard.example.test/twilio/sms",
      smsMethod: "POST",
      voiceApplicationSid: null,
    });
    expect(twilio.numberUpdates).toEqual([
      {
        sid: number?.sid,
        form: {
          VoiceUrl: "https://switchboard.example.test/twilio/voice",
          VoiceMethod: "POST",
          SmsUrl: "https://switchboard.example.test/twilio/sms",
          SmsMethod: "POST",
          VoiceApplicationSid: "",
        },
      },
    ]);
    // The other number of the account is left alone.
    expect(twilio.numbers[0]?.voiceUrl).toBe("https://demo.twilio.com/welcome/voice/");
    expect(printed).toContain(`Twilio number +18885550100 (${number?.sid})`);
    expect(printed).toContain(
      "POST https://demo.twilio.com/welcome/voice/  →  POST https://switchboard.example.test/twilio/voice",
    );
    expect(printed).toContain("AP11111111111111111111111111111111  →  (none)");
    expect(printed).toContain(
      "Done: calls and texts to +18885550100 now reach https://switchboard.example.test.",
    );

    printed = "";
    expect(await connectTwilio([], environment(), output)).toBe(0);
    expect(twilio.numberUpdates).toHaveLength(1);
    expect(printed).toContain(
      "Nothing to change: calls and texts already reach https://switchboard.example.test.",
    );
    // No Messaging Service holds the number: nothing about one is printed.
    expect(printed).not.toContain("Messaging Service");
  });

  it("shows the change without making it with --dry-run", async () => {
    expect(await connectTwilio(["--dry-run"], environment(), output)).toBe(0);
    expect(twilio.numberUpdates).toEqual([]);
    expect(printed).toContain("→  POST https://switchboard.example.test/twilio/sms");
    expect(printed).toContain("Dry run: nothing was changed.");
  });

  it("says so when the number is not the account's, or Twilio refuses the credentials", async () => {
    expect(await connectTwilio([], { ...environment(), TWILIO_PHONE_NUMBER: "+18885550123" }, output)).toBe(
      2,
    );
    expect(printed).toContain("+18885550123 is not a phone number of this Twilio account");
    printed = "";
    expect(await connectTwilio([], { ...environment(), TWILIO_AUTH_TOKEN: "wrong-token" }, output)).toBe(1);
    expect(printed).toContain("authentication failed (check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)");
    expect(twilio.numberUpdates).toEqual([]);
  });

  it("refuses settings Twilio could not use, before calling it", async () => {
    const local = { ...environment(), PUBLIC_URL: "http://localhost:3000" };
    expect(await connectTwilio([], local, output)).toBe(2);
    expect(printed).toContain("PUBLIC_URL is http://localhost:3000: Twilio cannot reach this machine there");
    printed = "";
    expect(
      await connectTwilio([], { ...environment(), PUBLIC_URL: "http://agent.example.com" }, output),
    ).toBe(2);
    expect(printed).toContain("PUBLIC_URL must be https");
    printed = "";
    const { TWILIO_PHONE_NUMBER: _omitted, ...withoutNumber } = environment();
    expect(await connectTwilio([], withoutNumber, output)).toBe(2);
    expect(printed).toContain("Set TWILIO_PHONE_NUMBER first");
    expect(twilio.requests).toEqual([]);
  });

  describe("a number in a Messaging Service", () => {
    const serviceSid = "MG22222222222222222222222222222222";
    const sms = "https://switchboard.example.test/twilio/sms";
    const withService = async (service: {
      useInboundWebhookOnNumber: boolean;
      inboundRequestUrl: string | null;
    }) => {
      await twilio.close();
      twilio = await createFakeTwilioServer({
        accountSid,
        authToken,
        numbers: [{ phoneNumber: "+18885550100" }, { phoneNumber: "+18885550177" }],
        services: [
          { friendlyName: "Other brand", phoneNumbers: ["+18885550177"] },
          {
            sid: serviceSid,
            friendlyName: "Support texts",
            phoneNumbers: ["+18885550100", "+18885550177"],
            ...service,
          },
        ],
      });
    };
    const service = () => twilio.services.find((candidate) => candidate.sid === serviceSid);

    it("reports texts the service takes, fails, and points the service here with --messaging-service", async () => {
      await withService({
        useInboundWebhookOnNumber: false,
        inboundRequestUrl: "https://crm.example.com/sms",
      });
      // The number is connected (calls work), but texts still go to the service's webhook.
      expect(await connectTwilio([], environment(), output)).toBe(1);
      expect(twilio.numberUpdates).toHaveLength(1);
      expect(twilio.serviceUpdates).toEqual([]);
      expect(printed).toContain(`In Messaging Service ${serviceSid} "Support texts" (2 numbers):`);
      expect(printed).toContain("Incoming messages:     POST https://crm.example.com/sms (unchanged)");
      expect(printed).toContain(
        `Texts to +18885550100 go to Messaging Service ${serviceSid}'s webhook (https://crm.example.com/sms), not here. Run again with --messaging-service`,
      );
      expect(printed).toContain(
        "Done: calls to +18885550100 now reach https://switchboard.example.test. Call it.",
      );

      printed = "";
      expect(await connectTwilio(["--messaging-service", "--dry-run"], environment(), output)).toBe(0);
      expect(twilio.serviceUpdates).toEqual([]);
      expect(printed).toContain(`POST https://crm.example.com/sms  →  POST ${sms}`);
      expect(printed).toContain("Dry run: nothing was changed.");

      printed = "";
      expect(await connectTwilio(["--messaging-service"], environment(), output)).toBe(0);
      expect(twilio.serviceUpdates).toEqual([
        { sid: serviceSid, form: { InboundRequestUrl: sms, InboundMethod: "POST" } },
      ]);
      expect(service()).toMatchObject({ inboundRequestUrl: sms, useInboundWebhookOnNumber: false });
      // The other service is left alone, and the number was not updated again.
      expect(twilio.services[0]?.inboundRequestUrl).toBeNull();
      expect(twilio.numberUpdates).toHaveLength(1);
      expect(printed).toContain(
        "Done: calls and texts to +18885550100 now reach https://switchboard.example.test. Call it, or text it.",
      );

      printed = "";
      expect(await connectTwilio(["--messaging-service"], environment(), output)).toBe(0);
      expect(twilio.serviceUpdates).toHaveLength(1);
      expect(printed).toContain("Nothing to change: calls and texts already reach");
    });

    it("leaves a service that defers to the number's webhook alone", async () => {
      await withService({ useInboundWebhookOnNumber: true, inboundRequestUrl: null });
      expect(await connectTwilio(["--messaging-service"], environment(), output)).toBe(0);
      expect(twilio.serviceUpdates).toEqual([]);
      expect(printed).toContain("Incoming messages:     defer to each number's own webhook (unchanged)");
      expect(printed).toContain("Done: calls and texts to +18885550100 now reach");
    });

    it("says when TWILIO_MESSAGING_SERVICE_SID is not the number's service", async () => {
      await withService({ useInboundWebhookOnNumber: true, inboundRequestUrl: null });
      const other = twilio.services[0]?.sid ?? "";
      expect(await connectTwilio([], { ...environment(), TWILIO_MESSAGING_SERVICE_SID: other }, output)).toBe(
        0,
      );
      expect(printed).toContain(
        `Note: TWILIO_MESSAGING_SERVICE_SID is ${other}, but +18885550100 is not one of its numbers`,
      );
    });
  });
});
