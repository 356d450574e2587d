import {
  type InboundEvent,
  inboundFailureFields,
  type MessagingStateStore,
  type PendingTurn,
  shortenError,
} from "../../ports/messaging-state-store.js";
import type { SqliteDatabase } from "./open-sqlite-database.js";

/**
 * A claim with a lease on the row `where` selects (its keys from ?4 on): taken when it is unclaimed,
 * already the owner's, or run out. ?1 owner, ?2 the lease's end, ?3 now.
 */
function leaseClaim(table: string, where: string): string {
  return `UPDATE ${table} SET claimed_by = ?1, claimed_until = ?2
    WHERE ${where} AND (claimed_by IS NULL OR claimed_by = ?1 OR claimed_until < ?3)`;
}

/** Inbound de-duplication, opt-outs, email threads and pending turns in the embedded database. */
export function createSqliteMessagingStateStore(options: { database: SqliteDatabase }): MessagingStateStore {
  const { database } = options;
  const statements = {
    recordInbound: database.prepare(
      "INSERT INTO inbound_events (provider, event_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    acceptInbound: database.prepare(
      "INSERT INTO inbound_events (provider, event_id, received_at, payload) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    claim: database.prepare(
      leaseClaim("inbound_events", "provider = ?4 AND event_id = ?5 AND payload IS NOT NULL"),
    ),
    markHandled: database.prepare(
      "UPDATE inbound_events SET payload = NULL, claimed_by = NULL, claimed_until = NULL WHERE provider = ? AND event_id = ?",
    ),
    listUnhandled: database.prepare(
      "SELECT event_id, received_at, payload, failures, last_error FROM inbound_events WHERE provider = ? AND payload IS NOT NULL ORDER BY received_at, rowid",
    ),
    recordFailure: database.prepare(
      `UPDATE inbound_events SET failures = failures + 1, last_error = ?3
       WHERE provider = ?1 AND event_id = ?2 AND payload IS NOT NULL RETURNING failures`,
    ),
    resetFailures: database.prepare(
      "UPDATE inbound_events SET failures = 0 WHERE provider = ? AND event_id = ? AND payload IS NOT NULL",
    ),
    // Ids are recorded in time order, so rowid order is age order: the oldest are looked at in
    // windows from the start of the table, with no index on received_at for every insert to keep.
    inboundWindow: database.prepare(
      `SELECT max(rowid) AS last, count(*) AS count, max(received_at) AS newest
       FROM (SELECT rowid, received_at FROM inbound_events WHERE rowid > ? ORDER BY rowid LIMIT ?)`,
    ),
    forgetInbound: database.prepare(
      "DELETE FROM inbound_events WHERE rowid > ? AND rowid <= ? AND payload IS NULL AND received_at < ?",
    ),
    setOptOut: database.prepare(
      `INSERT INTO opt_outs (address, channel, opted_out, reason, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (address, channel) DO UPDATE SET opted_out = excluded.opted_out, reason = excluded.reason,
         updated_at = excluded.updated_at`,
    ),
    isOptedOut: database.prepare("SELECT opted_out FROM opt_outs WHERE address = ? AND channel = ?"),
    linkEmail: database.prepare(
      "INSERT INTO email_threads (message_id, conversation_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
    ),
    findEmail: database.prepare("SELECT conversation_id FROM email_threads WHERE message_id = ?"),
    forgetEmail: database.prepare("DELETE FROM email_threads WHERE conversation_id = ?"),
    addPending: database.prepare(
      "INSERT INTO pending_turns (message_id, conversation_id, channel, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    claimPending: database.prepare(leaseClaim("pending_turns", "message_id = ?4")),
    removePending: database.prepare("DELETE FROM pending_turns WHERE message_id = ?"),
    listPending: database.prepare(
      "SELECT message_id, conversation_id, channel, created_at FROM pending_turns ORDER BY created_at",
    ),
  };
  return {
    async recordInboundOnce(provider, eventId) {
      return statements.recordInbound.run(provider, eventId, Date.now()).changes === 1;
    },
    acceptInbound(event) {
      const payload = JSON.stringify(event.payload);
      // Concurrent webhooks' inserts run together, right before the commit their answers wait for.
      return database.deferWrite(
        () =>
          statements.acceptInbound.run(event.provider, event.eventId, event.receivedAt, payload).changes ===
          1,
      );
    },
    async claimInbound(provider, eventId, owner, leaseMs) {
      const now = Date.now();
      return statements.claim.run(owner, now + leaseMs, now, provider, eventId).changes === 1;
    },
    async markInboundHandled(provider, eventId) {
      statements.markHandled.run(provider, eventId);
    },
    async listUnhandledInbound(provider) {
      const rows = statements.listUnhandled.all(provider) as Array<Record<string, unknown>>;
      return rows.map(
        (row): InboundEvent => ({
          provider,
          eventId: String(row.event_id),
          payload: JSON.parse(String(row.payload)) as Record<string, unknown>,
          receivedAt: Number(row.received_at),
          ...inboundFailureFields(row.failures, row.last_error),
        }),
      );
    },
    async recordInboundFailure(provider, eventId, error) {
      const row = statements.recordFailure.get(provider, eventId, shortenError(error)) as
        | { failures: number }
        | undefined;
      return row?.failures ?? 0;
    },
    async resetInboundFailures(provider, eventId) {
      return statements.resetFailures.run(provider, eventId).changes === 1;
    },
    async forgetHandledInbound(receivedBefore, limit) {
      let after = 0;
      let forgotten = 0;
      while (forgotten < limit) {
        const size = limit - forgotten;
        const window = statements.inboundWindow.get(after, size) as {
          last: number | null;
          count: number;
          newest: number | null;
        };
        if (window.last === null) break;
        forgotten += statements.forgetInbound.run(after, window.last, receivedBefore).changes;
        // A window that reached ids young enough to keep ends the search: the rest are younger.
        if (window.count < size || (window.newest ?? 0) >= receivedBefore) break;
        after = window.last;
      }
      return forgotten;
    },
    async setOptOut(address, channel, optedOut, reason) {
      statements.setOptOut.run(address, channel, optedOut ? 1 : 0, reason, Date.now());
    },
    async isOptedOut(address, channel) {
      const row = statements.isOptedOut.get(address, channel) as { opted_out: number } | undefined;
      return row?.opted_out === 1;
    },
    async linkEmailMessageId(messageId, conversationId) {
      statements.linkEmail.run(messageId, conversationId);
    },
    async findConversationByEmailMessageIds(messageIds) {
      for (let index = messageIds.length - 1; index >= 0; index--) {
        const row = statements.findEmail.get(messageIds[index]) as { conversation_id: string } | undefined;
        if (row) return row.conversation_id;
      }
      return undefined;
    },
    async forgetEmailThreads(conversationId) {
      return statements.forgetEmail.run(conversationId).changes;
    },
    async addPendingTurn(turn) {
      statements.addPending.run(turn.messageId, turn.conversationId, turn.channel, turn.createdAt);
    },
    async claimPendingTurn(messageId, owner, leaseMs) {
      const now = Date.now();
      return statements.claimPending.run(owner, now + leaseMs, now, messageId).changes === 1;
    },
    async removePendingTurn(messageId) {
      statements.removePending.run(messageId);
    },
    async listPendingTurns() {
      const rows = statements.listPending.all() as Array<Record<string, unknown>>;
      return rows.map(
        (row): PendingTurn => ({
          messageId: String(row.message_id),
          conversationId: String(row.conversation_id),
          channel: row.channel as PendingTurn["channel"],
          createdAt: Number(row.created_at),
        }),
      );
    },
  };
}
