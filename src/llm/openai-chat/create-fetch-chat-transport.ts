import { abortReason } from "../stream-parts.js";
import type { ChatBodyControl, ChatBodySink, ChatTransport } from "./chat-transport.js";
import { encodeChatRequestBody } from "./encode-chat-request-body.js";
import { toApiCallError, toConnectionError } from "./to-api-call-error.js";

/**
 * The transport over a `fetch` implementation (an injected one; the default is `node:http`). The
 * streamed body is read with one reader and one streaming `TextDecoder`; each `pull` reads until
 * the read produced a part.
 */
export function createFetchChatTransport(url: string, fetchImplementation: typeof fetch): ChatTransport {
  return {
    async post(body, headers, abortSignal) {
      let response: Response;
      try {
        response = await fetchImplementation(url, {
          method: "POST",
          headers,
          body: Buffer.concat(encodeChatRequestBody(body)),
          ...(abortSignal ? { signal: abortSignal } : {}),
        });
      } catch (error) {
        if (abortSignal?.aborted) throw abortReason(abortSignal);
        throw isConnectionFailure(error) ? toConnectionError(error, url, body) : error;
      }
      if (!response.ok) {
        let text = "";
        try {
          text = await response.text();
        } catch {
          // The body could not be read; the status still says what happened.
        }
        throw toApiCallError(
          {
            status: response.status,
            statusText: response.statusText,
            headers: headersOf(response),
            body: text,
          },
          url,
          body,
        );
      }
      return {
        headers: headersOf(response),
        text: () => response.text(),
        stream: (sink) => readFetchBody(response, sink),
      };
    },
  };
}

/** undici's `TypeError: fetch failed` (refused, reset, DNS), not an abort or a bug. */
function isConnectionFailure(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed|network/i.test(error.message);
}

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

function readFetchBody(response: Response, sink: ChatBodySink): ChatBodyControl {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  if (!reader) {
    sink.end();
    return { pull: () => undefined, cancel: () => {} };
  }
  return {
    async pull() {
      const before = sink.emitted;
      try {
        while (sink.open && sink.emitted === before) {
          const { done, value } = await reader.read();
          if (!sink.open) return;
          if (done) {
            sink.push(decoder.decode());
            sink.end();
            return;
          }
          sink.push(decoder.decode(value, { stream: true }));
          if (!sink.open) drain(reader); // `[DONE]`: the reply is complete
        }
      } catch (error) {
        sink.fail(error);
      }
    },
    cancel(reason) {
      reader.cancel(reason).catch(() => {});
    },
  };
}

/** Reads what follows `[DONE]` (normally nothing) so the connection goes back to the pool. */
function drain(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  void (async () => {
    try {
      for (;;) if ((await reader.read()).done) return;
    } catch {
      // The reply is complete; a late failure of the connection changes nothing.
    }
  })();
}
