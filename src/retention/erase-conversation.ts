import type { ConversationStore } from "../ports/conversation-store.js";
import type { OutboxStore } from "../ports/outbox-store.js";

/** Erases a conversation with its messages, calls and outbound messages (privacy requests, retention). */
export async function eraseConversation(
  stores: { store: ConversationStore; outbox: OutboxStore },
  conversationId: string,
): Promise<void> {
  await stores.outbox.deleteOutboundForConversation(conversationId);
  await stores.store.deleteConversation(conversationId);
}
