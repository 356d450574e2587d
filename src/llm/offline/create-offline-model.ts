import type {
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import type { DirectStreamModel } from "../../ports/direct-stream-model.js";
import { abortReason, deliverParts, streamParts } from "../stream-parts.js";
import { matchIntent, type OfflineDecision } from "./offline-intents.js";
import { answerFromKnowledge } from "./offline-knowledge.js";
import type { KnowledgeResult } from "./offline-prompt.js";
import { offlineToolCallId, readOfflinePrompt, textOf } from "./offline-prompt.js";
import { answerFromToolResults } from "./offline-tool-results.js";

export const offlineModelId = "switchboard-offline";

/**
 * The offline model: a deterministic, rule-based implementation of the AI SDK language model spec
 * so the server works with no keys. It is a stand-in, not a language model, and says so. The same
 * prompt always gives the same output; every part is enqueued at once (no artificial latency).
 */
export function createOfflineModel(): DirectStreamModel {
  return {
    specificationVersion: "v3",
    provider: "offline",
    modelId: offlineModelId,
    supportedUrls: {},
    async doGenerate(options) {
      if (options.abortSignal?.aborted) throw abortReason(options.abortSignal);
      const decision = decideOfflineReply(options);
      if (decision.kind === "tool-call") {
        const input = JSON.stringify(decision.input);
        return {
          content: [
            {
              type: "tool-call",
              toolCallId: offlineToolCallId(options.prompt, 0),
              toolName: decision.toolName,
              input,
            },
          ],
          finishReason: { unified: "tool-calls", raw: undefined },
          usage: usage(options, countWords(input)),
          warnings: [],
        };
      }
      return {
        content: [{ type: "text", text: decision.text }],
        finishReason: { unified: "stop", raw: undefined },
        usage: usage(options, countWords(decision.text)),
        warnings: [],
      };
    },
    async doStream(options) {
      if (options.abortSignal?.aborted) throw abortReason(options.abortSignal);
      return {
        stream: streamParts(streamPartsFor(options, decideOfflineReply(options)), options.abortSignal),
      };
    },
    async doStreamTo(options, onPart) {
      if (options.abortSignal?.aborted) throw abortReason(options.abortSignal);
      await deliverParts(streamPartsFor(options, decideOfflineReply(options)), options.abortSignal, onPart);
    },
  };
}

/** Answer from tool results if the last message holds them, else match the user's intent. */
export function decideOfflineReply(options: LanguageModelV3CallOptions): OfflineDecision {
  const prompt = readOfflinePrompt(options);
  const knowledgeResult = prompt.toolMessage?.content.find(
    (part) => part.type === "tool-result" && part.toolName === "search_knowledge",
  );
  if (knowledgeResult && knowledgeResult.type === "tool-result" && knowledgeResult.output.type === "json") {
    const results = (knowledgeResult.output.value as { results?: KnowledgeResult[] } | null)?.results ?? [];
    const question = prompt.userTexts[prompt.userTexts.length - 1] ?? "";
    return { kind: "text", text: answerFromKnowledge(prompt, results, question) };
  }
  if (prompt.toolMessage) return { kind: "text", text: answerFromToolResults(prompt) };
  return matchIntent(prompt);
}

function streamPartsFor(
  options: LanguageModelV3CallOptions,
  decision: OfflineDecision,
): LanguageModelV3StreamPart[] {
  const parts: LanguageModelV3StreamPart[] = [
    { type: "stream-start", warnings: [] },
    { type: "response-metadata", modelId: offlineModelId },
  ];
  if (decision.kind === "tool-call") {
    const id = offlineToolCallId(options.prompt, 0);
    const input = JSON.stringify(decision.input);
    parts.push(
      { type: "tool-input-start", id, toolName: decision.toolName },
      { type: "tool-input-delta", id, delta: input },
      { type: "tool-input-end", id },
      { type: "tool-call", toolCallId: id, toolName: decision.toolName, input },
      {
        type: "finish",
        usage: usage(options, countWords(input)),
        finishReason: { unified: "tool-calls", raw: undefined },
      },
    );
    return parts;
  }
  const deltas = decision.text.match(/\S+\s*/g) ?? [];
  parts.push({ type: "text-start", id: "text-0" });
  for (const delta of deltas) parts.push({ type: "text-delta", id: "text-0", delta });
  parts.push(
    { type: "text-end", id: "text-0" },
    {
      type: "finish",
      usage: usage(options, deltas.length),
      finishReason: { unified: "stop", raw: undefined },
    },
  );
  return parts;
}

/** Rough token counts: words. */
function usage(options: LanguageModelV3CallOptions, outputTokens: number): LanguageModelV3Usage {
  let inputTokens = 0;
  for (const message of options.prompt) inputTokens += countWords(textOf(message));
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
  };
}

function countWords(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(/\S+/g)) count++;
  return count;
}
