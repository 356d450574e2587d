import type { z } from "zod";
import { BadRequestError } from "../../errors/bad-request-error.js";

/** Validates a Twilio form webhook; a malformed one becomes a 400 naming the field. */
export function parseTwilioForm<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BadRequestError(
      `Invalid ${what}: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return result.data;
}
