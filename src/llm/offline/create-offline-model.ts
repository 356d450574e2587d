import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import { decideOfflineReply, type OfflineDecision } from "./offline-reply.js";

/**
 * The offline model: a deterministic, rule-based implementation of the AI SDK language model spec
 * so `npm start` works with no keys. It is a stand-in, not a language model, and says so.
 */
export function createOfflineModel(): LanguageModelV3 {
  let toolCallCounter = 0;

  function decide(options: LanguageModelV3CallOptions): OfflineDecision {
    const toolNames = new Set((options.tools ?? []).map((tool) => tool.name));
    return decideOfflineReply(options.prompt, toolNames);
  }

  return {
    specificationVersion: "v3",
    provider: "offline",
    modelId: "switchboard-offline",
    supportedUrls: {},
    async doGenerate(options) {
      const decision = decide(options);
      if (decision.kind === "tool-call") {
        toolCallCounter++;
        return {
          content: [
            {
              type: "tool-call",
              toolCallId: `offline_call_${toolCallCounter}`,
              toolName: decision.toolName,
              input: JSON.stringify(decision.input),
            },
          ],
          finishReason: { unified: "tool-calls", raw: undefined },
          usage: usage(options, 1),
          warnings: [],
        };
      }
      return {
        content: [{ type: "text", text: decision.text }],
        finishReason: { unified: "stop", raw: undefined },
        usage: usage(options, words(decision.text).length),
        warnings: [],
      };
    },
    async doStream(options) {
      if (options.abortSignal?.aborted) throw options.abortSignal.reason ?? new Error("aborted");
      const decision = decide(options);
      const parts: LanguageModelV3StreamPart[] = [{ type: "stream-start", warnings: [] }];
      if (decision.kind === "tool-call") {
        toolCallCounter++;
        parts.push(
          {
            type: "tool-call",
            toolCallId: `offline_call_${toolCallCounter}`,
            toolName: decision.toolName,
            input: JSON.stringify(decision.input),
          },
          {
            type: "finish",
            usage: usage(options, 1),
            finishReason: { unified: "tool-calls", raw: undefined },
          },
        );
      } else {
        const deltas = words(decision.text);
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
      }
      return {
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  };
}

/** Small deltas: one word with its trailing space. */
function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

function usage(options: LanguageModelV3CallOptions, outputTokens: number): LanguageModelV3Usage {
  let inputTokens = 0;
  for (const message of options.prompt) {
    if (message.role === "system") inputTokens += words(message.content).length;
    else for (const part of message.content) if (part.type === "text") inputTokens += words(part.text).length;
  }
  return {
    inputTokens: { total: inputTokens, noCache: inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
  };
}
