import { createPublicKey, verify } from "node:crypto";

const maxAgeSeconds = 600;
const maxSkewSeconds = 300;

/**
 * Verifies SendGrid's signed Event Webhook: ECDSA P-256 / SHA-256 over `timestamp + raw body`,
 * public key = base64 DER SubjectPublicKeyInfo from the settings page. Stale timestamps are refused.
 */
export function createSendGridEventVerifier(publicKeyBase64: string) {
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey({ key: Buffer.from(publicKeyBase64, "base64"), format: "der", type: "spki" });
  } catch (error) {
    throw new Error(
      `SENDGRID_EVENT_PUBLIC_KEY is not a valid base64 DER public key: ${(error as Error).message}`,
    );
  }
  return {
    verify(
      rawBody: Buffer,
      signatureBase64: string | undefined,
      timestamp: string | undefined,
      now = Date.now(),
    ): { ok: true } | { ok: false; reason: string } {
      if (!signatureBase64 || !timestamp)
        return { ok: false, reason: "missing signature or timestamp header" };
      const seconds = Number(timestamp);
      if (!Number.isFinite(seconds)) return { ok: false, reason: "timestamp is not a number" };
      const age = now / 1000 - seconds;
      if (age > maxAgeSeconds || age < -maxSkewSeconds)
        return { ok: false, reason: "timestamp outside the accepted window" };
      const valid = verify(
        "sha256",
        Buffer.concat([Buffer.from(timestamp, "utf8"), rawBody]),
        key,
        Buffer.from(signatureBase64, "base64"),
      );
      return valid ? { ok: true } : { ok: false, reason: "signature does not match" };
    },
  };
}
