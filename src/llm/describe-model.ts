import type { LanguageModelV3 } from "@ai-sdk/provider";

/**
 * `provider:model` for logs and the start-up banner, e.g. `openai:gpt-4o-mini` (named as in
 * `LLM_PROVIDER`: the SDK's suffix such as `openai.responses` is dropped). A model wrapped with a fallback names both.
 */
export function describeModel(model: LanguageModelV3): string {
  const sdkName = model.provider.split(".")[0] ?? model.provider;
  const provider = sdkName === "amazon-bedrock" ? "bedrock" : sdkName;
  const description = `${provider}:${model.modelId}`;
  const fallback = (model as { fallback?: LanguageModelV3 }).fallback;
  return fallback ? `${description} (fallback ${describeModel(fallback)})` : description;
}
