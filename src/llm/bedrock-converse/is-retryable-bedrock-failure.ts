/** Bedrock error types worth another attempt (compared lower-cased, `Exception` suffix kept). */
const retryableErrorTypes = new Set([
  "throttlingexception",
  "serviceunavailableexception",
  "modelnotreadyexception",
  "internalserverexception",
  "modeltimeoutexception",
  "modelstreamerrorexception",
]);

/**
 * Whether a Bedrock failure may succeed when tried again: throttling, an unavailable or not yet
 * ready model, a server-side or stream failure, or HTTP 408, 429 or 5xx. Validation, access and
 * quota errors are final.
 */
export function isRetryableBedrockFailure(failure: {
  statusCode?: number | undefined;
  errorType?: string | undefined;
}): boolean {
  if (failure.errorType && retryableErrorTypes.has(failure.errorType.toLowerCase())) return true;
  const status = failure.statusCode;
  return status !== undefined && (status === 408 || status === 429 || status >= 500);
}
