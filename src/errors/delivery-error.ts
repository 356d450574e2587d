import { SwitchboardError } from "./switchboard-error.js";

/** A provider refused or failed to take an outbound message. */
export class DeliveryError extends SwitchboardError {
  readonly provider: string;
  /** The provider's own error code (Twilio `21610`, HTTP status for SendGrid…). */
  readonly providerCode: string | undefined;
  /** From a `Retry-After` header, when the provider sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    provider: string,
    message: string,
    options: { retryable: boolean; providerCode?: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(options.retryable ? "DELIVERY_RETRYABLE" : "DELIVERY_FAILED", message, {
      cause: options.cause,
      retryable: options.retryable,
      statusCode: 502,
      details: { provider, providerCode: options.providerCode },
    });
    this.provider = provider;
    this.providerCode = options.providerCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

/** True for errors that mean the request never got a provider answer. */
export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code;
  const causeCode = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return (
    (typeof code === "string" && networkCodes.has(code)) ||
    (typeof causeCode === "string" && networkCodes.has(causeCode)) ||
    (error instanceof Error && /socket hang up|fetch failed|network/i.test(error.message))
  );
}
