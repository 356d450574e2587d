import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { APICallError, type LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { afterEach, describe, expect, it } from "vitest";
import {
  createOpenAiChatModel,
  type OpenAiChatModelSettings,
} from "../../../src/llm/openai-chat/create-openai-chat-model.js";
import {
  createFakeOpenAiServer,
  type FakeOpenAiServer,
} from "../../../src/testing/create-fake-openai-server.js";
import { readAll, textOf, userPrompt } from "../read-stream.js";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A bare HTTP server for answers the fake OpenAI server does not give (headers, endless streams). */
async function startServer(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => handler(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(promise).then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

const prompt = userPrompt("Hello");

/** Every transport answers the same tests: the default socket one, `node:http` and an injected `fetch`. */
const transports: Array<{ name: string; settings: Partial<OpenAiChatModelSettings> }> = [
  { name: "socket", settings: {} },
  { name: "node:http", settings: { httpClient: "node:http" } },
  { name: "fetch", settings: { fetch: globalThis.fetch } },
];

describe.each(transports)("createOpenAiChatModel over $name", (transport) => {
  function createModel(settings: OpenAiChatModelSettings) {
    return createOpenAiChatModel({ ...settings, ...transport.settings });
  }

  const servers: Server[] = [];
  let fake: FakeOpenAiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  function modelFor(baseUrl: string) {
    return createModel({ baseUrl, apiKey: "sk-test", modelId: "gpt-test", providerName: "openai" });
  }

  it("maps call options to the Chat Completions request body and headers", async () => {
    fake = await createFakeOpenAiServer({ tokens: ["ok"] });
    const model = createModel({
      baseUrl: `${fake.url}/`,
      apiKey: "sk-test",
      modelId: "gpt-test",
      providerName: "openai",
      headers: { "x-team": "voice" },
    });
    const { stream } = await model.doStream({
      prompt,
      maxOutputTokens: 50,
      temperature: 0.2,
      topP: 0.9,
      topK: 5,
      stopSequences: ["\n\n"],
      tools: [
        {
          type: "function",
          name: "send_digits",
          description: "Press keys",
          inputSchema: { type: "object", properties: { digits: { type: "string" } } },
        },
      ],
      toolChoice: { type: "tool", toolName: "send_digits" },
      headers: { "x-call": "CA123", "x-unset": undefined },
    });
    const parts = await readAll(stream);

    expect(parts[0]).toEqual({ type: "stream-start", warnings: [{ type: "unsupported", feature: "topK" }] });
    const request = fake.requests[0];
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    expect(request?.headers["x-team"]).toBe("voice");
    expect(request?.headers["x-call"]).toBe("CA123");
    expect(request?.headers["x-unset"]).toBeUndefined();
    expect(Number(request?.headers["content-length"])).toBe(Buffer.byteLength(JSON.stringify(request?.body)));
    expect(request?.body).toEqual({
      model: "gpt-test",
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
      temperature: 0.2,
      top_p: 0.9,
      stop: ["\n\n"],
      tools: [
        {
          type: "function",
          function: {
            name: "send_digits",
            description: "Press keys",
            parameters: { type: "object", properties: { digits: { type: "string" } } },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "send_digits" } },
    });
  });

  it("answers doGenerate with tool calls, finish reason and usage", async () => {
    fake = await createFakeOpenAiServer({ toolCalls: [{ name: "send_digits", arguments: { digits: "9" } }] });
    const result = await modelFor(fake.url).doGenerate({ prompt });
    expect(fake.requests[0]?.body).not.toHaveProperty("stream");
    expect(result.content).toEqual([
      { type: "tool-call", toolCallId: "call_fake_1", toolName: "send_digits", input: '{"digits":"9"}' },
    ]);
    expect(result.finishReason).toEqual({ unified: "tool-calls", raw: "tool_calls" });
    expect(result.usage.outputTokens.total).toBe(1);
    expect(result.response?.id).toBe("chatcmpl-fake");
  });

  it("throws a retryable APICallError with the status, body and Retry-After header for HTTP 429", async () => {
    const { url, server } = await startServer((_request, response) => {
      response.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
      response.end(JSON.stringify({ error: { message: "Rate limit reached", type: "rate_limit_error" } }));
    });
    servers.push(server);
    const error = await rejectionOf(modelFor(url).doStream({ prompt }));
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(429);
    expect(apiError.isRetryable).toBe(true);
    expect(apiError.message).toBe("Rate limit reached");
    expect(apiError.responseHeaders?.["retry-after"]).toBe("7");
    expect(apiError.responseBody).toContain("rate_limit_error");
    expect(apiError.url).toBe(`${url}/chat/completions`);
  });

  it("throws a non-retryable APICallError for HTTP 400, from doGenerate too", async () => {
    fake = await createFakeOpenAiServer();
    fake.failNext(2, 400);
    for (const call of [
      () => modelFor(fake!.url).doStream({ prompt }),
      () => modelFor(fake!.url).doGenerate({ prompt }),
    ]) {
      const error = (await rejectionOf(call())) as APICallError;
      expect(APICallError.isInstance(error)).toBe(true);
      expect(error.statusCode).toBe(400);
      expect(error.isRetryable).toBe(false);
    }
  });

  it("classifies 5xx as retryable and a refused connection as a retryable APICallError", async () => {
    fake = await createFakeOpenAiServer();
    fake.failNext(1, 503);
    const serverError = (await rejectionOf(modelFor(fake.url).doStream({ prompt }))) as APICallError;
    expect(serverError.isRetryable).toBe(true);
    const url = fake.url;
    await fake.close();
    const refused = (await rejectionOf(modelFor(url).doStream({ prompt }))) as APICallError;
    expect(APICallError.isInstance(refused)).toBe(true);
    expect(refused.isRetryable).toBe(true);
  });

  it("rejects an already-aborted signal without sending a request", async () => {
    fake = await createFakeOpenAiServer();
    const controller = new AbortController();
    controller.abort(new Error("caller hung up"));
    const error = await rejectionOf(modelFor(fake.url).doStream({ prompt, abortSignal: controller.signal }));
    expect((error as Error).message).toBe("caller hung up");
    expect(fake.requests).toHaveLength(0);
  });

  it("stops reading and closes the connection when aborted mid-stream", async () => {
    let written = 0;
    let connectionClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      connectionClosed = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    const { url, server } = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.on("close", () => {
        clearInterval(timer);
        connectionClosed();
      });
      timer = setInterval(() => {
        written++;
        const chunk = { id: "c", choices: [{ index: 0, delta: { content: `t${written} ` } }] };
        response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      }, 10);
    });
    servers.push(server);
    const controller = new AbortController();
    const { stream } = await modelFor(url).doStream({ prompt, abortSignal: controller.signal });
    const reader = stream.getReader();
    const seen: LanguageModelV3StreamPart[] = [];
    while (!seen.some((part) => part.type === "text-delta")) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(value);
    }
    controller.abort();

    await expect(reader.read()).rejects.toThrow();
    await closed;
    const writtenAtClose = written;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toBe(writtenAtClose);
    expect(written).toBeLessThan(20);
  });

  it("ends the stream at [DONE] with finish, and reports an unparsable event as an error part", async () => {
    const { url, server } = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write('data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}\r\n\r\n');
      response.write("data: {not json\r\n\r\n");
      response.write('data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\r\n\r\n');
      response.end("data: [DONE]\r\n\r\n");
    });
    servers.push(server);
    const parts = await readAll((await modelFor(url).doStream({ prompt })).stream);
    expect(parts.map((part) => part.type)).toEqual([
      "stream-start",
      "response-metadata",
      "text-start",
      "text-delta",
      "error",
      "text-end",
      "finish",
    ]);
  });
  it("aborts a request still waiting for the response headers and closes the connection", async () => {
    let connectionClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => {
      connectionClosed = resolve;
    });
    const { url, server } = await startServer((_request, response) => {
      response.on("close", () => connectionClosed());
    });
    servers.push(server);
    const controller = new AbortController();
    const pending = rejectionOf(modelFor(url).doStream({ prompt, abortSignal: controller.signal }));
    setTimeout(() => controller.abort(new Error("caller hung up")), 20);
    expect(((await pending) as Error).message).toBe("caller hung up");
    await closed;
  });

  it("applies backpressure: a reader that stops reading stops the server's writes", async () => {
    const events = 20_000;
    const padding = "x".repeat(1000);
    let written = 0;
    let finished = false;
    const { url, server } = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      const writeMore = () => {
        while (written < events) {
          written++;
          const chunk = { id: "c", choices: [{ index: 0, delta: { content: `${written}${padding}` } }] };
          if (!response.write(`data: ${JSON.stringify(chunk)}\n\n`)) {
            response.once("drain", writeMore);
            return;
          }
        }
        response.end("data: [DONE]\n\n", () => {
          finished = true;
        });
      };
      writeMore();
    });
    servers.push(server);
    const { stream } = await modelFor(url).doStream({ prompt });
    const reader = stream.getReader();
    let deltas = 0;
    while (deltas === 0) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.type === "text-delta") deltas++;
    }
    // Wait until the server's writes stall (or everything was written, which would be the bug).
    for (let previous = -1; written !== previous && !finished; ) {
      previous = written;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(finished).toBe(false);
    expect(written).toBeLessThan(events);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.type === "text-delta") deltas++;
    }
    expect(deltas).toBe(events);
  });
});

// The transports that own their connections: the default socket one and `node:http`.
describe.each(transports.slice(0, 2))("createOpenAiChatModel over $name, connections", (transport) => {
  const servers: Array<Server | TcpServer> = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      if ("closeAllConnections" in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  function modelFor(baseUrl: string, settings: Partial<OpenAiChatModelSettings> = {}) {
    return createOpenAiChatModel({
      baseUrl,
      modelId: "gpt-test",
      providerName: "openai-compatible",
      ...settings,
      ...transport.settings,
    });
  }

  /** Listens on a free loopback port (closed after the test) and gives the port. */
  async function listening(server: Server | TcpServer): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    return (server.address() as AddressInfo).port;
  }

  it("asks for no compression and sends no Authorization without a key, from doStream and doGenerate", async () => {
    const fake = await createFakeOpenAiServer({ tokens: ["a", "b"] });
    fake.setReply((request) => {
      expect(request.headers["accept-encoding"]).toBeUndefined();
      expect(request.headers.authorization).toBeUndefined();
      return { tokens: ["a", "b"] };
    });
    try {
      const model = modelFor(fake.url);
      for (let call = 0; call < 3; call++) {
        const { stream, response } = await model.doStream({ prompt });
        expect(response?.headers?.["content-type"]).toBe("text/event-stream");
        expect(textOf(await readAll(stream))).toBe("ab");
        await model.doGenerate({ prompt });
      }
      expect(fake.requests).toHaveLength(6);
    } finally {
      await fake.close();
    }
  });

  it("keeps the connection alive between calls", async () => {
    const sockets = new Set<unknown>();
    const { url, server } = await startServer((request, response) => {
      sockets.add(request.socket);
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(
        'data: {"id":"c","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      );
    });
    servers.push(server);
    const model = modelFor(url);
    for (let call = 0; call < 3; call++) expect(textOf(await streamAll(model))).toBe("ok");
    expect(sockets.size).toBe(1);
  });

  it("sends a request once more on a fresh connection when a reused one was reset before any response", async () => {
    let requests = 0;
    const { url, server } = await startServer((request, response) => {
      requests++;
      if (requests === 2) {
        request.socket.destroy();
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(
        'data: {"id":"c","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      );
    });
    servers.push(server);
    const model = modelFor(url);
    expect(textOf(await streamAll(model))).toBe("ok");
    expect(textOf(await streamAll(model))).toBe("ok");
    expect(requests).toBe(3);
  });

  it("queues calls beyond maxSockets until a connection is free, then reuses it", async () => {
    const sockets = new Set<unknown>();
    const { url, server } = await startServer((request, response) => {
      sockets.add(request.socket);
      response.writeHead(200, { "content-type": "text/event-stream" });
      setTimeout(() => {
        response.end(
          'data: {"id":"c","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
        );
      }, 20);
    });
    servers.push(server);
    const model = modelFor(url, { maxSockets: 1 });
    const texts = await Promise.all([1, 2, 3].map(async () => textOf(await streamAll(model))));
    expect(texts).toEqual(["ok", "ok", "ok"]);
    expect(sockets.size).toBe(1);
  });

  it("reads a reply written a few bytes at a time and delimited by the connection's end", async () => {
    const reply = Buffer.from(
      "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n" +
        'data: {"id":"c","choices":[{"index":0,"delta":{"content":"dé"},"finish_reason":null}]}\n\n' +
        'data: {"id":"c","choices":[{"index":0,"delta":{"content":"jà vu"},"finish_reason":"stop"}]}\n\n',
    );
    const server = createTcpServer((socket) => {
      socket.once("data", async () => {
        for (let offset = 0; offset < reply.length; offset += 3) {
          socket.write(reply.subarray(offset, offset + 3));
          await new Promise((resolve) => setImmediate(resolve));
        }
        socket.end();
      });
    });
    const port = await listening(server);
    const parts = await streamAll(modelFor(`http://127.0.0.1:${port}/v1`));
    expect(textOf(parts)).toBe("déjà vu");
    expect(parts.at(-1)?.type).toBe("finish");
  });

  it("refuses a server whose certificate it cannot verify, before sending the request", async () => {
    // A self-signed certificate for 127.0.0.1 (test fixture; no CA the client trusts signed it).
    const pem = readFileSync(new URL("./self-signed-test-cert.pem", import.meta.url), "utf8");
    let requests = 0;
    const server = createHttpsServer({ key: pem, cert: pem }, (_request, response) => {
      requests++;
      response.end("{}");
    });
    const port = await listening(server);
    const error = (await rejectionOf(
      modelFor(`https://127.0.0.1:${port}/v1`).doStream({ prompt }),
    )) as APICallError;
    expect(APICallError.isInstance(error)).toBe(true);
    expect(String((error.cause as Error | undefined)?.message)).toMatch(/self[- ]signed|certificate/i);
    expect(requests).toBe(0);
  });

  it("speaks TLS to an https base URL", async () => {
    let firstByte: number | undefined;
    const server = createTcpServer((socket) => {
      socket.once("data", (data: Buffer) => {
        firstByte = data[0];
        socket.destroy();
      });
    });
    const port = await listening(server);
    const error = (await rejectionOf(
      modelFor(`https://127.0.0.1:${port}/v1`).doStream({ prompt }),
    )) as APICallError;
    expect(firstByte).toBe(0x16); // a TLS handshake record
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error.isRetryable).toBe(true);
  });
});

async function streamAll(model: ReturnType<typeof createOpenAiChatModel>) {
  return readAll((await model.doStream({ prompt })).stream);
}
