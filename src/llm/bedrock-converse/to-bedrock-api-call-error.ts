import { APICallError } from "@ai-sdk/provider";
import { isRetryableBedrockFailure } from "./is-retryable-bedrock-failure.js";

/** The HTTP status Bedrock documents for each error type, for exceptions sent inside a stream. */
const statusOfErrorType: Readonly<Record<string, number>> = {
  validationexception: 400,
  servicequotaexceededexception: 400,
  accessdeniedexception: 403,
  resourcenotfoundexception: 404,
  modeltimeoutexception: 408,
  modelerrorexception: 424,
  modelstreamerrorexception: 424,
  throttlingexception: 429,
  modelnotreadyexception: 429,
  internalserverexception: 500,
  serviceunavailableexception: 503,
};

export interface BedrockFailure {
  url: string;
  requestBody: unknown;
  /** `ThrottlingException`, `throttlingException` or the `x-amzn-errortype` header value. */
  errorType: string | undefined;
  message: string | undefined;
  /** The response status; for an exception frame, left out and taken from the error type. */
  statusCode?: number | undefined;
  responseHeaders?: Record<string, string> | undefined;
  responseBody?: string | undefined;
}

/**
 * A failed Bedrock call (an HTTP error answer or an exception frame in the event stream) as the
 * AI SDK's `APICallError`, with `isRetryable` from `isRetryableBedrockFailure`, so the resilience
 * wrapper and `toModelError` treat it like any provider's error.
 */
export function toBedrockApiCallError(failure: BedrockFailure): APICallError {
  const errorType = failure.errorType?.split(":")[0] || undefined;
  const statusCode =
    failure.statusCode ?? (errorType ? statusOfErrorType[errorType.toLowerCase()] : undefined);
  const message = failure.message ?? `Bedrock request failed${statusCode ? ` with HTTP ${statusCode}` : ""}`;
  return new APICallError({
    message: errorType ? `${errorType}: ${message}` : message,
    url: failure.url,
    requestBodyValues: failure.requestBody,
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(failure.responseHeaders ? { responseHeaders: failure.responseHeaders } : {}),
    ...(failure.responseBody !== undefined ? { responseBody: failure.responseBody } : {}),
    isRetryable: isRetryableBedrockFailure({ statusCode, errorType }),
    data: { errorType },
  });
}

/** Reads a non-2xx Bedrock answer (`{ message }` JSON, `x-amzn-errortype` header) into an error. */
export async function toBedrockHttpError(
  response: Response,
  request: { url: string; requestBody: unknown },
): Promise<APICallError> {
  const responseBody = await response.text().catch(() => "");
  let message: string | undefined;
  let bodyType: string | undefined;
  try {
    const parsed = JSON.parse(responseBody) as { message?: unknown; Message?: unknown; __type?: unknown };
    const text = parsed.message ?? parsed.Message;
    if (typeof text === "string") message = text;
    if (typeof parsed.__type === "string") bodyType = parsed.__type.split("#").at(-1);
  } catch {
    if (responseBody) message = responseBody.slice(0, 500);
  }
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    responseHeaders[key] = value;
  });
  return toBedrockApiCallError({
    url: request.url,
    requestBody: request.requestBody,
    errorType: response.headers.get("x-amzn-errortype") ?? bodyType,
    message,
    statusCode: response.status,
    responseHeaders,
    responseBody,
  });
}
