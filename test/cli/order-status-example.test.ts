import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { tryTool } from "../../src/cli/try-tool.js";

const root = path.resolve(import.meta.dirname, "../..");
const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-example-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The README's example: examples/order-status (its server, as shipped, on a free port). */
describe("the order_status example the README runs", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  const startExample = async (secret: string | undefined): Promise<string> => {
    child = spawn(process.execPath, ["examples/order-status/server.mjs"], {
      cwd: root,
      env: { ...process.env, ORDERS_PORT: "0", TOOLS_SIGNING_SECRET: secret ?? "" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let printed = "";
      child?.stdout?.on("data", (chunk: Buffer) => {
        printed += chunk.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/order-status)/.exec(printed);
        if (match?.[1]) resolve(match[1]);
      });
      child?.on("exit", (code) => reject(new Error(`the example exited with ${code}`)));
    });
    // The shipped file, pointed at this run's port.
    const tools = JSON.parse(readFileSync(path.join(root, "examples/order-status/tools.json"), "utf8")) as {
      tools: Array<{ url: string }>;
    };
    expect(tools.tools[0]?.url).toBe("http://127.0.0.1:4100/order-status");
    for (const tool of tools.tools) tool.url = url;
    const file = path.join(directory, `tools-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(tools));
    return file;
  };

  /** `npm run tool -- order_status '{"orderNumber":…}' <address flag> <address>`: exit code and output. */
  const lookUp = async (environment: Record<string, string>, order: string, ...address: string[]) => {
    let printed = "";
    const output = { write: (text: string) => (printed += text) };
    const code = await tryTool(
      ["order_status", JSON.stringify({ orderNumber: order }), ...address],
      environment,
      output,
    );
    return { code, printed };
  };

  it("answers the customer's own order, and refuses one that is not theirs", async () => {
    const environment = { NODE_ENV: "test", TOOLS_FILE: await startExample(undefined) };
    const own = await lookUp(environment, "A-1042", "--phone", "+14155550123");
    expect(own.code).toBe(0);
    expect(JSON.parse(own.printed.replace(/^ok: /, ""))).toEqual({
      order: "A-1042",
      status: "shipped",
      carrier: "UPS",
      arrives: "Thursday",
    });
    expect(await lookUp(environment, "A-1042", "--phone", "+14155550999")).toEqual({
      code: 1,
      printed: 'error: "order_status failed (HTTP 404): No order A-1042 for this customer"\n',
    });
  });

  it("checks the signature when both sides share TOOLS_SIGNING_SECRET", async () => {
    const file = await startExample("example-signing-secret-1");
    const signed = { NODE_ENV: "test", TOOLS_FILE: file, TOOLS_SIGNING_SECRET: "example-signing-secret-1" };
    const answered = await lookUp(signed, "A-1043", "--email", "pat@example.org");
    expect(answered.code).toBe(0);
    expect(answered.printed).toContain('"status": "being packed"');
    const wrong = { ...signed, TOOLS_SIGNING_SECRET: "another-signing-secret" };
    expect(await lookUp(wrong, "A-1043", "--email", "pat@example.org")).toEqual({
      code: 1,
      printed: 'error: "order_status failed (HTTP 401): Bad signature"\n',
    });
  });
});
