import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/start-test-server.js";

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

  it("answers unknown routes with a JSON 404", async () => {
    server = await startTestServer();
    const response = await fetch(`${server.baseUrl}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});
