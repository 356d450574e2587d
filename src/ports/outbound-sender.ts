/** What the outbox delivers. Addresses are E.164 phone numbers or email addresses. */
export interface OutboundSms {
  kind: "sms";
  to: string;
  body: string;
  mediaUrls?: string[];
}

export interface OutboundEmail {
  kind: "email";
  to: string;
  toName?: string;
  subject: string;
  text: string;
  html?: string;
  /** Threading headers (`In-Reply-To`, `References`) and our own `Message-ID`. */
  headers?: Record<string, string>;
  /** Echoed back on every SendGrid event (e.g. `outboxId`, `conversationId`). */
  customArgs?: Record<string, string>;
  replyTo?: string;
}

export interface OutboundCall {
  kind: "call";
  to: string;
  /** TwiML to run when the call is answered (ConversationRelay back into the conversation). */
  twiml: string;
}

/** An event for the company's own systems (`EVENTS_WEBHOOK_URL`, docs/webhooks.md). */
export interface OutboundWebhook {
  kind: "webhook";
  /** The URL it is POSTed to. */
  to: string;
  /** e.g. `call.ended`. */
  event: string;
  /** The JSON body, as sent (and signed). */
  body: string;
}

export type OutboundPayload = OutboundSms | OutboundEmail | OutboundCall | OutboundWebhook;
export type OutboundKind = OutboundPayload["kind"];

export interface SendResult {
  /** The provider's id (Twilio `SM…`/`CA…` sid, SendGrid `X-Message-Id`, or a dev id). */
  providerMessageId: string;
  /** Provider status after the send (`queued`, `accepted`, `delivered` for the dev sink…). */
  status: string;
}

/**
 * Delivers one outbound message. Throws a `DeliveryError` whose `retryable` tells the outbox whether
 * to try again (network, 5xx, 429) or give up (invalid number, opted-out recipient, 4xx).
 */
export interface OutboundSender {
  readonly name: string;
  readonly kinds: readonly OutboundKind[];
  send(payload: OutboundPayload, options: { idempotencyKey: string }): Promise<SendResult>;
}
