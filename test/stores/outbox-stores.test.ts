import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "@photostructure/sqlite";
import { describe, expect, it } from "vitest";
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

describe("sqlite outbox polling", () => {
  it("takes no write lock when nothing is due, and claims once something is", async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-outbox-poll-"));
    const filename = path.join(directory, "switchboard.db");
    const database = openSqliteDatabase(filename);
    const other = new DatabaseSync(filename);
    try {
      other.exec("PRAGMA busy_timeout = 0");
      const outbox = createSqliteOutboxStore({ database });
      const now = Date.now();
      await outbox.enqueueOutbound({
        idempotencyKey: "later",
        payload: { kind: "sms", to: "+15550001111", body: "later" },
        notBefore: now + 60_000,
      });
      await database.flush();
      const commits = database.commits;
      expect(await outbox.claimDueOutbound({ now, limit: 10, workerId: "w", leaseMs: 1000 })).toEqual([]);
      // Another process can write at once: the empty poll left no transaction open behind it.
      other.exec("BEGIN IMMEDIATE");
      other.exec("ROLLBACK");
      await database.flush();
      expect(database.commits).toBe(commits);
      const claimed = await outbox.claimDueOutbound({
        now: now + 60_000,
        limit: 10,
        workerId: "w",
        leaseMs: 1000,
      });
      expect(claimed.map((entry) => entry.idempotencyKey)).toEqual(["later"]);
    } finally {
      other.close();
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
