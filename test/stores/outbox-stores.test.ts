import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createMemoryMessagingStateStore } from "../../src/stores/memory/create-memory-messaging-state-store.js";
import { createMemoryOutboxStore } from "../../src/stores/memory/create-memory-outbox-store.js";
import { createSqliteMessagingStateStore } from "../../src/stores/sqlite/create-sqlite-messaging-state-store.js";
import { createSqliteOutboxStore } from "../../src/stores/sqlite/create-sqlite-outbox-store.js";
import { openSqliteDatabase } from "../../src/stores/sqlite/open-sqlite-database.js";
import { outboxStoreContract } from "./outbox-store-contract.js";

outboxStoreContract("memory", async () => ({
  outbox: createMemoryOutboxStore(),
  messagingState: createMemoryMessagingStateStore(),
  cleanup: async () => {},
}));

outboxStoreContract("sqlite", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-outbox-"));
  const database = openSqliteDatabase(path.join(directory, "switchboard.db"));
  return {
    outbox: createSqliteOutboxStore({ database }),
    messagingState: createSqliteMessagingStateStore({ database }),
    async cleanup() {
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});
