import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type AppOverrides, createApp, type SwitchboardApp } from "../../src/app/create-app.js";
import { loadConfig } from "../../src/config/config.js";
import { captureLogs } from "./capture-logs.js";

export interface TestServer {
  app: SwitchboardApp;
  baseUrl: string;
  /** Local WebSocket URL of the relay (what the test client connects to). */
  relayUrl: string;
  /** Log lines written so far, parsed. */
  logs: Array<Record<string, unknown>>;
  dataDirectory: string;
  close(): Promise<void>;
}

/** Starts the real app on 127.0.0.1 with an ephemeral port and captured JSON logs. */
export async function startTestServer(
  environment: Record<string, string> = {},
  overrides: AppOverrides = {},
  options: { dataDirectory?: string } = {},
): Promise<TestServer> {
  const dataDirectory = options.dataDirectory ?? mkdtempSync(path.join(os.tmpdir(), "switchboard-test-"));
  const config = loadConfig({
    NODE_ENV: "test",
    STORE: "memory",
    LOG_LEVEL: "debug",
    DATA_DIR: dataDirectory,
    ADMIN_TOKEN: "test-admin-token",
    ...environment,
  });
  const { logger, lines: logs } = captureLogs(config.logLevel);
  const app = await createApp(config, { logger, ...overrides });
  await app.server.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    relayUrl: `ws://127.0.0.1:${port}/twilio/relay`,
    logs,
    dataDirectory,
    async close() {
      await app.close();
      if (!options.dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` returns a truthy value (bounded), for state that settles asynchronously. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 5000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** Posts a Twilio-style form. */
export async function postForm(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; contentType: string | null }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return {
    status: response.status,
    body: await response.text(),
    contentType: response.headers.get("content-type"),
  };
}
