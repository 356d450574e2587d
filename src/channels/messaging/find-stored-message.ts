import type { ConversationStore, StoredMessage } from "../../ports/conversation-store.js";

/**
 * For an inbound event handled again after a crash or a failed attempt: the customer message an
 * earlier attempt stored for it (among the conversation's last 100), and whether that message still
 * awaits a reply (nothing but customer messages after it; an answered one has the reply after it).
 */
export async function findStoredMessage(
  store: ConversationStore,
  conversationId: string,
  isIt: (message: StoredMessage) => boolean,
): Promise<{ message: StoredMessage; awaitsReply: boolean } | undefined> {
  const recent = await store.listMessages(conversationId, { limit: 100 });
  const index = recent.findIndex((message) => message.role === "user" && isIt(message));
  const message = recent[index];
  if (!message) return undefined;
  return { message, awaitsReply: recent.slice(index + 1).every((later) => later.role === "user") };
}
