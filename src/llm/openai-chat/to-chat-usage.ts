import type { JSONObject, LanguageModelV3Usage } from "@ai-sdk/provider";
import type { ChatUsage } from "./chat-wire-types.js";

/**
 * Chat Completions `usage` in the V3 shape, as `@ai-sdk/openai-compatible` maps it: cached prompt
 * tokens are `cacheRead`, reasoning tokens are taken out of the text tokens. No usage: all undefined.
 */
export function toChatUsage(usage: ChatUsage | null | undefined): LanguageModelV3Usage {
  if (!usage) {
    return {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
  }
  const promptTokens = usage.prompt_tokens ?? 0;
  const completionTokens = usage.completion_tokens ?? 0;
  const cacheReadTokens = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoningTokens = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    inputTokens: {
      total: promptTokens,
      noCache: promptTokens - cacheReadTokens,
      cacheRead: cacheReadTokens,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: completionTokens,
      text: Math.max(0, completionTokens - reasoningTokens),
      reasoning: reasoningTokens,
    },
    raw: usage as JSONObject,
  };
}
