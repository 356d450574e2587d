import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { HttpToolDefinition } from "../../src/config/http-tools-file.js";
import { executeToolCall } from "../../src/core/agent/execute-tool-call.js";
import type { ToolContext } from "../../src/core/tools/agent-tool.js";
import { createToolSet } from "../../src/core/tools/tool-set.js";
import { createLogger } from "../../src/observability/logger.js";
import { createMemoryCustomerStore } from "../../src/stores/memory/create-memory-customer-store.js";
import { createHttpTools } from "../../src/tools/http-tools.js";
import { closedPort, type RecordingServer, startRecordingServer } from "../helpers/recording-server.js";

const secret = "tools-signing-secret-0123";

describe("HTTP tools (TOOLS_FILE)", () => {
  let endpoint: RecordingServer;
  let url: string;
  const customers = createMemoryCustomerStore();
  const logger = createLogger({ level: "silent", logCustomerContent: false });

  beforeEach(async () => {
    endpoint = await startRecordingServer((_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: "shipped", eta: "Friday" }));
    });
    url = `${endpoint.base}/tools/order-status`;
  });
  afterEach(() => endpoint.close());

  function definition(overrides: Partial<HttpToolDefinition> = {}): HttpToolDefinition {
    return {
      name: "order_status",
      description: "Looks up an order.",
      parameters: {
        type: "object",
        properties: { orderNumber: { type: "string", pattern: "^[A-Z]-\\d+$" } },
        required: ["orderNumber"],
        additionalProperties: false,
      },
      url,
      headers: { authorization: "Bearer orders-token" },
      timeoutMs: 2000,
      channels: undefined,
      maxResponseBytes: 1024,
      ...overrides,
    };
  }

  function call(tool: HttpToolDefinition, input: unknown, context: Partial<ToolContext> = {}) {
    const toolSet = createToolSet(
      createHttpTools([tool], { signingSecret: secret, customers, logger, now: () => 1_764_000_000 }),
    );
    return executeToolCall(
      toolSet,
      { toolCallId: "call_1", toolName: tool.name, input },
      {
        conversationId: "conv_1",
        customerId: null,
        channel: "voice",
        turnId: "turn_1",
        abortSignal: new AbortController().signal,
        requestChannelAction: () => undefined,
        ...context,
      },
    );
  }

  it("POSTs the arguments, the conversation and the customer's addresses, signed, and returns the JSON answer", async () => {
    const { customer } = await customers.resolveCustomer("phone", "+14155550123");
    await customers.linkIdentifier(customer.id, "email", "pat@example.org");
    await customers.updateCustomer(customer.id, { name: "Pat" });

    const result = await call(definition(), { orderNumber: "A-1042" }, { customerId: customer.id });

    expect(result).toEqual({
      toolCallId: "call_1",
      toolName: "order_status",
      output: { status: "shipped", eta: "Friday" },
      isError: false,
    });
    expect(endpoint.requests).toHaveLength(1);
    const [request] = endpoint.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/tools/order-status");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.authorization).toBe("Bearer orders-token");
    expect(request?.headers["idempotency-key"]).toBe("turn_1.call_1");
    expect(JSON.parse(request?.body ?? "")).toEqual({
      tool: "order_status",
      arguments: { orderNumber: "A-1042" },
      toolCallId: "call_1",
      turnId: "turn_1",
      conversation: { id: "conv_1", channel: "voice" },
      customer: { id: customer.id, name: "Pat", phoneNumbers: ["+14155550123"], emails: ["pat@example.org"] },
    });
    // The signature an endpoint recomputes over the raw body, with the shared secret.
    const expected = createHmac("sha256", secret).update(`1764000000.${request?.body}`).digest("hex");
    expect(request?.headers["switchboard-signature"]).toBe(`t=1764000000,v1=${expected}`);
  });

  it("sends no signature without a secret, and customer null when the conversation has none", async () => {
    const toolSet = createToolSet(
      createHttpTools([definition()], { signingSecret: undefined, customers, logger }),
    );
    await executeToolCall(
      toolSet,
      { toolCallId: "c", toolName: "order_status", input: { orderNumber: "B-1" } },
      {
        conversationId: "conv_2",
        customerId: null,
        channel: "web",
        turnId: "t",
        abortSignal: new AbortController().signal,
        requestChannelAction: () => undefined,
      },
    );
    expect(endpoint.requests[0]?.headers["switchboard-signature"]).toBeUndefined();
    expect(JSON.parse(endpoint.requests[0]?.body ?? "")).toMatchObject({
      customer: null,
      conversation: { channel: "web" },
    });
  });

  it("declares the tool to the model with its JSON Schema", () => {
    const toolSet = createToolSet(
      createHttpTools([definition()], { signingSecret: undefined, customers, logger }),
    );
    const [declaration] = toolSet.declarationsFor("sms");
    expect(declaration).toMatchObject({
      type: "function",
      name: "order_status",
      description: "Looks up an order.",
      inputSchema: {
        type: "object",
        properties: { orderNumber: { type: "string", pattern: "^[A-Z]-\\d+$" } },
        required: ["orderNumber"],
      },
    });
  });

  it("offers the tool only on its channels", async () => {
    const tool = definition({ channels: ["sms"] });
    const toolSet = createToolSet(createHttpTools([tool], { signingSecret: undefined, customers, logger }));
    expect(toolSet.declarationsFor("voice")).toHaveLength(0);
    expect(toolSet.declarationsFor("sms")).toHaveLength(1);
    expect(await call(tool, { orderNumber: "A-1" })).toMatchObject({ isError: true });
    expect(endpoint.requests).toHaveLength(0);
  });

  it("refuses arguments that break the schema before any request", async () => {
    const result = await call(definition(), { orderNumber: "1042", extra: true });
    expect(result.isError).toBe(true);
    expect(result.output).toContain("Invalid input for order_status");
    expect(endpoint.requests).toHaveLength(0);
  });

  it("returns a text answer as text, and an empty one as ok", async () => {
    endpoint.answer = (_, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("Order A-1042 shipped on Tuesday.");
    };
    expect((await call(definition(), { orderNumber: "A-1042" })).output).toBe(
      "Order A-1042 shipped on Tuesday.",
    );
    endpoint.answer = (_, response) => {
      response.writeHead(204);
      response.end();
    };
    expect(await call(definition(), { orderNumber: "A-1042" })).toMatchObject({
      output: { ok: true },
      isError: false,
    });
  });

  it("gives the model the endpoint's error message on a non-2xx answer", async () => {
    endpoint.answer = (_, response) => {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "No order A-9999 for this customer" }));
    };
    expect(await call(definition(), { orderNumber: "A-9999" })).toMatchObject({
      isError: true,
      output: "order_status failed (HTTP 404): No order A-9999 for this customer",
    });
    endpoint.answer = (_, response) => {
      response.writeHead(500);
      response.end("x".repeat(400));
    };
    const failed = await call(definition(), { orderNumber: "A-1" });
    expect(failed.isError).toBe(true);
    expect(failed.output).toBe(`order_status failed (HTTP 500): ${"x".repeat(300)}…`);
  });

  it("fails a call the endpoint does not answer in time", async () => {
    endpoint.answer = () => undefined; // never answers
    const result = await call(definition({ timeoutMs: 150 }), { orderNumber: "A-1" });
    expect(result).toMatchObject({
      isError: true,
      output: "order_status did not answer within 150 ms; it failed.",
    });
  });

  it("stops the request when the turn is aborted (the caller barged in)", async () => {
    endpoint.answer = () => undefined;
    const controller = new AbortController();
    const pending = call(
      definition({ timeoutMs: 10_000 }),
      { orderNumber: "A-1" },
      { abortSignal: controller.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await pending).toMatchObject({ isError: true, output: "order_status was cancelled." });
  });

  it("refuses an answer over the size limit, announced or streamed", async () => {
    endpoint.answer = (_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ text: "y".repeat(2000) }));
    };
    expect(await call(definition(), { orderNumber: "A-1" })).toMatchObject({
      isError: true,
      output: "order_status answered with more than 1024 bytes; it must answer in less.",
    });
    endpoint.answer = (_, response) => {
      response.writeHead(200, { "content-type": "text/plain" }); // chunked: no content-length
      response.write("z".repeat(800));
      response.end("z".repeat(800));
    };
    expect(await call(definition(), { orderNumber: "A-1" })).toMatchObject({ isError: true });
  });

  it("does not follow redirects (they could carry the headers elsewhere)", async () => {
    endpoint.answer = (request, response) => {
      if (request.url === "/elsewhere") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end("{}");
        return;
      }
      response.writeHead(302, { location: "/elsewhere" });
      response.end();
    };
    expect(await call(definition(), { orderNumber: "A-1" })).toMatchObject({
      isError: true,
      output: "order_status answered with a redirect (HTTP 302); it failed.",
    });
    expect(endpoint.requests.map((request) => request.url)).toEqual(["/tools/order-status"]);
  });

  it("reports invalid JSON and an unreachable endpoint as failures", async () => {
    endpoint.answer = (_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{not json");
    };
    expect(await call(definition(), { orderNumber: "A-1" })).toMatchObject({
      isError: true,
      output: "order_status answered with invalid JSON; it failed.",
    });
    const port = await closedPort();
    expect(
      await call(definition({ url: `http://127.0.0.1:${port}/x` }), { orderNumber: "A-1" }),
    ).toMatchObject({
      isError: true,
      output: "order_status could not be reached; it failed.",
    });
  });
});
