import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import VoiceResponse from "twilio/lib/twiml/VoiceResponse.js";
import { validateRequest } from "twilio/lib/webhooks/webhooks.js";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { decodeXmlEntities, localRelayUrl, parseRelayTwiml } from "../../src/cli/relay-twiml.js";
import type { RelayClientMessage } from "../../src/testing/relay-protocol-types.js";

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const authToken = "secret";
const publicUrl = "https://example.test";
const relayUrl = "wss://example.test/twilio/relay?x=1";
const greeting = `Hi & welcome to the "test" line`;

interface SignedRequest {
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
}

interface FakeSwitchboard {
  url: string;
  requests: SignedRequest[];
  upgrades: Array<{ path: string; signatureValid: boolean }>;
  frames: RelayClientMessage[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

/**
 * Plays the server side of a call: the voice webhook answers real ConversationRelay TwiML, the relay
 * answers each prompt with streamed tokens ("transfer me" with an `end` frame and handoff data),
 * and the ended callback answers `<Hangup/>`. Every signature is checked (403 when wrong).
 */
async function startFakeSwitchboard(): Promise<FakeSwitchboard> {
  const requests: SignedRequest[] = [];
  const upgrades: FakeSwitchboard["upgrades"] = [];
  const frames: RelayClientMessage[] = [];
  const server: Server = createServer(async (request, response) => {
    const params = Object.fromEntries(new URLSearchParams(await readBody(request)));
    const signature = String(request.headers["x-twilio-signature"] ?? "");
    const requestPath = request.url ?? "";
    const signatureValid = validateRequest(authToken, signature, `${publicUrl}${requestPath}`, params);
    requests.push({ path: requestPath, params, signatureValid });
    if (request.method !== "POST" || !signatureValid) {
      response.writeHead(403).end("bad signature");
      return;
    }
    const twiml = new VoiceResponse();
    if (requestPath === "/twilio/voice") {
      const connect = twiml.connect({ action: `${publicUrl}/twilio/voice/ended` });
      const relay = connect.conversationRelay({
        url: relayUrl,
        welcomeGreeting: greeting,
        dtmfDetection: true,
      });
      relay.parameter({ name: "conversationId", value: "conv_<42>" });
      relay.parameter({ name: "tier", value: "gold" });
    } else if (requestPath === "/twilio/voice/ended") {
      twiml.hangup();
    } else {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/xml" }).end(twiml.toString());
  });
  const sockets = new WebSocketServer({ noServer: true });
  server.on("upgrade", (request, socket, head) => {
    const signature = String(request.headers["x-twilio-signature"] ?? "");
    const signatureValid = validateRequest(authToken, signature, relayUrl, {});
    upgrades.push({ path: request.url ?? "", signatureValid });
    if (!signatureValid || request.url !== "/twilio/relay?x=1") {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      const send = (message: object) => webSocket.send(JSON.stringify(message));
      webSocket.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as RelayClientMessage;
        frames.push(frame);
        if (frame.type !== "prompt") return;
        if (frame.voicePrompt === "transfer me") {
          send({ type: "sendDigits", digits: "12#" });
          send({ type: "text", token: "Connecting you.", last: true });
          send({ type: "end", handoffData: JSON.stringify({ reason: "human" }) });
          return;
        }
        const tokens = ["You ", "said: ", frame.voicePrompt, ""];
        tokens.forEach((token, index) => {
          setTimeout(() => send({ type: "text", token, last: index === tokens.length - 1 }), 5 * (index + 1));
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    upgrades,
    frames,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `src/cli/call.ts` as a child process with piped stdin; resolves when it exits. */
function runCaller(
  serverUrl: string,
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/call.ts",
        "--url",
        serverUrl,
        "--public-url",
        publicUrl,
        "--auth-token",
        authToken,
      ],
      {
        cwd: repositoryRoot,
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, TWILIO_AUTH_TOKEN: "" },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the caller did not exit within 15 s; stdout so far:\n${stdout}\nstderr:\n${stderr}`));
    }, 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe("npm run call (terminal caller)", () => {
  let fake: FakeSwitchboard | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it("places a signed call, speaks each piped line after the previous reply, then hangs up", async () => {
    fake = await startFakeSwitchboard();
    const result = await runCaller(fake.url, "What time is it?\n\nThanks\n");
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`agent> ${greeting}`);
    expect(result.stdout).toContain("you> What time is it?\nagent> You said: What time is it?\n");
    expect(result.stdout).toContain("you> Thanks\nagent> You said: Thanks\n");
    expect(result.stdout).toContain("[POST /twilio/voice/ended answered 200]");
    expect(result.stdout).toContain("<Hangup/>");

    // Webhook, then relay upgrade, then the ended callback; every signature valid.
    expect(fake.requests.map((request) => [request.path, request.signatureValid])).toEqual([
      ["/twilio/voice", true],
      ["/twilio/voice/ended", true],
    ]);
    expect(fake.upgrades).toEqual([{ path: "/twilio/relay?x=1", signatureValid: true }]);
    const [incoming, ended] = fake.requests;
    expect(incoming?.params).toMatchObject({
      From: "+14155550123",
      To: "+18885550100",
      Caller: "+14155550123",
      Called: "+18885550100",
      CallStatus: "ringing",
      Direction: "inbound",
      ApiVersion: "2010-04-01",
    });
    const callSid = incoming?.params.CallSid;
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);

    const [setup, ...rest] = fake.frames;
    expect(setup).toMatchObject({
      type: "setup",
      callSid,
      from: "+14155550123",
      to: "+18885550100",
      customParameters: { conversationId: "conv_<42>", tier: "gold" },
    });
    expect(rest).toEqual([
      { type: "prompt", voicePrompt: "What time is it?", lang: "en-US", last: true },
      { type: "prompt", voicePrompt: "Thanks", lang: "en-US", last: true },
    ]);
    expect(ended?.params).toMatchObject({
      CallSid: callSid,
      SessionId: setup?.type === "setup" ? setup.sessionId : "missing",
      SessionStatus: "completed",
      CallStatus: "completed",
    });
    expect(ended?.params.SessionDuration).toMatch(/^\d+$/);
  });

  it("sends key presses, shows agent actions, and reports an agent's end with its handoff data", async () => {
    fake = await startFakeSwitchboard();
    const result = await runCaller(fake.url, "/dtmf 4#\ntransfer me\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("[agent sent digits 12#]");
    expect(result.stdout).toContain("agent> Connecting you.\n");
    expect(result.stdout).toContain('[call ended by agent: handoff {"reason":"human"}]');
    expect(fake.frames.slice(1, 3)).toEqual([
      { type: "dtmf", digit: "4" },
      { type: "dtmf", digit: "#" },
    ]);
    const ended = fake.requests.find((request) => request.path === "/twilio/voice/ended");
    expect(ended?.signatureValid).toBe(true);
    expect(ended?.params).toMatchObject({
      SessionStatus: "ended",
      CallStatus: "in-progress",
      HandoffData: '{"reason":"human"}',
    });
  });

  it("exits 1 with the server's answer when the webhook is refused", async () => {
    fake = await startFakeSwitchboard();
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/call.ts", "--url", fake.url, "--public-url", "https://elsewhere.test"],
      {
        cwd: repositoryRoot,
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, TWILIO_AUTH_TOKEN: "wrong" },
      },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stdin.end("hello\n");
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    expect(stdout).toContain("POST /twilio/voice answered 403");
    expect(fake.upgrades).toEqual([]);
  });
});

describe("relay TwiML reading", () => {
  it("reads url, greeting and parameters, decoding XML entities", () => {
    const twiml = new VoiceResponse();
    const relay = twiml
      .connect()
      .conversationRelay({ url: "wss://a.test/r?x=1&y=2", welcomeGreeting: `Tom's <"best"> & co` });
    relay.parameter({ name: "a&b", value: "1 < 2" });
    expect(parseRelayTwiml(twiml.toString())).toEqual({
      url: "wss://a.test/r?x=1&y=2",
      welcomeGreeting: `Tom's <"best"> & co`,
      customParameters: { "a&b": "1 < 2" },
    });
    expect(
      parseRelayTwiml(`<Response><Connect><ConversationRelay url='wss://b.test/r'/></Connect></Response>`),
    ).toEqual({
      url: "wss://b.test/r",
      welcomeGreeting: undefined,
      customParameters: {},
    });
    expect(parseRelayTwiml("<Response><Hangup/></Response>")).toBeUndefined();
    expect(decodeXmlEntities("&amp;lt; &#65;&#x42; &unknown;")).toBe("&lt; AB &unknown;");
  });

  it("maps the public relay URL to the local server, keeping path and query", () => {
    expect(localRelayUrl("wss://example.test/twilio/relay?x=1", "http://127.0.0.1:3000")).toBe(
      "ws://127.0.0.1:3000/twilio/relay?x=1",
    );
    expect(localRelayUrl("wss://example.test:8443/twilio/relay", "https://local.test")).toBe(
      "wss://local.test/twilio/relay",
    );
  });
});
