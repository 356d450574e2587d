import type { LanguageModelV3Content } from "@ai-sdk/provider";
import type { ConverseResponseContentBlock } from "./converse-api-types.js";

/** The content blocks of a Converse answer as V3 content (tool inputs as JSON text). */
export function toGenerateContent(blocks: readonly ConverseResponseContentBlock[]): LanguageModelV3Content[] {
  const content: LanguageModelV3Content[] = [];
  for (const block of blocks) {
    if (block.text !== undefined) content.push({ type: "text", text: block.text });
    const reasoning = block.reasoningContent?.reasoningText?.text;
    if (reasoning) content.push({ type: "reasoning", text: reasoning });
    if (block.toolUse) {
      content.push({
        type: "tool-call",
        toolCallId: block.toolUse.toolUseId,
        toolName: block.toolUse.name,
        input: JSON.stringify(block.toolUse.input ?? {}),
      });
    }
  }
  return content;
}
