import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/errors/delivery-error.js";
import { createTwilioSender } from "../../src/messaging/twilio/create-twilio-sender.js";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../src/testing/create-fake-twilio-server.js";

const accountSid = "AC11111111111111111111111111111111";
const authToken = "twilio-test-token";

describe("createTwilioSender (twilio package against a fake Twilio REST API)", () => {
  let fake: FakeTwilioServer;
  beforeEach(async () => {
    fake = await createFakeTwilioServer({ accountSid, authToken });
  });
  afterEach(() => fake.close());

  const sender = (token = authToken) =>
    createTwilioSender({
      accountSid,
      authToken: token,
      fromNumber: "+18885550100",
      apiBaseUrl: fake.url,
      statusCallbackUrl: "https://switchboard.example.test/twilio/sms/status",
    });

  it("sends an SMS with the right account, auth, fields and status callback", async () => {
    const result = await sender().send(
      { kind: "sms", to: "+14155550123", body: "Hello there" },
      { idempotencyKey: "k1" },
    );
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(result.status).toBe("queued");
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]).toMatchObject({
      to: "+14155550123",
      from: "+18885550100",
      body: "Hello there",
      statusCallback: "https://switchboard.example.test/twilio/sms/status",
    });
  });

  it("sends texts through a Messaging Service when one is configured, and calls from the number", async () => {
    await fake.close();
    const serviceSid = "MG44444444444444444444444444444444";
    fake = await createFakeTwilioServer({ accountSid, authToken, services: [{ sid: serviceSid }] });
    const viaService = createTwilioSender({
      accountSid,
      authToken,
      fromNumber: "+18885550100",
      messagingServiceSid: serviceSid,
      apiBaseUrl: fake.url,
    });
    const result = await viaService.send(
      { kind: "sms", to: "+14155550123", body: "Hi" },
      { idempotencyKey: "k" },
    );
    expect(result.status).toBe("accepted");
    expect(fake.messages[0]?.form).toEqual({
      To: "+14155550123",
      MessagingServiceSid: serviceSid,
      Body: "Hi",
    });
    await viaService.send(
      { kind: "call", to: "+14155550123", twiml: "<Response/>" },
      { idempotencyKey: "c" },
    );
    expect(fake.calls[0]?.from).toBe("+18885550100");

    const unknown = createTwilioSender({
      accountSid,
      authToken,
      fromNumber: "+18885550100",
      messagingServiceSid: "MG55555555555555555555555555555555",
      apiBaseUrl: fake.url,
    });
    const refused = await unknown
      .send({ kind: "sms", to: "+14155550123", body: "Hi" }, { idempotencyKey: "u" })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).retryable).toBe(false);
    expect((refused as DeliveryError).providerCode).toBe("21701");
  });

  it("starts a call with TwiML", async () => {
    const result = await sender().send(
      { kind: "call", to: "+14155550123", twiml: "<Response><Hangup/></Response>" },
      { idempotencyKey: "k2" },
    );
    expect(result.providerMessageId).toMatch(/^CA/);
    expect(fake.calls[0]?.twiml).toBe("<Response><Hangup/></Response>");
  });

  it("classifies failures: opted-out and invalid numbers are permanent, 5xx and 429 retryable", async () => {
    fake.optOut("+14155550199");
    const optedOut = await sender()
      .send({ kind: "sms", to: "+14155550199", body: "hi" }, { idempotencyKey: "a" })
      .catch((error: unknown) => error);
    expect(optedOut).toBeInstanceOf(DeliveryError);
    expect(optedOut).toMatchObject({ retryable: false, providerCode: "21610" });

    const invalid = await sender()
      .send({ kind: "sms", to: "12345", body: "hi" }, { idempotencyKey: "b" })
      .catch((error: unknown) => error);
    expect(invalid).toMatchObject({ retryable: false, providerCode: "21211" });

    fake.failNext(1, { status: 503, code: 20500 });
    const unavailable = await sender()
      .send({ kind: "sms", to: "+14155550123", body: "hi" }, { idempotencyKey: "c" })
      .catch((error: unknown) => error);
    expect(unavailable).toMatchObject({ retryable: true });

    fake.failNext(1, { status: 429, code: 20429, retryAfter: "7" });
    const limited = await sender()
      .send({ kind: "sms", to: "+14155550123", body: "hi" }, { idempotencyKey: "d" })
      .catch((error: unknown) => error);
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 7000 });

    const badAuth = await sender("wrong")
      .send({ kind: "sms", to: "+14155550123", body: "hi" }, { idempotencyKey: "e" })
      .catch((error: unknown) => error);
    expect(badAuth).toMatchObject({ retryable: false, providerCode: "20003" });
    expect(fake.messages).toHaveLength(0);
  });

  it("reports a network failure as retryable", async () => {
    await fake.close();
    const error = await sender()
      .send({ kind: "sms", to: "+14155550123", body: "hi" }, { idempotencyKey: "n" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).retryable).toBe(true);
    fake = await createFakeTwilioServer({ accountSid, authToken });
  });
});
