import { afterEach, describe, expect, it } from "vitest";
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

  it("answers unknown routes with a JSON 404", async () => {
    server = await startTestServer();
    const response = await fetch(`${server.baseUrl}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});
