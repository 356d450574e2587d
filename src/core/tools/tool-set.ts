import type { LanguageModelV3FunctionTool } from "@ai-sdk/provider";
import { z } from "zod";
import { type ChannelName, channelNames } from "../../ports/channel.js";
import type { AgentTool } from "./agent-tool.js";

/**
 * The agent's tools, converted to JSON schema once at start-up (never per turn), and grouped by
 * channel so a turn just picks its precomputed list.
 */
export interface ToolSet {
  get(name: string): AgentTool | undefined;
  /** The model-facing declarations offered on a channel (same array every call). */
  declarationsFor(channel: ChannelName): readonly LanguageModelV3FunctionTool[];
  readonly names: readonly string[];
}

export function createToolSet(tools: readonly AgentTool[]): ToolSet {
  const byName = new Map<string, AgentTool>();
  const declarations = new Map<AgentTool, LanguageModelV3FunctionTool>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new Error(`Duplicate tool name: ${tool.name}`);
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) throw new Error(`Invalid tool name: ${tool.name}`);
    byName.set(tool.name, tool);
    const jsonSchema = z.toJSONSchema(tool.inputSchema, { target: "draft-7", io: "input" });
    delete (jsonSchema as { $schema?: unknown }).$schema;
    declarations.set(tool, {
      type: "function",
      name: tool.name,
      description: tool.description,
      inputSchema: jsonSchema as LanguageModelV3FunctionTool["inputSchema"],
    });
  }
  const perChannel = new Map<ChannelName, readonly LanguageModelV3FunctionTool[]>();
  for (const channel of channelNames) {
    const list: LanguageModelV3FunctionTool[] = [];
    for (const tool of tools) {
      if (!tool.channels || tool.channels.includes(channel)) list.push(declarations.get(tool)!);
    }
    perChannel.set(channel, Object.freeze(list));
  }
  return {
    get: (name) => byName.get(name),
    declarationsFor: (channel) => perChannel.get(channel) ?? [],
    names: Object.freeze([...byName.keys()]),
  };
}
