import { afterEach, describe, expect, it } from "vitest";
import { createFakeTwilioServer } from "../../src/testing/create-fake-twilio-server.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { eventually, startTestServer, type TestServer } from "../helpers/start-test-server.js";

describe("HTTP: health and admin API", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("GET /healthz answers ok while the store is reachable, 503 when it is not", async () => {
    server = await startTestServer();
    const ok = await fetch(`${server.baseUrl}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "ok" });
    server.app.store.ping = async () => {
      throw new Error("disk gone");
    };
    const down = await fetch(`${server.baseUrl}/healthz`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { status: string }).status).toBe("unavailable");
  });

  it("requires the admin token and lists conversations newest first with their timelines", async () => {
    server = await startTestServer();
    const store = server.app.store;
    const older = await store.createConversation({ channel: "voice" });
    await store.appendMessage({ conversationId: older.id, role: "user", channel: "voice", text: "first" });
    const newer = await store.createConversation({ channel: "sms" });
    await store.appendMessage({ conversationId: newer.id, role: "user", channel: "sms", text: "second" });

    const unauthorized = await fetch(`${server.baseUrl}/api/conversations`);
    expect(unauthorized.status).toBe(401);
    const wrong = await fetch(`${server.baseUrl}/api/conversations`, {
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(401);

    const headers = { authorization: "Bearer test-admin-token" };
    const list = (await (await fetch(`${server.baseUrl}/api/conversations`, { headers })).json()) as {
      conversations: Array<{ id: string }>;
    };
    expect(list.conversations.map((conversation) => conversation.id)).toEqual([newer.id, older.id]);

    const detail = (await (
      await fetch(`${server.baseUrl}/api/conversations/${older.id}`, { headers })
    ).json()) as {
      messages: Array<{ text: string }>;
    };
    expect(detail.messages.map((message) => message.text)).toEqual(["first"]);

    const missing = await fetch(`${server.baseUrl}/api/conversations/conv_missing`, { headers });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");

    const badQuery = await fetch(`${server.baseUrl}/api/conversations?limit=abc`, { headers });
    expect(badQuery.status).toBe(400);
  });

  it("lists inbox events whose handling failed, and tries one again at the operator's request", async () => {
    server = await startTestServer({}, { model: createScriptedModel([{ text: "Got it." }]) });
    const { messagingState } = server.app.stores;
    const payload = {
      MessageSid: "SMpoison",
      From: "+14155550123",
      To: "+14155550000",
      Body: "hello",
      media: [],
    };
    await messagingState.acceptInbound({
      provider: "twilio-sms",
      eventId: "SMpoison",
      payload,
      receivedAt: 5,
    });
    for (let round = 0; round < 3; round++)
      await messagingState.recordInboundFailure("twilio-sms", "SMpoison", "Error: the store was down");
    const headers = { authorization: "Bearer test-admin-token" };
    expect((await fetch(`${server.baseUrl}/api/inbox/failed`)).status).toBe(401);

    const listed = (await (await fetch(`${server.baseUrl}/api/inbox/failed`, { headers })).json()) as {
      events: unknown[];
    };
    expect(listed.events).toEqual([
      {
        provider: "twilio-sms",
        eventId: "SMpoison",
        payload,
        receivedAt: 5,
        failures: 3,
        lastError: "Error: the store was down",
        waitingForOperator: true,
      },
    ]);

    const missing = await fetch(`${server.baseUrl}/api/inbox/failed/twilio-sms/SMnone/retry`, {
      method: "POST",
      headers,
    });
    expect(missing.status).toBe(404);
    const retried = await fetch(`${server.baseUrl}/api/inbox/failed/twilio-sms/SMpoison/retry`, {
      method: "POST",
      headers,
    });
    expect(retried.status).toBe(202);
    await eventually(
      async () => (await messagingState.listUnhandledInbound("twilio-sms")).length === 0,
      "the event tried again to be handled",
    );
    await server.app.idle();
    const conversations = await server.app.store.listConversations();
    const messages = await server.app.store.listMessages(conversations[0]?.id ?? "");
    expect(messages.map((message) => message.text)).toEqual(["hello", "Got it."]);
    const after = (await (await fetch(`${server.baseUrl}/api/inbox/failed`, { headers })).json()) as {
      events: unknown[];
    };
    expect(after.events).toEqual([]);
  });

  it("sends a failed outbound message again at the operator's request, once its cause is fixed", async () => {
    const accountSid = "AC44444444444444444444444444444444";
    const twilio = await createFakeTwilioServer({ accountSid, authToken: "retry-test-token" });
    try {
      server = await startTestServer({
        TWILIO_ACCOUNT_SID: accountSid,
        TWILIO_AUTH_TOKEN: "retry-test-token",
        TWILIO_PHONE_NUMBER: "+18885550100",
        TWILIO_API_BASE_URL: twilio.url,
      });
      const headers = { authorization: "Bearer test-admin-token" };
      // Wrong credentials: Twilio answers 401 / 20003, a failure no automatic retry can fix.
      twilio.failNext(1, { status: 401, code: 20003, message: "Authenticate" });
      const { entry } = await server.app.stores.outbox.enqueueOutbound({
        idempotencyKey: "operator-retry",
        payload: { kind: "sms", to: "+14155550123", body: "Your order ships Monday." },
      });
      server.app.outboxWorker.wake();
      await eventually(
        async () => (await server?.app.stores.outbox.getOutbound(entry.id))?.status === "failed",
        "the send failed for good",
      );
      expect(twilio.messages).toHaveLength(0);

      const retry = (id: string) =>
        fetch(`${server?.baseUrl}/api/outbox/${id}/retry`, { method: "POST", headers });
      expect((await fetch(`${server.baseUrl}/api/outbox/${entry.id}/retry`, { method: "POST" })).status).toBe(
        401,
      );
      expect((await retry("out_missing")).status).toBe(404);
      const retried = await retry(entry.id);
      expect(retried.status).toBe(202);
      expect(((await retried.json()) as { entry: { status: string; attempts: number } }).entry).toMatchObject(
        {
          status: "pending",
          attempts: 0,
        },
      );
      await eventually(async () => twilio.messages.length === 1, "the message sent on the retry");
      expect(twilio.messages[0]).toMatchObject({ to: "+14155550123", body: "Your order ships Monday." });
      await eventually(
        async () => (await server?.app.stores.outbox.getOutbound(entry.id))?.status === "sent",
        "the entry marked sent",
      );
      // Sent once: asking again is refused, and nothing more leaves.
      const again = await retry(entry.id);
      expect(again.status).toBe(409);
      expect(((await again.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "OUTBOX_NOT_RETRYABLE",
        message: expect.stringContaining("is sent"),
      });
      await server.app.outboxWorker.drain();
      expect(twilio.messages).toHaveLength(1);
    } finally {
      await twilio.close();
    }
  });

  it("answers unknown routes with a JSON 404", async () => {
    server = await startTestServer();
    const response = await fetch(`${server.baseUrl}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("answers a URL the router refuses (bad escapes, an over-long id) with the same error body", async () => {
    server = await startTestServer();
    const headers = { authorization: "Bearer test-admin-token" };
    for (const [path, status] of [
      ["/api/conversations/%E0%A4%A", 400],
      [`/api/calls/${"C".repeat(5000)}`, 414],
    ] as const) {
      const response = await fetch(`${server.baseUrl}${path}`, { headers });
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(Object.keys(body)).toEqual(["error"]);
      expect(body.error.code).toMatch(/^FST_ERR_/);
      expect(body.error.message.length).toBeGreaterThan(0);
    }
  });
});
