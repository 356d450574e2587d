import type { LanguageModelV3FinishReason } from "@ai-sdk/provider";

/** A Converse `stopReason` as a V3 finish reason (`raw` keeps Bedrock's word). */
export function mapConverseStopReason(stopReason: string | undefined): LanguageModelV3FinishReason {
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
      return { unified: "stop", raw: stopReason };
    case "tool_use":
      return { unified: "tool-calls", raw: stopReason };
    case "max_tokens":
    case "model_context_window_exceeded":
      return { unified: "length", raw: stopReason };
    case "guardrail_intervened":
    case "content_filtered":
      return { unified: "content-filter", raw: stopReason };
    default:
      return { unified: "other", raw: stopReason };
  }
}
