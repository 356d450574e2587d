import { describe, expect, it } from "vitest";
import { createTwilioSignatureVerifier } from "../../../src/channels/twilio/twilio-signature-verifier.js";
import { signTwilioRequest } from "../../../src/testing/sign-twilio-request.js";

const authToken = "verifier-test-token";
const publicUrl = "https://agent.example.com";

describe("TwilioSignatureVerifier", () => {
  const verifier = createTwilioSignatureVerifier({ authToken, publicUrl });

  it("checks a ConversationRelay upgrade over the wss:// URL, and explains a tunnel's other URL", () => {
    const path = "/twilio/relay";
    expect(
      verifier.verifyWebSocket(path, signTwilioRequest(authToken, `wss://agent.example.com${path}`, {})),
    ).toBe(true);
    const forTunnel = signTwilioRequest(authToken, `wss://abc.ngrok.app${path}`, {});
    expect(verifier.verifyWebSocket(path, forTunnel)).toBe(false);
    expect(verifier.explainFailure(path, forTunnel, undefined, "https://abc.ngrok.app")).toBe(
      `it was signed for https://abc.ngrok.app${path}, but PUBLIC_URL is ${publicUrl}: set PUBLIC_URL=https://abc.ngrok.app (the URL Twilio calls) and restart`,
    );
    // A signature for neither URL says what it was checked against.
    expect(
      verifier.explainFailure(path, "bm90IGEgc2lnbmF0dXJl", undefined, "https://abc.ngrok.app"),
    ).toContain(`it does not match wss://agent.example.com${path}`);
  });

  it("never accepts what it explains: a webhook signed for the seen host still fails verification", () => {
    const params = { CallSid: "CA1", From: "+14155550123" };
    const forTunnel = signTwilioRequest(authToken, "https://abc.ngrok.app/twilio/voice", params);
    expect(verifier.verifyWebhook("/twilio/voice", forTunnel, params)).toBe(false);
    expect(verifier.explainFailure("/twilio/voice", forTunnel, params, "https://abc.ngrok.app")).toContain(
      "set PUBLIC_URL=https://abc.ngrok.app",
    );
    expect(verifier.explainFailure("/twilio/voice", forTunnel, params, publicUrl)).toContain(
      `it does not match ${publicUrl}/twilio/voice`,
    );
  });
});
