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
  /**
   * Why a request failed the check, for its 403 and the log: no header, a signature made for
   * another base URL (`seenBase`, the scheme and host the request itself names: a tunnel whose URL
   * changed since PUBLIC_URL was set), or one that matches nothing (another auth token).
   * `params` are a webhook's form fields; undefined for the WebSocket upgrade (signed over `wss://`).
   */
  explainFailure(
    pathAndQuery: string,
    signature: string | undefined,
    params: Record<string, unknown> | undefined,
    seenBase: string | undefined,
  ): string;
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
    explainFailure(pathAndQuery, signature, params, seenBase) {
      if (!signature) return "the request has no X-Twilio-Signature header (it does not come from Twilio)";
      const webSocket = params === undefined;
      const expected = (webSocket ? webSocketBase : httpBase) + pathAndQuery;
      const seen = seenBase?.replace(/\/+$/, "");
      if (seen && seen !== httpBase) {
        const candidates = webSocket ? [seen.replace(/^http/, "ws"), seen] : [seen];
        if (
          candidates.some((base) => validateRequest(authToken, signature, base + pathAndQuery, params ?? {}))
        )
          return `it was signed for ${seen}${pathAndQuery}, but PUBLIC_URL is ${httpBase}: set PUBLIC_URL=${seen} (the URL Twilio calls) and restart`;
      }
      return `it does not match ${expected}: PUBLIC_URL must be exactly the URL Twilio calls, and TWILIO_AUTH_TOKEN the auth token of the account that sent it`;
    },
  };
}

/** The `wss://` (or `ws://` for a plain-http public URL) base that TwiML points Twilio at. */
export function webSocketBaseUrl(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, "").replace(/^http/, "ws");
}
