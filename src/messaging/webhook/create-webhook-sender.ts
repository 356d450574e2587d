import { DeliveryError, isNetworkError, parseRetryAfter } from "../../errors/delivery-error.js";
import type { OutboundPayload, OutboundSender, SendResult } from "../../ports/outbound-sender.js";
import { switchboardPostHeaders } from "../switchboard-signature.js";

export interface WebhookSenderOptions {
  /** Signs every request (`switchboard-signature`) when set. */
  secret: string | undefined;
  /** Per attempt; a slower receiver is retried later. */
  timeoutMs?: number;
  /** Seconds since the epoch, for the signature's timestamp (tests pin it). */
  now?: () => number;
}

/**
 * POSTs event webhooks (docs/webhooks.md) for the outbox, which gives them its retries with backoff,
 * leases and dead letters. 2xx is delivered; a timeout, a network error, 408, 429 (with Retry-After)
 * and 5xx are retried; any other answer, a redirect included, fails the event for good. Every
 * attempt carries the same `idempotency-key` (the outbox entry's), so a receiver can drop a repeat.
 */
export function createWebhookSender(options: WebhookSenderOptions): OutboundSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name: "webhook",
    kinds: ["webhook"],
    async send(payload: OutboundPayload, sendOptions): Promise<SendResult> {
      if (payload.kind !== "webhook") throw new Error(`The webhook sender cannot send ${payload.kind}`);
      const headers = switchboardPostHeaders({
        body: payload.body,
        idempotencyKey: sendOptions.idempotencyKey,
        secret: options.secret,
        extra: { "switchboard-event": payload.event },
        now: options.now,
      });
      let response: Response;
      try {
        response = await fetch(payload.to, {
          method: "POST",
          headers,
          body: payload.body,
          redirect: "manual",
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === "TimeoutError";
        if (timedOut || isNetworkError(error)) {
          throw new DeliveryError(
            "webhook",
            timedOut
              ? `No answer within ${timeoutMs} ms`
              : `Could not reach the webhook: ${(error as Error).message}`,
            { retryable: true, cause: error },
          );
        }
        throw new DeliveryError("webhook", (error as Error).message, { retryable: false, cause: error });
      }
      await response.body?.cancel().catch(() => undefined);
      if (response.ok)
        return { providerMessageId: `webhook-${sendOptions.idempotencyKey}`, status: "delivered" };
      const status = response.status;
      const retryable = status === 408 || status === 429 || status >= 500;
      throw new DeliveryError(
        "webhook",
        status >= 300 && status < 400
          ? `The webhook answered with a redirect (HTTP ${status}); redirects are not followed`
          : `The webhook answered HTTP ${status}`,
        {
          retryable,
          providerCode: String(status),
          retryAfterMs: retryable ? parseRetryAfter(response.headers.get("retry-after")) : undefined,
        },
      );
    },
  };
}
