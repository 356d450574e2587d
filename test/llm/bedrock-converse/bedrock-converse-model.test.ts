import { APICallError, type LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../src/errors/config-error.js";
import { ModelError } from "../../../src/errors/model-error.js";
import {
  type BedrockConverseModelOptions,
  createBedrockConverseModel,
  createLeanBedrockModel,
} from "../../../src/llm/bedrock-converse/create-bedrock-converse-model.js";
import { createOfflineModel } from "../../../src/llm/offline/create-offline-model.js";
import { withResilience } from "../../../src/llm/with-resilience.js";
import {
  createFakeBedrockRuntimeServer,
  type FakeBedrockReply,
  type FakeBedrockRuntimeServer,
} from "../../../src/testing/create-fake-bedrock-runtime-server.js";
import { contractTools, textPrompt, toolPrompt } from "../language-model-contract.js";
import { readAll, streamCall, textOf, toolCallsOf } from "../read-stream.js";

/** What a call rejects with (or `undefined` when it resolves). */
async function failureOf(call: PromiseLike<unknown>): Promise<unknown> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return error;
  }
}

const region = "us-west-2";
const modelId = "amazon.nova-lite-v1:0";
const credentials = { accessKeyId: "AKIDUNIT", secretAccessKey: "unit-secret" };
const tokens = ["One", " two", " three", " four."];

const servers: FakeBedrockRuntimeServer[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const server of servers.splice(0)) await server.close();
});

async function setUp(
  reply: FakeBedrockReply = { tokens },
  overrides: Partial<BedrockConverseModelOptions> = {},
) {
  const server = await createFakeBedrockRuntimeServer(reply, {
    region,
    accessKeyId: credentials.accessKeyId,
  });
  servers.push(server);
  const model = createBedrockConverseModel({
    region,
    modelId,
    credentials: async () => credentials,
    endpoint: server.url,
    ...overrides,
  });
  return { server, model };
}

/** A fetch that hands the answer body on in pieces of `size` bytes (or cut short after `limit`). */
function rechunkingFetch(size: number, limit = Number.POSITIVE_INFINITY): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const bytes = new Uint8Array(await response.arrayBuffer()).subarray(0, limit);
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.byteLength) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + size));
        offset += size;
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

describe("createBedrockConverseModel: the request", () => {
  it("posts a SigV4-signed Converse body to /model/{modelId}/converse-stream", async () => {
    const { server, model } = await setUp();
    await streamCall(model, { prompt: textPrompt, maxOutputTokens: 120, temperature: 0.3 });

    const [request] = server.requests;
    expect(request?.status).toBe(200);
    expect(request?.path).toBe("/model/amazon.nova-lite-v1%3A0/converse-stream");
    expect(request?.modelId).toBe(modelId);
    expect(request?.signature).toMatchObject({ accessKeyId: "AKIDUNIT", region });
    expect(request?.signature?.signedHeaders).toEqual(
      expect.arrayContaining(["host", "x-amz-date", "x-amz-content-sha256", "content-type"]),
    );
    expect(request?.headers.accept).toBe("application/vnd.amazon.eventstream");
    expect(request?.body).toEqual({
      system: [{ text: "You are a test.\n\nChannel: web" }],
      messages: [{ role: "user", content: [{ text: "Hello there" }] }],
      inferenceConfig: { maxTokens: 120, temperature: 0.3 },
    });
  });

  it("signs the session token of temporary credentials", async () => {
    const { server, model } = await setUp(
      { tokens },
      { credentials: async () => ({ ...credentials, sessionToken: "session-token" }) },
    );
    await streamCall(model, { prompt: textPrompt });
    expect(server.requests[0]?.headers["x-amz-security-token"]).toBe("session-token");
    expect(server.requests[0]?.signature?.signedHeaders).toContain("x-amz-security-token");
  });

  it("is refused by the fake when the body no longer matches its signed hash", async () => {
    const tampering: typeof fetch = (input, init) =>
      fetch(input, { ...init, body: String(init?.body).replace("Hello there", "Hello thorn") });
    const { server, model } = await setUp({ tokens }, { fetch: tampering });
    const failure = await failureOf(model.doStream({ prompt: textPrompt }));
    expect(APICallError.isInstance(failure)).toBe(true);
    expect((failure as APICallError).statusCode).toBe(403);
    expect((failure as APICallError).isRetryable).toBe(false);
    expect((failure as APICallError).message).toMatch(/^InvalidSignatureException: x-amz-content-sha256/);
    expect(server.requests[0]?.status).toBe(403);
  });

  it("is refused by the fake without a SigV4 authorization header", async () => {
    const { server } = await setUp();
    const response = await fetch(`${server.url}/model/m/converse-stream`, {
      method: "POST",
      headers: { authorization: "Bearer nope" },
      body: "{}",
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toMatch(/^InvalidSignatureException/);
  });
});

describe("createBedrockConverseModel: the stream", () => {
  it("decodes frames split across reads (one byte per read)", async () => {
    const { model } = await setUp({ tokens, chunking: "whole" }, { fetch: rechunkingFetch(1) });
    const parts = await streamCall(model, { prompt: textPrompt });
    expect(textOf(parts)).toBe(tokens.join(""));
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: { unified: "stop", raw: "end_turn" },
    });
  });

  it("errors the stream when the body ends inside a frame", async () => {
    const { model } = await setUp({ tokens }, { fetch: rechunkingFetch(7, 150) });
    const { stream } = await model.doStream({ prompt: textPrompt });
    await expect(readAll(stream)).rejects.toThrow(/ended inside a frame/);
  });

  it("streams a tool call as tool-input parts and one tool-call with JSON input", async () => {
    const { model } = await setUp({ toolCalls: [{ name: "send_digits", input: { digits: "123" } }] });
    const parts = await streamCall(model, { prompt: toolPrompt, tools: contractTools });
    expect(parts.map((part) => part.type)).toEqual([
      "stream-start",
      "response-metadata",
      "tool-input-start",
      "tool-input-delta",
      "tool-input-delta",
      "tool-input-end",
      "tool-call",
      "finish",
    ]);
    expect(toolCallsOf(parts)).toEqual([{ toolName: "send_digits", input: { digits: "123" } }]);
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: { unified: "tool-calls", raw: "tool_use" },
      usage: { outputTokens: { total: 1 } },
    });
  });

  it("turns an exception frame into an error part with a retryable APICallError, then finishes with error", async () => {
    const { model } = await setUp({
      tokens,
      exception: { type: "throttlingException", message: "Too many tokens", afterTokens: 2 },
    });
    const parts = await streamCall(model, { prompt: textPrompt });
    expect(textOf(parts)).toBe("One two");
    const errorPart = parts.find(
      (part): part is Extract<LanguageModelV3StreamPart, { type: "error" }> => part.type === "error",
    );
    expect(APICallError.isInstance(errorPart?.error)).toBe(true);
    const error = errorPart?.error as APICallError;
    expect(error.statusCode).toBe(429);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toBe("throttlingException: Too many tokens");
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: { unified: "error" } });
  });

  it("rejects before fetching when the signal is already aborted", async () => {
    const counting = vi.fn(fetch);
    const { model } = await setUp({ tokens }, { fetch: counting });
    await expect(model.doStream({ prompt: textPrompt, abortSignal: AbortSignal.abort() })).rejects.toThrow();
    expect(counting).not.toHaveBeenCalled();
  });
});

describe("createBedrockConverseModel: failures", () => {
  it.each([
    [429, "ThrottlingException", true],
    [500, "InternalServerException", true],
    [503, "ServiceUnavailableException", true],
    [400, "ValidationException", false],
  ])("HTTP %i becomes an APICallError (%s, retryable %s)", async (status, errorType, retryable) => {
    const { server, model } = await setUp();
    server.failNext(1, status);
    const failure = await failureOf(model.doStream({ prompt: textPrompt }));
    expect(APICallError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ statusCode: status, isRetryable: retryable });
    expect((failure as APICallError).message).toMatch(new RegExp(`^${errorType}: Fake failure`));
  });

  it("an unreachable endpoint is a retryable APICallError", async () => {
    const { server, model } = await setUp();
    await server.close();
    const failure = await failureOf(model.doStream({ prompt: textPrompt }));
    expect(failure).toMatchObject({ isRetryable: true });
    expect(APICallError.isInstance(failure)).toBe(true);
  });

  it("withResilience retries a throttling exception frame before content, then falls back", async () => {
    const { server, model } = await setUp({ tokens, exception: { type: "throttlingException" } });
    const resilient = withResilience(model, { fallback: createOfflineModel() });
    const parts = await streamCall(resilient, { prompt: textPrompt });
    expect(server.requests).toHaveLength(2);
    expect(textOf(parts)).toMatch(/offline/);
  });

  it("withResilience does not retry a validation exception frame", async () => {
    const { server, model } = await setUp({
      tokens,
      exception: { type: "validationException", message: "bad" },
    });
    const failure = await failureOf(withResilience(model).doStream({ prompt: textPrompt }));
    expect(failure).toBeInstanceOf(ModelError);
    expect(failure).toMatchObject({ retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it("withResilience retries an HTTP 500 once and then streams", async () => {
    const { server, model } = await setUp();
    server.failNext(1, 500);
    const parts = await streamCall(withResilience(model), { prompt: textPrompt });
    expect(textOf(parts)).toBe(tokens.join(""));
    expect(server.requests.map((request) => request.status)).toEqual([500, 200]);
  });
});

describe("createBedrockConverseModel: doGenerate", () => {
  it("calls /converse and maps text, tool calls, stop reason and usage", async () => {
    const { server, model } = await setUp({ toolCalls: [{ name: "end_call", input: { reason: "done" } }] });
    const result = await model.doGenerate({ prompt: toolPrompt, tools: contractTools });
    expect(server.requests[0]?.path).toBe("/model/amazon.nova-lite-v1%3A0/converse");
    expect(result.content).toEqual([
      { type: "tool-call", toolCallId: "tooluse_fake1", toolName: "end_call", input: '{"reason":"done"}' },
    ]);
    expect(result.finishReason).toEqual({ unified: "tool-calls", raw: "tool_use" });
    expect(result.usage.outputTokens.total).toBe(1);
    expect(result.usage.inputTokens.total).toBeGreaterThan(0);
  });

  it("reports a Bedrock error answer as an APICallError", async () => {
    const { model } = await setUp({ exception: { type: "throttlingException", message: "slow" } });
    const failure = await failureOf(model.doGenerate({ prompt: textPrompt }));
    expect(failure).toMatchObject({
      statusCode: 429,
      isRetryable: true,
      message: "ThrottlingException: slow",
    });
  });
});

describe("createLeanBedrockModel", () => {
  it("requires a region", async () => {
    await expect(createLeanBedrockModel({ region: undefined, modelId })).rejects.toBeInstanceOf(ConfigError);
  });

  it("signs with credentials from the AWS default chain (here: the environment)", async () => {
    const server = await createFakeBedrockRuntimeServer({ tokens }, { region });
    servers.push(server);
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDFROMENV");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret-from-env");
    vi.stubEnv("AWS_SESSION_TOKEN", "");
    vi.stubEnv("AWS_PROFILE", "");
    const model = await createLeanBedrockModel({ region, modelId, endpoint: server.url });
    expect(model.provider).toBe("amazon-bedrock.converse");
    const result = await model.doGenerate({ prompt: textPrompt });
    expect(result.content).toEqual([{ type: "text", text: tokens.join("") }]);
    expect(server.requests[0]?.signature?.accessKeyId).toBe("AKIDFROMENV");
  });
});
