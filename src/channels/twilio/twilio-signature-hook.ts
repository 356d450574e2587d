import type { FastifyReply, FastifyRequest } from "fastify";
import { SignatureError } from "../../errors/signature-error.js";
import type { TwilioSignatureVerifier } from "./twilio-signature-verifier.js";

/**
 * A Fastify `preHandler` for Twilio form webhooks: with a verifier (TWILIO_AUTH_TOKEN set), a
 * request without a valid signature is answered 403 before the handler runs, so nothing is stored.
 */
export function twilioWebhookGuard(verifier: TwilioSignatureVerifier | undefined) {
  return async function verifyTwilioWebhook(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (!verifier) return;
    const signature = headerValue(request.headers["x-twilio-signature"]);
    const params = (request.body ?? {}) as Record<string, unknown>;
    if (!verifier.verifyWebhook(request.url, signature, params)) {
      const why = verifier.explainFailure(request.url, signature, params, requestBase(request));
      throw new SignatureError(`Invalid or missing X-Twilio-Signature: ${why}`);
    }
  };
}

/** The scheme and host the request names (through a trusted proxy's X-Forwarded-Proto and -Host). */
export function requestBase(request: FastifyRequest): string | undefined {
  return request.host ? `${request.protocol}://${request.host}` : undefined;
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
