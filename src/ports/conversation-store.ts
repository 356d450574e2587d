import type { ChannelName } from "./channel.js";

/** A conversation: one thread of messages with one customer, possibly across channels. */
export interface Conversation {
  id: string;
  /** Channel the conversation started on. */
  channel: ChannelName;
  /** The customer this conversation belongs to, once known. */
  customerId: string | null;
  /** Free-form reference from the channel (e.g. the caller's number or a call SID). */
  externalRef: string | null;
  createdAt: number;
  updatedAt: number;
  metadata: Record<string, unknown>;
}

export type MessageRole = "user" | "assistant" | "tool";

export interface MessageToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface MessageToolResult {
  toolCallId: string;
  toolName: string;
  output: unknown;
  isError: boolean;
}

/** How a user message arrived, when it was not plain text (e.g. keypad digits on a call). */
export type InputKind = "text" | "speech" | "dtmf";

export interface StoredMessage {
  id: string;
  conversationId: string;
  /** Position in the conversation, strictly increasing. */
  sequence: number;
  role: MessageRole;
  channel: ChannelName;
  /** Text of the message; for an interrupted assistant reply, only what the customer heard. */
  text: string;
  inputKind: InputKind | null;
  /** True when the assistant reply was cut off by the customer (barge-in) or pre-empted. */
  interrupted: boolean;
  /** Tool calls made by the assistant in this message. */
  toolCalls: MessageToolCall[];
  /** Tool results (role `tool`). */
  toolResults: MessageToolResult[];
  createdAt: number;
  metadata: Record<string, unknown>;
}

export interface NewConversation {
  id?: string;
  channel: ChannelName;
  customerId?: string | null;
  externalRef?: string | null;
  metadata?: Record<string, unknown>;
}

export interface NewMessage {
  conversationId: string;
  role: MessageRole;
  channel: ChannelName;
  text: string;
  inputKind?: InputKind | null;
  interrupted?: boolean;
  toolCalls?: MessageToolCall[];
  toolResults?: MessageToolResult[];
  metadata?: Record<string, unknown>;
}

export interface MessagePatch {
  text?: string;
  interrupted?: boolean;
  metadata?: Record<string, unknown>;
}

/** One ConversationRelay session (a phone call connected to the agent). */
export interface CallSession {
  callSid: string;
  sessionId: string | null;
  conversationId: string;
  from: string | null;
  to: string | null;
  direction: string | null;
  /** `active` while connected, then the outcome reported by Twilio (`completed`, `ended`, `failed`, …). */
  status: string;
  startedAt: number;
  endedAt: number | null;
  durationSeconds: number | null;
  handoffData: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface CallSessionEnd {
  callSid: string;
  sessionId?: string | null;
  status: string;
  durationSeconds?: number | null;
  handoffData?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export interface ListConversationsOptions {
  limit?: number;
  /** Only this customer's conversations. */
  customerId?: string;
  /** Return conversations updated strictly before this time (for paging). */
  before?: number;
}

export interface AppendOptions {
  /**
   * The append may be held back, up to the store's lazy-commit delay, and run back to back with
   * others like it (SQLite: a voice transcript's appends, which nobody waits for). It still runs
   * before anything else reads or writes the store, so nothing can see the store without it; the
   * promise resolves once it ran. Stores without such batches append at once.
   */
  batch?: boolean;
  /**
   * An earlier append (the promise this store returned for it) that must be stored first: this
   * one runs only after it has been stored, and fails with its error if it failed (a reply is
   * never stored without the message it answers). A store that batches queues it right behind
   * that append, in the same batch, without waiting for it to run; the others wait for it.
   */
  after?: Promise<StoredMessage>;
}

/**
 * The conversation store port. Implementations: memory, SQLite, DynamoDB. All run the
 * same contract suite (`test/stores/conversation-store-contract.ts`).
 */
export interface ConversationStore {
  readonly kind: string;
  createConversation(input: NewConversation): Promise<Conversation>;
  getConversation(id: string): Promise<Conversation | undefined>;
  /** Newest first (by `updatedAt`). */
  listConversations(options?: ListConversationsOptions): Promise<Conversation[]>;
  updateConversation(
    id: string,
    patch: { customerId?: string | null; metadata?: Record<string, unknown> },
  ): Promise<Conversation>;

  /** The most recently updated conversation whose `externalRef` is this address (phone or email). */
  findLatestConversationByExternalRef(externalRef: string): Promise<Conversation | undefined>;

  /** The customer's most recently updated conversation (their cross-channel timeline). */
  findLatestConversationByCustomer(customerId: string): Promise<Conversation | undefined>;
  /** Erases a conversation with its messages and call sessions (privacy requests). */
  deleteConversation(id: string): Promise<void>;

  /** Appends a message; assigns id, sequence and createdAt; bumps the conversation's updatedAt. */
  appendMessage(input: NewMessage, options?: AppendOptions): Promise<StoredMessage>;
  /**
   * Runs now the appends held back for a batch (`AppendOptions.batch`); a store that holds none
   * back need not have it.
   */
  runPendingWrites?(): void;
  updateMessage(id: string, patch: MessagePatch): Promise<StoredMessage>;
  /** Oldest first; with `limit`, the most recent `limit` messages (still oldest first). */
  listMessages(conversationId: string, options?: { limit?: number }): Promise<StoredMessage[]>;

  /** Records a call session start (idempotent per callSid: a reconnect updates it). */
  upsertCallSession(session: CallSession): Promise<void>;
  getCallSession(callSid: string): Promise<CallSession | undefined>;
  /** The calls of a conversation, oldest first (the privacy export). */
  listCallSessions(conversationId: string): Promise<CallSession[]>;
  /** Records the end of a call; returns undefined (and stores nothing) for a call never seen. */
  endCallSession(end: CallSessionEnd): Promise<CallSession | undefined>;

  /** Throws when the store is not reachable (used by /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
