import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/errors/delivery-error.js";
import { createWebhookSender } from "../../src/messaging/webhook/create-webhook-sender.js";
import type { OutboundWebhook } from "../../src/ports/outbound-sender.js";

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
  url: string;
}

const secret = "webhook-signing-secret-01";

describe("the event webhook sender", () => {
  let server: Server;
  let base: string;
  let received: Received[];
  let answer: (response: ServerResponse, request: Received) => void;

  beforeEach(async () => {
    received = [];
    answer = (response) => response.writeHead(204).end();
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const entry = {
          headers: request.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          url: request.url ?? "",
        };
        received.push(entry);
        answer(response, entry);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const payload = (): OutboundWebhook => ({
    kind: "webhook",
    to: `${base}/hooks/switchboard`,
    event: "call.ended",
    body: JSON.stringify({ event: "call.ended", id: "call.ended:CA1" }),
  });
  const sender = (timeoutMs?: number) =>
    createWebhookSender({ secret, now: () => 1_764_000_000, ...(timeoutMs ? { timeoutMs } : {}) });
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error("expected the send to fail");
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(DeliveryError);
        return error as DeliveryError;
      },
    );

  it("POSTs the body as is, signed, with the event name and the outbox's idempotency key", async () => {
    const result = await sender().send(payload(), { idempotencyKey: "call.ended:CA1" });
    expect(result).toEqual({ providerMessageId: "webhook-call.ended:CA1", status: "delivered" });
    const [request] = received;
    expect(request?.url).toBe("/hooks/switchboard");
    expect(request?.body).toBe(payload().body);
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["switchboard-event"]).toBe("call.ended");
    expect(request?.headers["idempotency-key"]).toBe("call.ended:CA1");
    const digest = createHmac("sha256", secret).update(`1764000000.${payload().body}`).digest("hex");
    expect(request?.headers["switchboard-signature"]).toBe(`t=1764000000,v1=${digest}`);
  });

  it("sends no signature without a secret", async () => {
    await createWebhookSender({ secret: undefined }).send(payload(), { idempotencyKey: "k" });
    expect(received[0]?.headers["switchboard-signature"]).toBeUndefined();
  });

  it("retries 5xx, 408 and 429 (with Retry-After), and gives up on other 4xx and on redirects", async () => {
    const cases: Array<[number, Record<string, string>, boolean]> = [
      [503, {}, true],
      [408, {}, true],
      [429, { "retry-after": "7" }, true],
      [400, {}, false],
      [410, {}, false],
      [301, { location: "/elsewhere" }, false],
    ];
    for (const [status, headers, retryable] of cases) {
      answer = (response) => response.writeHead(status, headers).end("no");
      const error = await failureOf(sender().send(payload(), { idempotencyKey: "k" }));
      expect({ status, retryable: error.retryable, code: error.providerCode }).toEqual({
        status,
        retryable,
        code: String(status),
      });
      if (status === 429) expect(error.retryAfterMs).toBe(7000);
    }
    expect(received.map((request) => request.url)).not.toContain("/elsewhere");
  });

  it("retries a receiver that does not answer in time, or cannot be reached", async () => {
    answer = () => undefined;
    const slow = await failureOf(sender(150).send(payload(), { idempotencyKey: "k" }));
    expect(slow.retryable).toBe(true);
    expect(slow.message).toBe("No answer within 150 ms");

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await failureOf(
      sender().send({ ...payload(), to: `http://127.0.0.1:${port}/x` }, { idempotencyKey: "k" }),
    );
    expect(unreachable.retryable).toBe(true);
    expect(unreachable.message).toContain("Could not reach the webhook");
  });
});
