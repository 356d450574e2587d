import { afterEach, describe, expect, it, vi } from "vitest";
import type { LlmConfig } from "../../src/config/config.js";
import { ConfigError } from "../../src/errors/config-error.js";
import { ModelError } from "../../src/errors/model-error.js";
import { createLanguageModel, describeModel } from "../../src/llm/create-language-model.js";
import { createFakeBedrockRuntimeServer } from "../../src/testing/create-fake-bedrock-runtime-server.js";
import {
  createFakeOpenAiServer,
  type FakeOpenAiServer,
} from "../../src/testing/create-fake-openai-server.js";
import { streamCall, textOf, userPrompt } from "./read-stream.js";
import { testLlmConfig } from "./test-llm-config.js";

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("createLanguageModel", () => {
  let server: FakeOpenAiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    vi.unstubAllEnvs();
  });

  it("throws a ConfigError naming LLM_BASE_URL for openai-compatible without a base URL", async () => {
    const error = await configError(
      createLanguageModel(testLlmConfig({ provider: "openai-compatible", model: "llama3.2" })),
    );
    expect(error.variable).toBe("LLM_BASE_URL");
    expect(error.message).toContain("LLM_BASE_URL");
  });

  it("throws a ConfigError naming LLM_MODEL for openai-compatible without a model", async () => {
    const error = await configError(
      createLanguageModel(testLlmConfig({ provider: "openai-compatible", baseUrl: "http://127.0.0.1:1/v1" })),
    );
    expect(error.variable).toBe("LLM_MODEL");
  });

  it("names LLM_FALLBACK_MODEL when an openai-compatible fallback has no model", async () => {
    const error = await configError(
      createLanguageModel(
        testLlmConfig({
          provider: "openai-compatible",
          model: "llama3.2",
          baseUrl: "http://127.0.0.1:1/v1",
          fallbackProvider: "openai-compatible",
        }),
      ),
    );
    expect(error.variable).toBe("LLM_FALLBACK_MODEL");
  });

  it("uses a default model per provider when LLM_MODEL is unset", async () => {
    const described = async (provider: LlmConfig["provider"]) =>
      describeModel(
        await createLanguageModel(testLlmConfig({ provider, apiKey: "k", awsRegion: "us-east-1" })),
      );
    expect(await described("offline")).toBe("offline:switchboard-offline");
    expect(await described("openai")).toBe("openai:gpt-4o-mini");
    expect(await described("anthropic")).toBe("anthropic:claude-3-5-haiku-latest");
    expect(await described("google")).toBe("google:gemini-2.0-flash");
    expect(await described("bedrock")).toBe("bedrock:amazon.nova-lite-v1:0");
  });

  it("builds bedrock with the lean ConverseStream client unless LLM_CLIENT=ai-sdk", async () => {
    const bedrock = await createFakeBedrockRuntimeServer(
      { tokens: ["Lean ", "Bedrock."] },
      { region: "us-west-2" },
    );
    try {
      vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDWIRING");
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wiring-secret");
      vi.stubEnv("AWS_SESSION_TOKEN", "");
      vi.stubEnv("AWS_PROFILE", "");
      const settings = { provider: "bedrock" as const, awsRegion: "us-west-2", baseUrl: bedrock.url };
      const lean = await createLanguageModel(testLlmConfig(settings));
      expect(textOf(await streamCall(lean, { prompt: userPrompt("hello") }))).toBe("Lean Bedrock.");
      expect(bedrock.requests.at(-1)?.path).toMatch(/\/model\/.+\/converse-stream$/);
      expect(bedrock.requests.at(-1)?.signature?.accessKeyId).toBe("AKIDWIRING");
      const viaAiSdk = await createLanguageModel(testLlmConfig({ ...settings, client: "ai-sdk" }));
      expect(describeModel(viaAiSdk)).toBe("bedrock:amazon.nova-lite-v1:0");
    } finally {
      vi.unstubAllEnvs();
      await bedrock.close();
    }
  });

  it("uses LLM_MODEL when set", async () => {
    const model = await createLanguageModel(
      testLlmConfig({ provider: "anthropic", model: "claude-sonnet-4-5", apiKey: "k" }),
    );
    expect(describeModel(model)).toBe("anthropic:claude-sonnet-4-5");
  });

  it("sends openai requests to Chat Completions with the lean client and the configured key", async () => {
    server = await createFakeOpenAiServer({ tokens: ["Hi ", "there."] });
    const model = await createLanguageModel(
      testLlmConfig({ provider: "openai", model: "gpt-test", baseUrl: server.url, apiKey: "sk-configured" }),
    );
    expect(textOf(await streamCall(model, { prompt: userPrompt("hello") }))).toBe("Hi there.");
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.path).toBe("/v1/chat/completions");
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-configured");
    expect(server.requests[0]?.body).toMatchObject({
      model: "gpt-test",
      stream: true,
      stream_options: { include_usage: true },
    });
    expect((model as { primary?: { provider: string } }).primary?.provider).toBe("openai.chat");
  });

  it("uses OPENAI_API_KEY from the config when LLM_API_KEY is unset", async () => {
    server = await createFakeOpenAiServer({ tokens: ["Keyed."] });
    const model = await createLanguageModel(
      testLlmConfig({ provider: "openai", baseUrl: server.url, openaiApiKey: "sk-from-openai-variable" }),
    );
    expect(textOf(await streamCall(model, { prompt: userPrompt("hello") }))).toBe("Keyed.");
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-from-openai-variable");
    expect(server.requests[0]?.body).toMatchObject({ model: "gpt-4o-mini" });
  });

  it("throws a ConfigError naming OPENAI_API_KEY for the lean openai client without a key", async () => {
    const error = await configError(createLanguageModel(testLlmConfig({ provider: "openai" })));
    expect(error.variable).toBe("OPENAI_API_KEY");
  });

  it("throws a ConfigError naming each hosted provider's key variable without a key, at start", async () => {
    const anthropic = await configError(createLanguageModel(testLlmConfig({ provider: "anthropic" })));
    expect(anthropic.variable).toBe("ANTHROPIC_API_KEY");
    expect(anthropic.message).toBe(
      "Invalid environment variable ANTHROPIC_API_KEY: required for anthropic (or set LLM_API_KEY)",
    );
    const google = await configError(createLanguageModel(testLlmConfig({ provider: "google" })));
    expect(google.variable).toBe("GOOGLE_GENERATIVE_AI_API_KEY");
    const fallback = await configError(
      createLanguageModel(testLlmConfig({ provider: "offline", fallbackProvider: "anthropic" })),
    );
    expect(fallback.variable).toBe("ANTHROPIC_API_KEY");
    // Each provider's own variable is enough.
    const keyed = await createLanguageModel(
      testLlmConfig({
        provider: "google",
        googleApiKey: "g-key",
        fallbackProvider: "anthropic",
        anthropicApiKey: "a-key",
      }),
    );
    expect(describeModel(keyed)).toMatch(/^google:/);
  });

  it("sends openai requests to the Responses API with LLM_CLIENT=ai-sdk", async () => {
    server = await createFakeOpenAiServer({ tokens: ["Hi ", "there."] });
    const model = await createLanguageModel(
      testLlmConfig({
        provider: "openai",
        model: "gpt-test",
        baseUrl: server.url,
        apiKey: "sk-configured",
        client: "ai-sdk",
      }),
    );
    expect(textOf(await streamCall(model, { prompt: userPrompt("hello") }))).toBe("Hi there.");
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.path).toBe("/v1/responses");
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-configured");
    expect(server.requests[0]?.body).toMatchObject({ model: "gpt-test", stream: true });
    expect((model as { primary?: { provider: string } }).primary?.provider).toBe("openai.responses");
  });

  it("uses @ai-sdk/openai-compatible for openai-compatible with LLM_CLIENT=ai-sdk", async () => {
    server = await createFakeOpenAiServer({ tokens: ["Via ", "SDK."] });
    const model = await createLanguageModel(
      testLlmConfig({
        provider: "openai-compatible",
        model: "llama3.2",
        baseUrl: server.url,
        client: "ai-sdk",
      }),
    );
    expect(textOf(await streamCall(model, { prompt: userPrompt("hello") }))).toBe("Via SDK.");
    expect((model as { primary?: { provider: string } }).primary?.provider).toBe("openai-compatible.chat");
  });

  it("sends openai-compatible requests to Chat Completions and asks for usage", async () => {
    server = await createFakeOpenAiServer({ tokens: ["Local ", "answer."] });
    const model = await createLanguageModel(
      testLlmConfig({ provider: "openai-compatible", model: "llama3.2", baseUrl: server.url }),
    );
    const parts = await streamCall(model, { prompt: userPrompt("hello") });
    expect(textOf(parts)).toBe("Local answer.");
    expect(server.requests[0]?.path).toBe("/v1/chat/completions");
    expect(server.requests[0]?.body).toMatchObject({
      model: "llama3.2",
      stream_options: { include_usage: true },
    });
    const finish = parts.at(-1);
    expect(finish?.type === "finish" && finish.usage.outputTokens.total).toBe(2);
  });

  it("does not send the primary provider's key to a different fallback provider", async () => {
    server = await createFakeOpenAiServer();
    server.failNext(2, 500);
    const anthropicKeys: Array<string | null> = [];
    const fetchSpy: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.startsWith(server?.url ?? "-")) return fetch(input, init);
      anthropicKeys.push(new Headers(init?.headers).get("x-api-key"));
      return new Response(
        JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "no" } }),
        {
          status: 400,
          headers: { "content-type": "application/json" },
        },
      );
    };
    const model = await createLanguageModel(
      testLlmConfig({
        provider: "openai",
        baseUrl: server.url,
        apiKey: "sk-openai-only",
        anthropicApiKey: "anthropic-from-env",
        fallbackProvider: "anthropic",
      }),
      { fetch: fetchSpy },
    );

    await expect(model.doStream({ prompt: userPrompt("hello") })).rejects.toBeInstanceOf(ModelError);
    expect(anthropicKeys).toEqual(["anthropic-from-env"]);
  });
});
