import { timingSafeEqual } from "node:crypto";
import type {} from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { BadRequestError } from "../../errors/bad-request-error.js";
import { SwitchboardError } from "../../errors/switchboard-error.js";
import { logKeys } from "../../observability/log-keys.js";
import type { Logger } from "../../observability/logger.js";
import type { ConversationResolver } from "../../ports/conversation-resolver.js";
import type { ConversationStore } from "../../ports/conversation-store.js";
import type { MessagingStateStore } from "../../ports/messaging-state-store.js";
import type { NewOutboxEntry, OutboxEntry } from "../../ports/outbox-store.js";
import type { AsyncReplyRunner } from "../messaging/async-reply-runner.js";
import type { InboundQueue } from "../messaging/inbound-queue.js";
import { storeInboundOnce } from "../messaging/store-inbound-once.js";
import { buildReplyHeaders, newMessageId } from "./build-reply-headers.js";
import { extractReplyText, htmlToText } from "./extract-reply-text.js";
import { parseEmailAddress } from "./parse-email-address.js";
import { parseRawHeaders, threadingIdsFromHeaders } from "./parse-email-headers.js";
import { textToHtml } from "./text-to-html.js";

export interface EmailInboundDependencies {
  store: ConversationStore;
  resolver: ConversationResolver;
  messagingState: MessagingStateStore;
  enqueueOutbound: (entry: NewOutboxEntry) => Promise<OutboxEntry>;
  replies: AsyncReplyRunner;
  /** The inbox: a post is acknowledged once accepted there, and handled afterwards. */
  inbound: InboundQueue;
  logger: Logger;
  /** SENDGRID_INBOUND_TOKEN; without it the route refuses every post. */
  inboundToken: string | undefined;
  /** Domain for our Message-IDs (from EMAIL_FROM). */
  messageIdDomain: string;
  maxBodyBytes: number;
}

const emailProvider = "sendgrid-inbound";

/** An inbound email as the inbox keeps it. */
type EmailEvent = {
  from: string;
  fromName: string | null;
  subject: string;
  /** The plain text body (or the HTML body as text), quotes not yet stripped. */
  body: string;
  messageId: string | null;
  references: string[];
  inReplyTo: string[];
  attachments: number;
};

/**
 * `POST /sendgrid/inbound?token=…`: SendGrid Inbound Parse (multipart). The sender, subject and new
 * text (quotes and signatures stripped) go to the agent; the conversation is found by the thread's
 * Message-IDs; the reply goes out through the outbox, threaded.
 */
export function registerEmailInboundRoute(
  app: FastifyInstance,
  dependencies: EmailInboundDependencies,
): void {
  const { messagingState, replies } = dependencies;
  dependencies.inbound.register(emailProvider, {
    orderKey: (event) => String(event.payload.from),
    handle: (event, context) => handleEmail(dependencies, event.payload as unknown as EmailEvent, context),
  });

  replies.register("email", async (outcome, userMessage) => {
    const text = outcome.text.trim();
    const metadata = userMessage.metadata as {
      from?: string;
      fromName?: string | null;
      subject?: string;
      messageId?: string | null;
      references?: string[];
    };
    if (!text || !metadata.from) return;
    const ourMessageId = newMessageId(dependencies.messageIdDomain);
    const reply = buildReplyHeaders(
      {
        messageId: metadata.messageId ?? null,
        references: metadata.references ?? [],
        subject: metadata.subject ?? "",
      },
      ourMessageId,
    );
    await dependencies.enqueueOutbound({
      idempotencyKey: `email-reply:${userMessage.id}`,
      conversationId: userMessage.conversationId,
      payload: {
        kind: "email",
        to: metadata.from,
        ...(metadata.fromName ? { toName: metadata.fromName } : {}),
        subject: reply.subject,
        text,
        html: textToHtml(text),
        headers: reply.headers,
        customArgs: { conversationId: userMessage.conversationId },
      },
    });
    await messagingState.linkEmailMessageId(ourMessageId, userMessage.conversationId);
  });

  app.register(async (scope) => {
    scope.addHook("onRequest", async (request: FastifyRequest) => {
      const given = String((request.query as { token?: unknown }).token ?? "");
      const expected = dependencies.inboundToken ?? "";
      const valid =
        expected.length > 0 &&
        given.length === expected.length &&
        timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (!valid) {
        throw new SwitchboardError("INBOUND_TOKEN_INVALID", "Missing or wrong inbound token", {
          statusCode: 403,
        });
      }
    });

    scope.post("/sendgrid/inbound", async (request, reply) => {
      if (!request.isMultipart())
        throw new BadRequestError("Inbound Parse posts must be multipart/form-data");
      const fields: Record<string, string> = {};
      let attachments = 0;
      try {
        for await (const part of request.parts({
          limits: { fileSize: dependencies.maxBodyBytes, fieldSize: dependencies.maxBodyBytes },
        })) {
          if (part.type === "file") {
            attachments++;
            await part.toBuffer();
          } else {
            fields[part.fieldname] = String(part.value ?? "");
          }
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? "";
        if (/LIMIT|TOO_LARGE/i.test(code) || (error as { statusCode?: number }).statusCode === 413) {
          throw new SwitchboardError("PAYLOAD_TOO_LARGE", "The email is larger than this server accepts", {
            statusCode: 413,
          });
        }
        throw new BadRequestError(`Malformed multipart body: ${(error as Error).message}`);
      }

      const sender = parseEmailAddress(fields.from ?? "");
      if (!sender) throw new BadRequestError("Inbound email has no valid `from` address");
      const headers = parseRawHeaders(fields.headers ?? "");
      const threading = threadingIdsFromHeaders(headers);
      const subject = fields.subject ?? headers.get("subject")?.[0] ?? "";
      const eventId = threading.messageId ?? `${sender.email}|${subject}|${headers.get("date")?.[0] ?? ""}`;
      const email: EmailEvent = {
        from: sender.email,
        fromName: sender.name,
        subject,
        body: fields.text ?? (fields.html ? htmlToText(fields.html) : ""),
        messageId: threading.messageId,
        references: threading.references,
        inReplyTo: threading.inReplyTo,
        attachments,
      };
      const accepted = await dependencies.inbound.accept({
        provider: emailProvider,
        eventId,
        payload: email,
        receivedAt: Date.now(),
      });
      if (!accepted) {
        request.log.info("email: duplicate post ignored");
        return reply.code(200).send({ status: "duplicate" });
      }
      return reply.code(200).send({ status: "accepted" });
    });
  });
}

/** Handles an accepted email: stored in its thread's conversation (or the sender's), then answered. */
async function handleEmail(
  dependencies: EmailInboundDependencies,
  email: EmailEvent,
  context: { recovered: boolean },
): Promise<void> {
  const { store, messagingState, replies, logger } = dependencies;
  const newText = extractReplyText(email.body);
  const threadConversationId = await messagingState.findConversationByEmailMessageIds([
    ...email.references,
    ...email.inReplyTo,
  ]);
  await dependencies.resolver.confirmFromInbound("email", email.from, newText);
  const conversation =
    (threadConversationId ? await store.getConversation(threadConversationId) : undefined) ??
    (await dependencies.resolver.resolveConversation("email", email.from, "email")).conversation;
  if (email.messageId) await messagingState.linkEmailMessageId(email.messageId, conversation.id);
  const userMessage = await storeInboundOnce(
    store,
    {
      conversationId: conversation.id,
      role: "user",
      channel: "email",
      text:
        email.subject && !/^re:/i.test(email.subject) ? `Subject: ${email.subject}\n\n${newText}` : newText,
      inputKind: "text",
      metadata: {
        from: email.from,
        fromName: email.fromName,
        subject: email.subject,
        messageId: email.messageId,
        references: [...email.references, ...(email.messageId ? [email.messageId] : [])].filter(
          (id, index, all) => all.indexOf(id) === index,
        ),
        attachments: email.attachments,
      },
    },
    {
      recovered: context.recovered && email.messageId !== null,
      isIt: (message) => message.metadata.messageId === email.messageId,
    },
  );
  if (!userMessage) return; // stored and answered before the previous process stopped
  logger.info(
    { [logKeys.conversationId]: conversation.id, attachments: email.attachments },
    "email: received",
  );
  if (newText.length > 0) {
    await replies.accept(userMessage);
    // After the sender's later emails still in the inbox: one reply answers them together.
    replies.schedule(userMessage, dependencies.inbound.settled(emailProvider, email.from));
  }
}
