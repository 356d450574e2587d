import type { Config } from "../config/config.js";
import { createWebhookSender } from "../messaging/webhook/create-webhook-sender.js";
import { createDevOutboxSender } from "../outbox/create-dev-outbox-sender.js";
import type { OutboundKind, OutboundSender } from "../ports/outbound-sender.js";

/**
 * Twilio for SMS and calls, SendGrid for email (the local dev outbox for either without credentials),
 * and the event webhook sender.
 */
export async function createOutboundSenders(
  config: Readonly<Config>,
): Promise<Record<OutboundKind, OutboundSender>> {
  // The vendor packages load only when their credentials are configured (start-up time).
  const { twilio, sendgrid } = config;
  const twilioSender =
    twilio.accountSid && twilio.authToken && twilio.phoneNumber
      ? (await import("../messaging/twilio/create-twilio-sender.js")).createTwilioSender({
          accountSid: twilio.accountSid,
          authToken: twilio.authToken,
          fromNumber: twilio.phoneNumber,
          messagingServiceSid: twilio.messagingServiceSid,
          apiBaseUrl: twilio.apiBaseUrl,
          statusCallbackUrl: `${config.publicUrl}/twilio/sms/status`,
        })
      : createDevOutboxSender(["sms", "call"]);
  const emailSender =
    sendgrid.apiKey && sendgrid.emailFrom
      ? (await import("../messaging/sendgrid/create-sendgrid-sender.js")).createSendGridSender({
          apiKey: sendgrid.apiKey,
          from: sendgrid.emailFrom,
          apiBaseUrl: sendgrid.apiBaseUrl,
        })
      : createDevOutboxSender(["email"]);
  // Event webhooks go to EVENTS_WEBHOOK_URL (nothing is enqueued for them without it).
  const webhookSender = createWebhookSender({ secret: config.eventsWebhook.secret });
  return { sms: twilioSender, call: twilioSender, email: emailSender, webhook: webhookSender };
}
