import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RelayTestClient } from "../../../src/testing/relay-test-client.js";
import { eventually, startTestServer, type TestServer } from "../../helpers/start-test-server.js";

describe("restart", () => {
  let server: TestServer | undefined;
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-restart-"));
  const environment = {
    STORE: "sqlite",
    PUBLIC_URL: "https://switchboard.example.test",
    VOICE_WELCOME_GREETING: "Hi.",
  };
  afterEach(async () => {
    await server?.close();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it("keeps the conversation across a server restart (SQLite) and a reconnecting call continues it", async () => {
    server = await startTestServer(environment, {}, { dataDirectory });
    let client = await RelayTestClient.connect({ url: server.relayUrl });
    client.sendSetup({ callSid: "CArestart", from: "+14155550123" });
    client.sendPrompt("My name is Ada");
    const first = await client.nextReply({ timeoutMs: 5000 });
    expect(first.text).toContain("Ada");
    client.close();
    const before = await eventually(() => server?.app.store.getCallSession("CArestart"), "call session");
    await server.close();

    server = await startTestServer(environment, {}, { dataDirectory });
    const conversation = await server.app.store.getConversation(before.conversationId);
    expect(conversation?.id).toBe(before.conversationId);
    const messages = await server.app.store.listMessages(before.conversationId);
    expect(messages.map((message) => message.text)).toEqual(["Hi.", "My name is Ada", first.text]);

    // Twilio reconnects the same call (after error 64105) to the restarted server.
    client = await RelayTestClient.connect({ url: server.relayUrl });
    client.sendSetup({ callSid: "CArestart", from: "+14155550123" });
    client.sendPrompt("What is my name?");
    const second = await client.nextReply({ timeoutMs: 5000 });
    expect(second.text).toContain("Ada");
    client.close();
    const after = await eventually(async () => {
      const list = await server!.app.store.listMessages(before.conversationId);
      return list.length === 5 ? list : undefined;
    }, "five messages after reconnect");
    // No second greeting on a reconnect.
    expect(after.filter((message) => message.text === "Hi.")).toHaveLength(1);
  });

  it("stores a call's last turn when the server shuts down right after the reply, the call still open", async () => {
    server = await startTestServer(environment, {}, { dataDirectory });
    const client = await RelayTestClient.connect({ url: server.relayUrl });
    client.sendSetup({ callSid: "CAshutdown", from: "+14155550123" });
    client.sendPrompt("My name is Grace");
    const reply = await client.nextReply({ timeoutMs: 5000 });
    // A deploy: the transcript's appends still wait for their batch when the server is told to stop.
    await server.close();
    client.close();
    expect(server.logs.filter((line) => line.msg === "relay: turn crashed")).toEqual([]);

    server = await startTestServer(environment, {}, { dataDirectory });
    const call = await server.app.store.getCallSession("CAshutdown");
    const messages = await server.app.store.listMessages(call?.conversationId ?? "");
    expect(messages.map((message) => message.text)).toEqual(["Hi.", "My name is Grace", reply.text]);
  });
});
