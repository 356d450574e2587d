import { validateRequest } from "twilio/lib/webhooks/webhooks.js";

/**
 * Checks `X-Twilio-Signature` against the URL Twilio used, rebuilt from the configured public base
 * URL (behind a proxy or tunnel the server never sees Twilio's scheme and host). Uses the `twilio`
 * package's own validator, which also tries the with/without-port URL forms Twilio may sign.
 */
export interface TwilioSignatureVerifier {
  /** A form-encoded webhook: `pathAndQuery` is the request URL as received (e.g. `/twilio/sms?x=1`). */
  verifyWebhook(
    pathAndQuery: string,
    signature: string | undefined,
    params: Record<string, unknown>,
  ): boolean;
  /** The ConversationRelay WebSocket upgrade: signed over the `wss://` URL with no parameters. */
  verifyWebSocket(pathAndQuery: string, signature: string | undefined): boolean;
}

export function createTwilioSignatureVerifier(options: {
  authToken: string;
  publicUrl: string;
}): TwilioSignatureVerifier {
  const { authToken } = options;
  const httpBase = options.publicUrl.replace(/\/+$/, "");
  const webSocketBase = httpBase.replace(/^http/, "ws");
  return {
    verifyWebhook(pathAndQuery, signature, params) {
      if (!signature) return false;
      return validateRequest(authToken, signature, httpBase + pathAndQuery, params);
    },
    verifyWebSocket(pathAndQuery, signature) {
      if (!signature) return false;
      return (
        validateRequest(authToken, signature, webSocketBase + pathAndQuery, {}) ||
        validateRequest(authToken, signature, httpBase + pathAndQuery, {})
      );
    },
  };
}

/** The `wss://` (or `ws://` for a plain-http public URL) base that TwiML points Twilio at. */
export function webSocketBaseUrl(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, "").replace(/^http/, "ws");
}
