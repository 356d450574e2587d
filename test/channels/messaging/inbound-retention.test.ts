import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InboundRetention, inboundIdRetentionMs } from "../../../src/channels/messaging/inbound-retention.js";
import type { InboundEvent, MessagingStateStore } from "../../../src/ports/messaging-state-store.js";
import { createMemoryMessagingStateStore } from "../../../src/stores/memory/create-memory-messaging-state-store.js";
import { createSqliteMessagingStateStore } from "../../../src/stores/sqlite/create-sqlite-messaging-state-store.js";
import { openSqliteDatabase, type SqliteDatabase } from "../../../src/stores/sqlite/open-sqlite-database.js";
import { captureLogs } from "../../helpers/capture-logs.js";

const day = 24 * 60 * 60 * 1000;
const provider = "twilio-sms";

function event(eventId: string, receivedAt: number): InboundEvent {
  return { provider, eventId, receivedAt, payload: { MessageSid: eventId, From: "+14155550123" } };
}

/** Counts the store calls, so a test can see batches and passes. */
function counting(store: MessagingStateStore): { store: MessagingStateStore; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    store: {
      ...store,
      async forgetHandledInbound(receivedBefore, limit) {
        const forgotten = await store.forgetHandledInbound(receivedBefore, limit);
        calls.push(forgotten);
        return forgotten;
      },
    },
  };
}

describe("InboundRetention", () => {
  let directory: string;
  let database: SqliteDatabase;

  beforeEach(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-retention-"));
    database = openSqliteDatabase(path.join(directory, "switchboard.db"));
  });
  afterEach(async () => {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("forgets handled ids older than 30 days in batches, and keeps unhandled and recent ones", async () => {
    const now = Date.now();
    const messagingState = createSqliteMessagingStateStore({ database });
    const old = now - 40 * day;
    for (let index = 0; index < 1200; index++) {
      await messagingState.acceptInbound(event(`SMold${index}`, old + index));
      await messagingState.markInboundHandled(provider, `SMold${index}`);
    }
    // Old but never handled (a handler that keeps failing): kept whatever its age.
    await messagingState.acceptInbound(event("SMstuck", old + 600));
    for (let index = 0; index < 5; index++) {
      await messagingState.acceptInbound(event(`SMnew${index}`, now - 29 * day));
      await messagingState.markInboundHandled(provider, `SMnew${index}`);
    }
    const { store, calls } = counting(messagingState);
    const { logger, lines } = captureLogs("info");
    const retention = new InboundRetention({
      messagingState: store,
      logger,
      batchSize: 500,
      batchPauseMs: 0,
      now: () => now,
    });

    expect(await retention.runOnce()).toBe(1200);
    expect(calls).toEqual([500, 500, 200]);
    expect(lines.map((line) => line.msg)).toContain(
      "inbox: forgot 1200 handled webhook ids older than 30 days",
    );
    expect((await messagingState.listUnhandledInbound(provider)).map((item) => item.eventId)).toEqual([
      "SMstuck",
    ]);
    // A retry of a recent id is still a repeat; a forgotten id would be taken as new.
    expect(await messagingState.acceptInbound(event("SMnew0", now))).toBe(false);
    expect(await messagingState.acceptInbound(event("SMold7", now))).toBe(true);
    expect(await retention.runOnce()).toBe(0);
    await retention.close();
  });

  it("runs a first pass after its delay, then one per interval, until closed", async () => {
    const now = Date.now();
    const memory = createMemoryMessagingStateStore();
    await memory.acceptInbound(event("SMold", now - inboundIdRetentionMs - day));
    await memory.markInboundHandled(provider, "SMold");
    const { store, calls } = counting(memory);
    const { logger } = captureLogs("info");
    const retention = new InboundRetention({
      messagingState: store,
      logger,
      firstDelayMs: 5,
      intervalMs: 10,
    });
    retention.start();
    await new Promise((resolve) => setTimeout(resolve, 80));
    await retention.close();
    const passes = calls.length;
    expect(calls[0]).toBe(1);
    expect(passes).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(calls.length).toBe(passes);
  });

  it("logs a failed pass and tries again at the next interval", async () => {
    let attempts = 0;
    const memory = createMemoryMessagingStateStore();
    const store: MessagingStateStore = {
      ...memory,
      async forgetHandledInbound() {
        attempts++;
        throw new Error("disk I/O error");
      },
    };
    const { logger, lines } = captureLogs("info");
    const retention = new InboundRetention({
      messagingState: store,
      logger,
      firstDelayMs: 1,
      intervalMs: 10,
    });
    retention.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await retention.close();
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(lines.some((line) => line.msg === "inbox: forgetting old ids failed")).toBe(true);
  });
});
