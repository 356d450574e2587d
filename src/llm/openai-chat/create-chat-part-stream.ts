import type {
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  SharedV3Warning,
} from "@ai-sdk/provider";
import type { PartListener } from "../../ports/direct-stream-model.js";
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

/** Where the parts of a response body go: a stream's controller, or a listener. */
interface ChatPartOutput {
  part(part: LanguageModelV3StreamPart): void;
  close(): void;
  error(reason: unknown): void;
  /** At or below 0 the reader is behind and the body should pause. */
  readonly desiredSize: number;
}

interface ChatPartReader {
  /** The reader wants more parts: read on (or resume a paused body). */
  pull(): Promise<void> | undefined;
  /** The reader stopped (a cancelled stream). */
  cancel(reason: unknown): void;
  readonly open: boolean;
}

/**
 * Reads the response body into `output`: `stream-start` first, then the parts of each event as
 * the transport delivers text. It closes at `data: [DONE]` (the transport reads the rest so the
 * connection can be reused) or at the end of the body. An abort errors the output at once and
 * cancels the body (closing the connection).
 */
function readChatParts(
  response: ChatTransportResponse,
  warnings: SharedV3Warning[],
  options: LanguageModelV3CallOptions,
  output: ChatPartOutput,
): ChatPartReader {
  const signal = options.abortSignal;
  let body: ChatBodyControl | undefined;
  let open = true;
  let emitted = 0;
  let sawDone = false;

  const emit = (part: LanguageModelV3StreamPart) => {
    if (!open) return;
    emitted++;
    output.part(part);
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
    output.error(reason);
    body?.cancel(reason);
  }
  function finish(): void {
    stopListening();
    mapper.end();
    open = false;
    output.close();
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
      return output.desiredSize;
    },
    get emitted() {
      return emitted;
    },
  };

  if (signal?.aborted) {
    // Nothing is delivered: the body (which may already hold text) is closed unread.
    const reason = abortReason(signal);
    open = false;
    output.error(reason);
    response.stream(sink).cancel(reason);
  } else {
    signal?.addEventListener("abort", onAbort, { once: true });
    emit({ type: "stream-start", warnings });
    // A transport may deliver text it already holds at once, so this comes after `stream-start`.
    body = response.stream(sink);
  }
  return {
    pull: () => (open ? body?.pull() : undefined),
    cancel(reason) {
      stopListening();
      if (!open) return;
      open = false;
      body?.cancel(reason);
    },
    get open() {
      return open;
    },
  };
}

/** The response body as V3 parts in a single `ReadableStream` (see `readChatParts`). */
export function createChatPartStream(
  response: ChatTransportResponse,
  warnings: SharedV3Warning[],
  options: LanguageModelV3CallOptions,
): ReadableStream<LanguageModelV3StreamPart> {
  let reader: ChatPartReader | undefined;
  return new ReadableStream<LanguageModelV3StreamPart>(
    {
      start(controller) {
        reader = readChatParts(response, warnings, options, {
          part: (part) => controller.enqueue(part),
          close: () => controller.close(),
          error: (reason) => controller.error(reason),
          get desiredSize() {
            return controller.desiredSize ?? 0;
          },
        });
      },
      pull: () => reader?.pull(),
      cancel: (reason) => reader?.cancel(reason),
    },
    { highWaterMark: queuedPartsBeforePause },
  );
}

/**
 * The response body's parts straight to `onPart` (`doStreamTo`): the body is never paused, and a
 * transport that reads on demand (`fetch`) is asked for more until the reply ends.
 */
export function streamChatParts(
  response: ChatTransportResponse,
  warnings: SharedV3Warning[],
  options: LanguageModelV3CallOptions,
  onPart: PartListener,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const reader = readChatParts(response, warnings, options, {
      part: onPart,
      close: resolve,
      error: reject,
      desiredSize: 1,
    });
    const pullWhileOpen = (): void => {
      if (!reader.open) return;
      reader.pull()?.then(pullWhileOpen, reject);
    };
    pullWhileOpen();
  });
}
