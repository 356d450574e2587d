import type { RelayPrompt } from "../relay-inbound-messages.js";
import type { RelaySession } from "../relay-session.js";
import { startReply } from "./stream-reply.js";

/** `prompt`: a final transcript starts a reply (pre-empting one still streaming). Partials are ignored. */
export function onPrompt(session: RelaySession, prompt: RelayPrompt): void {
  if (prompt.last === false) return;
  const text = prompt.voicePrompt.trim();
  if (text.length === 0) {
    session.logger.debug("relay: ignored an empty prompt");
    return;
  }
  session.dtmf.flush();
  startReply(session, { text, inputKind: "speech", metadata: prompt.lang ? { lang: prompt.lang } : {} });
}
