import { createHash, timingSafeEqual } from "node:crypto";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { BadRequestError } from "../../errors/bad-request-error.js";
import { SwitchboardError } from "../../errors/switchboard-error.js";
import { logKeys } from "../../observability/log-keys.js";
import type { Logger } from "../../observability/logger.js";
import type { ConversationResolver } from "../../ports/conversation-resolver.js";
import type { Conversation, ConversationStore } from "../../ports/conversation-store.js";
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
/**
 * How much of an email's text (or HTML) is read: the new text is at the top, and what follows it is
 * quoted history. Bounds the work done on text anyone can send.
 */
const maxBodyChars = 100_000;
const maxHtmlChars = 400_000;
/** The new text kept for the agent and the timeline. */
const maxNewTextChars = 20_000;
const maxSubjectChars = 1_000;

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
  /**
   * The sender's domain vouched for the message (DKIM or aligned SPF, as SendGrid checked them).
   * Only then does the sender's address identify the customer; otherwise the email is answered in
   * a conversation of its own, with no customer and no history (a `From` is easy to forge).
   */
  authenticated?: boolean;
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
    // Multipart only here: registered on the server, its request hooks (a `close` listener and an
    // async cleanup on every response) ran for every webhook and upgrade, which post no files.
    await scope.register(multipart, {
      limits: { fileSize: dependencies.maxBodyBytes, fieldSize: dependencies.maxBodyBytes, files: 20 },
    });
    // Digests of equal length: the comparison takes the same time whatever the token's length.
    const expected = dependencies.inboundToken ? sha256(dependencies.inboundToken) : undefined;
    scope.addHook("onRequest", async (request: FastifyRequest) => {
      const given = String((request.query as { token?: unknown }).token ?? "");
      const valid = expected !== undefined && timingSafeEqual(sha256(given), expected);
      if (!valid) {
        throw new SwitchboardError("INBOUND_TOKEN_INVALID", "Missing or wrong inbound token", {
          statusCode: 403,
        });
      }
    });

    scope.post("/sendgrid/inbound", async (request, reply) => {
      if (!request.isMultipart())
        throw new BadRequestError("Inbound Parse posts must be multipart/form-data");
      // Fields are read as bytes (latin1 keeps each one) and decoded with SendGrid's `charsets`.
      const rawFields = new Map<string, string>();
      let attachments = 0;
      let bytes = 0;
      const tooLarge = () =>
        new SwitchboardError("PAYLOAD_TOO_LARGE", "The email is larger than this server accepts", {
          statusCode: 413,
        });
      try {
        for await (const part of request.parts({
          defCharset: "latin1",
          limits: { fileSize: dependencies.maxBodyBytes, fieldSize: dependencies.maxBodyBytes },
        })) {
          if (part.type === "file") {
            attachments++;
            bytes += (await part.toBuffer()).length;
          } else {
            if (part.valueTruncated) throw tooLarge();
            const value = String(part.value ?? "");
            rawFields.set(part.fieldname, value);
            bytes += value.length;
          }
          if (bytes > dependencies.maxBodyBytes) throw tooLarge();
        }
      } catch (error) {
        if (error instanceof SwitchboardError) throw error;
        const code = (error as { code?: string }).code ?? "";
        if (/LIMIT|TOO_LARGE/i.test(code) || (error as { statusCode?: number }).statusCode === 413)
          throw tooLarge();
        throw new BadRequestError(`Malformed multipart body: ${(error as Error).message}`);
      }
      const fields = decodeFields(rawFields);

      const sender = parseEmailAddress(fields.get("from") ?? "");
      if (!sender) throw new BadRequestError("Inbound email has no valid `from` address");
      const headers = parseRawHeaders(fields.get("headers") ?? "");
      const threading = threadingIdsFromHeaders(headers);
      const subject = (fields.get("subject") ?? headers.get("subject")?.[0] ?? "").slice(0, maxSubjectChars);
      const body =
        fields.get("text")?.slice(0, maxBodyChars) ??
        htmlToText(fields.get("html")?.slice(0, maxHtmlChars) ?? "").slice(0, maxBodyChars);
      // Without a Message-ID, a digest of what identifies the email: never its words in the clear
      // (the id is logged), and two emails that differ in their text are two emails.
      const eventId =
        threading.messageId ??
        `sha256:${sha256([sender.email, subject, headers.get("date")?.[0] ?? "", body].join("\n")).toString("hex")}`;
      const email: EmailEvent = {
        from: sender.email,
        fromName: sender.name,
        subject,
        body,
        authenticated: senderAuthenticated(sender.email, fields),
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
  // Posts accepted before senders were checked carry no flag: they were taken at their word then.
  const authenticated = email.authenticated ?? true;
  const extracted = extractReplyText(email.body);
  const newText =
    extracted.length > maxNewTextChars
      ? `${extracted.slice(0, maxNewTextChars)}\n[… the rest was cut]`
      : extracted;
  const threadConversationId = await messagingState.findConversationByEmailMessageIds([
    ...email.references,
    ...email.inReplyTo,
  ]);
  const thread = threadConversationId ? await store.getConversation(threadConversationId) : undefined;
  let conversation: Conversation;
  if (authenticated) {
    await dependencies.resolver.confirmFromInbound("email", email.from, newText);
    const own = (await dependencies.resolver.resolveConversation("email", email.from, "email")).conversation;
    // A reply into a thread counts only from that thread's customer: anyone copied on it, or sent
    // it on, would otherwise read (and be answered from) another customer's conversation.
    conversation = thread && thread.customerId === own.customerId ? thread : own;
  } else {
    const anonymousRef = `email:${email.from}`;
    conversation =
      thread && thread.customerId === null && thread.externalRef === anonymousRef
        ? thread
        : await store.createConversation({ channel: "email", customerId: null, externalRef: anonymousRef });
    logger.warn(
      { [logKeys.conversationId]: conversation.id },
      "email: the sender's domain did not vouch for it (no DKIM or aligned SPF pass): answered without the customer's history",
    );
  }
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

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Each field's bytes decoded with the charset SendGrid names for it in `charsets` (UTF-8 when it
 * names none, or one this runtime does not know). A value busboy already decoded with its part's
 * own charset (it holds characters beyond one byte) is kept as it is.
 */
function decodeFields(raw: ReadonlyMap<string, string>): Map<string, string> {
  let charsets: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw.get("charsets") ?? "{}");
    if (parsed && typeof parsed === "object") charsets = parsed as Record<string, unknown>;
  } catch {}
  const decoded = new Map<string, string>();
  for (const [name, value] of raw) {
    const named = Object.hasOwn(charsets, name) ? charsets[name] : undefined;
    decoded.set(name, decodeBytes(value, typeof named === "string" ? named : "utf-8"));
  }
  return decoded;
}

function decodeBytes(latin1: string, charset: string): string {
  for (let index = 0; index < latin1.length; index++) if (latin1.charCodeAt(index) > 0xff) return latin1;
  const bytes = Buffer.from(latin1, "latin1");
  try {
    return new TextDecoder(charset.trim()).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

/**
 * Whether the sender's domain vouched for the email, from what SendGrid's receiving server checked:
 * a DKIM pass for the From domain (or one of its parents or children), or an SPF pass for an
 * envelope sender of that domain (`dkim`: `{@example.org : pass}`; `SPF`: `pass`). A post that
 * reports neither did not come through a mail server; the inbound token already vouched for it.
 */
export function senderAuthenticated(from: string, fields: ReadonlyMap<string, string>): boolean {
  // SendGrid always reports both. A post without either comes from whoever holds the inbound token
  // (a relay of your own, `npm run email`, a test), with no mail server's checks to report.
  if (!fields.has("dkim") && !fields.has("SPF")) return true;
  const domain = from.split("@")[1]?.toLowerCase() ?? "";
  if (!domain) return false;
  const aligned = (other: string) => {
    const candidate = other.toLowerCase().replace(/\.$/, "");
    return candidate === domain || candidate.endsWith(`.${domain}`) || domain.endsWith(`.${candidate}`);
  };
  for (const entry of (fields.get("dkim") ?? "").replace(/^\{|\}$/g, "").split(",")) {
    const match = /^\s*@([^\s:]+)\s*:\s*(\S+)\s*$/.exec(entry);
    if (match?.[1] && match[2]?.toLowerCase() === "pass" && aligned(match[1])) return true;
  }
  if ((fields.get("SPF") ?? "").trim().toLowerCase() !== "pass") return false;
  try {
    const envelope = JSON.parse(fields.get("envelope") ?? "{}") as { from?: unknown };
    const envelopeDomain = typeof envelope.from === "string" ? envelope.from.split("@")[1] : undefined;
    return envelopeDomain !== undefined && aligned(envelopeDomain);
  } catch {
    return false;
  }
}
