import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ConversationStore } from "../../src/ports/conversation-store.js";
import { createMemoryConversationStore } from "../../src/stores/memory/create-memory-conversation-store.js";
import { createSqliteConversationStore } from "../../src/stores/sqlite/create-sqlite-conversation-store.js";
import { openSqliteDatabase } from "../../src/stores/sqlite/open-sqlite-database.js";
import { conversationStoreContract } from "./conversation-store-contract.js";

conversationStoreContract("memory", async () => ({
  store: createMemoryConversationStore(),
  cleanup: async () => {},
}));

conversationStoreContract("sqlite", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-store-"));
  const filename = path.join(directory, "nested", "switchboard.db");
  let current: ConversationStore = createSqliteConversationStore({ filename });
  return {
    store: current,
    async reopen() {
      await current.close();
      current = createSqliteConversationStore({ filename });
      return current;
    },
    async cleanup() {
      await current.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});

describe("SQLite store specifics", () => {
  it("runs in WAL mode and a second connection sees committed data", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-wal-"));
    const filename = path.join(directory, "switchboard.db");
    const database = openSqliteDatabase(filename);
    const mode = database.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    expect(mode.journal_mode).toBe("wal");
    const first = createSqliteConversationStore({ database });
    const conversation = await first.createConversation({ channel: "sms" });
    await first.appendMessage({
      conversationId: conversation.id,
      role: "user",
      channel: "sms",
      text: "shared",
    });
    const second = createSqliteConversationStore({ filename });
    expect((await second.listMessages(conversation.id)).map((message) => message.text)).toEqual(["shared"]);
    await second.close();
    await first.close();
    database.close();
    rmSync(directory, { recursive: true, force: true });
  });
});
