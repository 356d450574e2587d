import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createStores } from "../../src/app/create-stores.js";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/observability/logger.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { eventually, startTestServer, type TestServer } from "../helpers/start-test-server.js";

const silentLogger = createLogger({ level: "silent", logCustomerContent: false });

describe("pending replies", () => {
  let server: TestServer | undefined;
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-pending-"));
  afterEach(async () => {
    await server?.close();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it("answers an SMS that was stored but not yet answered when the process died", async () => {
    // What a process leaves behind when it dies after acknowledging the webhook, before replying.
    const stores = await createStores(loadConfig({ DATA_DIR: dataDirectory }), silentLogger);
    const conversation = await stores.conversations.createConversation({
      channel: "sms",
      externalRef: "+14155550123",
    });
    const message = await stores.conversations.appendMessage({
      conversationId: conversation.id,
      role: "user",
      channel: "sms",
      text: "Are you open today?",
      metadata: { messageSid: "SMpending1", from: "+14155550123" },
    });
    await stores.messagingState.addPendingTurn({
      messageId: message.id,
      conversationId: conversation.id,
      channel: "sms",
      createdAt: message.createdAt,
    });
    await stores.close();

    const model = createScriptedModel([{ text: "Yes, until 9 PM." }]);
    server = await startTestServer({ STORE: "sqlite" }, { model }, { dataDirectory });
    const [entry] = await eventually(async () => {
      const entries = await server!.app.stores.outbox.listOutbound({ status: "delivered" });
      return entries.length === 1 ? entries : undefined;
    }, "the resumed reply in the dev outbox");
    expect(entry?.payload).toEqual({ kind: "sms", to: "+14155550123", body: "Yes, until 9 PM." });
    expect(entry?.sender).toBe("dev-outbox");
    expect(await server.app.stores.messagingState.listPendingTurns()).toEqual([]);
    // The model answered the stored message without a duplicate of it in the prompt.
    const userTurns = (model.calls[0]?.prompt ?? []).filter((prompt) => prompt.role === "user");
    expect(userTurns).toHaveLength(1);
  });
});
