import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamResult,
} from "@ai-sdk/provider";
import type { DirectStreamModel } from "../../ports/direct-stream-model.js";
import { abortReason } from "../stream-parts.js";
import type { ChatTransport, ChatTransportResponse } from "./chat-transport.js";
import type { ChatCompletion } from "./chat-wire-types.js";
import { createChatPartStream, streamChatParts } from "./create-chat-part-stream.js";
import { createFetchChatTransport } from "./create-fetch-chat-transport.js";
import { createNodeHttpChatTransport } from "./create-node-http-chat-transport.js";
import { createSocketChatTransport } from "./create-socket-chat-transport.js";
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
  /** Sends requests with this `fetch` instead (tests and custom transports). */
  fetch?: typeof fetch;
  /**
   * Without `fetch`: `socket` (default) writes and reads HTTP/1.1 on a `net`/`tls` socket
   * (create-socket-chat-transport.ts); `node:http` uses Node's HTTP client.
   */
  httpClient?: "socket" | "node:http";
  /** `socket` and `node:http`: connections open at once (default `defaultMaxSockets`, 1024, in chat-transport.ts). */
  maxSockets?: number;
  /** Extra headers on every request; a call's `headers` win. */
  headers?: Record<string, string>;
}

/**
 * A lean `LanguageModelV3` for the OpenAI Chat Completions wire format (`POST {baseUrl}/chat/completions`),
 * for OpenAI and compatible servers. Requests go out as HTTP/1.1 on keep-alive `net`/`tls` sockets
 * (or through `node:http`, or `settings.fetch`, when asked). `doStream` parses SSE in
 * place and maps chunks straight into the queue of a single `ReadableStream` (`doStreamTo`: straight
 * to a listener): no TransformStream chain, no schema validation per chunk. HTTP failures throw `APICallError` (retryable for 408,
 * 409, 429, 5xx and refused connections); an aborted signal stops the request.
 */
export function createOpenAiChatModel(settings: OpenAiChatModelSettings): DirectStreamModel {
  const url = `${settings.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const socketOptions = settings.maxSockets ? { maxSockets: settings.maxSockets } : {};
  const transport: ChatTransport = settings.fetch
    ? createFetchChatTransport(url, settings.fetch)
    : settings.httpClient === "node:http"
      ? createNodeHttpChatTransport(url, socketOptions)
      : createSocketChatTransport(url, socketOptions);
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

  function post(body: ChatRequestBody, options: LanguageModelV3CallOptions): Promise<ChatTransportResponse> {
    const signal = options.abortSignal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return transport.post(body, headersFor(options), signal);
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
        stream: createChatPartStream(response, warnings, options),
        request: { body },
        response: { headers: response.headers },
      };
    },

    async doStreamTo(options, onPart): Promise<void> {
      const { body, warnings } = toChatRequest(settings.modelId, options, true);
      const response = await post(body, options);
      await streamChatParts(response, warnings, options, onPart);
    },

    async doGenerate(options): Promise<LanguageModelV3GenerateResult> {
      const { body, warnings } = toChatRequest(settings.modelId, options, false);
      const response = await post(body, options);
      const text = await response.text(options.abortSignal);
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
          headers: response.headers,
          body: completion,
        },
      };
    },
  };
}
