import { createSign, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { closeHttpServer } from "./close-http-server.js";
import { type FakeFailure, readBody, respond, waitUntil } from "./create-fake-twilio-server.js";

export interface FakeSendGridMail {
  messageId: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | undefined;
  headers: Record<string, string>;
  customArgs: Record<string, string>;
  /** The JSON body as received. */
  body: Record<string, unknown>;
}

/** An Inbound Parse setting: mail to `hostname` is posted to `url`. */
export interface FakeParseSetting {
  hostname: string;
  url: string;
  spam_check: boolean;
  send_raw: boolean;
}

/** The delivery events an Event Webhook can send (each a boolean of its settings). */
export const eventWebhookFlags = [
  "group_resubscribe",
  "delivered",
  "group_unsubscribe",
  "spam_report",
  "bounce",
  "deferred",
  "unsubscribe",
  "processed",
  "open",
  "click",
  "dropped",
] as const;

/** An Event Webhook of the account (the multi-webhook API: each has an id). */
export interface FakeEventWebhook {
  id: string;
  url: string;
  enabled: boolean;
  friendly_name: string | null;
  events: Record<(typeof eventWebhookFlags)[number], boolean>;
  /** Base64 DER (SPKI) of the ECDSA P-256 key, set once signature verification is on. */
  publicKey: string | null;
  /** Signs a body the way SendGrid signs its posts, when verification is on (tests post events). */
  sign?: (body: string, timestamp: string) => string;
}

export interface FakeSendGridServer {
  /** Base URL to use as SENDGRID_API_BASE_URL. */
  url: string;
  mails: FakeSendGridMail[];
  /** The account's Inbound Parse settings, as changed through the API. */
  parseSettings: FakeParseSetting[];
  /** The account's Event Webhooks, as changed through the API. */
  eventWebhooks: FakeEventWebhook[];
  requests: Array<{ method: string; path: string; status: number }>;
  failNext(count: number, failure: FakeFailure): void;
  waitForMails(count: number, timeoutMs?: number): Promise<FakeSendGridMail[]>;
  close(): Promise<void>;
}

/**
 * A fake SendGrid v3 `POST /v3/mail/send` on loopback: checks the bearer key and the body the way
 * the API does (personalizations, from, subject, text/plain first) and answers 202 with
 * `X-Message-Id`, or an injected failure.
 */
export async function createFakeSendGridServer(options: {
  apiKey: string;
  /** Inbound Parse settings the account starts with (none by default). */
  parseSettings?: FakeParseSetting[];
  /** Event Webhooks the account starts with (none by default). */
  eventWebhooks?: Array<Partial<FakeEventWebhook> & { url: string }>;
  /** How many enabled Event Webhooks the plan allows (5 by default). */
  maxEventWebhooks?: number;
}): Promise<FakeSendGridServer> {
  const parseSettings: FakeParseSetting[] = (options.parseSettings ?? []).map((setting) => ({ ...setting }));
  const eventWebhooks: FakeEventWebhook[] = (options.eventWebhooks ?? []).map((webhook) => ({
    id: randomUUID(),
    enabled: true,
    friendly_name: null,
    events: Object.fromEntries(eventWebhookFlags.map((flag) => [flag, false])) as FakeEventWebhook["events"],
    publicKey: null,
    ...webhook,
  }));
  const maxEventWebhooks = options.maxEventWebhooks ?? 5;
  const mails: FakeSendGridMail[] = [];
  const requests: FakeSendGridServer["requests"] = [];
  const failures: FakeFailure[] = [];
  const waiters = new Set<() => void>();

  const server = createServer(async (request, response) => {
    const raw = await readBody(request);
    const path = request.url ?? "/";
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method: request.method ?? "", path, status });
      respond(response, status, json, headers);
    };
    const error = (
      status: number,
      message: string,
      field: string | null = null,
      headers: Record<string, string> = {},
    ) => answer(status, { errors: [{ message, field, help: null }] }, headers);

    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(401, "The provided authorization grant is invalid, expired, or revoked");
    }
    const parsePath = /^\/v3\/user\/webhooks\/parse\/settings(?:\/([^/?]+))?$/.exec(path);
    if (parsePath) {
      // Inbound Parse settings: GET (all), POST (create), PATCH …/{hostname} (update).
      const hostname = parsePath[1] ? decodeURIComponent(parsePath[1]) : undefined;
      if (request.method === "GET" && !hostname) return answer(200, { result: parseSettings });
      let body: Partial<FakeParseSetting>;
      try {
        body = JSON.parse(raw || "{}") as Partial<FakeParseSetting>;
      } catch {
        return error(400, "Bad Request: invalid JSON");
      }
      if (body.url !== undefined && !/^https:\/\//.test(body.url))
        return error(400, "url must be https", "url");
      if (request.method === "POST" && !hostname) {
        if (!body.hostname || !body.url) return error(400, "hostname and url are required", "hostname");
        if (parseSettings.some((setting) => setting.hostname === body.hostname))
          return error(400, "A setting for this hostname already exists", "hostname");
        const created = {
          hostname: body.hostname,
          url: body.url,
          spam_check: body.spam_check ?? false,
          send_raw: body.send_raw ?? false,
        };
        parseSettings.push(created);
        return answer(201, created);
      }
      const existing = parseSettings.find((setting) => setting.hostname === hostname);
      if (request.method === "PATCH" && existing) {
        Object.assign(existing, {
          ...(body.url === undefined ? {} : { url: body.url }),
          ...(body.spam_check === undefined ? {} : { spam_check: body.spam_check }),
          ...(body.send_raw === undefined ? {} : { send_raw: body.send_raw }),
        });
        return answer(200, existing);
      }
      return error(404, "Not found");
    }
    const eventPath =
      /^\/v3\/user\/webhooks\/event\/settings(?:\/(all|signed))?(?:\/([^/?]+))?(?:\?.*)?$/.exec(path);
    if (eventPath) {
      const [, kind, id] = eventPath;
      const eventError = (status: number, message: string) => answer(status, { errors: [{ message }] });
      if (kind === "all") {
        if (request.method !== "GET" || id) return eventError(404, "Not found");
        // SendGrid answers an account with none with one empty object.
        const webhooks =
          eventWebhooks.length > 0 ? eventWebhooks.map((webhook) => eventWebhookJson(webhook, true)) : [{}];
        return answer(200, { max_allowed: maxEventWebhooks, webhooks });
      }
      let body: Record<string, unknown> = {};
      if (request.method !== "GET") {
        try {
          body = JSON.parse(raw || "{}") as Record<string, unknown>;
        } catch {
          return eventError(400, "Bad Request: invalid JSON");
        }
      }
      const webhook = id ? eventWebhooks.find((candidate) => candidate.id === id) : undefined;
      if (kind === "signed") {
        if (!webhook) return eventError(404, "Invalid id provided.");
        if (request.method === "PATCH") {
          if (typeof body.enabled !== "boolean") return eventError(400, "enabled is required");
          if (!body.enabled) {
            webhook.publicKey = null;
            delete webhook.sign;
          } else if (!webhook.publicKey) {
            const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
            webhook.publicKey = publicKey.export({ format: "der", type: "spki" }).toString("base64");
            webhook.sign = (signedBody, timestamp) =>
              createSign("sha256")
                .update(timestamp + signedBody)
                .sign(privateKey)
                .toString("base64");
          }
        } else if (request.method !== "GET") return eventError(404, "Not found");
        return answer(200, { id: webhook.id, public_key: webhook.publicKey ?? "" });
      }
      if (request.method === "GET") {
        if (!webhook) return eventError(404, "Invalid id provided.");
        return answer(200, eventWebhookJson(webhook, true));
      }
      if (request.method !== "POST" && request.method !== "PATCH") return eventError(404, "Not found");
      if (request.method === "POST" && id) return eventError(404, "Not found");
      if (request.method === "PATCH" && !webhook) return eventError(404, "Invalid id provided.");
      const url = body.url;
      if (typeof url !== "string" || !/^https:\/\/[^\s]+$/.test(url))
        return eventError(400, `'${String(url ?? "")}' is not a valid url`);
      const taken = eventWebhooks.find((candidate) => candidate.url === url && candidate !== webhook);
      if (taken)
        return answer(400, {
          errors: [
            {
              id: taken.id,
              message: `Webhook at '${url}' already exists. Please provide a unique URL.`,
              url,
            },
          ],
        });
      const target: FakeEventWebhook = webhook ?? {
        id: randomUUID(),
        url,
        enabled: false,
        friendly_name: null,
        events: Object.fromEntries(
          eventWebhookFlags.map((flag) => [flag, false]),
        ) as FakeEventWebhook["events"],
        publicKey: null,
      };
      const enabling = body.enabled === true && !target.enabled;
      if (enabling && eventWebhooks.filter((candidate) => candidate.enabled).length >= maxEventWebhooks)
        return eventError(
          400,
          "You have reached the maximum number of webhooks per your current billing plan.",
        );
      target.url = url;
      if (typeof body.enabled === "boolean") target.enabled = body.enabled;
      if (typeof body.friendly_name === "string" || body.friendly_name === null)
        target.friendly_name = body.friendly_name;
      for (const flag of eventWebhookFlags)
        if (typeof body[flag] === "boolean") target.events[flag] = body[flag];
      if (!webhook) eventWebhooks.push(target);
      // Create and update answer without the public key.
      return answer(webhook ? 200 : 201, eventWebhookJson(target, false));
    }
    if (request.method !== "POST" || path !== "/v3/mail/send") return error(404, "Not found");
    const failure = failures.shift();
    if (failure) {
      return error(failure.status, failure.message ?? "Injected failure", null, {
        ...(failure.retryAfter ? { "retry-after": failure.retryAfter } : {}),
      });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return error(400, "Bad Request: invalid JSON");
    }
    const personalizations = body.personalizations as
      | Array<{ to?: Array<{ email?: string }>; custom_args?: Record<string, string> }>
      | undefined;
    const to = personalizations?.[0]?.to?.[0]?.email;
    if (!to) return error(400, "The to field is required.", "personalizations.0.to");
    const from = (body.from as { email?: string } | undefined)?.email;
    if (!from) return error(400, "The from email is required.", "from.email");
    if (typeof body.subject !== "string" || !body.subject)
      return error(400, "The subject is required.", "subject");
    const content = body.content as Array<{ type: string; value: string }> | undefined;
    if (!content?.length || content[0]?.type !== "text/plain") {
      return error(400, "The text/plain content must be first.", "content");
    }
    const messageId = randomBytes(11).toString("base64url");
    mails.push({
      messageId,
      to,
      from,
      subject: body.subject,
      text: content[0]?.value ?? "",
      html: content.find((part) => part.type === "text/html")?.value,
      headers: (body.headers as Record<string, string> | undefined) ?? {},
      customArgs: {
        ...((body.custom_args as Record<string, string>) ?? {}),
        ...(personalizations?.[0]?.custom_args ?? {}),
      },
      body,
    });
    for (const waiter of waiters) waiter();
    requests.push({ method: "POST", path, status: 202 });
    response.writeHead(202, { "x-message-id": messageId });
    response.end();
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    mails,
    parseSettings,
    eventWebhooks,
    requests,
    failNext(count, failure) {
      for (let index = 0; index < count; index++) failures.push(failure);
    },
    waitForMails(count, timeoutMs = 5000) {
      return waitUntil(() => mails.length >= count, waiters, timeoutMs, `${count} SendGrid mail(s)`).then(
        () => mails,
      );
    },
    close: () => closeHttpServer(server),
  };
}

/** An Event Webhook as SendGrid's API writes it (the public key only where the API shows it). */
function eventWebhookJson(webhook: FakeEventWebhook, withPublicKey: boolean) {
  return {
    enabled: webhook.enabled,
    url: webhook.url,
    ...webhook.events,
    friendly_name: webhook.friendly_name,
    id: webhook.id,
    ...(withPublicKey && webhook.publicKey ? { public_key: webhook.publicKey } : {}),
    created_date: "2026-01-05T10:00:00Z",
    updated_date: "2026-01-05T10:00:00Z",
  };
}
