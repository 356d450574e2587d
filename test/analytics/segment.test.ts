import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { signTwilioRequest } from "../../src/testing/sign-twilio-request.js";
import { eventually, postForm, startTestServer, type TestServer } from "../helpers/start-test-server.js";

interface Batch {
  authorization: string | undefined;
  batch: Array<{
    type: string;
    userId?: string;
    event?: string;
    traits?: Record<string, unknown>;
    properties?: Record<string, unknown>;
  }>;
}

async function fakeSegment() {
  const batches: Batch[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.url === "/v1/batch" && request.method === "POST") {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { batch: Batch["batch"] };
      batches.push({ authorization: request.headers.authorization, batch: body.batch });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    batches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Segment integration", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it("identifies resolved customers and tracks their turns, without phone numbers", async () => {
    const segment = await fakeSegment();
    server = await startTestServer(
      {
        SEGMENT_WRITE_KEY: "seg-key",
        SEGMENT_HOST: segment.url,
        PUBLIC_URL: "https://switchboard.example.test",
      },
      { model: createScriptedModel([{ text: "Hello!" }]) },
    );
    const params = { MessageSid: "SMseg1", From: "+14155550123", To: "+18885550100", Body: "hi" };
    const response = await postForm(`${server.baseUrl}/twilio/sms`, params, {
      "x-twilio-signature": signTwilioRequest("unused", "https://x", params),
    });
    expect(response.status).toBe(200);
    await server.app.idle();
    await server.close();
    server = undefined;
    const events = await eventually(() => {
      const all = segment.batches.flatMap((batch) => batch.batch);
      return all.length >= 2 ? all : undefined;
    }, "segment events");
    expect(segment.batches[0]?.authorization).toBe(`Basic ${Buffer.from("seg-key:").toString("base64")}`);
    const identify = events.find((event) => event.type === "identify");
    const track = events.find((event) => event.type === "track");
    expect(identify?.userId).toMatch(/^cus_/);
    expect(identify?.traits).toMatchObject({ firstChannel: "sms" });
    expect(track).toMatchObject({
      userId: identify?.userId,
      event: "Conversation Turn",
      properties: { channel: "sms" },
    });
    expect(JSON.stringify(events)).not.toContain("4155550123");
    await segment.close();
  });
});
