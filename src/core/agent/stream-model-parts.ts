import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
} from "@ai-sdk/provider";
import type { DirectStreamModel, PartListener } from "../../ports/direct-stream-model.js";

export function hasDirectStream(model: LanguageModelV3): model is DirectStreamModel {
  return typeof (model as Partial<DirectStreamModel>).doStreamTo === "function";
}

/** Streams one call to `onPart`: `doStreamTo` when the model has it, `doStream` read to the end otherwise. */
export async function streamModelParts(
  model: LanguageModelV3,
  options: LanguageModelV3CallOptions,
  onPart: PartListener,
): Promise<void> {
  if (hasDirectStream(model)) return model.doStreamTo(options, onPart);
  const { stream } = await model.doStream(options);
  await readPartsTo(stream, options.abortSignal, onPart);
}

/** Reads a stream of parts to its end into `onPart`; the signal cancels it and rejects with its reason. */
export async function readPartsTo(
  stream: ReadableStream<LanguageModelV3StreamPart>,
  signal: AbortSignal | undefined,
  onPart: PartListener,
): Promise<void> {
  const reader = stream.getReader();
  const onAbort = () => {
    reader.cancel(signal ? abortReason(signal) : undefined).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) throw abortReason(signal);
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortReason(signal);
      if (done) return;
      onPart(value);
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
}

/** The signal's reason, or a standard `AbortError`. */
export function abortReason(abortSignal: AbortSignal): unknown {
  return abortSignal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}
