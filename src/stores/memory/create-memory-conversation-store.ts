import { NotFoundError } from "../../errors/not-found-error.js";
import type {
  CallSession,
  Conversation,
  ConversationStore,
  StoredMessage,
} from "../../ports/conversation-store.js";
import { byCallStart } from "../call-session-order.js";
import { conversationExistsError } from "../conversation-exists-error.js";
import { newConversation } from "../new-conversation.js";
import { createMonotonicClock, newId } from "../store-clock.js";

/** An in-memory ConversationStore: for tests and `STORE=memory`. Returns copies, never live objects. */
export function createMemoryConversationStore(): ConversationStore {
  const conversations = new Map<string, Conversation>();
  const messages = new Map<string, StoredMessage[]>();
  const messagesById = new Map<string, StoredMessage>();
  const calls = new Map<string, CallSession>();
  const now = createMonotonicClock();

  const copy = <T>(value: T): T => structuredClone(value);

  return {
    kind: "memory",
    async createConversation(input) {
      const id = input.id ?? newId("conv");
      if (conversations.has(id)) throw conversationExistsError(id);
      const timestamp = now();
      const conversation: Conversation = newConversation(input, timestamp, id);
      conversations.set(conversation.id, conversation);
      messages.set(conversation.id, []);
      return copy(conversation);
    },
    async getConversation(id) {
      const conversation = conversations.get(id);
      return conversation ? copy(conversation) : undefined;
    },
    async findLatestConversationByExternalRef(externalRef) {
      let latest: Conversation | undefined;
      for (const conversation of conversations.values()) {
        if (conversation.externalRef !== externalRef) continue;
        if (!latest || conversation.updatedAt > latest.updatedAt) latest = conversation;
      }
      return latest ? copy(latest) : undefined;
    },
    async findLatestConversationByCustomer(customerId) {
      let latest: Conversation | undefined;
      for (const conversation of conversations.values()) {
        if (conversation.customerId !== customerId) continue;
        if (!latest || conversation.updatedAt > latest.updatedAt) latest = conversation;
      }
      return latest ? copy(latest) : undefined;
    },
    async deleteConversation(id) {
      for (const message of messages.get(id) ?? []) messagesById.delete(message.id);
      messages.delete(id);
      conversations.delete(id);
      for (const [callSid, session] of calls) if (session.conversationId === id) calls.delete(callSid);
    },
    async listConversations(options = {}) {
      const limit = Math.max(0, options.limit ?? 50);
      const before = options.before;
      return [...conversations.values()]
        .filter((conversation) => before === undefined || conversation.updatedAt < before)
        .filter(
          (conversation) =>
            options.customerId === undefined || conversation.customerId === options.customerId,
        )
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .slice(0, limit)
        .map(copy);
    },
    async updateConversation(id, patch) {
      const conversation = conversations.get(id);
      if (!conversation) throw new NotFoundError(`Conversation ${id}`);
      if (patch.customerId !== undefined) conversation.customerId = patch.customerId;
      if (patch.metadata) conversation.metadata = { ...conversation.metadata, ...copy(patch.metadata) };
      conversation.updatedAt = now();
      return copy(conversation);
    },
    async appendMessage(input, options) {
      if (options?.after) await options.after;
      const conversation = conversations.get(input.conversationId);
      const list = messages.get(input.conversationId);
      if (!conversation || !list) throw new NotFoundError(`Conversation ${input.conversationId}`);
      const timestamp = now();
      const message: StoredMessage = {
        id: newId("msg"),
        conversationId: input.conversationId,
        sequence: (list.at(-1)?.sequence ?? 0) + 1,
        role: input.role,
        channel: input.channel,
        text: input.text,
        inputKind: input.inputKind ?? null,
        interrupted: input.interrupted ?? false,
        toolCalls: copy(input.toolCalls ?? []),
        toolResults: copy(input.toolResults ?? []),
        createdAt: timestamp,
        metadata: copy(input.metadata ?? {}),
      };
      list.push(message);
      messagesById.set(message.id, message);
      conversation.updatedAt = timestamp;
      return copy(message);
    },
    async updateMessage(id, patch) {
      const message = messagesById.get(id);
      if (!message) throw new NotFoundError(`Message ${id}`);
      if (patch.text !== undefined) message.text = patch.text;
      if (patch.interrupted !== undefined) message.interrupted = patch.interrupted;
      if (patch.metadata) message.metadata = { ...message.metadata, ...copy(patch.metadata) };
      return copy(message);
    },
    async listMessages(conversationId, options = {}) {
      const list = messages.get(conversationId) ?? [];
      const limit = options.limit;
      const selected = limit === undefined ? list : limit <= 0 ? [] : list.slice(-limit);
      return selected.map(copy);
    },
    async upsertCallSession(session) {
      calls.set(session.callSid, copy(session));
    },
    async getCallSession(callSid) {
      const session = calls.get(callSid);
      return session ? copy(session) : undefined;
    },
    async listCallSessions(conversationId) {
      return [...calls.values()]
        .filter((session) => session.conversationId === conversationId)
        .sort(byCallStart)
        .map(copy);
    },
    async endCallSession(end) {
      const session = calls.get(end.callSid);
      if (!session) return undefined;
      session.status = end.status;
      session.endedAt = now();
      if (end.sessionId) session.sessionId = end.sessionId;
      if (end.durationSeconds !== undefined) session.durationSeconds = end.durationSeconds;
      if (end.handoffData !== undefined) session.handoffData = end.handoffData;
      if (end.errorCode !== undefined) session.errorCode = end.errorCode;
      if (end.errorMessage !== undefined) session.errorMessage = end.errorMessage;
      return copy(session);
    },
    async ping() {},
    async close() {},
  };
}
