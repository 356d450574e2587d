import type { LanguageModelV3Message } from "@ai-sdk/provider";
import type { ChannelName } from "../../ports/channel.js";
import type { StoredMessage } from "../../ports/conversation-store.js";
import { assistantPromptMessage, toolResultsPromptMessage } from "../agent/run-model-turn.js";

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
    case "assistant":
      return assistantPromptMessage(message.text, message.toolCalls);
    case "tool":
      return toolResultsPromptMessage(message.toolResults);
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
