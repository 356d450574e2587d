import { createHmac } from "node:crypto";

/** The header that carries it on tool calls and event webhooks. */
const switchboardSignatureHeader = "switchboard-signature";

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the receiver recomputes it over the
 * raw body and refuses old timestamps (docs/tools.md, docs/webhooks.md).
 */
function signSwitchboardRequest(secret: string, timestamp: number, body: string): string {
  const digest = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${digest}`;
}

/** Seconds since the epoch: the signature's timestamp. */
function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * The headers of a JSON POST Switchboard makes to the company's systems (a tool call, an event):
 * `extra` first, then the content type, the idempotency key and, with a secret, the signature,
 * which `extra` cannot replace.
 */
export function switchboardPostHeaders(options: {
  body: string;
  idempotencyKey: string;
  secret: string | undefined;
  extra?: Readonly<Record<string, string>>;
  now?: () => number;
}): Record<string, string> {
  const headers: Record<string, string> = {
    "user-agent": "Switchboard",
    ...options.extra,
    "content-type": "application/json",
    "idempotency-key": options.idempotencyKey,
  };
  if (options.secret) {
    headers[switchboardSignatureHeader] = signSwitchboardRequest(
      options.secret,
      (options.now ?? unixSeconds)(),
      options.body,
    );
  }
  return headers;
}
