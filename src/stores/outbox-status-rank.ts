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
