import { createPublicKey } from "node:crypto";
import { createRequire } from "node:module";
import type eventWebhookPackage from "@sendgrid/eventwebhook";
import { ConfigError } from "../../errors/config-error.js";

/** Header names of SendGrid's signed Event Webhook, lower-cased as Node delivers them. */
export const sendGridSignatureHeader = "x-twilio-email-event-webhook-signature";
export const sendGridTimestampHeader = "x-twilio-email-event-webhook-timestamp";

const maxAgeMs = 10 * 60 * 1000;
const maxFutureSkewMs = 5 * 60 * 1000;

export type SendGridVerification = { ok: true } | { ok: false; reason: string };

export type SendGridEventVerifier = {
  verify(
    rawBody: Buffer,
    signatureBase64: string | undefined,
    timestamp: string | undefined,
    now?: number,
  ): SendGridVerification;
};

/**
 * Verifies SendGrid's signed Event Webhook with `@sendgrid/eventwebhook`: ECDSA P-256 / SHA-256 over
 * `timestamp + raw body` (the body exactly as received), public key = base64 DER SubjectPublicKeyInfo
 * from the settings page. Timestamps older than 10 minutes or more than 5 minutes ahead are refused.
 * Throws at construction when the key is not a P-256 public key.
 */
export function createSendGridEventVerifier(publicKeyBase64: string): SendGridEventVerifier {
  // Loaded only when a key is configured: the package and its ECDSA library are ≈ 15 modules at start.
  const { EventWebhook } = createRequire(import.meta.url)(
    "@sendgrid/eventwebhook",
  ) as typeof eventWebhookPackage;
  const eventWebhook = new EventWebhook();
  const trimmedKey = publicKeyBase64.trim();
  let publicKey: ReturnType<typeof eventWebhook.convertPublicKeyToECDSA>;
  try {
    const nodeKey = createPublicKey({ key: Buffer.from(trimmedKey, "base64"), format: "der", type: "spki" });
    const curve = nodeKey.asymmetricKeyDetails?.namedCurve;
    if (nodeKey.asymmetricKeyType !== "ec" || curve !== "prime256v1")
      throw new Error(
        `expected an EC P-256 key, got ${nodeKey.asymmetricKeyType ?? "unknown"} ${curve ?? ""}`,
      );
    publicKey = eventWebhook.convertPublicKeyToECDSA(trimmedKey);
  } catch (error) {
    // A setting that stops the start with one clear line, like any other invalid variable.
    throw new ConfigError(
      `Invalid environment variable SENDGRID_EVENT_PUBLIC_KEY: not a base64 DER (SubjectPublicKeyInfo) P-256 key (${
        error instanceof Error ? error.message : String(error)
      }); \`npm run connect:sendgrid\` prints the Event Webhook's key`,
      "SENDGRID_EVENT_PUBLIC_KEY",
      error,
    );
  }
  return {
    verify(rawBody, signatureBase64, timestamp, now = Date.now()) {
      if (!signatureBase64) return { ok: false, reason: "missing signature header" };
      if (!timestamp) return { ok: false, reason: "missing timestamp header" };
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "timestamp is not Unix seconds" };
      const ageMs = now - Number(timestamp) * 1000;
      if (ageMs > maxAgeMs) return { ok: false, reason: "timestamp is too old" };
      if (ageMs < -maxFutureSkewMs) return { ok: false, reason: "timestamp is in the future" };
      let valid: boolean;
      try {
        valid = eventWebhook.verifySignature(publicKey, rawBody.toString("utf8"), signatureBase64, timestamp);
      } catch {
        return { ok: false, reason: "signature is malformed" };
      }
      return valid ? { ok: true } : { ok: false, reason: "signature does not match" };
    },
  };
}
