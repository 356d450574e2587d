/**
 * Tokens that carry the time they were produced, for the per-token forwarding measurement: the
 * stamp is epoch microseconds from `performance.timeOrigin + performance.now()`, which processes on
 * one machine share. The server's model (or the floor) stamps each token as it emits it; the load
 * generator subtracts the stamp from its own clock when the token arrives.
 */
import { performance } from "node:perf_hooks";
import type { LanguageModelV3, LanguageModelV3StreamPart } from "@ai-sdk/provider";

export const stampedTokenCount = 20;
export const stampedDeltaMs = 20;

export function epochMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** ` w3@1764000000123456` */
export function stampedToken(index: number): string {
  return ` w${index}@${epochMicros()}`;
}

/** Every stamp in a received text (several when tokens shared a frame) → delay in ms. */
export function forwardingDelaysMs(text: string, receivedAtEpochMicros: number): number[] {
  const delays: number[] = [];
  for (const match of text.matchAll(/@(\d{13,})/g)) {
    delays.push((receivedAtEpochMicros - Number(match[1])) / 1000);
  }
  return delays;
}

/**
 * A zero-cost `LanguageModelV3` that streams `stampedTokenCount` stamped tokens, one every
 * `stampedDeltaMs`, like a real model's pace (≈ 50 tokens/s), and stops when aborted.
 */
export function createStampedModel(): LanguageModelV3 {
  const usage = {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: stampedTokenCount, text: stampedTokenCount, reasoning: 0 },
  };
  return {
    specificationVersion: "v3",
    provider: "bench",
    modelId: "stamped",
    supportedUrls: {},
    async doGenerate() {
      throw new Error("the stamped bench model only streams");
    },
    async doStream(options) {
      let timer: NodeJS.Timeout | undefined;
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        start(controller) {
          controller.enqueue({ type: "stream-start", warnings: [] });
          controller.enqueue({ type: "text-start", id: "t" });
          let index = 0;
          const step = () => {
            if (options.abortSignal?.aborted) return;
            index++;
            controller.enqueue({ type: "text-delta", id: "t", delta: stampedToken(index) });
            if (index < stampedTokenCount) {
              timer = setTimeout(step, stampedDeltaMs);
              return;
            }
            controller.enqueue({ type: "text-end", id: "t" });
            controller.enqueue({ type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage });
            controller.close();
          };
          step();
          options.abortSignal?.addEventListener("abort", () => {
            clearTimeout(timer);
            controller.error(options.abortSignal?.reason ?? new Error("aborted"));
          });
        },
        cancel() {
          clearTimeout(timer);
        },
      });
      return { stream };
    },
  };
}
