import type { OutboundPayload, OutboundSender, SendResult } from "../../ports/outbound-sender.js";
import { createTwilioClient, type TwilioClientOptions } from "./create-twilio-client.js";

export interface TwilioSenderOptions extends TwilioClientOptions {
  /** The sending number (E.164) for SMS and calls. */
  fromNumber: string;
  /** Texts go through this Messaging Service (Twilio picks the sender) instead of from `fromNumber`. */
  messagingServiceSid?: string;
  /** Where Twilio posts message status callbacks (`PUBLIC_URL/twilio/sms/status`). */
  statusCallbackUrl?: string;
}

/** Sends SMS and starts calls with Twilio's own `twilio` package (see create-twilio-client.ts). */
export function createTwilioSender(options: TwilioSenderOptions): OutboundSender {
  const client = createTwilioClient(options);

  return {
    name: "twilio",
    kinds: ["sms", "call"],
    async send(payload: OutboundPayload): Promise<SendResult> {
      if (payload.kind === "sms") {
        const message = await client.messages.create({
          to: payload.to,
          ...(options.messagingServiceSid
            ? { messagingServiceSid: options.messagingServiceSid }
            : { from: options.fromNumber }),
          body: payload.body,
          ...(payload.mediaUrls?.length ? { mediaUrl: payload.mediaUrls } : {}),
          ...(options.statusCallbackUrl ? { statusCallback: options.statusCallbackUrl } : {}),
        });
        return { providerMessageId: message.sid, status: message.status };
      }
      if (payload.kind === "call") {
        const call = await client.calls.create({
          to: payload.to,
          from: options.fromNumber,
          twiml: payload.twiml,
        });
        return { providerMessageId: call.sid, status: call.status };
      }
      throw new Error(`The Twilio sender cannot send ${payload.kind}`);
    },
  };
}
