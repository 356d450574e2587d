import {
  type InboundEvent,
  type MessagingStateStore,
  type PendingTurn,
  shortenError,
} from "../../ports/messaging-state-store.js";

/** In-memory messaging state for tests and `STORE=memory`. */
export function createMemoryMessagingStateStore(): MessagingStateStore {
  /** Recorded event ids and when they were received, in the order recorded. */
  const inbound = new Map<string, number>();
  const unhandled = new Map<string, InboundEvent>();
  const claims = new Map<string, { owner: string; until: number }>();
  const eventKey = (provider: string, eventId: string) => `${provider}\u0000${eventId}`;
  /** Unclaimed, already the owner's, or run out: then `owner` holds it until now + leaseMs. */
  const claim = (key: string, exists: boolean, owner: string, leaseMs: number): boolean => {
    const held = claims.get(key);
    const now = Date.now();
    if (!exists || (held && held.owner !== owner && held.until >= now)) return false;
    claims.set(key, { owner, until: now + leaseMs });
    return true;
  };
  const optOuts = new Map<string, boolean>();
  const threads = new Map<string, string>();
  const pending = new Map<string, PendingTurn>();
  return {
    async recordInboundOnce(provider, eventId) {
      const key = eventKey(provider, eventId);
      if (inbound.has(key)) return false;
      inbound.set(key, Date.now());
      return true;
    },
    async acceptInbound(event) {
      const key = eventKey(event.provider, event.eventId);
      if (inbound.has(key)) return false;
      inbound.set(key, event.receivedAt);
      unhandled.set(key, structuredClone(event));
      return true;
    },
    async claimInbound(provider, eventId, owner, leaseMs) {
      const key = eventKey(provider, eventId);
      return claim(key, unhandled.has(key), owner, leaseMs);
    },
    async markInboundHandled(provider, eventId) {
      const key = eventKey(provider, eventId);
      unhandled.delete(key);
      claims.delete(key);
    },
    async listUnhandledInbound(provider) {
      return [...unhandled.values()]
        .filter((event) => event.provider === provider)
        .sort((a, b) => a.receivedAt - b.receivedAt)
        .map((event) => structuredClone(event));
    },
    async recordInboundFailure(provider, eventId, error) {
      const event = unhandled.get(eventKey(provider, eventId));
      if (!event) return 0;
      event.failures = (event.failures ?? 0) + 1;
      event.lastError = shortenError(error);
      return event.failures;
    },
    async resetInboundFailures(provider, eventId) {
      const event = unhandled.get(eventKey(provider, eventId));
      if (!event) return false;
      delete event.failures;
      delete event.lastError;
      return true;
    },
    async forgetHandledInbound(receivedBefore, limit) {
      let forgotten = 0;
      for (const [key, receivedAt] of inbound) {
        if (forgotten >= limit) break;
        if (receivedAt >= receivedBefore || unhandled.has(key)) continue;
        inbound.delete(key);
        forgotten++;
      }
      return forgotten;
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
    async forgetEmailThreads(conversationId) {
      let forgotten = 0;
      for (const [messageId, owner] of threads) {
        if (owner !== conversationId) continue;
        threads.delete(messageId);
        forgotten++;
      }
      return forgotten;
    },
    async addPendingTurn(turn) {
      pending.set(turn.messageId, { ...turn });
    },
    async claimPendingTurn(messageId, owner, leaseMs) {
      return claim(`turn\u0000${messageId}`, pending.has(messageId), owner, leaseMs);
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
