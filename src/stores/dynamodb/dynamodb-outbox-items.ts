import type { OutboundPayload } from "../../ports/outbound-sender.js";
import type { OutboxEntry, OutboxStatus } from "../../ports/outbox-store.js";
import { type Item, timeKey } from "./dynamodb-items.js";

/** Item keys of the outbox (see docs/decisions/0002-dynamodb-table-design.md). */
export const outboxKeys = {
  entry: (id: string) => ({ pk: `OUTBOX#${id}`, sk: "OUTBOX" }),
  /** Idempotency guard: exists once per key, holds the id and first snapshot of its entry. */
  idempotencyKey: (key: string) => ({ pk: `OUTKEY#${key}`, sk: "OUTKEY" }),
  /** Provider message id (Twilio `SM…`, SendGrid id) → entry id, for status callbacks. */
  providerMessage: (providerMessageId: string) => ({
    pk: `PROVIDERMSG#${providerMessageId}`,
    sk: "PROVIDERMSG",
  }),
};

export const allOutboxPartition = "OUTBOX";
/** Sparse index partition of work items: only `pending` and `sending` entries are in it. */
export const dueOutboxPartition = "OUTBOX_DUE";
export const conversationOutboxPartition = (conversationId: string) => `CONVOUT#${conversationId}`;

/** The whole item of a new (pending) entry, with its index keys. */
export function outboxEntryItem(entry: OutboxEntry): Item {
  return {
    ...outboxKeys.entry(entry.id),
    ...entry,
    gsi1pk: allOutboxPartition,
    gsi1sk: timeKey(entry.createdAt, entry.id),
    gsi2pk: dueOutboxPartition,
    gsi2sk: timeKey(entry.nextAttemptAt, entry.id),
    ...(entry.conversationId === null
      ? {}
      : {
          gsi3pk: conversationOutboxPartition(entry.conversationId),
          gsi3sk: timeKey(entry.createdAt, entry.id),
        }),
  };
}

export function toOutboxEntry(item: Item): OutboxEntry {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: String(item.id),
    idempotencyKey: String(item.idempotencyKey),
    kind: item.kind as OutboxEntry["kind"],
    payload: item.payload as OutboundPayload,
    conversationId: text(item.conversationId),
    status: item.status as OutboxStatus,
    attempts: Number(item.attempts),
    nextAttemptAt: Number(item.nextAttemptAt),
    lastError: text(item.lastError),
    lastErrorCode: text(item.lastErrorCode),
    sender: text(item.sender),
    providerMessageId: text(item.providerMessageId),
    providerStatus: text(item.providerStatus),
    claimedBy: text(item.claimedBy),
    claimExpiresAt: number(item.claimExpiresAt),
    createdAt: Number(item.createdAt),
    updatedAt: Number(item.updatedAt),
  };
}
