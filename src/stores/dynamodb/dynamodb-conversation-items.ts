import type { CallSession, Conversation, StoredMessage } from "../../ports/conversation-store.js";
import { type Item, timeKey } from "./dynamodb-items.js";

/** Item keys of the conversation store (see docs/decisions/0002-dynamodb-table-design.md). */
export const conversationKeys = {
  conversation: (id: string) => ({ pk: `CONV#${id}`, sk: "CONV" }),
  /** Messages live in their conversation's partition, sorted by sequence. */
  message: (conversationId: string, sequence: number) => ({
    pk: `CONV#${conversationId}`,
    sk: `MSG#${String(sequence).padStart(10, "0")}`,
  }),
  /** Message id → its conversation and sequence (for `updateMessage`). */
  messagePointer: (messageId: string) => ({ pk: `MSGID#${messageId}`, sk: "MSGID" }),
  call: (callSid: string) => ({ pk: `CALL#${callSid}`, sk: "CALL" }),
  /** A marker in the conversation's partition so erasing a conversation finds its calls. */
  callMarker: (conversationId: string, callSid: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `CALL#${callSid}`,
  }),
};

export const allConversationsPartition = "CONVERSATIONS";
export const externalRefPartition = (externalRef: string) => `REF#${externalRef}`;
export const customerPartition = (customerId: string) => `CUSTOMER#${customerId}`;

/** The whole item of a new conversation, with its index keys. */
export function conversationItem(conversation: Conversation): Item {
  const recency = timeKey(conversation.updatedAt, conversation.id);
  return {
    ...conversationKeys.conversation(conversation.id),
    ...conversation,
    lastSequence: 0,
    gsi1pk: allConversationsPartition,
    gsi1sk: recency,
    ...(conversation.externalRef === null ? {} : { gsi2pk: externalRefPartition(conversation.externalRef) }),
    gsi2sk: recency,
    ...(conversation.customerId === null ? {} : { gsi3pk: customerPartition(conversation.customerId) }),
    gsi3sk: recency,
  };
}

export function toConversation(item: Item): Conversation {
  return {
    id: String(item.id),
    channel: item.channel as Conversation["channel"],
    customerId: (item.customerId as string | null | undefined) ?? null,
    externalRef: (item.externalRef as string | null | undefined) ?? null,
    createdAt: Number(item.createdAt),
    updatedAt: Number(item.updatedAt),
    metadata: (item.metadata as Record<string, unknown> | undefined) ?? {},
  };
}

export function toMessage(item: Item): StoredMessage {
  return {
    id: String(item.id),
    conversationId: String(item.conversationId),
    sequence: Number(item.sequence),
    role: item.role as StoredMessage["role"],
    channel: item.channel as StoredMessage["channel"],
    text: String(item.text ?? ""),
    inputKind: (item.inputKind as StoredMessage["inputKind"] | undefined) ?? null,
    interrupted: item.interrupted === true,
    toolCalls: (item.toolCalls as StoredMessage["toolCalls"] | undefined) ?? [],
    toolResults: (item.toolResults as StoredMessage["toolResults"] | undefined) ?? [],
    createdAt: Number(item.createdAt),
    metadata: (item.metadata as Record<string, unknown> | undefined) ?? {},
  };
}

export function toCallSession(item: Item): CallSession {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    callSid: String(item.callSid),
    sessionId: text(item.sessionId),
    conversationId: String(item.conversationId),
    from: text(item.from),
    to: text(item.to),
    direction: text(item.direction),
    status: String(item.status),
    startedAt: Number(item.startedAt),
    endedAt: number(item.endedAt),
    durationSeconds: number(item.durationSeconds),
    handoffData: text(item.handoffData),
    errorCode: text(item.errorCode),
    errorMessage: text(item.errorMessage),
  };
}

/** `SET metadata.#m0 = :m0, …`: a shallow merge done by DynamoDB itself, no read needed. */
export function metadataMergeExpression(metadata: Record<string, unknown> | undefined): {
  assignments: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const entries = Object.entries(metadata ?? {}).filter(([, value]) => value !== undefined);
  return {
    assignments: entries.map((_, index) => `metadata.#m${index} = :m${index}`),
    names: Object.fromEntries(entries.map(([key], index) => [`#m${index}`, key])),
    values: Object.fromEntries(entries.map(([, value], index) => [`:m${index}`, value])),
  };
}

/** `SET updatedAt = …` with the recency sort keys of all three indexes, for a bump to `timestamp`. */
export function recencyUpdate(id: string, timestamp: number) {
  return {
    assignment: "updatedAt = :updatedAt, gsi1sk = :recency, gsi2sk = :recency, gsi3sk = :recency",
    values: { ":updatedAt": timestamp, ":recency": timeKey(timestamp, id) },
  };
}
