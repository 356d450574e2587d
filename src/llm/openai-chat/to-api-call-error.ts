import { APICallError } from "@ai-sdk/provider";

/** HTTP statuses worth another attempt: timeout, conflict, rate limit, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * A failed HTTP response as the AI SDK's `APICallError` (what `toModelError` and the resilience
 * wrapper classify): the status, the body text, the headers (`retry-after`…) and the server's
 * `error.message` when the body is OpenAI-shaped JSON.
 */
export async function toApiCallError(
  response: Response,
  url: string,
  requestBody: unknown,
): Promise<APICallError> {
  let responseBody = "";
  try {
    responseBody = await response.text();
  } catch {
    // The body could not be read; the status still says what happened.
  }
  let data: unknown;
  let serverMessage: string | undefined;
  try {
    data = JSON.parse(responseBody);
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
    responseHeaders: headersOf(response),
    responseBody,
    isRetryable: isRetryableStatus(response.status),
    data,
  });
}

/** Response headers as a plain record. */
export function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/**
 * A `fetch` rejection as a retryable `APICallError` when it is a connection failure (undici's
 * `TypeError: fetch failed`); aborts and anything else are returned unchanged.
 */
export function toConnectionError(error: unknown, url: string, requestBody: unknown): unknown {
  if (!(error instanceof TypeError) || !/fetch failed|network/i.test(error.message)) return error;
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? cause.message : error.message;
  return new APICallError({
    message: `Cannot connect to API: ${detail}`,
    url,
    requestBodyValues: requestBody,
    cause: error,
    isRetryable: true,
  });
}
