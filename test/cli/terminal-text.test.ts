import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { resolveAdminToken } from "../../src/app/admin-token.js";
import { parseTextOptions, runTerminalText, type TextOptions } from "../../src/cli/terminal-text.js";
import { loadConfig } from "../../src/config/config.js";
import { createFakeTwilioServer } from "../../src/testing/create-fake-twilio-server.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { collectOutput } from "../helpers/collect-output.js";
import { eventually, startTestServer, type TestServer } from "../helpers/start-test-server.js";

const publicUrl = "https://switchboard.example.test";
const authToken = "terminal-text-token";

describe("npm run text", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async () => {
    const model = createScriptedModel((options) => {
      const last = JSON.stringify(options.prompt.at(-1));
      return { text: last.includes("party") ? "The party is on Thursday." : "Noted." };
    });
    server = await startTestServer({ PUBLIC_URL: publicUrl, TWILIO_AUTH_TOKEN: authToken }, { model });
    return server;
  };
  const options = (running: TestServer, overrides: Partial<TextOptions> = {}): TextOptions => ({
    serverUrl: running.baseUrl,
    publicUrl,
    from: "+14155550123",
    to: "+18885550100",
    authToken,
    accountSid: undefined,
    adminToken: "test-admin-token",
    messages: [],
    ...overrides,
  });

  it("texts like Twilio (signed webhooks) and prints each reply from the outbox", async () => {
    const running = await start();
    const { output, text } = collectOutput();
    const code = await runTerminalText(options(running, { messages: ["When is the party?", "Thanks"] }), {
      input: Readable.from([]),
      output,
      interactive: false,
    });
    expect(code).toBe(0);
    expect(text()).toContain(
      "you> When is the party?\nagent> The party is on Thursday.\nyou> Thanks\nagent> Noted.\n",
    );
    // One conversation for the number, in the store, as a real SMS would leave it.
    const [conversation] = await running.app.store.listConversations();
    const messages = await running.app.store.listMessages(conversation?.id ?? "");
    expect(messages.map((message) => [message.channel, message.role, message.text])).toEqual([
      ["sms", "user", "When is the party?"],
      ["sms", "assistant", "The party is on Thursday."],
      ["sms", "user", "Thanks"],
      ["sms", "assistant", "Noted."],
    ]);
  });

  it("at a prompt, prints replies as they arrive until /quit", async () => {
    const running = await start();
    const input = new PassThrough();
    const { output, text } = collectOutput();
    const session = runTerminalText(options(running), { input, output, interactive: true });
    await eventually(async () => text().includes("you> "), "the prompt");
    input.write("When is the party?\n");
    await eventually(async () => text().includes("agent> The party is on Thursday."), "the reply");
    input.write("/quit\n");
    expect(await session).toBe(0);
    expect(text()).toContain("Type a message and press Enter; /quit to stop.");
  });

  it("reads piped lines, and stops with a clear message on a wrong signature or admin token", async () => {
    const running = await start();
    const piped = collectOutput();
    expect(
      await runTerminalText(options(running), {
        input: Readable.from(["When is the party?\n"]),
        output: piped.output,
        interactive: false,
      }),
    ).toBe(0);
    expect(piped.text()).toContain("agent> The party is on Thursday.");

    const unsigned = collectOutput();
    expect(
      await runTerminalText(options(running, { authToken: "wrong", messages: ["hi"] }), {
        input: Readable.from([]),
        output: unsigned.output,
        interactive: false,
      }),
    ).toBe(1);
    expect(unsigned.text()).toContain("[POST /twilio/sms answered 403: ");

    const locked = collectOutput();
    expect(
      await runTerminalText(options(running, { adminToken: "not-the-token-at-all", messages: ["hi"] }), {
        input: Readable.from([]),
        output: locked.output,
        interactive: false,
      }),
    ).toBe(1);
    expect(locked.text()).toContain("GET /api/outbox answered 401 (wrong admin token)");
  });

  it("stops piped lines at /quit instead of texting it", async () => {
    const running = await start();
    const piped = collectOutput();
    expect(
      await runTerminalText(options(running), {
        input: Readable.from(["When is the party?\n", "/quit\n", "Thanks\n"]),
        output: piped.output,
        interactive: false,
      }),
    ).toBe(0);
    expect(piped.text()).not.toContain("you> /quit");
    expect(piped.text()).not.toContain("you> Thanks");
    const [conversation] = await running.app.store.listConversations();
    const texts = (await running.app.store.listMessages(conversation?.id ?? "")).map(
      (message) => message.text,
    );
    expect(texts).toEqual(["When is the party?", "The party is on Thursday."]);
  });

  it("says a reply was not delivered when the provider refused it, and what to do when no server listens", async () => {
    const twilio = await createFakeTwilioServer({
      accountSid: "AC77777777777777777777777777777777",
      authToken,
    });
    try {
      twilio.failNext(5, { status: 401, code: 20003, message: "Authenticate" });
      const model = createScriptedModel(() => ({ text: "The party is on Thursday." }));
      server = await startTestServer(
        {
          PUBLIC_URL: publicUrl,
          TWILIO_AUTH_TOKEN: authToken,
          TWILIO_ACCOUNT_SID: "AC77777777777777777777777777777777",
          TWILIO_PHONE_NUMBER: "+18885550100",
          TWILIO_API_BASE_URL: twilio.url,
        },
        { model },
      );
      const refused = collectOutput();
      expect(
        await runTerminalText(options(server, { messages: ["When is the party?"] }), {
          input: Readable.from([]),
          output: refused.output,
          interactive: false,
        }),
      ).toBe(0);
      expect(refused.text()).toContain("agent> The party is on Thursday.\n");
      expect(refused.text()).toMatch(
        /\[not delivered: Twilio rejected the request \(HTTP 401, error 20003\)/,
      );
    } finally {
      await twilio.close();
    }

    const closed = await startTestServer();
    const url = closed.baseUrl;
    await closed.close();
    const nobody = collectOutput();
    expect(
      await runTerminalText(
        { ...options(closed, { messages: ["hi"] }), serverUrl: url },
        { input: Readable.from([]), output: nobody.output, interactive: false },
      ),
    ).toBe(1);
    expect(nobody.text()).toContain(
      `Cannot reach Switchboard at ${url}: nothing is listening there. Is \`npm start\` running? (--url points elsewhere)`,
    );
  });
});

describe("the generated admin token", () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-admin-token-"));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("is kept in DATA_DIR across starts on SQLite (owner-only), where npm run text finds it", () => {
    const config = loadConfig({ DATA_DIR: directory });
    const first = resolveAdminToken(config);
    expect(first).toMatchObject({ generated: true, file: path.join(directory, "admin-token") });
    expect(first.token.length).toBeGreaterThanOrEqual(16);
    expect(statSync(path.join(directory, "admin-token")).mode & 0o777).toBe(0o600);
    expect(resolveAdminToken(config).token).toBe(first.token);

    const parsed = parseTextOptions(["hello"], { DATA_DIR: directory });
    expect(parsed !== "help" && parsed.adminToken).toBe(first.token);
    expect(parsed !== "help" && parsed.messages).toEqual(["hello"]);

    const chosen = loadConfig({ DATA_DIR: directory, ADMIN_TOKEN: "a-chosen-admin-token" });
    expect(resolveAdminToken(chosen)).toEqual({
      token: "a-chosen-admin-token",
      generated: false,
      file: undefined,
    });
    const memory = resolveAdminToken(loadConfig({ DATA_DIR: directory, STORE: "memory" }));
    expect(memory.file).toBeUndefined();
    expect(memory.token).not.toBe(first.token);
  });
});
