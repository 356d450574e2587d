import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { BadRequestError } from "../../errors/bad-request-error.js";
import { SignatureError } from "../../errors/signature-error.js";
import type { MessagingStateStore } from "../../ports/messaging-state-store.js";
import type { OutboxStatus, OutboxStore } from "../../ports/outbox-store.js";
import { headerValue } from "../twilio/twilio-signature-hook.js";
import { createSendGridEventVerifier } from "./verify-sendgrid-event-signature.js";

export interface SendGridEventDependencies {
  outbox: Pick<OutboxStore, "updateOutboundProviderStatus">;
  messagingState: MessagingStateStore;
  /** SENDGRID_EVENT_PUBLIC_KEY; when set, every post must carry a valid signature. */
  eventPublicKey: string | undefined;
}

const eventSchema = z.looseObject({
  email: z.string(),
  event: z.string(),
  sg_event_id: z.string().optional(),
  sg_message_id: z.string().optional(),
  type: z.string().optional(),
  reason: z.string().optional(),
  status: z.string().optional(),
});

const eventStatus: Record<string, OutboxStatus | null> = {
  processed: null,
  deferred: null,
  delivered: "delivered",
  bounce: "undelivered",
  dropped: "undelivered",
  spamreport: null,
  unsubscribe: null,
  group_unsubscribe: null,
  open: null,
  click: null,
};

/** Events after which no further email goes to the address. */
const suppressingEvents = new Set(["spamreport", "unsubscribe", "group_unsubscribe"]);

/**
 * `POST /sendgrid/events`: the Event Webhook. Verifies the ECDSA signature over the raw body when a
 * key is configured, de-duplicates by `sg_event_id`, records delivery status on the outbox entry and
 * suppresses addresses that hard-bounced, reported spam or unsubscribed.
 */
export function registerSendGridEventRoutes(
  app: FastifyInstance,
  dependencies: SendGridEventDependencies,
): void {
  const verifier = dependencies.eventPublicKey
    ? createSendGridEventVerifier(dependencies.eventPublicKey)
    : undefined;

  app.register(async (scope) => {
    // The signature covers the exact bytes received: keep the raw body.
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) =>
      done(null, body),
    );

    scope.post("/sendgrid/events", async (request, reply) => {
      const raw = request.body as Buffer | undefined;
      if (!Buffer.isBuffer(raw)) throw new BadRequestError("Expected a JSON body");
      if (verifier) {
        const result = verifier.verify(
          raw,
          headerValue(request.headers["x-twilio-email-event-webhook-signature"]),
          headerValue(request.headers["x-twilio-email-event-webhook-timestamp"]),
        );
        if (!result.ok) throw new SignatureError(`Invalid SendGrid event signature: ${result.reason}`);
      }
      let events: unknown;
      try {
        events = JSON.parse(raw.toString("utf8"));
      } catch {
        throw new BadRequestError("Event Webhook body is not JSON");
      }
      if (!Array.isArray(events)) throw new BadRequestError("Event Webhook body must be a JSON array");
      let recorded = 0;
      for (const item of events) {
        const parsed = eventSchema.safeParse(item);
        if (!parsed.success) {
          request.log.warn("sendgrid events: dropped a malformed event");
          continue;
        }
        const event = parsed.data;
        // Applied before the id is recorded, so that a batch that fails half-way (a 500) loses
        // nothing when SendGrid posts it again: both effects can be applied twice (a status never
        // moves back, a suppression stays one).
        const providerMessageId = event.sg_message_id?.split(".")[0];
        if (providerMessageId) {
          await dependencies.outbox.updateOutboundProviderStatus(providerMessageId, {
            providerStatus: event.event,
            // Own keys only: an event named like an Object method (`constructor`) maps to nothing.
            status: Object.hasOwn(eventStatus, event.event) ? (eventStatus[event.event] ?? null) : null,
            errorCode:
              event.event === "bounce" || event.event === "dropped"
                ? (event.status ?? event.reason ?? null)
                : null,
          });
        }
        const hardBounce = event.event === "bounce" && event.type !== "blocked";
        if (hardBounce || suppressingEvents.has(event.event)) {
          await dependencies.messagingState.setOptOut(
            event.email.toLowerCase(),
            "email",
            true,
            `sendgrid ${event.event}`,
          );
        }
        if (
          !event.sg_event_id ||
          (await dependencies.messagingState.recordInboundOnce("sendgrid-event", event.sg_event_id))
        )
          recorded++;
      }
      return reply.code(200).send({ received: events.length, recorded });
    });
  });
}
