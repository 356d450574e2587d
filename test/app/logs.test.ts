import { afterEach, describe, expect, it } from "vitest";
import { postForm, startTestServer, type TestServer } from "../helpers/start-test-server.js";

describe("logs", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("request logs carry the request id (the per-request child logger is made on first use)", async () => {
    server = await startTestServer();
    const sms = { MessageSid: "SMlogs1", From: "+14155550123", To: "+18885550100", Body: "hello" };
    expect((await postForm(`${server.baseUrl}/twilio/sms`, sms)).status).toBe(200);
    expect((await postForm(`${server.baseUrl}/twilio/sms`, sms)).status).toBe(200);
    const duplicate = server.logs.find((line) => line.msg === "sms: duplicate webhook ignored");
    expect(duplicate?.reqId).toMatch(/\S/);
    expect(duplicate?.messageSid).toBe("SMlogs1");
    // Handled after the acknowledgement, outside the request: the line names the conversation.
    await server.app.idle();
    const received = server.logs.find((line) => line.msg === "sms: received");
    expect(received?.conversationId).toMatch(/^conv_/);
    expect(received?.messageSid).toBe("SMlogs1");
  });

  it("logs the knowledge index as structured fields, not a stringified object", async () => {
    server = await startTestServer({ KNOWLEDGE_PROVIDER: "local" });
    const built = server.logs.find((line) => line.msg === "knowledge: index built");
    expect(built).toBeDefined();
    expect(built?.records).toBeGreaterThan(100);
    expect(String(built?.directory)).toMatch(/knowledge/);
    expect(server.logs.some((line) => String(line.msg).includes("[object Object]"))).toBe(false);
  });
});
