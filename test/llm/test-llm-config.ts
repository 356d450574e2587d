import type { LlmConfig } from "../../src/config/config.js";

/** A complete `LlmConfig` for tests: the offline model and small limits, with `overrides` on top. */
export function testLlmConfig(overrides: Partial<LlmConfig>): LlmConfig {
  return {
    provider: "offline",
    model: undefined,
    baseUrl: undefined,
    apiKey: undefined,
    openaiApiKey: undefined,
    anthropicApiKey: undefined,
    googleApiKey: undefined,
    client: "lean",
    fallbackProvider: undefined,
    fallbackModel: undefined,
    maxOutputTokens: 100,
    temperature: undefined,
    maxToolSteps: 3,
    awsRegion: undefined,
    ...overrides,
  };
}
