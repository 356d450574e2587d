import type { ConversationStore, NewMessage, StoredMessage } from "../../ports/conversation-store.js";

/**
 * Stores an inbound customer message, once. An event handled again after a crash or a failed attempt
 * (`recovered`) first looks for the message an earlier attempt stored (`isIt`, among the
 * conversation's last 100): it is returned when it still awaits a reply (nothing but customer
 * messages after it), and undefined when it was answered already, since nothing is left to do.
 */
export async function storeInboundOnce(
  store: ConversationStore,
  message: NewMessage,
  recovery: { recovered: boolean; isIt: (stored: StoredMessage) => boolean },
): Promise<StoredMessage | undefined> {
  if (recovery.recovered) {
    const recent = await store.listMessages(message.conversationId, { limit: 100 });
    const index = recent.findIndex((stored) => stored.role === "user" && recovery.isIt(stored));
    const found = recent[index];
    if (found) return recent.slice(index + 1).every((later) => later.role === "user") ? found : undefined;
  }
  return store.appendMessage(message);
}
