import type { Config } from "../config/config.js";
import { createSendGridSender } from "../messaging/sendgrid/create-sendgrid-sender.js";
import { createTwilioSender } from "../messaging/twilio/create-twilio-sender.js";
import { createDevOutboxSender } from "../outbox/create-dev-outbox-sender.js";
import type { OutboundKind, OutboundSender } from "../ports/outbound-sender.js";

/** Twilio for SMS and calls, SendGrid for email; the local dev outbox for any that has no credentials. */
export function createOutboundSenders(config: Readonly<Config>): Record<OutboundKind, OutboundSender> {
  const { twilio, sendgrid } = config;
  const twilioSender =
    twilio.accountSid && twilio.authToken && twilio.phoneNumber
      ? createTwilioSender({
          accountSid: twilio.accountSid,
          authToken: twilio.authToken,
          fromNumber: twilio.phoneNumber,
          apiBaseUrl: twilio.apiBaseUrl,
          statusCallbackUrl: `${config.publicUrl}/twilio/sms/status`,
        })
      : createDevOutboxSender(["sms", "call"]);
  const emailSender =
    sendgrid.apiKey && sendgrid.emailFrom
      ? createSendGridSender({
          apiKey: sendgrid.apiKey,
          from: sendgrid.emailFrom,
          apiBaseUrl: sendgrid.apiBaseUrl,
        })
      : createDevOutboxSender(["email"]);
  return { sms: twilioSender, call: twilioSender, email: emailSender };
}
