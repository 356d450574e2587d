import { NotFoundError } from "../../errors/not-found-error.js";
import type { OutboundPayload } from "../../ports/outbound-sender.js";
import type { OutboxEntry, OutboxStatus, OutboxStore } from "../../ports/outbox-store.js";
import { outboxStatusRank } from "../outbox-status-rank.js";
import { newId } from "../store-clock.js";
import type { SqliteDatabase } from "./open-sqlite-database.js";

type Row = Record<string, unknown>;

/** Entries due at `now` (an SQL parameter): pending and due, or `sending` with their lease run out. */
const dueAt = (now: string) =>
  `(status = 'pending' AND next_attempt_at <= ${now}) OR (status = 'sending' AND claim_expires_at <= ${now})`;

/** The durable outbox in the embedded database. Claims are one UPDATE…RETURNING, so atomic. */
export function createSqliteOutboxStore(options: { database: SqliteDatabase }): OutboxStore {
  const { database } = options;
  const statements = {
    insert: database.prepare(
      `INSERT INTO outbox (id, idempotency_key, kind, payload, conversation_id, status, attempts, next_attempt_at,
         created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
       ON CONFLICT (idempotency_key) DO NOTHING`,
    ),
    byKey: database.prepare("SELECT * FROM outbox WHERE idempotency_key = ?"),
    byId: database.prepare("SELECT * FROM outbox WHERE id = ?"),
    deleteForConversation: database.prepare("DELETE FROM outbox WHERE conversation_id = ?"),
    deleteFinishedBefore: database.prepare(
      `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox INDEXED BY outbox_finished
         WHERE status NOT IN ('pending', 'sending') AND updated_at < ? ORDER BY updated_at LIMIT ?)`,
    ),
    byProviderId: database.prepare("SELECT * FROM outbox WHERE provider_message_id = ?"),
    // A read first: an empty poll (the usual one) then opens no write transaction, so an idle
    // server neither takes the write lock nor commits twice a second.
    anyDue: database.prepare(`SELECT 1 FROM outbox WHERE ${dueAt("?1")} LIMIT 1`),
    claim: database.prepare(
      `UPDATE outbox SET status = 'sending', claimed_by = ?1, claim_expires_at = ?2, attempts = attempts + 1, updated_at = ?3
       WHERE id IN (SELECT id FROM outbox WHERE ${dueAt("?3")} ORDER BY next_attempt_at LIMIT ?4)
       RETURNING *`,
    ),
    sent: database.prepare(
      `UPDATE outbox SET status = 'sent', sender = ?, provider_message_id = ?, provider_status = ?, claimed_by = NULL,
         claim_expires_at = NULL, last_error = NULL, last_error_code = NULL, updated_at = ? WHERE id = ?`,
    ),
    retry: database.prepare(
      `UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?, last_error_code = ?, claimed_by = NULL,
         claim_expires_at = NULL, updated_at = ? WHERE id = ?`,
    ),
    failed: database.prepare(
      `UPDATE outbox SET status = ?, last_error = ?, last_error_code = ?, claimed_by = NULL, claim_expires_at = NULL,
         updated_at = ? WHERE id = ?`,
    ),
    requeue: database.prepare(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?1, claimed_by = NULL,
         claim_expires_at = NULL, updated_at = ?1 WHERE id = ?2 AND status IN ('failed', 'dead') RETURNING *`,
    ),
    providerStatus: database.prepare(
      "UPDATE outbox SET status = ?, provider_status = ?, last_error_code = COALESCE(?, last_error_code), updated_at = ? WHERE id = ?",
    ),
    list: database.prepare(
      `SELECT * FROM outbox WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR conversation_id = ?2)
       ORDER BY created_at DESC, id DESC LIMIT ?3`,
    ),
  };

  const enqueue = database.transaction(
    (entry: Parameters<OutboxStore["enqueueOutbound"]>[0], now: number) => {
      const id = newId("out");
      const result = statements.insert.run(
        id,
        entry.idempotencyKey,
        entry.payload.kind,
        JSON.stringify(entry.payload),
        entry.conversationId ?? null,
        entry.notBefore ?? now,
        now,
        now,
      );
      const row = statements.byKey.get(entry.idempotencyKey) as Row;
      return { entry: toEntry(row), created: result.changes === 1 };
    },
  );

  return {
    async enqueueOutbound(entry) {
      return enqueue(entry, Date.now());
    },
    async claimDueOutbound({ now, limit, workerId, leaseMs }) {
      if (statements.anyDue.get(now) === undefined) return [];
      const rows = statements.claim.all(workerId, now + leaseMs, now, limit) as Row[];
      return rows.map(toEntry);
    },
    async markOutboundSent(id, result) {
      statements.sent.run(result.sender, result.providerMessageId, result.providerStatus, Date.now(), id);
    },
    async markOutboundRetry(id, failure) {
      statements.retry.run(failure.nextAttemptAt, failure.error, failure.errorCode, Date.now(), id);
    },
    async markOutboundFailed(id, failure) {
      statements.failed.run(
        failure.dead ? "dead" : "failed",
        failure.error,
        failure.errorCode,
        Date.now(),
        id,
      );
    },
    async updateOutboundProviderStatus(providerMessageId, update) {
      const row = statements.byProviderId.get(providerMessageId) as Row | undefined;
      if (!row) return undefined;
      const entry = toEntry(row);
      // Callbacks arrive out of order: a status below the current one is stale and ignored.
      if (update.status && outboxStatusRank(update.status) < outboxStatusRank(entry.status)) return entry;
      const status = update.status ?? entry.status;
      statements.providerStatus.run(status, update.providerStatus, update.errorCode, Date.now(), entry.id);
      return {
        ...entry,
        status,
        providerStatus: update.providerStatus,
        lastErrorCode: update.errorCode ?? entry.lastErrorCode,
      };
    },
    async getOutbound(id) {
      const row = statements.byId.get(id) as Row | undefined;
      return row ? toEntry(row) : undefined;
    },
    async requeueOutbound(id, now) {
      const row = statements.requeue.get(now, id) as Row | undefined;
      if (row) return { entry: toEntry(row), requeued: true };
      const current = statements.byId.get(id) as Row | undefined;
      return current ? { entry: toEntry(current), requeued: false } : undefined;
    },
    async deleteOutboundForConversation(conversationId) {
      return statements.deleteForConversation.run(conversationId).changes;
    },
    async deleteFinishedOutboundBefore(before, limit) {
      return statements.deleteFinishedBefore.run(before, limit).changes;
    },
    async listOutbound(options = {}) {
      const rows = statements.list.all(
        options.status ?? null,
        options.conversationId ?? null,
        options.limit ?? 100,
      ) as Row[];
      return rows.map(toEntry);
    },
  };
}

function toEntry(row: Row): OutboxEntry {
  if (!row) throw new NotFoundError("Outbox entry");
  const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    id: String(row.id),
    idempotencyKey: String(row.idempotency_key),
    kind: row.kind as OutboxEntry["kind"],
    payload: JSON.parse(String(row.payload)) as OutboundPayload,
    conversationId: (row.conversation_id as string | null) ?? null,
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: (row.last_error as string | null) ?? null,
    lastErrorCode: (row.last_error_code as string | null) ?? null,
    sender: (row.sender as string | null) ?? null,
    providerMessageId: (row.provider_message_id as string | null) ?? null,
    providerStatus: (row.provider_status as string | null) ?? null,
    claimedBy: (row.claimed_by as string | null) ?? null,
    claimExpiresAt: numberOrNull(row.claim_expires_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
