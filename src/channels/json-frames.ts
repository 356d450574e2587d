import type { z } from "zod";

/**
 * A WebSocket text frame as a JSON object with a string `type`, or the reason it is not one (a
 * string). Shared by the channels whose frames look like that (ConversationRelay, web chat).
 */
export function readJsonObjectFrame(data: string): { value: Record<string, unknown>; type: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return "frame is not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "frame is not a JSON object";
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return "frame has no string `type`";
  return { value: value as Record<string, unknown>, type };
}

/** The sender's `type` as it may appear in a reason or a log line: cut short. */
export function shortFrameType(type: string): string {
  return type.slice(0, 32);
}

/** Why a frame of a known type failed its schema: the first issue, with its path. */
export function invalidFrameReason(type: string, error: z.ZodError): string {
  const issue = error.issues[0];
  return `invalid ${type} frame: ${issue?.path.join(".") || "frame"} ${issue?.message ?? "is invalid"}`;
}
