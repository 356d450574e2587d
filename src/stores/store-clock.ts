import { randomBytes } from "node:crypto";

/**
 * `conv_…`, `msg_…`, `out_…`: a prefix, the time in milliseconds (12 hex digits) and 80 random bits.
 * Time-ordered like UUIDv7, so new rows land at the end of an index instead of on random pages
 * (fewer pages rewritten per commit); still unguessable.
 */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(16).padStart(12, "0")}${randomBytes(10).toString("hex")}`;
}

/** Milliseconds that strictly increase within this process, so "newest first" has no ties. */
export function createMonotonicClock(): () => number {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };
}
