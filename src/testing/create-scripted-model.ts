import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import { readPartsTo } from "../core/agent/stream-model-parts.js";
import { abortReason, deliverParts, streamParts } from "../llm/stream-parts.js";
import type { DirectStreamModel } from "../ports/direct-stream-model.js";

/** One scripted model response. */
export interface ScriptedTurn {
  /** Text to stream: one string (one delta) or a list of deltas. */
  text?: string | string[];
  toolCalls?: Array<{ toolName: string; input: unknown }>;
  /** Thrown by `doStream` (and `doGenerate`) itself. */
  error?: Error;
  /** Delivered as an `error` stream part after `errorAfterDeltas` deltas (default 0); the stream then ends. */
  streamError?: Error;
  errorAfterDeltas?: number;
  /** Milliseconds after each delta; 0 (default) enqueues everything synchronously. */
  delayMs?: number;
}

export type Script =
  | ScriptedTurn[]
  | ((options: LanguageModelV3CallOptions, callIndex: number) => ScriptedTurn);

export interface ScriptedModelOptions {
  /** Keep every call's options in `calls` (default true; a benchmark running for minutes turns it off). */
  keepCalls?: boolean;
}

export interface ScriptedModel extends DirectStreamModel {
  /** The options of every call, in order (prompt, tools, abortSignal…); empty with `keepCalls: false`. */
  readonly calls: LanguageModelV3CallOptions[];
}

/**
 * A scripted `LanguageModelV3` for tests and benchmarks: each call plays the next scripted turn
 * (or asks the script function), streaming the standard V3 parts. Honours `abortSignal`.
 */
export function createScriptedModel(script: Script, settings: ScriptedModelOptions = {}): ScriptedModel {
  const calls: LanguageModelV3CallOptions[] = [];
  const keepCalls = settings.keepCalls ?? true;
  let callCount = 0;
  let toolCallCounter = 0;

  function nextTurn(options: LanguageModelV3CallOptions): ScriptedTurn {
    const index = callCount++;
    if (keepCalls) calls.push(options);
    if (options.abortSignal?.aborted) throw abortReason(options.abortSignal);
    const turn = typeof script === "function" ? script(options, index) : script[index];
    if (!turn) throw new Error(`Scripted model has no turn #${index + 1} (script has ${script.length})`);
    if (turn.error) throw turn.error;
    return turn;
  }

  function toolCallsOf(turn: ScriptedTurn): Array<Extract<LanguageModelV3Content, { type: "tool-call" }>> {
    return (turn.toolCalls ?? []).map((call) => ({
      type: "tool-call",
      toolCallId: `call_${++toolCallCounter}`,
      toolName: call.toolName,
      input: JSON.stringify(call.input ?? {}),
    }));
  }

  function partsOf(turn: ScriptedTurn): LanguageModelV3StreamPart[] {
    const deltas = deltasOf(turn);
    const errorAt = turn.streamError ? Math.min(turn.errorAfterDeltas ?? 0, deltas.length) : -1;
    const parts: LanguageModelV3StreamPart[] = [{ type: "stream-start", warnings: [] }];
    for (const [index, delta] of deltas.entries()) {
      if (index === errorAt) break;
      if (index === 0) parts.push({ type: "text-start", id: "text-1" });
      parts.push({ type: "text-delta", id: "text-1", delta });
    }
    if (errorAt >= 0) {
      parts.push({ type: "error", error: turn.streamError });
      return parts;
    }
    if (deltas.length > 0) parts.push({ type: "text-end", id: "text-1" });
    for (const call of toolCallsOf(turn)) {
      parts.push(
        { type: "tool-input-start", id: call.toolCallId, toolName: call.toolName },
        { type: "tool-input-delta", id: call.toolCallId, delta: call.input },
        { type: "tool-input-end", id: call.toolCallId },
        call,
      );
    }
    parts.push({
      type: "finish",
      usage: usage(deltas.length),
      finishReason: { unified: turn.toolCalls?.length ? "tool-calls" : "stop", raw: undefined },
    });
    return parts;
  }

  const model: ScriptedModel = {
    specificationVersion: "v3",
    provider: "scripted",
    modelId: "scripted-model",
    supportedUrls: {},
    calls,
    async doGenerate(options) {
      const turn = nextTurn(options);
      const text = deltasOf(turn).join("");
      return {
        content: [...(text ? [{ type: "text" as const, text }] : []), ...toolCallsOf(turn)],
        finishReason: { unified: turn.toolCalls?.length ? "tool-calls" : "stop", raw: undefined },
        usage: usage(deltasOf(turn).length),
        warnings: [],
      };
    },
    async doStream(options) {
      const turn = nextTurn(options);
      const parts = partsOf(turn);
      const delayMs = turn.delayMs ?? 0;
      return {
        stream:
          delayMs > 0
            ? streamWithDelays(parts, delayMs, options.abortSignal)
            : streamParts(parts, options.abortSignal),
      };
    },
    async doStreamTo(options, onPart) {
      const turn = nextTurn(options);
      const parts = partsOf(turn);
      const delayMs = turn.delayMs ?? 0;
      if (delayMs > 0) {
        await readPartsTo(streamWithDelays(parts, delayMs, options.abortSignal), options.abortSignal, onPart);
      } else await deliverParts(parts, options.abortSignal, onPart);
    },
  };
  return model;
}

/** Enqueues parts in order, pausing `delayMs` after each text delta. */
function streamWithDelays(
  parts: readonly LanguageModelV3StreamPart[],
  delayMs: number,
  abortSignal: AbortSignal | undefined,
): ReadableStream<LanguageModelV3StreamPart> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = () => {
    clearTimeout(timer);
    if (onAbort) abortSignal?.removeEventListener("abort", onAbort);
  };
  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      let index = 0;
      const step = () => {
        while (index < parts.length) {
          const part = parts[index++] as LanguageModelV3StreamPart;
          controller.enqueue(part);
          if (part.type === "text-delta") {
            timer = setTimeout(step, delayMs);
            return;
          }
        }
        stop();
        controller.close();
      };
      if (abortSignal) {
        onAbort = () => {
          stop();
          controller.error(abortReason(abortSignal));
        };
        abortSignal.addEventListener("abort", onAbort, { once: true });
      }
      step();
    },
    cancel() {
      stop();
    },
  });
}

function deltasOf(turn: ScriptedTurn): string[] {
  if (turn.text === undefined) return [];
  return Array.isArray(turn.text) ? turn.text : [turn.text];
}

function usage(outputTokens: number): LanguageModelV3Usage {
  return {
    inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
  };
}
