import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks.js";

/**
 * The `X-Twilio-Signature` value Twilio would send for a request to `url` with form `params`
 * (HMAC-SHA1 over the URL plus the sorted parameters, keyed with the auth token). For a WebSocket
 * upgrade or a GET, leave `params` empty.
 */
export function signTwilioRequest(
  authToken: string,
  url: string,
  params: Record<string, string> = {},
): string {
  return getExpectedTwilioSignature(authToken, url, params);
}
