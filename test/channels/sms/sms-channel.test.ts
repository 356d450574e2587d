import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "@photostructure/sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../../src/testing/create-fake-twilio-server.js";
import { createScriptedModel, type ScriptedModel } from "../../../src/testing/create-scripted-model.js";
import { RelayTestClient } from "../../../src/testing/relay-test-client.js";
import { signTwilioRequest } from "../../../src/testing/sign-twilio-request.js";
import { announceCall } from "../../helpers/announce-call.js";
import { eventually, postForm, startTestServer, type TestServer } from "../../helpers/start-test-server.js";

const publicUrl = "https://switchboard.example.test";
const accountSid = "AC22222222222222222222222222222222";
const authToken = "sms-test-token";
const ourNumber = "+18885550100";
const customer = "+14155550123";

function inboundSms(
  messageSid: string,
  body: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ToCountry: "US",
    ToState: "CA",
    SmsMessageSid: messageSid,
    NumMedia: "0",
    ToCity: "",
    FromZip: "94105",
    SmsSid: messageSid,
    FromState: "CA",
    SmsStatus: "received",
    FromCity: "SAN FRANCISCO",
    Body: body,
    FromCountry: "US",
    To: ourNumber,
    MessagingServiceSid: "",
    ToZip: "",
    NumSegments: "1",
    MessageSid: messageSid,
    AccountSid: accountSid,
    From: customer,
    ApiVersion: "2010-04-01",
    ...extra,
  };
}

describe("SMS channel", () => {
  let twilio: FakeTwilioServer;
  let server: TestServer | undefined;
  let model: ScriptedModel;

  beforeEach(async () => {
    twilio = await createFakeTwilioServer({ accountSid, authToken });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await twilio.close();
  });

  async function start(
    script: Parameters<typeof createScriptedModel>[0],
    environment: Record<string, string> = {},
  ) {
    model = createScriptedModel(script);
    server = await startTestServer({ ...twilioEnvironment(), ...environment }, { model });
    return server;
  }

  function twilioEnvironment(): Record<string, string> {
    return {
      PUBLIC_URL: publicUrl,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_PHONE_NUMBER: ourNumber,
      TWILIO_API_BASE_URL: twilio.url,
      OUTBOX_RETRY_BASE_MS: "20",
      VOICE_WELCOME_GREETING: "",
    };
  }

  async function postSigned(path: string, params: Record<string, string>) {
    const signature = signTwilioRequest(authToken, `${publicUrl}${path}`, params);
    return postForm(`${server!.baseUrl}${path}`, params, { "x-twilio-signature": signature });
  }

  it("answers the webhook with empty TwiML at once and replies through the REST API", async () => {
    await start([{ text: ["Your ", "table ", "is ", "booked."] }]);
    const response = await postSigned("/twilio/sms", inboundSms("SM001", "Book a table for two"));
    expect(response.status).toBe(200);
    expect(response.contentType).toContain("text/xml");
    expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const [sent] = await twilio.waitForMessages(1);
    expect(sent).toMatchObject({
      to: customer,
      from: ourNumber,
      body: "Your table is booked.",
      statusCallback: `${publicUrl}/twilio/sms/status`,
    });
    const conversations = await server!.app.store.listConversations();
    expect(conversations).toHaveLength(1);
    const messages = await server!.app.store.listMessages(conversations[0]!.id);
    expect(messages.map((message) => [message.role, message.channel, message.text])).toEqual([
      ["user", "sms", "Book a table for two"],
      ["assistant", "sms", "Your table is booked."],
    ]);
    expect(String(model.calls[0]?.prompt[0]?.content)).toContain("Channel: sms");
  });

  it("rejects an unsigned or tampered webhook with 403 and stores nothing", async () => {
    await start([]);
    const unsigned = await postForm(`${server!.baseUrl}/twilio/sms`, inboundSms("SM002", "hi"));
    expect(unsigned.status).toBe(403);
    const signature = signTwilioRequest(authToken, `${publicUrl}/twilio/sms`, inboundSms("SM002", "hi"));
    const tampered = await postForm(`${server!.baseUrl}/twilio/sms`, inboundSms("SM002", "hi there"), {
      "x-twilio-signature": signature,
    });
    expect(tampered.status).toBe(403);
    await server!.app.idle();
    expect(await server!.app.stores.messagingState.listUnhandledInbound("twilio-sms")).toEqual([]);
    expect(await server!.app.store.listConversations()).toHaveLength(0);
    expect(model.calls).toHaveLength(0);
  });

  it("de-duplicates Twilio's webhook retries: one stored message, one reply", async () => {
    await start([{ text: "Only once." }, { text: "Twice?!" }]);
    const payload = inboundSms("SM003", "Hello");
    const responses = await Promise.all([
      postSigned("/twilio/sms", payload),
      postSigned("/twilio/sms", payload),
    ]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    await postSigned("/twilio/sms", payload);
    await twilio.waitForMessages(1);
    await server!.app.idle();
    await server!.app.outboxWorker.drain();
    expect(twilio.messages.map((message) => message.body)).toEqual(["Only once."]);
    expect(model.calls).toHaveLength(1);
  });

  it("honours STOP and START, and answers HELP", async () => {
    await start([{ text: "You are opted out, so this must not arrive." }]);
    await postSigned("/twilio/sms", inboundSms("SM010", "Stop"));
    await server!.app.idle();
    expect(await server!.app.stores.messagingState.isOptedOut(customer, "sms")).toBe(true);
    expect(model.calls).toHaveLength(0);

    await postSigned("/twilio/sms", inboundSms("SM011", "What's up?"));
    await server!.app.idle();
    await server!.app.outboxWorker.drain();
    const blocked = await eventually(async () => {
      const [entry] = await server!.app.stores.outbox.listOutbound();
      return entry?.status === "failed" ? entry : undefined;
    }, "the reply to be refused");
    expect(blocked.lastErrorCode).toBe("OPTED_OUT");
    expect(twilio.messages).toHaveLength(0);

    await postSigned("/twilio/sms", inboundSms("SM012", "START"));
    await server!.app.idle();
    expect(await server!.app.stores.messagingState.isOptedOut(customer, "sms")).toBe(false);
    await postSigned("/twilio/sms", inboundSms("SM013", "help"));
    const [help] = await twilio.waitForMessages(1);
    expect(help?.body).toContain("STOP");
    expect(model.calls).toHaveLength(1);
    // The exchange is in the customer's conversation, so their erasure takes the text with it.
    const [conversation] = await server!.app.store.listConversations();
    const messages = await server!.app.store.listMessages(conversation!.id);
    expect(messages.slice(-2).map((message) => [message.role, message.text])).toEqual([
      ["user", "help"],
      ["assistant", help?.body],
    ]);
    const response = await fetch(`${server!.baseUrl}/api/customers/${conversation!.customerId}`, {
      method: "DELETE",
      headers: { authorization: "Bearer test-admin-token" },
    });
    expect(response.status).toBe(200);
    expect(await server!.app.stores.outbox.listOutbound()).toEqual([]);
  });

  it("retries a provider 500 and delivers exactly once", async () => {
    await start([{ text: "Retried reply." }]);
    twilio.failNext(2, { status: 500, code: 20500 });
    await postSigned("/twilio/sms", inboundSms("SM020", "Hello"));
    const [sent] = await twilio.waitForMessages(1);
    expect(sent?.body).toBe("Retried reply.");
    const entry = await eventually(async () => {
      const [candidate] = await server!.app.stores.outbox.listOutbound();
      return candidate?.status === "sent" ? candidate : undefined;
    }, "sent outbox entry");
    expect(entry.attempts).toBe(3);
    expect(
      twilio.requests
        .filter((request) => request.path.endsWith("/Messages.json"))
        .map((request) => request.status),
    ).toEqual([500, 500, 201]);
    await server!.app.outboxWorker.drain();
    expect(twilio.messages).toHaveLength(1);
  });

  it("marks a permanent provider error failed without retrying, and honours Retry-After on 429", async () => {
    await start([{ text: "First." }, { text: "Second." }], { OUTBOX_RETRY_BASE_MS: "1" });
    twilio.failNext(1, { status: 400, code: 21211, message: "Invalid 'To' Phone Number" });
    await postSigned("/twilio/sms", inboundSms("SM030", "One"));
    const failed = await eventually(async () => {
      const [entry] = await server!.app.stores.outbox.listOutbound();
      return entry?.status === "failed" ? entry : undefined;
    }, "failed outbox entry");
    expect(failed).toMatchObject({ attempts: 1, lastErrorCode: "21211" });
    expect(failed.lastError).toContain("21211");

    twilio.failNext(1, { status: 429, code: 20429, retryAfter: "1" });
    await postSigned("/twilio/sms", inboundSms("SM031", "Two"));
    const retried = await eventually(async () => {
      const entries = await server!.app.stores.outbox.listOutbound({ status: "pending" });
      return entries[0];
    }, "a pending retry");
    // Retry-After: 1 s, though the base backoff is 1 ms. (The worker reads the clock for the retry
    // time and the store again for updatedAt, so the two may be a millisecond apart.)
    expect(retried.nextAttemptAt - retried.updatedAt).toBeGreaterThanOrEqual(990);
    await twilio.waitForMessages(1, 5000);
    expect(twilio.messages[0]?.body).toBe("Second.");
  });

  it("applies status callbacks in order and never moves a message backwards", async () => {
    await start([{ text: "Status please." }]);
    await postSigned("/twilio/sms", inboundSms("SM040", "Hi"));
    const [sent] = await twilio.waitForMessages(1);
    const sid = sent!.sid;
    const callback = (status: string, extra: Record<string, string> = {}) =>
      postSigned("/twilio/sms/status", {
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: status,
        SmsStatus: status,
        AccountSid: accountSid,
        From: ourNumber,
        To: customer,
        ApiVersion: "2010-04-01",
        ...extra,
      });
    const statusOf = async () => (await server!.app.stores.outbox.listOutbound())[0];
    await eventually(async () => (await statusOf())?.status === "sent", "sent");
    expect((await callback("delivered")).status).toBe(200);
    expect(await statusOf()).toMatchObject({ status: "delivered", providerStatus: "delivered" });
    await callback("sent");
    expect((await statusOf())?.status).toBe("delivered");
    const unsigned = await postForm(`${server!.baseUrl}/twilio/sms/status`, {
      MessageSid: sid,
      MessageStatus: "failed",
    });
    expect(unsigned.status).toBe(403);
    expect((await statusOf())?.status).toBe("delivered");
    const malformed = await postSigned("/twilio/sms/status", { MessageSid: sid });
    expect(malformed.status).toBe(400);
    // A status named like an Object method is an unknown status, not a 500.
    for (const odd of ["constructor", "toString", "__proto__"])
      expect((await callback(odd)).status).toBe(200);
    expect((await statusOf())?.status).toBe("delivered");
    // A body no text message could have is refused, naming the field.
    const huge = await postSigned("/twilio/sms", inboundSms("SM042", "x".repeat(10_001)));
    expect(huge.status).toBe(400);
    expect(huge.body).toContain("Body is longer than a text message can be");
  });

  it("records undelivered with its error code", async () => {
    await start([{ text: "Will bounce." }]);
    await postSigned("/twilio/sms", inboundSms("SM041", "Hi"));
    const [sent] = await twilio.waitForMessages(1);
    await eventually(
      async () => (await server!.app.stores.outbox.listOutbound())[0]?.status === "sent",
      "sent",
    );
    await postSigned("/twilio/sms/status", {
      MessageSid: sent!.sid,
      MessageStatus: "undelivered",
      ErrorCode: "30003",
    });
    expect((await server!.app.stores.outbox.listOutbound())[0]).toMatchObject({
      status: "undelivered",
      lastErrorCode: "30003",
    });
  });

  it("keeps replies within 1,600 characters per message, split on sentences, and strips markdown", async () => {
    const sentence = "This sentence is exactly fifty characters long ok. ";
    await start([{ text: `**Summary**\n${sentence.repeat(40)}` }]);
    await postSigned("/twilio/sms", inboundSms("SM050", "Tell me everything"));
    const messages = await twilio.waitForMessages(2);
    await server!.app.outboxWorker.drain();
    expect(twilio.messages.length).toBe(2);
    for (const message of messages) {
      expect(message.body.length).toBeLessThanOrEqual(1600);
      expect(message.body).not.toContain("**");
    }
    expect(messages[0]?.body.endsWith(".")).toBe(true);
    expect(
      messages
        .map((message) => message.body)
        .join(" ")
        .replace(/\s+/g, " "),
    ).toBe(`Summary\n${sentence.repeat(40)}`.replace(/\s+/g, " ").trim());
  });

  it("records MMS media on the message and tells the agent", async () => {
    await start([{ text: "Nice photo." }]);
    await postSigned(
      "/twilio/sms",
      inboundSms("MM060", "Look", {
        NumMedia: "1",
        MediaUrl0: "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM060/Media/ME1",
        MediaContentType0: "image/jpeg",
      }),
    );
    await twilio.waitForMessages(1);
    const [conversation] = await server!.app.store.listConversations();
    const [message] = await server!.app.store.listMessages(conversation!.id);
    expect(message?.metadata.media).toEqual([
      {
        url: "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM060/Media/ME1",
        contentType: "image/jpeg",
      },
    ]);
    const prompt = JSON.stringify(model.calls[0]?.prompt);
    expect(prompt).toContain("attached 1 file(s): image/jpeg");
  });

  it("handles at the next start what was acknowledged and not handled, without repeating what was done", async () => {
    const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-inbox-"));
    const sqlite = { STORE: "sqlite", DATA_DIR: dataDirectory };
    try {
      model = createScriptedModel([{ text: "Answer one." }]);
      server = await startTestServer({ ...twilioEnvironment(), ...sqlite }, { model }, { dataDirectory });
      await postSigned("/twilio/sms", inboundSms("SMr1", "First"));
      await server.app.idle();
      await twilio.waitForMessages(1);
      // Acknowledged before the process stopped, not handled yet.
      const second = inboundSms("SMr2", "Second");
      expect(
        await server.app.stores.messagingState.acceptInbound({
          provider: "twilio-sms",
          eventId: "SMr2",
          payload: { MessageSid: "SMr2", From: second.From, To: second.To, Body: second.Body, media: [] },
          receivedAt: Date.now(),
        }),
      ).toBe(true);
      await server.close();
      server = undefined;
      // As if the process had stopped after storing and answering SMr1 but before marking it handled,
      // long enough ago for its claim on the event to have run out.
      const database = new DatabaseSync(path.join(dataDirectory, "switchboard.db"));
      database
        .prepare("UPDATE inbound_events SET payload = ?, claimed_until = 0 WHERE event_id = 'SMr1'")
        .run(JSON.stringify({ MessageSid: "SMr1", From: customer, To: ourNumber, Body: "First", media: [] }));
      database.close();

      model = createScriptedModel([{ text: "Answer two." }]);
      server = await startTestServer({ ...twilioEnvironment(), ...sqlite }, { model }, { dataDirectory });
      await server.app.idle();
      await twilio.waitForMessages(2);
      await server.app.outboxWorker.drain();
      expect(twilio.messages.map((message) => message.body)).toEqual(["Answer one.", "Answer two."]);
      const [conversation] = await server.app.store.listConversations();
      const messages = await server.app.store.listMessages(conversation!.id);
      expect(messages.map((message) => [message.role, message.text])).toEqual([
        ["user", "First"],
        ["assistant", "Answer one."],
        ["user", "Second"],
        ["assistant", "Answer two."],
      ]);
      expect(await server.app.stores.messagingState.listUnhandledInbound("twilio-sms")).toEqual([]);
    } finally {
      await server?.close();
      server = undefined;
      rmSync(dataDirectory, { recursive: true, force: true });
    }
  });

  it("answers a malformed webhook with 400", async () => {
    await start([]);
    const response = await postSigned("/twilio/sms", { Body: "no sid" });
    expect(response.status).toBe(400);
    expect(response.body).toContain("MessageSid");
  });

  it("a caller asks for a text: the SMS reaches Twilio while the voice reply keeps streaming", async () => {
    const slowTokens = Array.from({ length: 30 }, (_, index) => `word${index} `);
    await start([
      {
        text: ["Sure, "],
        toolCalls: [{ toolName: "send_sms", input: { message: "Party: Thursday 8 PM, Hall B." } }],
      },
      { text: slowTokens, delayMs: 25 },
    ]);
    await announceCall({
      baseUrl: server!.baseUrl,
      publicUrl,
      authToken,
      callSid: "CAtextme",
      from: customer,
    });
    const client = await RelayTestClient.connect({
      url: server!.relayUrl,
      signedUrl: `${publicUrl.replace("https", "wss")}/twilio/relay`,
      authToken,
    });
    client.sendSetup({ callSid: "CAtextme", from: customer });
    client.sendPrompt("Text me that");
    const [sms] = await twilio.waitForMessages(1);
    expect(sms).toMatchObject({ to: customer, body: "Party: Thursday 8 PM, Hall B." });
    // The SMS was delivered before the spoken reply finished streaming.
    expect(client.received.some((message) => message.type === "text" && message.last)).toBe(false);
    const reply = await client.nextReply({ timeoutMs: 5000 });
    expect(reply.text).toBe(`Sure, ${slowTokens.join("")}`);
    client.close();
    // The text appears in the call's conversation history.
    const call = await server!.app.store.getCallSession("CAtextme");
    const messages = await server!.app.store.listMessages(call!.conversationId);
    expect(
      messages.some(
        (message) => message.channel === "sms" && message.text === "Party: Thursday 8 PM, Hall B.",
      ),
    ).toBe(true);
    // In the order it happened: the caller's request, then the text it caused.
    const order = (text: string) => messages.findIndex((message) => message.text === text);
    expect(order("Text me that")).toBeGreaterThanOrEqual(0);
    expect(order("Text me that")).toBeLessThan(order("Party: Thursday 8 PM, Hall B."));
    const toolResult = messages.find((message) => message.role === "tool");
    expect(toolResult?.toolResults[0]).toMatchObject({
      toolName: "send_sms",
      isError: false,
      output: { status: "queued" },
    });
  });

  it("call_me_back places a call whose TwiML connects back to the same conversation", async () => {
    await start([{ toolCalls: [{ toolName: "call_me_back", input: {} }] }, { text: "Calling you now." }]);
    await postSigned("/twilio/sms", inboundSms("SM080", "Can you call me back?"));
    await twilio.waitForMessages(1);
    const call = await eventually(() => twilio.calls[0], "an outbound call");
    expect(call.to).toBe(customer);
    expect(call.twiml).toContain('<ConversationRelay url="wss://switchboard.example.test/twilio/relay"');
    const [conversation] = await server!.app.store.listConversations();
    expect(call.twiml).toContain(`<Parameter name="conversationId" value="${conversation!.id}"/>`);
  });

  it("asked over SMS to text the number being answered, sends nothing separate: the reply is the text", async () => {
    await start([
      { toolCalls: [{ toolName: "send_sms", input: { message: "Party: Thursday 8 PM, Hall B." } }] },
      { text: "Party: Thursday 8 PM, Hall B." },
    ]);
    await postSigned("/twilio/sms", inboundSms("SM090", "Text me that"));
    const [reply] = await twilio.waitForMessages(1);
    expect(reply).toMatchObject({ to: customer, body: "Party: Thursday 8 PM, Hall B." });
    const toolMessage = JSON.stringify(model.calls[1]?.prompt.at(-1));
    expect(toolMessage).toContain("in-reply");
    expect(toolMessage).toContain("your reply is that message");
    await server!.app.outboxWorker.drain();
    expect(twilio.messages).toHaveLength(1);
    const [conversation] = await server!.app.store.listConversations();
    const messages = await server!.app.store.listMessages(conversation!.id);
    expect(messages.filter((message) => message.metadata.via === "send_sms")).toEqual([]);
  });

  it("the offline model answers 'text me that' over SMS with one text holding the answer", async () => {
    server = await startTestServer(twilioEnvironment());
    await postSigned("/twilio/sms", inboundSms("SM091", "When is the re:Play party?"));
    const [answer] = await twilio.waitForMessages(1);
    expect(answer?.body).toMatch(/re:Play/);
    await postSigned("/twilio/sms", inboundSms("SM092", "Text me that"));
    const [, recap] = await twilio.waitForMessages(2);
    expect(recap?.body).toMatch(/re:Play/);
    expect(recap?.body).not.toMatch(/queued|From Switchboard/);
    await server.app.outboxWorker.drain();
    expect(twilio.messages).toHaveLength(2);
  });

  it("refuses to text any number but the customer's own", async () => {
    await start([
      { toolCalls: [{ toolName: "send_sms", input: { message: "hi", to: "+19995550000" } }] },
      { text: "I can only text you." },
    ]);
    await postSigned("/twilio/sms", inboundSms("SM070", "Text my friend at +19995550000"));
    const [reply] = await twilio.waitForMessages(1);
    expect(reply).toMatchObject({ to: customer, body: "I can only text you." });
    const toolMessage = model.calls[1]?.prompt.at(-1);
    expect(JSON.stringify(toolMessage)).toContain("not one of the customer's own");
    await server!.app.outboxWorker.drain();
    expect(twilio.messages.map((message) => message.to)).toEqual([customer]);
    // The operator sees the refusal in the log.
    expect(server!.logs.find((line) => line.msg === "agent: a tool call failed")).toMatchObject({
      toolName: "send_sms",
      channel: "sms",
      error: expect.stringContaining("not one of the customer's own"),
    });
  });
});
