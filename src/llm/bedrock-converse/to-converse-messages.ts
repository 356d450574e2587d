import type {
  LanguageModelV3Prompt,
  LanguageModelV3ToolResultOutput,
  LanguageModelV3ToolResultPart,
} from "@ai-sdk/provider";
import { UnsupportedFunctionalityError } from "@ai-sdk/provider";
import type { ConverseContentBlock, ConverseMessage, ConverseToolResultBlock } from "./converse-api-types.js";
import { toConverseMediaBlock } from "./to-converse-media-block.js";

export interface ConverseConversation {
  system: Array<{ text: string }>;
  messages: ConverseMessage[];
  /** Whether tool calls or results were left out (`withToolBlocks: false`). */
  droppedToolBlocks: boolean;
}

/**
 * Maps an AI SDK V3 prompt to Converse `system` and `messages`:
 * - system messages become `system: [{ text }]` (in order, wherever they appear);
 * - user text and files, assistant text and tool calls (`toolUse` with the input as an object);
 * - tool results become `toolResult` blocks of a user message;
 * - consecutive messages of the same Converse role are merged (Bedrock requires alternation),
 *   blank text blocks are dropped (Bedrock rejects them) and the final assistant text loses its
 *   trailing whitespace (Bedrock rejects a prefill that ends with it).
 * With `withToolBlocks: false` (a call without tools) tool calls and results are left out, since
 * Bedrock rejects `toolUse`/`toolResult` blocks when the request has no `toolConfig`.
 */
export function toConverseMessages(
  prompt: LanguageModelV3Prompt,
  options: { withToolBlocks: boolean } = { withToolBlocks: true },
): ConverseConversation {
  const system: Array<{ text: string }> = [];
  const messages: ConverseMessage[] = [];
  let documentCount = 0;
  let droppedToolBlocks = false;
  const append = (role: ConverseMessage["role"], content: ConverseContentBlock[]) => {
    if (content.length === 0) return;
    const previous = messages.at(-1);
    if (previous?.role === role) previous.content.push(...content);
    else messages.push({ role, content });
  };

  for (const message of prompt) {
    switch (message.role) {
      case "system":
        if (message.content.trim()) system.push({ text: message.content });
        break;
      case "user": {
        const content: ConverseContentBlock[] = [];
        for (const part of message.content) {
          if (part.type === "text") {
            if (part.text.trim()) content.push({ text: part.text });
          } else {
            content.push(toConverseMediaBlock(part, ++documentCount));
          }
        }
        append("user", content);
        break;
      }
      case "assistant": {
        const content: ConverseContentBlock[] = [];
        for (const part of message.content) {
          if (part.type === "text") {
            if (part.text.trim()) content.push({ text: part.text });
          } else if (part.type === "tool-call") {
            if (!options.withToolBlocks) {
              droppedToolBlocks = true;
              continue;
            }
            content.push({
              toolUse: {
                toolUseId: part.toolCallId,
                name: part.toolName,
                input: toolInputObject(part.input),
              },
            });
          } else if (part.type === "file") {
            content.push(toConverseMediaBlock(part, ++documentCount));
          }
          // Reasoning without its provider signature and provider-executed tool results cannot be
          // replayed to Bedrock: they are left out.
        }
        append("assistant", content);
        break;
      }
      case "tool": {
        const content: ConverseContentBlock[] = [];
        for (const part of message.content) {
          if (part.type !== "tool-result") continue;
          if (options.withToolBlocks) content.push(toToolResultBlock(part));
          else droppedToolBlocks = true;
        }
        append("user", content);
        break;
      }
    }
  }

  trimFinalAssistantText(messages);
  return { system, messages, droppedToolBlocks };
}

/** Converse wants the tool input as a JSON object; the prompt may hold an object or its JSON text. */
function toolInputObject(input: unknown): unknown {
  let value = input;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
}

/**
 * A tool result as a `toolResult` block. JSON objects go as `{ json }`, anything else as text.
 * `status: "error"` marks failed and denied calls; success leaves `status` out, since only some
 * model families accept the field.
 */
function toToolResultBlock(part: LanguageModelV3ToolResultPart): ConverseToolResultBlock {
  const { content, failed } = toolResultContent(part.output);
  return {
    toolResult: { toolUseId: part.toolCallId, content, ...(failed ? { status: "error" as const } : {}) },
  };
}

function toolResultContent(output: LanguageModelV3ToolResultOutput): {
  content: ConverseToolResultBlock["toolResult"]["content"];
  failed: boolean;
} {
  switch (output.type) {
    case "text":
      return { content: [{ text: output.value }], failed: false };
    case "error-text":
      return { content: [{ text: output.value }], failed: true };
    case "json":
      return { content: [jsonBlock(output.value)], failed: false };
    case "error-json":
      return { content: [jsonBlock(output.value)], failed: true };
    case "execution-denied":
      return { content: [{ text: output.reason ?? "Tool call execution denied." }], failed: true };
    case "content":
      return {
        content: output.value.map((item) => {
          if (item.type === "text") return { text: item.text };
          throw new UnsupportedFunctionalityError({
            functionality: `tool result content of type ${item.type} in Bedrock Converse`,
          });
        }),
        failed: false,
      };
  }
}

function jsonBlock(value: unknown): { json: unknown } | { text: string } {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? { json: value }
    : { text: JSON.stringify(value) };
}

function trimFinalAssistantText(messages: ConverseMessage[]): void {
  const last = messages.at(-1);
  if (last?.role !== "assistant") return;
  const block = last.content.at(-1);
  if (block && "text" in block) block.text = block.text.trimEnd();
}
