import type { ChannelName } from "./channel.js";

/** A turn whose user message is stored but whose reply has not been produced yet. */
export interface PendingTurn {
  messageId: string;
  conversationId: string;
  channel: ChannelName;
  createdAt: number;
}

/**
 * An inbound webhook kept until it has been handled (the inbox): its de-duplication record and
 * its content are one write, so an acknowledged webhook is never lost, even if handling it fails.
 */
export interface InboundEvent {
  /** e.g. `twilio-sms`. */
  provider: string;
  /** The provider's id for it (`MessageSid`): one event per id, ever. */
  eventId: string;
  /** The validated webhook fields, as JSON-compatible values. */
  payload: Record<string, unknown>;
  receivedAt: number;
  /**
   * Rounds of handling that failed (each one a process giving up after its retries), as counted by
   * `recordInboundFailure`; absent or 0 when none did.
   */
  failures?: number;
  /** What the last failed round reported (an error's message, shortened). */
  lastError?: string;
}

/** How much of a failure's message an inbox event keeps. */
export const maxInboundErrorChars = 500;

/** An inbox event's `failures` and `lastError` as a store read them: absent when none failed. */
export function inboundFailureFields(
  failures: unknown,
  lastError: unknown,
): Pick<InboundEvent, "failures" | "lastError"> {
  const count = Number(failures ?? 0);
  return count > 0 ? { failures: count, lastError: String(lastError ?? "") } : {};
}

/** The error text a store keeps with an inbox event (`recordInboundFailure`). */
export function shortenError(error: string): string {
  return error.length > maxInboundErrorChars ? `${error.slice(0, maxInboundErrorChars - 1)}…` : error;
}

/** The small pieces of state the messaging channels need besides conversations and the outbox. */
export interface MessagingStateStore {
  /**
   * Records a provider event id (`MessageSid`, email `Message-ID`, `sg_event_id`); true the first
   * time, false for a repeat (webhook retries).
   */
  recordInboundOnce(provider: string, eventId: string): Promise<boolean>;

  /**
   * Records the event id and keeps the event as unhandled, in one write; true the first time,
   * false for a repeat (the same id recorded before, by this method or `recordInboundOnce`).
   */
  acceptInbound(event: InboundEvent): Promise<boolean>;
  /**
   * Claims an unhandled event for `owner` until `now + leaseMs`, so that of several processes
   * sharing the store one handles it; true when claimed (or already claimed by `owner`), false when
   * it is handled, unknown, or claimed by another owner whose lease has not run out. A negative
   * lease gives the owner's claim up at once.
   */
  claimInbound(provider: string, eventId: string, owner: string, leaseMs: number): Promise<boolean>;
  /** The event was handled: it leaves the inbox (its id stays recorded). */
  markInboundHandled(provider: string, eventId: string): Promise<void>;
  /** Events accepted and not yet handled, oldest first (with their failures, if any). */
  listUnhandledInbound(provider: string): Promise<InboundEvent[]>;
  /**
   * A round of handling an unhandled event failed: counts it and keeps `error` (shortened) with the
   * event; returns the new count, or 0 when the event is not in the inbox (handled, or unknown).
   */
  recordInboundFailure(provider: string, eventId: string, error: string): Promise<number>;
  /** An operator asks for another try: the event's failures go back to 0; false when not in the inbox. */
  resetInboundFailures(provider: string, eventId: string): Promise<boolean>;
  /**
   * Forgets up to `limit` recorded event ids received before `receivedBefore` whose events were
   * handled (or that had no event), oldest first, and returns how many; an unhandled event is kept
   * whatever its age. A forgotten id is accepted again if it ever comes back, so the age must be
   * far past any provider's retries. A store whose records expire by themselves (DynamoDB's TTL)
   * returns 0.
   */
  forgetHandledInbound(receivedBefore: number, limit: number): Promise<number>;

  /** Opt-out / suppression of an address on a channel (`sms` STOP, email bounce or spam report). */
  setOptOut(address: string, channel: "sms" | "email", optedOut: boolean, reason: string): Promise<void>;
  isOptedOut(address: string, channel: "sms" | "email"): Promise<boolean>;

  /** Email threading: which conversation a Message-ID belongs to. */
  linkEmailMessageId(messageId: string, conversationId: string): Promise<void>;
  findConversationByEmailMessageIds(messageIds: readonly string[]): Promise<string | undefined>;
  /** Forgets the Message-IDs that thread into a conversation (its erasure); resolves with how many. */
  forgetEmailThreads(conversationId: string): Promise<number>;

  addPendingTurn(turn: PendingTurn): Promise<void>;
  /**
   * Claims a pending turn for `owner` until `now + leaseMs`, by the same rules as `claimInbound`: of
   * several processes sharing the store, the one holding the claim produces the reply.
   */
  claimPendingTurn(messageId: string, owner: string, leaseMs: number): Promise<boolean>;
  removePendingTurn(messageId: string): Promise<void>;
  listPendingTurns(): Promise<PendingTurn[]>;
}
