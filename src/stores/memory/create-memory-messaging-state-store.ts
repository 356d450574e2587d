import type { InboundEvent, MessagingStateStore, PendingTurn } from "../../ports/messaging-state-store.js";

/** In-memory messaging state for tests and `STORE=memory`. */
export function createMemoryMessagingStateStore(): MessagingStateStore {
  const inbound = new Set<string>();
  const unhandled = new Map<string, InboundEvent>();
  const claims = new Map<string, { owner: string; until: number }>();
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
    async acceptInbound(event) {
      const key = `${event.provider}\u0000${event.eventId}`;
      if (inbound.has(key)) return false;
      inbound.add(key);
      unhandled.set(key, structuredClone(event));
      return true;
    },
    async claimInbound(provider, eventId, owner, leaseMs) {
      const key = `${provider}\u0000${eventId}`;
      const claim = claims.get(key);
      const now = Date.now();
      if (!unhandled.has(key) || (claim && claim.owner !== owner && claim.until >= now)) return false;
      claims.set(key, { owner, until: now + leaseMs });
      return true;
    },
    async markInboundHandled(provider, eventId) {
      unhandled.delete(`${provider}\u0000${eventId}`);
      claims.delete(`${provider}\u0000${eventId}`);
    },
    async listUnhandledInbound(provider) {
      return [...unhandled.values()]
        .filter((event) => event.provider === provider)
        .sort((a, b) => a.receivedAt - b.receivedAt)
        .map((event) => structuredClone(event));
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
    async claimPendingTurn(messageId, owner, leaseMs) {
      const key = `turn\u0000${messageId}`;
      const claim = claims.get(key);
      const now = Date.now();
      if (!pending.has(messageId) || (claim && claim.owner !== owner && claim.until >= now)) return false;
      claims.set(key, { owner, until: now + leaseMs });
      return true;
    },
    async removePendingTurn(messageId) {
      pending.delete(messageId);
      claims.delete(`turn\u0000${messageId}`);
    },
    async listPendingTurns() {
      return [...pending.values()].sort((a, b) => a.createdAt - b.createdAt).map((turn) => ({ ...turn }));
    },
  };
}
