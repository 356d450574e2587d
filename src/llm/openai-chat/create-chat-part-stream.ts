import type {
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
  SharedV3Warning,
} from "@ai-sdk/provider";
import type { PartListener } from "../../ports/direct-stream-model.js";
import { abortReason } from "../stream-parts.js";
import type { ChatBodyControl, ChatBodySink, ChatTransportResponse } from "./chat-transport.js";
import type { ChatCompletionChunk } from "./chat-wire-types.js";
import { type ChatStreamMapper, createChatStreamMapper } from "./map-chat-stream.js";
import { type ChatSseParser, createChatSseParser } from "./parse-chat-sse.js";

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
  desiredSize(): number;
}

/**
 * Reads the response body into `output`: `stream-start` first, then the parts of each event as
 * the transport delivers text. It closes at `data: [DONE]` (the transport reads the rest so the
 * connection can be reused) or at the end of the body. An abort errors the output at once and
 * cancels the body (closing the connection).
 *
 * A class, and no object literal with getters: V8 (Node 20) keeps an object literal's accessors in
 * the old generation, so a getter made per call would hold the call's whole closure context (parser,
 * mapper, parts) through every minor collection until a major one, several MB of survivors at a few
 * hundred calls a second.
 */
class ChatPartReader implements ChatBodySink {
  open = true;
  emitted = 0;
  private body: ChatBodyControl | undefined;
  private sawDone = false;
  private readonly signal: AbortSignal | undefined;
  private readonly mapper: ChatStreamMapper;
  private readonly parser: ChatSseParser;
  private readonly onAbort = () => this.fail(this.signal ? abortReason(this.signal) : undefined);

  constructor(
    response: ChatTransportResponse,
    warnings: SharedV3Warning[],
    options: LanguageModelV3CallOptions,
    private readonly output: ChatPartOutput,
  ) {
    this.signal = options.abortSignal;
    this.mapper = createChatStreamMapper((part) => this.emit(part), {
      includeRawChunks: options.includeRawChunks ?? false,
    });
    this.parser = createChatSseParser({
      onData: (data) => {
        let chunk: unknown;
        try {
          chunk = JSON.parse(data);
        } catch (error) {
          this.emit({ type: "error", error });
          return;
        }
        this.mapper.push(chunk as ChatCompletionChunk);
      },
      onDone: () => {
        this.sawDone = true;
      },
    });
    const signal = this.signal;
    if (signal?.aborted) {
      // Nothing is delivered: the body (which may already hold text) is closed unread.
      const reason = abortReason(signal);
      this.open = false;
      output.error(reason);
      response.stream(this).cancel(reason);
    } else {
      signal?.addEventListener("abort", this.onAbort, { once: true });
      this.emit({ type: "stream-start", warnings });
      // A transport may deliver text it already holds at once, so this comes after `stream-start`.
      this.body = response.stream(this);
    }
  }

  get desiredSize(): number {
    return this.output.desiredSize();
  }

  push(text: string): void {
    if (!this.open) return;
    this.parser.push(text);
    if (this.sawDone && this.open) this.finish();
  }

  end(): void {
    if (!this.open) return;
    this.parser.end();
    if (this.open) this.finish();
  }

  fail(reason: unknown): void {
    this.stopListening();
    if (!this.open) return;
    this.open = false;
    this.output.error(reason);
    this.body?.cancel(reason);
  }

  /** The reader wants more parts: read on (or resume a paused body). */
  pull(): Promise<void> | undefined {
    return this.open ? this.body?.pull() : undefined;
  }

  /** The reader stopped (a cancelled stream). */
  cancel(reason: unknown): void {
    this.stopListening();
    if (!this.open) return;
    this.open = false;
    this.body?.cancel(reason);
  }

  private emit(part: LanguageModelV3StreamPart): void {
    if (!this.open) return;
    this.emitted++;
    this.output.part(part);
  }

  private stopListening(): void {
    this.signal?.removeEventListener("abort", this.onAbort);
  }

  private finish(): void {
    this.stopListening();
    this.mapper.end();
    this.open = false;
    this.output.close();
  }
}

/** The response body as V3 parts in a single `ReadableStream` (see `ChatPartReader`). */
export function createChatPartStream(
  response: ChatTransportResponse,
  warnings: SharedV3Warning[],
  options: LanguageModelV3CallOptions,
): ReadableStream<LanguageModelV3StreamPart> {
  let reader: ChatPartReader | undefined;
  return new ReadableStream<LanguageModelV3StreamPart>(
    {
      start(controller) {
        reader = new ChatPartReader(response, warnings, options, {
          part: (part) => controller.enqueue(part),
          close: () => controller.close(),
          error: (reason) => controller.error(reason),
          desiredSize: () => controller.desiredSize ?? 0,
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
    const reader = new ChatPartReader(response, warnings, options, {
      part: onPart,
      close: resolve,
      error: reject,
      desiredSize: () => 1,
    });
    const pullWhileOpen = (): void => {
      if (!reader.open) return;
      reader.pull()?.then(pullWhileOpen, reject);
    };
    pullWhileOpen();
  });
}
