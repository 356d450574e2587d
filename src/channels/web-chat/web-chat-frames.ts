import { z } from "zod";
import type { ChannelName } from "../../ports/channel.js";
import type { StoredMessage } from "../../ports/conversation-store.js";
import { invalidFrameReason, readJsonObjectFrame, shortFrameType } from "../json-frames.js";

/** The longest message a visitor may send, in characters. */
export const maxWebMessageChars = 4000;

/**
 * Frames the web widget sends (JSON text frames). Unknown fields are ignored; unknown types are
 * answered with an `error` frame and dropped.
 */
const messageSchema = z.object({
  type: z.literal("message"),
  text: z
    .string()
    .transform((text) => text.trim())
    .pipe(z.string().min(1, "must not be empty").max(maxWebMessageChars)),
  /** The client's own id for this message; echoed as `replyTo` on the turn that answers it. */
  id: z.string().max(64).optional(),
});
const cancelSchema = z.object({ type: z.literal("cancel") });
const pingSchema = z.object({ type: z.literal("ping") });

const schemas = { message: messageSchema, cancel: cancelSchema, ping: pingSchema } as const;

export type WebChatMessage = z.infer<typeof messageSchema>;
export type WebChatInbound = WebChatMessage | z.infer<typeof cancelSchema> | z.infer<typeof pingSchema>;

export type ParsedWebChatFrame = { ok: true; frame: WebChatInbound } | { ok: false; reason: string };

/** Parses one text frame from the widget; never throws. */
export function parseWebChatFrame(data: string): ParsedWebChatFrame {
  const read = readJsonObjectFrame(data);
  if (typeof read === "string") return { ok: false, reason: read };
  const schema = schemas[read.type as keyof typeof schemas];
  if (!schema) return { ok: false, reason: `unknown frame type "${shortFrameType(read.type)}"` };
  const result = schema.safeParse(read.value);
  if (!result.success) return { ok: false, reason: invalidFrameReason(read.type, result.error) };
  return { ok: true, frame: result.data };
}

/** A line of the conversation as the widget shows it (any channel: the timeline is shared). */
export interface WebChatHistoryLine {
  role: "user" | "assistant";
  channel: ChannelName;
  text: string;
  at: string;
}

/** Frames Switchboard sends to the widget. */
export type WebChatOutbound =
  | {
      type: "ready";
      visitorId: string;
      conversationId: string;
      /** What answers: e.g. the offline model says it is a deterministic stand-in. */
      model: string;
      history: WebChatHistoryLine[];
    }
  | { type: "turn-start"; turnId: string; replyTo?: string }
  | { type: "text"; turnId: string; delta: string }
  | { type: "tool"; turnId: string; name: string }
  | { type: "turn-end"; turnId: string; text: string; finishReason: string; aborted: boolean }
  | {
      type: "error";
      message: string;
      turnId?: string;
      /** `RATE_LIMITED` when the message was refused for the address's allowance. */
      code?: "RATE_LIMITED";
      /** With `RATE_LIMITED`: when the next message will be accepted. */
      retryAfterMs?: number;
    }
  | { type: "pong" };

export function encodeWebChatFrame(frame: WebChatOutbound): string {
  return JSON.stringify(frame);
}

/** The visible lines of stored messages: user and assistant text, oldest first. */
export function toHistoryLines(messages: readonly StoredMessage[]): WebChatHistoryLine[] {
  const lines: WebChatHistoryLine[] = [];
  for (const message of messages) {
    if ((message.role !== "user" && message.role !== "assistant") || message.text.length === 0) continue;
    lines.push({
      role: message.role,
      channel: message.channel,
      text: message.text,
      at: new Date(message.createdAt).toISOString(),
    });
  }
  return lines;
}
