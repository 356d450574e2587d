import { type CustomerSummary, customerSummary } from "../identity/customer-summary.js";
import type { CallSession, ConversationStore, StoredMessage } from "../ports/conversation-store.js";
import type { CustomerStore } from "../ports/customer-store.js";
import type { NewOutboxEntry } from "../ports/outbox-store.js";

/** The body of a `call.ended` event (docs/webhooks.md). */
export interface CallEndedEvent {
  event: "call.ended";
  /** Stable for the call: a receiver that sees it twice drops the repeat. */
  id: string;
  occurredAt: string;
  call: {
    callSid: string;
    from: string | null;
    to: string | null;
    direction: string | null;
    status: string;
    startedAt: string;
    endedAt: string | null;
    durationSeconds: number | null;
    errorCode: string | null;
    errorMessage: string | null;
  };
  /** Set when the agent handed the call over (`transfer_to_human`) or ended it with a note. */
  handoff: Record<string, unknown> | null;
  conversation: { id: string };
  customer: CustomerSummary | null;
  /** What was said on this call, oldest first: the caller's words and the agent's (as heard). */
  transcript: Array<{ role: "user" | "assistant"; text: string; at: string; interrupted: boolean }>;
}

/** The body of a `handoff.requested` event: a customer on a text channel asked for a person. */
export interface HandoffRequestedEvent {
  event: "handoff.requested";
  /** Stable for the tool call that asked. */
  id: string;
  occurredAt: string;
  channel: string;
  /** Why, in the agent's words. */
  reason: string;
  conversation: { id: string };
  customer: CustomerSummary | null;
  /** The conversation's latest messages on every channel, oldest first. */
  recentMessages: Array<{ role: "user" | "assistant"; channel: string; text: string; at: string }>;
}

export interface HandoffRequest {
  conversationId: string;
  customerId: string | null;
  channel: string;
  reason: string;
  turnId: string;
  toolCallId: string;
}

export interface EventWebhooks {
  /** Enqueues `call.ended` for a call that is over (not for a session that reconnects). */
  callEnded(session: CallSession): Promise<void>;
  /** Enqueues `handoff.requested` (the `request_human` tool on SMS, email and web chat). */
  handoffRequested(request: HandoffRequest): Promise<void>;
}

export interface EventWebhooksOptions {
  url: string;
  store: Pick<ConversationStore, "getConversation" | "listMessages">;
  customers: Pick<CustomerStore, "getCustomer" | "listIdentifiers">;
  enqueueOutbound(entry: NewOutboxEntry): Promise<unknown>;
  now?: () => number;
}

/** How much of a conversation is read to find one call's messages. */
const transcriptWindow = 500;
/** How many of the latest messages a hand-off carries. */
const handoffWindow = 20;

/**
 * Events for the company's own systems, delivered through the outbox: written durably before the
 * webhook that caused them is answered, retried with backoff until the receiver takes them, and
 * enqueued once per call (the idempotency key is the call's) even when Twilio repeats its callback.
 */
export function createEventWebhooks(options: EventWebhooksOptions): EventWebhooks {
  const now = options.now ?? Date.now;
  /** Keyed by the event's id: enqueued once, however often its cause repeats. */
  const enqueue = (event: CallEndedEvent | HandoffRequestedEvent, conversationId: string) =>
    options.enqueueOutbound({
      idempotencyKey: event.id,
      conversationId,
      payload: { kind: "webhook", to: options.url, event: event.event, body: JSON.stringify(event) },
    });
  return {
    async callEnded(session) {
      const conversation = await options.store.getConversation(session.conversationId);
      const messages = await options.store.listMessages(session.conversationId, { limit: transcriptWindow });
      const event: CallEndedEvent = {
        event: "call.ended",
        id: `call.ended:${session.callSid}`,
        occurredAt: new Date(session.endedAt ?? now()).toISOString(),
        call: {
          callSid: session.callSid,
          from: session.from,
          to: session.to,
          direction: session.direction,
          status: session.status,
          startedAt: new Date(session.startedAt).toISOString(),
          endedAt: session.endedAt === null ? null : new Date(session.endedAt).toISOString(),
          durationSeconds: session.durationSeconds,
          errorCode: session.errorCode,
          errorMessage: session.errorMessage,
        },
        handoff: parseHandoff(session.handoffData),
        conversation: { id: session.conversationId },
        customer: await customerSummary(options.customers, conversation?.customerId ?? null),
        transcript: messages.filter((message) => isOfCall(message, session)).map(toTranscriptLine),
      };
      await enqueue(event, session.conversationId);
    },
    async handoffRequested(request) {
      const messages = await options.store.listMessages(request.conversationId, { limit: handoffWindow });
      const event: HandoffRequestedEvent = {
        event: "handoff.requested",
        id: `handoff.requested:${request.turnId}.${request.toolCallId}`,
        occurredAt: new Date(now()).toISOString(),
        channel: request.channel,
        reason: request.reason,
        conversation: { id: request.conversationId },
        customer: await customerSummary(options.customers, request.customerId),
        recentMessages: messages.filter(isCustomerOrAgentText).map((message) => ({
          role: message.role as "user" | "assistant",
          channel: message.channel,
          text: message.text,
          at: new Date(message.createdAt).toISOString(),
        })),
      };
      await enqueue(event, request.conversationId);
    },
  };
}

/** What the customer or the agent said (not tool messages, not empty steps). */
function isCustomerOrAgentText(message: StoredMessage): boolean {
  return (message.role === "user" || message.role === "assistant") && message.text.length > 0;
}

function isOfCall(message: StoredMessage, session: CallSession): boolean {
  return (
    message.channel === "voice" &&
    isCustomerOrAgentText(message) &&
    message.createdAt >= session.startedAt &&
    (session.endedAt === null || message.createdAt <= session.endedAt)
  );
}

function toTranscriptLine(message: StoredMessage): CallEndedEvent["transcript"][number] {
  return {
    role: message.role as "user" | "assistant",
    text: message.text,
    at: new Date(message.createdAt).toISOString(),
    interrupted: message.interrupted,
  };
}

/** `transfer_to_human` and `end_call` write JSON; anything else is passed on as `{ data }`. */
function parseHandoff(handoffData: string | null): Record<string, unknown> | null {
  if (!handoffData) return null;
  try {
    const parsed = JSON.parse(handoffData) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {}
  return { data: handoffData };
}
