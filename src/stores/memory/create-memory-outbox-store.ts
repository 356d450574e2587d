import type { OutboxEntry, OutboxStore } from "../../ports/outbox-store.js";
import { newOutboxEntry } from "../new-outbox-entry.js";
import {
  failedOutboxFields,
  requeuedOutboxFields,
  retryOutboxFields,
  sentOutboxFields,
} from "../outbox-status-fields.js";
import { isWorkStatus, outboxStatusRank } from "../outbox-status-rank.js";

/** In-memory outbox for tests and `STORE=memory` (not durable, by definition). */
export function createMemoryOutboxStore(): OutboxStore {
  const entries = new Map<string, OutboxEntry>();
  const byKey = new Map<string, string>();
  const copy = <T>(value: T): T => structuredClone(value);
  const find = (id: string) => entries.get(id);

  return {
    async enqueueOutbound(input) {
      const existingId = byKey.get(input.idempotencyKey);
      const existing = existingId ? entries.get(existingId) : undefined;
      if (existing) return { entry: copy(existing), created: false };
      const entry = newOutboxEntry(input);
      entries.set(entry.id, entry);
      byKey.set(entry.idempotencyKey, entry.id);
      return { entry: copy(entry), created: true };
    },
    async claimDueOutbound({ now, limit, workerId, leaseMs }) {
      const due = [...entries.values()]
        .filter(
          (entry) =>
            (entry.status === "pending" && entry.nextAttemptAt <= now) ||
            (entry.status === "sending" && (entry.claimExpiresAt ?? 0) <= now),
        )
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
        .slice(0, limit);
      for (const entry of due) {
        entry.status = "sending";
        entry.claimedBy = workerId;
        entry.claimExpiresAt = now + leaseMs;
        entry.attempts++;
        entry.updatedAt = now;
      }
      return due.map(copy);
    },
    async markOutboundSent(id, result) {
      const entry = find(id);
      if (!entry) return;
      Object.assign(entry, sentOutboxFields(result, Date.now()));
    },
    async markOutboundRetry(id, failure) {
      const entry = find(id);
      if (!entry) return;
      Object.assign(entry, retryOutboxFields(failure, Date.now()));
    },
    async markOutboundFailed(id, failure) {
      const entry = find(id);
      if (!entry) return;
      Object.assign(entry, failedOutboxFields(failure, Date.now()));
    },
    async updateOutboundProviderStatus(providerMessageId, update) {
      const entry = [...entries.values()].find(
        (candidate) => candidate.providerMessageId === providerMessageId,
      );
      if (!entry) return undefined;
      if (update.status && outboxStatusRank(update.status) < outboxStatusRank(entry.status))
        return copy(entry);
      entry.status = update.status ?? entry.status;
      entry.providerStatus = update.providerStatus;
      entry.lastErrorCode = update.errorCode ?? entry.lastErrorCode;
      entry.updatedAt = Date.now();
      return copy(entry);
    },
    async getOutbound(id) {
      const entry = find(id);
      return entry ? copy(entry) : undefined;
    },
    async requeueOutbound(id, now) {
      const entry = find(id);
      if (!entry) return undefined;
      const requeued = entry.status === "failed" || entry.status === "dead";
      if (requeued) Object.assign(entry, requeuedOutboxFields(now));
      return { entry: copy(entry), requeued };
    },
    async deleteFinishedOutboundBefore(before, limit) {
      const finished = [...entries.values()]
        .filter((entry) => !isWorkStatus(entry.status) && entry.updatedAt < before)
        .sort((a, b) => a.updatedAt - b.updatedAt)
        .slice(0, limit);
      for (const entry of finished) {
        entries.delete(entry.id);
        byKey.delete(entry.idempotencyKey);
      }
      return finished.length;
    },
    async deleteOutboundForConversation(conversationId) {
      let deleted = 0;
      for (const [id, entry] of entries) {
        if (entry.conversationId !== conversationId) continue;
        entries.delete(id);
        byKey.delete(entry.idempotencyKey);
        deleted++;
      }
      return deleted;
    },
    async listOutbound(options = {}) {
      return [...entries.values()]
        .filter((entry) => !options.status || entry.status === options.status)
        .filter((entry) => !options.conversationId || entry.conversationId === options.conversationId)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, options.limit ?? 100)
        .map(copy);
    },
  };
}
