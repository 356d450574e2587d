import { z } from "zod";
import { invalidFrameReason, readJsonObjectFrame, shortFrameType } from "../json-frames.js";

/** Frames Twilio ConversationRelay sends us. Unknown fields are ignored; unknown types are dropped. */
const setupSchema = z.object({
  type: z.literal("setup"),
  sessionId: z.string().min(1),
  callSid: z.string().min(1),
  accountSid: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  direction: z.string().optional(),
  callType: z.string().optional(),
  callStatus: z.string().optional(),
  parentCallSid: z.string().optional(),
  forwardedFrom: z.string().optional(),
  callerName: z.string().optional(),
  customParameters: z.record(z.string(), z.string()).optional(),
});

const promptSchema = z.object({
  type: z.literal("prompt"),
  voicePrompt: z.string(),
  lang: z.string().optional(),
  last: z.boolean().optional(),
});

const interruptSchema = z.object({
  type: z.literal("interrupt"),
  utteranceUntilInterrupt: z.string().optional().default(""),
  durationUntilInterruptMs: z.union([z.number(), z.string()]).optional(),
});

const dtmfSchema = z.object({ type: z.literal("dtmf"), digit: z.string().regex(/^[0-9*#A-Da-dw]$/) });
const errorSchema = z.object({ type: z.literal("error"), description: z.string().optional().default("") });
const infoSchema = z.object({
  type: z.literal("info"),
  name: z.string().optional(),
  value: z.unknown().optional(),
});

const schemas = {
  setup: setupSchema,
  prompt: promptSchema,
  interrupt: interruptSchema,
  dtmf: dtmfSchema,
  error: errorSchema,
  info: infoSchema,
} as const;

export type RelaySetup = z.infer<typeof setupSchema>;
export type RelayPrompt = z.infer<typeof promptSchema>;
export type RelayInterrupt = z.infer<typeof interruptSchema>;
export type RelayDtmf = z.infer<typeof dtmfSchema>;
export type RelayError = z.infer<typeof errorSchema>;
export type RelayInfo = z.infer<typeof infoSchema>;
export type RelayInboundMessage =
  | RelaySetup
  | RelayPrompt
  | RelayInterrupt
  | RelayDtmf
  | RelayError
  | RelayInfo;

export type ParsedRelayFrame =
  | { ok: true; message: RelayInboundMessage }
  | { ok: false; reason: string; frameType: string | undefined };

/**
 * A `prompt` frame as the schema would give it, checked by hand: prompts are most of a call's
 * frames, and this is on the way to the first token. Anything unusual goes through the schema.
 */
function fastPrompt(value: Record<string, unknown>): RelayPrompt | undefined {
  const { voicePrompt, lang, last } = value;
  if (typeof voicePrompt !== "string") return undefined;
  if (lang !== undefined && typeof lang !== "string") return undefined;
  if (last !== undefined && typeof last !== "boolean") return undefined;
  const prompt: RelayPrompt = { type: "prompt", voicePrompt };
  if (lang !== undefined) prompt.lang = lang;
  if (last !== undefined) prompt.last = last;
  return prompt;
}

/** Parses one text frame; never throws. */
export function parseRelayFrame(data: string): ParsedRelayFrame {
  const read = readJsonObjectFrame(data);
  if (typeof read === "string") return { ok: false, reason: read, frameType: undefined };
  const { value, type } = read;
  if (type === "prompt") {
    const prompt = fastPrompt(value);
    if (prompt) return { ok: true, message: prompt };
  }
  const schema = schemas[type as keyof typeof schemas];
  if (!schema) {
    const frameType = shortFrameType(type);
    return { ok: false, reason: `unknown frame type "${frameType}"`, frameType };
  }
  const result = schema.safeParse(value);
  if (!result.success) return { ok: false, reason: invalidFrameReason(type, result.error), frameType: type };
  return { ok: true, message: result.data };
}
