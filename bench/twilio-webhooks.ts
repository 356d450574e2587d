/**
 * The webhooks Twilio sends around the load generator's calls (bench/load-voice.ts and its soak,
 * bench/soak-churn.ts), signed as Twilio signs them.
 */
import { randomBytes } from "node:crypto";
import { signTwilioRequest } from "../src/testing/sign-twilio-request.js";
import type { CallState, LoadVoiceOptions } from "./load-voice.js";

/** A Twilio-style id: the prefix (`CA`, `AC`, `SM`, `VX`…) and 32 random hex digits. */
export function randomSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

/**
 * A signed form POST to `path` on the server, signed over the same path of the URL Twilio would
 * sign; false unless a 2xx. Without signatures configured (no auth token), nothing is sent.
 */
export async function postTwilioForm(
  options: LoadVoiceOptions,
  path: string,
  params: Record<string, string>,
): Promise<boolean> {
  const webhook = options.voiceWebhook;
  if (!webhook || options.authToken === undefined) return true;
  try {
    const response = await fetch(new URL(path, webhook.url), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signTwilioRequest(
          options.authToken,
          new URL(path, webhook.signedUrl).toString(),
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** `POST /twilio/voice/ended` as Twilio sends it after a caller hung up. */
export function postSessionEnded(
  options: LoadVoiceOptions,
  call: CallState,
  seconds: number,
): Promise<boolean> {
  return postTwilioForm(options, "/twilio/voice/ended", {
    AccountSid: call.accountSid,
    CallSid: call.callSid,
    CallStatus: "completed",
    SessionId: call.sessionId,
    SessionStatus: "completed",
    SessionDuration: String(seconds),
  });
}

/** An incoming SMS from `from`, as Twilio posts it to `/twilio/sms`. */
export function postText(options: LoadVoiceOptions, from: string): Promise<boolean> {
  return postTwilioForm(options, "/twilio/sms", {
    MessageSid: randomSid("SM"),
    AccountSid: randomSid("AC"),
    From: from,
    To: "+18885550100",
    Body: "Can you text me what we just said?",
    NumMedia: "0",
  });
}
