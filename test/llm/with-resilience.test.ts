import { APICallError, type LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { afterEach, describe, expect, it } from "vitest";
import type { LlmConfig } from "../../src/config/config.js";
import { ModelError } from "../../src/errors/model-error.js";
import { createLanguageModel, describeModel } from "../../src/llm/create-language-model.js";
import { createOfflineModel } from "../../src/llm/offline/create-offline-model.js";
import { abortReason } from "../../src/llm/stream-parts.js";
import { withResilience } from "../../src/llm/with-resilience.js";
import {
  createFakeOpenAiServer,
  type FakeOpenAiServer,
} from "../../src/testing/create-fake-openai-server.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { openCallVia, streamCallVia, streamWays, textOf, userPrompt } from "./read-stream.js";
import { testLlmConfig } from "./test-llm-config.js";

/** The openai primary these tests fail over from. */
const llmConfigWith = (overrides: Partial<LlmConfig>) =>
  testLlmConfig({ provider: "openai", model: "gpt-primary", apiKey: "test-key", ...overrides });

const prompt = userPrompt("Hello there");
const retryableError = () =>
  new APICallError({ message: "overloaded", url: "http://x", requestBodyValues: {}, statusCode: 503 });

async function rejection(promise: PromiseLike<unknown>): Promise<ModelError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ModelError);
  return error as ModelError;
}

describe.each(streamWays)("retry (fake OpenAI server), via %s", (way) => {
  let server: FakeOpenAiServer;
  afterEach(async () => server?.close());

  it("retries a 500 once and then streams the answer: exactly 2 requests", async () => {
    server = await createFakeOpenAiServer({ tokens: ["Second ", "time ", "lucky."] });
    server.failNext(1, 500);
    const model = await createLanguageModel(llmConfigWith({ baseUrl: server.url }));

    const parts = await streamCallVia(way, model, { prompt });

    expect(textOf(parts)).toBe("Second time lucky.");
    expect(server.requests.map((request) => [request.path, request.status])).toEqual([
      ["/v1/chat/completions", 500],
      ["/v1/chat/completions", 200],
    ]);
  });

  it("retries a 429 once", async () => {
    server = await createFakeOpenAiServer({ tokens: ["ok ", "now"] });
    server.failNext(1, 429);
    const model = await createLanguageModel(llmConfigWith({ baseUrl: server.url }));
    expect(textOf(await streamCallVia(way, model, { prompt }))).toBe("ok now");
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry a 400: ModelError with retryable false after 1 request", async () => {
    server = await createFakeOpenAiServer();
    server.failNext(5, 400);
    const model = await createLanguageModel(llmConfigWith({ baseUrl: server.url }));

    const error = await rejection(openCallVia(way, model, { prompt }));

    expect(error.retryable).toBe(false);
    expect(error.code).toBe("MODEL_ERROR");
    expect(error.message).toContain("HTTP 400");
    expect(error.provider).toBe("openai:gpt-primary");
    expect(server.requests).toHaveLength(1);
  });

  it("gives up after one retry: two 500s give a retryable ModelError", async () => {
    server = await createFakeOpenAiServer();
    server.failNext(5, 500);
    const model = await createLanguageModel(llmConfigWith({ baseUrl: server.url }));

    const error = await rejection(openCallVia(way, model, { prompt }));

    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it("treats a refused connection as retryable and retries it once", async () => {
    server = await createFakeOpenAiServer();
    const url = server.url;
    await server.close();
    let attempts = 0;
    const countingFetch: typeof fetch = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    const model = await createLanguageModel(llmConfigWith({ baseUrl: url }), { fetch: countingFetch });

    const error = await rejection(openCallVia(way, model, { prompt }));

    expect(error.retryable).toBe(true);
    expect(attempts).toBe(2);
  });

  it("retries doGenerate the same way", async () => {
    server = await createFakeOpenAiServer({ tokens: ["Generated."] });
    server.failNext(1, 503);
    const model = await createLanguageModel(llmConfigWith({ baseUrl: server.url }));
    const result = await model.doGenerate({ prompt });
    expect(result.content).toEqual([expect.objectContaining({ type: "text", text: "Generated." })]);
    expect(server.requests).toHaveLength(2);
  });
});

describe.each(streamWays)("retry (scripted model), via %s", (way) => {
  it("retries a retryable error delivered as the first error part", async () => {
    const inner = createScriptedModel([
      { streamError: retryableError(), errorAfterDeltas: 0 },
      { text: ["Fine."] },
    ]);
    const parts = await streamCallVia(way, withResilience(inner), { prompt });
    expect(textOf(parts)).toBe("Fine.");
    expect(parts.filter((part) => part.type === "error")).toEqual([]);
    expect(inner.calls).toHaveLength(2);
  });

  it("retries a retryable error thrown by doStream", async () => {
    const inner = createScriptedModel([{ error: retryableError() }, { text: ["Fine."] }]);
    expect(textOf(await streamCallVia(way, withResilience(inner), { prompt }))).toBe("Fine.");
    expect(inner.calls).toHaveLength(2);
  });

  it("never retries once text was emitted: the error part arrives as a ModelError", async () => {
    const inner = createScriptedModel([
      { text: ["Half ", "an ", "answer"], streamError: retryableError(), errorAfterDeltas: 2 },
      { text: ["Should not be used."] },
    ]);
    const parts = await streamCallVia(way, withResilience(inner, { fallback: createOfflineModel() }), {
      prompt,
    });

    expect(textOf(parts)).toBe("Half an ");
    const errorPart = parts.at(-1);
    expect(errorPart?.type).toBe("error");
    expect(errorPart?.type === "error" && errorPart.error).toBeInstanceOf(ModelError);
    expect(errorPart?.type === "error" && (errorPart.error as ModelError).retryable).toBe(true);
    expect(inner.calls).toHaveLength(1);
  });

  it("does not retry a non-retryable error and maps it to ModelError", async () => {
    const inner = createScriptedModel([{ error: new Error("invalid prompt") }, { text: ["unused"] }]);
    const error = await rejection(openCallVia(way, withResilience(inner), { prompt }));
    expect(error.retryable).toBe(false);
    expect(error.message).toBe("scripted:scripted-model failed: invalid prompt");
    expect(error.cause).toBeInstanceOf(Error);
    expect(inner.calls).toHaveLength(1);
  });

  it("does not retry once the call was aborted", async () => {
    const controller = new AbortController();
    const inner = createScriptedModel((_options, callIndex) => {
      if (callIndex === 0) {
        controller.abort();
        return { error: retryableError() };
      }
      return { text: ["unused"] };
    });
    const fallback = createScriptedModel([{ text: ["unused"] }]);
    await expect(
      openCallVia(way, withResilience(inner, { fallback }), { prompt, abortSignal: controller.signal }),
    ).rejects.toThrow();
    expect(inner.calls).toHaveLength(1);
    expect(fallback.calls).toHaveLength(0);
  });

  it("does not retry when the signal fires while waiting for the first part", async () => {
    const controller = new AbortController();
    const inner = createScriptedModel([{ text: ["slow ", "answer"], delayMs: 50 }]);
    // A model that never sends anything until aborted.
    const silent = {
      ...inner,
      doStream: async () => ({ stream: new ReadableStream() }),
      doStreamTo: (options: LanguageModelV3CallOptions) =>
        new Promise<void>((_resolve, reject) => {
          options.abortSignal?.addEventListener("abort", () => reject(abortReason(options.abortSignal!)));
        }),
    };
    const pending = openCallVia(way, withResilience(silent), { prompt, abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("supports more retries when asked", async () => {
    const inner = createScriptedModel([
      { error: retryableError() },
      { error: retryableError() },
      { text: ["Third."] },
    ]);
    expect(textOf(await streamCallVia(way, withResilience(inner, { retries: 2 }), { prompt }))).toBe(
      "Third.",
    );
    expect(inner.calls).toHaveLength(3);
  });
});

describe.each(streamWays)("fallback, via %s", (way) => {
  let servers: FakeOpenAiServer[] = [];
  afterEach(async () => {
    for (const server of servers) await server.close();
    servers = [];
  });

  it("answers with the fallback model when the primary always fails with 500", async () => {
    const server = await createFakeOpenAiServer((request) => ({
      tokens: [`From `, `${String(request.body.model)}.`],
    }));
    servers.push(server);
    server.failNext(2, 500);
    const model = await createLanguageModel(
      llmConfigWith({ baseUrl: server.url, fallbackProvider: "openai", fallbackModel: "gpt-fallback" }),
    );

    const parts = await streamCallVia(way, model, { prompt });

    expect(textOf(parts)).toBe("From gpt-fallback.");
    expect(server.requests.map((request) => [request.body.model, request.status])).toEqual([
      ["gpt-primary", 500],
      ["gpt-primary", 500],
      ["gpt-fallback", 200],
    ]);
    expect(describeModel(model)).toBe("openai:gpt-primary (fallback openai:gpt-fallback)");
  });

  it("falls back to an openai-compatible server after a non-retryable primary failure", async () => {
    const primaryServer = await createFakeOpenAiServer();
    const fallbackServer = await createFakeOpenAiServer({ tokens: ["Local ", "model ", "here."] });
    servers.push(primaryServer, fallbackServer);
    primaryServer.failNext(5, 401);
    const primary = await createLanguageModel(llmConfigWith({ baseUrl: primaryServer.url }));
    const fallback = await createLanguageModel(
      llmConfigWith({ provider: "openai-compatible", model: "llama", baseUrl: fallbackServer.url }),
    );

    const parts = await streamCallVia(way, withResilience(primary, { fallback }), { prompt });

    expect(textOf(parts)).toBe("Local model here.");
    expect(primaryServer.requests).toHaveLength(1);
    expect(fallbackServer.requests.map((request) => request.path)).toEqual(["/v1/chat/completions"]);
  });

  it("can fall back to the offline model", async () => {
    const server = await createFakeOpenAiServer();
    servers.push(server);
    server.failNext(99, 502);
    const model = await createLanguageModel(
      llmConfigWith({ baseUrl: server.url, fallbackProvider: "offline" }),
    );
    const parts = await streamCallVia(way, model, { prompt });
    expect(textOf(parts)).toContain("offline stand-in model");
    expect(server.requests).toHaveLength(2);
  });

  it("reports the fallback's error when both fail", async () => {
    const primary = createScriptedModel([{ error: retryableError() }, { error: retryableError() }]);
    const fallback = createScriptedModel([{ error: new Error("fallback down") }]);
    const error = await rejection(openCallVia(way, withResilience(primary, { fallback }), { prompt }));
    expect(error.message).toContain("fallback down");
    expect(primary.calls).toHaveLength(2);
    expect(fallback.calls).toHaveLength(1);
  });

  it("uses the fallback for doGenerate too", async () => {
    const primary = createScriptedModel([{ error: new Error("bad request") }]);
    const fallback = createScriptedModel([{ text: "From the fallback." }]);
    const result = await withResilience(primary, { fallback }).doGenerate({ prompt });
    expect(result.content).toEqual([{ type: "text", text: "From the fallback." }]);
  });
});
