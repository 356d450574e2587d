import type { z } from "zod";
import type { ChannelName } from "../../ports/channel.js";
import type { ChannelAction } from "../agent/turn-event.js";

/** What a tool can see and do while it runs. */
export interface ToolContext {
  conversationId: string;
  customerId: string | null;
  channel: ChannelName;
  /**
   * Where this turn's own reply goes, when the channel answers an address: the sender of the SMS or
   * email being answered. A message to it on the same channel would arrive beside the reply.
   */
  replyTo?: string;
  turnId: string;
  /** The model's id for this call: with `turnId`, a stable idempotency key for side effects. */
  toolCallId: string;
  abortSignal: AbortSignal;
  /** Ask the channel to act (voice: send DTMF digits, end or hand off the call). */
  requestChannelAction(action: ChannelAction): void;
}

export interface AgentTool<Input = unknown, Output = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<Input>;
  /** Channels this tool is offered on; all channels when omitted. */
  channels?: readonly ChannelName[];
  execute(input: Input, context: ToolContext): Promise<Output> | Output;
}

/** Typed helper: infers the input type from the Zod schema. */
export function defineTool<Schema extends z.ZodType, Output>(tool: {
  name: string;
  description: string;
  inputSchema: Schema;
  channels?: readonly ChannelName[];
  execute(input: z.infer<Schema>, context: ToolContext): Promise<Output> | Output;
}): AgentTool<z.infer<Schema>, Output> {
  return tool as AgentTool<z.infer<Schema>, Output>;
}
