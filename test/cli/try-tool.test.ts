import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { tryTool } from "../../src/cli/try-tool.js";
import { type RecordingServer, startRecordingServer } from "../helpers/recording-server.js";

const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-try-tool-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("npm run tool", () => {
  let endpoint: RecordingServer;
  let environment: Record<string, string>;
  let printed: string;
  const output = { write: (text: string) => (printed += text) };

  beforeEach(async () => {
    printed = "";
    endpoint = await startRecordingServer((request, response) => {
      const { arguments: input } = JSON.parse(request.body) as { arguments: { orderNumber: string } };
      response.writeHead(input.orderNumber === "A-404" ? 404 : 200, { "content-type": "application/json" });
      response.end(
        JSON.stringify(input.orderNumber === "A-404" ? { error: "No such order" } : { status: "shipped" }),
      );
    });
    const file = path.join(directory, "tools.json");
    writeFileSync(
      file,
      JSON.stringify({
        tools: [
          {
            name: "order_status",
            description: "Looks up an order.",
            parameters: {
              type: "object",
              properties: { orderNumber: { type: "string" } },
              required: ["orderNumber"],
            },
            url: `${endpoint.base}/order-status`,
          },
        ],
      }),
    );
    environment = { NODE_ENV: "test", TOOLS_FILE: file, TOOLS_SIGNING_SECRET: "try-tool-signing-secret" };
  });
  afterEach(() => endpoint.close());

  it("calls the tool as the agent would and prints what the model gets", async () => {
    const code = await tryTool(
      ["order_status", '{"orderNumber":"A-1042"}', "--phone", "+14155550123"],
      environment,
      output,
    );
    expect(code).toBe(0);
    expect(printed).toBe(`ok: ${JSON.stringify({ status: "shipped" }, null, 2)}\n`);
    const [request] = endpoint.requests;
    const body = JSON.parse(request?.body ?? "{}") as { customer: { phoneNumbers: string[] } };
    expect(body.customer.phoneNumbers).toEqual(["+14155550123"]);
    const [, timestamp] = /^t=(\d+),/.exec(String(request?.headers["switchboard-signature"])) ?? [];
    const digest = createHmac("sha256", "try-tool-signing-secret")
      .update(`${timestamp}.${request?.body}`)
      .digest("hex");
    expect(request?.headers["switchboard-signature"]).toBe(`t=${timestamp},v1=${digest}`);
  });

  it("exits 1 with the error result the model would read", async () => {
    expect(await tryTool(["order_status", '{"orderNumber":"A-404"}'], environment, output)).toBe(1);
    expect(printed).toBe('error: "order_status failed (HTTP 404): No such order"\n');
    printed = "";
    expect(await tryTool(["order_status", "{}"], environment, output)).toBe(1);
    expect(printed).toContain("Invalid input for order_status: orderNumber:");
    expect(endpoint.requests).toHaveLength(1);
  });

  it("exits 2 with the usage for an unknown tool, arguments that are not JSON, or no TOOLS_FILE", async () => {
    expect(await tryTool(["order_stat"], environment, output)).toBe(2);
    expect(printed).toContain('No tool "order_stat" in');
    expect(printed).toContain("there are: order_status");
    printed = "";
    expect(await tryTool(["order_status", "{orderNumber"], environment, output)).toBe(2);
    expect(printed).toContain("The arguments are not JSON");
    printed = "";
    expect(await tryTool(["order_status"], { NODE_ENV: "test" }, output)).toBe(2);
    expect(printed).toContain("No tools: set TOOLS_FILE");
    expect(endpoint.requests).toHaveLength(0);
  });
});
