import { createHmac } from "node:crypto";

/** The header that carries it on tool calls and event webhooks. */
export const switchboardSignatureHeader = "switchboard-signature";

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the receiver recomputes it over the
 * raw body and refuses old timestamps (docs/tools.md, docs/webhooks.md).
 */
export function signSwitchboardRequest(secret: string, timestamp: number, body: string): string {
  const digest = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${digest}`;
}
