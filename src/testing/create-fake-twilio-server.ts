import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { closeHttpServer } from "./close-http-server.js";

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  /** Empty when the message was sent through a Messaging Service. */
  from: string;
  messagingServiceSid: string | undefined;
  body: string;
  mediaUrls: string[];
  statusCallback: string | undefined;
  /** All form fields as received. */
  form: Record<string, string | string[]>;
}

export interface FakeTwilioCall {
  sid: string;
  to: string;
  from: string;
  twiml: string | undefined;
  url: string | undefined;
}

/** A number of the account (IncomingPhoneNumbers), with the webhooks the console would show. */
export interface FakeTwilioNumber {
  sid: string;
  phoneNumber: string;
  voiceUrl: string;
  voiceMethod: string;
  smsUrl: string;
  smsMethod: string;
  voiceApplicationSid: string | null;
  smsApplicationSid: string | null;
}

/** A Messaging Service of the account, with its incoming-message integration and its numbers. */
export interface FakeMessagingService {
  sid: string;
  friendlyName: string;
  inboundRequestUrl: string | null;
  inboundMethod: string;
  useInboundWebhookOnNumber: boolean;
  /** E.164 numbers of the account in the service's sender pool. */
  phoneNumbers: string[];
}

export interface FakeFailure {
  status: number;
  code?: number;
  message?: string;
  retryAfter?: string;
}

export interface FakeTwilioServer {
  /** Base URL to use as TWILIO_API_BASE_URL. */
  url: string;
  messages: FakeTwilioMessage[];
  calls: FakeTwilioCall[];
  /** The account's numbers, as updated through the API. */
  numbers: FakeTwilioNumber[];
  /** The form of each number update, in order. */
  numberUpdates: Array<{ sid: string; form: Record<string, string | string[]> }>;
  /** The account's Messaging Services, as updated through the API. */
  services: FakeMessagingService[];
  /** The form of each Messaging Service update, in order. */
  serviceUpdates: Array<{ sid: string; form: Record<string, string | string[]> }>;
  /** Every request, including refused ones. */
  requests: Array<{ method: string; path: string; status: number }>;
  /** The next `count` sends (messages, calls) fail with this answer. */
  failNext(count: number, failure: FakeFailure): void;
  /** The next `count` sends are never answered (the caller sees a hung request). */
  hangNext(count: number): void;
  /** Resolves once `count` requests have arrived and are hanging. */
  waitForHangingRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Sends to this number fail with error 21610 (recipient replied STOP). */
  optOut(number: string): void;
  /** Resolves once `count` messages were accepted. */
  waitForMessages(count: number, timeoutMs?: number): Promise<FakeTwilioMessage[]>;
  close(): Promise<void>;
}

/**
 * A fake Twilio REST API on loopback that checks what it receives like Twilio does (Basic auth with
 * the account SID and auth token, the account in the path, required fields) and answers with
 * Twilio's JSON shapes. Failures can be injected.
 */
export async function createFakeTwilioServer(options: {
  accountSid: string;
  authToken: string;
  /** The account's numbers (IncomingPhoneNumbers); none by default. */
  numbers?: Array<Partial<FakeTwilioNumber> & { phoneNumber: string }>;
  /** The account's Messaging Services (Messaging v1 `Services`); none by default. */
  services?: Array<Partial<FakeMessagingService>>;
}): Promise<FakeTwilioServer> {
  const numbers: FakeTwilioNumber[] = (options.numbers ?? []).map((number) => ({
    sid: `PN${randomBytes(16).toString("hex")}`,
    voiceUrl: "https://demo.twilio.com/welcome/voice/",
    voiceMethod: "POST",
    smsUrl: "https://demo.twilio.com/welcome/sms/reply",
    smsMethod: "POST",
    voiceApplicationSid: null,
    smsApplicationSid: null,
    ...number,
  }));
  const numberUpdates: FakeTwilioServer["numberUpdates"] = [];
  const services: FakeMessagingService[] = (options.services ?? []).map((service) => ({
    sid: `MG${randomBytes(16).toString("hex")}`,
    friendlyName: "Messaging Service",
    inboundRequestUrl: null,
    inboundMethod: "POST",
    useInboundWebhookOnNumber: true,
    phoneNumbers: [],
    ...service,
  }));
  const serviceUpdates: FakeTwilioServer["serviceUpdates"] = [];
  const messages: FakeTwilioMessage[] = [];
  const calls: FakeTwilioCall[] = [];
  const requests: FakeTwilioServer["requests"] = [];
  const failures: FakeFailure[] = [];
  const optedOut = new Set<string>();
  let hangCount = 0;
  let hanging = 0;
  const waiters = new Set<() => void>();
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString("base64")}`;

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = request.url ?? "/";
    const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      requests.push({ method: request.method ?? "", path, status });
      respond(response, status, json, headers);
    };
    const error = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
      answer(
        status,
        { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
        headers,
      );

    if (request.headers.authorization !== expectedAuth) return error(401, 20003, "Authenticate");
    const numbersPath =
      /^\/2010-04-01\/Accounts\/([^/]+)\/IncomingPhoneNumbers(?:\/([^/.?]+))?\.json(?:\?(.*))?$/.exec(path);
    if (numbersPath) {
      if (numbersPath[1] !== options.accountSid)
        return error(403, 20003, "Account SID in the path does not match");
      const listUri = `/2010-04-01/Accounts/${options.accountSid}/IncomingPhoneNumbers.json`;
      if (request.method === "GET" && !numbersPath[2]) {
        const query = new URLSearchParams(numbersPath[3] ?? "");
        const wanted = query.get("PhoneNumber");
        const found = numbers.filter((number) => wanted === null || number.phoneNumber === wanted);
        return answer(200, {
          incoming_phone_numbers: found.map((number) => numberJson(number, options.accountSid)),
          end: Math.max(found.length - 1, 0),
          first_page_uri: `${listUri}?PageSize=50&Page=0`,
          next_page_uri: null,
          page: 0,
          page_size: Number(query.get("PageSize") ?? 50),
          previous_page_uri: null,
          start: 0,
          uri: path,
        });
      }
      const number = numbers.find((candidate) => candidate.sid === numbersPath[2]);
      if (request.method !== "POST" || !number)
        return error(404, 20404, "The requested resource was not found");
      const form = parseForm(body);
      numberUpdates.push({ sid: number.sid, form });
      const text = (name: string) => {
        const value = form[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const url = (name: string) => {
        const value = text(name);
        if (value && !/^https?:\/\//.test(value)) throw new Error(`${name} is not a URL`);
        return value;
      };
      try {
        number.voiceUrl = url("VoiceUrl") ?? number.voiceUrl;
        number.smsUrl = url("SmsUrl") ?? number.smsUrl;
      } catch (invalid) {
        return error(400, 21502, (invalid as Error).message);
      }
      number.voiceMethod = text("VoiceMethod") ?? number.voiceMethod;
      number.smsMethod = text("SmsMethod") ?? number.smsMethod;
      const voiceApp = text("VoiceApplicationSid");
      if (voiceApp !== undefined) number.voiceApplicationSid = voiceApp || null;
      const smsApp = text("SmsApplicationSid");
      if (smsApp !== undefined) number.smsApplicationSid = smsApp || null;
      return answer(200, numberJson(number, options.accountSid));
    }
    const servicesPath = /^\/v1\/Services(?:\/([^/?]+))?(\/PhoneNumbers(?:\/([^/?]+))?)?(?:\?(.*))?$/.exec(
      path,
    );
    if (servicesPath) {
      const [, serviceSid, phoneNumbersPart, numberSid, queryText] = servicesPath;
      const query = new URLSearchParams(queryText ?? "");
      const meta = (key: string) => ({
        page: 0,
        page_size: Number(query.get("PageSize") ?? 50),
        first_page_url: `https://messaging.twilio.com${path}`,
        previous_page_url: null,
        url: `https://messaging.twilio.com${path}`,
        next_page_url: null,
        key,
      });
      if (!serviceSid) {
        if (request.method !== "GET") return error(405, 20004, "Method not allowed");
        return answer(200, {
          services: services.map((service) => serviceJson(service, options.accountSid)),
          meta: meta("services"),
        });
      }
      const service = services.find((candidate) => candidate.sid === serviceSid);
      if (!service) return error(404, 20404, "The requested resource was not found");
      if (phoneNumbersPart) {
        if (request.method !== "GET") return error(405, 20004, "Method not allowed");
        const inService = numbers.filter((number) => service.phoneNumbers.includes(number.phoneNumber));
        const json = (number: FakeTwilioNumber) => ({
          sid: number.sid,
          account_sid: options.accountSid,
          service_sid: service.sid,
          date_created: "2026-01-05T10:00:00Z",
          date_updated: "2026-01-05T10:00:00Z",
          phone_number: number.phoneNumber,
          country_code: "US",
          capabilities: ["SMS", "MMS", "Voice"],
          url: `https://messaging.twilio.com/v1/Services/${service.sid}/PhoneNumbers/${number.sid}`,
        });
        if (!numberSid)
          return answer(200, { phone_numbers: inService.map(json), meta: meta("phone_numbers") });
        const number = inService.find((candidate) => candidate.sid === numberSid);
        if (!number) return error(404, 20404, "The requested resource was not found");
        return answer(200, json(number));
      }
      if (request.method === "GET") return answer(200, serviceJson(service, options.accountSid));
      if (request.method !== "POST") return error(405, 20004, "Method not allowed");
      const form = parseForm(body);
      serviceUpdates.push({ sid: service.sid, form });
      const text = (name: string) => {
        const value = form[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const inboundUrl = text("InboundRequestUrl");
      if (inboundUrl && !/^https?:\/\//.test(inboundUrl))
        return error(400, 21502, "InboundRequestUrl is not a URL");
      if (inboundUrl !== undefined) service.inboundRequestUrl = inboundUrl || null;
      service.inboundMethod = text("InboundMethod") ?? service.inboundMethod;
      const deferToNumber = text("UseInboundWebhookOnNumber");
      if (deferToNumber !== undefined) service.useInboundWebhookOnNumber = deferToNumber === "true";
      return answer(200, serviceJson(service, options.accountSid));
    }
    // Injected hangs and failures are for sends (messages and calls).
    if (hangCount > 0) {
      hangCount--;
      hanging++;
      for (const waiter of waiters) waiter();
      return;
    }
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(path);
    if (request.method !== "POST" || !match) return error(404, 20404, "The requested resource was not found");
    if (match[1] !== options.accountSid) return error(403, 20003, "Account SID in the path does not match");
    if (!String(request.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
      return error(400, 20001, "Expected a form-encoded body");
    }
    const failure = failures.shift();
    if (failure) {
      return error(
        failure.status,
        failure.code ?? failure.status * 100,
        failure.message ?? "Injected failure",
        {
          ...(failure.retryAfter ? { "retry-after": failure.retryAfter } : {}),
        },
      );
    }
    const form = parseForm(body);
    const field = (name: string) => {
      const value = form[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const to = field("To");
    const from = field("From") ?? "";
    const messagingServiceSid = match[2] === "Messages" ? field("MessagingServiceSid") : undefined;
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to))
      return error(400, 21211, `The 'To' number ${to ?? ""} is not a valid phone number.`);
    if (!from && !messagingServiceSid)
      return error(400, 21603, "A 'From' phone number or a 'MessagingServiceSid' is required.");
    if (messagingServiceSid && !services.some((service) => service.sid === messagingServiceSid))
      return error(400, 21701, `The Messaging Service Sid ${messagingServiceSid} is invalid.`);
    const now = new Date().toUTCString();

    if (match[2] === "Messages") {
      const text = field("Body") ?? "";
      const media = form.MediaUrl === undefined ? [] : ([] as string[]).concat(form.MediaUrl);
      if (!text && media.length === 0) return error(400, 21602, "Message body is required.");
      if (text.length > 1600)
        return error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
      if (optedOut.has(to)) return error(400, 21610, "Attempt to send to unsubscribed recipient");
      const sid = `SM${randomBytes(16).toString("hex")}`;
      messages.push({
        sid,
        to,
        from,
        messagingServiceSid,
        body: text,
        mediaUrls: media,
        statusCallback: field("StatusCallback"),
        form,
      });
      for (const waiter of waiters) waiter();
      return answer(201, {
        sid,
        account_sid: options.accountSid,
        // Through a service, Twilio picks the sender later: no From yet, status "accepted".
        messaging_service_sid: messagingServiceSid ?? null,
        from: messagingServiceSid && !from ? null : from,
        to,
        body: text,
        status: messagingServiceSid ? "accepted" : "queued",
        direction: "outbound-api",
        num_segments: messagingServiceSid ? "0" : "1",
        num_media: String(media.length),
        error_code: null,
        error_message: null,
        price: null,
        price_unit: "USD",
        api_version: "2010-04-01",
        date_created: now,
        date_updated: now,
        date_sent: null,
        uri: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}.json`,
        subresource_uris: { media: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}/Media.json` },
      });
    }
    const twiml = field("Twiml");
    const url = field("Url");
    if (!twiml && !url && !field("ApplicationSid"))
      return error(400, 21205, "Url, Twiml or ApplicationSid is required.");
    const sid = `CA${randomBytes(16).toString("hex")}`;
    calls.push({ sid, to, from, twiml, url });
    return answer(201, {
      sid,
      account_sid: options.accountSid,
      to,
      from,
      status: "queued",
      direction: "outbound-api",
      parent_call_sid: null,
      start_time: null,
      end_time: null,
      duration: null,
      price: null,
      api_version: "2010-04-01",
      date_created: now,
      date_updated: now,
      uri: `/2010-04-01/Accounts/${options.accountSid}/Calls/${sid}.json`,
      subresource_uris: {},
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    calls,
    numbers,
    numberUpdates,
    services,
    serviceUpdates,
    requests,
    failNext(count, failure) {
      for (let index = 0; index < count; index++) failures.push(failure);
    },
    hangNext(count) {
      hangCount += count;
    },
    waitForHangingRequests(count, timeoutMs = 5000) {
      return waitUntil(() => hanging >= count, waiters, timeoutMs, `${count} hanging request(s)`);
    },
    optOut(number) {
      optedOut.add(number);
    },
    waitForMessages(count, timeoutMs = 5000) {
      return waitUntil(() => messages.length >= count, waiters, timeoutMs, `${count} Twilio message(s)`).then(
        () => messages,
      );
    },
    close: () => closeHttpServer(server),
  };
}

/** A number as Twilio's API writes it. */
function numberJson(number: FakeTwilioNumber, accountSid: string) {
  return {
    sid: number.sid,
    account_sid: accountSid,
    phone_number: number.phoneNumber,
    friendly_name: number.phoneNumber,
    voice_url: number.voiceUrl,
    voice_method: number.voiceMethod,
    voice_application_sid: number.voiceApplicationSid,
    sms_url: number.smsUrl,
    sms_method: number.smsMethod,
    sms_application_sid: number.smsApplicationSid,
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    status: "in-use",
    api_version: "2010-04-01",
    uri: `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${number.sid}.json`,
  };
}

/** A Messaging Service as Twilio's Messaging v1 API writes it. */
function serviceJson(service: FakeMessagingService, accountSid: string) {
  const url = `https://messaging.twilio.com/v1/Services/${service.sid}`;
  return {
    sid: service.sid,
    account_sid: accountSid,
    friendly_name: service.friendlyName,
    date_created: "2026-01-05T10:00:00Z",
    date_updated: "2026-01-05T10:00:00Z",
    inbound_request_url: service.inboundRequestUrl,
    inbound_method: service.inboundMethod,
    fallback_url: null,
    fallback_method: "POST",
    status_callback: null,
    sticky_sender: true,
    mms_converter: true,
    smart_encoding: true,
    scan_message_content: "inherit",
    fallback_to_long_code: true,
    area_code_geomatch: true,
    synchronous_validation: false,
    validity_period: 14400,
    url,
    links: { phone_numbers: `${url}/PhoneNumbers` },
    usecase: "undeclared",
    us_app_to_person_registered: false,
    use_inbound_webhook_on_number: service.useInboundWebhookOnNumber,
  };
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

export function respond(
  response: ServerResponse,
  status: number,
  json: unknown,
  headers: Record<string, string> = {},
): void {
  const text = json === undefined ? "" : JSON.stringify(json);
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(text);
}

function parseForm(body: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = form[key];
    if (existing === undefined) form[key] = value;
    else form[key] = ([] as string[]).concat(existing, value);
  }
  return form;
}

export function waitUntil(
  done: () => boolean,
  waiters: Set<() => void>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const check = () => {
      if (!done()) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
  });
}
