import type {
  LanguageModelV3CallOptions,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
} from "@ai-sdk/provider";

/** What the offline model reads from one call: the conversation so far and the tools offered. */
export interface OfflinePrompt {
  /** From the `Channel: …` line the core puts in the system prompt; undefined if absent. */
  channel: string | undefined;
  /** The first system message (empty when there is none). */
  system: string;
  /** True on a phone call: keep sentences short. */
  voice: boolean;
  /** Text of every user message, oldest first, without the `[via …]` channel label. */
  userTexts: string[];
  /** Text of every assistant message that had text, oldest first. */
  assistantTexts: string[];
  toolNames: ReadonlySet<string>;
  /** Inputs of the tool calls in the prompt, by tool call id. */
  toolCallInputs: ReadonlyMap<string, unknown>;
  /** Results of every `search_knowledge` call in the prompt, oldest first (for follow-ups). */
  knowledgeResults: KnowledgeResult[][];
  /** The last message, when it is a tool message (the model must answer from its results). */
  toolMessage: Extract<LanguageModelV3Message, { role: "tool" }> | undefined;
}

/** One result of the `search_knowledge` tool, as the offline model reads it. */
export interface KnowledgeResult {
  id: string;
  title: string;
  kind: string;
  fields: Record<string, string | number>;
  snippet: string;
}

export function readOfflinePrompt(options: LanguageModelV3CallOptions): OfflinePrompt {
  const { prompt } = options;
  const userTexts: string[] = [];
  const assistantTexts: string[] = [];
  const toolCallInputs = new Map<string, unknown>();
  const knowledgeResults: KnowledgeResult[][] = [];
  let channel: string | undefined;
  let system: string | undefined;
  for (const message of prompt) {
    if (message.role === "system") {
      system ??= message.content;
      channel ??= /^channel:\s*([a-z]+)/im.exec(message.content)?.[1]?.toLowerCase();
    } else if (message.role === "user") {
      userTexts.push(stripChannelLabel(textOf(message)));
    } else if (message.role === "tool") {
      for (const part of message.content) {
        if (
          part.type !== "tool-result" ||
          part.toolName !== "search_knowledge" ||
          part.output.type !== "json"
        )
          continue;
        const value = part.output.value as { results?: KnowledgeResult[] } | null;
        if (value && Array.isArray(value.results)) knowledgeResults.push(value.results);
      }
    } else if (message.role === "assistant") {
      const text = textOf(message);
      if (text) assistantTexts.push(text);
      for (const part of message.content) {
        if (part.type === "tool-call") toolCallInputs.set(part.toolCallId, part.input);
      }
    }
  }
  const last = prompt[prompt.length - 1];
  return {
    channel,
    system: system ?? "",
    voice: channel === "voice",
    userTexts,
    assistantTexts,
    toolNames: new Set(
      (options.tools ?? []).filter((tool) => tool.type === "function").map((tool) => tool.name),
    ),
    toolCallInputs,
    knowledgeResults,
    toolMessage: last?.role === "tool" ? last : undefined,
  };
}

/** The text parts of a message, joined. */
export function textOf(message: LanguageModelV3Message): string {
  if (message.role === "system") return message.content;
  let text = "";
  for (const part of message.content) if (part.type === "text") text += part.text;
  return text.trim();
}

/** Removes the `[via SMS] ` label the core puts on messages from another channel. */
export function stripChannelLabel(text: string): string {
  return text.replace(/^\[via [^\]]+\]\s*/, "");
}

/** "123#" → "1 2 3 pound", so a voice says each key. */
export function spellDigits(digits: string): string {
  const names: Record<string, string> = { "#": "pound", "*": "star", w: "pause", W: "pause" };
  return [...digits].map((digit) => names[digit] ?? digit).join(" ");
}

/** A stable tool call id derived from the prompt (no counters, clocks or randomness). */
export function offlineToolCallId(prompt: LanguageModelV3Prompt, index: number): string {
  let hash = 0x811c9dc5;
  for (const message of prompt) {
    const text = `${message.role}:${textOf(message)}\u0000`;
    for (let position = 0; position < text.length; position++) {
      hash = Math.imul(hash ^ text.charCodeAt(position), 0x01000193);
    }
  }
  return `offline_${(hash >>> 0).toString(16).padStart(8, "0")}_${prompt.length}_${index}`;
}
