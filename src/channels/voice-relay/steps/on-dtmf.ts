import type { RelayDtmf } from "../relay-inbound-messages.js";
import type { RelaySession } from "../relay-session.js";

/** `dtmf`: one key press; the buffer turns a run of digits into one input. */
export function onDtmf(session: RelaySession, dtmf: RelayDtmf): void {
  session.dtmf.push(dtmf.digit);
}
