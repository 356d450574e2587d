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
    const response = await postForm(`${server.baseUrl}/twilio/sms`, {
      MessageSid: "SMlogs1",
      From: "+14155550123",
      To: "+18885550100",
      Body: "hello",
    });
    expect(response.status).toBe(200);
    const received = server.logs.find((line) => line.msg === "sms: received");
    expect(received?.reqId).toMatch(/\S/);
    expect(received?.conversationId).toMatch(/^conv_/);
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
