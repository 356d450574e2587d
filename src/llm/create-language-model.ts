import type { LanguageModelV3 } from "@ai-sdk/provider";
import type { LlmClientName, LlmConfig, LlmProviderName } from "../config/config.js";
import { ConfigError } from "../errors/config-error.js";
import { createOfflineModel } from "./offline/create-offline-model.js";
import { createOpenAiChatModel } from "./openai-chat/create-openai-chat-model.js";
import { withResilience } from "./with-resilience.js";

export { describeModel, describeModelForPeople } from "./describe-model.js";

/** Model used when `LLM_MODEL` (or `LLM_FALLBACK_MODEL`) is unset. */
export const defaultModelIds: Readonly<
  Record<Exclude<LlmProviderName, "offline" | "openai-compatible">, string>
> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-3-5-haiku-latest",
  google: "gemini-2.0-flash",
  bedrock: "amazon.nova-lite-v1:0",
};

/** Where the lean client sends `openai` requests when `LLM_BASE_URL` is unset. */
export const openAiDefaultBaseUrl = "https://api.openai.com/v1";

export interface ModelDependencies {
  /** Replaces the global fetch of the HTTP providers (tests point it anywhere). */
  fetch?: typeof fetch;
}

/** What one provider model is built from; `variables` name the settings in error messages. */
export interface ProviderModelSettings {
  provider: LlmProviderName;
  model: string | undefined;
  baseUrl: string | undefined;
  apiKey: string | undefined;
  awsRegion: string | undefined;
  /** `openai`, `openai-compatible` and `bedrock`: `lean` (default) or the AI SDK provider package. */
  client?: LlmClientName | undefined;
  variables?: { model: string; baseUrl: string };
}

/**
 * Builds the configured model — `openai` and `openai-compatible` with the lean Chat Completions
 * client (`src/llm/openai-chat/`) and `bedrock` with the lean ConverseStream client
 * (`src/llm/bedrock-converse/`) unless `LLM_CLIENT=ai-sdk`, the others from the AI SDK provider
 * packages, loading only the chosen provider's package — and wraps it with error mapping, one retry of retryable failures before any
 * content, and the fallback model when `LLM_FALLBACK_PROVIDER` is set.
 *
 * `LLM_BASE_URL` and `LLM_API_KEY` belong to the primary provider; the fallback shares them only
 * when it is the same provider (or `openai-compatible`, which has no defaults of its own), so an
 * OpenAI key is never sent to another vendor. An `openai` model without `LLM_API_KEY` uses
 * `OPENAI_API_KEY`.
 */
export async function createLanguageModel(
  llm: LlmConfig,
  dependencies: ModelDependencies = {},
): Promise<LanguageModelV3> {
  const primary = await createProviderModel(
    {
      provider: llm.provider,
      model: llm.model,
      baseUrl: llm.baseUrl,
      apiKey: keyFor(llm.provider, llm.apiKey, llm),
      awsRegion: llm.awsRegion,
      client: llm.client,
    },
    dependencies,
  );
  if (!llm.fallbackProvider) return withResilience(primary);
  const shares = llm.fallbackProvider === llm.provider || llm.fallbackProvider === "openai-compatible";
  const fallback = await createProviderModel(
    {
      provider: llm.fallbackProvider,
      model: llm.fallbackModel,
      baseUrl: shares ? llm.baseUrl : undefined,
      apiKey: keyFor(llm.fallbackProvider, shares ? llm.apiKey : undefined, llm),
      awsRegion: llm.awsRegion,
      client: llm.client,
      variables: { model: "LLM_FALLBACK_MODEL", baseUrl: "LLM_BASE_URL" },
    },
    dependencies,
  );
  return withResilience(primary, { fallback });
}

/** The key a provider is given: the shared `LLM_API_KEY`, else the provider's own variable. */
function keyFor(
  provider: LlmProviderName,
  sharedKey: string | undefined,
  llm: LlmConfig,
): string | undefined {
  if (sharedKey) return sharedKey;
  if (provider === "openai") return llm.openaiApiKey;
  if (provider === "anthropic") return llm.anthropicApiKey;
  if (provider === "google") return llm.googleApiKey;
  return undefined;
}

/** A hosted provider cannot answer without its key: say so at start, not at the first message. */
function requireKey(apiKey: string | undefined, provider: string, variable: string): void {
  if (!apiKey)
    throw new ConfigError(
      `Invalid environment variable ${variable}: required for ${provider} (or set LLM_API_KEY)`,
      variable,
    );
}

/**
 * One provider's model, unwrapped. Throws `ConfigError` naming the missing variable. `openai`,
 * `openai-compatible` and `bedrock` use the lean clients unless `client` is `ai-sdk`.
 */
export async function createProviderModel(
  settings: ProviderModelSettings,
  dependencies: ModelDependencies = {},
): Promise<LanguageModelV3> {
  const { provider, model, baseUrl, apiKey } = settings;
  const common = {
    ...(apiKey ? { apiKey } : {}),
    ...(baseUrl ? { baseURL: baseUrl } : {}),
    ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
  };
  switch (provider) {
    case "offline":
      return createOfflineModel();
    case "openai": {
      if (settings.client !== "ai-sdk") {
        requireKey(apiKey, "openai", "OPENAI_API_KEY");
        return createOpenAiChatModel({
          baseUrl: baseUrl ?? openAiDefaultBaseUrl,
          apiKey,
          modelId: model ?? defaultModelIds.openai,
          providerName: "openai",
          ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
        });
      }
      const { createOpenAI } = await import("@ai-sdk/openai");
      // The default OpenAI model uses the Responses API (`POST {baseURL}/responses`).
      return createOpenAI(common).languageModel(model ?? defaultModelIds.openai);
    }
    case "anthropic": {
      requireKey(apiKey, "anthropic", "ANTHROPIC_API_KEY");
      const { createAnthropic } = await import("@ai-sdk/anthropic");
      return createAnthropic(common).languageModel(model ?? defaultModelIds.anthropic);
    }
    case "google": {
      requireKey(apiKey, "google", "GOOGLE_GENERATIVE_AI_API_KEY");
      const { createGoogleGenerativeAI } = await import("@ai-sdk/google");
      return createGoogleGenerativeAI(common).languageModel(model ?? defaultModelIds.google);
    }
    case "bedrock": {
      if (settings.client !== "ai-sdk") {
        // Loaded only when selected: SigV4 and the event-stream codec cost start-up time otherwise.
        const { createLeanBedrockModel } = await import(
          "./bedrock-converse/create-bedrock-converse-model.js"
        );
        return createLeanBedrockModel(
          { region: settings.awsRegion, modelId: model ?? defaultModelIds.bedrock, endpoint: baseUrl },
          dependencies,
        );
      }
      const { createAmazonBedrock } = await import("@ai-sdk/amazon-bedrock");
      return createAmazonBedrock({
        ...(settings.awsRegion ? { region: settings.awsRegion } : {}),
        ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
      }).languageModel(model ?? defaultModelIds.bedrock);
    }
    case "openai-compatible": {
      const variables = settings.variables ?? { model: "LLM_MODEL", baseUrl: "LLM_BASE_URL" };
      if (!baseUrl) {
        throw new ConfigError(
          `Invalid environment variable ${variables.baseUrl}: required for openai-compatible (e.g. http://127.0.0.1:11434/v1)`,
          variables.baseUrl,
        );
      }
      if (!model) {
        throw new ConfigError(
          `Invalid environment variable ${variables.model}: required for openai-compatible (the server's model name)`,
          variables.model,
        );
      }
      if (settings.client !== "ai-sdk") {
        return createOpenAiChatModel({
          baseUrl,
          apiKey,
          modelId: model,
          providerName: "openai-compatible",
          ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
        });
      }
      const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
      // includeUsage asks for the final usage chunk (`stream_options.include_usage`).
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL: baseUrl,
        includeUsage: true,
        ...common,
      }).chatModel(model);
    }
  }
}
