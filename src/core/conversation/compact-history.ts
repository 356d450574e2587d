import type { LanguageModelV3, LanguageModelV3Message } from "@ai-sdk/provider";
import type { ConversationStore, StoredMessage } from "../../ports/conversation-store.js";
import { userMessageText } from "./history-to-prompt.js";

/** The instruction that starts every summary request (the offline model recognises it). */
export const summaryInstruction =
  "Summarize the conversation below for the assistant who continues it. Keep names, contact details the customer gave, requests, decisions, promised follow-ups and open questions. Be factual and brief; no greetings.";

export interface ConversationSummaryState {
  summary: string | null;
  /** Messages with a sequence up to this one are covered by the summary. */
  summaryThroughSequence: number;
}

export function summaryStateOf(metadata: Record<string, unknown>): ConversationSummaryState {
  return {
    summary: typeof metadata.summary === "string" ? metadata.summary : null,
    summaryThroughSequence:
      typeof metadata.summaryThroughSequence === "number" ? metadata.summaryThroughSequence : 0,
  };
}

/** Characters of the messages not yet covered by the summary. */
export function unsummarizedSize(messages: readonly StoredMessage[], throughSequence: number): number {
  let size = 0;
  for (const message of messages) size += unsummarizedSizeOf(message, throughSequence);
  return size;
}

/** One message's part of `unsummarizedSize`. */
export function unsummarizedSizeOf(message: StoredMessage, throughSequence: number): number {
  return message.sequence > throughSequence ? message.text.length + 20 : 0;
}

/**
 * Keeps the prompt bounded: when the messages after the last summary exceed `budgetChars`, the
 * older ones (all but the last `keepRecent`, cut at a user message so tool calls stay with their
 * results) are folded into the stored summary by the configured model. A cold path: it runs after
 * a turn, never before one.
 */
export async function compactHistory(options: {
  store: ConversationStore;
  model: LanguageModelV3;
  conversationId: string;
  budgetChars: number;
  keepRecent: number;
}): Promise<ConversationSummaryState | undefined> {
  const { store, model, conversationId } = options;
  const conversation = await store.getConversation(conversationId);
  if (!conversation) return undefined;
  const state = summaryStateOf(conversation.metadata);
  const messages = (await store.listMessages(conversationId)).filter(
    (message) => message.sequence > state.summaryThroughSequence,
  );
  if (unsummarizedSize(messages, state.summaryThroughSequence) <= options.budgetChars) return undefined;
  let cut = Math.max(0, messages.length - options.keepRecent);
  while (cut > 0 && messages[cut]?.role !== "user") cut--;
  const older = messages.slice(0, cut);
  if (older.length === 0) return undefined;

  const transcript = older
    .filter((message) => message.role !== "tool" && message.text.length > 0)
    .map(
      (message) =>
        `${message.role === "user" ? "Customer" : "Assistant"} (${message.channel}): ${message.role === "user" ? userMessageText(message) : message.text}`,
    )
    .join("\n");
  const prompt: LanguageModelV3Message[] = [
    { role: "system", content: summaryInstruction },
    {
      role: "user",
      content: [
        {
          type: "text",
          text: `${state.summary ? `Summary so far:\n${state.summary}\n\n` : ""}Conversation to add:\n${transcript}`,
        },
      ],
    },
  ];
  const result = await model.doGenerate({ prompt, maxOutputTokens: 600 });
  const summary = result.content
    .map((part) => (part.type === "text" ? part.text : ""))
    .join("")
    .trim();
  if (!summary) return undefined;
  const next: ConversationSummaryState = {
    summary,
    summaryThroughSequence: older[older.length - 1]?.sequence ?? state.summaryThroughSequence,
  };
  await store.updateConversation(conversationId, { metadata: { ...next } });
  return next;
}
