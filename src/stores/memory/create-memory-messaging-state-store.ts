import type { MessagingStateStore, PendingTurn } from "../../ports/messaging-state-store.js";

/** In-memory messaging state for tests and `STORE=memory`. */
export function createMemoryMessagingStateStore(): MessagingStateStore {
  const inbound = new Set<string>();
  const optOuts = new Map<string, boolean>();
  const threads = new Map<string, string>();
  const pending = new Map<string, PendingTurn>();
  return {
    async recordInboundOnce(provider, eventId) {
      const key = `${provider}\u0000${eventId}`;
      if (inbound.has(key)) return false;
      inbound.add(key);
      return true;
    },
    async setOptOut(address, channel, optedOut) {
      optOuts.set(`${channel}\u0000${address}`, optedOut);
    },
    async isOptedOut(address, channel) {
      return optOuts.get(`${channel}\u0000${address}`) === true;
    },
    async linkEmailMessageId(messageId, conversationId) {
      if (!threads.has(messageId)) threads.set(messageId, conversationId);
    },
    async findConversationByEmailMessageIds(messageIds) {
      for (let index = messageIds.length - 1; index >= 0; index--) {
        const found = threads.get(messageIds[index] ?? "");
        if (found) return found;
      }
      return undefined;
    },
    async addPendingTurn(turn) {
      pending.set(turn.messageId, { ...turn });
    },
    async removePendingTurn(messageId) {
      pending.delete(messageId);
    },
    async listPendingTurns() {
      return [...pending.values()].sort((a, b) => a.createdAt - b.createdAt).map((turn) => ({ ...turn }));
    },
  };
}
