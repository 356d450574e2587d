import type { ConversationStore } from "../ports/conversation-store.js";
import type { MessagingStateStore } from "../ports/messaging-state-store.js";
import type { OutboxStore } from "../ports/outbox-store.js";

/** What an erasure deletes from. */
export interface ErasableStores {
  store: ConversationStore;
  outbox: OutboxStore;
  messagingState: MessagingStateStore;
}

/**
 * Erases a conversation with its messages, calls, outbound messages and the email Message-IDs that
 * thread into it (privacy requests, retention).
 */
export async function eraseConversation(stores: ErasableStores, conversationId: string): Promise<void> {
  await stores.outbox.deleteOutboundForConversation(conversationId);
  await stores.messagingState.forgetEmailThreads(conversationId);
  await stores.store.deleteConversation(conversationId);
}
