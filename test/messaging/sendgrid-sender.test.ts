import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/errors/delivery-error.js";
import { createSendGridSender, parseAddress } from "../../src/messaging/sendgrid/create-sendgrid-sender.js";
import {
  createFakeSendGridServer,
  type FakeSendGridServer,
} from "../../src/testing/create-fake-sendgrid-server.js";

const apiKey = "SG.test-key";

describe("createSendGridSender (@sendgrid/mail against a fake SendGrid API)", () => {
  let fake: FakeSendGridServer;
  beforeEach(async () => {
    fake = await createFakeSendGridServer({ apiKey });
  });
  afterEach(() => fake.close());

  const sender = (key = apiKey) =>
    createSendGridSender({ apiKey: key, from: "Acme Support <support@acme.example>", apiBaseUrl: fake.url });

  it("sends a threaded email with text and HTML parts", async () => {
    const result = await sender().send(
      {
        kind: "email",
        to: "pat@example.org",
        toName: "Pat",
        subject: "Re: Delivery address",
        text: "Hi Pat, done.",
        html: "<p>Hi Pat, done.</p>",
        headers: { "In-Reply-To": "<abc@mail.example.org>", References: "<abc@mail.example.org>" },
        customArgs: { conversationId: "conv_77" },
      },
      { idempotencyKey: "out_1" },
    );
    expect(result.providerMessageId).toBe(fake.mails[0]?.messageId);
    const mail = fake.mails[0];
    expect(mail).toMatchObject({
      to: "pat@example.org",
      from: "support@acme.example",
      subject: "Re: Delivery address",
      text: "Hi Pat, done.",
      html: "<p>Hi Pat, done.</p>",
      headers: { "In-Reply-To": "<abc@mail.example.org>", References: "<abc@mail.example.org>" },
    });
    expect(mail?.customArgs).toMatchObject({ conversationId: "conv_77", idempotencyKey: "out_1" });
    expect(mail?.body.from).toEqual({ email: "support@acme.example", name: "Acme Support" });
  });

  it("classifies 4xx as permanent and 5xx/429 as retryable", async () => {
    const email = { kind: "email" as const, to: "pat@example.org", subject: "s", text: "t" };
    const unauthorized = await sender("SG.wrong")
      .send(email, { idempotencyKey: "a" })
      .catch((error: unknown) => error);
    expect(unauthorized).toBeInstanceOf(DeliveryError);
    expect(unauthorized).toMatchObject({ retryable: false, providerCode: "401" });
    fake.failNext(1, { status: 500 });
    expect(
      await sender()
        .send(email, { idempotencyKey: "b" })
        .catch((error: unknown) => error),
    ).toMatchObject({ retryable: true });
    fake.failNext(1, { status: 429, retryAfter: "3" });
    expect(
      await sender()
        .send(email, { idempotencyKey: "c" })
        .catch((error: unknown) => error),
    ).toMatchObject({
      retryable: true,
      retryAfterMs: 3000,
    });
    expect(fake.mails).toHaveLength(0);
  });

  it("parses display-name addresses", () => {
    expect(parseAddress("Acme Support <support@acme.example>")).toEqual({
      name: "Acme Support",
      email: "support@acme.example",
    });
    expect(parseAddress('"Doe, Pat" <pat@example.org>')).toEqual({
      name: "Doe, Pat",
      email: "pat@example.org",
    });
    expect(parseAddress("pat@example.org")).toEqual({ email: "pat@example.org" });
  });
});
