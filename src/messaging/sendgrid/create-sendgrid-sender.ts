import sendgridClient from "@sendgrid/client";
import sendgridMail from "@sendgrid/mail";
import { DeliveryError, isNetworkError, parseRetryAfter } from "../../errors/delivery-error.js";
import type { OutboundPayload, OutboundSender, SendResult } from "../../ports/outbound-sender.js";

// Both packages export a ready-made singleton; each sender gets its own instances instead.
const { Client } = sendgridClient as unknown as { Client: new () => typeof sendgridClient };
const { MailService } = sendgridMail as unknown as { MailService: new () => typeof sendgridMail };

export interface SendGridSenderOptions {
  apiKey: string;
  /** `Name <address>` or a bare address; must be a verified sender. */
  from: string;
  /** Override for the REST base URL (tests run a fake SendGrid on loopback). */
  apiBaseUrl?: string;
}

/** SendGrid's own `@sendgrid/client` for this key (its own instance), at `apiBaseUrl` when set. */
export function createSendGridClient(options: {
  apiKey: string;
  apiBaseUrl?: string;
}): typeof sendgridClient {
  const client = new Client();
  client.setApiKey(options.apiKey);
  if (options.apiBaseUrl) client.setDefaultRequest("baseUrl", `${options.apiBaseUrl.replace(/\/+$/, "")}/`);
  return client;
}

/** Sends email with SendGrid's own `@sendgrid/mail` (v3 mail send). */
export function createSendGridSender(options: SendGridSenderOptions): OutboundSender {
  const client = createSendGridClient(options);
  const mail = new MailService();
  mail.setClient(client);
  const from = parseAddress(options.from);

  return {
    name: "sendgrid",
    kinds: ["email"],
    async send(payload: OutboundPayload, sendOptions): Promise<SendResult> {
      if (payload.kind !== "email") throw new Error(`The SendGrid sender cannot send ${payload.kind}`);
      try {
        const [response] = await mail.send({
          to: payload.toName ? { email: payload.to, name: payload.toName } : payload.to,
          from,
          subject: payload.subject,
          text: payload.text,
          ...(payload.html ? { html: payload.html } : {}),
          ...(payload.replyTo ? { replyTo: payload.replyTo } : {}),
          headers: payload.headers ?? {},
          customArgs: { ...(payload.customArgs ?? {}), idempotencyKey: sendOptions.idempotencyKey },
        });
        const headers = response.headers as Record<string, string | undefined>;
        return { providerMessageId: headers["x-message-id"] ?? "", status: "accepted" };
      } catch (error) {
        throw classifySendGridFailure(error);
      }
    },
  };
}

function classifySendGridFailure(error: unknown): DeliveryError {
  const response = (
    error as { code?: number; response?: { headers?: Record<string, string>; body?: unknown } }
  )?.response;
  const status = (error as { code?: unknown }).code;
  if (typeof status !== "number" || !response) {
    return new DeliveryError(
      "sendgrid",
      `SendGrid request failed: ${(error as Error)?.message ?? String(error)}`,
      {
        retryable: isNetworkError(error),
        cause: error,
      },
    );
  }
  const body = response.body as { errors?: Array<{ message?: string; field?: string | null }> } | undefined;
  const detail = body?.errors
    ?.map((item) => (item.field ? `${item.field}: ${item.message}` : item.message))
    .join("; ");
  return new DeliveryError(
    "sendgrid",
    `SendGrid rejected the email (HTTP ${status})${detail ? `: ${detail}` : ""}`,
    {
      retryable: status === 429 || status >= 500,
      providerCode: String(status),
      retryAfterMs: parseRetryAfter(response.headers?.["retry-after"]),
    },
  );
}

/** `Acme Support <support@acme.example>` → `{ name, email }`. */
export function parseAddress(value: string): { email: string; name?: string } {
  const match = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (match?.[2]) return match[1] ? { name: match[1], email: match[2] } : { email: match[2] };
  return { email: value.trim() };
}
