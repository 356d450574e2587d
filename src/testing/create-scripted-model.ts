import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";

/** One scripted model response. */
export interface ScriptedTurn {
  /** Text to stream: one string (one delta) or a list of deltas. */
  text?: string | string[];
  toolCalls?: Array<{ toolName: string; input: unknown }>;
  /** Thrown by `doStream` itself. */
  error?: Error;
  /** Delivered as an `error` stream part after `errorAfterDeltas` deltas. */
  streamError?: Error;
  errorAfterDeltas?: number;
  /** Milliseconds between deltas; 0 enqueues everything synchronously (zero latency). */
  delayMs?: number;
}

export type Script =
  | ScriptedTurn[]
  | ((options: LanguageModelV3CallOptions, callIndex: number) => ScriptedTurn);

export interface ScriptedModel extends LanguageModelV3 {
  /** The options of every call, in order (prompt, tools, abortSignal…). */
  readonly calls: LanguageModelV3CallOptions[];
}

const usage = (outputTokens: number): LanguageModelV3Usage => ({
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
});

/**
 * A scripted `LanguageModelV3` for tests and benchmarks: each call plays the next scripted turn
 * (or asks the function), streaming its deltas with the V3 stream parts.
 */
export function createScriptedModel(script: Script): ScriptedModel {
  const calls: LanguageModelV3CallOptions[] = [];
  let toolCallCounter = 0;

  function nextTurn(options: LanguageModelV3CallOptions): ScriptedTurn {
    const index = calls.length;
    calls.push(options);
    if (typeof script === "function") return script(options, index);
    const turn = script[index];
    if (!turn) throw new Error(`Scripted model has no turn #${index + 1} (script has ${script.length})`);
    return turn;
  }

  function partsFor(turn: ScriptedTurn): { deltas: string[]; tail: LanguageModelV3StreamPart[] } {
    const deltas = turn.text === undefined ? [] : Array.isArray(turn.text) ? turn.text : [turn.text];
    const tail: LanguageModelV3StreamPart[] = [];
    for (const call of turn.toolCalls ?? []) {
      toolCallCounter++;
      tail.push({
        type: "tool-call",
        toolCallId: `call_${toolCallCounter}`,
        toolName: call.toolName,
        input: JSON.stringify(call.input),
      });
    }
    tail.push({
      type: "finish",
      usage: usage(deltas.length),
      finishReason: { unified: turn.toolCalls?.length ? "tool-calls" : "stop", raw: undefined },
    });
    return { deltas, tail };
  }

  const model: ScriptedModel = {
    specificationVersion: "v3",
    provider: "scripted",
    modelId: "scripted-model",
    supportedUrls: {},
    calls,
    async doGenerate(options) {
      const turn = nextTurn(options);
      if (turn.error) throw turn.error;
      const { deltas, tail } = partsFor(turn);
      const text = deltas.join("");
      return {
        content: [
          ...(text ? [{ type: "text" as const, text }] : []),
          ...tail.filter((part) => part.type === "tool-call"),
        ],
        finishReason: { unified: turn.toolCalls?.length ? "tool-calls" : "stop", raw: undefined },
        usage: usage(deltas.length),
        warnings: [],
      };
    },
    async doStream(options) {
      const turn = nextTurn(options);
      if (turn.error) throw turn.error;
      const { deltas, tail } = partsFor(turn);
      const delayMs = turn.delayMs ?? 0;
      const signal = options.abortSignal;
      let timer: NodeJS.Timeout | undefined;
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
          if (deltas.length > 0) controller.enqueue({ type: "text-start", id: "text-1" });
          const finish = () => {
            if (deltas.length > 0) controller.enqueue({ type: "text-end", id: "text-1" });
            for (const part of tail) controller.enqueue(part);
            controller.close();
          };
          const errorAt = turn.streamError ? (turn.errorAfterDeltas ?? 0) : -1;
          if (delayMs === 0) {
            for (const [index, delta] of deltas.entries()) {
              if (index === errorAt) {
                controller.enqueue({ type: "error", error: turn.streamError });
                controller.close();
                return;
              }
              controller.enqueue({ type: "text-delta", id: "text-1", delta });
            }
            if (errorAt >= deltas.length) {
              controller.enqueue({ type: "error", error: turn.streamError });
              controller.close();
              return;
            }
            finish();
            return;
          }
          let index = 0;
          const step = () => {
            if (signal?.aborted) {
              controller.error(signal.reason ?? new Error("aborted"));
              return;
            }
            if (index === errorAt) {
              controller.enqueue({ type: "error", error: turn.streamError });
              controller.close();
              return;
            }
            if (index < deltas.length) {
              controller.enqueue({ type: "text-delta", id: "text-1", delta: deltas[index] ?? "" });
              index++;
              timer = setTimeout(step, delayMs);
              return;
            }
            finish();
          };
          step();
        },
        cancel() {
          clearTimeout(timer);
        },
      });
      return { stream };
    },
  };
  return model;
}
