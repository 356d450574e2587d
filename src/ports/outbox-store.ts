import type { OutboundKind, OutboundPayload } from "./outbound-sender.js";

/**
 * pending → sending (claimed by one worker, with a lease) → sent → delivered; or back to pending
 * with a later `nextAttemptAt` (retryable failure), `failed` (permanent failure) or `dead` (retries
 * exhausted). `undelivered` comes from a provider status callback after `sent`.
 */
export type OutboxStatus = "pending" | "sending" | "sent" | "delivered" | "undelivered" | "failed" | "dead";

export interface OutboxEntry {
  id: string;
  /** Unique: enqueueing the same key twice returns the first entry. */
  idempotencyKey: string;
  kind: OutboundKind;
  payload: OutboundPayload;
  conversationId: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  lastErrorCode: string | null;
  /** The sender that delivered it (`twilio`, `sendgrid`, `dev-outbox`). */
  sender: string | null;
  providerMessageId: string | null;
  providerStatus: string | null;
  claimedBy: string | null;
  claimExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewOutboxEntry {
  idempotencyKey: string;
  payload: OutboundPayload;
  conversationId?: string | null;
  /** Deliver no earlier than this (defaults to now). */
  notBefore?: number;
}

export interface OutboxStore {
  /** Durable write; idempotent on `idempotencyKey` (`created` is false for a repeat). */
  enqueueOutbound(entry: NewOutboxEntry): Promise<{ entry: OutboxEntry; created: boolean }>;
  /**
   * Atomically claims up to `limit` due entries (pending and due, or `sending` whose lease expired)
   * for one worker: an entry is claimed by one worker only.
   */
  claimDueOutbound(options: {
    now: number;
    limit: number;
    workerId: string;
    leaseMs: number;
  }): Promise<OutboxEntry[]>;
  markOutboundSent(
    id: string,
    result: { sender: string; providerMessageId: string; providerStatus: string },
  ): Promise<void>;
  markOutboundRetry(
    id: string,
    failure: { nextAttemptAt: number; error: string; errorCode: string | null },
  ): Promise<void>;
  markOutboundFailed(
    id: string,
    failure: { error: string; errorCode: string | null; dead: boolean },
  ): Promise<void>;
  /**
   * Applies a provider status callback. Never moves an entry backwards (e.g. `sent` after
   * `delivered` is ignored). Returns the entry, or undefined for an unknown provider id.
   */
  updateOutboundProviderStatus(
    providerMessageId: string,
    update: { providerStatus: string; status: OutboxStatus | null; errorCode: string | null },
  ): Promise<OutboxEntry | undefined>;
  getOutbound(id: string): Promise<OutboxEntry | undefined>;
  /**
   * An operator's "send it again" for an entry that never reached the provider (`failed` or
   * `dead`): pending again, due `now`, with its attempts counted from zero. Any other status is
   * left alone (`requeued: false`); undefined when there is no such entry.
   */
  requeueOutbound(id: string, now: number): Promise<{ entry: OutboxEntry; requeued: boolean } | undefined>;
  /** Erases a conversation's outbound messages (privacy requests). */
  deleteOutboundForConversation(conversationId: string): Promise<number>;
  /**
   * Deletes up to `limit` finished entries (neither `pending` nor `sending`) last updated before
   * `before`, oldest first, with their idempotency keys; returns how many (retention).
   */
  deleteFinishedOutboundBefore(before: number, limit: number): Promise<number>;
  /** Newest first. */
  listOutbound(options?: {
    status?: OutboxStatus;
    conversationId?: string;
    limit?: number;
  }): Promise<OutboxEntry[]>;
}

/**
 * Maps a Twilio `MessageStatus` (or a delivery event's name) to an outbox status; null for no
 * change, and for any name it does not know (a `switch`: no name reaches an Object method).
 */
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
