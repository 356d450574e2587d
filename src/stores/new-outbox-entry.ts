import type { NewOutboxEntry, OutboxEntry } from "../ports/outbox-store.js";
import { newId } from "./store-clock.js";

/** A fresh `pending` outbox entry for `input` (its payload copied), as every backend stores it. */
export function newOutboxEntry(input: NewOutboxEntry, now = Date.now()): OutboxEntry {
  return {
    id: newId("out"),
    idempotencyKey: input.idempotencyKey,
    kind: input.payload.kind,
    payload: structuredClone(input.payload),
    conversationId: input.conversationId ?? null,
    status: "pending",
    attempts: 0,
    nextAttemptAt: input.notBefore ?? now,
    lastError: null,
    lastErrorCode: null,
    sender: null,
    providerMessageId: null,
    providerStatus: null,
    claimedBy: null,
    claimExpiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
}
