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
    expect(printed).toContain("Nothing to change: it already reaches https://switchboard.example.test.");
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
});
