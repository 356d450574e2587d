import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { printStartupBanner } from "../../src/app/print-startup-banner.js";
import { startTestServer, type TestServer } from "../helpers/start-test-server.js";

const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-banner-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function toolsFile(urls: string[]): string {
  const file = path.join(directory, `tools-${urls.length}-${Date.now()}.json`);
  const tools = urls.map((url, index) => ({ name: `tool_${index}`, description: "A tool.", url }));
  writeFileSync(file, JSON.stringify({ tools }));
  return file;
}

async function bannerOf(
  server: TestServer,
  options: { showSecrets?: boolean } = {},
): Promise<{ printed: string; warnings: string[] }> {
  let printed = "";
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  try {
    printStartupBanner(server.app, options);
  } finally {
    write.mockRestore();
  }
  const warnings = server.logs.filter((line) => line.level === 40).map((line) => String(line.msg));
  return { printed, warnings };
}

describe("the start-up banner", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("lists your tools, and warns when their requests are unsigned or go over plain http to another host", async () => {
    const file = toolsFile(["http://tools.example.com/a", "https://tools.example.com/b"]);
    server = await startTestServer({ TOOLS_FILE: file });
    const { printed, warnings } = await bannerOf(server);
    expect(printed).toContain(`Your tools:    tool_0, tool_1  (${file})`);
    expect(warnings.filter((message) => message.startsWith("TOOLS_SIGNING_SECRET is not set"))).toHaveLength(
      1,
    );
    const plainHttp = server.logs.filter((line) => String(line.msg).includes("plain http to another host"));
    expect(plainHttp.map((line) => line.toolName)).toEqual(["tool_0"]);
  });

  it("warns when a generated admin token is not kept (a store other than SQLite), and names npm run text", async () => {
    server = await startTestServer({ ADMIN_TOKEN: "" });
    const { printed, warnings } = await bannerOf(server);
    expect(printed).toContain("(generated; set ADMIN_TOKEN to choose it)");
    expect(printed).toContain("Text it:       npm run text");
    // Not on port 3000: the terminal commands are told where the server is.
    const { port } = server.app.server.server.address() as { port: number };
    expect(printed).toContain(`Try a call:    npm run call -- --url http://127.0.0.1:${port}`);
    expect(warnings.filter((message) => message.startsWith("ADMIN_TOKEN is not set"))).toHaveLength(1);
    await server.close();
    server = await startTestServer({ ADMIN_TOKEN: "", STORE: "sqlite" });
    const kept = await bannerOf(server);
    expect(kept.printed).toContain(`kept in ${path.join(server.dataDirectory, "admin-token")}`);
    expect(kept.warnings.filter((message) => message.startsWith("ADMIN_TOKEN is not set"))).toEqual([]);
  });

  it("says nothing of tools when they are signed and use https or a local URL", async () => {
    const file = toolsFile([
      "https://tools.example.com/a",
      "http://127.0.0.1:9000/b",
      "http://localhost:9000/c",
    ]);
    server = await startTestServer({ TOOLS_FILE: file, TOOLS_SIGNING_SECRET: "banner-signing-secret" });
    const { printed, warnings } = await bannerOf(server);
    expect(printed).toContain("Your tools:    tool_0, tool_1, tool_2");
    expect(warnings.filter((message) => /TOOLS_SIGNING_SECRET|plain http/.test(message))).toEqual([]);
  });

  it("warns when events are sent unsigned or over plain http to another host, and not when signed over https", async () => {
    server = await startTestServer({ EVENTS_WEBHOOK_URL: "http://crm.example.com/hooks" });
    expect(
      (await bannerOf(server)).warnings.filter((message) =>
        message.startsWith("EVENTS_WEBHOOK_URL uses plain http"),
      ),
    ).toHaveLength(1);
    await server.close();
    server = await startTestServer({ EVENTS_WEBHOOK_URL: "https://crm.example.com/hooks" });
    expect(
      (await bannerOf(server)).warnings.filter((message) => message.startsWith("EVENTS_WEBHOOK_SECRET")),
    ).toHaveLength(1);
    await server.close();
    server = await startTestServer({
      EVENTS_WEBHOOK_URL: "https://crm.example.com/hooks",
      EVENTS_WEBHOOK_SECRET: "events-signing-secret",
    });
    expect(
      (await bannerOf(server)).warnings.filter((message) => message.startsWith("EVENTS_WEBHOOK")),
    ).toEqual([]);
  });

  it("prints no tools line without TOOLS_FILE", async () => {
    server = await startTestServer();
    const { printed } = await bannerOf(server);
    expect(printed).toContain("Switchboard is running");
    expect(printed).not.toContain("Your tools:");
  });

  it("warns when SendGrid is configured and its events are not signed", async () => {
    server = await startTestServer({ SENDGRID_API_KEY: "SG.banner-test", EMAIL_FROM: "agent@acme.example" });
    const { warnings } = await bannerOf(server);
    expect(
      warnings.filter((message) => message.startsWith("SENDGRID_EVENT_PUBLIC_KEY is not set")),
    ).toHaveLength(1);
  });

  it("prints a generated admin token only to a terminal, never into a log", async () => {
    server = await startTestServer({ ADMIN_TOKEN: "", STORE: "sqlite" });
    const logged = await bannerOf(server, { showSecrets: false });
    expect(logged.printed).not.toContain(server.app.adminToken);
    expect(logged.printed).toMatch(
      /Admin token: {3}generated, kept in .*admin-token; not printed, as this output is not a terminal/,
    );
    expect((await bannerOf(server)).printed).toContain(server.app.adminToken);
  });
});
