import type { LanguageModelV3 } from "@ai-sdk/provider";
import type { LlmConfig, LlmProviderName } from "../config/config.js";
import { ConfigError } from "../errors/config-error.js";
import { createOfflineModel } from "./offline/create-offline-model.js";
import { withResilience } from "./with-resilience.js";

export const defaultModelIds: Record<Exclude<LlmProviderName, "offline" | "openai-compatible">, string> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-3-5-haiku-latest",
  google: "gemini-2.0-flash",
  bedrock: "amazon.nova-lite-v1:0",
};

export interface ModelDependencies {
  /** Replaces the global fetch of HTTP providers (tests). */
  fetch?: typeof fetch;
}

/**
 * Builds the configured model from the AI SDK provider packages (only the chosen one is loaded),
 * wrapped with error mapping, one retry for retryable errors and the optional fallback model.
 */
export async function createLanguageModel(
  llm: LlmConfig,
  dependencies: ModelDependencies = {},
): Promise<LanguageModelV3> {
  const primary = await createProviderModel(llm.provider, llm.model, llm, dependencies);
  const fallback = llm.fallbackProvider
    ? await createProviderModel(llm.fallbackProvider, llm.fallbackModel, llm, dependencies)
    : undefined;
  return withResilience(primary, { fallback });
}

/** One provider's model, unwrapped. */
export async function createProviderModel(
  provider: LlmProviderName,
  model: string | undefined,
  llm: Pick<LlmConfig, "baseUrl" | "apiKey" | "awsRegion">,
  dependencies: ModelDependencies = {},
): Promise<LanguageModelV3> {
  const common = {
    ...(llm.apiKey ? { apiKey: llm.apiKey } : {}),
    ...(llm.baseUrl ? { baseURL: llm.baseUrl } : {}),
    ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
  };
  switch (provider) {
    case "offline":
      return createOfflineModel();
    case "openai": {
      const { createOpenAI } = await import("@ai-sdk/openai");
      return createOpenAI(common).languageModel(model ?? defaultModelIds.openai);
    }
    case "anthropic": {
      const { createAnthropic } = await import("@ai-sdk/anthropic");
      return createAnthropic(common).languageModel(model ?? defaultModelIds.anthropic);
    }
    case "google": {
      const { createGoogleGenerativeAI } = await import("@ai-sdk/google");
      return createGoogleGenerativeAI(common).languageModel(model ?? defaultModelIds.google);
    }
    case "bedrock": {
      const { createAmazonBedrock } = await import("@ai-sdk/amazon-bedrock");
      return createAmazonBedrock({
        ...(llm.awsRegion ? { region: llm.awsRegion } : {}),
        ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
      }).languageModel(model ?? defaultModelIds.bedrock);
    }
    case "openai-compatible": {
      if (!llm.baseUrl) {
        throw new ConfigError(
          "Invalid environment variable LLM_BASE_URL: required for LLM_PROVIDER=openai-compatible (e.g. http://127.0.0.1:11434/v1)",
          "LLM_BASE_URL",
        );
      }
      if (!model) {
        throw new ConfigError(
          "Invalid environment variable LLM_MODEL: required for LLM_PROVIDER=openai-compatible",
          "LLM_MODEL",
        );
      }
      const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL: llm.baseUrl,
        ...(llm.apiKey ? { apiKey: llm.apiKey } : {}),
        ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
      }).chatModel(model);
    }
  }
}

/** `provider:model`, e.g. `openai:gpt-4o-mini`. */
export function describeModel(model: LanguageModelV3): string {
  return `${model.provider}:${model.modelId}`;
}
