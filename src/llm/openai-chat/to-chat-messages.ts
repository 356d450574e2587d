import {
  type LanguageModelV3FilePart,
  type LanguageModelV3Prompt,
  type LanguageModelV3ToolResultOutput,
  UnsupportedFunctionalityError,
} from "@ai-sdk/provider";

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type ChatUserContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string } };

/** One message of the Chat Completions `messages` array. */
export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ChatUserContentPart[] }
  | { role: "assistant"; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

/**
 * The V3 prompt as Chat Completions messages: system and user text, assistant text with its tool
 * calls (arguments as JSON text), and one `role: "tool"` message per tool result. Images become
 * `image_url` parts; other files, and files in assistant messages, throw
 * `UnsupportedFunctionalityError`. Reasoning parts are not sent back.
 */
export function toChatMessages(prompt: LanguageModelV3Prompt): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const message of prompt) {
    switch (message.role) {
      case "system":
        messages.push({ role: "system", content: message.content });
        break;
      case "user": {
        const [first] = message.content;
        if (message.content.length === 1 && first?.type === "text") {
          messages.push({ role: "user", content: first.text });
          break;
        }
        messages.push({
          role: "user",
          content: message.content.map((part) =>
            part.type === "text" ? { type: "text", text: part.text } : toImagePart(part),
          ),
        });
        break;
      }
      case "assistant": {
        let text = "";
        const toolCalls: ChatToolCall[] = [];
        for (const part of message.content) {
          if (part.type === "text") text += part.text;
          else if (part.type === "tool-call") {
            toolCalls.push({
              id: part.toolCallId,
              type: "function",
              function: { name: part.toolName, arguments: toArgumentsJson(part.input) },
            });
          } else if (part.type === "file") {
            throw new UnsupportedFunctionalityError({ functionality: "file parts in assistant messages" });
          }
        }
        messages.push(
          toolCalls.length > 0
            ? { role: "assistant", content: text || null, tool_calls: toolCalls }
            : { role: "assistant", content: text },
        );
        break;
      }
      case "tool":
        for (const part of message.content) {
          if (part.type !== "tool-result") continue;
          messages.push({ role: "tool", tool_call_id: part.toolCallId, content: toToolContent(part.output) });
        }
        break;
    }
  }
  return messages;
}

function toImagePart(part: LanguageModelV3FilePart): ChatUserContentPart {
  if (!part.mediaType.startsWith("image/")) {
    throw new UnsupportedFunctionalityError({
      functionality: `file parts of type ${part.mediaType} (only images are sent to Chat Completions)`,
    });
  }
  if (part.data instanceof URL) return { type: "image_url", image_url: { url: part.data.toString() } };
  const mediaType = part.mediaType === "image/*" ? "image/jpeg" : part.mediaType;
  const base64 = typeof part.data === "string" ? part.data : Buffer.from(part.data).toString("base64");
  return { type: "image_url", image_url: { url: `data:${mediaType};base64,${base64}` } };
}

/** Tool-call input as the JSON text Chat Completions expects (a JSON string is passed through). */
function toArgumentsJson(input: unknown): string {
  if (typeof input === "string") {
    try {
      JSON.parse(input);
      return input;
    } catch {
      return JSON.stringify(input);
    }
  }
  return JSON.stringify(input ?? {});
}

function toToolContent(output: LanguageModelV3ToolResultOutput): string {
  switch (output.type) {
    case "text":
    case "error-text":
      return output.value;
    case "execution-denied":
      return output.reason ?? "Tool call execution denied.";
    case "json":
    case "error-json":
    case "content":
      return JSON.stringify(output.value);
  }
}
