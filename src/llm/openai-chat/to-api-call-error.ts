import { APICallError } from "@ai-sdk/provider";

/** HTTP statuses worth another attempt: timeout, conflict, rate limit, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** A failed HTTP response, whichever transport read it. */
export interface FailedResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** The body text ("" when it could not be read). */
  body: string;
}

/**
 * A failed HTTP response as the AI SDK's `APICallError` (what `toModelError` and the resilience
 * wrapper classify): the status, the body text, the headers (`retry-after`…) and the server's
 * `error.message` when the body is OpenAI-shaped JSON.
 */
export function toApiCallError(response: FailedResponse, url: string, requestBody: unknown): APICallError {
  let data: unknown;
  let serverMessage: string | undefined;
  try {
    data = JSON.parse(response.body);
    const message = (data as { error?: { message?: unknown } } | null)?.error?.message;
    if (typeof message === "string") serverMessage = message;
  } catch {
    data = undefined;
  }
  return new APICallError({
    message: serverMessage ?? (response.statusText || `HTTP ${response.status}`),
    url,
    requestBodyValues: requestBody,
    statusCode: response.status,
    responseHeaders: response.headers,
    responseBody: response.body,
    isRetryable: isRetryableStatus(response.status),
    data,
  });
}

/** A failed request that never got a response (refused, reset, DNS) as a retryable `APICallError`. */
export function toConnectionError(error: unknown, url: string, requestBody: unknown): APICallError {
  const detail = error instanceof Error ? error.message : String(error);
  return new APICallError({
    message: `Cannot connect to API: ${detail}`,
    url,
    requestBodyValues: requestBody,
    cause: error,
    isRetryable: true,
  });
}

/** A response body cut off by its connection. */
export function closedEarly(cause?: unknown): Error {
  return new Error("The connection closed before the response ended", cause ? { cause } : undefined);
}
