import type { CustomerStore } from "../ports/customer-store.js";
import type { MessagingStateStore } from "../ports/messaging-state-store.js";
import type { OutboxStore } from "../ports/outbox-store.js";
import { dayMs, type RetentionSweep } from "./data-retention.js";
import { type ErasableStores, eraseConversation } from "./erase-conversation.js";

/**
 * How long a handled webhook's id is kept to recognise a retry: far past any provider's retries,
 * and the same as the DynamoDB store's TTL on these records.
 */
export const inboundIdRetentionMs = 30 * dayMs;

/** Handled inbound webhook ids (`MessageSid`, email `Message-ID`, event ids); unhandled ones stay. */
export function handledInboundIdsSweep(messagingState: MessagingStateStore): RetentionSweep {
  return {
    what: "handled webhook ids",
    retentionMs: inboundIdRetentionMs,
    deleteBatch: (before, limit) => messagingState.forgetHandledInbound(before, limit),
  };
}

/**
 * Verification records (an address, a code's hash), long after their code expired: kept this long
 * only to count the codes sent to an address or for a customer recently. The same as the DynamoDB
 * store's TTL on these records.
 */
export function oldVerificationsSweep(customers: CustomerStore): RetentionSweep {
  return {
    what: "verification records",
    retentionMs: inboundIdRetentionMs,
    deleteBatch: (before, limit) => customers.forgetVerificationsBefore(before, limit),
  };
}

/**
 * The outbox's copies of what was sent (sent, delivered, undelivered, failed, dead), counted from
 * their last status change; messages still being delivered stay. The conversation keeps its text.
 */
export function finishedOutboundSweep(outbox: OutboxStore, retentionDays: number): RetentionSweep {
  return {
    what: "finished outbound messages",
    retentionMs: retentionDays * dayMs,
    deleteBatch: (before, limit) => outbox.deleteFinishedOutboundBefore(before, limit),
  };
}

/** Whole conversations nobody wrote to for `retentionDays`: erased like a privacy request. */
export function idleConversationsSweep(stores: ErasableStores, retentionDays: number): RetentionSweep {
  return {
    what: "conversations",
    retentionMs: retentionDays * dayMs,
    async deleteBatch(before, limit) {
      const idle = await stores.store.listConversations({ before, limit });
      for (const conversation of idle) await eraseConversation(stores, conversation.id);
      return idle.length;
    },
  };
}
