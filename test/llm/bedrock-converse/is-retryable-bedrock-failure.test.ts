import { APICallError } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { isRetryableBedrockFailure } from "../../../src/llm/bedrock-converse/is-retryable-bedrock-failure.js";
import { toBedrockApiCallError } from "../../../src/llm/bedrock-converse/to-bedrock-api-call-error.js";

describe("isRetryableBedrockFailure", () => {
  it.each([
    ["throttlingException", undefined, true],
    ["ThrottlingException", 429, true],
    ["serviceUnavailableException", undefined, true],
    ["ModelNotReadyException", 429, true],
    ["internalServerException", undefined, true],
    ["modelStreamErrorException", undefined, true],
    [undefined, 500, true],
    [undefined, 503, true],
    [undefined, 408, true],
    ["validationException", undefined, false],
    ["ValidationException", 400, false],
    ["AccessDeniedException", 403, false],
    [undefined, 404, false],
  ])("%s (HTTP %s) → %s", (errorType, statusCode, retryable) => {
    expect(isRetryableBedrockFailure({ errorType, statusCode })).toBe(retryable);
  });
});

describe("toBedrockApiCallError", () => {
  it("takes the status of an exception frame from its type", () => {
    const throttled = toBedrockApiCallError({
      url: "http://bedrock/model/m/converse-stream",
      requestBody: {},
      errorType: "throttlingException",
      message: "Too many requests",
    });
    expect(APICallError.isInstance(throttled)).toBe(true);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.isRetryable).toBe(true);
    expect(throttled.message).toBe("throttlingException: Too many requests");

    const invalid = toBedrockApiCallError({
      url: "u",
      requestBody: {},
      errorType: "validationException",
      message: "bad",
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.isRetryable).toBe(false);
  });

  it("strips the namespace of the x-amzn-errortype header value", () => {
    const error = toBedrockApiCallError({
      url: "u",
      requestBody: {},
      errorType: "ServiceUnavailableException:http://internal.amazon.com/coral/com.amazon.bedrock/",
      message: "try later",
      statusCode: 503,
    });
    expect(error.message).toBe("ServiceUnavailableException: try later");
    expect(error.isRetryable).toBe(true);
  });
});
