import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { validateRequest } from "twilio/lib/webhooks/webhooks.js";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { RelayClientMessage } from "../../src/testing/relay-protocol-types.js";
import { RelayTestClient } from "../../src/testing/relay-test-client.js";
import { signTwilioRequest } from "../../src/testing/sign-twilio-request.js";

const authToken = "relay-client-test-token";
const publicRelayUrl = "wss://relay.example.test/twilio/relay?x=1";

interface FakeRelay {
  /** Local URL with the same path and query as `publicRelayUrl`. */
  url: string;
  /** Frames received from clients, parsed. */
  frames: RelayClientMessage[];
  upgrades: Array<{ accepted: boolean }>;
  close(): Promise<void>;
}

/**
 * A tiny ConversationRelay app: checks X-Twilio-Signature on the upgrade (403 otherwise); on a
 * prompt answers three tokens (the last with last:true), on "garbage" a frame that is not JSON, on
 * "goodbye" closes with code 4000; sends nothing on interrupt.
 */
async function startFakeRelay(): Promise<FakeRelay> {
  const frames: RelayClientMessage[] = [];
  const upgrades: Array<{ accepted: boolean }> = [];
  const sockets = new WebSocketServer({ noServer: true });
  const server: Server = createServer((_request, response) => response.writeHead(404).end());
  server.on("upgrade", (request, socket, head) => {
    const signature = request.headers["x-twilio-signature"];
    const accepted =
      typeof signature === "string" && validateRequest(authToken, signature, publicRelayUrl, {});
    upgrades.push({ accepted });
    if (!accepted) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      webSocket.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as RelayClientMessage;
        frames.push(frame);
        if (frame.type !== "prompt") return;
        if (frame.voicePrompt === "garbage") webSocket.send("this is {not json");
        else if (frame.voicePrompt === "goodbye") webSocket.close(4000, "bye");
        else {
          webSocket.send(JSON.stringify({ type: "text", token: "You said ", last: false }));
          webSocket.send(JSON.stringify({ type: "text", token: frame.voicePrompt, last: false }));
          webSocket.send(JSON.stringify({ type: "text", token: ".", last: true }));
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/twilio/relay?x=1`,
    frames,
    upgrades,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("RelayTestClient", () => {
  let relay: FakeRelay | undefined;
  const clients: RelayTestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await relay?.close();
    relay = undefined;
  });

  async function connect(fake: FakeRelay): Promise<RelayTestClient> {
    const client = await RelayTestClient.connect({ url: fake.url, signedUrl: publicRelayUrl, authToken });
    clients.push(client);
    return client;
  }

  it("signs the upgrade like Twilio: the signature over the public wss URL is accepted", async () => {
    relay = await startFakeRelay();
    const client = await connect(relay);
    expect(client.isOpen).toBe(true);
    expect(relay.upgrades).toEqual([{ accepted: true }]);
    expect(signTwilioRequest(authToken, publicRelayUrl)).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  it("rejects with the HTTP status when the signature is missing, wrong or over another URL", async () => {
    relay = await startFakeRelay();
    const url = relay.url;
    await expect(RelayTestClient.connect({ url })).rejects.toThrow(/could not connect to .*403/);
    await expect(
      RelayTestClient.connect({ url, signedUrl: publicRelayUrl, authToken: "wrong" }),
    ).rejects.toThrow(/403/);
    await expect(
      RelayTestClient.connect({ url, signedUrl: "wss://relay.example.test/twilio/relay", authToken }),
    ).rejects.toThrow(/403/);
    expect(relay.upgrades).toEqual([{ accepted: false }, { accepted: false }, { accepted: false }]);
  });

  it("sends a realistic setup frame, with overrides", async () => {
    relay = await startFakeRelay();
    const client = await connect(relay);
    const sent = client.sendSetup({ callSid: "CAfixed", customParameters: { customerId: "cus_1" } });
    client.sendPrompt("hello");
    await client.nextReply();
    expect(relay.frames[0]).toEqual(sent);
    expect(sent).toMatchObject({
      type: "setup",
      callSid: "CAfixed",
      from: "+14155550123",
      to: "+18885550100",
      callType: "PSTN",
      direction: "inbound",
      callStatus: "RINGING",
      parentCallSid: "",
      forwardedFrom: "",
      callerName: "",
      customParameters: { customerId: "cus_1" },
    });
    expect(sent.sessionId).toMatch(/^VX[0-9a-f]{32}$/);
    expect(sent.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(client.sendSetup().callSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(relay.frames[1]).toEqual({ type: "prompt", voicePrompt: "hello", lang: "en-US", last: true });
  });

  it("nextReply collects the tokens of each reply in order, one reply at a time", async () => {
    relay = await startFakeRelay();
    const client = await connect(relay);
    const seen: string[] = [];
    client.onMessage((message) => seen.push(message.type));
    client.sendSetup();
    client.sendPrompt("first");
    client.sendPrompt("second");
    const first = await client.nextReply({ timeoutMs: 2000 });
    const second = await client.nextReply({ timeoutMs: 2000 });
    expect(first.tokens).toEqual(["You said ", "first", "."]);
    expect(first.text).toBe("You said first.");
    expect(first.messages).toHaveLength(3);
    expect(second.text).toBe("You said second.");
    expect(seen).toEqual(["text", "text", "text", "text", "text", "text"]);
  });

  it("after an interrupt, the next reply does not include the interrupted one's tokens", async () => {
    relay = await startFakeRelay();
    const client = await connect(relay);
    client.sendSetup();
    client.sendPrompt("one");
    // The reply streams in; the caller barges in before nextReply is asked for.
    await client.waitFor((message) => message.type === "text" && message.last === true);
    client.sendInterrupt("You said");
    client.sendPrompt("two");
    expect((await client.nextReply()).text).toBe("You said two.");
    expect(relay.frames.at(-2)).toEqual({
      type: "interrupt",
      utteranceUntilInterrupt: "You said",
      durationUntilInterruptMs: 1000,
    });
  });

  it("waitFor finds frames already received and later ones, moving past each match", async () => {
    relay = await startFakeRelay();
    const client = await connect(relay);
    client.sendSetup();
    client.sendPrompt("alpha");
    await client.nextReply();
    const isText = (message: { type: string }) => message.type === "text";
    expect(await client.waitFor(isText)).toMatchObject({ token: "You said " });
    expect(await client.waitFor(isText)).toMatchObject({ token: "alpha" });
    const later = client.waitFor((message) => message.type === "text" && message.token === "beta");
    client.sendPrompt("beta");
    expect(await later).toEqual({ type: "text", token: "beta", last: false });
  });

  it("times out with an error naming what was awaited", async () => {
    relay = await startFakeRelay();
    const client = await connect(relay);
    client.sendSetup();
    client.sendInterrupt("nothing", 10);
    await expect(
      client.waitFor((message) => message.type === "end", { timeoutMs: 50, description: "the end frame" }),
    ).rejects.toThrow(
      "RelayTestClient: timed out after 50 ms (0 frames arrived meanwhile, last frame: none) while waiting for the end frame",
    );
    await expect(client.waitFor((message) => message.type === "end", { timeoutMs: 20 })).rejects.toThrow(
      /waiting for a frame matching \(message\) => message\.type === "end"/,
    );
    await expect(client.nextReply({ timeoutMs: 20 })).rejects.toThrow(
      /timed out after 20 ms .* while waiting for the next reply \(a text frame with last: true\)/,
    );
    expect(client.isOpen).toBe(true);
  });

  it("records a frame that is not JSON as __invalid", async () => {
    relay = await startFakeRelay();
    const client = await connect(relay);
    client.sendSetup();
    client.sendPrompt("garbage");
    const invalid = await client.waitFor((message) => message.type === "__invalid", { timeoutMs: 2000 });
    expect(invalid).toEqual({ type: "__invalid", raw: "this is {not json" });
    expect(client.received).toEqual([invalid]);
  });

  it("rejects pending waits when the server closes, and reports the close code", async () => {
    relay = await startFakeRelay();
    const client = await connect(relay);
    client.sendSetup();
    const reply = client.nextReply({ timeoutMs: 2000 });
    client.sendPrompt("goodbye");
    await expect(reply).rejects.toThrow(/connection closed \(code 4000\) while waiting for the next reply/);
    expect(await client.closed).toEqual({ code: 4000, reason: "bye" });
    expect(client.isOpen).toBe(false);
    expect(() => client.sendPrompt("anyone?")).toThrow(
      /cannot send a prompt frame, the connection is not open/,
    );
    await expect(client.nextReply()).rejects.toThrow(/connection closed \(code 4000\) before the next reply/);
  });
});
