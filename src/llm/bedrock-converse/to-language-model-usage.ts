import type { LanguageModelV3Usage } from "@ai-sdk/provider";
import type { ConverseUsage } from "./converse-api-types.js";

/** Converse `usage` in the V3 shape; input totals include cache reads and writes. */
export function toLanguageModelUsage(usage: ConverseUsage | undefined): LanguageModelV3Usage {
  if (!usage) {
    return {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
  }
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const input = usage.inputTokens;
  return {
    inputTokens: {
      total: input === undefined ? undefined : input + cacheRead + cacheWrite,
      noCache: input,
      cacheRead,
      cacheWrite,
    },
    outputTokens: { total: usage.outputTokens, text: usage.outputTokens, reasoning: undefined },
    raw: { ...usage },
  };
}
