import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestOptions,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { StringDecoder } from "node:string_decoder";
import { abortReason } from "../stream-parts.js";
import {
  type ChatBodyControl,
  type ChatBodySink,
  type ChatTransport,
  type ChatTransportResponse,
  type ConnectionOptions,
  defaultMaxSockets,
} from "./chat-transport.js";
import { encodeChatRequestBody } from "./encode-chat-request-body.js";
import { closedEarly, toApiCallError, toConnectionError } from "./to-api-call-error.js";

/**
 * The default transport: `node:http` (`node:https` for an https URL) with one keep-alive `Agent`,
 * no request timeout, no compression asked for. The streamed body is read as Node `data` events
 * decoded by a `StringDecoder`; the response is paused while the part stream's queue is full and
 * resumed on its next `pull`. A request that fails with `ECONNRESET` on a reused keep-alive
 * connection before any response (the server closed the idle connection as it was reused) is sent
 * once more on a fresh connection.
 */
export function createNodeHttpChatTransport(url: string, options: ConnectionOptions = {}): ChatTransport {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  const send = secure ? httpsRequest : httpRequest;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? defaultMaxSockets };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  // URL keeps IPv6 literals in brackets; `request` wants the bare address.
  const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = target.port;
  const path = `${target.pathname}${target.search}`;

  return {
    post(body, headers, abortSignal) {
      const payload = Buffer.concat(encodeChatRequestBody(body));
      const requestHeaders = { ...headers, "content-length": String(payload.length) };
      return new Promise<ChatTransportResponse>((resolve, reject) => {
        const attempt = (isRetry: boolean) => {
          let settled = false;
          const requestOptions: RequestOptions = {
            hostname,
            path,
            method: "POST",
            headers: requestHeaders,
            agent,
          };
          if (port) requestOptions.port = port;
          const request = send(requestOptions);
          const settle = () => {
            settled = true;
            abortSignal?.removeEventListener("abort", onAbort);
          };
          const onAbort = () => {
            if (settled) return;
            settle();
            request.destroy();
            reject(abortReason(abortSignal as AbortSignal));
          };
          abortSignal?.addEventListener("abort", onAbort, { once: true });
          // Stays attached for the request's life (an unheard 'error' would throw); once the response
          // arrived, the body's own listeners report a failed connection.
          request.on("error", (error: NodeJS.ErrnoException) => {
            if (settled) return;
            settle();
            if (abortSignal?.aborted) reject(abortReason(abortSignal));
            else if (!isRetry && request.reusedSocket && error.code === "ECONNRESET") attempt(true);
            else reject(toConnectionError(error, url, body));
          });
          request.on("response", (response) => {
            if (settled) {
              response.resume();
              return;
            }
            settle();
            const status = response.statusCode ?? 0;
            const responseHeaders = headersOf(response.headers);
            if (status >= 200 && status < 300) {
              resolve({
                headers: responseHeaders,
                text: (signal) => readText(request, response, signal),
                stream: (sink) => readStreamedBody(request, response, sink),
              });
              return;
            }
            const failed = (text: string) =>
              reject(
                toApiCallError(
                  { status, statusText: response.statusMessage ?? "", headers: responseHeaders, body: text },
                  url,
                  body,
                ),
              );
            readText(request, response, undefined).then(failed, () => failed(""));
          });
          request.end(payload);
        };
        attempt(false);
      });
    },
  };
}

function headersOf(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** The whole body as UTF-8 text; an abort destroys the request and rejects with the signal's reason. */
function readText(
  request: ClientRequest,
  response: IncomingMessage,
  abortSignal: AbortSignal | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) {
      request.destroy();
      reject(abortReason(abortSignal));
      return;
    }
    const chunks: Buffer[] = [];
    let ended = false;
    const onAbort = () => {
      request.destroy();
      reject(abortReason(abortSignal as AbortSignal));
    };
    abortSignal?.addEventListener("abort", onAbort, { once: true });
    response.on("data", (chunk: Buffer) => chunks.push(chunk));
    response.on("end", () => {
      ended = true;
      abortSignal?.removeEventListener("abort", onAbort);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    response.on("error", (error) => {
      abortSignal?.removeEventListener("abort", onAbort);
      reject(closedEarly(error));
    });
    response.on("close", () => {
      abortSignal?.removeEventListener("abort", onAbort);
      if (!ended) reject(closedEarly());
    });
  });
}

/**
 * Feeds the body to the sink as it arrives. After `[DONE]` (the sink closed) the rest is read and
 * dropped, so the connection goes back to the agent; a cancel destroys the request (and socket).
 */
function readStreamedBody(
  request: ClientRequest,
  response: IncomingMessage,
  sink: ChatBodySink,
): ChatBodyControl {
  const decoder = new StringDecoder("utf8");
  let paused = false;
  let ended = false;
  response.on("data", (chunk: Buffer) => {
    if (!sink.open) return;
    sink.push(decoder.write(chunk));
    if (sink.open && sink.desiredSize <= 0) {
      paused = true;
      response.pause();
    }
  });
  response.on("end", () => {
    ended = true;
    if (!sink.open) return;
    sink.push(decoder.end());
    sink.end();
  });
  response.on("error", (error) => sink.fail(closedEarly(error)));
  response.on("close", () => {
    if (!ended) sink.fail(closedEarly());
  });
  return {
    pull() {
      if (paused) {
        paused = false;
        response.resume();
      }
      return undefined;
    },
    cancel() {
      request.destroy();
    },
  };
}
