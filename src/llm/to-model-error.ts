import { APICallError, type LanguageModelV3 } from "@ai-sdk/provider";
import { isNetworkError } from "../errors/delivery-error.js";
import { ModelError } from "../errors/model-error.js";
import { SwitchboardError } from "../errors/switchboard-error.js";
import { describeModel } from "./describe-model.js";

/**
 * Maps anything a provider throws (or sends as an `error` stream part) to a `ModelError`.
 * `retryable` follows the AI SDK's `APICallError.isRetryable`, else the HTTP status (408, 429,
 * 5xx) or a network failure (connection refused, `fetch failed`…).
 */
export function toModelError(model: LanguageModelV3, error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  const provider = describeModel(model);
  if (APICallError.isInstance(error)) {
    const status = error.statusCode ? ` (HTTP ${error.statusCode})` : "";
    return new ModelError(provider, `${provider} failed${status}: ${error.message}`, {
      cause: error,
      retryable: error.isRetryable,
    });
  }
  if (error instanceof SwitchboardError) {
    return new ModelError(provider, error.message, { cause: error, retryable: error.retryable });
  }
  const status = statusOf(error);
  return new ModelError(
    provider,
    `${provider} failed${status ? ` (HTTP ${status})` : ""}: ${messageOf(error)}`,
    {
      cause: error,
      retryable:
        (status !== undefined && (status === 408 || status === 429 || status >= 500)) ||
        isNetworkError(error),
    },
  );
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null) {
    const record = error as { message?: unknown; error?: { message?: unknown } };
    if (typeof record.message === "string") return record.message;
    if (typeof record.error?.message === "string") return record.error.message;
    return JSON.stringify(error);
  }
  return String(error);
}

/** An HTTP status carried by an error object (`statusCode`, `status`, or OpenAI's numeric `code`). */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const record = error as { statusCode?: unknown; status?: unknown; code?: unknown };
  for (const value of [record.statusCode, record.status, record.code]) {
    if (typeof value === "number" && value >= 400 && value <= 599) return value;
  }
  return undefined;
}
