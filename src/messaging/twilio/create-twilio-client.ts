import twilio, { type Twilio } from "twilio";
import RequestClient from "twilio/lib/base/RequestClient.js";
import { classifyTwilioFailure } from "./classify-twilio-error.js";

export interface TwilioClientOptions {
  accountSid: string;
  authToken: string;
  /** Override for the REST base URL (tests run a fake Twilio on loopback). */
  apiBaseUrl?: string;
}

/**
 * Twilio's own `twilio` client, its HTTP client wrapped to point at `apiBaseUrl` when set and to
 * turn failures (status, error code, Retry-After, network errors) into classified DeliveryErrors.
 */
export function createTwilioClient(options: TwilioClientOptions): Twilio {
  const inner = new RequestClient({ timeout: 15_000 });
  const base = options.apiBaseUrl?.replace(/\/+$/, "");
  const httpClient = {
    async request(requestOptions: RequestClient.RequestOptions) {
      const uri = base
        ? requestOptions.uri.replace(/^https:\/\/(?:api|messaging)\.twilio\.com/, base)
        : requestOptions.uri;
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
  return twilio(options.accountSid, options.authToken, {
    httpClient: httpClient as unknown as RequestClient,
    lazyLoading: true,
  });
}
