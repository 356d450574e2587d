import type { RelayInterrupt } from "../relay-inbound-messages.js";
import type { RelaySession } from "../relay-session.js";
import { abortReply } from "./stream-reply.js";

/**
 * `interrupt`: the caller barged in. Stop generating at once, then keep in history only what the
 * caller heard (`utteranceUntilInterrupt`), marking the reply as interrupted.
 */
export function onInterrupt(session: RelaySession, interrupt: RelayInterrupt): void {
  abortReply(session);
  const conversation = session.conversation;
  if (!conversation) return;
  conversation.recordInterruption(interrupt.utteranceUntilInterrupt).catch((error: unknown) => {
    session.logger.error({ err: error }, "relay: could not record the interruption");
  });
}
