import type { LanguageModelV3StreamPart, SharedV3Warning } from "@ai-sdk/provider";
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
 * The V3 part stream of a ConverseStream answer body: `stream-start` and `response-metadata`,
 * then the parts of each decoded frame, then `finish` when the body ends. Reads the body only as
 * fast as the consumer reads parts; cancelling the stream cancels the body. An aborted request
 * errors the stream (never a `finish`), and so does a body that ends inside a frame.
 */
export function toConversePartStream(
  body: ReadableStream<Uint8Array>,
  options: ConversePartStreamOptions,
): ReadableStream<LanguageModelV3StreamPart> {
  const reader = body.getReader();
  const frameReader = createEventStreamFrameReader();
  const mapper = createConverseStreamMapper({ url: options.url, requestBody: options.requestBody });
  let enqueued = 0;
  let controller!: ReadableStreamDefaultController<LanguageModelV3StreamPart>;
  const enqueue = (part: LanguageModelV3StreamPart) => {
    enqueued++;
    controller.enqueue(part);
  };

  return new ReadableStream<LanguageModelV3StreamPart>({
    start(streamController) {
      controller = streamController;
      enqueue({ type: "stream-start", warnings: options.warnings });
      enqueue({
        type: "response-metadata",
        ...(options.requestId ? { id: options.requestId } : {}),
        modelId: options.modelId,
      });
    },
    // Must enqueue at least one part before resolving, or the stream would not pull again.
    async pull() {
      const before = enqueued;
      while (enqueued === before) {
        const { done, value } = await reader.read();
        if (done) {
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
          mapper.finish(enqueue);
          controller.close();
          return;
        }
        for (const frame of frameReader.push(value)) mapper.handleFrame(frame, enqueue);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
