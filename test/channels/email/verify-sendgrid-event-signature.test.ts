import { generateKeyPairSync, sign } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  createSendGridEventVerifier,
  sendGridSignatureHeader,
  sendGridTimestampHeader,
} from "../../../src/channels/email/verify-sendgrid-event-signature.js";
import { ConfigError } from "../../../src/errors/config-error.js";

const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const publicKeyBase64 = publicKey.export({ format: "der", type: "spki" }).toString("base64");

function signBody(timestamp: string, rawBody: Buffer): string {
  return sign("sha256", Buffer.concat([Buffer.from(timestamp, "utf8"), rawBody]), privateKey).toString(
    "base64",
  );
}

const timestamp = "1756807200";
const now = Number(timestamp) * 1000 + 30_000;
/** Two events as SendGrid batches them: `},\r\n{` between events and a trailing CRLF. */
const rawBody = Buffer.from(
  `${JSON.stringify([
    {
      email: "pat@example.org",
      timestamp: 1756807190,
      event: "delivered",
      sg_event_id: "ZGVsaXZlcmVkLTAtMQ",
      sg_message_id: "x7Kq2LmPQ9.filter-1.0",
      "smtp-id": "<x7Kq2LmPQ9@ismtpd.example>",
      response: "250 OK",
      conversationId: "conv_77",
    },
    {
      email: "sam@example.net",
      timestamp: 1756807195,
      event: "bounce",
      type: "blocked",
      reason: "550 5.1.1 unknown user",
      sg_event_id: "Ym91bmNlLTAtMg",
      sg_message_id: "y8Lr3MnQR0.filter-1.0",
    },
  ])
    .split("},{")
    .join("},\r\n{")}\r\n`,
  "utf8",
);

describe("createSendGridEventVerifier", () => {
  const verifier = createSendGridEventVerifier(publicKeyBase64);

  it("exports the lower-cased header names", () => {
    expect(sendGridSignatureHeader).toBe("x-twilio-email-event-webhook-signature");
    expect(sendGridTimestampHeader).toBe("x-twilio-email-event-webhook-timestamp");
  });

  it("accepts a valid signature over the exact bytes (multi-event body with CRLFs)", () => {
    expect(rawBody.includes("},\r\n{")).toBe(true);
    expect(rawBody.subarray(-2).toString()).toBe("\r\n");
    expect(verifier.verify(rawBody, signBody(timestamp, rawBody), timestamp, now)).toEqual({ ok: true });
  });

  it("rejects the same events once re-serialized or with the trailing CRLF removed", () => {
    const signature = signBody(timestamp, rawBody);
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(rawBody.toString("utf8"))));
    expect(verifier.verify(reserialized, signature, timestamp, now)).toEqual({
      ok: false,
      reason: "signature does not match",
    });
    expect(verifier.verify(rawBody.subarray(0, -2), signature, timestamp, now).ok).toBe(false);
  });

  it("rejects a tampered body", () => {
    const signature = signBody(timestamp, rawBody);
    const tampered = Buffer.from(rawBody.toString("utf8").replace('"bounce"', '"delivered"'));
    expect(verifier.verify(tampered, signature, timestamp, now)).toEqual({
      ok: false,
      reason: "signature does not match",
    });
  });

  it("rejects a signature made for another timestamp", () => {
    const signature = signBody(timestamp, rawBody);
    const otherTimestamp = String(Number(timestamp) + 1);
    expect(verifier.verify(rawBody, signature, otherTimestamp, now)).toEqual({
      ok: false,
      reason: "signature does not match",
    });
  });

  it("rejects stale timestamps and timestamps too far in the future, even when correctly signed", () => {
    const signature = signBody(timestamp, rawBody);
    const signedAtMs = Number(timestamp) * 1000;
    expect(verifier.verify(rawBody, signature, timestamp, signedAtMs + 10 * 60_000).ok).toBe(true);
    expect(verifier.verify(rawBody, signature, timestamp, signedAtMs + 10 * 60_000 + 1000)).toEqual({
      ok: false,
      reason: "timestamp is too old",
    });
    expect(verifier.verify(rawBody, signature, timestamp, signedAtMs - 5 * 60_000).ok).toBe(true);
    expect(verifier.verify(rawBody, signature, timestamp, signedAtMs - 5 * 60_000 - 1000)).toEqual({
      ok: false,
      reason: "timestamp is in the future",
    });
  });

  it("uses the current time by default", () => {
    const freshTimestamp = String(Math.floor(Date.now() / 1000));
    expect(verifier.verify(rawBody, signBody(freshTimestamp, rawBody), freshTimestamp).ok).toBe(true);
    expect(verifier.verify(rawBody, signBody(timestamp, rawBody), timestamp)).toEqual({
      ok: false,
      reason: "timestamp is too old",
    });
  });

  it("rejects missing headers and malformed values", () => {
    const signature = signBody(timestamp, rawBody);
    expect(verifier.verify(rawBody, undefined, timestamp, now)).toEqual({
      ok: false,
      reason: "missing signature header",
    });
    expect(verifier.verify(rawBody, "", timestamp, now).ok).toBe(false);
    expect(verifier.verify(rawBody, signature, undefined, now)).toEqual({
      ok: false,
      reason: "missing timestamp header",
    });
    expect(verifier.verify(rawBody, signature, "1756807200.5", now)).toEqual({
      ok: false,
      reason: "timestamp is not Unix seconds",
    });
    expect(verifier.verify(rawBody, "bm90IGEgc2lnbmF0dXJl", timestamp, now)).toEqual({
      ok: false,
      reason: "signature is malformed",
    });
  });

  it("rejects a signature from another key", () => {
    const other = createSendGridEventVerifier(
      generateKeyPairSync("ec", { namedCurve: "P-256" })
        .publicKey.export({ format: "der", type: "spki" })
        .toString("base64"),
    );
    expect(other.verify(rawBody, signBody(timestamp, rawBody), timestamp, now).ok).toBe(false);
  });

  it("throws a clear error for an invalid public key", () => {
    expect(() => createSendGridEventVerifier("not a key")).toThrow(ConfigError);
    expect(() => createSendGridEventVerifier("not a key")).toThrow(
      /^Invalid environment variable SENDGRID_EVENT_PUBLIC_KEY: not a base64 DER/,
    );
    expect(() => createSendGridEventVerifier("")).toThrow(/P-256/);
    const secp256k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" })
      .publicKey.export({ format: "der", type: "spki" })
      .toString("base64");
    expect(() => createSendGridEventVerifier(secp256k1)).toThrow(/expected an EC P-256 key/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .publicKey.export({ format: "der", type: "spki" })
      .toString("base64");
    expect(() => createSendGridEventVerifier(rsa)).toThrow(/expected an EC P-256 key/);
  });
});

// The official vectors from sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js, which ships
// inside the installed @sendgrid/eventwebhook package. Skipped only if that spec file is not installed.
const officialSpecInstalled = existsSync(
  createRequire(import.meta.url)
    .resolve("@sendgrid/eventwebhook")
    .replace(/eventwebhook\.js$/, "eventwebhook.spec.js"),
);

describe.skipIf(!officialSpecInstalled)("official @sendgrid/eventwebhook test vectors", () => {
  const officialPublicKey =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
  const officialSignature =
    "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
  const officialTimestamp = "1600112502";
  const officialPayload = Buffer.from(
    `${JSON.stringify([
      {
        email: "hello@world.com",
        event: "dropped",
        reason: "Bounced Address",
        sg_event_id: "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
        sg_message_id: "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
        "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
        timestamp: 1600112492,
      },
    ])}\r\n`,
  );

  const multiplePublicKey =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUvwaX/JScE7Fc9CJD2afQ9Ok3Q==";
  const multipleSignature =
    "MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5";
  const multipleTimestamp = "1619651159";
  const multiplePayload = Buffer.from(
    `${JSON.stringify([
      {
        email: "invalid@gmail.com",
        event: "processed",
        send_at: 0,
        sg_event_id: "cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA",
        sg_message_id: "qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0",
        "smtp-id": "<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>",
        timestamp: 1619651146,
      },
      {
        email: "invalid@gmail.com",
        event: "bounce",
        ip: "167.89.101.76",
        reason:
          "552 5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp",
        sg_event_id: "Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w",
        sg_message_id: "qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0",
        "smtp-id": "<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>",
        status: "5.2.2",
        timestamp: 1619651147,
        tls: 1,
        type: "blocked",
      },
    ])
      .split("},{")
      .join("},\r\n{")}\r\n`,
  );

  it("verifies the single-event vector", () => {
    const verifier = createSendGridEventVerifier(officialPublicKey);
    const signedAtMs = Number(officialTimestamp) * 1000;
    expect(verifier.verify(officialPayload, officialSignature, officialTimestamp, signedAtMs)).toEqual({
      ok: true,
    });
    expect(verifier.verify(Buffer.from("payload"), officialSignature, officialTimestamp, signedAtMs).ok).toBe(
      false,
    );
    expect(
      verifier.verify(officialPayload.subarray(0, -2), officialSignature, officialTimestamp, signedAtMs).ok,
    ).toBe(false);
  });

  it("verifies the multi-event vector", () => {
    const verifier = createSendGridEventVerifier(multiplePublicKey);
    const signedAtMs = Number(multipleTimestamp) * 1000;
    expect(verifier.verify(multiplePayload, multipleSignature, multipleTimestamp, signedAtMs)).toEqual({
      ok: true,
    });
    expect(verifier.verify(multiplePayload, officialSignature, multipleTimestamp, signedAtMs).ok).toBe(false);
  });
});
