import { z } from "zod";
import { type AgentTool, defineTool } from "../core/tools/agent-tool.js";
import { ToolError } from "../errors/tool-error.js";

/**
 * Tools that act on a live phone call (offered on the voice channel only). `transfer_to_human` is
 * offered only when a number to transfer to is configured, so the agent never promises a person
 * nobody can reach.
 */
export function createVoiceCallTools(options: {
  humanAgentNumber: string | undefined;
  /** Languages the call can switch to (the main one and the configured extra ones). */
  languages?: readonly string[];
}): AgentTool[] {
  const sendDigits = defineTool({
    name: "send_digits",
    description:
      "Press keys on the phone line (DTMF), e.g. to navigate another phone menu. Digits 0-9, * and #; 'w' waits half a second.",
    inputSchema: z.object({
      digits: z.string().regex(/^[0-9*#wW]{1,32}$/, "digits may contain 0-9, *, # and w"),
    }),
    channels: ["voice"],
    execute(input, context) {
      context.requestChannelAction({ kind: "send-digits", digits: input.digits });
      return { ok: true, sent: input.digits };
    },
  });

  const endCall = defineTool({
    name: "end_call",
    description: "End the phone call after your reply, when the caller says goodbye or has nothing else.",
    inputSchema: z.object({ reason: z.string().max(200).optional() }),
    channels: ["voice"],
    execute(input, context) {
      context.requestChannelAction({
        kind: "end-session",
        handoffData: JSON.stringify({ reason: "completed", note: input.reason ?? "" }),
      });
      return { ok: true, ending: true };
    },
  });

  const transferToHuman = defineTool({
    name: "transfer_to_human",
    description: "Transfer the caller to a person when they ask for one or you cannot help.",
    inputSchema: z.object({ reason: z.string().max(500).optional() }),
    channels: ["voice"],
    execute(input, context) {
      context.requestChannelAction({
        kind: "end-session",
        handoffData: JSON.stringify({ reason: "human", summary: input.reason ?? "" }),
      });
      return { ok: true, transferring: true };
    },
  });

  const languages = [...new Set(options.languages ?? [])];
  const switchLanguage = defineTool({
    name: "switch_language",
    description: `Switch the call's speech recognition and voice to another language when the caller speaks it. Available: ${languages.join(", ")}.`,
    inputSchema: z.object({ language: z.string().min(2).max(20) }),
    channels: ["voice"],
    execute(input, context) {
      if (!languages.includes(input.language)) {
        throw new ToolError(
          `Language ${input.language} is not configured for calls; available: ${languages.join(", ")}.`,
        );
      }
      context.requestChannelAction({ kind: "switch-language", language: input.language });
      return { ok: true, language: input.language };
    },
  });

  return [
    sendDigits,
    endCall,
    ...(options.humanAgentNumber ? [transferToHuman] : []),
    ...(languages.length > 1 ? [switchLanguage] : []),
  ];
}
