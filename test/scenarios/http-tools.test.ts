// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the tools file's own placeholder syntax, not a template.
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app/create-app.js";
import { loadConfig } from "../../src/config/config.js";
import { ConfigError } from "../../src/errors/config-error.js";
import { createScriptedModel, type ScriptedTurn } from "../../src/testing/create-scripted-model.js";
import { RelayTestClient } from "../../src/testing/relay-test-client.js";
import { type RecordingServer, startRecordingServer } from "../helpers/recording-server.js";
import { startTestServer, type TestServer } from "../helpers/start-test-server.js";

const secret = "scenario-tools-secret-42";
const headers = { authorization: "Bearer test-admin-token" };

/** The company's endpoint, as docs/tools.md tells them to write it: check the signature, then answer. */
async function startOrdersService(): Promise<RecordingServer & { seen: Array<Record<string, unknown>> }> {
  const seen: Array<Record<string, unknown>> = [];
  const service = await startRecordingServer((request, response) => {
    const [, timestamp, signature] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(
      String(request.headers["switchboard-signature"]),
    ) ?? ["", "", ""];
    const expected = createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest();
    const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
    if (!signature || !fresh || !timingSafeEqual(Buffer.from(signature, "hex"), expected)) {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "bad signature" }));
      return;
    }
    if (request.headers.authorization !== "Bearer orders-api-token") {
      response.writeHead(403).end();
      return;
    }
    const call = JSON.parse(request.body) as Record<string, unknown>;
    seen.push(call);
    const phone = (call.customer as { phoneNumbers?: string[] } | null)?.phoneNumbers?.[0];
    const order = (call.arguments as { orderNumber: string }).orderNumber;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({ order, status: phone === "+14155550123" ? "shipped" : "unknown customer" }),
    );
  });
  return Object.assign(service, { seen });
}

function lastMessage(options: LanguageModelV3CallOptions) {
  return options.prompt[options.prompt.length - 1];
}

describe("your own tools over HTTP (TOOLS_FILE)", () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-tools-"));
  let server: TestServer | undefined;
  let orders: RecordingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await orders?.close();
    orders = undefined;
  });

  it("a caller asks about an order: the model calls the company's endpoint, signed, and speaks its answer", async () => {
    const service = await startOrdersService();
    orders = service;
    const toolsFile = path.join(directory, "tools.json");
    writeFileSync(
      toolsFile,
      JSON.stringify({
        tools: [
          {
            name: "order_status",
            description: "Looks up one of the customer's orders by its number.",
            parameters: {
              type: "object",
              properties: { orderNumber: { type: "string" } },
              required: ["orderNumber"],
            },
            url: `${service.base}/order-status`,
            headers: { authorization: "Bearer ${ORDERS_API_TOKEN}" },
          },
        ],
      }),
    );
    const model = createScriptedModel((options): ScriptedTurn => {
      const last = lastMessage(options);
      if (last?.role === "tool") {
        const part = last.content[0];
        const output = part?.type === "tool-result" ? JSON.stringify(part.output) : "";
        return { text: `Here is what I found: ${output}` };
      }
      const offered = (options.tools ?? []).map((tool) => tool.name);
      if (!offered.includes("order_status")) return { text: "I cannot look orders up." };
      return { toolCalls: [{ toolName: "order_status", input: { orderNumber: "A-1042" } }] };
    });
    server = await startTestServer(
      {
        TOOLS_FILE: toolsFile,
        TOOLS_SIGNING_SECRET: secret,
        ORDERS_API_TOKEN: "orders-api-token",
        VOICE_WELCOME_GREETING: "",
      },
      { model },
    );

    const call = await RelayTestClient.connect({ url: server.relayUrl });
    call.sendSetup({ callSid: "CAorders", from: "+14155550123" });
    call.sendPrompt("Where is my order A-1042?");
    const reply = await call.nextReply({ timeoutMs: 5000 });
    call.close();

    expect(reply.text).toContain("Here is what I found:");
    expect(reply.text).toContain("shipped");
    expect(service.seen).toHaveLength(1);
    expect(service.seen[0]).toMatchObject({
      tool: "order_status",
      arguments: { orderNumber: "A-1042" },
      conversation: { channel: "voice" },
      customer: { phoneNumbers: ["+14155550123"], emails: [] },
    });

    // The call and its result are on the conversation's timeline like any tool's.
    const conversationId = (service.seen[0]?.conversation as { id?: string } | undefined)?.id;
    const timeline = (await (
      await fetch(`${server.baseUrl}/api/conversations/${conversationId}`, { headers })
    ).json()) as { messages: Array<{ role: string; toolCalls: unknown[]; toolResults: unknown[] }> };
    const toolMessage = timeline.messages.find((message) => message.role === "tool");
    expect(JSON.stringify(toolMessage?.toolResults)).toContain("shipped");
  });

  it("refuses to start when a tool takes a built-in tool's name", async () => {
    const toolsFile = path.join(directory, "clash.json");
    writeFileSync(
      toolsFile,
      JSON.stringify({ tools: [{ name: "send_sms", description: "Mine.", url: "https://example.com/sms" }] }),
    );
    const config = loadConfig({
      NODE_ENV: "test",
      STORE: "memory",
      KNOWLEDGE_WATCH: "false",
      TOOLS_FILE: toolsFile,
      ADMIN_TOKEN: "a".repeat(16),
    });
    const failure = await createApp(config).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message).toContain('tool "send_sms" has the name of a built-in tool');
    rmSync(directory, { recursive: true, force: true });
  });
});
