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

/** `describeModel`, and for the offline model what it is: shown to people (web chat, playground). */
export function describeModelForPeople(model: LanguageModelV3): string {
  const description = describeModel(model);
  return model.provider === "offline"
    ? `${description}, a deterministic stand-in, not a language model`
    : description;
}
