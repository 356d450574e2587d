import { z } from "zod";
import { textToHtml } from "../channels/email/text-to-html.js";
import { splitSmsText, toPlainSmsText } from "../channels/sms/format-sms-text.js";
import { type AgentTool, defineTool, type ToolContext } from "../core/tools/agent-tool.js";
import { ToolError } from "../errors/tool-error.js";
import type { Conversation, ConversationStore } from "../ports/conversation-store.js";
import type { MessagingStateStore } from "../ports/messaging-state-store.js";
import type { NewOutboxEntry, OutboxEntry } from "../ports/outbox-store.js";

export interface OutboundMessageToolDependencies {
  store: ConversationStore;
  messagingState: MessagingStateStore;
  enqueueOutbound: (entry: NewOutboxEntry) => Promise<OutboxEntry>;
  /** The customer's own verified addresses. */
  addressesOf: (conversation: Conversation) => Promise<{ phones: string[]; emails: string[] }>;
  /** TwiML that connects an answered outbound call back into this conversation. */
  callbackTwiml: (conversationId: string) => string;
}

/**
 * `send_sms`, `send_email`, `call_me_back`: each only to the customer's own addresses; each is
 * written to the outbox and returns at once (a voice reply keeps streaming), reporting "queued" —
 * never "sent" — so the agent cannot claim a delivery that has not happened. Asked over SMS to text
 * the number being answered (or over email to email the sender), nothing separate is sent: the
 * tool reports `in-reply`, and the details go in the reply itself, which is that text or email.
 */
export function createOutboundMessageTools(dependencies: OutboundMessageToolDependencies): AgentTool[] {
  const { store, messagingState } = dependencies;

  async function conversationOf(context: ToolContext): Promise<Conversation> {
    const conversation = await store.getConversation(context.conversationId);
    if (!conversation) throw new ToolError("This conversation no longer exists.");
    return conversation;
  }

  /** One outbox entry per tool call: a retried call finds the entry its first attempt queued. */
  const toolCallKey = (context: ToolContext) => `tool:${context.turnId}:${context.toolCallId}`;

  /** The result when the message would go where this turn's reply is going anyway. */
  const inReply = (what: string) => ({
    status: "in-reply",
    note: `The customer is ${what}: your reply is that message. Put the details in your reply; nothing was sent separately.`,
  });

  /**
   * The customer's own phone: the one given (if it is theirs; written without spaces, dashes or
   * parentheses, see `phoneAsGiven`) or the first on file.
   */
  async function customerPhone(
    conversation: Conversation,
    given: string | undefined,
    refusal: string,
  ): Promise<string> {
    const { phones } = await dependencies.addressesOf(conversation);
    const to = given ?? phones[0];
    if (!to)
      throw new ToolError(
        'No phone number is on file for this customer yet. They can give one (e.g. "text me at +1 415 555 0123") and confirm it with a one-time code.',
        "NO_ADDRESS",
      );
    if (!phones.includes(to)) throw new ToolError(refusal, "ADDRESS_NOT_ALLOWED");
    return to;
  }

  /**
   * Queues the message in the outbox (once per tool call), records it in the conversation as the
   * assistant's, and reports it queued, never sent.
   */
  async function queueAndRecord(
    context: ToolContext,
    payload: NewOutboxEntry["payload"],
    message: { channel: "sms" | "email"; text: string; via: string; subject?: string },
  ) {
    const entry = await dependencies.enqueueOutbound({
      idempotencyKey: toolCallKey(context),
      conversationId: context.conversationId,
      payload,
    });
    const { channel, text, ...details } = message;
    await store.appendMessage({
      conversationId: context.conversationId,
      role: "assistant",
      channel,
      text,
      metadata: { outboxId: entry.id, ...details, turnId: context.turnId },
    });
    return {
      status: "queued",
      outboxId: entry.id,
      note: "Queued for delivery; delivery is confirmed separately.",
    };
  }

  const sendSms = defineTool({
    name: "send_sms",
    description:
      "Text the customer (SMS) at their own phone number, e.g. when they ask 'text me that'. Write a short plain-text summary with the key details.",
    inputSchema: z.object({
      message: z
        .string()
        .min(1)
        .max(1600)
        .describe("The text message, plain text, ideally under 320 characters"),
      to: z
        .string()
        .optional()
        .describe("Only if the customer gave another of their own numbers; defaults to theirs"),
    }),
    async execute(input, context) {
      const conversation = await conversationOf(context);
      const given = phoneAsGiven(input.to);
      if (context.channel === "sms" && context.replyTo !== undefined) {
        if (given === undefined || given === context.replyTo) return inReply("texting from this number");
      }
      const to = await customerPhone(
        conversation,
        given,
        "That number is not one of the customer's own verified numbers; I can only text the customer.",
      );
      if (await messagingState.isOptedOut(to, "sms")) {
        throw new ToolError("The customer has opted out of text messages (replied STOP).", "OPTED_OUT");
      }
      const body = splitSmsText(toPlainSmsText(input.message))[0] ?? "";
      return queueAndRecord(
        context,
        { kind: "sms", to, body },
        { channel: "sms", text: body, via: "send_sms" },
      );
    },
  });

  const sendEmail = defineTool({
    name: "send_email",
    description:
      "Email the customer at their own email address with the full details (it may be longer and structured).",
    inputSchema: z.object({
      subject: z.string().min(1).max(200),
      body: z.string().min(1).max(20_000).describe("The email text"),
      to: z.string().optional().describe("Only if the customer gave another of their own addresses"),
    }),
    async execute(input, context) {
      const conversation = await conversationOf(context);
      const given = input.to?.trim().toLowerCase();
      if (context.channel === "email" && context.replyTo !== undefined) {
        if (given === undefined || given === context.replyTo.toLowerCase())
          return inReply("emailing from this address");
      }
      const { emails } = await dependencies.addressesOf(conversation);
      const to = given ?? emails[0];
      if (!to)
        throw new ToolError(
          'No verified email address is on file for this customer yet. They can give one (e.g. "email me at pat@example.com") and confirm it with a one-time code.',
          "NO_ADDRESS",
        );
      if (!emails.includes(to)) {
        throw new ToolError(
          "That address is not one of the customer's own verified addresses; I can only email the customer.",
          "ADDRESS_NOT_ALLOWED",
        );
      }
      if (await messagingState.isOptedOut(to, "email")) {
        throw new ToolError(
          "Email to this customer is suppressed (bounce, spam report or unsubscribe).",
          "OPTED_OUT",
        );
      }
      return queueAndRecord(
        context,
        {
          kind: "email",
          to,
          subject: input.subject,
          text: input.body,
          html: textToHtml(input.body),
          customArgs: { conversationId: conversation.id },
        },
        { channel: "email", text: input.body, via: "send_email", subject: input.subject },
      );
    },
  });

  const callMeBack = defineTool({
    name: "call_me_back",
    description: "Start a phone call to the customer's own number that continues this conversation.",
    inputSchema: z.object({ to: z.string().optional() }),
    async execute(input, context) {
      const conversation = await conversationOf(context);
      const to = await customerPhone(
        conversation,
        phoneAsGiven(input.to),
        "I can only call the customer's own number.",
      );
      const entry = await dependencies.enqueueOutbound({
        idempotencyKey: toolCallKey(context),
        conversationId: conversation.id,
        payload: { kind: "call", to, twiml: dependencies.callbackTwiml(conversation.id) },
      });
      return {
        status: "queued",
        outboxId: entry.id,
        note: "The call is being placed; it is not connected yet.",
      };
    },
  });

  return [sendSms, sendEmail, callMeBack];
}

/** A number as the model gave it (`+1 (415) 555-0123`), written as the store keeps it (`+14155550123`). */
function phoneAsGiven(raw: string | undefined): string | undefined {
  return raw?.replace(/[\s().-]/g, "");
}
