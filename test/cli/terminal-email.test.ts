import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type EmailOptions, parseEmailOptions, runTerminalEmail } from "../../src/cli/terminal-email.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { collectOutput } from "../helpers/collect-output.js";
import { startTestServer, type TestServer } from "../helpers/start-test-server.js";

const inboundToken = "terminal-email-inbound-token";

describe("npm run email", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("emails like SendGrid Inbound Parse, prints each reply, and answers in the agent's thread", async () => {
    let turn = 0;
    const model = createScriptedModel(() => ({
      text: ++turn === 1 ? "Thursday at 7 pm." : "At the Festival Grounds.",
    }));
    server = await startTestServer(
      { SENDGRID_INBOUND_TOKEN: inboundToken, EMAIL_FROM: "agent@acme.example" },
      { model },
    );
    const parsed = parseEmailOptions(["--subject", "re:Play party", "When is it?", "Where?"], {
      SENDGRID_INBOUND_TOKEN: inboundToken,
      EMAIL_FROM: "agent@acme.example",
      ADMIN_TOKEN: "test-admin-token",
    });
    if (parsed === "help") throw new Error("help");
    const options: EmailOptions = { ...parsed, serverUrl: server.baseUrl };
    const { output, text } = collectOutput();
    expect(await runTerminalEmail(options, { input: Readable.from([]), output, interactive: false })).toBe(0);
    expect(text()).toContain(
      "you> When is it?\nagent> [Re: re:Play party] Thursday at 7 pm.\nyou> Where?\nagent> [Re: re:Play party] At the Festival Grounds.\n",
    );
    // Both emails in one conversation; the second answered the agent's reply (its In-Reply-To).
    const conversations = await server.app.store.listConversations();
    expect(conversations).toHaveLength(1);
    const messages = await server.app.store.listMessages(conversations[0]?.id ?? "");
    expect(messages.map((message) => [message.channel, message.role, message.text])).toEqual([
      ["email", "user", "When is it?"],
      ["email", "assistant", "Thursday at 7 pm."],
      ["email", "user", "Where?"],
      ["email", "assistant", "At the Festival Grounds."],
    ]);
    const outbox = await server.app.stores.outbox.listOutbound();
    const [first, second] = [...outbox].sort((a, b) => a.createdAt - b.createdAt);
    const firstHeaders = first?.payload.kind === "email" ? first.payload.headers : undefined;
    const secondHeaders = second?.payload.kind === "email" ? second.payload.headers : undefined;
    expect(secondHeaders?.References).toContain(firstHeaders?.["Message-ID"]);
  });

  it("says what is missing without the inbound token, and shows the server's refusal of a wrong one", async () => {
    server = await startTestServer({ SENDGRID_INBOUND_TOKEN: inboundToken });
    const base = {
      serverUrl: server.baseUrl,
      from: "pat@example.org",
      to: "agent@switchboard.local",
      subject: "Hi",
    };
    const missing = collectOutput();
    expect(
      await runTerminalEmail(
        { ...base, inboundToken: undefined, adminToken: "test-admin-token", messages: ["hi"] },
        { input: Readable.from([]), output: missing.output, interactive: false },
      ),
    ).toBe(2);
    expect(missing.text()).toContain("Inbound email needs SENDGRID_INBOUND_TOKEN");
    const wrong = collectOutput();
    expect(
      await runTerminalEmail(
        { ...base, inboundToken: "not-the-inbound-token", adminToken: "test-admin-token", messages: ["hi"] },
        { input: Readable.from([]), output: wrong.output, interactive: false },
      ),
    ).toBe(1);
    expect(wrong.text()).toContain("[POST /sendgrid/inbound answered 403: ");
  });
});
