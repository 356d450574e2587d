import { SwitchboardError } from "../../errors/switchboard-error.js";
import type { MessageToolCall, MessageToolResult } from "../../ports/conversation-store.js";
import type { ToolContext } from "../tools/agent-tool.js";
import type { ToolSet } from "../tools/tool-set.js";

/**
 * Runs one tool call: validates the input against the tool's Zod schema and turns every failure
 * into an error result the model can read (it must never believe a failed action succeeded).
 */
export async function executeToolCall(
  toolSet: ToolSet,
  call: MessageToolCall,
  baseContext: Omit<ToolContext, "toolCallId">,
): Promise<MessageToolResult> {
  const base = { toolCallId: call.toolCallId, toolName: call.toolName };
  const context: ToolContext = { ...baseContext, toolCallId: call.toolCallId };
  const tool = toolSet.get(call.toolName);
  if (!tool || (tool.channels && !tool.channels.includes(context.channel))) {
    return {
      ...base,
      output: `Unknown tool "${call.toolName}" on the ${context.channel} channel.`,
      isError: true,
    };
  }
  const parsed = tool.inputSchema.safeParse(call.input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`);
    return { ...base, output: `Invalid input for ${call.toolName}: ${issues.join("; ")}`, isError: true };
  }
  try {
    const output = await tool.execute(parsed.data, context);
    return { ...base, output: output ?? null, isError: false };
  } catch (error) {
    const message =
      error instanceof SwitchboardError || error instanceof Error ? error.message : String(error);
    return { ...base, output: message, isError: true };
  }
}
