import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
} from "@ai-sdk/provider";
import { streamModelParts } from "../core/agent/stream-model-parts.js";
import type { ModelError } from "../errors/model-error.js";
import type { DirectStreamModel, PartListener } from "../ports/direct-stream-model.js";
import { abortReason } from "./stream-parts.js";
import { toModelError } from "./to-model-error.js";

export interface ResilienceOptions {
  /** Answers when the primary fails (after its retries) before it produced any content. */
  fallback?: LanguageModelV3 | undefined;
  /** Extra attempts per model for a retryable failure before any content. Default 1. */
  retries?: number;
}

export interface ResilientModel extends DirectStreamModel {
  readonly primary: LanguageModelV3;
  readonly fallback: LanguageModelV3 | undefined;
}

/** A `doStreamTo` attempt failed after content was delivered: never retried, `failure` is rethrown. */
class FailedAfterContent extends Error {
  constructor(readonly failure: unknown) {
    super("The model failed after streaming content");
  }
}

/** Parts that come before any content: an error after only these can still be retried. */
const preambleTypes = new Set<LanguageModelV3StreamPart["type"]>([
  "stream-start",
  "response-metadata",
  "raw",
]);

/**
 * Error mapping, retry and fallback in one wrapper that keeps the `LanguageModelV3` interface:
 * - every failure becomes a `ModelError` whose `retryable` follows the provider's classification;
 * - a retryable failure before any content (thrown by `doStream`, or an `error` part right after
 *   `stream-start`) is retried `retries` times; once content was streamed nothing is retried;
 * - if the primary still fails before content, the fallback model answers;
 * - nothing is retried once `abortSignal` has fired.
 * The stream is passed through with one reader: no per-part work beyond a type check. `doStreamTo`
 * does the same without any stream (`DirectStreamModel`): parts before content are held back, the
 * rest go straight to the listener.
 */
export function withResilience(primary: LanguageModelV3, options: ResilienceOptions = {}): ResilientModel {
  const retries = options.retries ?? 1;
  const models = options.fallback ? [primary, options.fallback] : [primary];

  async function withAttempts<Result>(
    callOptions: LanguageModelV3CallOptions,
    call: (model: LanguageModelV3) => PromiseLike<Result>,
  ): Promise<Result> {
    const signal = callOptions.abortSignal;
    let lastError: ModelError | undefined;
    for (const model of models) {
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (signal?.aborted) throw abortReason(signal);
        try {
          return await call(model);
        } catch (error) {
          if (error instanceof FailedAfterContent) throw error.failure;
          if (signal?.aborted) throw error;
          lastError = toModelError(model, error);
          if (!lastError.retryable) break;
        }
      }
    }
    throw lastError;
  }

  return {
    specificationVersion: "v3",
    provider: primary.provider,
    modelId: primary.modelId,
    supportedUrls: primary.supportedUrls,
    primary,
    fallback: options.fallback,
    doGenerate: (callOptions) => withAttempts(callOptions, (model) => model.doGenerate(callOptions)),
    doStream: (callOptions) => withAttempts(callOptions, (model) => openStream(model, callOptions)),
    doStreamTo: (callOptions, onPart) =>
      withAttempts(callOptions, (model) => streamAttempt(model, callOptions, onPart)),
  };
}

/**
 * One attempt of `doStreamTo`: preamble parts are held until the first content part, so a failure
 * before content (thrown, or an `error` part) rejects with nothing delivered and can be retried.
 * From the first content on, parts go straight to `onPart`, a late `error` part's error mapped to a
 * `ModelError`; a failure after content is thrown as a `ModelError` marked as already streamed.
 */
async function streamAttempt(
  model: LanguageModelV3,
  callOptions: LanguageModelV3CallOptions,
  onPart: PartListener,
): Promise<void> {
  let streaming = false;
  let head: LanguageModelV3StreamPart[] = [];
  let earlyError: { error: unknown } | undefined;
  const forward = (part: LanguageModelV3StreamPart) => {
    if (streaming) {
      onPart(part.type === "error" ? { type: "error", error: toModelError(model, part.error) } : part);
      return;
    }
    if (earlyError) return;
    if (part.type === "error") {
      earlyError = { error: part.error };
      return;
    }
    head.push(part);
    if (preambleTypes.has(part.type)) return;
    streaming = true;
    const held = head;
    head = [];
    for (const heldPart of held) onPart(heldPart);
  };
  try {
    await streamModelParts(model, callOptions, forward);
  } catch (error) {
    if (!streaming) throw error;
    const signal = callOptions.abortSignal;
    throw new FailedAfterContent(signal?.aborted ? error : toModelError(model, error));
  }
  if (earlyError) throw earlyError.error;
  for (const heldPart of head) onPart(heldPart);
}

/**
 * Calls `doStream` and reads ahead to the first part that is not preamble, so an error before any
 * content surfaces here (and can be retried) instead of in the middle of the caller's stream.
 */
async function openStream(
  model: LanguageModelV3,
  callOptions: LanguageModelV3CallOptions,
): Promise<LanguageModelV3StreamResult> {
  const result = await model.doStream(callOptions);
  const reader = result.stream.getReader();
  const signal = callOptions.abortSignal;
  const onAbort = () => {
    reader.cancel(signal ? abortReason(signal) : undefined).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  const head: LanguageModelV3StreamPart[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.type === "error") throw value.error;
      head.push(value);
      if (!preambleTypes.has(value.type)) break;
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (signal?.aborted) throw abortReason(signal);
  return { ...result, stream: continueStream(model, head, reader, signal) };
}

/** Replays the parts read ahead, then passes the rest through, mapping late errors. */
function continueStream(
  model: LanguageModelV3,
  head: readonly LanguageModelV3StreamPart[],
  reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart>,
  signal: AbortSignal | undefined,
): ReadableStream<LanguageModelV3StreamPart> {
  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      for (const part of head) controller.enqueue(part);
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else if (value.type === "error") {
          controller.enqueue({ type: "error", error: toModelError(model, value.error) });
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(signal?.aborted ? error : toModelError(model, error));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
