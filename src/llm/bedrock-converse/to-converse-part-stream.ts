import type { LanguageModelV3StreamPart, SharedV3Warning } from "@ai-sdk/provider";
import type { PartListener } from "../../ports/direct-stream-model.js";
import { abortReason } from "../stream-parts.js";
import { createConverseStreamMapper } from "./create-converse-stream-mapper.js";
import { createEventStreamFrameReader } from "./create-event-stream-frame-reader.js";
import { toBedrockApiCallError } from "./to-bedrock-api-call-error.js";

export interface ConversePartStreamOptions {
  warnings: SharedV3Warning[];
  modelId: string;
  /** `x-amzn-requestid` of the answer. */
  requestId: string | undefined;
  url: string;
  requestBody: unknown;
  abortSignal: AbortSignal | undefined;
}

/**
 * Turns a ConverseStream answer body into V3 parts: `stream-start` and `response-metadata` first
 * (`begin`), then the parts of each decoded frame (`push`), then `finish` when the body ends
 * (`end`). An aborted request fails (never a `finish`), and so does a body that ends inside a frame.
 */
function createConverseBodyDecoder(options: ConversePartStreamOptions) {
  const frameReader = createEventStreamFrameReader();
  const mapper = createConverseStreamMapper({ url: options.url, requestBody: options.requestBody });
  return {
    begin(emit: PartListener): void {
      emit({ type: "stream-start", warnings: options.warnings });
      emit({
        type: "response-metadata",
        ...(options.requestId ? { id: options.requestId } : {}),
        modelId: options.modelId,
      });
    },
    push(bytes: Uint8Array, emit: PartListener): void {
      for (const frame of frameReader.push(bytes)) mapper.handleFrame(frame, emit);
    },
    end(emit: PartListener): void {
      if (options.abortSignal?.aborted) throw abortReason(options.abortSignal);
      if (frameReader.bufferedByteCount() > 0) {
        throw toBedrockApiCallError({
          url: options.url,
          requestBody: options.requestBody,
          errorType: "IncompleteEventStream",
          message: `the response ended inside a frame (${frameReader.bufferedByteCount()} bytes left)`,
          statusCode: 502,
        });
      }
      mapper.finish(emit);
    },
  };
}

/**
 * The V3 part stream of a ConverseStream answer body. Reads the body only as fast as the consumer
 * reads parts; cancelling the stream cancels the body.
 */
export function toConversePartStream(
  body: ReadableStream<Uint8Array>,
  options: ConversePartStreamOptions,
): ReadableStream<LanguageModelV3StreamPart> {
  const reader = body.getReader();
  const decoder = createConverseBodyDecoder(options);
  let enqueued = 0;
  let controller!: ReadableStreamDefaultController<LanguageModelV3StreamPart>;
  const enqueue = (part: LanguageModelV3StreamPart) => {
    enqueued++;
    controller.enqueue(part);
  };

  return new ReadableStream<LanguageModelV3StreamPart>({
    start(streamController) {
      controller = streamController;
      decoder.begin(enqueue);
    },
    // Must enqueue at least one part before resolving, or the stream would not pull again.
    async pull() {
      const before = enqueued;
      while (enqueued === before) {
        const { done, value } = await reader.read();
        if (done) {
          decoder.end(enqueue);
          controller.close();
          return;
        }
        decoder.push(value, enqueue);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** The same parts straight to `onPart` (`doStreamTo`), the body read as fast as it arrives. */
export async function streamConverseParts(
  body: ReadableStream<Uint8Array>,
  options: ConversePartStreamOptions,
  onPart: PartListener,
): Promise<void> {
  const reader = body.getReader();
  const decoder = createConverseBodyDecoder(options);
  const signal = options.abortSignal;
  // Parts after an abort (in the same read, or from a listener that aborted) are dropped.
  const emit: PartListener = (part) => {
    if (!signal?.aborted) onPart(part);
  };
  try {
    decoder.begin(emit);
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw abortReason(signal);
      if (done) {
        decoder.end(emit);
        return;
      }
      decoder.push(value, emit);
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
}
