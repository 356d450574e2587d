import { isIP, connect as netConnect, type Socket } from "node:net";
import { StringDecoder } from "node:string_decoder";
import { connect as tlsConnect } from "node:tls";
import { abortReason } from "../stream-parts.js";
import {
  type ChatBodyControl,
  type ChatBodySink,
  type ChatTransport,
  type ChatTransportResponse,
  type ConnectionOptions,
  defaultMaxSockets,
} from "./chat-transport.js";
import { byteLengthOf, encodeChatRequestBody } from "./encode-chat-request-body.js";
import { type HttpResponseHead, HttpResponseReader } from "./http-response-reader.js";
import { closedEarly, toApiCallError, toConnectionError } from "./to-api-call-error.js";

/** What a connection's events go to while it carries a request (see `Connection`). */
interface Exchange {
  data(bytes: Buffer): void;
  end(): void;
  error(error: Error): void;
  close(): void;
}

/**
 * A pooled connection. Its listeners are attached once, when it opens, and forward to the request
 * it carries; between requests anything it reports (data, end, an error) closes it. Adding and
 * removing a socket's listeners for every request cost more than the request's own parsing.
 */
interface Connection {
  readonly socket: Socket;
  exchange: Exchange | undefined;
}

/** What a response's body is handed to, once somebody reads it. */
interface BodyConsumer {
  data(bytes: Buffer): void;
  end(): void;
  fail(error: unknown): void;
}

/**
 * The lean client's default transport: HTTP/1.1 written and read directly on a `net` (or `tls`,
 * for an https URL) socket, with keep-alive connections reused most-recent first. One streamed
 * call is one request write and, for a reply that arrives in one read, one socket `data` event
 * parsed in place by `HttpResponseReader` — `node:http` costs about twice the CPU for the same
 * exchange (docs/performance.md). Like the `node:http` transport it asks for no compression, sends
 * a request once more on a fresh connection when a reused one fails before any response byte, and
 * pauses the socket while a stream's reader is behind.
 */
export function createSocketChatTransport(url: string, options: ConnectionOptions = {}): ChatTransport {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  // URL keeps IPv6 literals in brackets; `connect` wants the bare address.
  const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(target.port || (secure ? 443 : 80));
  const path = `${target.pathname}${target.search}`;
  const maxSockets = options.maxSockets ?? defaultMaxSockets;
  const idle: Connection[] = [];
  const waiting: Array<() => void> = [];
  let open = 0;

  function openConnection(): Connection {
    open++;
    // SNI carries a host name only (RFC 6066): none for an IP address.
    const socket = secure
      ? tlsConnect({
          host: hostname,
          port,
          ALPNProtocols: ["http/1.1"],
          ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
        })
      : netConnect({ host: hostname, port });
    socket.setNoDelay(true);
    // Probes find a peer that vanished while the connection sat idle in the pool.
    socket.setKeepAlive(true, 1000);
    const connection: Connection = { socket, exchange: undefined };
    socket.on("data", (bytes: Buffer) => {
      if (connection.exchange) connection.exchange.data(bytes);
      else discard(socket); // the server wrote to an idle connection
    });
    socket.on("end", () => {
      if (connection.exchange) connection.exchange.end();
      else discard(socket);
    });
    socket.on("error", (error: Error) => {
      if (connection.exchange) connection.exchange.error(error);
      else discard(socket);
    });
    socket.once("close", () => {
      open--;
      const index = idle.indexOf(connection);
      if (index >= 0) idle.splice(index, 1);
      waiting.shift()?.();
      connection.exchange?.close();
    });
    return connection;
  }

  /** An idle connection goes back to the pool (the server closing it meanwhile takes it out). */
  function release(connection: Connection): void {
    connection.exchange = undefined;
    connection.socket.unref();
    const next = waiting.shift();
    idle.push(connection);
    next?.();
  }

  /** A connection for the next request: the most recently used idle one, a new one, or a wait. */
  async function acquire(): Promise<{ connection: Connection; reused: boolean }> {
    for (;;) {
      const connection = idle.pop();
      if (connection?.socket.destroyed) continue; // closed by the server, its 'close' not handled yet
      if (connection) {
        connection.socket.ref();
        return { connection, reused: true };
      }
      if (open < maxSockets) return { connection: openConnection(), reused: false };
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  /** The request head and body chunks, written together in one `writev`. */
  function requestChunks(body: Buffer[], headers: Record<string, string>): Buffer[] {
    let text = `POST ${path} HTTP/1.1\r\nhost: ${target.host}\r\nconnection: keep-alive\r\n`;
    for (const name in headers) {
      const value = headers[name] as string;
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) {
        throw new TypeError(`Invalid character in the ${JSON.stringify(name)} request header`);
      }
      text += `${name}: ${value}\r\n`;
    }
    return [Buffer.from(`${text}content-length: ${byteLengthOf(body)}\r\n\r\n`), ...body];
  }

  return {
    post(body, headers, abortSignal) {
      const request = requestChunks(encodeChatRequestBody(body), headers);
      return new Promise<ChatTransportResponse>((resolve, reject) => {
        const attempt = async (isRetry: boolean) => {
          if (abortSignal?.aborted) return reject(abortReason(abortSignal));
          const { connection, reused } = await acquire();
          const socket = connection.socket;
          if (abortSignal?.aborted) {
            release(connection);
            return reject(abortReason(abortSignal));
          }
          let head: HttpResponseHead | undefined;
          let receivedAny = false;
          let finished = false;
          let consumer: BodyConsumer | undefined;
          /** Body events from before anybody asked for the body, replayed to the first consumer. */
          const unread: Array<(next: BodyConsumer) => void> = [];
          const deliver = (event: (next: BodyConsumer) => void) => {
            if (consumer) event(consumer);
            else unread.push(event);
          };

          const reader = new HttpResponseReader({
            head(received) {
              head = received;
              if (received.status >= 200 && received.status < 300) {
                settle();
                resolve(responseFor(received));
                return;
              }
              readWhole((text) => {
                settle();
                reject(
                  toApiCallError(
                    {
                      status: received.status,
                      statusText: received.statusText,
                      headers: received.headers,
                      body: text,
                    },
                    url,
                    body,
                  ),
                );
              });
            },
            body(bytes) {
              if (consumer) consumer.data(bytes);
              else {
                // Kept until somebody reads it: a copy, as the reader's contract asks (once per read).
                const kept = Buffer.from(bytes);
                unread.push((next) => next.data(kept));
              }
            },
            end() {
              finished = true;
              detach();
              if (reader.keepAlive && !socket.destroyed) release(connection);
              else discard(socket);
              deliver((next) => next.end());
            },
          });

          /** Feeds the body to `next`, first what arrived before anybody asked for it. */
          function consume(next: BodyConsumer): void {
            consumer = next;
            for (const event of unread.splice(0)) event(next);
          }
          /** An error response's body: what arrived, even if the connection broke off. */
          function readWhole(done: (text: string) => void): void {
            consume(gatherText(done, (_error, partial) => done(partial)));
          }
          function responseFor(received: HttpResponseHead): ChatTransportResponse {
            return {
              headers: received.headers,
              text: (signal) =>
                new Promise((resolveText, rejectText) => {
                  if (signal?.aborted) {
                    stopReading();
                    return rejectText(abortReason(signal));
                  }
                  const onAbort = () => {
                    stopReading();
                    rejectText(abortReason(signal as AbortSignal));
                  };
                  signal?.addEventListener("abort", onAbort, { once: true });
                  consume(
                    gatherText(
                      (text) => {
                        signal?.removeEventListener("abort", onAbort);
                        resolveText(text);
                      },
                      (error) => {
                        signal?.removeEventListener("abort", onAbort);
                        rejectText(closedEarly(error));
                      },
                    ),
                  );
                }),
              stream: (sink) => streamTo(sink),
            };
          }
          /**
           * The reader gave up: close the connection, unless the response was already complete
           * (then the connection went back to the pool and may carry another request by now).
           */
          function stopReading(): void {
            if (!finished) socket.destroy();
          }
          function streamTo(sink: ChatBodySink): ChatBodyControl {
            const decoder = new StringDecoder("utf8");
            let paused = false;
            consume({
              data(bytes) {
                if (!sink.open) return; // after `[DONE]`: read on so the connection can be reused
                sink.push(decoder.write(bytes));
                if (sink.open && sink.desiredSize <= 0 && !paused && !finished) {
                  paused = true;
                  socket.pause();
                }
              },
              end() {
                if (!sink.open) return;
                sink.push(decoder.end());
                sink.end();
              },
              fail: (error) => sink.fail(closedEarly(error)),
            });
            return {
              pull() {
                if (paused) {
                  paused = false;
                  if (!finished) socket.resume();
                }
                return undefined;
              },
              cancel: stopReading,
            };
          }

          let settled = false;
          const onAbort = () => {
            if (settled) return;
            settle();
            socket.destroy();
            reject(abortReason(abortSignal as AbortSignal));
          };
          function settle(): void {
            settled = true;
            abortSignal?.removeEventListener("abort", onAbort);
          }
          function detach(): void {
            if (connection.exchange === exchange) connection.exchange = undefined;
          }
          /** The connection failed or closed before the response was complete. */
          function failed(error: unknown): void {
            if (finished) return;
            finished = true;
            detach();
            discard(socket);
            if (head) {
              deliver((next) => next.fail(error));
              return;
            }
            if (settled) return;
            settle();
            if (abortSignal?.aborted) reject(abortReason(abortSignal));
            else if (!isRetry && reused && !receivedAny) void attempt(true);
            else reject(toConnectionError(asError(error), url, body));
          }
          const exchange: Exchange = {
            data(bytes) {
              receivedAny = true;
              try {
                reader.push(bytes);
              } catch (error) {
                failed(new Error(`Invalid HTTP response from ${target.host}: ${(error as Error).message}`));
              }
            },
            end() {
              try {
                reader.eof();
              } catch (error) {
                failed(error);
              }
            },
            error: (error) => failed(error),
            close: () => failed(new Error("The connection closed before the response ended")),
          };

          abortSignal?.addEventListener("abort", onAbort, { once: true });
          connection.exchange = exchange;
          socket.cork();
          for (const chunk of request) socket.write(chunk);
          socket.uncork();
        };
        attempt(false).catch(reject);
      });
    },
  };
}

/** A consumer that gathers the body as text: whole at its end, as far as it came on a failure. */
function gatherText(
  onEnd: (text: string) => void,
  onFail: (error: unknown, partial: string) => void,
): BodyConsumer {
  const chunks: Buffer[] = [];
  const text = () => Buffer.concat(chunks).toString("utf8");
  return {
    data: (bytes) => chunks.push(Buffer.from(bytes)),
    end: () => onEnd(text()),
    fail: (error) => onFail(error, text()),
  };
}

/** Closes a connection nobody listens to any more; a late error (a TLS reset…) is expected. */
function discard(socket: Socket): void {
  socket.on("error", ignore);
  socket.destroy();
}

function ignore(): void {}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
