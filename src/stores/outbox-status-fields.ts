import type { OutboxEntry, OutboxStore } from "../ports/outbox-store.js";

type SentResult = Parameters<OutboxStore["markOutboundSent"]>[1];
type RetryFailure = Parameters<OutboxStore["markOutboundRetry"]>[1];
type FinalFailure = Parameters<OutboxStore["markOutboundFailed"]>[1];

/** What a successful send sets on an entry (the claim and any earlier error are cleared). */
export function sentOutboxFields(result: SentResult, updatedAt: number): Partial<OutboxEntry> {
  return {
    status: "sent",
    sender: result.sender,
    providerMessageId: result.providerMessageId,
    providerStatus: result.providerStatus,
    claimedBy: null,
    claimExpiresAt: null,
    lastError: null,
    lastErrorCode: null,
    updatedAt,
  };
}

/** What a retryable failure sets: pending again at `nextAttemptAt`, the claim released. */
export function retryOutboxFields(failure: RetryFailure, updatedAt: number): Partial<OutboxEntry> {
  return {
    status: "pending",
    nextAttemptAt: failure.nextAttemptAt,
    lastError: failure.error,
    lastErrorCode: failure.errorCode,
    claimedBy: null,
    claimExpiresAt: null,
    updatedAt,
  };
}

/** What an operator's requeue of a failed or dead entry sets: pending and due `now`, attempts from zero. */
export function requeuedOutboxFields(now: number): Partial<OutboxEntry> {
  return {
    status: "pending",
    attempts: 0,
    nextAttemptAt: now,
    claimedBy: null,
    claimExpiresAt: null,
    updatedAt: now,
  };
}

/** What a final failure sets: `failed`, or `dead` when retries ran out; the claim released. */
export function failedOutboxFields(failure: FinalFailure, updatedAt: number): Partial<OutboxEntry> {
  return {
    status: failure.dead ? "dead" : "failed",
    lastError: failure.error,
    lastErrorCode: failure.errorCode,
    claimedBy: null,
    claimExpiresAt: null,
    updatedAt,
  };
}
