import type { Twilio } from "twilio";
import { SwitchboardError } from "../../errors/switchboard-error.js";
import { isLocalOrPrivateUrl } from "../local-or-private-url.js";

/** Where a Twilio number sends its calls and messages. */
export interface NumberWebhooks {
  voiceUrl: string;
  voiceMethod: string;
  smsUrl: string;
  smsMethod: string;
  /** A TwiML App that takes the calls instead of `voiceUrl` (Twilio ignores the URL while it is set). */
  voiceApplicationSid: string;
  /** The same for messages. */
  smsApplicationSid: string;
}

export interface ConnectedNumber {
  sid: string;
  phoneNumber: string;
  before: NumberWebhooks;
  after: NumberWebhooks;
  /** False when the number already pointed here (nothing was sent). */
  changed: boolean;
}

/** Why Twilio could not reach this URL, or undefined when it can (https on a public host). */
export function twilioUnreachableReason(publicUrl: string): string | undefined {
  if (isLocalOrPrivateUrl(publicUrl))
    return "Twilio cannot reach this machine there; expose it (e.g. `ngrok http 3000`) and set PUBLIC_URL to the https URL it gives";
  if (new URL(publicUrl).protocol !== "https:")
    return "Twilio's ConversationRelay needs wss://, so PUBLIC_URL must be https";
  return undefined;
}

/** The webhooks a number needs to reach this server at `publicUrl`. */
export function switchboardWebhooks(publicUrl: string): NumberWebhooks {
  const base = publicUrl.replace(/\/+$/, "");
  return {
    voiceUrl: `${base}/twilio/voice`,
    voiceMethod: "POST",
    smsUrl: `${base}/twilio/sms`,
    smsMethod: "POST",
    voiceApplicationSid: "",
    smsApplicationSid: "",
  };
}

/**
 * Points the account's number `phoneNumber` at this server: "A call comes in" →
 * `PUBLIC_URL/twilio/voice` and "A message comes in" → `PUBLIC_URL/twilio/sms`, both POST, and any
 * TwiML App that would take them instead removed. With `dryRun`, only reads and reports. Throws a
 * SwitchboardError (`TWILIO_NUMBER_NOT_FOUND`) when the account has no such number.
 */
export async function connectTwilioNumber(options: {
  client: Twilio;
  phoneNumber: string;
  publicUrl: string;
  dryRun?: boolean;
}): Promise<ConnectedNumber> {
  const [number] = await options.client.incomingPhoneNumbers.list({
    phoneNumber: options.phoneNumber,
    limit: 1,
  });
  if (!number) {
    throw new SwitchboardError(
      "TWILIO_NUMBER_NOT_FOUND",
      `${options.phoneNumber} is not a phone number of this Twilio account (check TWILIO_PHONE_NUMBER and TWILIO_ACCOUNT_SID)`,
    );
  }
  const before: NumberWebhooks = {
    voiceUrl: number.voiceUrl ?? "",
    voiceMethod: number.voiceMethod ?? "",
    smsUrl: number.smsUrl ?? "",
    smsMethod: number.smsMethod ?? "",
    voiceApplicationSid: number.voiceApplicationSid ?? "",
    smsApplicationSid: number.smsApplicationSid ?? "",
  };
  const after = switchboardWebhooks(options.publicUrl);
  const changed = (Object.keys(after) as Array<keyof NumberWebhooks>).some(
    (key) => before[key] !== after[key],
  );
  if (changed && !options.dryRun) {
    await options.client.incomingPhoneNumbers(number.sid).update({
      voiceUrl: after.voiceUrl,
      voiceMethod: after.voiceMethod,
      smsUrl: after.smsUrl,
      smsMethod: after.smsMethod,
      ...(before.voiceApplicationSid ? { voiceApplicationSid: "" } : {}),
      ...(before.smsApplicationSid ? { smsApplicationSid: "" } : {}),
    });
  }
  return { sid: number.sid, phoneNumber: number.phoneNumber, before, after, changed };
}
