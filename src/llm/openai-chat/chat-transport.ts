import type { ChatRequestBody } from "./to-chat-request.js";

/** Options of the transports that own their connections (the socket and `node:http` ones). */
export interface ConnectionOptions {
  /** Connections open at once to the server; more concurrent calls wait for a free one. */
  maxSockets?: number;
}

/**
 * A streamed reply holds its connection until the last event, so the cap sits well above the
 * calls one process streams at once; it only bounds file descriptors when the server stalls.
 */
export const defaultMaxSockets = 1024;

/**
 * How the client talks HTTP: `node:http`/`node:https` by default, or an injected `fetch`. `post`
 * sends one `POST {baseUrl}/chat/completions` and resolves at the response headers of a 2xx
 * answer; anything else rejects (`APICallError` for an HTTP error or a refused connection, the
 * signal's reason for an abort).
 */
export interface ChatTransport {
  post(
    body: ChatRequestBody,
    headers: Record<string, string>,
    abortSignal: AbortSignal | undefined,
  ): Promise<ChatTransportResponse>;
}

/** A 2xx response whose body has not been read yet; read it once, with one of the two methods. */
export interface ChatTransportResponse {
  readonly headers: Record<string, string>;
  /** The whole body as text (`doGenerate`). */
  text(abortSignal: AbortSignal | undefined): Promise<string>;
  /** Feeds the body to `sink` as decoded text; the returned control is driven by the part stream. */
  stream(sink: ChatBodySink): ChatBodyControl;
}

/** Where a transport delivers a streamed body (see `createChatPartStream`). */
export interface ChatBodySink {
  /** Decoded body text; parts are enqueued as whole events arrive. */
  push(text: string): void;
  /** The body ended normally. */
  end(): void;
  /** The body failed (connection reset…): the stream errors. */
  fail(error: unknown): void;
  /** False once the stream is closed (`[DONE]`), errored or cancelled: later text is ignored. */
  readonly open: boolean;
  /** The stream queue's desired size; at or below 0 the reader is behind and the body should pause. */
  readonly desiredSize: number;
  /** How many parts were enqueued so far. */
  readonly emitted: number;
}

/** What the part stream asks of a body being read. */
export interface ChatBodyControl {
  /** The stream wants more parts: read on (or resume a paused body). */
  pull(): Promise<void> | undefined;
  /** Stop reading and release the connection (abort, stream cancelled or errored). */
  cancel(reason: unknown): void;
}
