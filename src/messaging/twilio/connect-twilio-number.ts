import type { Twilio } from "twilio";
import type { ServiceInstance } from "twilio/lib/rest/messaging/v1/service.js";
import { DeliveryError } from "../../errors/delivery-error.js";
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

/** Where a Messaging Service sends the texts of its numbers. */
export interface ServiceWebhook {
  /** "A message comes in" of the service; empty when it has none (Twilio drops the texts). */
  inboundRequestUrl: string;
  inboundMethod: string;
  /** "Defer to sender's webhook": each number's own `smsUrl` is used instead of the service's. */
  useInboundWebhookOnNumber: boolean;
}

/**
 * The Messaging Service the number belongs to. Unless the service defers to its numbers' own
 * webhooks, Twilio posts their texts to the service's webhook and ignores the number's `smsUrl`.
 */
export interface NumberMessagingService {
  sid: string;
  friendlyName: string;
  before: ServiceWebhook;
  after: ServiceWebhook;
  /** How many numbers the service holds (all of them follow its webhook). */
  numberCount: number;
}

export interface ConnectedNumber {
  sid: string;
  phoneNumber: string;
  before: NumberWebhooks;
  after: NumberWebhooks;
  /** The number's Messaging Service, when it is in one. */
  messagingService?: NumberMessagingService;
  /** False when the number (and its service, when asked to) already pointed here (nothing was sent). */
  changed: boolean;
  /** True when texts to the number reach `PUBLIC_URL/twilio/sms` once this is done. */
  textsReachHere: boolean;
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

/** Messaging Services searched for the number (one request each). */
const servicesSearched = 50;

/**
 * Points the account's number `phoneNumber` at this server: "A call comes in" →
 * `PUBLIC_URL/twilio/voice` and "A message comes in" → `PUBLIC_URL/twilio/sms`, both POST, and any
 * TwiML App that would take them instead removed. Finds the Messaging Service the number is in
 * (`messagingServiceSid` first); with `updateMessagingService`, a service that does not defer to its
 * numbers' webhooks gets `PUBLIC_URL/twilio/sms` as its own. With `dryRun`, only reads and reports.
 * Throws a SwitchboardError (`TWILIO_NUMBER_NOT_FOUND`) when the account has no such number.
 */
export async function connectTwilioNumber(options: {
  client: Twilio;
  phoneNumber: string;
  publicUrl: string;
  dryRun?: boolean;
  messagingServiceSid?: string;
  updateMessagingService?: boolean;
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
  const numberChanged = (Object.keys(after) as Array<keyof NumberWebhooks>).some(
    (key) => before[key] !== after[key],
  );
  const service = await findMessagingService(options.client, number.sid, options.messagingServiceSid);
  let messagingService: NumberMessagingService | undefined;
  let serviceChanged = false;
  if (service) {
    const serviceBefore: ServiceWebhook = {
      inboundRequestUrl: service.inboundRequestUrl ?? "",
      inboundMethod: service.inboundMethod ?? "",
      useInboundWebhookOnNumber: service.useInboundWebhookOnNumber === true,
    };
    const serviceAfter =
      options.updateMessagingService && !serviceBefore.useInboundWebhookOnNumber
        ? { ...serviceBefore, inboundRequestUrl: after.smsUrl, inboundMethod: after.smsMethod }
        : serviceBefore;
    serviceChanged =
      serviceAfter.inboundRequestUrl !== serviceBefore.inboundRequestUrl ||
      serviceAfter.inboundMethod !== serviceBefore.inboundMethod;
    const numbers = await options.client.messaging.v1
      .services(service.sid)
      .phoneNumbers.list({ limit: 1000 });
    messagingService = {
      sid: service.sid,
      friendlyName: service.friendlyName ?? "",
      before: serviceBefore,
      after: serviceAfter,
      numberCount: numbers.length,
    };
  }
  if (serviceChanged && messagingService && !options.dryRun) {
    await options.client.messaging.v1.services(messagingService.sid).update({
      inboundRequestUrl: messagingService.after.inboundRequestUrl,
      inboundMethod: messagingService.after.inboundMethod as "POST",
    });
  }
  if (numberChanged && !options.dryRun) {
    await options.client.incomingPhoneNumbers(number.sid).update({
      voiceUrl: after.voiceUrl,
      voiceMethod: after.voiceMethod,
      smsUrl: after.smsUrl,
      smsMethod: after.smsMethod,
      ...(before.voiceApplicationSid ? { voiceApplicationSid: "" } : {}),
      ...(before.smsApplicationSid ? { smsApplicationSid: "" } : {}),
    });
  }
  const textsReachHere =
    !messagingService ||
    messagingService.after.useInboundWebhookOnNumber ||
    (messagingService.after.inboundRequestUrl === after.smsUrl &&
      messagingService.after.inboundMethod.toUpperCase() === after.smsMethod);
  return {
    sid: number.sid,
    phoneNumber: number.phoneNumber,
    before,
    after,
    ...(messagingService ? { messagingService } : {}),
    changed: numberChanged || serviceChanged,
    textsReachHere,
  };
}

/**
 * The Messaging Service holding the number: `preferredSid` first, then the account's services in
 * order (a number is in at most one). Undefined when it is in none of them.
 */
async function findMessagingService(
  client: Twilio,
  numberSid: string,
  preferredSid: string | undefined,
): Promise<ServiceInstance | undefined> {
  const services = await client.messaging.v1.services.list({ limit: servicesSearched });
  const ordered = preferredSid
    ? [
        ...services.filter((service) => service.sid === preferredSid),
        ...services.filter((service) => service.sid !== preferredSid),
      ]
    : services;
  for (const service of ordered) {
    try {
      await client.messaging.v1.services(service.sid).phoneNumbers(numberSid).fetch();
      return service;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return undefined;
}

function isNotFound(error: unknown): boolean {
  return error instanceof DeliveryError && (error.providerCode === "20404" || error.providerCode === "404");
}
