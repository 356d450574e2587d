import { randomUUID } from "node:crypto";

/** `conv_…`, `msg_…`, `out_…`: a prefix and a random UUID without dashes. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}

/** Milliseconds that strictly increase within this process, so "newest first" has no ties. */
export function createMonotonicClock(): () => number {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };
}
