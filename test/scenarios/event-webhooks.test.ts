import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { OutboxEntry } from "../../src/ports/outbox-store.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { RelayTestClient } from "../../src/testing/relay-test-client.js";
import type { CallEndedEvent, HandoffRequestedEvent } from "../../src/webhooks/create-event-webhooks.js";
import { type RecordingServer, startRecordingServer } from "../helpers/recording-server.js";
import { eventually, postForm, startTestServer, type TestServer } from "../helpers/start-test-server.js";

const secret = "events-webhook-secret-7";
const headers = { authorization: "Bearer test-admin-token" };

describe("event webhooks (EVENTS_WEBHOOK_URL)", () => {
  let server: TestServer | undefined;
  let receiver: RecordingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await receiver?.close();
    receiver = undefined;
  });

  it("a call that ends sends one signed call.ended with its transcript and hand-off, retried until the receiver takes it", async () => {
    const statuses: number[] = [];
    // The company's receiver: down (503) for its first request, then up.
    const events = await startRecordingServer((_, response) => {
      const status = statuses.length === 0 ? 503 : 200;
      statuses.push(status);
      response.writeHead(status).end();
    });
    receiver = events;
    const model = createScriptedModel(() => ({ text: "We are open from 9 to 5." }));
    server = await startTestServer(
      {
        STORE: "sqlite",
        EVENTS_WEBHOOK_URL: `${events.base}/switchboard-events`,
        EVENTS_WEBHOOK_SECRET: secret,
        OUTBOX_RETRY_BASE_MS: "20",
        VOICE_WELCOME_GREETING: "",
        HUMAN_AGENT_NUMBER: "+15551230000",
      },
      { model },
    );
    const call = await RelayTestClient.connect({ url: server.relayUrl });
    call.sendSetup({ callSid: "CAevents", sessionId: "VXevents", from: "+14155550123" });
    call.sendPrompt("When are you open?");
    await call.nextReply({ timeoutMs: 5000 });
    await server.app.idle();
    call.close();
    // On a call, a person is reached by transfer_to_human; request_human is for the text channels.
    const voiceTools = (model.calls[0]?.tools ?? []).map((tool) => tool.name);
    expect(voiceTools).toContain("transfer_to_human");
    expect(voiceTools).not.toContain("request_human");

    const ended = (fields: Record<string, string>) =>
      postForm(`${server!.baseUrl}/twilio/voice/ended`, {
        CallSid: "CAevents",
        SessionId: "VXevents",
        ...fields,
      });
    // The socket dropped with the caller still on the line: a reconnect, not the end of the call.
    expect((await ended({ ErrorCode: "64105", CallStatus: "in-progress" })).body).toContain(
      "<ConversationRelay",
    );
    const handoff = JSON.stringify({ reason: "human", summary: "Wants to talk about an invoice" });
    const final = {
      SessionStatus: "ended",
      SessionDuration: "42",
      CallStatus: "completed",
      HandoffData: handoff,
    };
    expect((await ended(final)).status).toBe(200);
    expect((await ended(final)).status).toBe(200); // Twilio repeats its callback

    await eventually(() => statuses.includes(200), "the event delivered");
    await new Promise((resolve) => setTimeout(resolve, 100)); // nothing more arrives
    expect(statuses).toEqual([503, 200]);
    expect(events.requests.map((request) => request.url)).toEqual([
      "/switchboard-events",
      "/switchboard-events",
    ]);
    const [first, second] = events.requests;
    expect(second?.body).toBe(first?.body);
    expect(second?.headers["idempotency-key"]).toBe("call.ended:CAevents");
    expect(second?.headers["switchboard-event"]).toBe("call.ended");
    const [, timestamp] = /^t=(\d+),/.exec(String(second?.headers["switchboard-signature"])) ?? [];
    const digest = createHmac("sha256", secret).update(`${timestamp}.${second?.body}`).digest("hex");
    expect(second?.headers["switchboard-signature"]).toBe(`t=${timestamp},v1=${digest}`);

    const event = JSON.parse(second?.body ?? "{}") as CallEndedEvent;
    expect(event).toMatchObject({
      event: "call.ended",
      id: "call.ended:CAevents",
      call: {
        callSid: "CAevents",
        from: "+14155550123",
        status: "ended",
        durationSeconds: 42,
        errorCode: null,
      },
      handoff: { reason: "human", summary: "Wants to talk about an invoice" },
      customer: { phoneNumbers: ["+14155550123"], emails: [] },
    });
    expect(event.transcript.map(({ role, text }) => ({ role, text }))).toEqual([
      { role: "user", text: "When are you open?" },
      { role: "assistant", text: "We are open from 9 to 5." },
    ]);

    // It is an outbox entry like any outbound message: visible, delivered, erased with the customer.
    const { outbox } = (await (await fetch(`${server.baseUrl}/api/outbox`, { headers })).json()) as {
      outbox: OutboxEntry[];
    };
    const entry = outbox.find((candidate) => candidate.kind === "webhook");
    expect(entry).toMatchObject({ status: "delivered", attempts: 2, conversationId: event.conversation.id });
  });

  it("a texting customer asks for a person: request_human sends handoff.requested with the latest messages", async () => {
    const events = await startRecordingServer((_, response) => response.writeHead(204).end());
    receiver = events;
    const model = createScriptedModel((options) => {
      const last = options.prompt[options.prompt.length - 1];
      if (last?.role === "tool") return { text: "Someone from the team will text you back." };
      const offered = (options.tools ?? []).map((tool) => tool.name);
      if (!offered.includes("request_human")) return { text: "I cannot reach a person from here." };
      return {
        toolCalls: [{ toolName: "request_human", input: { reason: "Disputes a charge on invoice 311" } }],
      };
    });
    server = await startTestServer(
      {
        EVENTS_WEBHOOK_URL: `${events.base}/events`,
        EVENTS_WEBHOOK_SECRET: secret,
        OUTBOX_RETRY_BASE_MS: "20",
      },
      { model },
    );
    const sms = {
      MessageSid: "SMhandoff",
      From: "+14155550199",
      To: "+18885550100",
      Body: "I want a person",
    };
    expect((await postForm(`${server.baseUrl}/twilio/sms`, sms)).status).toBe(200);
    await server.app.idle();

    await eventually(() => events.requests.length > 0, "the hand-off event");
    const [request] = events.requests;
    expect(request?.headers["switchboard-event"]).toBe("handoff.requested");
    const event = JSON.parse(request?.body ?? "{}") as HandoffRequestedEvent;
    expect(event).toMatchObject({
      event: "handoff.requested",
      channel: "sms",
      reason: "Disputes a charge on invoice 311",
      customer: { phoneNumbers: ["+14155550199"] },
    });
    expect(event.recentMessages).toContainEqual(
      expect.objectContaining({ role: "user", text: "I want a person" }),
    );
    // The customer is told, by text, through the outbox.
    const { outbox } = (await (await fetch(`${server.baseUrl}/api/outbox`, { headers })).json()) as {
      outbox: OutboxEntry[];
    };
    expect(outbox.map((entry) => entry.kind).sort()).toEqual(["sms", "webhook"]);
    const toolsOffered = (model.calls[0]?.tools ?? []).map((tool) => tool.name);
    expect(toolsOffered).toContain("request_human");
  });

  it("sends nothing without EVENTS_WEBHOOK_URL, and offers no request_human", async () => {
    const model = createScriptedModel(() => ({ text: "Hello." }));
    server = await startTestServer({ VOICE_WELCOME_GREETING: "" }, { model });
    const call = await RelayTestClient.connect({ url: server.relayUrl });
    call.sendSetup({ callSid: "CAquiet" });
    await server.app.idle();
    call.close();
    await postForm(`${server.baseUrl}/twilio/voice/ended`, { CallSid: "CAquiet", SessionStatus: "ended" });
    const { outbox } = (await (await fetch(`${server.baseUrl}/api/outbox`, { headers })).json()) as {
      outbox: OutboxEntry[];
    };
    expect(outbox).toEqual([]);
    await postForm(`${server.baseUrl}/twilio/sms`, { MessageSid: "SMq", From: "+14155550100", Body: "Hi" });
    await server.app.idle();
    expect(model.calls.length).toBeGreaterThan(0);
    for (const call of model.calls)
      expect((call.tools ?? []).map((tool) => tool.name)).not.toContain("request_human");
  });
});
