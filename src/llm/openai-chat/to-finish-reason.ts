import type { LanguageModelV3FinishReason } from "@ai-sdk/provider";

/** A Chat Completions `finish_reason` as the V3 `{ unified, raw }` pair. */
export function toFinishReason(raw: string | null | undefined): LanguageModelV3FinishReason {
  return { unified: unifiedFinishReason(raw), raw: raw ?? undefined };
}

function unifiedFinishReason(raw: string | null | undefined): LanguageModelV3FinishReason["unified"] {
  switch (raw) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "content_filter":
      return "content-filter";
    case "function_call":
    case "tool_calls":
      return "tool-calls";
    default:
      return "other";
  }
}
