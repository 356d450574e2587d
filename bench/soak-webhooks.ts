/** What Twilio sends around a soak's calls (bench/soak-churn.ts), signed as Twilio signs it. */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { signTwilioRequest } from "../src/testing/sign-twilio-request.js";
import { sleep } from "./bench-util.js";
import type { CallState, LoadVoiceOptions } from "./load-voice.js";

/** A signed form POST to the server and the path Twilio would sign; false unless a 2xx. */
async function postTwilioForm(
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
    MessageSid: `SM${randomBytes(16).toString("hex")}`,
    AccountSid: `AC${randomBytes(16).toString("hex")}`,
    From: from,
    To: "+18885550100",
    Body: "Can you text me what we just said?",
    NumMedia: "0",
  });
}

/** A gauge's value in a Prometheus text exposition (NaN when absent). */
export function gaugeValue(exposition: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(exposition);
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * Waits until the server's `/metrics` shows no accepted webhook left in its inbox and no reply
 * scheduled, twice in a row; throws after `limitMs`.
 */
export async function waitForNoBacklog(baseUrl: string, limitMs: number): Promise<void> {
  const startedAt = performance.now();
  let idleReads = 0;
  while (performance.now() - startedAt < limitMs) {
    const response = await fetch(`${baseUrl}/metrics`);
    const exposition = await response.text();
    const backlog =
      gaugeValue(exposition, "switchboard_inbox_backlog") +
      gaugeValue(exposition, "switchboard_reply_backlog");
    if (!response.ok || Number.isNaN(backlog))
      throw new Error(`GET /metrics: no backlog gauges (${response.status})`);
    idleReads = backlog === 0 ? idleReads + 1 : 0;
    if (idleReads >= 2) return;
    await sleep(100);
  }
  throw new Error(`SMS replies still pending ${limitMs} ms after the phase's last call`);
}
