import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeHttpServer } from "./close-http-server.js";

/** What the fake answers: streamed content tokens, or function calls. */
export interface FakeOpenAiReply {
  /** Content tokens, streamed one per event. Default: `["Hello", " from", " the", " fake", " server."]`. */
  tokens?: string[];
  /** Function calls instead of text (arguments are JSON-encoded and streamed in two pieces). */
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  /** Milliseconds between streamed events (0: all at once). */
  delayMs?: number;
}

export interface FakeOpenAiRequest {
  method: string;
  /** e.g. `/v1/chat/completions` or `/v1/responses`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`model`, `messages` or `input`, `tools`, `stream`…). */
  body: Record<string, unknown>;
  /** The status the fake answered with. */
  status: number;
}

export interface FakeOpenAiServerOptions {
  /**
   * Keep every request in `requests` (default true). A load test turns it off: thousands of kept
   * bodies grow the fake's heap, and its garbage collection pauses then show up as model latency.
   */
  recordRequests?: boolean;
}

export interface FakeOpenAiServer {
  /** Base URL including `/v1`, ready for `baseURL`. */
  url: string;
  /** Every request received, in order, failed ones included. */
  requests: FakeOpenAiRequest[];
  /** The next `count` requests fail with `status` (an OpenAI-shaped error body). */
  failNext(count: number, status?: number): void;
  /** Replaces the reply for the following requests. */
  setReply(reply: FakeOpenAiReply | ((request: FakeOpenAiRequest) => FakeOpenAiReply)): void;
  /** Stops the server (idempotent). */
  close(): Promise<void>;
}

const created = 1_700_000_000;
const defaultTokens = ["Hello", " from", " the", " fake", " server."];

/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI wire format: `POST /v1/chat/completions`
 * (Chat Completions, also what `@ai-sdk/openai-compatible` calls) and `POST /v1/responses` (the
 * Responses API, what `@ai-sdk/openai`'s default model calls), streamed (SSE) or not.
 */
export async function createFakeOpenAiServer(
  initialReply: FakeOpenAiReply | ((request: FakeOpenAiRequest) => FakeOpenAiReply) = {},
  options: FakeOpenAiServerOptions = {},
): Promise<FakeOpenAiServer> {
  const recordRequests = options.recordRequests ?? true;
  const requests: FakeOpenAiRequest[] = [];
  let reply = initialReply;
  let failures: { count: number; status: number } = { count: 0, status: 500 };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body =
          chunks.length > 0
            ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>)
            : {};
      } catch {
        return sendError(response, 400, "Invalid JSON body");
      }
      const path = (request.url ?? "/").split("?")[0] ?? "/";
      const recorded: FakeOpenAiRequest = {
        method: request.method ?? "GET",
        path,
        headers: request.headers,
        body,
        status: 200,
      };
      if (recordRequests) requests.push(recorded);
      const endpoint = request.method === "POST" ? endpointOf(path) : undefined;
      if (!endpoint) {
        recorded.status = 404;
        return sendError(response, 404, `No route for ${request.method} ${path}`);
      }
      if (failures.count > 0) {
        failures.count--;
        recorded.status = failures.status;
        return sendError(response, failures.status, `Fake failure (HTTP ${failures.status})`);
      }
      const chosen = typeof reply === "function" ? reply(recorded) : reply;
      const write = endpoint === "responses" ? responsesEvents : chatEvents;
      const { events, final } = write(body, chosen);
      if (body.stream !== true) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(final));
        return;
      }
      void streamEvents(response, events, chosen.delayMs ?? 0, endpoint === "chat");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext(count, status = 500) {
      failures = { count, status };
    },
    setReply(next) {
      reply = next;
    },
    close: () => closeHttpServer(server),
  };
}

function endpointOf(path: string): "chat" | "responses" | undefined {
  if (path === "/v1/chat/completions") return "chat";
  if (path === "/v1/responses") return "responses";
  return undefined;
}

function sendError(response: ServerResponse, status: number, message: string): void {
  const type = status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error";
  response.writeHead(status, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      error: { message, type, param: null, code: status === 429 ? "rate_limit_exceeded" : null },
    }),
  );
}

interface StreamEvent {
  /** SSE `event:` name (the Responses API sends one; Chat Completions does not). */
  name?: string;
  data: unknown;
}

async function streamEvents(response: ServerResponse, events: StreamEvent[], delayMs: number, done: boolean) {
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  for (const event of events) {
    if (response.destroyed) return;
    response.write(`${event.name ? `event: ${event.name}\n` : ""}data: ${JSON.stringify(event.data)}\n\n`);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  if (done) response.write("data: [DONE]\n\n");
  response.end();
}

/** Rough token count of a request's messages: a token per four characters of JSON. */
function words(value: unknown): number {
  return Math.max(1, Math.round(JSON.stringify(value ?? "").length / 4));
}

function splitInTwo(text: string): string[] {
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)].filter(Boolean);
}

/** Chat Completions: `chat.completion.chunk` events and the non-streamed `chat.completion`. */
function chatEvents(body: Record<string, unknown>, reply: FakeOpenAiReply) {
  const model = String(body.model ?? "fake-model");
  const tokens = reply.toolCalls ? [] : (reply.tokens ?? defaultTokens);
  const calls = (reply.toolCalls ?? []).map((call, index) => ({
    id: `call_fake_${index + 1}`,
    name: call.name,
    arguments: JSON.stringify(call.arguments),
  }));
  const usage = {
    prompt_tokens: words(body.messages),
    completion_tokens: tokens.length + calls.length,
    total_tokens: words(body.messages) + tokens.length + calls.length,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  const finishReason = calls.length > 0 ? "tool_calls" : "stop";
  const chunk = (delta: unknown, finish: string | null = null) => ({
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created,
    model,
    system_fingerprint: "fp_fake",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const events: StreamEvent[] = [{ data: chunk({ role: "assistant", content: "", refusal: null }) }];
  for (const token of tokens) events.push({ data: chunk({ content: token }) });
  for (const [index, call] of calls.entries()) {
    events.push({
      data: chunk({
        tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
      }),
    });
    for (const piece of splitInTwo(call.arguments)) {
      events.push({ data: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }) });
    }
  }
  events.push({ data: chunk({}, finishReason) });
  const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
  if (streamOptions?.include_usage) events.push({ data: { ...chunk({}), choices: [], usage } });

  const final = {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created,
    model,
    system_fingerprint: "fp_fake",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: tokens.length > 0 ? tokens.join("") : null,
          refusal: null,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((call) => ({
                  id: call.id,
                  type: "function",
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage,
  };
  return { events, final };
}

/** Responses API: the typed `response.*` events and the non-streamed `response` object. */
function responsesEvents(body: Record<string, unknown>, reply: FakeOpenAiReply) {
  const model = String(body.model ?? "fake-model");
  const tokens = reply.toolCalls ? [] : (reply.tokens ?? defaultTokens);
  const text = tokens.join("");
  const usage = {
    input_tokens: words(body.input),
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: tokens.length + (reply.toolCalls?.length ?? 0),
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: words(body.input) + tokens.length + (reply.toolCalls?.length ?? 0),
  };
  const responseObject = (status: string, output: unknown[], withUsage: boolean) => ({
    id: "resp_fake",
    object: "response",
    created_at: created,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: withUsage ? usage : null,
    user: null,
    metadata: {},
  });

  const events: StreamEvent[] = [];
  const push = (type: string, data: Record<string, unknown>) =>
    events.push({ name: type, data: { type, sequence_number: events.length, ...data } });
  const output: unknown[] = [];
  push("response.created", { response: responseObject("in_progress", [], false) });
  push("response.in_progress", { response: responseObject("in_progress", [], false) });

  if (tokens.length > 0) {
    const itemId = "msg_fake";
    const part = (partText: string) => ({
      type: "output_text",
      annotations: [],
      logprobs: [],
      text: partText,
    });
    const item = (status: string, content: unknown[]) => ({
      id: itemId,
      type: "message",
      status,
      content,
      role: "assistant",
    });
    const location = { item_id: itemId, output_index: 0, content_index: 0 };
    push("response.output_item.added", { output_index: 0, item: item("in_progress", []) });
    push("response.content_part.added", { ...location, part: part("") });
    for (const token of tokens)
      push("response.output_text.delta", { ...location, delta: token, logprobs: [] });
    push("response.output_text.done", { ...location, text, logprobs: [] });
    push("response.content_part.done", { ...location, part: part(text) });
    const done = item("completed", [part(text)]);
    push("response.output_item.done", { output_index: 0, item: done });
    output.push(done);
  }
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    const args = JSON.stringify(call.arguments);
    const item = (status: string, itemArguments: string) => ({
      id: `fc_fake_${index + 1}`,
      type: "function_call",
      status,
      arguments: itemArguments,
      call_id: `call_fake_${index + 1}`,
      name: call.name,
    });
    const location = { item_id: `fc_fake_${index + 1}`, output_index: index };
    push("response.output_item.added", { output_index: index, item: item("in_progress", "") });
    for (const piece of splitInTwo(args))
      push("response.function_call_arguments.delta", { ...location, delta: piece });
    push("response.function_call_arguments.done", { ...location, arguments: args });
    push("response.output_item.done", { output_index: index, item: item("completed", args) });
    output.push(item("completed", args));
  }
  push("response.completed", { response: responseObject("completed", output, true) });
  return { events, final: responseObject("completed", output, true) };
}
