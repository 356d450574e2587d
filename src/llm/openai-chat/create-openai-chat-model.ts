import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  SharedV3Warning,
} from "@ai-sdk/provider";
import { abortReason } from "../stream-parts.js";
import type { ChatCompletion, ChatCompletionChunk } from "./chat-wire-types.js";
import { createChatStreamMapper } from "./map-chat-stream.js";
import { createChatSseParser } from "./parse-chat-sse.js";
import { headersOf, toApiCallError, toConnectionError } from "./to-api-call-error.js";
import { type ChatRequestBody, toChatRequest } from "./to-chat-request.js";
import { toChatUsage } from "./to-chat-usage.js";
import { toFinishReason } from "./to-finish-reason.js";

export interface OpenAiChatModelSettings {
  /** Base URL including the version, e.g. `https://api.openai.com/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set (local servers often need none). */
  apiKey?: string | undefined;
  modelId: string;
  /** First segment of `model.provider`, e.g. `openai` or `openai-compatible` (`.chat` is appended). */
  providerName: string;
  /** Replaces the global fetch (tests point it anywhere). */
  fetch?: typeof fetch;
  /** Extra headers on every request; a call's `headers` win. */
  headers?: Record<string, string>;
}

/**
 * A lean `LanguageModelV3` for the OpenAI Chat Completions wire format (`POST {baseUrl}/chat/completions`),
 * for OpenAI and compatible servers. `doStream` reads the response body with one reader and one
 * streaming `TextDecoder`, parses SSE in place and maps chunks straight into the stream's queue from
 * a single `pull`: no TransformStream chain, no schema validation per chunk. HTTP failures throw
 * `APICallError` (retryable for 408, 409, 429 and 5xx); an aborted signal stops the request.
 */
export function createOpenAiChatModel(settings: OpenAiChatModelSettings): LanguageModelV3 {
  const url = `${settings.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const fetchImplementation = settings.fetch ?? globalThis.fetch;
  const baseHeaders: Record<string, string> = {
    "content-type": "application/json",
    ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
    ...settings.headers,
  };

  function headersFor(options: LanguageModelV3CallOptions): Record<string, string> {
    if (!options.headers) return baseHeaders;
    const headers = { ...baseHeaders };
    for (const [name, value] of Object.entries(options.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    return headers;
  }

  async function post(body: ChatRequestBody, options: LanguageModelV3CallOptions): Promise<Response> {
    const signal = options.abortSignal;
    if (signal?.aborted) throw abortReason(signal);
    let response: Response;
    try {
      response = await fetchImplementation(url, {
        method: "POST",
        headers: headersFor(options),
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw signal?.aborted ? abortReason(signal) : toConnectionError(error, url, body);
    }
    if (!response.ok) throw await toApiCallError(response, url, body);
    return response;
  }

  return {
    specificationVersion: "v3",
    provider: `${settings.providerName}.chat`,
    modelId: settings.modelId,
    supportedUrls: { "image/*": [/^https?:\/\/.*$/] },

    async doStream(options): Promise<LanguageModelV3StreamResult> {
      const { body, warnings } = toChatRequest(settings.modelId, options, true);
      const response = await post(body, options);
      return {
        stream: readChatStream(response, warnings, options),
        request: { body },
        response: { headers: headersOf(response) },
      };
    },

    async doGenerate(options): Promise<LanguageModelV3GenerateResult> {
      const { body, warnings } = toChatRequest(settings.modelId, options, false);
      const response = await post(body, options);
      const text = await response.text();
      let completion: ChatCompletion;
      try {
        completion = JSON.parse(text) as ChatCompletion;
      } catch (error) {
        throw new Error(`${settings.providerName}: the chat completion is not JSON`, { cause: error });
      }
      const choice = completion.choices?.[0];
      const message = choice?.message;
      const content: LanguageModelV3Content[] = [];
      const reasoning = message?.reasoning_content ?? message?.reasoning;
      if (reasoning) content.push({ type: "reasoning", text: reasoning });
      if (message?.content) content.push({ type: "text", text: message.content });
      for (const call of message?.tool_calls ?? []) {
        content.push({
          type: "tool-call",
          toolCallId: call.id || `call_${crypto.randomUUID()}`,
          toolName: call.function?.name ?? "",
          input: call.function?.arguments || "{}",
        });
      }
      return {
        content,
        finishReason: toFinishReason(choice?.finish_reason),
        usage: toChatUsage(completion.usage),
        warnings,
        request: { body },
        response: {
          id: completion.id ?? undefined,
          modelId: completion.model ?? undefined,
          timestamp: completion.created ? new Date(completion.created * 1000) : undefined,
          headers: headersOf(response),
          body: completion,
        },
      };
    },
  };
}

/**
 * The response body as V3 parts: `stream-start` first, then whatever each read yields. The
 * stream ends at `data: [DONE]` (the rest of the body is drained so the connection can be reused)
 * or at the end of the body. An abort errors the stream at once, drops queued parts and cancels
 * the body (closing the connection).
 */
function readChatStream(
  response: Response,
  warnings: SharedV3Warning[],
  options: LanguageModelV3CallOptions,
): ReadableStream<LanguageModelV3StreamPart> {
  const signal = options.abortSignal;
  const body = response.body;
  const reader = body?.getReader();
  const decoder = new TextDecoder();
  let controller!: ReadableStreamDefaultController<LanguageModelV3StreamPart>;
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
    reader?.cancel(reason).catch(() => {});
  }
  function finish(): void {
    stopListening();
    mapper.end();
    open = false;
    controller.close();
  }

  return new ReadableStream<LanguageModelV3StreamPart>({
    start(streamController) {
      controller = streamController;
      if (signal?.aborted) {
        fail(abortReason(signal));
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      controller.enqueue({ type: "stream-start", warnings });
      if (!reader) finish();
    },
    async pull() {
      if (!reader || !open) return;
      const before = emitted;
      try {
        while (open && emitted === before) {
          const { done, value } = await reader.read();
          if (!open) return;
          if (done) {
            parser.push(decoder.decode());
            parser.end();
            finish();
            return;
          }
          parser.push(decoder.decode(value, { stream: true }));
          if (sawDone) {
            finish();
            drain(reader);
            return;
          }
        }
      } catch (error) {
        fail(signal?.aborted ? abortReason(signal) : error);
      }
    },
    cancel(reason) {
      stopListening();
      open = false;
      return reader?.cancel(reason);
    },
  });
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
