import type { ChannelName } from "./channel.js";
import type { Conversation } from "./conversation-store.js";
import type { IdentifierKind } from "./customer-store.js";

/** Finds the conversation (the customer's timeline) for an inbound address. */
export interface ConversationResolver {
  resolveConversation(
    kind: IdentifierKind,
    raw: string,
    channel: ChannelName,
  ): Promise<{ conversation: Conversation }>;
  /** A message from an address being verified that carries the code links it; true if it did. */
  confirmFromInbound(kind: IdentifierKind, raw: string, text: string): Promise<boolean>;
}
