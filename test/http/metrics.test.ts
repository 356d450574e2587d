import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createMetrics } from "../../src/observability/metrics.js";
import { createScriptedModel, type Script } from "../../src/testing/create-scripted-model.js";
import { eventually, startTestServer, type TestServer } from "../helpers/start-test-server.js";

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(exposition: string, name: string, labels = ""): number | undefined {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = exposition.split("\n").find((candidate) => candidate.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

describe("GET /metrics", () => {
  let server: TestServer | undefined;
  const sockets: WebSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await server?.close();
    server = undefined;
  });

  async function start(script: Script) {
    server = await startTestServer({}, { model: createScriptedModel(script) });
    return server;
  }

  async function scrape(): Promise<string> {
    const response = await fetch(`${server!.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  }

  /** One web chat turn over a real WebSocket, left open; resolves at its turn-end. */
  async function chatTurn(text: string): Promise<void> {
    const socket = new WebSocket(`${server!.baseUrl.replace("http", "ws")}/web/chat`);
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.on("message", (data) => {
        const frame = JSON.parse(data.toString()) as { type: string };
        if (frame.type === "ready") socket.send(JSON.stringify({ type: "message", text }));
        if (frame.type === "turn-end") resolve();
      });
      socket.once("error", reject);
    });
  }

  it("exposes process metrics and the agent's turns, first tokens, tools and tokens, without content", async () => {
    await start([
      { toolCalls: [{ toolName: "search_knowledge", input: { query: "party" } }] },
      { text: ["Thursday ", "at 8."] },
    ]);
    const before = await scrape();
    expect(before).toContain("# TYPE process_cpu_seconds_total counter");
    expect(sample(before, "switchboard_websocket_connections")).toBe(0);
    expect(sample(before, "switchboard_turns_total", 'channel="web",finish_reason="stop"')).toBeUndefined();

    await chatTurn("When is the secret party?");
    const after = await scrape();
    expect(sample(after, "switchboard_turns_total", 'channel="web",finish_reason="stop"')).toBe(1);
    expect(sample(after, "switchboard_first_token_seconds_count", 'channel="web"')).toBe(1);
    expect(sample(after, "switchboard_turn_seconds_count", 'channel="web"')).toBe(1);
    expect(sample(after, "switchboard_tool_calls_total", 'tool="search_knowledge"')).toBe(1);
    expect(sample(after, "switchboard_model_tokens_total", 'direction="output"')).toBeGreaterThan(0);
    expect(sample(after, "switchboard_websocket_connections")).toBe(1);
    expect(after).not.toContain("secret party");
    expect(after).not.toContain("Thursday");
  });

  it("counts turn errors by code", async () => {
    await start([{ error: new Error("provider down") }]);
    await chatTurn("Hello?");
    const exposition = await scrape();
    const errorLine = exposition
      .split("\n")
      .find((line) => line.startsWith('switchboard_turn_errors_total{channel="web",code='));
    expect(errorLine).toMatch(/ 1$/);
    expect(sample(exposition, "switchboard_turns_total", 'channel="web",finish_reason="error"')).toBe(1);
  });

  it("shows the SMS reply backlog while a reply runs, and none once it is done", async () => {
    await start([{ text: ["One ", "moment ", "please."], delayMs: 150 }]);
    const posted = await fetch(`${server!.baseUrl}/twilio/sms`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        MessageSid: "SMmetricsbacklog01",
        AccountSid: "ACtest",
        From: "+14155550123",
        To: "+14155550100",
        Body: "Hello",
      }).toString(),
    });
    expect(posted.status).toBe(200);
    await eventually(
      async () => sample(await scrape(), "switchboard_reply_backlog") === 1,
      "a reply in the backlog",
    );
    await server!.app.idle();
    const after = await scrape();
    expect(sample(after, "switchboard_reply_backlog")).toBe(0);
    expect(sample(after, "switchboard_inbox_backlog")).toBe(0);
  });

  it("counts the outbox's deliveries by kind and outcome", async () => {
    await start([]);
    await server!.app.stores.outbox.enqueueOutbound({
      idempotencyKey: "metrics-sms-1",
      payload: { kind: "sms", to: "+14155550100", body: "hello" },
    });
    server!.app.outboxWorker.wake();
    const exposition = await eventually(async () => {
      const text = await scrape();
      return sample(text, "switchboard_outbox_deliveries_total", 'kind="sms",status="sent"') === 1
        ? text
        : undefined;
    }, "the delivery counted");
    expect(exposition).not.toContain("+14155550100");
  });

  it("counts web chats and messages refused for their address's limits", async () => {
    server = await startTestServer(
      { WEB_CHAT_SOCKETS_PER_ADDRESS: "1", WEB_CHAT_MESSAGES_PER_MINUTE: "1" },
      { model: createScriptedModel([{ text: "Hi." }]) },
    );
    await chatTurn("Hello");
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`${server!.baseUrl.replace("http", "ws")}/web/chat`);
      socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.once("open", () => resolve(101));
      socket.once("error", () => undefined);
    });
    expect(status).toBe(429);
    const open = sockets[0]!;
    const refused = new Promise<void>((resolve) =>
      open.on("message", (data) => {
        if ((JSON.parse(data.toString()) as { code?: string }).code === "RATE_LIMITED") resolve();
      }),
    );
    open.send(JSON.stringify({ type: "message", text: "And again" }));
    await refused;
    const exposition = await scrape();
    expect(sample(exposition, "switchboard_web_chat_refusals_total", 'reason="too_many_chats"')).toBe(1);
    expect(sample(exposition, "switchboard_web_chat_refusals_total", 'reason="rate_limited"')).toBe(1);
  });

  it("keeps every turn's observations, across scrapes and past the bulk hand-over", async () => {
    const metrics = createMetrics({
      webSocketConnections: () => 0,
      inboxBacklog: () => 0,
      replyBacklog: () => 0,
    });
    const turnEnd = (channel: "voice" | "sms", finishReason: "stop" | "length", durationMs: number) =>
      metrics.observeAgent({
        conversationId: "conv_1",
        customerId: null,
        channel,
        event: {
          type: "turn-end",
          turnId: "turn_1",
          text: "Hi",
          finishReason,
          aborted: false,
          usage: { inputTokens: 10, outputTokens: 2 },
          firstTextMs: durationMs / 2,
          durationMs,
        },
      });
    for (let index = 0; index < 1500; index++) turnEnd("voice", "stop", 4);
    turnEnd("voice", "length", 4000);
    turnEnd("sms", "stop", Number.NaN);
    const first = await metrics.registry.metrics();
    expect(sample(first, "switchboard_turns_total", 'channel="voice",finish_reason="stop"')).toBe(1500);
    expect(sample(first, "switchboard_turns_total", 'channel="voice",finish_reason="length"')).toBe(1);
    expect(sample(first, "switchboard_turn_seconds_count", 'channel="voice"')).toBe(1501);
    expect(sample(first, "switchboard_turn_seconds_sum", 'channel="voice"')).toBeCloseTo(1500 * 0.004 + 4, 6);
    expect(sample(first, "switchboard_turn_seconds_bucket", 'le="0.005",channel="voice"')).toBe(1500);
    expect(sample(first, "switchboard_first_token_seconds_count", 'channel="voice"')).toBe(1501);
    expect(sample(first, "switchboard_model_tokens_total", 'direction="input"')).toBe(15020);
    // A turn without a usable duration is still counted; its duration is not observed.
    expect(sample(first, "switchboard_turns_total", 'channel="sms",finish_reason="stop"')).toBe(1);
    expect(sample(first, "switchboard_turn_seconds_count", 'channel="sms"')).toBeUndefined();
    turnEnd("voice", "stop", 4);
    const second = await metrics.registry.metrics();
    expect(sample(second, "switchboard_turns_total", 'channel="voice",finish_reason="stop"')).toBe(1501);
    expect(sample(second, "switchboard_turn_seconds_count", 'channel="voice"')).toBe(1502);
  });

  it("counts inbox failure rounds by provider and what follows", async () => {
    const metrics = createMetrics({
      webSocketConnections: () => 0,
      inboxBacklog: () => 0,
      replyBacklog: () => 0,
    });
    metrics.countInboundFailureRound("twilio-sms", false);
    metrics.countInboundFailureRound("twilio-sms", false);
    metrics.countInboundFailureRound("twilio-sms", true);
    const exposition = await metrics.registry.metrics();
    expect(
      sample(
        exposition,
        "switchboard_inbound_failure_rounds_total",
        'provider="twilio-sms",outcome="retry_at_next_start"',
      ),
    ).toBe(2);
    expect(
      sample(
        exposition,
        "switchboard_inbound_failure_rounds_total",
        'provider="twilio-sms",outcome="waiting_for_operator"',
      ),
    ).toBe(1);
  });

  it("asks for the token when METRICS_TOKEN is set", async () => {
    server = await startTestServer(
      { METRICS_TOKEN: "scrape-secret-0123456789" },
      { model: createScriptedModel([]) },
    );
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${server.baseUrl}/metrics`, {
      headers: { authorization: "Bearer scrape-secret-0123456789" },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("switchboard_turns_total");
  });
});
