import { createServer, type Server } from "node:http";
import { type AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChatBodySink } from "../../../src/llm/openai-chat/chat-transport.js";
import { createSocketChatTransport } from "../../../src/llm/openai-chat/create-socket-chat-transport.js";

const reply =
  'data: {"id":"c","choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';

/** A sink that records what it is given. */
function recordingSink() {
  const texts: string[] = [];
  let open = true;
  const sink: ChatBodySink = {
    push: (text) => {
      texts.push(text);
    },
    end: () => {
      open = false;
    },
    fail: () => {
      open = false;
    },
    get open() {
      return open;
    },
    desiredSize: 1,
    emitted: 0,
  };
  return { sink, texts };
}

/** Posts an empty chat request and returns the body text read within `settleMs`. */
async function postAndRead(transport: ReturnType<typeof createSocketChatTransport>, settleMs: number) {
  const response = await transport.post({ model: "m", messages: [] }, {}, undefined);
  const read = recordingSink();
  response.stream(read.sink);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return read.texts.join("");
}

describe("socket chat transport", () => {
  let server: Server | undefined;
  afterEach(async () => {
    const running = server;
    server = undefined;
    if (!running) return;
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  });

  /**
   * Starts a server answering every request with `reply`; `afterReply` runs once it is written.
   * Returns its port and the server-side sockets it saw.
   */
  async function startReplyServer(afterReply?: (socket: Socket) => void) {
    const sockets = new Set<Socket>();
    const started = createServer((request, response) => {
      sockets.add(request.socket);
      request.resume();
      request.on("end", () => {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.end(reply, () => afterReply?.(request.socket));
      });
    });
    server = started;
    await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
    const port = (started.address() as AddressInfo).port;
    return { port, sockets, url: `http://127.0.0.1:${port}/v1/chat/completions` };
  }

  it("leaves a connection that went back to the pool alone when a late reader cancels", async () => {
    const { url, sockets } = await startReplyServer();
    const transport = createSocketChatTransport(url);
    const body = { model: "m", messages: [] };

    const first = await transport.post(body, { "content-type": "application/json" }, undefined);
    await new Promise((resolve) => setTimeout(resolve, 30)); // the whole reply is in; the socket is pooled
    const late = recordingSink();
    const control = first.stream(late.sink);
    control.cancel(new Error("reader gave up"));
    expect(late.texts.join("")).toBe(reply); // what had arrived was still delivered

    const second = await transport.post(body, { "content-type": "application/json" }, undefined);
    const next = recordingSink();
    second.stream(next.sink);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(next.texts.join("")).toBe(reply);
    expect(sockets.size).toBe(1);
  });

  it("listens to a connection once, however many requests it carries", async () => {
    const { url, port } = await startReplyServer();
    const transport = createSocketChatTransport(url);
    const added = vi.spyOn(Socket.prototype, "on");
    try {
      for (let request = 0; request < 5; request++) {
        expect(await postAndRead(transport, 10)).toBe(reply);
      }
      // The client's socket only (the server's are on the same prototype).
      const clientDataListeners = added.mock.calls.filter(
        ([event], index) =>
          (event as string) === "data" && (added.mock.contexts[index] as Socket).localPort !== port,
      );
      expect(clientDataListeners).toHaveLength(1);
    } finally {
      added.mockRestore();
    }
  });

  it("closes an idle connection the server writes to, and carries on over a fresh one", async () => {
    // After each response: bytes nobody asked for, on a connection back in the pool.
    const { url, sockets } = await startReplyServer((socket) =>
      setTimeout(() => socket.write("HTTP/1.1 200 OK\r\n\r\nstray"), 5),
    );
    const transport = createSocketChatTransport(url);
    for (let request = 0; request < 2; request++) {
      expect(await postAndRead(transport, 40)).toBe(reply);
    }
    expect(sockets.size).toBe(2);
  });

  it("refuses a header value that would break the request apart", async () => {
    const transport = createSocketChatTransport("http://127.0.0.1:9/v1/chat/completions");
    expect(() =>
      transport.post({ model: "m", messages: [] }, { "x-evil": "a\r\nhost: b" }, undefined),
    ).toThrow(/Invalid character/);
  });
});
