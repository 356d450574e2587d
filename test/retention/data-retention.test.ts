import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InboundEvent, MessagingStateStore } from "../../src/ports/messaging-state-store.js";
import { DataRetention } from "../../src/retention/data-retention.js";
import {
  finishedOutboundSweep,
  handledInboundIdsSweep,
  idleConversationsSweep,
  inboundIdRetentionMs,
} from "../../src/retention/retention-sweeps.js";
import { createMemoryMessagingStateStore } from "../../src/stores/memory/create-memory-messaging-state-store.js";
import { createSqliteConversationStore } from "../../src/stores/sqlite/create-sqlite-conversation-store.js";
import { createSqliteMessagingStateStore } from "../../src/stores/sqlite/create-sqlite-messaging-state-store.js";
import { createSqliteOutboxStore } from "../../src/stores/sqlite/create-sqlite-outbox-store.js";
import { openSqliteDatabase, type SqliteDatabase } from "../../src/stores/sqlite/open-sqlite-database.js";
import { captureLogs } from "../helpers/capture-logs.js";

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

describe("DataRetention", () => {
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
    const retention = new DataRetention({
      sweeps: [handledInboundIdsSweep(store)],
      logger,
      batchSize: 500,
      batchPauseMs: 0,
      now: () => now,
    });

    expect(await retention.runOnce()).toEqual({ "handled webhook ids": 1200 });
    expect(calls).toEqual([500, 500, 200]);
    expect(lines.map((line) => line.msg)).toContain(
      "retention: deleted 1200 handled webhook ids older than 30 days",
    );
    expect((await messagingState.listUnhandledInbound(provider)).map((item) => item.eventId)).toEqual([
      "SMstuck",
    ]);
    // A retry of a recent id is still a repeat; a forgotten id would be taken as new.
    expect(await messagingState.acceptInbound(event("SMnew0", now))).toBe(false);
    expect(await messagingState.acceptInbound(event("SMold7", now))).toBe(true);
    expect(await retention.runOnce()).toEqual({ "handled webhook ids": 0 });
    await retention.close();
  });

  it("deletes finished outbound messages after their retention and keeps those still being delivered", async () => {
    const outbox = createSqliteOutboxStore({ database });
    const sms = { kind: "sms" as const, to: "+14155550123", body: "Your order ships Monday." };
    const delivered = (await outbox.enqueueOutbound({ idempotencyKey: "reply-1", payload: sms })).entry;
    const waiting = (await outbox.enqueueOutbound({ idempotencyKey: "reply-2", payload: sms })).entry;
    await outbox.claimDueOutbound({ now: Date.now(), limit: 1, workerId: "w", leaseMs: 60_000 });
    await outbox.markOutboundSent(delivered.id, {
      sender: "twilio",
      providerMessageId: "SM1",
      providerStatus: "sent",
    });
    const { logger, lines } = captureLogs("info");
    const sweeps = [finishedOutboundSweep(outbox, 30)];
    // Not yet 30 days old: kept.
    const today = new DataRetention({ sweeps, logger, batchPauseMs: 0 });
    expect(await today.runOnce()).toEqual({ "finished outbound messages": 0 });
    const later = new DataRetention({ sweeps, logger, batchPauseMs: 0, now: () => Date.now() + 31 * day });
    expect(await later.runOnce()).toEqual({ "finished outbound messages": 1 });
    expect(await outbox.getOutbound(delivered.id)).toBeUndefined();
    expect((await outbox.getOutbound(waiting.id))?.status).toBe("pending");
    expect(lines.map((line) => line.msg)).toContain(
      "retention: deleted 1 finished outbound messages older than 30 days",
    );
  });

  it("erases conversations nobody wrote to for RETENTION_DAYS with their messages, outbound messages and email threads", async () => {
    const store = createSqliteConversationStore({ database });
    const outbox = createSqliteOutboxStore({ database });
    const messagingState = createSqliteMessagingStateStore({ database });
    const idle = await store.createConversation({ channel: "sms", externalRef: "+14155550123" });
    await store.appendMessage({
      conversationId: idle.id,
      role: "user",
      channel: "sms",
      text: "old question",
    });
    await outbox.enqueueOutbound({
      idempotencyKey: "old-reply",
      conversationId: idle.id,
      payload: { kind: "sms", to: "+14155550123", body: "old answer" },
    });
    await messagingState.linkEmailMessageId("<old-reply@acme.example>", idle.id);
    const { logger, lines } = captureLogs("info");
    const inEightDays = Date.now() + 8 * day;
    const alsoIdle = await store.createConversation({ channel: "web" });
    const sweeps = [idleConversationsSweep({ store, outbox, messagingState }, 7)];
    const retention = new DataRetention({
      sweeps,
      logger,
      batchSize: 1,
      batchPauseMs: 0,
      now: () => inEightDays,
    });
    expect(await retention.runOnce()).toEqual({ conversations: 2 });
    expect(await store.getConversation(idle.id)).toBeUndefined();
    expect(await store.listMessages(idle.id)).toEqual([]);
    expect(await outbox.listOutbound({ conversationId: idle.id })).toEqual([]);
    expect(
      await messagingState.findConversationByEmailMessageIds(["<old-reply@acme.example>"]),
    ).toBeUndefined();
    expect(lines.map((line) => line.msg)).toContain("retention: deleted 2 conversations older than 7 days");

    const kept = await store.createConversation({ channel: "web" });
    const tomorrow = new DataRetention({ sweeps, logger, batchPauseMs: 0, now: () => Date.now() + day });
    expect(await tomorrow.runOnce()).toEqual({ conversations: 0 });
    expect(await store.getConversation(kept.id)).toBeDefined();
    expect(await store.getConversation(alsoIdle.id)).toBeUndefined();
  });

  it("runs a first pass after its delay, then one per interval, until closed", async () => {
    const now = Date.now();
    const memory = createMemoryMessagingStateStore();
    await memory.acceptInbound(event("SMold", now - inboundIdRetentionMs - day));
    await memory.markInboundHandled(provider, "SMold");
    const { store, calls } = counting(memory);
    const { logger } = captureLogs("info");
    const retention = new DataRetention({
      sweeps: [handledInboundIdsSweep(store)],
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

  it("logs a failed sweep, runs the others, and tries again at the next interval", async () => {
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
    let outboxPasses = 0;
    const retention = new DataRetention({
      sweeps: [
        handledInboundIdsSweep(store),
        {
          what: "finished outbound messages",
          retentionMs: day,
          async deleteBatch() {
            outboxPasses++;
            return 0;
          },
        },
      ],
      logger,
      firstDelayMs: 1,
      intervalMs: 10,
    });
    retention.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await retention.close();
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(outboxPasses).toBeGreaterThanOrEqual(2);
    expect(lines.some((line) => line.msg === "retention: deleting old handled webhook ids failed")).toBe(
      true,
    );
  });
});
