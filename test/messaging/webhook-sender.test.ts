import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/errors/delivery-error.js";
import { createWebhookSender } from "../../src/messaging/webhook/create-webhook-sender.js";
import type { OutboundWebhook } from "../../src/ports/outbound-sender.js";
import {
  closedPort,
  type RecordedRequest,
  type RecordingServer,
  startRecordingServer,
} from "../helpers/recording-server.js";

const secret = "webhook-signing-secret-01";

describe("the event webhook sender", () => {
  let receiver: RecordingServer;
  let base: string;
  let received: RecordedRequest[];

  beforeEach(async () => {
    receiver = await startRecordingServer((_, response) => response.writeHead(204).end());
    base = receiver.base;
    received = receiver.requests;
  });
  afterEach(() => receiver.close());

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
      receiver.answer = (_, response) => response.writeHead(status, headers).end("no");
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
    receiver.answer = () => undefined;
    const slow = await failureOf(sender(150).send(payload(), { idempotencyKey: "k" }));
    expect(slow.retryable).toBe(true);
    expect(slow.message).toBe("No answer within 150 ms");

    const port = await closedPort();
    const unreachable = await failureOf(
      sender().send({ ...payload(), to: `http://127.0.0.1:${port}/x` }, { idempotencyKey: "k" }),
    );
    expect(unreachable.retryable).toBe(true);
    expect(unreachable.message).toContain("Could not reach the webhook");
  });
});
