import twilio from "twilio";
import RequestClient from "twilio/lib/base/RequestClient.js";
import type { OutboundPayload, OutboundSender, SendResult } from "../../ports/outbound-sender.js";
import { classifyTwilioFailure } from "./classify-twilio-error.js";

export interface TwilioSenderOptions {
  accountSid: string;
  authToken: string;
  /** The sending number (E.164) for SMS and calls. */
  fromNumber: string;
  /** Override for the REST base URL (tests run a fake Twilio on loopback). */
  apiBaseUrl?: string;
  /** Where Twilio posts message status callbacks (`PUBLIC_URL/twilio/sms/status`). */
  statusCallbackUrl?: string;
}

/**
 * Sends SMS and starts calls with Twilio's own `twilio` package. Its HTTP client is wrapped to point
 * at `apiBaseUrl` when set and to classify failures (status, error code, Retry-After) itself.
 */
export function createTwilioSender(options: TwilioSenderOptions): OutboundSender {
  const inner = new RequestClient({ timeout: 15_000 });
  const base = options.apiBaseUrl?.replace(/\/+$/, "");
  const httpClient = {
    async request(requestOptions: RequestClient.RequestOptions) {
      const uri = base ? requestOptions.uri.replace(/^https:\/\/api\.twilio\.com/, base) : requestOptions.uri;
      let response: Awaited<ReturnType<RequestClient["request"]>>;
      try {
        response = await inner.request({ ...requestOptions, uri });
      } catch (error) {
        throw classifyTwilioFailure({ error });
      }
      if (response.statusCode >= 400) {
        const headers = response.headers as Record<string, string | undefined> | undefined;
        throw classifyTwilioFailure({
          statusCode: response.statusCode,
          body: response.body,
          retryAfter: headers?.["retry-after"],
        });
      }
      return response;
    },
  };
  const client = twilio(options.accountSid, options.authToken, {
    httpClient: httpClient as unknown as RequestClient,
    lazyLoading: true,
  });

  return {
    name: "twilio",
    kinds: ["sms", "call"],
    async send(payload: OutboundPayload): Promise<SendResult> {
      if (payload.kind === "sms") {
        const message = await client.messages.create({
          to: payload.to,
          from: options.fromNumber,
          body: payload.body,
          ...(payload.mediaUrls?.length ? { mediaUrl: payload.mediaUrls } : {}),
          ...(options.statusCallbackUrl ? { statusCallback: options.statusCallbackUrl } : {}),
        });
        return { providerMessageId: message.sid, status: message.status };
      }
      if (payload.kind === "call") {
        const call = await client.calls.create({
          to: payload.to,
          from: options.fromNumber,
          twiml: payload.twiml,
        });
        return { providerMessageId: call.sid, status: call.status };
      }
      throw new Error(`The Twilio sender cannot send ${payload.kind}`);
    },
  };
}
