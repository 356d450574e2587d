import type { ChannelName } from "./channel.js";

/** A turn whose user message is stored but whose reply has not been produced yet. */
export interface PendingTurn {
  messageId: string;
  conversationId: string;
  channel: ChannelName;
  createdAt: number;
}

/** The small pieces of state the messaging channels need besides conversations and the outbox. */
export interface MessagingStateStore {
  /**
   * Records a provider event id (`MessageSid`, email `Message-ID`, `sg_event_id`); true the first
   * time, false for a repeat (webhook retries).
   */
  recordInboundOnce(provider: string, eventId: string): Promise<boolean>;

  /** Opt-out / suppression of an address on a channel (`sms` STOP, email bounce or spam report). */
  setOptOut(address: string, channel: "sms" | "email", optedOut: boolean, reason: string): Promise<void>;
  isOptedOut(address: string, channel: "sms" | "email"): Promise<boolean>;

  /** Email threading: which conversation a Message-ID belongs to. */
  linkEmailMessageId(messageId: string, conversationId: string): Promise<void>;
  findConversationByEmailMessageIds(messageIds: readonly string[]): Promise<string | undefined>;

  addPendingTurn(turn: PendingTurn): Promise<void>;
  removePendingTurn(messageId: string): Promise<void>;
  listPendingTurns(): Promise<PendingTurn[]>;
}
