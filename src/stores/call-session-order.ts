import type { CallSession } from "../ports/conversation-store.js";

/** A conversation's calls in the order they started (call SID breaks ties), as every store lists them. */
export function byCallStart(left: CallSession, right: CallSession): number {
  return left.startedAt - right.startedAt || left.callSid.localeCompare(right.callSid);
}
