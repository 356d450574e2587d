import type {
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  SharedV3Warning,
} from "@ai-sdk/provider";
import { abortReason } from "../stream-parts.js";
import type { ChatBodyControl, ChatBodySink, ChatTransportResponse } from "./chat-transport.js";
import type { ChatCompletionChunk } from "./chat-wire-types.js";
import { createChatStreamMapper } from "./map-chat-stream.js";
import { createChatSseParser } from "./parse-chat-sse.js";

/**
 * Parts the queue holds before the body is paused. A reply's events often arrive in one read;
 * room for a burst keeps the body from pausing and resuming on every read.
 */
const queuedPartsBeforePause = 64;

/**
 * The response body as V3 parts in a single `ReadableStream`: `stream-start` first, then the parts
 * of each event as the transport delivers text. The stream closes at `data: [DONE]` (the transport
 * reads the rest so the connection can be reused) or at the end of the body. An abort errors the
 * stream at once, drops queued parts and cancels the body (closing the connection).
 */
export function createChatPartStream(
  response: ChatTransportResponse,
  warnings: SharedV3Warning[],
  options: LanguageModelV3CallOptions,
): ReadableStream<LanguageModelV3StreamPart> {
  const signal = options.abortSignal;
  let controller!: ReadableStreamDefaultController<LanguageModelV3StreamPart>;
  let body: ChatBodyControl | undefined;
  let open = true;
  let emitted = 0;
  let sawDone = false;

  const emit = (part: LanguageModelV3StreamPart) => {
    if (!open) return;
    emitted++;
    controller.enqueue(part);
  };
  const mapper = createChatStreamMapper(emit, { includeRawChunks: options.includeRawChunks ?? false });
  const parser = createChatSseParser({
    onData(data) {
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch (error) {
        emit({ type: "error", error });
        return;
      }
      mapper.push(chunk as ChatCompletionChunk);
    },
    onDone() {
      sawDone = true;
    },
  });

  const onAbort = () => fail(signal ? abortReason(signal) : undefined);
  function stopListening(): void {
    signal?.removeEventListener("abort", onAbort);
  }
  function fail(reason: unknown): void {
    stopListening();
    if (!open) return;
    open = false;
    controller.error(reason);
    body?.cancel(reason);
  }
  function finish(): void {
    stopListening();
    mapper.end();
    open = false;
    controller.close();
  }

  const sink: ChatBodySink = {
    push(text) {
      if (!open) return;
      parser.push(text);
      if (sawDone && open) finish();
    },
    end() {
      if (!open) return;
      parser.end();
      if (open) finish();
    },
    fail,
    get open() {
      return open;
    },
    get desiredSize() {
      return controller.desiredSize ?? 0;
    },
    get emitted() {
      return emitted;
    },
  };

  return new ReadableStream<LanguageModelV3StreamPart>(
    {
      start(streamController) {
        controller = streamController;
        body = response.stream(sink);
        if (signal?.aborted) {
          fail(abortReason(signal));
          return;
        }
        signal?.addEventListener("abort", onAbort, { once: true });
        controller.enqueue({ type: "stream-start", warnings });
      },
      pull() {
        return open ? body?.pull() : undefined;
      },
      cancel(reason) {
        stopListening();
        if (!open) return;
        open = false;
        body?.cancel(reason);
      },
    },
    { highWaterMark: queuedPartsBeforePause },
  );
}
