import type { LanguageModelV3Message } from "@ai-sdk/provider";
import type { ChannelName } from "../../ports/channel.js";
import type { StoredMessage } from "../../ports/conversation-store.js";
import { toToolResultOutput } from "../agent/run-model-turn.js";

const channelLabels: Record<ChannelName, string> = {
  voice: "phone call",
  sms: "SMS",
  email: "email",
  web: "web chat",
};

/** The text the model sees for a user message (keypad digits are spelled out as such). */
export function userMessageText(message: Pick<StoredMessage, "text" | "inputKind">): string {
  if (message.inputKind === "dtmf") return `The caller pressed the keys: ${message.text}`;
  return message.text;
}

/**
 * Converts stored messages to model messages. Messages from another channel than the current one
 * are labelled, so the agent can say "you asked me on the phone about…".
 */
export function historyToPrompt(
  messages: readonly StoredMessage[],
  currentChannel: ChannelName,
): LanguageModelV3Message[] {
  const prompt: LanguageModelV3Message[] = [];
  for (const message of messages) {
    const converted = messageToPrompt(message, currentChannel);
    if (converted) prompt.push(converted);
  }
  return prompt;
}

export function messageToPrompt(
  message: StoredMessage,
  currentChannel: ChannelName,
): LanguageModelV3Message | undefined {
  switch (message.role) {
    case "user": {
      const text = userMessageText(message);
      const labelled =
        message.channel === currentChannel ? text : `[via ${channelLabels[message.channel]}] ${text}`;
      return { role: "user", content: [{ type: "text", text: labelled }] };
    }
    case "assistant": {
      const content: Extract<LanguageModelV3Message, { role: "assistant" }>["content"] = [];
      if (message.text.length > 0) content.push({ type: "text", text: message.text });
      for (const call of message.toolCalls) {
        content.push({
          type: "tool-call",
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          input: call.input,
        });
      }
      return content.length > 0 ? { role: "assistant", content } : undefined;
    }
    case "tool":
      if (message.toolResults.length === 0) return undefined;
      return {
        role: "tool",
        content: message.toolResults.map((toolResult) => ({
          type: "tool-result" as const,
          toolCallId: toolResult.toolCallId,
          toolName: toolResult.toolName,
          output: toToolResultOutput(toolResult),
        })),
      };
  }
}

/**
 * Drops leading tool results whose calls were cut off by the history window, so every provider
 * accepts the history.
 */
export function trimToValidStart(messages: StoredMessage[]): StoredMessage[] {
  let start = 0;
  while (start < messages.length && messages[start]?.role === "tool") start++;
  return start === 0 ? messages : messages.slice(start);
}
