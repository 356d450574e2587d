import type { LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { abortReason } from "../core/agent/stream-model-parts.js";
import type { PartListener } from "../ports/direct-stream-model.js";

export { abortReason };

/**
 * A stream of parts that are all known up front, enqueued synchronously (zero latency). If
 * `abortSignal` fires before the reader has drained them, the stream errors with the abort reason
 * and the parts not yet read are dropped.
 */
export function streamParts(
  parts: readonly LanguageModelV3StreamPart[],
  abortSignal?: AbortSignal,
): ReadableStream<LanguageModelV3StreamPart> {
  let onAbort: (() => void) | undefined;
  const stopListening = () => {
    if (onAbort) abortSignal?.removeEventListener("abort", onAbort);
    onAbort = undefined;
  };
  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      if (abortSignal?.aborted) {
        controller.error(abortReason(abortSignal));
        return;
      }
      for (const part of parts) controller.enqueue(part);
      if (abortSignal) {
        onAbort = () => {
          stopListening();
          controller.error(abortReason(abortSignal));
        };
        abortSignal.addEventListener("abort", onAbort, { once: true });
      }
    },
    // Called once the queue has been read empty: nothing left to abort.
    pull(controller) {
      stopListening();
      controller.close();
    },
    cancel() {
      stopListening();
    },
  });
}

/**
 * `streamParts` for `doStreamTo`: delivers parts that are all known up front, in order, and stops
 * with the signal's reason once it fires (even when a listener aborts it).
 */
export async function deliverParts(
  parts: readonly LanguageModelV3StreamPart[],
  abortSignal: AbortSignal | undefined,
  onPart: PartListener,
): Promise<void> {
  for (const part of parts) {
    if (abortSignal?.aborted) throw abortReason(abortSignal);
    onPart(part);
  }
  if (abortSignal?.aborted) throw abortReason(abortSignal);
}
