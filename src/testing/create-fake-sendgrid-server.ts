import { randomBytes } from "node:crypto";
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

export interface FakeSendGridServer {
  /** Base URL to use as SENDGRID_API_BASE_URL. */
  url: string;
  mails: FakeSendGridMail[];
  /** The account's Inbound Parse settings, as changed through the API. */
  parseSettings: FakeParseSetting[];
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
}): Promise<FakeSendGridServer> {
  const parseSettings: FakeParseSetting[] = (options.parseSettings ?? []).map((setting) => ({ ...setting }));
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
