import type { OutboxStatus } from "../ports/outbox-store.js";

const ranks: Record<OutboxStatus, number> = {
  pending: 0,
  sending: 1,
  sent: 2,
  failed: 3,
  dead: 3,
  undelivered: 4,
  delivered: 5,
};

/** Order of outbox states: status callbacks may arrive out of order and never move an entry back. */
export function outboxStatusRank(status: OutboxStatus): number {
  return ranks[status];
}

/** Statuses a worker may still pick up (pending when due, sending when its lease expired); the others are finished. */
export const isWorkStatus = (status: OutboxStatus) => status === "pending" || status === "sending";

/** Maps a Twilio `MessageStatus` or SendGrid event to an outbox status (null: no change). */
export function outboxStatusFromProvider(providerStatus: string): OutboxStatus | null {
  switch (providerStatus) {
    case "delivered":
    case "read":
      return "delivered";
    case "undelivered":
    case "bounce":
    case "dropped":
    case "blocked":
      return "undelivered";
    case "failed":
      return "failed";
    case "sent":
    case "sending":
      return "sent";
    default:
      return null;
  }
}
