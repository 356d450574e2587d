import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { erasedCloseCode, webApologyText } from "../../../src/channels/web-chat/web-chat-session.js";
import { createScriptedModel, type Script } from "../../../src/testing/create-scripted-model.js";
import { eventually, startTestServer, type TestServer } from "../../helpers/start-test-server.js";

type Frame = Record<string, unknown> & { type: string };

/** A web chat client over a real WebSocket: collects every frame the server sends. */
class ChatClient {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string): Promise<ChatClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const client = new ChatClient(socket);
      socket.once("open", () => resolve(client));
      socket.once("error", reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The first frame (from `from` on) that matches, waiting for it (bounded). */
  async next(match: (frame: Frame) => boolean, from = 0, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The frames of one turn, turn-start to turn-end. */
  async turn(replyTo?: string): Promise<{ start: Frame; deltas: string[]; tools: string[]; end: Frame }> {
    const start = await this.next(
      (frame) => frame.type === "turn-start" && (replyTo === undefined || frame.replyTo === replyTo),
    );
    const end = await this.next((frame) => frame.type === "turn-end" && frame.turnId === start.turnId);
    const ofTurn = this.frames.filter((frame) => frame.turnId === start.turnId);
    return {
      start,
      deltas: ofTurn.filter((frame) => frame.type === "text").map((frame) => String(frame.delta)),
      tools: ofTurn.filter((frame) => frame.type === "tool").map((frame) => String(frame.name)),
      end,
    };
  }

  close(): void {
    this.socket.close();
  }
}

describe("WS /web/chat", () => {
  let server: TestServer | undefined;
  const clients: ChatClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server?.close();
    server = undefined;
  });

  async function start(script: Script, environment: Record<string, string> = {}) {
    server = await startTestServer(environment, { model: createScriptedModel(script) });
    return server;
  }

  async function connect(query = ""): Promise<ChatClient> {
    if (!server) throw new Error("server not started");
    const client = await ChatClient.open(`${server.baseUrl.replace("http", "ws")}/web/chat${query}`);
    clients.push(client);
    return client;
  }

  it("gives a new visitor an id and a conversation, streams a reply and stores both sides", async () => {
    await start([{ text: ["The party ", "is on ", "Thursday."] }]);
    const client = await connect();
    const ready = await client.next((frame) => frame.type === "ready");
    expect(ready.visitorId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ready.conversationId).toEqual(expect.any(String));
    expect(ready.history).toEqual([]);
    expect(ready.model).toMatch(/^scripted/);

    client.send({ type: "message", text: "  When is the party?  ", id: "m1" });
    const turn = await client.turn("m1");
    expect(turn.deltas).toEqual(["The party ", "is on ", "Thursday."]);
    expect(turn.end).toMatchObject({
      text: "The party is on Thursday.",
      finishReason: "stop",
      aborted: false,
    });

    const conversationId = String(ready.conversationId);
    const messages = await eventually(async () => {
      const list = await server!.app.store.listMessages(conversationId);
      return list.length === 2 ? list : undefined;
    }, "both messages stored");
    expect(messages.map((message) => [message.role, message.channel, message.text])).toEqual([
      ["user", "web", "When is the party?"],
      ["assistant", "web", "The party is on Thursday."],
    ]);
    const conversation = await server!.app.store.getConversation(conversationId);
    const customer = await server!.app.stores.customers.getCustomer(String(conversation?.customerId));
    expect(customer).toBeDefined();
    const identifiers = await server!.app.stores.customers.listIdentifiers(String(conversation?.customerId));
    expect(identifiers).toEqual([expect.objectContaining({ kind: "web", value: ready.visitorId })]);
  });

  it("continues a returning visitor's conversation and shows its history", async () => {
    await start([{ text: "First answer." }, { text: "Second answer." }]);
    const first = await connect();
    const ready = await first.next((frame) => frame.type === "ready");
    first.send({ type: "message", text: "First question" });
    await first.turn();
    first.close();
    await server!.app.stores.flush();

    const again = await connect(`?visitor=${ready.visitorId}`);
    const resumed = await again.next((frame) => frame.type === "ready");
    expect(resumed.conversationId).toBe(ready.conversationId);
    expect(resumed.visitorId).toBe(ready.visitorId);
    expect(resumed.history).toEqual([
      expect.objectContaining({ role: "user", channel: "web", text: "First question" }),
      expect.objectContaining({ role: "assistant", channel: "web", text: "First answer." }),
    ]);
    again.send({ type: "message", text: "Second question" });
    const turn = await again.turn();
    expect(turn.end.text).toBe("Second answer.");
    const model = server!.app.agent.model as ReturnType<typeof createScriptedModel>;
    const secondPrompt = JSON.stringify(model.calls[1]?.prompt);
    expect(secondPrompt).toContain("First question");
    expect(secondPrompt).toContain("First answer.");
  });

  it("answers bad frames with an error frame and keeps the chat going", async () => {
    await start([{ text: "Still here." }]);
    const client = await connect();
    await client.next((frame) => frame.type === "ready");
    const bad = [
      "{not json",
      "[1,2]",
      JSON.stringify({ type: "shout" }),
      JSON.stringify({ type: "message", text: "   " }),
    ];
    for (const frame of bad) client.send(frame);
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    client.send({ type: "message", text: "x".repeat(4001) });
    await eventually(
      () => client.frames.filter((frame) => frame.type === "error").length === 6,
      "six errors",
    );
    const errors = client.frames
      .filter((frame) => frame.type === "error")
      .map((frame) => String(frame.message));
    expect(errors[0]).toBe("frame is not JSON");
    expect(errors[1]).toBe("frame is not a JSON object");
    expect(errors[2]).toBe('unknown frame type "shout"');
    expect(errors[3]).toMatch(/^invalid message frame: text must not be empty/);
    expect(errors[4]).toBe("Send JSON text frames.");
    expect(errors[5]).toMatch(/^invalid message frame: text/);
    expect(server!.logs.some((line) => String(line.msg).startsWith("web chat: dropped frame"))).toBe(true);

    client.send({ type: "ping" });
    await client.next((frame) => frame.type === "pong");
    client.send({ type: "message", text: "Are you there?" });
    const turn = await client.turn();
    expect(turn.end.text).toBe("Still here.");
  });

  it("refuses a malformed visitor id on the upgrade with 400", async () => {
    await start([]);
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${server!.baseUrl.replace("http", "ws")}/web/chat?visitor=short`);
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("open", () => reject(new Error("upgrade accepted")));
      socket.once("error", () => undefined);
    });
    expect(status).toBe(400);
  });

  /** The upgrade's status with this Origin header (101 when it opens). */
  function upgradeStatus(origin: string | undefined): Promise<number> {
    return new Promise<number>((resolve) => {
      const socket = new WebSocket(
        `${server!.baseUrl.replace("http", "ws")}/web/chat`,
        origin ? { origin } : {},
      );
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("open", () => {
        socket.close();
        resolve(101);
      });
      socket.once("error", () => undefined);
    });
  }

  it("lets browsers open a chat only from this server, PUBLIC_URL or WEB_CHAT_ORIGINS", async () => {
    await start([], {
      PUBLIC_URL: "https://switchboard.example.test",
      WEB_CHAT_ORIGINS: "https://www.example.com",
    });
    expect(await upgradeStatus(undefined)).toBe(101);
    expect(await upgradeStatus(server!.baseUrl)).toBe(101);
    expect(await upgradeStatus("https://switchboard.example.test")).toBe(101);
    expect(await upgradeStatus("https://www.example.com")).toBe(101);
    expect(await upgradeStatus("https://evil.example.net")).toBe(403);
    expect(await upgradeStatus("http://www.example.com")).toBe(403);
    expect(await upgradeStatus("null")).toBe(403);
    // The log names the origin to add.
    expect(server!.logs.map((line) => JSON.stringify(line)).join("\n")).toContain(
      "The origin https://evil.example.net may not open a web chat; add it to WEB_CHAT_ORIGINS",
    );
  });

  it("answers a plain GET of the WebSocket routes with 426 and what to do", async () => {
    await start([]);
    for (const route of ["/web/chat", "/twilio/relay"]) {
      const response = await fetch(`${server!.baseUrl}${route}`);
      expect(response.status).toBe(426);
      expect(response.headers.get("upgrade")).toBe("websocket");
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("UPGRADE_REQUIRED");
      expect(body.error.message).toContain(`(${route}) is a WebSocket`);
    }
  });

  it("lets every origin in with WEB_CHAT_ORIGINS=*", async () => {
    await start([], { WEB_CHAT_ORIGINS: "*" });
    expect(await upgradeStatus("https://evil.example.net")).toBe(101);
  });

  it("refuses a chat over WEB_CHAT_SOCKETS_PER_ADDRESS with 429, and lets one in again after a close", async () => {
    await start([], { WEB_CHAT_SOCKETS_PER_ADDRESS: "2" });
    const first = await connect();
    await connect();
    expect(await upgradeStatus(undefined)).toBe(429);
    first.close();
    await eventually(async () => (await upgradeStatus(undefined)) === 101, "a chat slot freed by the close");
  });

  it("counts chats per client address as the trusted proxy reports it, not as the client claims", async () => {
    /** The upgrade's status with this X-Forwarded-For (the socket stays open when it opens). */
    const statusFrom = (forwardedFor: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${server!.baseUrl.replace("http", "ws")}/web/chat`, {
          headers: { "x-forwarded-for": forwardedFor },
        });
        socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
        socket.once("open", () => {
          openSockets.push(socket);
          resolve(101);
        });
        socket.once("error", () => undefined);
      });
    const openSockets: WebSocket[] = [];
    try {
      // Default TRUST_PROXY: a peer on loopback (here the test client) is a proxy, and the client
      // address is the last one it appended, whatever the client claimed before it.
      await start([], { WEB_CHAT_SOCKETS_PER_ADDRESS: "1" });
      expect(await statusFrom("198.51.100.7")).toBe(101);
      expect(await statusFrom("203.0.113.1, 198.51.100.7")).toBe(429);
      expect(await statusFrom("198.51.100.8")).toBe(101);
      await server!.close();
      // TRUST_PROXY=false: the socket's own address; a forwarded header changes nothing.
      server = await startTestServer(
        { WEB_CHAT_SOCKETS_PER_ADDRESS: "1", TRUST_PROXY: "false" },
        { model: createScriptedModel([]) },
      );
      expect(await statusFrom("198.51.100.9")).toBe(101);
      expect(await statusFrom("198.51.100.10")).toBe(429);
    } finally {
      for (const socket of openSockets) socket.close();
    }
  });

  it("refuses messages over WEB_CHAT_MESSAGES_PER_MINUTE with a RATE_LIMITED error, and stores none of them", async () => {
    await start([{ text: "One." }, { text: "Two." }, { text: "Three." }], {
      WEB_CHAT_MESSAGES_PER_MINUTE: "2",
    });
    const client = await connect();
    const ready = await client.next((frame) => frame.type === "ready");
    client.send({ type: "message", text: "first", id: "m1" });
    expect((await client.turn("m1")).end.text).toBe("One.");
    // The allowance is per address: a second chat from it shares what is left.
    const other = await connect();
    await other.next((frame) => frame.type === "ready");
    other.send({ type: "message", text: "second", id: "m2" });
    expect((await other.turn("m2")).end.text).toBe("Two.");
    client.send({ type: "message", text: "third", id: "m3" });
    const refused = await client.next((frame) => frame.type === "error");
    expect(refused).toMatchObject({
      code: "RATE_LIMITED",
      message: expect.stringMatching(/try again in \d+ s/),
    });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(30_000);
    // The chat goes on: a ping is still answered, and the refused message was never stored.
    client.send({ type: "ping" });
    await client.next((frame) => frame.type === "pong");
    const texts = (await server!.app.store.listMessages(String(ready.conversationId))).map(
      (message) => message.text,
    );
    expect(texts).toEqual(["first", "One."]);
    expect(client.frames.some((frame) => frame.type === "turn-start" && frame.replyTo === "m3")).toBe(false);
  });

  it("handles a message sent before ready once the conversation is open", async () => {
    await start([{ text: "Right away." }]);
    const client = await connect();
    client.send({ type: "message", text: "Hello", id: "early" });
    const turn = await client.turn("early");
    expect(turn.end.text).toBe("Right away.");
    const readyIndex = client.frames.findIndex((frame) => frame.type === "ready");
    const startIndex = client.frames.findIndex((frame) => frame.type === "turn-start");
    expect(readyIndex).toBeGreaterThanOrEqual(0);
    expect(readyIndex).toBeLessThan(startIndex);
  });

  it("cancel stops the reply in flight and keeps what was sent as interrupted", async () => {
    const deltas = Array.from({ length: 200 }, (_, index) => `w${index} `);
    await start([{ text: deltas, delayMs: 5 }, { text: "Next." }]);
    const client = await connect();
    const ready = await client.next((frame) => frame.type === "ready");
    client.send({ type: "message", text: "Tell me everything" });
    const start2 = await client.next((frame) => frame.type === "turn-start");
    await client.next((frame) => frame.type === "text" && frame.turnId === start2.turnId);
    client.send({ type: "cancel" });
    const end = await client.next((frame) => frame.type === "turn-end");
    expect(end.aborted).toBe(true);
    const sent = client.frames
      .filter((frame) => frame.type === "text" && frame.turnId === start2.turnId)
      .map((frame) => String(frame.delta))
      .join("");
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(deltas.join("").length);

    client.send({ type: "message", text: "And then?", id: "m2" });
    const next = await client.turn("m2");
    expect(next.end.text).toBe("Next.");
    const messages = await server!.app.store.listMessages(String(ready.conversationId));
    const interrupted = messages.find((message) => message.role === "assistant" && message.interrupted);
    expect(interrupted?.text).toBe(sent);
  });

  it("says sorry when the model fails, and stores the apology", async () => {
    await start([{ error: new Error("provider down") }]);
    const client = await connect();
    const ready = await client.next((frame) => frame.type === "ready");
    client.send({ type: "message", text: "Hello?" });
    const turn = await client.turn();
    expect(turn.deltas).toEqual([webApologyText]);
    expect(turn.end).toMatchObject({ text: webApologyText, finishReason: "error" });
    const messages = await eventually(async () => {
      const list = await server!.app.store.listMessages(String(ready.conversationId));
      return list.some((message) => message.text === webApologyText) ? list : undefined;
    }, "apology stored");
    expect(messages.at(-1)?.metadata).toMatchObject({ kind: "error-apology" });
  });

  it("closes a chat whose conversation was erased, and a reconnect starts a new one", async () => {
    await start([{ text: "First." }, { text: "Second." }, { text: "Third." }]);
    const client = await connect();
    const ready = await client.next((frame) => frame.type === "ready");
    client.send({ type: "message", text: "Hello" });
    await client.turn();
    const closed = new Promise<number>((resolve) => client.socket.once("close", (code) => resolve(code)));
    await server!.app.store.deleteConversation(String(ready.conversationId));
    client.send({ type: "message", text: "Still there?" });
    await client.next((frame) => frame.type === "error" && String(frame.message).includes("erased"));
    expect(await closed).toBe(erasedCloseCode);
    expect(server!.logs.some((line) => line.msg === "web chat: turn crashed")).toBe(false);

    const again = await connect(`?visitor=${encodeURIComponent(String(ready.visitorId))}`);
    const fresh = await again.next((frame) => frame.type === "ready");
    expect(fresh.conversationId).not.toBe(ready.conversationId);
    expect(fresh.history).toEqual([]);
  });

  it("links a visitor who verifies their phone: a later SMS from it continues the web conversation", async () => {
    let code = "";
    await start((_options, call) => {
      switch (call) {
        case 0:
          return { toolCalls: [{ toolName: "verify_contact", input: { address: "+1 415 555 0123" } }] };
        case 1:
          return { text: "I sent you a code." };
        case 2:
          return { toolCalls: [{ toolName: "confirm_contact_code", input: { code } }] };
        case 3:
          return { text: "Your number is verified." };
        default:
          return { text: "Hello again, by text." };
      }
    });
    const client = await connect();
    const ready = await client.next((frame) => frame.type === "ready");
    client.send({ type: "message", text: "My number is +1 415 555 0123", id: "a" });
    await client.turn("a");
    const sms = await eventually(async () => {
      const entries = await server!.app.stores.outbox.listOutbound({});
      return entries.find((entry) => entry.payload.kind === "sms" && entry.payload.to === "+14155550123");
    }, "the code sent by SMS");
    code = /\b(\d{6})\b/.exec(sms.payload.kind === "sms" ? sms.payload.body : "")?.[1] ?? "";
    expect(code).toMatch(/^\d{6}$/);
    client.send({ type: "message", text: `The code is ${code}`, id: "b" });
    expect((await client.turn("b")).end.text).toBe("Your number is verified.");

    const response = await fetch(`${server!.baseUrl}/twilio/sms`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        MessageSid: "SMwebchatlink0001",
        AccountSid: "ACtest",
        From: "+14155550123",
        To: "+14155550100",
        Body: "Any news?",
      }).toString(),
    });
    expect(response.status).toBe(200);
    await server!.app.idle();
    const messages = await server!.app.store.listMessages(String(ready.conversationId));
    expect(
      messages.filter((message) => message.role === "user").map((message) => [message.channel, message.text]),
    ).toEqual([
      ["web", "My number is +1 415 555 0123"],
      ["web", `The code is ${code}`],
      ["sms", "Any news?"],
    ]);
  });

  it("with the offline model: a visitor without a phone is told how to add one, verifies it, then gets the text", async () => {
    server = await startTestServer({ LLM_PROVIDER: "offline" });
    const client = await connect();
    await client.next((frame) => frame.type === "ready");
    const say = async (text: string, id: string) => {
      client.send({ type: "message", text, id });
      return String((await client.turn(id)).end.text);
    };
    await say("When is the re:Play party?", "q1");
    expect(await say("Text me that", "q2")).toContain('"text me at');
    expect(await say("Text me at +1 415 555 0123", "q3")).toMatch(/6-digit code/);
    const codeSms = await eventually(async () => {
      const entries = await server!.app.stores.outbox.listOutbound({});
      return entries.find((entry) => entry.payload.kind === "sms" && /\d{6}/.test(entry.payload.body));
    }, "the code");
    const code = /(\d{6})/.exec(codeSms.payload.kind === "sms" ? codeSms.payload.body : "")?.[1];
    expect(await say(`The code is ${code}`, "q4")).toMatch(/verified|confirmed/i);
    expect(await say("Text me that", "q5")).toMatch(/queued a text/);
    const texts = await server!.app.stores.outbox.listOutbound({});
    const recap = texts.find((entry) => entry.payload.kind === "sms" && /re:Play/i.test(entry.payload.body));
    expect(recap?.payload).toMatchObject({ kind: "sms", to: "+14155550123" });
  });

  it("says in ready when the offline stand-in model answers", async () => {
    server = await startTestServer({ LLM_PROVIDER: "offline" });
    const client = await connect();
    const ready = await client.next((frame) => frame.type === "ready");
    expect(ready.model).toMatch(/^offline:.*a deterministic stand-in, not a language model$/);
  });

  it("reports tool calls by name while the turn runs", async () => {
    await start([
      { toolCalls: [{ toolName: "search_knowledge", input: { query: "re:Play party" } }] },
      { text: "Found it." },
    ]);
    const client = await connect();
    await client.next((frame) => frame.type === "ready");
    client.send({ type: "message", text: "What about the party?" });
    const turn = await client.turn();
    expect(turn.tools).toEqual(["search_knowledge"]);
    expect(turn.end.text).toBe("Found it.");
  });
});
