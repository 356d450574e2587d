import { randomUUID } from "node:crypto";
import type { OutboundKind, OutboundSender } from "../ports/outbound-sender.js";

/**
 * The local dev outbox: without Twilio/SendGrid credentials, outbound messages are "delivered" here
 * (they stay in the outbox, listed at GET /api/outbox and in the dashboard) so the whole flow works
 * offline.
 */
export function createDevOutboxSender(kinds: readonly OutboundKind[]): OutboundSender {
  return {
    name: "dev-outbox",
    kinds,
    async send() {
      return { providerMessageId: `dev_${randomUUID().replaceAll("-", "")}`, status: "delivered" };
    },
  };
}
