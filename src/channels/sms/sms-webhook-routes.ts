import type { FastifyInstance } from "fastify";
import MessagingResponse from "twilio/lib/twiml/MessagingResponse.js";
import { z } from "zod";
import { logKeys } from "../../observability/log-keys.js";
import type { Logger } from "../../observability/logger.js";
import type { ConversationResolver } from "../../ports/conversation-resolver.js";
import type { ConversationStore } from "../../ports/conversation-store.js";
import type { MessagingStateStore } from "../../ports/messaging-state-store.js";
import {
  type NewOutboxEntry,
  type OutboxEntry,
  type OutboxStore,
  outboxStatusFromProvider,
} from "../../ports/outbox-store.js";
import type { AsyncReplyRunner } from "../messaging/async-reply-runner.js";
import type { InboundQueue } from "../messaging/inbound-queue.js";
import { storeInboundOnce } from "../messaging/store-inbound-once.js";
import { parseTwilioForm } from "../twilio/parse-twilio-form.js";
import { twilioWebhookGuard } from "../twilio/twilio-signature-hook.js";
import type { TwilioSignatureVerifier } from "../twilio/twilio-signature-verifier.js";
import { splitSmsText, toPlainSmsText } from "./format-sms-text.js";
import { smsKeyword } from "./sms-keywords.js";
import { smsHelpText } from "./sms-style.js";

export interface SmsChannelDependencies {
  store: ConversationStore;
  resolver: ConversationResolver;
  messagingState: MessagingStateStore;
  outbox: Pick<OutboxStore, "updateOutboundProviderStatus">;
  /** Durably enqueues an outbound message and wakes the outbox worker. */
  enqueueOutbound: (entry: NewOutboxEntry) => Promise<OutboxEntry>;
  replies: AsyncReplyRunner;
  /** The inbox: an SMS webhook is acknowledged once accepted there, and handled afterwards. */
  inbound: InboundQueue;
  logger: Logger;
  signatureVerifier: TwilioSignatureVerifier | undefined;
}

const inboundSmsSchema = z.looseObject({
  MessageSid: z.string().min(1, "MessageSid is required"),
  From: z.string().min(1, "From is required"),
  To: z.string().optional(),
  // An SMS or MMS body is at most 1,600 characters; room is left for other Twilio channels.
  Body: z.string().max(10_000, "Body is longer than a text message can be").optional().default(""),
  NumMedia: z.string().optional(),
});

const statusSchema = z.looseObject({
  MessageSid: z.string().min(1, "MessageSid is required"),
  MessageStatus: z.string().min(1, "MessageStatus is required"),
  ErrorCode: z.string().optional(),
});

const emptyTwiml = new MessagingResponse().toString();
const smsProvider = "twilio-sms";

/**
 * `POST /twilio/sms`: accept the message into the inbox (de-duplicated by MessageSid) and answer
 * `<Response/>` once that is on disk; then store it in its conversation and reply through the
 * outbox after the agent's turn. `POST /twilio/sms/status`: delivery status.
 */
export function registerSmsRoutes(app: FastifyInstance, dependencies: SmsChannelDependencies): void {
  const { messagingState, replies } = dependencies;
  const guard = twilioWebhookGuard(dependencies.signatureVerifier);

  replies.register("sms", async (outcome, userMessage) => {
    const text = toPlainSmsText(outcome.text);
    const to = String(userMessage.metadata.from ?? "");
    if (!text || !to) return;
    const parts = splitSmsText(text);
    for (const [index, body] of parts.entries()) {
      await dependencies.enqueueOutbound({
        idempotencyKey: `sms-reply:${String(userMessage.metadata.messageSid)}:${index}`,
        conversationId: userMessage.conversationId,
        payload: { kind: "sms", to, body },
      });
    }
  });

  dependencies.inbound.register(smsProvider, {
    orderKey: (event) => String(event.payload.From),
    handle: (event, context) => handleSms(dependencies, event.payload as unknown as SmsEvent, context),
  });

  app.post("/twilio/sms", { preHandler: guard }, async (request, reply) => {
    const sms = parseTwilioForm(inboundSmsSchema, request.body, "Twilio SMS webhook");
    const event: SmsEvent = {
      MessageSid: sms.MessageSid,
      From: sms.From,
      To: sms.To ?? null,
      Body: sms.Body,
      media: mediaOf(sms as Record<string, unknown>),
    };
    const accepted = await dependencies.inbound.accept({
      provider: smsProvider,
      eventId: sms.MessageSid,
      payload: event,
      receivedAt: Date.now(),
    });
    if (!accepted) request.log.info({ messageSid: sms.MessageSid }, "sms: duplicate webhook ignored");
    // The payload is returned rather than the reply: an async handler returning the reply makes
    // Fastify wait for the response's end through its `then` (1.6 % of a webhook's CPU, profiled).
    reply.type("text/xml");
    return emptyTwiml;
  });

  app.post("/twilio/sms/status", { preHandler: guard }, async (request, reply) => {
    const status = parseTwilioForm(statusSchema, request.body, "Twilio status callback");
    const updated = await dependencies.outbox.updateOutboundProviderStatus(status.MessageSid, {
      providerStatus: status.MessageStatus,
      status: outboxStatusFromProvider(status.MessageStatus),
      errorCode: status.ErrorCode ?? null,
    });
    if (!updated) request.log.warn({ messageSid: status.MessageSid }, "sms status: unknown message");
    if (status.ErrorCode === "21610" && updated?.payload.kind === "sms") {
      await messagingState.setOptOut(updated.payload.to, "sms", true, "Twilio error 21610");
    }
    reply.type("text/xml");
    return emptyTwiml;
  });
}

/** An inbound SMS as the inbox keeps it. */
type SmsEvent = {
  MessageSid: string;
  From: string;
  To: string | null;
  Body: string;
  media: Array<{ url: string; contentType: string }>;
};

/** Handles an accepted SMS: keywords, or the customer's message stored and its reply scheduled. */
async function handleSms(
  dependencies: SmsChannelDependencies,
  sms: SmsEvent,
  context: { recovered: boolean },
): Promise<void> {
  const { store, messagingState, replies, logger } = dependencies;
  const keyword = smsKeyword(sms.Body);
  if (keyword === "stop" || keyword === "start") {
    await messagingState.setOptOut(
      sms.From,
      "sms",
      keyword === "stop",
      `keyword ${sms.Body.trim().toUpperCase()}`,
    );
    logger.info({ keyword }, "sms: opt-out keyword");
    return;
  }
  if (keyword !== "help") await dependencies.resolver.confirmFromInbound("phone", sms.From, sms.Body);
  const { conversation } = await dependencies.resolver.resolveConversation("phone", sms.From, "sms");
  const mediaNote =
    sms.media.length > 0
      ? `\n[The customer attached ${sms.media.length} file(s): ${sms.media.map((media) => media.contentType).join(", ")}]`
      : "";
  const userMessage = await storeInboundOnce(
    store,
    {
      conversationId: conversation.id,
      role: "user",
      channel: "sms",
      text: `${sms.Body}${mediaNote}`.trim(),
      inputKind: "text",
      metadata: {
        messageSid: sms.MessageSid,
        from: sms.From,
        to: sms.To,
        media: sms.media,
        ...(keyword === "help" ? { keyword } : {}),
      },
    },
    { recovered: context.recovered, isIt: (message) => message.metadata.messageSid === sms.MessageSid },
  );
  if (!userMessage) return; // stored and answered before the previous process stopped
  if (keyword === "help") {
    // The fixed help text, without the agent; kept in the conversation like any exchange, so the
    // customer's export and erasure include it.
    const entry = await dependencies.enqueueOutbound({
      idempotencyKey: `sms-help:${sms.MessageSid}`,
      conversationId: conversation.id,
      payload: { kind: "sms", to: sms.From, body: smsHelpText },
    });
    await store.appendMessage({
      conversationId: conversation.id,
      role: "assistant",
      channel: "sms",
      text: smsHelpText,
      metadata: { outboxId: entry.id, via: "sms-help" },
    });
    return;
  }
  await replies.accept(userMessage);
  logger.info({ [logKeys.conversationId]: conversation.id, messageSid: sms.MessageSid }, "sms: received");
  // After the sender's later texts still in the inbox: one reply answers the whole burst.
  replies.schedule(userMessage, dependencies.inbound.settled(smsProvider, sms.From));
}

function mediaOf(form: Record<string, unknown>): Array<{ url: string; contentType: string }> {
  const count = Math.min(10, Number.parseInt(String(form.NumMedia ?? "0"), 10) || 0);
  const media: Array<{ url: string; contentType: string }> = [];
  for (let index = 0; index < count; index++) {
    const url = form[`MediaUrl${index}`];
    if (typeof url === "string")
      media.push({ url, contentType: String(form[`MediaContentType${index}`] ?? "unknown") });
  }
  return media;
}
