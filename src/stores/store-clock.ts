import { randomUUID } from "node:crypto";

/**
 * `conv_…`, `msg_…`, `out_…`: a prefix, the time in milliseconds (12 hex digits) and 80 random bits.
 * Time-ordered like UUIDv7, so new rows land at the end of an index instead of on random pages
 * (fewer pages rewritten per commit); still unguessable.
 */
export function newId(prefix: string): string {
  // randomUUID draws from a cached entropy pool (randomBytes costs ten times more per call); its
  // first 8 and last 12 hex digits are random (the version and variant digits are in between).
  const random = randomUUID();
  return `${prefix}_${Date.now().toString(16).padStart(12, "0")}${random.slice(0, 8)}${random.slice(24)}`;
}

/** Milliseconds that strictly increase within this process, so "newest first" has no ties. */
export function createMonotonicClock(): () => number {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };
}
